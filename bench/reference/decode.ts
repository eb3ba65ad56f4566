// Plain-JavaScript full decode of link and route dumps: one DataView pass per
// message, a switch over attribute types, nests entered where the attribute
// is known to be one. The way a hand-written decoder would do it, with the
// same bounds checks the codec makes (a bad length or an overrun throws).

import {
  NLMSG_HDRLEN, NLA_HDRLEN, NLA_TYPE_MASK,
} from '../../src/codec/constants.js';
import { MalformedError, TruncatedError } from '../../src/codec/errors.js';
import {
  RTM_NEWLINK, RTM_NEWROUTE, IFINFOMSG_SIZE, RTMSG_SIZE,
  IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_OPERSTATE, IFLA_LINKINFO, IFLA_STATS64, IFLA_INFO_KIND, STATS64_RX_BYTES,
  RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_METRICS, RTA_TABLE, RTAX_MTU,
} from '../rtnl.js';
import type { LinkSummary, RouteSummary } from '../summaries.js';
import { decodeText } from './text.js';

/**
 * nlmsg_len of the message at `pos` of a datagram ending at `end`, checked
 * the way the kernel's NLMSG_OK does; a header it cannot trust throws.
 */
function messageLength(view: DataView, pos: number, end: number): number {
  const remaining = end - pos;
  if (remaining < NLMSG_HDRLEN) throw new TruncatedError(`${remaining} bytes left at the end of a datagram, fewer than a message header`, pos);
  const length = view.getUint32(pos, true);
  if (length < NLMSG_HDRLEN) throw new MalformedError(`message declares ${length} bytes, less than its 16-byte header`, pos);
  if (length > remaining) throw new TruncatedError(`message declares ${length} bytes, only ${remaining} remain in its datagram`, pos);
  return length;
}

function checkDatagrams(view: DataView, datagramLengths: ArrayLike<number>): void {
  let total = 0;
  for (let d = 0; d < datagramLengths.length; d++) total += datagramLengths[d]!;
  if (total > view.byteLength) throw new RangeError(`datagram lengths add up to ${total}, more than the ${view.byteLength} bytes given`);
}

/** The attribute header at `a` (stream ending at `end`): its nla_len, checked. */
function attributeLength(view: DataView, a: number, end: number): number {
  if (end - a < NLA_HDRLEN) throw new TruncatedError(`${end - a} bytes left, fewer than an attribute header`, a);
  const length = view.getUint16(a, true);
  if (length < NLA_HDRLEN) throw new MalformedError(`attribute declares ${length} bytes, less than its 4-byte header`, a);
  if (length > end - a) throw new TruncatedError(`attribute declares ${length} bytes, only ${end - a} remain`, a);
  return length;
}

function needPayload(a: number, length: number, bytes: number, type: number): void {
  if (length - NLA_HDRLEN < bytes) throw new MalformedError(`attribute type ${type} has ${length - NLA_HDRLEN} payload bytes, needs ${bytes}`, a);
}

function readU64(view: DataView, at: number): number | bigint {
  const high = view.getUint32(at + 4, true);
  const low = view.getUint32(at, true);
  return high < 0x200000 ? high * 0x100000000 + low : view.getBigUint64(at, true);
}

