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
  NLMSG_HDRLEN, NLA_HDRLEN,
  BUILD_OK, BUILD_NO_MESSAGE, BUILD_NEST_DEPTH, BUILD_NEST_UNDERFLOW,
  BUILD_TOO_LONG, BUILD_NO_MEMORY, BUILD_NEST_OPEN, BUILD_MAX_NEST, BUILD_BAD_OP,
  BUILD_OP_BEGIN, BUILD_OP_END, BUILD_OP_HEADER, BUILD_OP_FLAG, BUILD_OP_U8, BUILD_OP_U16, BUILD_OP_U32,
  BUILD_OP_U64, BUILD_OP_BE16, BUILD_OP_BE32, BUILD_OP_BE64, BUILD_OP_BYTES, BUILD_OP_STRING,
  BUILD_OP_NEST_BEGIN, BUILD_OP_NEST_END,
} from "./shared/netlink";

let buffer: usize = 0;
let size: u32 = 0;
let length: u32 = 0;
let messages: u32 = 0;
let current: i32 = -1; // offset of the open message, -1 when none
let error: u32 = BUILD_OK;
let nests: usize = 0; // BUILD_MAX_NEST u32 offsets of open nests
let depth: u32 = 0;

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
function buildBegin(type: u32, flags: u32, seq: u32, pid: u32): usize {
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

/**
 * Starts an attribute whose `payload` bytes the caller writes in full at
 * once: only the padding is zeroed (by zeroing the last word first, which
 * the payload then partly overwrites). Returns the payload's address.
 */
@inline function attrFilled(type: u32, payload: u32): usize {
  if (error != BUILD_OK) return 0;
  if (current < 0) return fail(BUILD_NO_MESSAGE);
  if (payload > 0xffff - NLA_HDRLEN) return fail(BUILD_TOO_LONG);
  const padded = align4(NLA_HDRLEN + payload);
  if (!ensure(padded)) return 0;
  const at = buffer + <usize>length;
  store<u32>(at + <usize>padded - 4, 0);
  store<u16>(at, <u16>(NLA_HDRLEN + payload));
  store<u16>(at, <u16>type, 2);
  length += padded;
  return at + NLA_HDRLEN;
}

/**
 * Executes `count` words of queued operations (see BUILD_OP_* in
 * shared/netlink.ts), taking payloads from the data area at `data`.
 * Returns the sticky error code (BUILD_OK when all went well).
 */
export function buildRun(ops: usize, count: u32, data: usize): u32 {
  const end = ops + (<usize>count << 2);
  let at = ops;
  while (at < end && error == BUILD_OK) {
    const word = load<u32>(at);
    const op = word & 0xff;
    const type = word >>> 16;
    switch (op) {
      case BUILD_OP_BEGIN:
        buildBegin(type, load<u32>(at, 4), load<u32>(at, 8), load<u32>(at, 12));
        at += 16;
        break;
      case BUILD_OP_END:
        buildEnd();
        at += 4;
        break;
      case BUILD_OP_HEADER: {
        const bytes = load<u32>(at, 4);
        const p = reserve(bytes);
        if (p != 0) memory.copy(p, data + <usize>load<u32>(at, 8), bytes);
        at += 12;
        break;
      }
      case BUILD_OP_FLAG:
        attrFilled(type, 0);
        at += 4;
        break;
      case BUILD_OP_U8: {
        const p = attrFilled(type, 1);
        if (p != 0) store<u8>(p, <u8>load<u32>(at, 4));
        at += 8;
        break;
      }
      case BUILD_OP_U16: {
        const p = attrFilled(type, 2);
        if (p != 0) store<u16>(p, <u16>load<u32>(at, 4));
        at += 8;
        break;
      }
      case BUILD_OP_U32: {
        const p = attrFilled(type, 4);
        if (p != 0) store<u32>(p, load<u32>(at, 4));
        at += 8;
        break;
      }
      case BUILD_OP_BE16: {
        const p = attrFilled(type, 2);
        if (p != 0) store<u16>(p, bswap<u16>(<u16>load<u32>(at, 4)));
        at += 8;
        break;
      }
      case BUILD_OP_BE32: {
        const p = attrFilled(type, 4);
        if (p != 0) store<u32>(p, bswap<u32>(load<u32>(at, 4)));
        at += 8;
        break;
      }
      case BUILD_OP_U64: {
        const p = attrFilled(type, 8);
        if (p != 0) {
          store<u32>(p, load<u32>(at, 4));
          store<u32>(p, load<u32>(at, 8), 4);
        }
        at += 12;
        break;
      }
      case BUILD_OP_BE64: {
        const p = attrFilled(type, 8);
        if (p != 0) {
          store<u32>(p, bswap<u32>(load<u32>(at, 8)));
          store<u32>(p, bswap<u32>(load<u32>(at, 4)), 4);
        }
        at += 12;
        break;
      }
      case BUILD_OP_BYTES: {
        const bytes = load<u32>(at, 4);
        const p = attrFilled(type, bytes);
        if (p != 0) memory.copy(p, data + <usize>load<u32>(at, 8), bytes);
        at += 12;
        break;
      }
      case BUILD_OP_STRING: {
        const bytes = load<u32>(at, 4);
        const p = attrFilled(type, bytes + 1);
        if (p != 0) {
          memory.copy(p, data + <usize>load<u32>(at, 8), bytes);
          store<u8>(p + <usize>bytes, 0);
        }
        at += 12;
        break;
      }
      case BUILD_OP_NEST_BEGIN:
        nestBegin(type);
        at += 4;
        break;
      case BUILD_OP_NEST_END:
        buildNestEnd();
        at += 4;
        break;
      default:
        fail(BUILD_BAD_OP);
    }
  }
  return error;
}

/** Opens a nest whose nla_type (flags included) is `rawType`. */
function nestBegin(rawType: u32): void {
  if (error != BUILD_OK) return;
  if (depth >= <u32>BUILD_MAX_NEST) {
    fail(BUILD_NEST_DEPTH);
    return;
  }
  const at = reserve(NLA_HDRLEN);
  if (at == 0) return;
  store<u16>(at, <u16>rawType, 2);
  store<u32>(nests + (<usize>depth << 2), <u32>(at - buffer));
  depth++;
}

/** Closes the innermost nest, patching its length. */
function buildNestEnd(): void {
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

