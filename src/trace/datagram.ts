// What the writers take: one netlink datagram with its protocol, time and
// direction, and how they put it behind a LINKTYPE_NETLINK cooked header.

import { ArgumentError } from '../codec/errors.js';
import { putU16be, putU32be } from './byte-order.js';
import { ARPHRD_NETLINK, PACKET_HOST, PACKET_OUTGOING, SLL_HEADER_BYTES } from './format.js';
import type { Direction } from './record.js';

export interface NetlinkDatagram {
  /** NETLINK_ROUTE, NETLINK_GENERIC, ... (0..65535). */
  protocol: number;
  /** The datagram's bytes: one or more netlink messages. Copied by the writer. */
  data: Uint8Array;
  /** Nanoseconds since the epoch; now when absent. */
  timestampNs?: bigint;
  /** 'out': sent by a socket; 'in': delivered to one. */
  direction?: Direction;
  /**
   * A port id to record in the cooked header's link-layer address (4 bytes,
   * big-endian); the tee records the sender's. Absent: no address.
   */
  portId?: number;
  /** The datagram's real length when `data` holds only its start. */
  originalLength?: number;
}

/** Packet type written for a direction nobody knows: no kernel uses it, so readers see "unknown". */
export const PACKET_TYPE_UNKNOWN = 0xffff;

export function checkDatagram(d: NetlinkDatagram): void {
  if (d === null || typeof d !== 'object') throw new ArgumentError('a datagram must be an object');
  if (!(d.data instanceof Uint8Array)) throw new ArgumentError('datagram.data must be a Uint8Array');
  if (!Number.isInteger(d.protocol) || d.protocol < 0 || d.protocol > 0xffff) {
    throw new ArgumentError(`datagram.protocol ${String(d.protocol)} is not a protocol number (0..65535)`);
  }
  if (d.originalLength !== undefined && !(Number.isInteger(d.originalLength) && d.originalLength >= d.data.length && d.originalLength <= 0xffffffff - SLL_HEADER_BYTES)) {
    throw new ArgumentError(`datagram.originalLength ${String(d.originalLength)} must be an integer no smaller than data.length`);
  }
  if (d.portId !== undefined && !(Number.isInteger(d.portId) && d.portId >= -0x80000000 && d.portId <= 0xffffffff)) {
    throw new ArgumentError(`datagram.portId ${String(d.portId)} is not a 32-bit port id`);
  }
  if (d.timestampNs !== undefined && (typeof d.timestampNs !== 'bigint' || d.timestampNs < 0n)) {
    throw new ArgumentError('datagram.timestampNs must be a non-negative bigint');
  }
}

/** Writes the 16-byte cooked header at `at`: packet type, ARPHRD_NETLINK, address, protocol. */
export function writeCookedHeader(b: Uint8Array, at: number, d: NetlinkDatagram): void {
  const dir = d.direction;
  putU16be(b, at, dir === 'out' ? PACKET_OUTGOING : dir === 'in' ? PACKET_HOST : PACKET_TYPE_UNKNOWN);
  putU16be(b, at + 2, ARPHRD_NETLINK);
  if (d.portId !== undefined) {
    putU16be(b, at + 4, 4);
    putU32be(b, at + 6, d.portId >>> 0);
  }
  putU16be(b, at + 14, d.protocol);
}

/** Default snap length of the writers: larger datagrams are cut, keeping their real length. */
export const DEFAULT_SNAP_LENGTH = 262144;
