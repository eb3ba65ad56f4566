// Plain-JavaScript counterpart of the codec's walkAttributes: a DataView walk
// of an attribute stream, and of every nest in it, into the same index
// columns (offset, length, parent, next, type, bits, status, depth), depth
// first, with the same statuses for the same edge cases.
//
// Which attributes are nests comes from NLA_F_NESTED and from a nest table
// built from the same description as the codec's NestMap:
//   sets[s][type] = 0 (leaf) | (childSet + 1) [| 0x8000 for an indexed array]

import {
  NLA_HDRLEN, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK,
  STATUS_OK, STATUS_TRUNCATED, STATUS_BAD_LENGTH, STATUS_BAD_NEST, STATUS_TOO_DEEP,
  ATTR_BIT_NESTED, ATTR_BIT_NET_BYTEORDER, NEST_MAP_ARRAY, NEST_MAP_SET_MASK,
} from '../../src/codec/constants.js';
import { DEFAULT_MAX_DEPTH, type NestSpec } from '../../src/codec/index.js';

/** The nest description compiled to one descriptor table per set. */
export function nestTable(sets: ReadonlyArray<ReadonlyMap<number, NestSpec>>): Uint16Array[] {
  return sets.map((set) => {
    const table = new Uint16Array(set.size === 0 ? 0 : Math.max(...set.keys()) + 1);
    for (const [type, spec] of set) table[type] = (spec.set + 1) | (spec.array ? NEST_MAP_ARRAY : 0);
    return table;
  });
}

/** The attribute index as struct-of-arrays, reused across walks. */
export class AttributeIndex {
  count = 0;
  offset = new Uint32Array(0);
  length = new Uint32Array(0);
  parent = new Int32Array(0);
  next = new Uint32Array(0);
  type = new Uint16Array(0);
  bits = new Uint8Array(0);
  status = new Uint8Array(0);
  depth = new Uint8Array(0);

  ensure(capacity: number): void {
    if (capacity <= this.offset.length) return;
    const size = Math.max(capacity, this.offset.length * 2, 256);
    this.offset = new Uint32Array(size);
    this.length = new Uint32Array(size);
    this.parent = new Int32Array(size);
    this.next = new Uint32Array(size);
    this.type = new Uint16Array(size);
    this.bits = new Uint8Array(size);
    this.status = new Uint8Array(size);
    this.depth = new Uint8Array(size);
  }
}

export interface ReferenceWalkOptions {
  /** The nest table (from nestTable) and the set the top level belongs to (0-based). */
  nests?: Uint16Array[];
  rootSet?: number;
  maxDepth?: number;
  descend?: boolean;
}

/**
 * Walks [start, end) of `view` into `index`; returns the number of entries.
 * One walker per index; it keeps the walk's parameters in fields so that the
 * recursive level walk passes only what changes per level.
 */
export class ReferenceAttributeWalker {
  private view!: DataView;
  private nests: Uint16Array[] = [];
  private maxDepth = DEFAULT_MAX_DEPTH;
  private descend = true;

  constructor(readonly index: AttributeIndex = new AttributeIndex()) {}

  walk(view: DataView, start: number, end: number, options?: ReferenceWalkOptions): number {
    this.view = view;
    this.nests = options?.nests ?? [];
    this.maxDepth = Math.min(options?.maxDepth ?? DEFAULT_MAX_DEPTH, 255);
    this.descend = options?.descend ?? true;
    const rootSet = options?.nests && options.rootSet !== undefined ? options.rootSet + 1 : 0;
    this.index.ensure(Math.floor((end - start) / 2) + 1);
    this.index.count = 0;
    this.walkLevel(start, end, -1, 0, rootSet, 0);
    return this.index.count;
  }

  private describe(set: number, type: number): number {
    if (set === 0) return 0;
    const table = this.nests[set - 1];
    if (table === undefined || type >= table.length) return 0;
    return table[type]!;
  }

  private record(pos: number, length: number, parent: number, type: number, bits: number, status: number, depth: number): number {
    const x = this.index;
    const n = x.count++;
    x.offset[n] = pos;
    x.length[n] = length;
    x.parent[n] = parent;
    x.next[n] = n + 1;
    x.type[n] = type;
    x.bits[n] = bits;
    x.status[n] = status;
    x.depth[n] = depth;
    return n;
  }

  /** Sets (1-based) as in the codec: `set` for this level, `elementSet` when every attribute here is an array element. */
  private walkLevel(pos: number, end: number, parent: number, depth: number, set: number, elementSet: number): boolean {
    const view = this.view;
    while (pos < end) {
      const remaining = end - pos;
      if (remaining < NLA_HDRLEN) {
        this.record(pos, remaining, parent, 0, 0, STATUS_TRUNCATED, depth);
        return false;
      }
      const declared = view.getUint16(pos, true);
      const raw = view.getUint16(pos + 2, true);
      const type = raw & NLA_TYPE_MASK;
      const bits = (raw & NLA_F_NESTED ? ATTR_BIT_NESTED : 0) | (raw & NLA_F_NET_BYTEORDER ? ATTR_BIT_NET_BYTEORDER : 0);
      if (declared < NLA_HDRLEN) {
        this.record(pos, remaining, parent, type, bits, STATUS_BAD_LENGTH, depth);
        return false;
      }
      if (declared > remaining) {
        this.record(pos, remaining, parent, type, bits, STATUS_TRUNCATED, depth);
        return false;
      }
      const j = this.record(pos, declared, parent, type, bits, STATUS_OK, depth);
      const descriptor = elementSet !== 0 ? elementSet : this.describe(set, type);
      if (this.descend && (descriptor !== 0 || (bits & ATTR_BIT_NESTED) !== 0)) {
        if (depth + 1 >= this.maxDepth) {
          this.index.status[j] = STATUS_TOO_DEEP;
        } else {
          const childSet = descriptor & NEST_MAP_SET_MASK;
          const isArray = (descriptor & NEST_MAP_ARRAY) !== 0;
          const ok = this.walkLevel(pos + NLA_HDRLEN, pos + declared, j, depth + 1, isArray ? 0 : childSet, isArray ? childSet : 0);
          if (!ok) this.index.status[j] = STATUS_BAD_NEST;
        }
        this.index.next[j] = this.index.count;
      }
      const step = (declared + 3) & ~3;
      if (step >= remaining) return true;
      pos += step;
    }
    return true;
  }
}
