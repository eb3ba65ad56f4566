// Typed decode: an AttributeList (or a whole message of a Batch) to plain
// objects, by a family schema.
//
//   { family: 'rt-link', message: 'newlink', type: 16, flags, seq, pid,
//     header: { ifiFamily: 0, ifiType: 772, ifiIndex: 1, ifiFlags: ['up', 'loopback', 'running', 'lower-up'], ... },
//     attributes: { ifname: 'lo', mtu: 65536, linkinfo: { kind: 'vlan', data: { id: 5 } }, ... } }
//
// Value rules are in values.ts. Per attribute type:
//   flag → true; string → string; binary → Uint8Array (a copy), an object for
//   a struct, a number array for a C array (sub-type); nest → object;
//   multi-attr → array; indexed-array → array (element order, indexes
//   dropped); nest-type-value → array of objects carrying the type values
//   (e.g. { policyId, attrId, ...attributes }); bitfield32 → { value, selector };
//   sub-message → the format its selector picks (the closest attribute of
//   that name), or the raw bytes when no format matches.
// Attributes the schema does not know, and repeats of a non-multi attribute,
// go to `$unknown` as { type, bytes } (plus nested / netByteOrder when those
// bits were set): nothing is dropped, and encode writes them back. Pad
// attributes carry nothing and are skipped.

import {
  loadCodec, DEFAULT_MAX_DEPTH, NLA_HDRLEN, NLMSG_HDRLEN, NLMSG_ERROR, NLMSG_MIN_TYPE, NLM_F_CAPPED, NLM_F_ACK_TLVS, STATUS_OK, STATUS_BAD_NEST, MalformedError, TruncatedError,
  type AttributeList, type AttributeWalker, type Batch, type BatchAttributes, type Codec, type NestMap, type Scanner,
} from '../codec/index.js';
import type { AttributeSchema, AttributeSetSchema, MessageSchema, StructSchema } from './compile.js';
import { GENL_HDRLEN, intSize } from './compile.js';
import { keyOf } from './names.js';
import { decodeStruct, selectorText } from './struct.js';
import { nameValue, readInt } from './values.js';
import {
  planOf, selection, OP_UNKNOWN, OP_PAD, OP_FLAG, OP_STRING, OP_U8, OP_U16, OP_U32, OP_S32, OP_U64, OP_BINARY, OP_STRUCT, OP_NEST,
} from './plan.js';
import { decodeString } from '../codec/text.js';
import { directSet, specializedSet, specializedStruct } from '../families/decoders/lookup.js';
import { copyBytes, directStats, USE_INDEX, type DirectSetDecoder, type StructDecoder } from '../families/decoders/runtime.js';

export interface DecodeOptions {
  /** 'names' (default): enums and flags by name; 'numbers': raw integers. */
  enums?: 'names' | 'numbers';
  /**
   * Defer nests, sub-messages, arrays and struct attributes: each becomes an
   * enumerable getter over a copy of its bytes, decoded on first access
   * (then cached); a decoding error inside one is thrown when it is read.
   * Scalars and strings are decoded at once either way. An own getter is
   * costly in V8 (it takes the object off its fast shape), so this pays off
   * for large nests that are seldom read, not for small messages: a link
   * dump decodes about four times slower lazily than eagerly (bench/typed).
   * For a few fields of many messages, `only` is the fast path.
   */
  lazy?: boolean;
  /**
   * Decode only these top-level attributes (object keys); the others are
   * skipped, not even kept under $unknown. The fast path for callers that
   * want a few fields of many messages.
   */
  only?: readonly string[];
  /**
   * 'specialized' (default): the decoders generated from the specs
   * (src/families/decoders/) where a set has one, this table-driven decoder
   * elsewhere and for lazy decoding; 'table': this decoder only. Both give
   * the same results. Whole messages (decodeBatchMessage and the batch
   * functions) go first to the generated direct decoders, which read the
   * attribute bytes without the WASM attribute index; a message they cannot
   * vouch for (malformed, or nested near the depth bound) is decoded again
   * by the index, so values and errors are the same either way.
   */
  decoders?: 'specialized' | 'table';
}

/** An attribute the schema does not describe, kept as it came. */
export interface UnknownAttribute {
  type: number;
  bytes: Uint8Array;
  nested?: true;
  netByteOrder?: true;
}

export const UNKNOWN_KEY = '$unknown';

export type Attributes = Record<string, unknown> & { $unknown?: UnknownAttribute[] };

export interface DecodedMessage {
  /** Family name, e.g. 'rt-link'. */
  family: string;
  /** Message name, e.g. 'newlink'. */
  message: string;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** genetlink: genlmsghdr.cmd and .version. */
  cmd?: number;
  version?: number;
  header?: Record<string, unknown>;
  attributes: Attributes;
  /** NLMSG_ERROR: the echoed request payload after its header, when not capped. */
  echo?: Uint8Array;
}