/** Decodes every RTM_NEWLINK of the dump, handing each to `emit`; returns how many. */
export function decodeLinkDump(bytes: Uint8Array, datagramLengths: ArrayLike<number>, emit: (link: LinkSummary) => void): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkDatagrams(view, datagramLengths);
  let n = 0;
  // The message walk is written out in each decoder (not shared through a
  // callback) so that it compiles as one tight loop.
  for (let d = 0, start = 0; d < datagramLengths.length; d++) {
    const datagramEnd = start + datagramLengths[d]!;
    for (let at = start; at < datagramEnd;) {
      const length = messageLength(view, at, datagramEnd);
      const next = at + ((length + 3) & ~3);
      if (view.getUint16(at + 4, true) !== RTM_NEWLINK) { at = next; continue; }
      const end = at + length;
      const first = at + NLMSG_HDRLEN + IFINFOMSG_SIZE;
      if (first > end) throw new TruncatedError(`message of ${length} bytes is too short for a ${IFINFOMSG_SIZE}-byte family header`, at + NLMSG_HDRLEN);
      const index = view.getInt32(at + NLMSG_HDRLEN + 4, true);
      let ifname = '';
      let mtu = 0;
      let operstate = 0;
      let address: Uint8Array | null = null;
      let rxBytes: number | bigint = 0;
      let kind = '';
      for (let a = first; a < end;) {
        const alen = attributeLength(view, a, end);
        const atype = view.getUint16(a + 2, true) & NLA_TYPE_MASK;
        switch (atype) {
          case IFLA_IFNAME:
            ifname = decodeText(bytes, a + NLA_HDRLEN, a + alen);
            break;
          case IFLA_MTU:
            needPayload(a, alen, 4, atype);
            mtu = view.getUint32(a + NLA_HDRLEN, true);
            break;
          case IFLA_OPERSTATE:
            needPayload(a, alen, 1, atype);
            operstate = bytes[a + NLA_HDRLEN]!;
            break;
          case IFLA_ADDRESS:
            address = bytes.slice(a + NLA_HDRLEN, a + alen);
            break;
          case IFLA_STATS64:
            needPayload(a, alen, (STATS64_RX_BYTES + 1) * 8, atype);
            rxBytes = readU64(view, a + NLA_HDRLEN + STATS64_RX_BYTES * 8);
            break;
          case IFLA_LINKINFO:
            for (let b = a + NLA_HDRLEN, nestEnd = a + alen; b < nestEnd;) {
              const blen = attributeLength(view, b, nestEnd);
              if ((view.getUint16(b + 2, true) & NLA_TYPE_MASK) === IFLA_INFO_KIND) kind = decodeText(bytes, b + NLA_HDRLEN, b + blen);
              b += (blen + 3) & ~3;
            }
            break;
        }
        a += (alen + 3) & ~3;
      }
      n++;
      emit({ index, ifname, mtu, operstate, address, rxBytes, kind });
      at = next;
    }
    start = datagramEnd;
  }
  return n;
}

/** Decodes every RTM_NEWROUTE of the dump, handing each to `emit`; returns how many. */
export function decodeRouteDump(bytes: Uint8Array, datagramLengths: ArrayLike<number>, emit: (route: RouteSummary) => void): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkDatagrams(view, datagramLengths);
  let n = 0;
  for (let d = 0, start = 0; d < datagramLengths.length; d++) {
    const datagramEnd = start + datagramLengths[d]!;
    for (let at = start; at < datagramEnd;) {
      const length = messageLength(view, at, datagramEnd);
      const next = at + ((length + 3) & ~3);
      if (view.getUint16(at + 4, true) !== RTM_NEWROUTE) { at = next; continue; }
      const end = at + length;
      const first = at + NLMSG_HDRLEN + ((RTMSG_SIZE + 3) & ~3);
      if (first > end) throw new TruncatedError(`message of ${length} bytes is too short for a ${RTMSG_SIZE}-byte family header`, at + NLMSG_HDRLEN);
      const family = bytes[at + NLMSG_HDRLEN]!;
      const dstLen = bytes[at + NLMSG_HDRLEN + 1]!;
      let table = bytes[at + NLMSG_HDRLEN + 4]!;
      let dst: Uint8Array | null = null;
      let gateway: Uint8Array | null = null;
      let oif = 0;
      let priority = 0;
      let mtu = 0;
      for (let a = first; a < end;) {
        const alen = attributeLength(view, a, end);
        const atype = view.getUint16(a + 2, true) & NLA_TYPE_MASK;
        switch (atype) {
          case RTA_TABLE:
            needPayload(a, alen, 4, atype);
            table = view.getUint32(a + NLA_HDRLEN, true);
            break;
          case RTA_DST:
            dst = bytes.slice(a + NLA_HDRLEN, a + alen);
            break;
          case RTA_GATEWAY:
            gateway = bytes.slice(a + NLA_HDRLEN, a + alen);
            break;
          case RTA_OIF:
            needPayload(a, alen, 4, atype);
            oif = view.getUint32(a + NLA_HDRLEN, true);
            break;
          case RTA_PRIORITY:
            needPayload(a, alen, 4, atype);
            priority = view.getUint32(a + NLA_HDRLEN, true);
            break;
          case RTA_METRICS:
            for (let b = a + NLA_HDRLEN, nestEnd = a + alen; b < nestEnd;) {
              const blen = attributeLength(view, b, nestEnd);
              if ((view.getUint16(b + 2, true) & NLA_TYPE_MASK) === RTAX_MTU) {
                needPayload(b, blen, 4, RTAX_MTU);
                mtu = view.getUint32(b + NLA_HDRLEN, true);
              }
              b += (blen + 3) & ~3;
            }
            break;
        }
        a += (alen + 3) & ~3;
      }
      n++;
      emit({ family, dstLen, table, dst, gateway, oif, priority, mtu });
      at = next;
    }
    start = datagramEnd;
  }
  return n;
}
