// Plain-JavaScript counterpart of the codec's scanBatch: a DataView walk over
// the datagrams that fills the same message index columns, with the same
// status for the same edge cases (NLMSG_OK / NLMSG_NEXT semantics: accept a
// message while a header fits and 16 <= nlmsg_len <= remaining; the next one
// starts NLMSG_ALIGN(nlmsg_len) later; a broken header ends the datagram).

import {
  NLMSG_HDRLEN, NLMSG_ERROR, NLMSGERR_SIZE,
  STATUS_OK, STATUS_TRUNCATED, STATUS_BAD_LENGTH, STATUS_BAD_PAYLOAD,
} from '../../src/codec/constants.js';

/** The message index as struct-of-arrays, reused across scans. */
export class HeaderIndex {
  count = 0;
  offset = new Uint32Array(0);
  length = new Uint32Array(0);
  seq = new Uint32Array(0);
  pid = new Uint32Array(0);
  datagram = new Uint32Array(0);
  type = new Uint16Array(0);
  flags = new Uint16Array(0);
  status = new Uint8Array(0);

  /** Room for `capacity` entries (the contents are not kept when it grows). */
  ensure(capacity: number): void {
    if (capacity <= this.offset.length) return;
    this.offset = new Uint32Array(capacity);
    this.length = new Uint32Array(capacity);
    this.seq = new Uint32Array(capacity);
    this.pid = new Uint32Array(capacity);
    this.datagram = new Uint32Array(capacity);
    this.type = new Uint16Array(capacity);
    this.flags = new Uint16Array(capacity);
    this.status = new Uint8Array(capacity);
  }
}

/**
 * Scans consecutive datagrams of the given lengths starting at byte 0 of
 * `view` into `index`; returns the number of entries. Offsets are relative to
 * the view's start, as the codec's are relative to its input region.
 */
export function scanHeaders(view: DataView, datagramLengths: ArrayLike<number>, index: HeaderIndex): number {
  let total = 0;
  for (let d = 0; d < datagramLengths.length; d++) total += datagramLengths[d]!;
  if (total > view.byteLength) throw new RangeError(`datagram lengths add up to ${total}, more than the ${view.byteLength} bytes given`);
  index.ensure(Math.floor(total / NLMSG_HDRLEN) + datagramLengths.length);
  const { offset: offsetCol, length: lengthCol, seq: seqCol, pid: pidCol, datagram: datagramCol,
    type: typeCol, flags: flagsCol, status: statusCol } = index;

  let n = 0;
  let start = 0;
  for (let d = 0; d < datagramLengths.length; d++) {
    const end = start + datagramLengths[d]!;
    let pos = start;
    while (pos < end) {
      const remaining = end - pos;
      let status = STATUS_OK;
      let length = remaining;
      if (remaining < NLMSG_HDRLEN) {
        typeCol[n] = 0;
        flagsCol[n] = 0;
        seqCol[n] = 0;
        pidCol[n] = 0;
        status = STATUS_TRUNCATED;
      } else {
        const declared = view.getUint32(pos, true);
        const type = view.getUint16(pos + 4, true);
        typeCol[n] = type;
        flagsCol[n] = view.getUint16(pos + 6, true);
        seqCol[n] = view.getUint32(pos + 8, true);
        pidCol[n] = view.getUint32(pos + 12, true);
        if (declared < NLMSG_HDRLEN) {
          status = STATUS_BAD_LENGTH;
        } else if (declared > remaining) {
          status = STATUS_TRUNCATED;
        } else {
          length = declared;
          if (type === NLMSG_ERROR && declared < NLMSG_HDRLEN + NLMSGERR_SIZE) status = STATUS_BAD_PAYLOAD;
        }
      }
      offsetCol[n] = pos;
      lengthCol[n] = length;
      datagramCol[n] = d;
      statusCol[n] = status;
      n++;
      if (status === STATUS_TRUNCATED || status === STATUS_BAD_LENGTH) break;
      const step = (length + 3) & ~3;
      if (step >= remaining) break;
      pos += step;
    }
    start = end;
  }
  index.count = n;
  return n;
}