const align4 = (n: number) => (n + 3) & ~3;

/** Walkers by depth of self-started walks (sub-messages, nests the walk did not enter). */
class WalkerPool {
  private readonly walkers: AttributeWalker[] = [];
  constructor(readonly codec: Codec) {}
  at(depth: number): AttributeWalker {
    let w = this.walkers[depth];
    if (!w) {
      w = this.codec.walker();
      this.walkers[depth] = w;
    }
    return w;
  }
}

const pools = new WeakMap<Codec, WalkerPool>();
function poolOf(codec: Codec): WalkerPool {
  let pool = pools.get(codec);
  if (!pool) {
    pool = new WalkerPool(codec);
    pools.set(codec, pool);
  }
  return pool;
}

interface Level {
  set: AttributeSetSchema;
  out: Record<string, unknown>;
  parent: Level | null;
}

const scratches = new WeakMap<Codec, Scanner>();
function scratchOf(codec: Codec): Scanner {
  let s = scratches.get(codec);
  if (!s) {
    s = codec.scanner();
    scratches.set(codec, s);
  }
  return s;
}

class Decoder {
  readonly names: boolean;
  readonly lazy: boolean;
  readonly only: readonly string[] | null;
  /** Generated set decoders are used (not with lazy decoding, whose deferral lives here). */
  readonly specialized: boolean;
  depth = 1;

  constructor(
    readonly codec: Codec,
    readonly pool: WalkerPool,
    readonly options: DecodeOptions | undefined,
    readonly nestMap: NestMap,
  ) {
    this.names = options?.enums !== 'numbers';
    this.lazy = options?.lazy === true;
    this.only = options?.only ?? null;
    this.specialized = !this.lazy && options?.decoders !== 'table';
  }

  /** Decodes the children of `parent` (-1: top level) of `list` as attributes of `set`. */
  level(list: AttributeList, parent: number, set: AttributeSetSchema, up: Level | null): Attributes {
    return this.range(list, parent + 1, parent < 0 ? list.count : list.next(parent), set, up);
  }

  /**
   * Decodes the sibling entries [start, end) of `list` as attributes of
   * `set`: the hot loop. The plan gives each attribute type an op; the
   * common ops (integers, strings, bytes, structs, nests) read WASM memory
   * in place, the rest take the general path (attribute()).
   */
  range(list: AttributeList, start: number, end: number, set: AttributeSetSchema, up: Level | null): Attributes {
    if (this.specialized) {
      const special = specializedSet(set);
      if (special) return special(this, list, start, end, up, this.only && up === null ? selection(set, this.only) : null);
    }
    const out: Attributes = {};
    const here: Level = { set, out, parent: up };
    const plan = planOf(set);
    const { ops, attrs } = plan;
    const selected = this.only && up === null ? selection(set, this.only) : null;
    const mem = this.codec.memory;
    const region = list.regionAddress;
    for (let k = start; k < end; k = list.next(k)) {
      const status = list.status(k);
      if (status !== STATUS_OK && status !== STATUS_BAD_NEST) throw list.error(k)!;
      const type = list.type(k);
      const op = type < ops.length ? ops[type]! : OP_UNKNOWN;
      if (selected && (type >= selected.length || selected[type] === 0)) continue;
      if (op === OP_UNKNOWN) {
        this.unknown(out, list, k);
        continue;
      }
      if (op === OP_PAD) continue;
      const a = attrs[type]!;
      const key = a.key;
      if (!a.multi && out[key] !== undefined) {
        this.unknown(out, list, k);
        continue;
      }
      if (this.lazy && plan.deferrable[type] === 1) {
        this.defer(out, list, k, a, here);
        continue;
      }
      const at = region + list.offset(k) + NLA_HDRLEN;
      const n = list.length(k) - NLA_HDRLEN;
      switch (op) {
        case OP_FLAG:
          out[key] = true;
          continue;
        case OP_STRING:
          out[key] = decodeString(mem.u8, at, at + n);
          continue;
        case OP_BINARY:
          out[key] = mem.u8.slice(at, at + n);
          continue;
        case OP_U8:
          if (n < 1) break;
          out[key] = a.enum && this.names ? nameValue(a.enum, a.asFlags, mem.u8[at]!) : mem.u8[at]!;
          continue;
        case OP_U16:
        case OP_U32:
        case OP_S32:
        case OP_U64: {
          // A set NLA_F_NET_BYTEORDER or a short payload: the general path.
          if (list.netByteOrder(k)) break;
          const view = mem.view;
          let v: number | bigint;
          if (op === OP_U32) {
            if (n < 4) break;
            v = view.getUint32(at, true);
          } else if (op === OP_U16) {
            if (n < 2) break;
            v = view.getUint16(at, true);
          } else if (op === OP_S32) {
            if (n < 4) break;
            v = view.getInt32(at, true);
          } else {
            if (n < 8) break;
            const high = view.getUint32(at + 4, true);
            v = high < 0x200000 ? high * 0x100000000 + view.getUint32(at, true) : view.getBigUint64(at, true);
          }
          out[key] = a.enum && this.names ? nameValue(a.enum, a.asFlags, v) : v;
          continue;
        }
        case OP_STRUCT:
          out[key] = decodeStruct(a.struct!, mem.u8, mem.view, at, n, this.options);
          continue;
        case OP_NEST: {
          // The walk entered the nest when it has children in the list (or is
          // empty); otherwise walk its payload now.
          out[key] = this.nest(list, k, status, a.nest!, here);
          continue;
        }
      }
      // The general path: everything else, and the errors of the fast ops.
      const value = this.attribute(list, k, a, here);
      if (a.multi) ((out[key] ??= []) as unknown[]).push(value);
      else out[key] = value;
    }
    return out;
  }

