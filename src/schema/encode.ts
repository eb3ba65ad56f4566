// Typed encode: plain objects (the shape decode returns) to netlink bytes
// through the codec's MessageBuilder.
//
// Attributes are written in the set's value order, so that a sub-message's
// selector (IFLA_INFO_KIND) precedes it as the kernel requires. Every nest is
// written with NLA_F_NESTED: the kernel's strict validation (genetlink and
// newer rtnetlink handlers) requires it on nests, and the deprecated
// (lenient) parsing that old rtnetlink nests use ignores it, so it never
// hurts. Integers are range-checked, strings NUL-terminated, structs packed.
// A key the set does not know is an ArgumentError, not silently ignored.

import {
  ArgumentError, loadCodec, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLM_F_REQUEST, type Codec, type MessageBuilder,
} from '../codec/index.js';
import type { AttributeSchema, AttributeSetSchema, MessageSchema } from './compile.js';
import { intSize } from './compile.js';
import { keyOf } from './names.js';
import type { UnknownAttribute } from './decode.js';
import { asBytes, encodeStruct, selectorText } from './struct.js';
import { checkRange, describe, unnameValue, writeInt } from './values.js';

export interface EncodeMessageInput {
  header?: Record<string, unknown>;
  attributes?: Record<string, unknown>;
  /** nlmsg_flags; default NLM_F_REQUEST. */
  flags?: number;
  seq?: number;
  pid?: number;
}

export interface EncodeOptions {
  /** genetlink: the family id resolved at run time (nlctrl has a fixed one). */
  familyId?: number;
}

interface Level {
  set: AttributeSetSchema;
  obj: Record<string, unknown>;
  parent: Level | null;
}

class Encoder {
  constructor(readonly b: MessageBuilder) {}

