// Scalar values between their wire form and JavaScript.
//
// Rules (the same everywhere the schema layer decodes):
//   - 8/16/32-bit integers are numbers.
//   - 64-bit integers (u64, s64, uint, sint) are numbers when they are safe
//     integers (|v| <= 2^53 - 1) and bigints otherwise: no precision is lost,
//     and the common small counters stay plain numbers.
//   - An enum value is its entry's name; a value without a name stays a number.
//   - A flag set is an array of entry names in spec order; bits without a
//     name follow as one number (e.g. ['up', 'running', 0x40000]).
//   - `enums: 'numbers'` in the decode options turns both naming rules off.
// Encoding accepts all of these forms (names, numbers, bigints, name arrays).

import { ArgumentError } from '../codec/errors.js';
import type { EnumSchema } from './compile.js';

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A bigint as a number when that is exact, else the bigint. */
export function narrow(v: bigint): number | bigint {
  return v <= SAFE && v >= -SAFE ? Number(v) : v;
}

/** Names an integer by an enum, or splits it into flag names. */
export function nameValue(e: EnumSchema | undefined, asFlags: boolean, v: number | bigint): unknown {
  if (!e) return v;
  if (!e.flags && !asFlags) {
    const name = typeof v === 'number' ? e.byValue.get(v) : v <= SAFE ? e.byValue.get(Number(v)) : undefined;
    return name ?? v;
  }
  if (typeof v === 'number' && v >= 0 && v <= 0xffffffff && e.maxMask <= 0xffffffff) return splitFlags32(e, v);
  const names: Array<string | number | bigint> = [];
  let rest = BigInt(v);
  for (const [name, value] of e.entries) {
    const mask = BigInt(e.mask(value));
    if (mask !== 0n && (rest & mask) === mask) {
      names.push(name);
      rest &= ~mask;
    }
  }
  if (rest !== 0n) names.push(narrow(rest));
  return names;
}

const SPLIT_CACHE_LIMIT = 256;

/**
 * 32-bit flags without bigints: the common case (interface, address, route
 * flags). A dump repeats a handful of flag values, so splits are cached per
 * enum (bounded) and each caller gets its own copy of the list.
 */
function splitFlags32(e: EnumSchema, v: number): Array<string | number> {
  const cached = e.splitCache.get(v);
  if (cached) return cached.slice();
  const names: Array<string | number> = [];
  const masks = e.flagMasks;
  const flagNames = e.flagNames;
  let rest = v;
  for (let i = 0; i < masks.length; i++) {
    const mask = masks[i]!;
    if (((rest & mask) >>> 0) === mask) {
      names.push(flagNames[i]!);
      rest = (rest & ~mask) >>> 0;
    }
  }
  if (rest !== 0) names.push(rest);
  if (e.splitCache.size < SPLIT_CACHE_LIMIT) e.splitCache.set(v, names.slice());
  return names;
}

/** The integer for an enum name, flag list, number or bigint. */
export function unnameValue(e: EnumSchema | undefined, asFlags: boolean, v: unknown, path: string): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'string') {
    const value = e?.byName.get(v);
    if (value === undefined) throw new ArgumentError(`${path}: ${JSON.stringify(v)} is not a name of ${e ? `enum ${e.name}` : 'any enum (the value is a plain integer)'}`);
    return e!.flags || asFlags ? e!.mask(value) : value;
  }
  if (Array.isArray(v) && e && (e.flags || asFlags)) {
    let out = 0n;
    for (const item of v) out |= BigInt(typeof item === 'string' ? unnameValue(e, asFlags, item, path) : checkInteger(item, path));
    return narrow(out);
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ArgumentError(`${path}: expected an integer${e ? ` or a name of ${e.name}` : ''}, got ${describe(v)}`);
}

function checkInteger(v: unknown, path: string): number | bigint {
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return v;
  throw new ArgumentError(`${path}: expected an integer, got ${describe(v)}`);
}

export function describe(v: unknown): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

const RANGES: Record<string, [bigint, bigint]> = {
  u8: [0n, 0xffn], u16: [0n, 0xffffn], u32: [0n, 0xffffffffn], u64: [0n, 0xffffffffffffffffn],
  s8: [-0x80n, 0x7fn], s16: [-0x8000n, 0x7fffn], s32: [-0x80000000n, 0x7fffffffn], s64: [-0x8000000000000000n, 0x7fffffffffffffffn],
  uint: [0n, 0xffffffffffffffffn], sint: [-0x8000000000000000n, 0x7fffffffffffffffn],
};

/** Checks that `v` is an integer in the range of `type`; returns it as a number when that is exact. */
export function checkRange(type: string, v: number | bigint, path: string): number | bigint {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new ArgumentError(`${path}: ${v} is not a safe integer (use a bigint)`);
  const range = RANGES[type];
  if (!range) throw new ArgumentError(`${path}: ${type} is not an integer type`);
  const b = BigInt(v);
  if (b < range[0] || b > range[1]) throw new ArgumentError(`${path}: ${v} is out of range for ${type}`);
  return typeof v === 'number' ? v : narrow(v);
}

/** Reads an integer of `type` at `at`. */
export function readInt(view: DataView, at: number, type: string, be: boolean): number | bigint {
  const le = !be;
  switch (type) {
    case 'u8': return view.getUint8(at);
    case 's8': return view.getInt8(at);
    case 'u16': return view.getUint16(at, le);
    case 's16': return view.getInt16(at, le);
    case 'u32': return view.getUint32(at, le);
    case 's32': return view.getInt32(at, le);
    case 'u64': case 's64': {
      // Two 32-bit halves avoid a bigint while the value is a safe integer.
      const low = view.getUint32(be ? at + 4 : at, le);
      const high = type === 'u64' ? view.getUint32(be ? at : at + 4, le) : view.getInt32(be ? at : at + 4, le);
      if (high < 0x200000 && high >= -0x200000) return high * 0x100000000 + low;
      return type === 'u64' ? view.getBigUint64(at, le) : view.getBigInt64(at, le);
    }
    default: throw new ArgumentError(`${type} is not a fixed-width integer type`);
  }
}

/** Writes an integer of `type` (already range-checked) at `at`. */
export function writeInt(view: DataView, at: number, type: string, be: boolean, v: number | bigint): void {
  const le = !be;
  switch (type) {
    case 'u8': case 's8': view.setUint8(at, Number(BigInt.asUintN(8, BigInt(v)))); return;
    case 'u16': case 's16': view.setUint16(at, Number(BigInt.asUintN(16, BigInt(v))), le); return;
    case 'u32': case 's32': view.setUint32(at, Number(BigInt.asUintN(32, BigInt(v))), le); return;
    case 'u64': case 's64': view.setBigUint64(at, BigInt.asUintN(64, BigInt(v)), le); return;
    default: throw new ArgumentError(`${type} is not a fixed-width integer type`);
  }
}