  /**
   * Makes out[a.key] a getter that decodes a copy of attribute k on first
   * access: the copy is walked again in a scratch region of the codec, with
   * the sub-message selector (if any) resolved now, while its level is at hand.
   */
  private defer(out: Attributes, list: AttributeList, k: number, a: AttributeSchema, here: Level): void {
    const mem = this.codec.memory;
    const from = list.regionAddress + list.offset(k);
    const copy = mem.u8.slice(from, from + list.length(k));
    let stub: Level | null = null;
    if (a.type === 'sub-message') {
      const selector = findSelector(here, a);
      const sel = a.owner.byName.get(a.selector!);
      stub = { set: a.owner, out: sel && selector !== undefined ? { [sel.key]: selector } : {}, parent: null };
    }
    const { codec, pool, options, nestMap } = this;
    Object.defineProperty(out, a.key, {
      enumerable: true,
      configurable: true,
      get(this: Attributes) {
        const scratch = scratchOf(codec);
        scratch.input(copy.length).set(copy);
        const d = new Decoder(codec, pool, options, nestMap);
        const inner = pool.at(d.depth++).walk(scratch.regionAddress, 0, copy.length, { nestMap, rootSet: a.owner.index });
        if (inner.count === 0 || inner.status(0) !== STATUS_OK && inner.status(0) !== STATUS_BAD_NEST) throw inner.error(0) ?? new MalformedError(`deferred attribute ${a.name} is empty`, 0);
        const value = d.attribute(inner, 0, a, stub ?? { set: a.owner, out: {}, parent: null });
        Object.defineProperty(this, a.key, { value, enumerable: true, configurable: true, writable: true });
        return value;
      },
    });
  }

  /** Nest k of `list` (status `status`) as `set`: the walk entered it when it has children in the list (or is empty); otherwise walk its payload now. */
  nest(list: AttributeList, k: number, status: number, set: AttributeSetSchema, here: Level): Attributes {
    if (status === STATUS_BAD_NEST) throw list.error(k)!;
    const next = list.next(k);
    const n = list.length(k) - NLA_HDRLEN;
    if (next > k + 1 || n === 0) return this.range(list, k + 1, next, set, here);
    const start = list.offset(k) + NLA_HDRLEN;
    const inner = this.walk(list.regionAddress, start, start + n, set.index);
    const value = this.range(inner, 0, inner.count, set, here);
    this.depth--;
    return value;
  }

  /**
   * For direct decoders: the index path for the attribute whose header is
   * at address `pos`, `depth` levels below the message's attributes. It is
   * walked alone, with the depth bound it had in the message's walk, and
   * decoded by attribute(); any flaw in it sends the whole message back to
   * the index path (USE_INDEX), which reports it as it always has.
   */
  general(pos: number, a: AttributeSchema, depth: number, here: Level): unknown {
    const length = this.codec.memory.view.getUint16(pos, true);
    const walker = this.pool.at(this.depth++);
    const list = walker.walk(0, pos, pos + length, { nestMap: this.nestMap, rootSet: a.owner.index, maxDepth: DEFAULT_MAX_DEPTH - depth });
    if (list.count === 0 || list.firstError() !== null) throw USE_INDEX;
    const value = this.attribute(list, 0, a, here);
    this.depth--;
    return value;
  }

