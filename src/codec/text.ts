// UTF-8 to and from byte ranges. Netlink strings are short and almost always
// ASCII (interface names, kinds, family names), where String.fromCharCode on
// a few bytes at a time beats the fixed cost of a TextDecoder call; anything
// else goes to the real decoder.

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

const SHORT = 64;

/** Decodes bytes [start, end) of `u8`, stopping at the first NUL. */
export function decodeString(u8: Uint8Array, start: number, end: number): string {
  let stop = start;
  for (; stop < end; stop++) {
    const c = u8[stop]!;
    if (c === 0) break;
    if (c >= 0x80) return decodeSlow(u8, start, end);
  }
  return stop - start <= SHORT ? ascii(u8, start, stop) : decoder.decode(u8.subarray(start, stop));
}

const fromCharCode = String.fromCharCode;

/** ASCII bytes [s, e) as a string: eight characters per call, no array in between. */
function ascii(u8: Uint8Array, s: number, e: number): string {
  let text = '';
  let i = s;
  for (; i + 8 <= e; i += 8) {
    text += fromCharCode(u8[i]!, u8[i + 1]!, u8[i + 2]!, u8[i + 3]!, u8[i + 4]!, u8[i + 5]!, u8[i + 6]!, u8[i + 7]!);
  }
  switch (e - i) {
    case 1: return text + fromCharCode(u8[i]!);
    case 2: return text + fromCharCode(u8[i]!, u8[i + 1]!);
    case 3: return text + fromCharCode(u8[i]!, u8[i + 1]!, u8[i + 2]!);
    case 4: return text + fromCharCode(u8[i]!, u8[i + 1]!, u8[i + 2]!, u8[i + 3]!);
    case 5: return text + fromCharCode(u8[i]!, u8[i + 1]!, u8[i + 2]!, u8[i + 3]!, u8[i + 4]!);
    case 6: return text + fromCharCode(u8[i]!, u8[i + 1]!, u8[i + 2]!, u8[i + 3]!, u8[i + 4]!, u8[i + 5]!);
    case 7: return text + fromCharCode(u8[i]!, u8[i + 1]!, u8[i + 2]!, u8[i + 3]!, u8[i + 4]!, u8[i + 5]!, u8[i + 6]!);
    default: return text;
  }
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
