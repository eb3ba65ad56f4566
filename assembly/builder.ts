// The batch builder: messages, family headers, attributes and nests written
// straight into a growable buffer in linear memory.
//
//   buffer ─► ┌──────────┬────────┬──────┬──────┬─ ... ─┬──────────┬─ ...
//             │ nlmsghdr │ family │ attr │ nest ─────►  │ nlmsghdr │
//             └──────────┴────────┴──────┴──────────────┴──────────┴─ ...
//              len patched           len patched at
//              at buildEnd           buildNestEnd
//
// Every reservation is zero-filled up to the 4-byte boundary, so padding is
// always zero. Errors are sticky: after one, every call is a no-op until
// buildReset, and buildError() says what went wrong. Functions that reserve
// space return the absolute address of that space (0 after an error); the
// buffer may move when it grows, so callers take its address from buildBase().

import {
  NLMSG_HDRLEN, NLA_HDRLEN, NLA_F_NESTED,
  BUILD_OK, BUILD_NO_MESSAGE, BUILD_NEST_DEPTH, BUILD_NEST_UNDERFLOW,
  BUILD_TOO_LONG, BUILD_NO_MEMORY, BUILD_NEST_OPEN, BUILD_MAX_NEST,
} from "./shared/netlink";

let buffer: usize = 0;
let size: u32 = 0;
let length: u32 = 0;
let messages: u32 = 0;
let current: i32 = -1; // offset of the open message, -1 when none
let error: u32 = BUILD_OK;
let nests: usize = 0; // BUILD_MAX_NEST u32 offsets of open nests
let depth: u32 = 0;
let lastAttr: u32 = 0; // offset of the most recent attribute

@inline function align4(n: u32): u32 {
  return (n + 3) & ~3;
}

function fail(code: u32): usize {
  if (error == BUILD_OK) error = code;
  return 0;
}

/** Makes room for `bytes` more; false (and a sticky error) if impossible. */
function ensure(bytes: u32): bool {
  const need = <u64>length + <u64>bytes;
  if (need > 0x7fff0000) {
    fail(BUILD_NO_MEMORY);
    return false;
  }
  if (<u32>need <= size) return true;
  let grown: u32 = size < 4096 ? 4096 : size;
  while (<u64>grown < need) grown = grown > 0x3fffffff ? 0x7fff0000 : grown << 1;
  buffer = buffer == 0 ? heap.alloc(grown) : heap.realloc(buffer, grown);
  size = grown;
  return true;
}

/** Reserves `bytes` zeroed bytes, aligned, inside the open message. */
function reserve(bytes: u32): usize {
  if (error != BUILD_OK) return 0;
  if (current < 0) return fail(BUILD_NO_MESSAGE);
  const padded = align4(bytes);
  if (!ensure(padded)) return 0;
  const at = buffer + <usize>length;
  memory.fill(at, 0, padded);
  length += padded;
  return at;
}

/** Starts a new batch, keeping the buffer. */
export function buildReset(): void {
  length = 0;
  messages = 0;
  current = -1;
  error = BUILD_OK;
  depth = 0;
  if (nests == 0) nests = heap.alloc(BUILD_MAX_NEST << 2);
}

/** Starts a message; the length is patched by buildEnd. Returns its address. */
export function buildBegin(type: u32, flags: u32, seq: u32, pid: u32): usize {
  if (current >= 0) buildEnd();
  if (error != BUILD_OK) return 0;
  if (!ensure(NLMSG_HDRLEN)) return 0;
  const at = buffer + <usize>length;
  store<u32>(at, NLMSG_HDRLEN);
  store<u16>(at, <u16>type, 4);
  store<u16>(at, <u16>flags, 6);
  store<u32>(at, seq, 8);
  store<u32>(at, pid, 12);
  current = <i32>length;
  length += NLMSG_HDRLEN;
  depth = 0;
  return at;
}

/** Ends the open message, patching nlmsg_len; a nest left open is an error. */
export function buildEnd(): void {
  if (current < 0 || error != BUILD_OK) return;
  if (depth > 0) {
    fail(BUILD_NEST_OPEN);
    return;
  }
  store<u32>(buffer + <usize>current, length - <u32>current);
  current = -1;
  messages++;
}