  /** For direct decoders: sub-message attribute `a`, its `n` payload bytes at address `at` (as subMessage()). */
  subMessage(at: number, n: number, a: AttributeSchema, depth: number, here: Level): unknown {
    const selector = findSelector(here, a);
    const format = selector === undefined ? undefined : a.subMessage!.formats.get(selector);
    const mem = this.codec.memory;
    if (!format) return copyBytes(mem.u8, at, n);
    let out: Record<string, unknown> = {};
    let skip = 0;
    if (format.header) {
      if (n < format.header.size) throw USE_INDEX;
      out = decodeStruct(format.header, mem.u8, mem.view, at, format.header.size, this.options);
      skip = align4(format.header.size);
    }
    if (format.set && n > skip) {
      const direct = directSet(format.set);
      if (!direct) throw USE_INDEX;
      Object.assign(out, direct(this, at + skip, at + n, depth + 1, here, null));
    }
    return out;
  }

  /** Keeps attribute k under $unknown. */
  unknown(out: Attributes, list: AttributeList, k: number): void {
    const entry: UnknownAttribute = { type: list.type(k), bytes: list.bytes(k) };
    if (list.flaggedNested(k)) entry.nested = true;
    if (list.netByteOrder(k)) entry.netByteOrder = true;
    (out.$unknown ??= []).push(entry);
  }

  private named(a: AttributeSchema, v: number | bigint): unknown {
    return this.names ? nameValue(a.enum, a.asFlags, v) : v;
  }

  private scalar(list: AttributeList, k: number, type: string, be: boolean): number | bigint {
    const mem = this.codec.memory;
    const size = intSize(type);
    if (size !== undefined) {
      if (list.payloadLength(k) < size) {
        throw new MalformedError(`attribute type ${list.type(k)} has ${list.payloadLength(k)} payload bytes, a ${type} needs ${size}`, list.offset(k));
      }
      if (!be) {
        switch (type) {
          case 'u8': return list.u8(k);
          case 'u16': return list.u16(k);
          case 'u32': return list.u32(k);
          case 'u64': return list.u64Number(k);
          case 's32': return list.s32(k);
        }
      }
      return readInt(mem.view, list.payloadAddress(k), type, be);
    }
    // uint / sint: 4 or 8 bytes.
    const n = list.payloadLength(k);
    if (n !== 4 && n !== 8) throw new MalformedError(`attribute type ${list.type(k)} has ${n} payload bytes, a ${type} has 4 or 8`, list.offset(k));
    const signed = type === 'sint';
    return readInt(mem.view, list.payloadAddress(k), (signed ? 's' : 'u') + (n * 8), be);
  }

  attribute(list: AttributeList, k: number, a: AttributeSchema, here: Level): unknown {
    const be = a.be || list.netByteOrder(k);
    switch (a.type) {
      case 'u8': case 'u16': case 'u32': case 'u64': case 's8': case 's16': case 's32': case 's64': case 'uint': case 'sint':
        return this.named(a, this.scalar(list, k, a.type, be));
      case 'flag':
        return true;
      case 'string':
        return list.string(k);
      case 'binary':
        return this.binary(list, k, a);
      case 'bitfield32': {
        if (list.payloadLength(k) < 8) throw new MalformedError(`bitfield32 attribute type ${list.type(k)} has ${list.payloadLength(k)} payload bytes, needs 8`, list.offset(k));
        const at = list.payloadAddress(k);
        const view = this.codec.memory.view;
        return { value: this.named(a, view.getUint32(at, true)), selector: this.named(a, view.getUint32(at + 4, true)) };
      }
      case 'nest': {
        if (!a.nest) return list.bytes(k);
        const [inner, parent] = this.children(list, k, a.nest.index);
        const value = this.level(inner, parent, a.nest, here);
        this.done(inner, list);
        return value;
      }
      case 'indexed-array':
        return this.indexedArray(list, k, a, here);
      case 'nest-type-value':
        return this.typeValue(list, k, a, here);
      case 'sub-message':
        return this.subMessageAt(list, k, a, here);
      default:
        return list.bytes(k);
    }
  }

  private binary(list: AttributeList, k: number, a: AttributeSchema): unknown {
    if (a.struct) {
      const mem = this.codec.memory;
      return decodeStruct(a.struct, mem.u8, mem.view, list.payloadAddress(k), list.payloadLength(k), this.options);
    }
    const size = a.subType ? intSize(a.subType) : undefined;
    if (size !== undefined) {
      const n = list.payloadLength(k);
      if (n % size !== 0) throw new MalformedError(`attribute type ${list.type(k)} has ${n} payload bytes, not a whole number of ${a.subType}`, list.offset(k));
      const at = list.payloadAddress(k);
      const out: unknown[] = [];
      for (let i = 0; i < n; i += size) out.push(this.named(a, readInt(this.codec.memory.view, at + i, a.subType!, a.be)));
      return out;
    }
    return list.bytes(k);
  }

