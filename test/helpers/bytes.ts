// Hand-built netlink bytes for tests, written without the codec so that the
// codec is checked against an independent picture of the format.

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const pad4 = (n: number) => (n + 3) & ~3;

export interface MsgOptions {
  flags?: number;
  seq?: number;
  pid?: number;
  /** Write this nlmsg_len instead of the real one. */
  declaredLength?: number;
  /** Do not pad the message to 4 bytes (an unaligned tail). */
  unpadded?: boolean;
  /** Fill the padding with this byte instead of zero. */
  padByte?: number;
}

/** nlmsghdr + payload, padded to 4 unless told otherwise. */
export function msg(type: number, payload: Uint8Array = new Uint8Array(0), o: MsgOptions = {}): Uint8Array {
  const length = 16 + payload.length;
  const out = new Uint8Array(o.unpadded ? length : pad4(length));
  if (o.padByte !== undefined) out.fill(o.padByte, length);
  const v = new DataView(out.buffer);
  v.setUint32(0, o.declaredLength ?? length, true);
  v.setUint16(4, type, true);
  v.setUint16(6, o.flags ?? 0, true);
  v.setUint32(8, o.seq ?? 0, true);
  v.setUint32(12, o.pid ?? 0, true);
  out.set(payload, 16);
  return out;
}

export interface AttrOptions {
  declaredLength?: number;
  unpadded?: boolean;
  nestedFlag?: boolean;
  netByteOrder?: boolean;
}

/** nlattr + payload, padded to 4 unless told otherwise. */
export function attr(type: number, payload: Uint8Array = new Uint8Array(0), o: AttrOptions = {}): Uint8Array {
  const length = 4 + payload.length;
  const out = new Uint8Array(o.unpadded ? length : pad4(length));
  const v = new DataView(out.buffer);
  v.setUint16(0, o.declaredLength ?? length, true);
  v.setUint16(2, type | (o.nestedFlag ? 0x8000 : 0) | (o.netByteOrder ? 0x4000 : 0), true);
  out.set(payload, 4);
  return out;
}

export function u32le(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

export function u16le(n: number): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, n, true);
  return out;
}

export function i32le(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, n, true);
  return out;
}

export function ascii(text: string, nul = true): Uint8Array {
  const out = new Uint8Array(text.length + (nul ? 1 : 0));
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** A small seeded PRNG (mulberry32) so that fuzz runs are reproducible. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
