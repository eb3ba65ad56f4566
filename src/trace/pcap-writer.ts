// Writes classic pcap: the nanosecond magic, LINKTYPE_NETLINK, and per
// datagram a record header and the 16-byte cooked header carrying protocol
// and direction. Little-endian.

import { ArgumentError } from '../codec/errors.js';
import { putU16le, putU32le } from './byte-order.js';
import { checkDatagram, writeCookedHeader, type NetlinkDatagram } from './datagram.js';
import { LINKTYPE_NETLINK, PCAP_FILE_HEADER_BYTES, PCAP_MAGIC_NANOSECONDS, PCAP_RECORD_HEADER_BYTES, SLL_HEADER_BYTES } from './format.js';
import { nowNs } from './clock.js';
import { OutputBuffer, type ChunkSink } from './output-buffer.js';
import { checkSnapLength, type TraceWriterOptions } from './pcapng-writer.js';

const NS_PER_S = 1_000_000_000n;
const MAX_SECONDS = 0xffffffffn;

export class PcapWriter {
  private readonly out: OutputBuffer;
  private readonly snapLength: number;
  private closed = false;
  count = 0;

  constructor(sink: ChunkSink, options: TraceWriterOptions = {}) {
    this.out = new OutputBuffer(sink, options.chunkBytes);
    this.snapLength = checkSnapLength(options.snapLength);
    const at = this.out.reserve(PCAP_FILE_HEADER_BYTES);
    const b = this.out.bytes;
    putU32le(b, at, PCAP_MAGIC_NANOSECONDS);
    putU16le(b, at + 4, 2);
    putU16le(b, at + 6, 4);
    putU32le(b, at + 16, this.snapLength);
    putU32le(b, at + 20, LINKTYPE_NETLINK);
  }

  write(d: NetlinkDatagram): void {
    if (this.closed) throw new ArgumentError('write after close');
    checkDatagram(d);
    const ns = d.timestampNs ?? nowNs();
    const seconds = ns / NS_PER_S;
    if (seconds > MAX_SECONDS) throw new ArgumentError('datagram.timestampNs is past what pcap can hold (year 2106)');
    const captured = Math.min(SLL_HEADER_BYTES + d.data.length, this.snapLength);
    const original = SLL_HEADER_BYTES + (d.originalLength ?? d.data.length);
    const at = this.out.reserve(PCAP_RECORD_HEADER_BYTES + captured);
    const b = this.out.bytes;
    putU32le(b, at, Number(seconds));
    putU32le(b, at + 4, Number(ns - seconds * NS_PER_S));
    putU32le(b, at + 8, captured);
    putU32le(b, at + 12, original);
    writeCookedHeader(b, at + PCAP_RECORD_HEADER_BYTES, d);
    b.set(d.data.subarray(0, captured - SLL_HEADER_BYTES), at + PCAP_RECORD_HEADER_BYTES + SLL_HEADER_BYTES);
    this.count++;
    if (this.out.full) this.out.flush();
  }

  flush(): void {
    this.out.flush();
  }

  close(): void {
    if (this.closed) return;
    this.out.flush();
    this.closed = true;
  }
}