  /**
   * The list holding the children of entry k: this one when the walk entered
   * the nest, else a fresh walk of its payload (returned parent is -1).
   */
  children(list: AttributeList, k: number, rootSet: number): [AttributeList, number] {
    if (list.status(k) === STATUS_BAD_NEST) throw list.error(k)!;
    if (list.next(k) > k + 1 || list.payloadLength(k) === 0) return [list, k];
    const start = list.offset(k) + NLA_HDRLEN;
    return [this.walk(list.regionAddress, start, start + list.payloadLength(k), rootSet), -1];
  }

  private walk(region: number, start: number, end: number, rootSet: number): AttributeList {
    const walker = this.pool.at(this.depth++);
    return walker.walk(region, start, end, { nestMap: this.nestMap, rootSet });
  }

  /** Releases the walker depth taken by children() when it made a new list. */
  done(inner: AttributeList, outer: AttributeList): void {
    if (inner !== outer) this.depth--;
  }

  private indexedArray(list: AttributeList, k: number, a: AttributeSchema, here: Level): unknown[] {
    const leafSet = a.owner.family.sets.size;
    const nested = a.subType === 'nest' && a.nest;
    const [inner, parent] = this.children(list, k, leafSet);
    const out: unknown[] = [];
    const end = parent < 0 ? inner.count : inner.next(parent);
    for (let e = parent + 1; e < end; e = inner.next(e)) {
      const status = inner.status(e);
      if (status !== STATUS_OK && status !== STATUS_BAD_NEST) throw inner.error(e)!;
      if (nested) {
        const [el, elParent] = this.children(inner, e, a.nest!.index);
        out.push(this.level(el, elParent, a.nest!, here));
        this.done(el, inner);
      } else if (a.subType && intSize(a.subType) !== undefined) {
        out.push(this.named(a, this.scalar(inner, e, a.subType, a.be)));
      } else if (a.subType === 'string') {
        out.push(inner.string(e));
      } else {
        out.push(inner.bytes(e));
      }
    }
    this.done(inner, list);
    return out;
  }

  private typeValue(list: AttributeList, k: number, a: AttributeSchema, here: Level): unknown[] {
    const keys = (a.typeValue ?? []).map(keyOf);
    const leafSet = a.owner.family.sets.size;
    const out: unknown[] = [];
    const visit = (l: AttributeList, parent: number, depth: number, ids: Record<string, number>) => {
      const end = parent < 0 ? l.count : l.next(parent);
      for (let e = parent + 1; e < end; e = l.next(e)) {
        const status = l.status(e);
        if (status !== STATUS_OK && status !== STATUS_BAD_NEST) throw l.error(e)!;
        const next = { ...ids, [keys[depth]!]: l.type(e) };
        const last = depth === keys.length - 1;
        const [inner, p] = this.children(l, e, last && a.nest ? a.nest.index : leafSet);
        if (last) out.push({ ...next, ...(a.nest ? this.level(inner, p, a.nest, here) : {}) });
        else visit(inner, p, depth + 1, next);
        this.done(inner, l);
      }
    };
    const [inner, p] = this.children(list, k, leafSet);
    if (keys.length === 0) throw new MalformedError(`attribute ${a.name} is a nest-type-value without type-value names`, list.offset(k));
    visit(inner, p, 0, {});
    this.done(inner, list);
    return out;
  }

  private subMessageAt(list: AttributeList, k: number, a: AttributeSchema, here: Level): unknown {
    const selector = findSelector(here, a);
    const format = selector === undefined ? undefined : a.subMessage!.formats.get(selector);
    if (!format) return list.bytes(k);
    const mem = this.codec.memory;
    const at = list.payloadAddress(k);
    const length = list.payloadLength(k);
    let out: Record<string, unknown> = {};
    let skip = 0;
    if (format.header) {
      if (length < format.header.size) {
        throw new MalformedError(`sub-message ${selector} of attribute ${a.name} has ${length} bytes, its header ${format.header.name} needs ${format.header.size}`, list.offset(k));
      }
      out = decodeStruct(format.header, mem.u8, mem.view, at, format.header.size, this.options);
      skip = align4(format.header.size);
    }
    if (format.set && length > skip) {
      const start = list.offset(k) + NLA_HDRLEN + skip;
      const inner = this.walk(list.regionAddress, start, list.offset(k) + NLA_HDRLEN + length, format.set.index);
      Object.assign(out, this.level(inner, -1, format.set, here));
      this.depth--;
    }
    return out;
  }
}

/** The selector's value as a format key, searched from the closest level outwards. */
function findSelector(here: Level, a: AttributeSchema): string | undefined {
  for (let level: Level | null = here; level; level = level.parent) {
    const sel = level.set.byName.get(a.selector!);
    if (!sel) continue;
    const v = level.out[sel.key];
    if (v === undefined) continue;
    if ((typeof v === 'number' || typeof v === 'bigint') && sel.enum) return sel.enum.byValue.get(Number(v)) ?? String(v);
    return selectorText(v);
  }
  return undefined;
}

