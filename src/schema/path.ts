// The attribute path of a byte offset inside a request: what the kernel's
// extended ACK (NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_MISS_NEST) points at.
//
//   request:  nlmsghdr | ifinfomsg | IFLA_IFNAME | IFLA_LINKINFO [ IFLA_INFO_KIND | IFLA_INFO_DATA [ IFLA_VLAN_ID ] ]
//   offset:                                                                                          ^
//   path:     ['IFLA_LINKINFO', 'IFLA_INFO_DATA', 'IFLA_VLAN_ID']
//
// Offsets count from the start of the request's nlmsghdr. Names are C names
// ('c', default) or spec names ('spec'); attributes the schema does not know
// appear as their number, elements of arrays as their index.

import { loadCodec, NLA_HDRLEN, NLMSG_HDRLEN, STATUS_OK, STATUS_BAD_NEST, ArgumentError, type AttributeList, type AttributeWalker, type Codec } from '../codec/index.js';
import type { AttributeSchema, AttributeSetSchema, MessageSchema } from './compile.js';
import { decodeString } from '../codec/text.js';

export interface PathOptions {
  names?: 'c' | 'spec';
}

const align4 = (n: number) => (n + 3) & ~3;

interface Frame {
  list: AttributeList;
  parent: number;
  set: AttributeSetSchema | null;
  /** For a level of array elements: the element set. */
  elements?: AttributeSetSchema | null;
  up: Frame | null;
}

/**
 * The path of the attribute that starts at (or contains) `offset` in the
 * request `bytes` (one message, header included) of message type `schema`.
 * Returns [] for an offset inside the headers, and throws an ArgumentError
 * for one outside the message.
 */
export function attributePath(schema: MessageSchema, bytes: Uint8Array, offset: number, options?: PathOptions, codec: Codec = loadCodec()): string[] {
  if (!(offset >= 0 && offset < bytes.length)) throw new ArgumentError(`offset ${offset} is outside the ${bytes.length}-byte request`);
  const start = NLMSG_HDRLEN + align4(schema.headerLength);
  if (offset < start || !schema.set) return [];
  const mem = codec.memory;
  const scratch = codec.scanner();
  try {
    const region = scratch.input(bytes.length);
    region.set(bytes);
    const base = scratch.regionAddress;
    const family = schema.family;
    // One walker per walk: every level's list must stay valid while deeper ones are read.
    const walkers: AttributeWalker[] = [];
    const walk = (from: number, to: number, rootSet: number): AttributeList => {
      const w = codec.walker();
      walkers.push(w);
      return w.walk(base, from, to, { nestMap: family.nestMap, rootSet });
    };
    const name = (a: AttributeSchema | undefined, type: number) =>
      a ? (options?.names === 'spec' ? a.name : a.cName) : String(type);
    const path: string[] = [];
    let frame: Frame = { list: walk(start, bytes.length, schema.set.index), parent: -1, set: schema.set, up: null };
    try {
      for (;;) {
        const { list, parent } = frame;
        const end = parent < 0 ? list.count : list.next(parent);
        let hit = -1;
        for (let k = parent + 1; k < end; k = list.next(k)) {
          const status = list.status(k);
          if (status !== STATUS_OK && status !== STATUS_BAD_NEST) {
            if (list.offset(k) <= offset) hit = k;
            break;
          }
          if (list.offset(k) <= offset && offset < list.offset(k) + list.length(k)) { hit = k; break; }
        }
        if (hit < 0) return path;
        const type = list.type(hit);
        if (frame.elements !== undefined) {
          path.push(String(type));
          if (list.offset(hit) === offset || !frame.elements) return path;
          frame = descend(frame, hit, frame.elements, walk);
          continue;
        }
        const a = frame.set?.byValue.get(type);
        path.push(name(a, type));
        if (list.offset(hit) === offset || list.status(hit) !== STATUS_OK && list.status(hit) !== STATUS_BAD_NEST) return path;
        if (!a) return path;
        if (a.type === 'nest' && a.nest) frame = descend(frame, hit, a.nest, walk);
        else if (a.type === 'indexed-array' || a.type === 'nest-type-value') {
          const next = descend(frame, hit, null, walk);
          next.elements = a.subType === 'nest' || a.type === 'nest-type-value' ? (a.nest ?? null) : null;
          frame = next;
        } else if (a.type === 'sub-message') {
          const selector = selectorAt(frame, a, mem.u8, base);
          const format = selector === undefined ? undefined : a.subMessage!.formats.get(selector);
          if (!format?.set) return path;
          const from = list.offset(hit) + NLA_HDRLEN + (format.header ? align4(format.header.size) : 0);
          frame = { list: walk(from, list.offset(hit) + list.length(hit), format.set.index), parent: -1, set: format.set, up: frame };
        } else {
          return path;
        }
      }
    } finally {
      for (const w of walkers) w.release();
    }
  } finally {
    scratch.release();
  }

  function descend(frame: Frame, k: number, set: AttributeSetSchema | null, walk: (a: number, b: number, s: number) => AttributeList): Frame {
    const { list } = frame;
    if (list.next(k) > k + 1) return { list, parent: k, set, up: frame };
    const from = list.offset(k) + NLA_HDRLEN;
    const leaf = schema.family.sets.size;
    return { list: walk(from, list.offset(k) + list.length(k), set ? set.index : leaf), parent: -1, set, up: frame };
  }
}

/** The selector attribute's string value, from the closest level that has it. */
function selectorAt(frame: Frame, a: AttributeSchema, u8: Uint8Array, base: number): string | undefined {
  for (let f: Frame | null = frame; f; f = f.up) {
    const sel = f.set?.byName.get(a.selector!);
    if (!sel) continue;
    const k = f.list.find(sel.value, f.parent);
    if (k < 0) continue;
    if (sel.type === 'string') {
      const at = base + f.list.offset(k) + NLA_HDRLEN;
      return decodeString(u8, at, at + f.list.payloadLength(k));
    }
    const v = f.list.uint(k);
    return sel.enum?.byValue.get(Number(v)) ?? String(v);
  }
  return undefined;
}
