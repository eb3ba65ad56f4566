// walkAttributes: one call turns an attribute stream (and, on request, every
// nest inside it) into the attribute index.
//
//   ┌─────────┬──────────┬──────────┬─────┬─────────┬── ...
//   │ nla_len │ nla_type │ payload  │ pad │ nla_len │
//   └─────────┴──────────┴──────────┴─────┴─────────┴── ...
//    u16       u16: N|B|type (N = NLA_F_NESTED, B = NLA_F_NET_BYTEORDER)
//
// Entries are written depth first; `next` of an entry is the index just past
// its subtree. Which attributes are nests comes from NLA_F_NESTED and, since
// many families do not set that flag, from an optional nest map that the
// schema layer writes into memory (see NEST_MAP_* in shared/netlink.ts).

import {
  NLA_HDRLEN, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK,
  STATUS_OK, STATUS_TRUNCATED, STATUS_BAD_LENGTH, STATUS_BAD_NEST, STATUS_TOO_DEEP,
  ATTR_COL_OFFSET, ATTR_COL_LENGTH, ATTR_COL_PARENT, ATTR_COL_NEXT, ATTR_COL_TYPE,
  ATTR_COL_BITS, ATTR_COL_STATUS, ATTR_COL_DEPTH, ATTR_BIT_NESTED, ATTR_BIT_NET_BYTEORDER,
  NEST_MAP_ARRAY, NEST_MAP_SET_MASK, NLMSG_HDRLEN, HEADER_SKIP,
  MSG_COL_OFFSET, MSG_COL_LENGTH, MSG_COL_TYPE, MSG_COL_STATUS,
} from "./shared/netlink";

// The walk's parameters live in globals for the duration of one call, so
// that the recursive level walker takes only what changes per level.
let base: usize = 0;
let capacity: u32 = 0;
let count: u32 = 0;
let overflow: bool = false;
let maxDepth: u32 = 0;
let descend: bool = false;
let nestMap: usize = 0;
let colOffset: usize = 0;
let colLength: usize = 0;
let colParent: usize = 0;
let colNext: usize = 0;
let colType: usize = 0;
let colBits: usize = 0;
let colStatus: usize = 0;
let colDepth: usize = 0;

@inline function align4(n: u32): u32 {
  return (n + 3) & ~3;
}

/** The descriptor of attribute `type` in nest-map set `set` (1-based; 0 = no set). */
function describe(set: u32, type: u32): u32 {
  if (set == 0 || nestMap == 0) return 0;
  const setCount = <u32>load<u16>(nestMap);
  if (set > setCount) return 0;
  const header = nestMap + (<usize>(set - 1) << 2) + 2;
  const size = <u32>load<u16>(header, 2);
  if (type >= size) return 0;
  const start = <usize>load<u16>(header);
  return <u32>load<u16>(nestMap + ((start + <usize>type) << 1));
}

function record(pos: u32, length: u32, parent: i32, type: u32, bits: u32, status: u32, depth: u32): u32 {
  const n = count++;
  store<u32>(colOffset + (<usize>n << 2), pos);
  store<u32>(colLength + (<usize>n << 2), length);
  store<i32>(colParent + (<usize>n << 2), parent);
  store<u32>(colNext + (<usize>n << 2), n + 1);
  store<u16>(colType + (<usize>n << 1), <u16>type);
  store<u8>(colBits + <usize>n, <u8>bits);
  store<u8>(colStatus + <usize>n, <u8>status);
  store<u8>(colDepth + <usize>n, <u8>depth);
  return n;
}

/**
 * Walks the attributes in [pos, end). `set` is the nest-map set of this level
 * (1-based, 0 = unknown); when `elementSet` is non-zero every attribute here is
 * an array element, a nest of that set. Returns false if anything inside is
 * malformed.
 */
function walkLevel(pos: u32, end: u32, parent: i32, depth: u32, set: u32, elementSet: u32): bool {
  while (pos < end) {
    if (count >= capacity) {
      overflow = true;
      return false;
    }
    const remaining = end - pos;
    if (remaining < <u32>NLA_HDRLEN) {
      record(pos, remaining, parent, 0, 0, STATUS_TRUNCATED, depth);
      return false;
    }
    const at = base + <usize>pos;
    const declared = <u32>load<u16>(at);
    const raw = <u32>load<u16>(at, 2);
    const type = raw & NLA_TYPE_MASK;
    let bits: u32 = 0;
    if (raw & NLA_F_NESTED) bits |= ATTR_BIT_NESTED;
    if (raw & NLA_F_NET_BYTEORDER) bits |= ATTR_BIT_NET_BYTEORDER;
    if (declared < <u32>NLA_HDRLEN) {
      record(pos, remaining, parent, type, bits, STATUS_BAD_LENGTH, depth);
      return false;
    }
    if (declared > remaining) {
      record(pos, remaining, parent, type, bits, STATUS_TRUNCATED, depth);
      return false;
    }
    const j = record(pos, declared, parent, type, bits, STATUS_OK, depth);
    const descriptor = elementSet != 0 ? elementSet : describe(set, type);
    if (descend && (descriptor != 0 || (bits & ATTR_BIT_NESTED))) {
      if (depth + 1 >= maxDepth) {
        store<u8>(colStatus + <usize>j, <u8>STATUS_TOO_DEEP);
      } else {
        const childSet = descriptor & NEST_MAP_SET_MASK;
        const isArray = (descriptor & NEST_MAP_ARRAY) != 0;
        const ok = walkLevel(pos + NLA_HDRLEN, pos + declared, <i32>j, depth + 1,
          isArray ? 0 : childSet, isArray ? childSet : 0);
        if (overflow) return false;
        if (!ok) store<u8>(colStatus + <usize>j, <u8>STATUS_BAD_NEST);
      }
      store<u32>(colNext + (<usize>j << 2), count);
    }
    const step = align4(declared);
    if (step >= remaining) return true;
    pos += step;
  }
  return true;
}

