// scanBatch: one call turns a region of datagrams into the message index.
//
// Each datagram is walked the way the kernel's NLMSG_OK / NLMSG_NEXT macros
// walk a receive buffer:
//
//   ┌──────────┬─────────┬─────┬──────────┬─────────┬─────┐
//   │ nlmsghdr │ payload │ pad │ nlmsghdr │ payload │ pad │ ...
//   └──────────┴─────────┴─────┴──────────┴─────────┴─────┘
//   |<────── NLMSG_ALIGN(nlmsg_len) ─────>|
//
// A message is accepted while 16 header bytes remain and 16 <= nlmsg_len <=
// remaining; the next one starts NLMSG_ALIGN(nlmsg_len) later. The last
// message may end unaligned exactly at the end of the datagram. Where the
// kernel's loop would simply stop, this one records an entry with a status
// (truncated, bad length) at the offset where it stopped, so that no byte is
// skipped silently, and then goes on with the next datagram.

import {
  NLMSG_HDRLEN, NLMSG_ERROR, NLMSGERR_SIZE,
  STATUS_OK, STATUS_TRUNCATED, STATUS_BAD_LENGTH, STATUS_BAD_PAYLOAD,
  MSG_COL_OFFSET, MSG_COL_LENGTH, MSG_COL_SEQ, MSG_COL_PID, MSG_COL_DATAGRAM,
  MSG_COL_TYPE, MSG_COL_FLAGS, MSG_COL_STATUS, DGRAM_ENTRY_BYTES,
} from "./shared/netlink";

@inline function align4(n: u32): u32 {
  return (n + 3) & ~3;
}

/**
 * Scans `datagramCount` datagrams described by the table at `datagrams`
 * (pairs of u32 offset, length relative to `region`) into the message index at
 * `index`, which has room for `capacity` entries.
 *
 * Returns the number of entries written, or -1 when the index is too small
 * (the caller sizes it at floor(bytes / 16) + datagramCount, which always
 * suffices). Never reads outside [region + offset, region + offset + length)
 * of each datagram.
 */
export function scanBatch(region: usize, datagrams: usize, datagramCount: u32, index: usize, capacity: u32): i32 {
  const colOffset = index + <usize>MSG_COL_OFFSET * capacity;
  const colLength = index + <usize>MSG_COL_LENGTH * capacity;
  const colSeq = index + <usize>MSG_COL_SEQ * capacity;
  const colPid = index + <usize>MSG_COL_PID * capacity;
  const colDatagram = index + <usize>MSG_COL_DATAGRAM * capacity;
  const colType = index + <usize>MSG_COL_TYPE * capacity;
  const colFlags = index + <usize>MSG_COL_FLAGS * capacity;
  const colStatus = index + <usize>MSG_COL_STATUS * capacity;

  let n: u32 = 0;
  for (let d: u32 = 0; d < datagramCount; d++) {
    const entry = datagrams + <usize>d * DGRAM_ENTRY_BYTES;
    let pos: u32 = load<u32>(entry);
    const end: u32 = pos + load<u32>(entry, 4);
    while (pos < end) {
      if (n >= capacity) return -1;
      const remaining = end - pos;
      const at = region + <usize>pos;
      let status: u32 = STATUS_OK;
      let length: u32 = remaining;
      if (remaining < <u32>NLMSG_HDRLEN) {
        // Fewer bytes than a header: the kernel's loop stops here.
        store<u16>(colType + (<usize>n << 1), 0);
        store<u16>(colFlags + (<usize>n << 1), 0);
        store<u32>(colSeq + (<usize>n << 2), 0);
        store<u32>(colPid + (<usize>n << 2), 0);
        status = STATUS_TRUNCATED;
      } else {
        const declared = load<u32>(at);
        const type = load<u16>(at, 4);
        store<u16>(colType + (<usize>n << 1), type);
        store<u16>(colFlags + (<usize>n << 1), load<u16>(at, 6));
        store<u32>(colSeq + (<usize>n << 2), load<u32>(at, 8));
        store<u32>(colPid + (<usize>n << 2), load<u32>(at, 12));
        if (declared < <u32>NLMSG_HDRLEN) {
          status = STATUS_BAD_LENGTH;
        } else if (declared > remaining) {
          status = STATUS_TRUNCATED;
        } else {
          length = declared;
          if (type == NLMSG_ERROR && declared < <u32>(NLMSG_HDRLEN + NLMSGERR_SIZE)) status = STATUS_BAD_PAYLOAD;
        }
      }
      store<u32>(colOffset + (<usize>n << 2), pos);
      store<u32>(colLength + (<usize>n << 2), length);
      store<u32>(colDatagram + (<usize>n << 2), d);
      store<u8>(colStatus + <usize>n, <u8>status);
      n++;
      // A header-level failure ends this datagram: without a trustworthy
      // length there is no next message to find.
      if (status == STATUS_TRUNCATED || status == STATUS_BAD_LENGTH) break;
      const step = align4(length);
      if (step >= remaining) break;
      pos += step;
    }
  }
  return <i32>n;
}