/**
 * Decodes the attributes of a list from the codec as attributes of `set`.
 * Walk the list with the family's nest map (`{ nestMap: family.nestMap,
 * rootSet: set.index }`) so nests without NLA_F_NESTED are in it; nests it
 * lacks are walked here.
 */
export function decodeAttributeList(list: AttributeList, set: AttributeSetSchema, options?: DecodeOptions, codec: Codec = loadCodec()): Attributes {
  const d = new Decoder(codec, poolOf(codec), options, set.family.nestMap);
  return d.level(list, -1, set, null);
}

/** Where a message's attributes start (bytes after nlmsghdr), or -1 when it has none to walk. */
interface Envelope {
  out: DecodedMessage;
  attributesAt: number;
}

/** nlmsghdr, genlmsghdr, the fixed header and an error's echo of message i. */
function decodeEnvelope(
  batch: Batch, i: number, schema: MessageSchema, options: DecodeOptions | undefined, codec: Codec,
  headerDecoder: StructDecoder | null | undefined = undefined,
): Envelope {
  const family = schema.family;
  const mem = codec.memory;
  const start = batch.regionAddress + batch.offset(i) + NLMSG_HDRLEN;
  const length = batch.length(i) - NLMSG_HDRLEN;
  const type = batch.type(i);
  const out: DecodedMessage = {
    family: family.name, message: schema.name, type, flags: batch.flags(i), seq: batch.seq(i), pid: batch.pid(i),
  } as DecodedMessage;
  let at = start;
  if (family.genetlink) {
    if (length < GENL_HDRLEN) throw new TruncatedError(`genetlink message of ${length} payload bytes lacks its 4-byte genlmsghdr`, batch.offset(i) + NLMSG_HDRLEN);
    out.cmd = mem.u8[at]!;
    out.version = mem.u8[at + 1]!;
    at += GENL_HDRLEN;
  }
  const header: StructSchema | undefined = schema.header;
  if (header) {
    const available = start + length - at;
    if (!header.hasRest && available < header.size) {
      throw new TruncatedError(`message of ${length} payload bytes is too short for its ${header.name} header (${header.size} bytes)`, at - batch.regionAddress);
    }
    const special = headerDecoder !== undefined ? headerDecoder : options?.decoders !== 'table' ? specializedStruct(family, header) : null;
    out.header = special
      ? special(mem.u8, mem.view, at, header.hasRest ? available : header.size, options)
      : decodeStruct(header, mem.u8, mem.view, at, header.hasRest ? available : header.size, options);
  }
  let attributesAt = schema.headerLength;
  let walkAttributes = Boolean(schema.set && !header?.hasRest);
  if (type === NLMSG_ERROR && header) {
    // struct nlmsgerr, then the echoed request (unless capped, or an ack),
    // then NLMSGERR_ATTR_* only when NLM_F_ACK_TLVS says so.
    const error = mem.view.getInt32(start, true);
    const echoedLength = mem.view.getUint32(start + 4, true);
    const capped = (out.flags & NLM_F_CAPPED) !== 0 || error === 0;
    const echoed = capped ? 0 : Math.min(Math.max(0, echoedLength - NLMSG_HDRLEN), length - header.size);
    if (echoed > 0) out.echo = mem.u8.slice(start + header.size, start + header.size + echoed);
    attributesAt += echoed;
    walkAttributes &&= (out.flags & NLM_F_ACK_TLVS) !== 0;
  }
  return { out, attributesAt: walkAttributes ? attributesAt : -1 };
}

/** Eager decoding reads every nest, so one walk that descends them all is cheapest; lazy and selective decoding walk only the level they read. */
function descends(options: DecodeOptions | undefined): boolean {
  return !(options?.lazy || options?.only);
}

/** Whether the options let direct decoders run (lazy decoding defers through the index path). */
function directOn(options: DecodeOptions | undefined): boolean {
  return options?.decoders !== 'table' && options?.lazy !== true;
}

/**
 * Whole messages by the direct decoders: what decodeBatchMessage does, with
 * the attributes read from the message's bytes instead of a WASM index. The
 * lookups (decoders of the set and header, the `only` mask) are made once
 * per schema, so that a batch of one kind of message pays them once.
 */
class DirectMessages {
  private schema: MessageSchema | undefined = undefined;
  private direct: DirectSetDecoder | null = null;
  private header: StructDecoder | null = null;
  private selected: Uint8Array | null = null;
  private decoder: Decoder | null = null;
  /** The schema has a fixed header (with a generated decoder) and no genlmsghdr: decodePlain applies. */
  private plain = false;

