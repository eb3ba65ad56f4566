// Unaligned integer reads and writes on plain byte arrays. No DataView: one
// per record would be an allocation on the hot path.

export function u16le(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
export function u16be(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}
export function u32le(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}
export function u32be(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
export function u16(b: Uint8Array, at: number, littleEndian: boolean): number {
  return littleEndian ? u16le(b, at) : u16be(b, at);
}
export function u32(b: Uint8Array, at: number, littleEndian: boolean): number {
  return littleEndian ? u32le(b, at) : u32be(b, at);
}
/** A signed 64-bit integer as a bigint. */
export function i64(b: Uint8Array, at: number, littleEndian: boolean): bigint {
  const lo = u32(b, at + (littleEndian ? 0 : 4), littleEndian);
  const hi = u32(b, at + (littleEndian ? 4 : 0), littleEndian);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

export function putU16le(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
}
export function putU16be(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v;
}
export function putU32le(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}
export function putU32be(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

export const pad4 = (n: number): number => (n + 3) & ~3;