/** Reserves a zeroed family header (or any fixed struct) of `bytes`. */
export function buildReserve(bytes: u32): usize {
  return reserve(bytes);
}

/** Starts an attribute with a `payload`-byte zeroed payload; returns the payload's address. */
export function buildAttr(type: u32, payload: u32): usize {
  if (payload > 0xffff - NLA_HDRLEN) return fail(BUILD_TOO_LONG);
  const at = reserve(NLA_HDRLEN + payload);
  if (at == 0) return 0;
  store<u16>(at, <u16>(NLA_HDRLEN + payload));
  store<u16>(at, <u16>type, 2);
  lastAttr = <u32>(at - buffer);
  return at + NLA_HDRLEN;
}

/**
 * Shrinks the most recent attribute's payload to `payload` bytes (for strings
 * whose encoded size was only bounded in advance); re-zeroes what it frees.
 */
export function buildTrim(payload: u32): void {
  if (error != BUILD_OK) return;
  const at = buffer + <usize>lastAttr;
  const old = <u32>load<u16>(at) - NLA_HDRLEN;
  if (payload > old) return;
  store<u16>(at, <u16>(NLA_HDRLEN + payload));
  const newEnd = lastAttr + align4(NLA_HDRLEN + payload);
  memory.fill(buffer + <usize>lastAttr + NLA_HDRLEN + payload, 0, newEnd - lastAttr - NLA_HDRLEN - payload);
  length = newEnd;
}

export function buildFlag(type: u32): void {
  buildAttr(type, 0);
}

export function buildU8(type: u32, value: u32): void {
  const p = buildAttr(type, 1);
  if (p != 0) store<u8>(p, <u8>value);
}

export function buildU16(type: u32, value: u32): void {
  const p = buildAttr(type, 2);
  if (p != 0) store<u16>(p, <u16>value);
}

export function buildU32(type: u32, value: u32): void {
  const p = buildAttr(type, 4);
  if (p != 0) store<u32>(p, value);
}

/** A 64-bit value given as two 32-bit halves, so no BigInt crosses the boundary. */
export function buildU64(type: u32, low: u32, high: u32): void {
  const p = buildAttr(type, 8);
  if (p != 0) {
    store<u32>(p, low);
    store<u32>(p, high, 4);
  }
}

export function buildBe16(type: u32, value: u32): void {
  const p = buildAttr(type, 2);
  if (p != 0) store<u16>(p, bswap<u16>(<u16>value));
}

export function buildBe32(type: u32, value: u32): void {
  const p = buildAttr(type, 4);
  if (p != 0) store<u32>(p, bswap<u32>(value));
}

export function buildBe64(type: u32, low: u32, high: u32): void {
  const p = buildAttr(type, 8);
  if (p != 0) {
    store<u32>(p, bswap<u32>(high));
    store<u32>(p, bswap<u32>(low), 4);
  }
}

/** Opens a nest (NLA_F_NESTED is set when `flagNested`); closed by buildNestEnd. */
export function buildNestBegin(type: u32, flagNested: bool): void {
  if (error != BUILD_OK) return;
  if (depth >= <u32>BUILD_MAX_NEST) {
    fail(BUILD_NEST_DEPTH);
    return;
  }
  const at = reserve(NLA_HDRLEN);
  if (at == 0) return;
  store<u16>(at, <u16>(flagNested ? type | NLA_F_NESTED : type), 2);
  store<u32>(nests + (<usize>depth << 2), <u32>(at - buffer));
  depth++;
}

/** Closes the innermost nest, patching its length. */
export function buildNestEnd(): void {
  if (error != BUILD_OK) return;
  if (depth == 0) {
    fail(BUILD_NEST_UNDERFLOW);
    return;
  }
  depth--;
  const start = load<u32>(nests + (<usize>depth << 2));
  const nestLength = length - start;
  if (nestLength > 0xffff) {
    fail(BUILD_TOO_LONG);
    return;
  }
  store<u16>(buffer + <usize>start, <u16>nestLength);
}

export function buildBase(): usize {
  return buffer;
}

export function buildLength(): u32 {
  return length;
}

export function buildMessages(): u32 {
  return messages;
}

export function buildError(): u32 {
  return error;
}

export function buildDepth(): u32 {
  return depth;
}