  constructor(private readonly options: DecodeOptions | undefined, private readonly codec: Codec) {}

  /**
   * Message i (already checked) decoded as `schema`, or null when it has no
   * direct decoder or needs the index path: then nothing of this attempt is
   * kept, and decodeIndexed gives the value or the exact error.
   */
  decode(batch: Batch, i: number, schema: MessageSchema): DecodedMessage | null {
    if (schema !== this.schema) this.resolve(schema);
    const direct = this.direct;
    if (!direct) return null;
    if (this.plain && batch.type(i) !== NLMSG_ERROR) return this.decodePlain(batch, i, schema, direct);
    const { out, attributesAt } = decodeEnvelope(batch, i, schema, this.options, this.codec, this.header);
    if (attributesAt < 0) {
      out.attributes = {};
      return out;
    }
    const message = batch.regionAddress + batch.offset(i);
    const start = message + NLMSG_HDRLEN + align4(attributesAt);
    const end = message + batch.length(i);
    if (start > end) return null;
    const d = this.decoder!;
    try {
      out.attributes = direct(d, start, end, 0, null, this.selected);
      return out;
    } catch {
      // USE_INDEX, or an error of the index path on one attribute: the index
      // path decodes the whole message again and throws its exact error.
      d.depth = 1;
      directStats.fallbacks++;
      return null;
    }
  }

  /**
   * The common case (a fixed header, no genlmsghdr, not NLMSG_ERROR): decodeEnvelope's result
   * built in one literal, with its keys in the same order, once the header
   * and the attributes are decoded.
   */
  private decodePlain(batch: Batch, i: number, schema: MessageSchema, direct: DirectSetDecoder): DecodedMessage | null {
    const type = batch.type(i);
    const length = batch.length(i);
    const size = schema.header!.size;
    if (length < NLMSG_HDRLEN + align4(size)) return null;
    const mem = this.codec.memory;
    const message = batch.regionAddress + batch.offset(i);
    const header = this.header!(mem.u8, mem.view, message + NLMSG_HDRLEN, size, this.options);
    const d = this.decoder!;
    let attributes: Attributes;
    try {
      attributes = direct(d, message + NLMSG_HDRLEN + align4(size), message + length, 0, null, this.selected);
    } catch {
      d.depth = 1;
      directStats.fallbacks++;
      return null;
    }
    return {
      family: schema.family.name, message: schema.name, type, flags: batch.flags(i), seq: batch.seq(i), pid: batch.pid(i), header, attributes,
    };
  }

  private resolve(schema: MessageSchema): void {
    const set = schema.set;
    const family = schema.family;
    this.schema = schema;
    this.direct = set ? directSet(set) : null;
    this.header = schema.header ? specializedStruct(family, schema.header) : null;
    this.plain = !family.genetlink && this.header !== null && !schema.header!.hasRest && schema.headerLength === schema.header!.size;
    this.selected = set && this.options?.only ? selection(set, this.options.only) : null;
    if (this.decoder?.nestMap !== family.nestMap) this.decoder = new Decoder(this.codec, poolOf(this.codec), this.options, family.nestMap);
  }
}

/** Decodes message i of a batch as `schema`. */
export function decodeBatchMessage(batch: Batch, i: number, schema: MessageSchema, options?: DecodeOptions, codec: Codec = loadCodec()): DecodedMessage {
  batch.check(i);
  if (directOn(options) && schema.set) {
    const direct = new DirectMessages(options, codec).decode(batch, i, schema);
    if (direct) return direct;
  }
  return decodeIndexed(batch, i, schema, options, codec);
}

/** decodeBatchMessage by the WASM attribute index (message i already checked). */
function decodeIndexed(batch: Batch, i: number, schema: MessageSchema, options: DecodeOptions | undefined, codec: Codec): DecodedMessage {
  const { out, attributesAt } = decodeEnvelope(batch, i, schema, options, codec);
  if (attributesAt >= 0) {
    const family = schema.family;
    const pool = poolOf(codec);
    const list = batch.attributes(i, attributesAt, { nestMap: family.nestMap, rootSet: schema.set!.index, walker: pool.at(0), descend: descends(options) });
    const d = new Decoder(codec, pool, options, family.nestMap);
    out.attributes = d.level(list, -1, schema.set!, null);
  } else {
    out.attributes = {};
  }
  return out;
}

/** Picks the schema of message i of a batch, or undefined to leave the message out. */
export type SchemaSelector = (batch: Batch, i: number) => MessageSchema | undefined;

const batchWalkers = new WeakMap<Codec, AttributeWalker>();

