// String decoding for the plain-JavaScript reference: netlink strings are
// short and nearly always ASCII, so a char-code loop wins over a TextDecoder
// call; anything non-ASCII goes to the real decoder.

const utf8Decoder = new TextDecoder('utf-8');

/** Bytes [start, end) of `u8` up to the first NUL, as UTF-8. */
export function decodeText(u8: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) {
    const c = u8[i]!;
    if (c === 0) return text;
    if (c >= 0x80) {
      let stop = u8.indexOf(0, i);
      if (stop < 0 || stop > end) stop = end;
      return utf8Decoder.decode(u8.subarray(start, stop));
    }
    text += String.fromCharCode(c);
  }
  return text;
}

const utf8Encoder = new TextEncoder();

/** Writes `text` as UTF-8 at `at` (room for 3 bytes per UTF-16 unit); returns the bytes written. */
export function encodeText(u8: Uint8Array, at: number, text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return i + utf8Encoder.encodeInto(text.slice(i), u8.subarray(at + i, at + i + (n - i) * 3)).written;
    u8[at + i] = c;
  }
  return n;
}
