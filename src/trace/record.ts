// What the readers yield: one TraceRecord per packet (or per problem), with
// the link-layer header already read so that the netlink bytes and protocol
// are at hand.

import type { DecodeError } from '../codec/errors.js';
import { MalformedError, TruncatedError } from '../codec/errors.js';
import { u16be, u32be } from './byte-order.js';
import {
  ARPHRD_NETLINK, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NETLINK, SLL2_HEADER_BYTES, SLL_HEADER_BYTES,
  PACKET_OUTGOING, PACKET_KERNEL, PACKET_USER, PACKET_OTHERHOST,
} from './format.js';

/**
 * Which way a datagram went, seen from user space: 'out' was sent by a
 * socket, 'in' was delivered to one. From the cooked header's packet type
 * (4 = outgoing; 0-3 incoming; nlmon's 7 = to a kernel socket is 'out', its
 * 6 = to a user socket is 'in'), else from pcapng's epb_flags.
 */
export type Direction = 'in' | 'out' | 'unknown';

/** How a format turns the two numbers stored with a record into a time. */
export interface RecordClock {
  nanoseconds(a: number, b: number): bigint;
  milliseconds(a: number, b: number): number;
}

/** A capture interface: one per pcap file, one per pcapng IDB. */
export interface TraceInterface {
  /** pcapng section (0-based); 0 for pcap. */
  readonly section: number;
  /** Interface id within the section; 0 for pcap. */
  readonly id: number;
  readonly linkType: number;
  /** Largest captured length the capture kept; 0 = no limit. */
  readonly snapLength: number;
  /** if_name and if_description, when the file has them. */
  readonly name: string | null;
  readonly description: string | null;
  /** Timestamp units per second: 1e6, 1e9, 2^20, ... */
  readonly unitsPerSecond: number;
  /** if_tsoffset: seconds added to every timestamp. */
  readonly offsetSeconds: bigint;
}

/**
 * One record of a capture.
 *
 * Timestamps: `timestampNs` is exact (nanoseconds since the Unix epoch,
 * if_tsoffset included, finer units rounded down); `timeMs` is the same in
 * milliseconds as a float (`new Date(rec.timeMs)`), good to about a
 * microsecond. Both are null when the record has none (pcapng Simple Packet
 * Blocks, problem records).
 *
 * Bytes: `packet` (the captured bytes, link-layer header included) and
 * `payload` (the bytes after the link-layer header: the netlink datagram when
 * `netlink` is true) are views into the input chunk or into a copy made to
 * join chunks. They stay valid as long as the caller does not reuse the chunk
 * it gave the reader; copy them (`.slice()`) if the source recycles buffers.
 */
export class TraceRecord {
  /** The interface's link type (LINKTYPE_NETLINK, ...); -1 when the record has no interface. */
  readonly linkType: number;
  /** The netlink protocol number (NETLINK_ROUTE, ...), or -1 when the record is not netlink. */
  readonly protocol: number;
  /** True when `payload` holds netlink messages. */
  readonly netlink: boolean;
  /** sll packet type, -1 when unknown. */
  readonly packetType: number;
  /** ARPHRD type of the cooked header, -1 when none. */
  readonly hardwareType: number;
  readonly direction: Direction;
  /** The cooked header's link-layer address bytes (at most 8); empty when none. */
  readonly address: Uint8Array;
  readonly payload: Uint8Array;
  /**
   * What is wrong with this record, or null. TruncatedError: the packet was
   * cut by the snap length (caplen < len; `payload` is what is there), or the
   * file ends inside this record (a 'problem' record, `stopped`).
   * MalformedError: lengths that contradict the format, an interface id that
   * no IDB declared, a link type that does not carry netlink. The offset is
   * the record's or block's offset in the file.
   */
  readonly problem: DecodeError | null;