/**
 * Decodes every message of a batch that `select` gives a schema for, in
 * batch order; the others (NLMSG_DONE, types nobody asked for) are left out.
 * A message that is not intact (truncated, bad length) throws its typed
 * error, whether selected or not: nothing is skipped silently.
 *
 * The attributes of all the messages that share the first selected
 * message's family, attribute set and header length (a dump: all of them)
 * are walked in one WASM call; the others are walked one by one. Same
 * results as decodeBatchMessage on each message.
 */
export function decodeBatchMessages(batch: Batch, select: SchemaSelector, options?: DecodeOptions, codec: Codec = loadCodec()): DecodedMessage[] {
  const out: DecodedMessage[] = [];
  forEachBatchMessage(batch, select, (message) => { out.push(message); }, options, codec);
  return out;
}

/**
 * decodeBatchMessages without the array: each decoded message goes to
 * `visit` with its index in the batch, so that a consumer that forwards or
 * reduces messages does not keep the whole batch alive. Returns how many
 * messages were decoded.
 */
export function forEachBatchMessage(
  batch: Batch, select: SchemaSelector, visit: (message: DecodedMessage, index: number) => void,
  options?: DecodeOptions, codec: Codec = loadCodec(),
): number {
  const count = batch.count;
  const schemas: Array<MessageSchema | undefined> = new Array<MessageSchema | undefined>(count);
  // The walk group: messages whose attributes the batch walk can index.
  let lead: MessageSchema | undefined;
  const headerOf = new Map<number, number>();
  const mixed = new Set<number>();
  // With a direct decoder for the group, each message reads its own bytes: no index walk, no group.
  const direct: DirectMessages | null = directOn(options) ? new DirectMessages(options, codec) : null;
  let grouped = true;
  for (let i = 0; i < count; i++) {
    if (batch.status(i) !== STATUS_OK) batch.check(i);
    const schema = select(batch, i);
    schemas[i] = schema;
    if (!grouped) continue;
    const type = batch.type(i);
    if (!schema?.set || schema.header?.hasRest || type < NLMSG_MIN_TYPE) continue;
    if (lead === undefined) {
      lead = schema;
      if (direct !== null && directSet(schema.set) !== null) {
        grouped = false;
        continue;
      }
    }
    if (schema.family !== lead.family || schema.set !== lead.set) {
      mixed.add(type);
      continue;
    }
    const known = headerOf.get(type);
    if (known === undefined) headerOf.set(type, schema.headerLength);
    else if (known !== schema.headerLength) mixed.add(type);
  }
  let decoded = 0;
  let all: BatchAttributes | null = null;
  if (lead && grouped) {
    const byType: Record<number, number | null> = {};
    for (const [type, length] of headerOf) byType[type] = mixed.has(type) ? null : length;
    let walker = batchWalkers.get(codec);
    if (!walker) {
      walker = codec.walker();
      batchWalkers.set(codec, walker);
    }
    all = batch.attributesAll({ byType }, { nestMap: lead.family.nestMap, rootSet: lead.set!.index, walker, descend: descends(options) });
  }
  const pool = poolOf(codec);
  for (let i = 0; i < count; i++) {
    const schema = schemas[i];
    if (!schema) continue;
    const type = batch.type(i);
    const inWalk = all !== null && schema.family === lead!.family && schema.set === lead!.set && !mixed.has(type) && headerOf.get(type) === schema.headerLength;
    decoded++;
    if (!inWalk) {
      batch.check(i);
      visit((direct !== null ? direct.decode(batch, i, schema) : null) ?? decodeIndexed(batch, i, schema, options, codec), i);
      continue;
    }
    const { out: message, attributesAt } = decodeEnvelope(batch, i, schema, options, codec);
    if (attributesAt < 0) {
      message.attributes = {};
    } else {
      if (NLMSG_HDRLEN + align4(attributesAt) > batch.length(i)) {
        throw new TruncatedError(`message of ${batch.length(i)} bytes is too short for a ${attributesAt}-byte family header`, batch.offset(i) + NLMSG_HDRLEN);
      }
      const d = new Decoder(codec, pool, options, schema.family.nestMap);
      message.attributes = d.range(all!, all!.first(i), all!.end(i), schema.set!, null);
    }
    visit(message, i);
  }
  return decoded;
}

/** Reads the first member of a message's fixed header (for `match`), or undefined when absent. */
export function firstHeaderMember(batch: Batch, i: number, schema: MessageSchema, codec: Codec = loadCodec()): number | undefined {
  const header = schema.header;
  const first = header?.members[0];
  if (!first || first.rest || first.type === 'string' || first.type === 'binary' || first.type === 'pad') return undefined;
  const at = NLMSG_HDRLEN + (schema.family.genetlink ? GENL_HDRLEN : 0);
  if (batch.length(i) < at + first.size) return undefined;
  return Number(readInt(codec.memory.view, batch.regionAddress + batch.offset(i) + at, first.type, first.be));
}
