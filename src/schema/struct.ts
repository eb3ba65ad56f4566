// Structs (fixed headers, binary attributes laid out as C structs) between
// bytes and plain objects. Members are packed in spec order:
//
//   ifinfomsg   0      1     2        4           8           12          16
//               ┌──────┬─────┬────────┬───────────┬───────────┬───────────┐
//               │family│ pad │ type   │ index     │ flags     │ change    │
//               └──────┴─────┴────────┴───────────┴───────────┴───────────┘
//
// A payload shorter than the struct yields only the members that fit whole
// (older kernels send shorter versions of growing structs); bytes past the
// struct are kept under `$tail` so nothing is dropped.

import { ArgumentError } from '../codec/errors.js';
import { decodeString, encodeString, maxUtf8Length } from '../codec/text.js';
import type { MemberSchema, StructSchema, SubMessageSchema } from './compile.js';
import { checkRange, describe, nameValue, readInt, unnameValue, writeInt } from './values.js';

export interface StructDecodeOptions {
  enums?: 'names' | 'numbers';
}

/** Key under which bytes past a struct's end are kept. */
export const TAIL_KEY = '$tail';

/** The format key of a selector value: an enum name, a string, or the number in decimal. */
export function selectorText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** The selector value of sub-message member `m`, from the struct's values (decoded or to encode). */
function memberSelector(values: Record<string, unknown>, struct: StructSchema, m: MemberSchema): string | undefined {
  const sel = struct.members.find((x) => x.name === m.selector);
  if (!sel) return undefined;
  const v = values[sel.key];
  if ((typeof v === 'number' || typeof v === 'bigint') && sel.enum) return sel.enum.byValue.get(Number(v)) ?? String(v);
  return selectorText(v);
}

/**
 * A struct's members as a fast-mode object, made once: V8 turns an object
 * that gains more than a dozen properties one keyed store at a time into a
 * slow dictionary, so a whole struct starts as a shallow copy of this (one
 * allocation with every slot in place) and its members are then overwritten.
 */
const templates = new WeakMap<StructSchema, Record<string, unknown> | null>();

function templateOf(struct: StructSchema): Record<string, unknown> | null {
  let template = templates.get(struct);
  if (template !== undefined) return template;
  template = null;
  const keys = struct.members.filter((m) => m.type !== 'pad' && !m.rest).map((m) => m.key);
  // Worth it past a few members; JSON.parse makes the copy source a fast-mode object.
  if (!struct.hasRest && keys.length > 4 && new Set(keys).size === keys.length && !keys.includes(TAIL_KEY)) {
    template = JSON.parse(JSON.stringify(Object.fromEntries(keys.map((k) => [k, 0])))) as Record<string, unknown>;
  }
  templates.set(struct, template);
  return template;
}

/** Decodes `length` bytes at `at` of `u8`/`view` as `struct`. */
export function decodeStruct(
  struct: StructSchema, u8: Uint8Array, view: DataView, at: number, length: number, options?: StructDecodeOptions,
): Record<string, unknown> {
  const template = length >= struct.size ? templateOf(struct) : null;
  if (template) return decodeWhole(struct, { ...template }, u8, view, at, length, options);
  const out: Record<string, unknown> = {};
  const names = options?.enums !== 'numbers';
  let end = 0;
  for (const m of struct.members) {
    if (m.rest) {
      const bytes = u8.slice(at + m.offset, at + Math.max(m.offset, length));
      out[m.key] = m.subMessage ? decodeSubStruct(m.subMessage, memberSelector(out, struct, m), bytes, options) : bytes;
      end = Math.max(length, m.offset);
      continue;
    }
    if (m.offset + m.size > length) break;
    end = m.offset + m.size;
    switch (m.type) {
      case 'pad':
        break;
      case 'string':
        out[m.key] = decodeString(u8, at + m.offset, at + m.offset + m.size);
        break;
      case 'binary':
        out[m.key] = m.struct
          ? decodeStruct(m.struct, u8, view, at + m.offset, m.size, options)
          : u8.slice(at + m.offset, at + m.offset + m.size);
        break;
      case 'u32':
        // The common member: no bigint, no switch in readInt.
        out[m.key] = names && m.enum ? nameValue(m.enum, m.asFlags, view.getUint32(at + m.offset, !m.be)) : view.getUint32(at + m.offset, !m.be);
        break;
      default: {
        const v = readInt(view, at + m.offset, m.type, m.be);
        out[m.key] = names && m.enum ? nameValue(m.enum, m.asFlags, v) : v;
      }
    }
  }
  if (length > end) out[TAIL_KEY] = u8.slice(at + end, at + length);
  return out;
}