  constructor(
    /** 1-based position among the records the reader yielded (Wireshark's frame number when there are no problems). */
    readonly number: number,
    /** 'packet', or 'problem' for a record that reports a problem and carries no packet. */
    readonly kind: 'packet' | 'problem',
    /** Byte offset of the record (pcap) or block (pcapng) in the file. */
    readonly fileOffset: number,
    readonly iface: TraceInterface | null,
    /** Converts (tsA, tsB) into a timestamp; null when the record has none. */
    private readonly clock: RecordClock | null,
    private readonly tsA: number,
    private readonly tsB: number,
    /** Bytes captured (in `packet`), and the packet's length on the wire. */
    readonly capturedLength: number,
    readonly originalLength: number,
    readonly packet: Uint8Array,
    problem: DecodeError | null,
    /** pcapng epb_flags direction bits, 0 when absent. */
    flagsDirection: number,
    /** The reader stops after this record: nothing after this point could be read. */
    readonly stopped: boolean,
  ) {
    const link = iface === null ? -1 : iface.linkType;
    this.linkType = link;
    let protocol = -1;
    let packetType = -1;
    let hardwareType = -1;
    let address: Uint8Array = EMPTY;
    let payload: Uint8Array = packet;
    const truncated = capturedLength < originalLength;
    if (kind === 'packet' && link !== -1) {
      if (link === LINKTYPE_NETLINK || link === LINKTYPE_LINUX_SLL) {
        if (packet.length >= SLL_HEADER_BYTES) {
          packetType = u16be(packet, 0);
          hardwareType = u16be(packet, 2);
          address = packet.subarray(6, 6 + Math.min(u16be(packet, 4), 8));
          // LINKTYPE_NETLINK is netlink whatever the ARPHRD says; SLL only with ARPHRD_NETLINK.
          if (link === LINKTYPE_NETLINK || hardwareType === ARPHRD_NETLINK) protocol = u16be(packet, 14);
          payload = packet.subarray(SLL_HEADER_BYTES);
        } else {
          problem ??= shortHeader(packet.length, SLL_HEADER_BYTES, truncated, fileOffset);
          payload = EMPTY;
        }
      } else if (link === LINKTYPE_LINUX_SLL2) {
        if (packet.length >= SLL2_HEADER_BYTES) {
          hardwareType = u16be(packet, 8);
          packetType = packet[10]!;
          address = packet.subarray(12, 12 + Math.min(packet[11]!, 8));
          if (hardwareType === ARPHRD_NETLINK) protocol = u16be(packet, 0);
          payload = packet.subarray(SLL2_HEADER_BYTES);
        } else {
          problem ??= shortHeader(packet.length, SLL2_HEADER_BYTES, truncated, fileOffset);
          payload = EMPTY;
        }
      } else {
        problem ??= new MalformedError(`link type ${link} does not carry netlink (expected 253, 113 or 276)`, fileOffset);
      }
    }
    this.protocol = protocol;
    this.netlink = protocol !== -1;
    this.packetType = packetType;
    this.hardwareType = hardwareType;
    this.address = address;
    this.payload = payload;
    this.direction = directionOf(packetType, flagsDirection);
    this.problem = problem;
  }

  /** Nanoseconds since the epoch (exact), or null. Computed when asked: BigInt arithmetic is the costly part of a record. */
  get timestampNs(): bigint | null {
    return this.clock === null ? null : this.clock.nanoseconds(this.tsA, this.tsB);
  }

  /** Milliseconds since the epoch as a double (Date-compatible), or null. */
  get timeMs(): number | null {
    return this.clock === null ? null : this.clock.milliseconds(this.tsA, this.tsB);
  }

  /**
   * The port id nlkit's writers store in the link-layer address (4 bytes,
   * big-endian; the sender's, for captures the tee records), or -1 when the
   * address is not 4 bytes long (nlmon leaves it empty).
   */
  get portId(): number {
    const a = this.address;
    return a.length === 4 ? u32be(a, 0) : -1;
  }

  /** The SLL2 interface index, -1 for other link types. */
  get ifindex(): number {
    return this.linkType === LINKTYPE_LINUX_SLL2 && this.packet.length >= SLL2_HEADER_BYTES ? u32be(this.packet, 4) | 0 : -1;
  }
}

function shortHeader(have: number, need: number, truncated: boolean, offset: number): DecodeError {
  const what = `${have} captured bytes are fewer than the ${need}-byte cooked header`;
  return truncated ? new TruncatedError(what, offset) : new MalformedError(what, offset);
}

function directionOf(packetType: number, flagsDirection: number): Direction {
  if (packetType === PACKET_OUTGOING || packetType === PACKET_KERNEL) return 'out';
  if ((packetType >= 0 && packetType <= PACKET_OTHERHOST) || packetType === PACKET_USER) return 'in';
  if (flagsDirection === 1) return 'in';
  if (flagsDirection === 2) return 'out';
  return 'unknown';
}

const EMPTY: Uint8Array = new Uint8Array(0);
