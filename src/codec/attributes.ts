// Attribute index (AttributeWalker → AttributeList) and the sticky-error
// AttributeDecoder on top of it.
//
// An AttributeList is one WASM walk over an attribute stream: entries in depth
// first order, each with its offset, length, type, parent and `next` (the
// index past its subtree). Children of entry j are j+1, next(j+1), ... < next(j).

import {
  NLA_HDRLEN, STATUS_OK, STATUS_TRUNCATED, STATUS_BAD_LENGTH, STATUS_BAD_NEST, STATUS_TOO_DEEP,
  ATTR_COL_OFFSET, ATTR_COL_LENGTH, ATTR_COL_PARENT, ATTR_COL_NEXT, ATTR_COL_TYPE, ATTR_COL_BITS,
  ATTR_COL_STATUS, ATTR_COL_DEPTH, ATTR_ENTRY_BYTES, ATTR_BIT_NESTED, ATTR_BIT_NET_BYTEORDER,
  HEADER_SKIP, NLMSG_MIN_TYPE,
} from './constants.js';
import { ArgumentError, DecodeError, MalformedError, StaleError, TruncatedError } from './errors.js';
import { decodeString } from './text.js';
import type { WasmMemory } from './wasm.js';
import type { NestMap } from './nest-map.js';

export interface WalkOptions {
  /** Walk into nests too (default true): NLA_F_NESTED ones and those the nest map names. */
  descend?: boolean;
  /** Nest map and the set (0-based) the top level belongs to, from a schema. */
  nestMap?: NestMap;
  rootSet?: number;
  /** Deepest nesting walked; deeper nests get STATUS_TOO_DEEP (default 16). */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 16;

/**
 * Family header length per message type, for walking a whole batch: types
 * not listed use `default`; null (or no default) means the type has no
 * attributes to walk. Control messages (types below 16) are never walked.
 */
export interface HeaderLengths {
  default?: number;
  byType?: Readonly<Record<number, number | null>>;
}

function rootSetOf(options: WalkOptions | undefined): number {
  return options?.nestMap && options.rootSet !== undefined ? options.rootSet + 1 : 0;
}

/** Owns an attribute index region in WASM memory; each walk reuses it. */
export class AttributeWalker {
  private index = 0;
  private capacity = 0;
  private ranges = 0;
  private rangesSize = 0;
  private table = 0;
  private tableSize = 0;
  private generation = 0;
  private child: AttributeWalker | null = null;

  constructor(private readonly mem: WasmMemory) {}

  private ensureIndex(capacity: number): void {
    if (capacity > this.capacity) {
      const grown = Math.max(capacity, this.capacity * 2, 256);
      if (this.index) this.mem.free(this.index);
      this.index = this.mem.alloc(grown * ATTR_ENTRY_BYTES);
      this.capacity = grown;
    }
  }

  /** Walks [start, end) of the region at `region`. Invalidates this walker's previous list. */
  walk(region: number, start: number, end: number, options?: WalkOptions): AttributeList {
    if (!(start >= 0 && end >= start)) throw new ArgumentError(`attribute range [${start}, ${end}) is invalid`);
    this.ensureIndex(Math.floor((end - start) / 2) + 1);
    const map = options?.nestMap;
    const descend = options?.descend ?? true;
    const count = this.mem.exports.walkAttributes(region, start, end, map ? map.address(this.mem) : 0, rootSetOf(options),
      this.index, this.capacity, options?.maxDepth ?? DEFAULT_MAX_DEPTH, descend ? 1 : 0);
    if (count < 0) throw new Error('attribute index overflow: the capacity bound does not hold');
    this.generation++;
    return new AttributeList(this, this.mem, region, this.index, this.capacity, count, this.generation, descend, options);
  }

  /**
   * Walks the attributes of every message of a scan in one call (see
   * Batch.attributesAll). `messages` describes the scan's message index.
   */
  walkBatch(
    messages: { region: number; index: number; capacity: number; count: number; bytes: number },
    headers: HeaderLengths, options?: WalkOptions,
  ): BatchAttributes {
    this.ensureIndex(Math.floor(messages.bytes / 2) + 2 * messages.count + 1);
    const rangeBytes = messages.count * 8;
    if (rangeBytes > this.rangesSize) {
      const size = Math.max(rangeBytes, this.rangesSize * 2, 256);
      if (this.ranges) this.mem.free(this.ranges);
      this.ranges = this.mem.alloc(size);
      this.rangesSize = size;
    }
    const table = this.headerTable(headers);
    const map = options?.nestMap;
    const descend = options?.descend ?? true;
    const count = this.mem.exports.walkBatch(messages.region, messages.index, messages.capacity, messages.count,
      table.address, table.types, headers.default ?? HEADER_SKIP,
      map ? map.address(this.mem) : 0, rootSetOf(options), this.index, this.capacity,
      options?.maxDepth ?? DEFAULT_MAX_DEPTH, descend ? 1 : 0, this.ranges);
    if (count < 0) throw new Error('attribute index overflow: the capacity bound does not hold');
    this.generation++;
    return new BatchAttributes(this, this.mem, messages.region, this.index, this.capacity, count, this.generation,
      descend, options, this.ranges, messages.count);
  }

