// UTF-8 to and from byte ranges. Netlink strings are short and almost always
// ASCII (interface names, kinds, family names), where a plain loop beats the
// fixed cost of a TextDecoder call; anything else goes to the real decoder.

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

const SHORT = 64;

/** Decodes bytes [start, end) of `u8`, stopping at the first NUL. */
export function decodeString(u8: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT) {
    let text = '';
    for (let i = start; i < end; i++) {
      const c = u8[i]!;
      if (c === 0) return text;
      if (c >= 0x80) return decodeSlow(u8, start, end);
      text += String.fromCharCode(c);
    }
    return text;
  }
  return decodeSlow(u8, start, end);
}

function decodeSlow(u8: Uint8Array, start: number, end: number): string {
  let stop = u8.indexOf(0, start);
  if (stop < 0 || stop > end) stop = end;
  return decoder.decode(u8.subarray(start, stop));
}

/** The most bytes `text` can take as UTF-8. */
export function maxUtf8Length(text: string): number {
  return text.length * 3;
}

/** Writes `text` as UTF-8 at `at` (room for maxUtf8Length bytes); returns the bytes written. */
export function encodeString(u8: Uint8Array, at: number, text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return i + encoder.encodeInto(text.slice(i), u8.subarray(at + i, at + i + (n - i) * 3)).written;
    u8[at + i] = c;
  }
  return n;
}

/** UTF-8 bytes of `text` (a fresh array). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
