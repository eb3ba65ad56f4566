// The classic pcap format, streaming: file header, then records until the
// input ends. Both magics (µs, ns) in both byte orders.

import { MalformedError, TruncatedError } from '../codec/errors.js';
import type { ByteQueue } from './byte-queue.js';
import {
  PCAP_FILE_HEADER_BYTES, PCAP_MAGIC_MICROSECONDS, PCAP_MAGIC_NANOSECONDS, PCAP_RECORD_HEADER_BYTES,
} from './format.js';
import { RecordParser, type ReaderLimits } from './record-parser.js';
import type { RecordClock, TraceInterface, TraceRecord } from './record.js';

/** The pcap file header, once read. */
export interface PcapHeader {
  littleEndian: boolean;
  nanoseconds: boolean;
  versionMajor: number;
  versionMinor: number;
  /** thiszone: in practice always 0, and ignored like every reader does. */
  thiszone: number;
  snapLength: number;
  linkType: number;
  /** The FCS bits (28-31) and the rest of the link type word above bit 15. */
  linkTypeFlags: number;
}

/** Which byte order and unit a leading magic number means, or null. */
export function pcapMagic(b0: number, b1: number, b2: number, b3: number): { littleEndian: boolean; nanoseconds: boolean } | null {
  const le = (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0;
  const be = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  if (le === PCAP_MAGIC_MICROSECONDS) return { littleEndian: true, nanoseconds: false };
  if (le === PCAP_MAGIC_NANOSECONDS) return { littleEndian: true, nanoseconds: true };
  if (be === PCAP_MAGIC_MICROSECONDS) return { littleEndian: false, nanoseconds: false };
  if (be === PCAP_MAGIC_NANOSECONDS) return { littleEndian: false, nanoseconds: true };
  return null;
}

/** pcap records store seconds and a fraction in µs or ns. */
class PcapClock implements RecordClock {
  private readonly nsPerUnit: bigint;
  private readonly msPerUnit: number;
  constructor(unitsPerSecond: number) {
    this.nsPerUnit = BigInt(1e9 / unitsPerSecond);
    this.msPerUnit = 1000 / unitsPerSecond;
  }
  nanoseconds(seconds: number, fraction: number): bigint {
    return BigInt(seconds) * 1_000_000_000n + BigInt(fraction) * this.nsPerUnit;
  }
  milliseconds(seconds: number, fraction: number): number {
    return seconds * 1000 + fraction * this.msPerUnit;
  }
}
const MICROSECOND_CLOCK = new PcapClock(1e6);
const NANOSECOND_CLOCK = new PcapClock(1e9);

export class PcapParser extends RecordParser {
  header: PcapHeader | null = null;
  private iface: TraceInterface | null = null;
  private le = true;
  private clock: PcapClock = MICROSECOND_CLOCK;

  constructor(queue: ByteQueue, limits: ReaderLimits = {}) {
    super(queue, limits);
  }

  next(): TraceRecord | null {
    if (this.done) return null;
    const q = this.queue;
    if (this.header === null) {
      if (!q.has(PCAP_FILE_HEADER_BYTES)) return this.missing(PCAP_FILE_HEADER_BYTES, 'the pcap file header', q.position);
      if (!this.readHeader()) return this.problem(new MalformedError('not a pcap file: unknown magic number', q.position), true);
    }
    if (this.atCleanEnd()) return null;
    const at = q.position;
    if (!q.has(PCAP_RECORD_HEADER_BYTES)) return this.missing(PCAP_RECORD_HEADER_BYTES, 'a record header', at);
    const le = this.le;
    const seconds = q.u32(0, le);
    const fraction = q.u32(4, le);
    const captured = q.u32(8, le);
    const original = q.u32(12, le);
    if (captured > this.maxRecordBytes) {
      return this.problem(new MalformedError(`record claims ${captured} captured bytes, more than the ${this.maxRecordBytes}-byte limit`, at), true);
    }
    const total = PCAP_RECORD_HEADER_BYTES + captured;
    if (!q.has(total)) return this.missing(total, 'a record', at);
    const bytes = q.take(total).subarray(PCAP_RECORD_HEADER_BYTES);
    const problem = captured < original
      ? new TruncatedError(`record captured ${captured} of its ${original} bytes`, at)
      : null;
    return this.packet(at, this.iface, this.clock, seconds, fraction, captured, original, bytes, problem, 0);
  }

  private readHeader(): boolean {
    const q = this.queue;
    const magic = pcapMagic(q.byte(0), q.byte(1), q.byte(2), q.byte(3));
    if (!magic) return false;
    const le = magic.littleEndian;
    const linkWord = q.u32(20, le);
    this.header = {
      littleEndian: le,
      nanoseconds: magic.nanoseconds,
      versionMajor: q.u16(4, le),
      versionMinor: q.u16(6, le),
      thiszone: q.u32(8, le) | 0,
      snapLength: q.u32(16, le),
      linkType: linkWord & 0xffff,
      linkTypeFlags: (linkWord & 0xffff0000) >>> 0,
    };
    this.le = le;
    this.clock = magic.nanoseconds ? NANOSECOND_CLOCK : MICROSECOND_CLOCK;
    this.iface = {
      section: 0, id: 0, linkType: this.header.linkType, snapLength: this.header.snapLength,
      name: null, description: null, unitsPerSecond: magic.nanoseconds ? 1e9 : 1e6, offsetSeconds: 0n,
    };
    q.skip(PCAP_FILE_HEADER_BYTES);
    return true;
  }
}