  /** The per-type header-length table in WASM memory for `headers`. */
  private headerTable(headers: HeaderLengths): { address: number; types: number } {
    const byType = headers.byType ?? {};
    let types = NLMSG_MIN_TYPE;
    for (const key of Object.keys(byType)) types = Math.max(types, Number(key) + 1);
    if (types > 0x10000) throw new ArgumentError('message types are 16-bit');
    if (types * 2 > this.tableSize) {
      if (this.table) this.mem.free(this.table);
      this.tableSize = Math.max(types * 2, 64);
      this.table = this.mem.alloc(this.tableSize);
    }
    const base = this.table >>> 1;
    const u16 = this.mem.u16;
    u16.fill(headers.default ?? HEADER_SKIP, base + NLMSG_MIN_TYPE, base + types);
    u16.fill(HEADER_SKIP, base, base + NLMSG_MIN_TYPE); // control messages carry no attributes
    for (const [key, length] of Object.entries(byType)) u16[base + Number(key)] = length ?? HEADER_SKIP;
    return { address: this.table, types };
  }

  /** A second walker for nests walked lazily from lists of this one. */
  nestedWalker(): AttributeWalker {
    this.child ??= new AttributeWalker(this.mem);
    return this.child;
  }

  /** @internal */
  isCurrent(generation: number): boolean {
    return generation === this.generation;
  }

  release(): void {
    for (const ptr of [this.index, this.ranges, this.table]) if (ptr) this.mem.free(ptr);
    this.child?.release();
    this.index = this.capacity = this.ranges = this.rangesSize = this.table = this.tableSize = 0;
    this.child = null;
    this.generation++;
  }
}

/** The attribute index of one walk, read in place. */
export class AttributeList {
  readonly count: number;
  /** Address of the region; offsets are relative to it. */
  readonly regionAddress: number;
  /** Whether nests were walked (their children are in this list). */
  readonly descended: boolean;
  private readonly offsetCol: number;
  private readonly lengthCol: number;
  private readonly parentCol: number;
  private readonly nextCol: number;
  private readonly typeCol: number;
  private readonly bitsCol: number;
  private readonly statusCol: number;
  private readonly depthCol: number;

  constructor(
    private readonly walker: AttributeWalker,
    protected readonly mem: WasmMemory,
    region: number, index: number, capacity: number, count: number,
    private readonly generation: number,
    descended: boolean,
    private readonly options: WalkOptions | undefined,
  ) {
    this.count = count;
    this.regionAddress = region;
    this.descended = descended;
    this.offsetCol = (index + ATTR_COL_OFFSET * capacity) >>> 2;
    this.lengthCol = (index + ATTR_COL_LENGTH * capacity) >>> 2;
    this.parentCol = (index + ATTR_COL_PARENT * capacity) >>> 2;
    this.nextCol = (index + ATTR_COL_NEXT * capacity) >>> 2;
    this.typeCol = (index + ATTR_COL_TYPE * capacity) >>> 1;
    this.bitsCol = index + ATTR_COL_BITS * capacity;
    this.statusCol = index + ATTR_COL_STATUS * capacity;
    this.depthCol = index + ATTR_COL_DEPTH * capacity;
  }

  get valid(): boolean {
    return this.walker.isCurrent(this.generation);
  }

  /** Offset of the attribute's header in the region. */
  offset(j: number): number { return this.mem.u32[this.offsetCol + j]!; }
  /** nla_len (header included), or the bytes that were there when the status is not OK. */
  length(j: number): number { return this.mem.u32[this.lengthCol + j]!; }
  /** Payload length in bytes. */
  payloadLength(j: number): number { return Math.max(0, this.length(j) - NLA_HDRLEN); }
  /** Attribute type without NLA_F_NESTED / NLA_F_NET_BYTEORDER. */
  type(j: number): number { return this.mem.u16[this.typeCol + j]!; }
  /** Index of the enclosing nest, -1 at the top level. */
  parent(j: number): number { return this.mem.i32[this.parentCol + j]!; }
  /** Index just past j's subtree: j's next sibling, if it has one. */
  next(j: number): number { return this.mem.u32[this.nextCol + j]!; }
  depth(j: number): number { return this.mem.u8[this.depthCol + j]!; }
  status(j: number): number { return this.mem.u8[this.statusCol + j]!; }
  /** NLA_F_NESTED was set. */
  flaggedNested(j: number): boolean { return (this.mem.u8[this.bitsCol + j]! & ATTR_BIT_NESTED) !== 0; }
  /** NLA_F_NET_BYTEORDER was set. */
  netByteOrder(j: number): boolean { return (this.mem.u8[this.bitsCol + j]! & ATTR_BIT_NET_BYTEORDER) !== 0; }