/** decodeStruct of a payload that holds every member, into a copy of the template. */
function decodeWhole(
  struct: StructSchema, out: Record<string, unknown>, u8: Uint8Array, view: DataView, at: number, length: number, options?: StructDecodeOptions,
): Record<string, unknown> {
  const names = options?.enums !== 'numbers';
  const members = struct.members;
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    const where = at + m.offset;
    let v: unknown;
    switch (m.type) {
      case 'pad':
        continue;
      case 'string':
        out[m.key] = decodeString(u8, where, where + m.size);
        continue;
      case 'binary':
        out[m.key] = m.struct ? decodeStruct(m.struct, u8, view, where, m.size, options) : u8.slice(where, where + m.size);
        continue;
      case 'u8':
        v = u8[where]!;
        break;
      case 'u32':
        v = view.getUint32(where, !m.be);
        break;
      case 'u64':
        if (!m.be) {
          // Two 32-bit halves avoid a bigint while the value is a safe integer.
          const high = view.getUint32(where + 4, true);
          v = high < 0x200000 ? high * 0x100000000 + view.getUint32(where, true) : view.getBigUint64(where, true);
          break;
        }
        v = readInt(view, where, m.type, m.be);
        break;
      default:
        v = readInt(view, where, m.type, m.be);
    }
    out[m.key] = names && m.enum ? nameValue(m.enum, m.asFlags, v as number | bigint) : v;
  }
  if (length > struct.size) out[TAIL_KEY] = u8.slice(at + struct.size, at + length);
  return out;
}

function decodeSubStruct(sm: SubMessageSchema, selector: string | undefined, bytes: Uint8Array, options?: StructDecodeOptions): unknown {
  const format = selector === undefined ? undefined : sm.formats.get(selector);
  if (!format?.header || format.set) return bytes;
  return decodeStruct(format.header, bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.length, options);
}

/** Decodes a struct from a standalone byte array. */
export function decodeStructBytes(struct: StructSchema, bytes: Uint8Array, options?: StructDecodeOptions): Record<string, unknown> {
  return decodeStruct(struct, bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.length, options);
}

/** Encodes `value` as `struct`: missing members are zero. */
export function encodeStruct(struct: StructSchema, value: unknown, path: string): Uint8Array {
  if (value === undefined) value = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    if (value instanceof Uint8Array) return value;
    throw new ArgumentError(`${path}: struct ${struct.name} expects an object, got ${describe(value)}`);
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (key !== TAIL_KEY && obj[key] !== undefined && !struct.members.some((m) => m.key === key)) {
      throw new ArgumentError(`${path}: struct ${struct.name} has no member ${key}`);
    }
  }
  let rest: Uint8Array | undefined;
  const restMember = struct.members.find((m) => m.rest);
  if (restMember && obj[restMember.key] !== undefined) {
    rest = restMember.subMessage
      ? encodeSubStruct(restMember.subMessage, memberSelector(obj, struct, restMember), obj[restMember.key], `${path}.${restMember.key}`)
      : asBytes(obj[restMember.key], `${path}.${restMember.key}`);
  }
  const tail = obj[TAIL_KEY] === undefined ? undefined : asBytes(obj[TAIL_KEY], `${path}.${TAIL_KEY}`);
  const out = new Uint8Array(struct.size + (rest?.length ?? 0) + (tail?.length ?? 0));
  const view = new DataView(out.buffer);
  for (const m of struct.members) {
    const v = obj[m.key];
    const where = `${path}.${m.key}`;
    if (m.rest) {
      if (rest) out.set(rest, m.offset);
      continue;
    }
    if (v === undefined || m.type === 'pad') continue;
    switch (m.type) {
      case 'string': {
        if (typeof v !== 'string') throw new ArgumentError(`${where}: expected a string, got ${describe(v)}`);
        const scratch = new Uint8Array(maxUtf8Length(v));
        const n = encodeString(scratch, 0, v);
        if (n > m.size) throw new ArgumentError(`${where}: ${n} bytes do not fit in ${m.size}`);
        out.set(scratch.subarray(0, n), m.offset);
        break;
      }
      case 'binary': {
        const bytes = m.struct ? encodeStruct(m.struct, v, where) : asBytes(v, where);
        if (bytes.length > m.size) throw new ArgumentError(`${where}: ${bytes.length} bytes do not fit in ${m.size}`);
        out.set(bytes, m.offset);
        break;
      }
      default:
        writeInt(view, m.offset, m.type, m.be, checkRange(m.type, unnameValue(m.enum, m.asFlags, v, where), where));
    }
  }
  if (tail) out.set(tail, struct.size + (rest?.length ?? 0));
  return out;
}

function encodeSubStruct(sm: SubMessageSchema, selector: string | undefined, value: unknown, path: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const format = selector === undefined ? undefined : sm.formats.get(selector);
  if (!format?.header) throw new ArgumentError(`${path}: no layout of ${sm.name} for selector ${selector ?? '(missing)'}; pass bytes`);
  return encodeStruct(format.header, value, path);
}

export function asBytes(v: unknown, path: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw new ArgumentError(`${path}: expected a Uint8Array, got ${describe(v)}`);
}