/**
 * Walks the attributes in [start, end) (offsets relative to `region`) into the
 * attribute index at `index` (room for `indexCapacity` entries).
 *
 * With `descendNests` set, nests (NLA_F_NESTED, or a nest in the map's
 * `rootSet`, 1-based, 0 = none) are walked too, down to `depthBound` levels;
 * a deeper nest is marked STATUS_TOO_DEEP and not entered. Returns the number
 * of entries, or -1 when the index is too small (floor(bytes / 2) + 1 entries
 * always suffice).
 */
export function walkAttributes(
  region: usize, start: u32, end: u32, map: usize, rootSet: u32,
  index: usize, indexCapacity: u32, depthBound: u32, descendNests: bool,
): i32 {
  base = region;
  capacity = indexCapacity;
  count = 0;
  overflow = false;
  maxDepth = depthBound > 255 ? 255 : depthBound;
  descend = descendNests;
  nestMap = map;
  colOffset = index + <usize>ATTR_COL_OFFSET * indexCapacity;
  colLength = index + <usize>ATTR_COL_LENGTH * indexCapacity;
  colParent = index + <usize>ATTR_COL_PARENT * indexCapacity;
  colNext = index + <usize>ATTR_COL_NEXT * indexCapacity;
  colType = index + <usize>ATTR_COL_TYPE * indexCapacity;
  colBits = index + <usize>ATTR_COL_BITS * indexCapacity;
  colStatus = index + <usize>ATTR_COL_STATUS * indexCapacity;
  colDepth = index + <usize>ATTR_COL_DEPTH * indexCapacity;
  walkLevel(start, end, -1, 0, rootSet, 0);
  return overflow ? -1 : <i32>count;
}

/**
 * Walks the attributes of every message of a scanned batch in one call.
 *
 * Message i's attributes start after its header and a family header whose
 * length comes from `headerLengths` (u16 per message type, for types below
 * `headerTypes`; HEADER_SKIP = control or unknown message: not walked) or
 * else `defaultHeader`. Entries go into one attribute index; the range of
 * message i is written to `ranges` as the pair (first, end). A message too
 * short for its family header gets one STATUS_TRUNCATED entry. Returns the
 * entry count, or -1 when the index is too small (floor(bytes / 2) + 2 *
 * messages entries always suffice).
 */
export function walkBatch(
  region: usize, messages: usize, messageCapacity: u32, messageCount: u32,
  headerLengths: usize, headerTypes: u32, defaultHeader: u32,
  map: usize, rootSet: u32, index: usize, indexCapacity: u32, depthBound: u32, descendNests: bool,
  ranges: usize,
): i32 {
  walkAttributes(region, 0, 0, map, rootSet, index, indexCapacity, depthBound, descendNests);
  const colMsgOffset = messages + <usize>MSG_COL_OFFSET * messageCapacity;
  const colMsgLength = messages + <usize>MSG_COL_LENGTH * messageCapacity;
  const colMsgType = messages + <usize>MSG_COL_TYPE * messageCapacity;
  const colMsgStatus = messages + <usize>MSG_COL_STATUS * messageCapacity;
  for (let i: u32 = 0; i < messageCount; i++) {
    const first = count;
    const status = <u32>load<u8>(colMsgStatus + <usize>i);
    const type = <u32>load<u16>(colMsgType + (<usize>i << 1));
    let header = defaultHeader;
    if (type < headerTypes) header = <u32>load<u16>(headerLengths + (<usize>type << 1));
    if (status == STATUS_OK && header != HEADER_SKIP) {
      const offset = load<u32>(colMsgOffset + (<usize>i << 2));
      const end = offset + load<u32>(colMsgLength + (<usize>i << 2));
      const start = offset + <u32>NLMSG_HDRLEN + align4(header);
      if (count >= capacity) return -1;
      if (start > end) {
        record(offset + <u32>NLMSG_HDRLEN, end - offset - <u32>NLMSG_HDRLEN, -1, 0, 0, STATUS_TRUNCATED, 0);
      } else {
        walkLevel(start, end, -1, 0, rootSet, 0);
        if (overflow) return -1;
      }
    }
    store<u32>(ranges + (<usize>i << 3), first);
    store<u32>(ranges + (<usize>i << 3), count, 4);
  }
  return <i32>count;
}