  /** Absolute address of the payload in WASM memory. */
  payloadAddress(j: number): number {
    return this.regionAddress + this.offset(j) + NLA_HDRLEN;
  }

  /** The first entry of type `type` among the children of `parent` (-1: top level); -1 if none. */
  find(type: number, parent = -1): number {
    const end = parent < 0 ? this.count : this.next(parent);
    for (let k = parent + 1; k < end; k = this.next(k)) if (this.type(k) === type) return k;
    return -1;
  }

  /** The typed error of entry j, or null. */
  error(j: number): DecodeError | null {
    const status = this.status(j);
    const offset = this.offset(j);
    switch (status) {
      case STATUS_OK: return null;
      case STATUS_TRUNCATED:
        return this.length(j) < NLA_HDRLEN
          ? new TruncatedError(`${this.length(j)} bytes left, fewer than an attribute header`, offset)
          : new TruncatedError(`attribute type ${this.type(j)} declares ${this.mem.view.getUint16(this.regionAddress + offset, true)} bytes, only ${this.length(j)} remain`, offset);
      case STATUS_BAD_LENGTH:
        return new MalformedError(`attribute type ${this.type(j)} declares ${this.mem.view.getUint16(this.regionAddress + offset, true)} bytes, less than its 4-byte header`, offset);
      case STATUS_BAD_NEST: {
        const end = this.next(j);
        for (let k = j + 1; k < end; k++) {
          const inner = this.status(k);
          if (inner !== STATUS_OK && inner !== STATUS_BAD_NEST) return this.error(k);
        }
        return new MalformedError(`nested attribute type ${this.type(j)} does not hold valid attributes`, offset);
      }
      case STATUS_TOO_DEEP:
        return new MalformedError(`attribute type ${this.type(j)} is nested deeper than ${this.options?.maxDepth ?? DEFAULT_MAX_DEPTH} levels`, offset);
      default:
        return new MalformedError(`attribute status ${status}`, offset);
    }
  }

  /** The first error anywhere in the list, or null. */
  firstError(): DecodeError | null {
    for (let j = 0; j < this.count; j++) if (this.status(j) !== STATUS_OK) return this.error(j);
    return null;
  }

  /**
   * The payload address of entry j after checking that the list is current,
   * the entry sound and its payload at least `bytes` long. The common case
   * is a handful of loads; the failures go to needFailed.
   */
  private need(j: number, bytes: number, what: string): number {
    const mem = this.mem;
    const status = mem.u8[this.statusCol + j]!;
    const length = mem.u32[this.lengthCol + j]!;
    if (!this.walker.isCurrent(this.generation) || (status !== STATUS_OK && status !== STATUS_BAD_NEST) || length - NLA_HDRLEN < bytes) {
      return this.needFailed(j, bytes, what);
    }
    return this.regionAddress + mem.u32[this.offsetCol + j]! + NLA_HDRLEN;
  }

  private needFailed(j: number, bytes: number, what: string): never {
    if (!this.walker.isCurrent(this.generation)) throw new StaleError('an AttributeList');
    const status = this.status(j);
    if (status !== STATUS_OK && status !== STATUS_BAD_NEST) throw this.error(j)!;
    throw new MalformedError(`attribute type ${this.type(j)} has ${this.length(j) - NLA_HDRLEN} payload bytes, a ${what} needs ${bytes}`, this.offset(j));
  }