  level(set: AttributeSetSchema, obj: unknown, path: string, up: Level | null): void {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || obj instanceof Uint8Array) {
      throw new ArgumentError(`${path}: attribute set ${set.name} expects an object, got ${describe(obj)}`);
    }
    const o = obj as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (key !== '$unknown' && o[key] !== undefined && !set.byKey.has(key)) {
        throw new ArgumentError(`${path}: attribute set ${set.name} has no attribute ${key}`);
      }
    }
    const here: Level = { set, obj: o, parent: up };
    // Attributes go out in the object's key order (a decoded message re-encodes
    // to the same bytes), except that a sub-message's selector is moved ahead
    // of it: the kernel reads the selector first.
    const written = new Set<string>();
    const put = (a: AttributeSchema) => {
      if (written.has(a.key)) return;
      written.add(a.key);
      const v = o[a.key];
      if (v === undefined || a.type === 'pad' || a.type === 'unused') return;
      if (a.type === 'sub-message') {
        const sel = set.byName.get(a.selector!);
        if (sel) put(sel);
      }
      const where = `${path}.${a.key}`;
      if (a.multi) {
        if (!Array.isArray(v)) throw new ArgumentError(`${where}: a multi-attr attribute expects an array, got ${describe(v)}`);
        v.forEach((item, i) => this.attribute(a, item, `${where}[${i}]`, here));
      } else {
        this.attribute(a, v, where, here);
      }
    };
    for (const key of Object.keys(o)) {
      const a = set.byKey.get(key);
      if (a) put(a);
    }
    const unknown = o.$unknown;
    if (unknown !== undefined) {
      if (!Array.isArray(unknown)) throw new ArgumentError(`${path}.$unknown: expected an array, got ${describe(unknown)}`);
      for (const u of unknown as UnknownAttribute[]) {
        if (typeof u?.type !== 'number' || !(u.bytes instanceof Uint8Array)) throw new ArgumentError(`${path}.$unknown: entries are { type, bytes }`);
        this.b.bytes((u.type & 0x3fff) | (u.nested ? NLA_F_NESTED : 0) | (u.netByteOrder ? NLA_F_NET_BYTEORDER : 0), u.bytes);
      }
    }
  }

  private int(type: string, value: number, v: unknown, a: AttributeSchema, where: string): void {
    const n = checkRange(type, unnameValue(a.enum, a.asFlags, v, where), where);
    const b = this.b;
    if (a.be) {
      switch (type) {
        case 'u16': b.be16(value, Number(n)); return;
        case 'u32': b.be32(value, Number(n)); return;
        case 'u64': b.be64(value, n); return;
      }
      const size = intSize(type)!;
      const bytes = new Uint8Array(size);
      writeInt(new DataView(bytes.buffer), 0, type, true, n);
      b.bytes(value, bytes);
      return;
    }
    switch (type) {
      case 'u8': b.u8(value, Number(n)); return;
      case 'u16': b.u16(value, Number(n)); return;
      case 'u32': b.u32(value, Number(n)); return;
      case 'u64': b.u64(value, n); return;
      case 's8': b.s8(value, Number(n)); return;
      case 's16': b.s16(value, Number(n)); return;
      case 's32': b.s32(value, Number(n)); return;
      case 's64': b.s64(value, n); return;
      case 'uint': if (BigInt(n) <= 0xffffffffn) b.u32(value, Number(n)); else b.u64(value, n); return;
      case 'sint': if (BigInt(n) >= -0x80000000n && BigInt(n) <= 0x7fffffffn) b.s32(value, Number(n)); else b.s64(value, n); return;
    }
    throw new ArgumentError(`${where}: ${type} is not an integer type`);
  }

  private attribute(a: AttributeSchema, v: unknown, where: string, here: Level): void {
    const b = this.b;
    switch (a.type) {
      case 'u8': case 'u16': case 'u32': case 'u64': case 's8': case 's16': case 's32': case 's64': case 'uint': case 'sint':
        this.int(a.type, a.value, v, a, where);
        return;
      case 'flag':
        if (v === true) b.flag(a.value);
        else if (v !== false) throw new ArgumentError(`${where}: a flag expects true or false, got ${describe(v)}`);
        return;
      case 'string':
        if (typeof v !== 'string') throw new ArgumentError(`${where}: expected a string, got ${describe(v)}`);
        b.string(a.value, v);
        return;
      case 'binary':
        b.bytes(a.value, this.binary(a, v, where));
        return;
      case 'bitfield32': {
        const o = v as { value?: unknown; selector?: unknown };
        if (typeof o !== 'object' || o === null) throw new ArgumentError(`${where}: a bitfield32 expects { value, selector }, got ${describe(v)}`);
        const bytes = new Uint8Array(8);
        const view = new DataView(bytes.buffer);
        view.setUint32(0, Number(checkRange('u32', unnameValue(a.enum, a.asFlags, o.value ?? 0, where), where)), true);
        view.setUint32(4, Number(checkRange('u32', unnameValue(a.enum, a.asFlags, o.selector ?? 0, where), where)), true);
        b.bytes(a.value, bytes);
        return;
      }
      case 'nest':
        if (!a.nest) { b.bytes(a.value, asBytes(v, where)); return; }
        b.nestStart(a.value, true);
        this.level(a.nest, v, where, here);
        b.nestEnd();
        return;
      case 'indexed-array':
        this.indexedArray(a, v, where, here);
        return;
      case 'nest-type-value':
        this.typeValue(a, v, where, here);
        return;
      case 'sub-message':
        this.subMessage(a, v, where, here);
        return;
      default:
        b.bytes(a.value, asBytes(v, where));
    }
  }

  private binary(a: AttributeSchema, v: unknown, where: string): Uint8Array {
    if (a.struct) return encodeStruct(a.struct, v, where);
    const size = a.subType ? intSize(a.subType) : undefined;
    if (size !== undefined && Array.isArray(v)) {
      const bytes = new Uint8Array(size * v.length);
      const view = new DataView(bytes.buffer);
      v.forEach((item, i) => writeInt(view, i * size, a.subType!, a.be, checkRange(a.subType!, unnameValue(a.enum, a.asFlags, item, `${where}[${i}]`), `${where}[${i}]`)));
      return bytes;
    }
    return asBytes(v, where);
  }

  private indexedArray(a: AttributeSchema, v: unknown, where: string, here: Level): void {
    if (!Array.isArray(v)) throw new ArgumentError(`${where}: an indexed array expects an array, got ${describe(v)}`);
    const b = this.b;
    b.nestStart(a.value, true);
    v.forEach((item, i) => {
      const at = `${where}[${i}]`;
      // Element attribute types are the 1-based position, as nlctrl numbers them.
      const type = i + 1;
      if (a.subType === 'nest' && a.nest) {
        b.nestStart(type, true);
        this.level(a.nest, item, at, here);
        b.nestEnd();
      } else if (a.subType && intSize(a.subType) !== undefined) {
        this.int(a.subType, type, item, a, at);
      } else if (a.subType === 'string') {
        if (typeof item !== 'string') throw new ArgumentError(`${at}: expected a string, got ${describe(item)}`);
        b.string(type, item);
      } else {
        b.bytes(type, asBytes(item, at));
      }
    });
    b.nestEnd();
  }

  private typeValue(a: AttributeSchema, v: unknown, where: string, here: Level): void {
    if (!Array.isArray(v)) throw new ArgumentError(`${where}: a nest-type-value expects an array, got ${describe(v)}`);
    const keys = (a.typeValue ?? []).map(keyOf);
    const b = this.b;
    const write = (items: Record<string, unknown>[], depth: number) => {
      // Group consecutive-or-not items by this level's id, in first-seen order.
      const groups = new Map<number, Record<string, unknown>[]>();
      for (const item of items) {
        const id = item[keys[depth]!];
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0x3fff) {
          throw new ArgumentError(`${where}: ${keys[depth]} must be an attribute type (0..16383), got ${describe(id)}`);
        }
        const group = groups.get(id) ?? [];
        group.push(item);
        groups.set(id, group);
      }
      for (const [id, group] of groups) {
        b.nestStart(id, true);
        if (depth < keys.length - 1) write(group, depth + 1);
        else {
          if (group.length > 1) throw new ArgumentError(`${where}: two entries share the ids ${keys.map((k) => group[0]![k]).join('/')}`);
          const rest = { ...group[0]! };
          for (const k of keys) delete rest[k];
          if (a.nest) this.level(a.nest, rest, where, here);
        }
        b.nestEnd();
      }
    };
    for (const item of v) if (typeof item !== 'object' || item === null) throw new ArgumentError(`${where}: entries must be objects`);
    b.nestStart(a.value, true);
    write(v as Record<string, unknown>[], 0);
    b.nestEnd();
  }

  private subMessage(a: AttributeSchema, v: unknown, where: string, here: Level): void {
    if (v instanceof Uint8Array) {
      this.b.bytes(a.value, v);
      return;
    }
    const selector = findSelector(here, a);
    const format = selector === undefined ? undefined : a.subMessage!.formats.get(selector);
    if (!format) {
      throw new ArgumentError(`${where}: ${a.subMessage!.name} has no format for ${a.selector} = ${selector ?? '(missing)'}; pass the payload as bytes`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ArgumentError(`${where}: expected an object, got ${describe(v)}`);
    const obj = v as Record<string, unknown>;
    const b = this.b;
    b.nestStart(a.value, true);
    let attrs = obj;
    if (format.header) {
      const headerPart: Record<string, unknown> = {};
      attrs = {};
      for (const [k, x] of Object.entries(obj)) {
        if (format.header.members.some((m) => m.key === k)) headerPart[k] = x;
        else attrs[k] = x;
      }
      const bytes = encodeStruct(format.header, headerPart, where);
      const at = b.reserve(bytes.length);
      if (at) b.memory.u8.set(bytes, at);
    }
    if (format.set) this.level(format.set, attrs, where, here);
    else if (format.header && Object.keys(attrs).length > 0) {
      throw new ArgumentError(`${where}: ${Object.keys(attrs).join(', ')} not in struct ${format.header.name}`);
    }
    b.nestEnd();
  }
}

function findSelector(here: Level, a: AttributeSchema): string | undefined {
  for (let level: Level | null = here; level; level = level.parent) {
    const sel = level.set.byName.get(a.selector!);
    if (!sel) continue;
    const v = level.obj[sel.key];
    if (v === undefined) continue;
    if ((typeof v === 'number' || typeof v === 'bigint') && sel.enum) return sel.enum.byValue.get(Number(v)) ?? String(v);
    return selectorText(v);
  }
  return undefined;
}

/** Writes the attributes of `value` as set `set` into the builder's open message or nest. */
export function encodeAttributes(builder: MessageBuilder, set: AttributeSetSchema, value: Record<string, unknown>): void {
  new Encoder(builder).level(set, value, set.name, null);
}

/**
 * Appends one message to the builder's current batch: nlmsghdr, genlmsghdr
 * for genetlink, the fixed header, the attributes.
 */
export function encodeMessageInto(builder: MessageBuilder, schema: MessageSchema, input: EncodeMessageInput, options?: EncodeOptions): void {
  const family = schema.family;
  let type = schema.value;
  if (family.genetlink) {
    const id = options?.familyId ?? family.spec.fixedId;
    if (id === undefined) throw new ArgumentError(`family ${family.name} is genetlink: pass the familyId resolved through nlctrl`);
    type = id;
  }
  builder.begin(type, input.flags ?? NLM_F_REQUEST, input.seq ?? 0, input.pid ?? 0);
  const headerBytes = schema.header ? encodeStruct(schema.header, input.header, `${schema.name}.header`) : new Uint8Array(0);
  if (!schema.header && input.header !== undefined && Object.keys(input.header).length > 0) {
    throw new ArgumentError(`${schema.name}: the message has no fixed header`);
  }
  if (family.genetlink) {
    const all = new Uint8Array(4 + headerBytes.length);
    all[0] = schema.value;
    all[1] = family.version;
    all.set(headerBytes, 4);
    builder.header(all);
  } else if (headerBytes.length > 0) {
    builder.header(headerBytes);
  }
  if (input.attributes !== undefined) {
    if (!schema.set) {
      if (Object.keys(input.attributes).length > 0) throw new ArgumentError(`${schema.name}: the message has no attributes`);
    } else {
      new Encoder(builder).level(schema.set, input.attributes, schema.name, null);
    }
  }
  builder.end();
}

/** Encodes one message into a fresh batch and returns a copy of its bytes. */
export function encodeMessage(schema: MessageSchema, input: EncodeMessageInput, options?: EncodeOptions, codec: Codec = loadCodec()): Uint8Array {
  const b = codec.builder().reset();
  try {
    encodeMessageInto(b, schema, input, options);
  } catch (e) {
    b.reset();
    throw e;
  }
  return b.finish().slice();
}