  u8(j: number): number { return this.mem.u8[this.need(j, 1, 'u8')]!; }
  s8(j: number): number { return (this.u8(j) << 24) >> 24; }
  u16(j: number): number { return this.mem.view.getUint16(this.need(j, 2, 'u16'), true); }
  s16(j: number): number { return this.mem.view.getInt16(this.need(j, 2, 's16'), true); }
  u32(j: number): number { return this.mem.view.getUint32(this.need(j, 4, 'u32'), true); }
  s32(j: number): number { return this.mem.view.getInt32(this.need(j, 4, 's32'), true); }
  u64(j: number): bigint { return this.mem.view.getBigUint64(this.need(j, 8, 'u64'), true); }
  s64(j: number): bigint { return this.mem.view.getBigInt64(this.need(j, 8, 's64'), true); }
  be16(j: number): number { return this.mem.view.getUint16(this.need(j, 2, 'be16'), false); }
  be32(j: number): number { return this.mem.view.getUint32(this.need(j, 4, 'be32'), false); }
  be64(j: number): bigint { return this.mem.view.getBigUint64(this.need(j, 8, 'be64'), false); }

  /**
   * A u64 as a number when it fits in 2^53 (counters, sizes), else a bigint:
   * no precision is ever lost.
   */
  u64Number(j: number): number | bigint {
    const at = this.need(j, 8, 'u64');
    const high = this.mem.view.getUint32(at + 4, true);
    const low = this.mem.view.getUint32(at, true);
    return high < 0x200000 ? high * 0x100000000 + low : this.mem.view.getBigUint64(at, true);
  }

  /** An unsigned integer of whatever width (1, 2, 4 or 8 bytes) the payload has. */
  uint(j: number): number | bigint {
    switch (this.payloadLength(j)) {
      case 1: return this.u8(j);
      case 2: return this.u16(j);
      case 4: return this.u32(j);
      case 8: return this.u64Number(j);
      default: throw new MalformedError(`attribute type ${this.type(j)} has ${this.payloadLength(j)} payload bytes, not an integer width`, this.offset(j));
    }
  }

  /** The payload as a string, up to its NUL terminator (if any). */
  string(j: number): string {
    const at = this.need(j, 0, 'string');
    return decodeString(this.mem.u8, at, at + this.length(j) - NLA_HDRLEN);
  }

  /** The payload as a view into WASM memory (valid until memory grows). */
  view(j: number): Uint8Array {
    const at = this.need(j, 0, 'binary');
    return this.mem.u8.subarray(at, at + this.length(j) - NLA_HDRLEN);
  }

  /** The payload as a copy. */
  bytes(j: number): Uint8Array {
    const at = this.need(j, 0, 'binary');
    return this.mem.u8.slice(at, at + this.length(j) - NLA_HDRLEN);
  }

  /**
   * The children of nest j as a list: this list itself when it descended
   * (use childrenOf), else a fresh walk of j's payload with the nested walker.
   */
  walkNested(j: number, options?: WalkOptions): AttributeList {
    const at = this.need(j, 0, 'nest') - this.regionAddress;
    return this.walker.nestedWalker().walk(this.regionAddress, at, at + this.payloadLength(j), options);
  }

  /** A decoder over the children of `parent` (-1: the top level). */
  decoder(parent = -1): AttributeDecoder {
    return new AttributeDecoder(this, parent + 1, parent < 0 ? this.count : this.next(parent), { error: null });
  }
}

/**
 * The attributes of every message of a batch, from one WASM call: one index,
 * and per message the range [first(i), end(i)) of its top-level entries and
 * their subtrees.
 */
export class BatchAttributes extends AttributeList {
  private readonly rangesCol: number;
  /** Messages described. */
  readonly messages: number;

  constructor(
    walker: AttributeWalker, mem: WasmMemory, region: number, index: number, capacity: number, count: number,
    generation: number, descended: boolean, options: WalkOptions | undefined, ranges: number, messages: number,
  ) {
    super(walker, mem, region, index, capacity, count, generation, descended, options);
    this.rangesCol = ranges >>> 2;
    this.messages = messages;
  }

  /** Index of message i's first attribute entry. */
  first(i: number): number { return this.mem.u32[this.rangesCol + 2 * i]!; }
  /** Index just past message i's last attribute entry. */
  end(i: number): number { return this.mem.u32[this.rangesCol + 2 * i + 1]!; }

  /** The first top-level attribute of message i with type `type`; -1 if none. */
  findIn(i: number, type: number): number {
    const end = this.end(i);
    for (let k = this.first(i); k < end; k = this.next(k)) if (this.type(k) === type) return k;
    return -1;
  }

  /** A decoder over message i's top-level attributes. */
  decoderFor(i: number): AttributeDecoder {
    return new AttributeDecoder(this, this.first(i), this.end(i), { error: null });
  }
}

interface DecoderState {
  error: DecodeError | null;
}

/**
 * Iterates the attributes of one level. The first error (a malformed entry, a
 * payload too short for the getter used) sticks: next() returns false from
 * then on, getters return zero values, and finish() throws it once.
 *
 *   const d = list.decoder();
 *   while (d.next()) switch (d.type) {
 *     case IFLA_MTU: mtu = d.u32(); break;
 *     case IFLA_LINKINFO: d.nested((info) => { ... }); break;
 *   }
 *   d.finish();
 */
export class AttributeDecoder {
  /** Index of the current entry in the list. */
  index = -1;
  private cursor: number;

  /** Iterates the sibling entries from `start` (inclusive) to `end` (exclusive). */
  constructor(
    readonly list: AttributeList,
    start: number,
    private readonly end: number,
    private readonly state: DecoderState,
  ) {
    this.cursor = start;
  }

  get error(): DecodeError | null {
    return this.state.error;
  }

  /** Type of the current attribute. */
  get type(): number {
    return this.list.type(this.index);
  }

  get length(): number {
    return this.list.payloadLength(this.index);
  }

  next(): boolean {
    if (this.state.error || this.cursor >= this.end) return false;
    const j = this.cursor;
    const status = this.list.status(j);
    if (status === STATUS_TRUNCATED || status === STATUS_BAD_LENGTH) {
      this.state.error = this.list.error(j);
      return false;
    }
    this.index = j;
    this.cursor = this.list.next(j);
    return true;
  }

  /** Records `e` as the sticky error if it is a decoding error; rethrows anything else. */
  private fail<T>(e: unknown, zero: T): T {
    if (!(e instanceof DecodeError)) throw e;
    this.state.error = e;
    return zero;
  }

  // Each getter reads the current attribute; on error it records it and returns zero.
  u8(): number { if (this.state.error) return 0; try { return this.list.u8(this.index); } catch (e) { return this.fail(e, 0); } }
  s8(): number { if (this.state.error) return 0; try { return this.list.s8(this.index); } catch (e) { return this.fail(e, 0); } }
  u16(): number { if (this.state.error) return 0; try { return this.list.u16(this.index); } catch (e) { return this.fail(e, 0); } }
  s16(): number { if (this.state.error) return 0; try { return this.list.s16(this.index); } catch (e) { return this.fail(e, 0); } }
  u32(): number { if (this.state.error) return 0; try { return this.list.u32(this.index); } catch (e) { return this.fail(e, 0); } }
  s32(): number { if (this.state.error) return 0; try { return this.list.s32(this.index); } catch (e) { return this.fail(e, 0); } }
  u64(): bigint { if (this.state.error) return 0n; try { return this.list.u64(this.index); } catch (e) { return this.fail(e, 0n); } }
  s64(): bigint { if (this.state.error) return 0n; try { return this.list.s64(this.index); } catch (e) { return this.fail(e, 0n); } }
  u64Number(): number | bigint { if (this.state.error) return 0; try { return this.list.u64Number(this.index); } catch (e) { return this.fail(e, 0); } }
  be16(): number { if (this.state.error) return 0; try { return this.list.be16(this.index); } catch (e) { return this.fail(e, 0); } }
  be32(): number { if (this.state.error) return 0; try { return this.list.be32(this.index); } catch (e) { return this.fail(e, 0); } }
  be64(): bigint { if (this.state.error) return 0n; try { return this.list.be64(this.index); } catch (e) { return this.fail(e, 0n); } }
  uint(): number | bigint { if (this.state.error) return 0; try { return this.list.uint(this.index); } catch (e) { return this.fail(e, 0); } }
  string(): string { if (this.state.error) return ''; try { return this.list.string(this.index); } catch (e) { return this.fail(e, ''); } }
  bytes(): Uint8Array { if (this.state.error) return new Uint8Array(0); try { return this.list.bytes(this.index); } catch (e) { return this.fail(e, new Uint8Array(0)); } }
  /** A flag attribute is true by being present. */
  flag(): boolean { return !this.state.error; }

  /** Decodes the current nest's children with `fn`, sharing this decoder's sticky error. */
  nested(fn: (decoder: AttributeDecoder) => void): void {
    if (this.state.error) return;
    const j = this.index;
    const status = this.list.status(j);
    if (status === STATUS_TOO_DEEP) {
      this.state.error = this.list.error(j);
      return;
    }
    if (this.list.descended && (this.list.next(j) > j + 1 || this.list.flaggedNested(j) || status === STATUS_BAD_NEST)) {
      fn(new AttributeDecoder(this.list, j + 1, this.list.next(j), this.state));
      return;
    }
    let inner: AttributeList;
    try {
      inner = this.list.walkNested(j);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.state.error = e;
      return;
    }
    fn(new AttributeDecoder(inner, 0, inner.count, this.state));
  }

  /** Throws the sticky error, if any. */
  finish(): void {
    if (this.state.error) throw this.state.error;
  }
}
