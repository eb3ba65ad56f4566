// Writes pcapng: one Section Header Block, an Interface Description Block per
// netlink protocol (LINKTYPE_NETLINK, nanosecond timestamps), and an Enhanced
// Packet Block per datagram behind a 16-byte cooked header. Little-endian.
//
//   EPB  ┌ 6 ┬ len ┬ iface ┬ ts hi ┬ ts lo ┬ caplen ┬ origlen ┬ cooked header (16) ┬ datagram ┬ pad ┬ epb_flags ┬ end ┬ len ┐

import { ArgumentError } from '../codec/errors.js';
import { utf8 } from '../codec/text.js';
import { pad4, putU16le, putU32le } from './byte-order.js';
import { checkDatagram, DEFAULT_SNAP_LENGTH, writeCookedHeader, type NetlinkDatagram } from './datagram.js';
import {
  EPB_FLAG_INBOUND, EPB_FLAG_OUTBOUND, EPB_FLAGS, IF_NAME, IF_TSRESOL, LINKTYPE_NETLINK, PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_EPB, PCAPNG_IDB, PCAPNG_SHB, SHB_USERAPPL, SLL_HEADER_BYTES,
} from './format.js';
import { nowNs } from './clock.js';
import { OutputBuffer, type ChunkSink } from './output-buffer.js';
import { protocolName } from './protocols.js';
import { NANOSECONDS } from './timestamps.js';

export interface TraceWriterOptions {
  /** Size of the chunks handed to the sink (default 64 KiB). */
  chunkBytes?: number;
  /** Longest packet kept (cooked header included); longer datagrams are cut, their real length kept. Default 262144. */
  snapLength?: number;
}

export interface PcapngWriterOptions extends TraceWriterOptions {
  /** shb_userappl (default 'nlkit'). */
  application?: string;
  /** Name of a protocol's interface (default 'netlink-route', 'netlink-generic', ...). */
  interfaceName?: (protocol: number) => string;
}

const MASK32 = 0xffffffffn;
const MAX_NS = 0xffffffffffffffffn;

export class PcapngWriter {
  private readonly out: OutputBuffer;
  private readonly interfaces = new Map<number, number>();
  private readonly snapLength: number;
  private readonly interfaceName: (protocol: number) => string;
  private closed = false;
  /** Datagrams written. */
  count = 0;

  constructor(sink: ChunkSink, options: PcapngWriterOptions = {}) {
    this.out = new OutputBuffer(sink, options.chunkBytes);
    this.snapLength = checkSnapLength(options.snapLength);
    this.interfaceName = options.interfaceName ?? ((p) => `netlink-${protocolName(p)}`);
    this.sectionHeader(options.application ?? 'nlkit');
  }

  /** Appends one datagram (copied); hands full chunks to the sink. */
  write(d: NetlinkDatagram): void {
    if (this.closed) throw new ArgumentError('write after close');
    checkDatagram(d);
    const id = this.interfaces.get(d.protocol) ?? this.interfaceBlock(d.protocol);
    const ns = d.timestampNs ?? nowNs();
    if (ns > MAX_NS) throw new ArgumentError('datagram.timestampNs does not fit in 64 bits');
    const captured = Math.min(SLL_HEADER_BYTES + d.data.length, this.snapLength);
    const original = SLL_HEADER_BYTES + (d.originalLength ?? d.data.length);
    const flags = d.direction === 'in' ? EPB_FLAG_INBOUND : d.direction === 'out' ? EPB_FLAG_OUTBOUND : 0;
    const options = flags ? 12 : 0; // epb_flags (4 + 4) and opt_endofopt
    const length = 28 + pad4(captured) + options + 4;
    const at = this.out.reserve(length);
    const b = this.out.bytes;
    putU32le(b, at, PCAPNG_EPB);
    putU32le(b, at + 4, length);
    putU32le(b, at + 8, id);
    putU32le(b, at + 12, Number(ns >> 32n));
    putU32le(b, at + 16, Number(ns & MASK32));
    putU32le(b, at + 20, captured);
    putU32le(b, at + 24, original);
    writeCookedHeader(b, at + 28, d);
    b.set(d.data.subarray(0, captured - SLL_HEADER_BYTES), at + 28 + SLL_HEADER_BYTES);
    if (flags) {
      const o = at + 28 + pad4(captured);
      putU16le(b, o, EPB_FLAGS);
      putU16le(b, o + 2, 4);
      putU32le(b, o + 4, flags);
    }
    putU32le(b, at + length - 4, length);
    this.count++;
    if (this.out.full) this.out.flush();
  }

  /** Hands what is buffered to the sink. */
  flush(): void {
    this.out.flush();
  }

  /** Flushes; later writes throw. */
  close(): void {
    if (this.closed) return;
    this.out.flush();
    this.closed = true;
  }

  /** The interface id of a protocol, declaring it first if new. */
  interfaceFor(protocol: number): number {
    checkDatagram({ protocol, data: new Uint8Array(0) });
    return this.interfaces.get(protocol) ?? this.interfaceBlock(protocol);
  }

  private sectionHeader(application: string): void {
    const options = stringOptionBytes(application) + 4;
    const length = 28 + options + 4;
    const at = this.out.reserve(length);
    const b = this.out.bytes;
    putU32le(b, at, PCAPNG_SHB);
    putU32le(b, at + 4, length);
    putU32le(b, at + 8, PCAPNG_BYTE_ORDER_MAGIC);
    putU16le(b, at + 12, 1);
    putU16le(b, at + 14, 0);
    putU32le(b, at + 16, 0xffffffff); // section length -1: not given
    putU32le(b, at + 20, 0xffffffff);
    writeStringOption(b, at + 24, SHB_USERAPPL, application);
    putU32le(b, at + length - 4, length);
  }

  private interfaceBlock(protocol: number): number {
    const id = this.interfaces.size;
    const name = this.interfaceName(protocol);
    const options = stringOptionBytes(name) + 8 + 4; // if_name, if_tsresol, opt_endofopt
    const length = 20 + options + 4;
    const at = this.out.reserve(length);
    const b = this.out.bytes;
    putU32le(b, at, PCAPNG_IDB);
    putU32le(b, at + 4, length);
    putU16le(b, at + 8, LINKTYPE_NETLINK);
    putU32le(b, at + 12, this.snapLength);
    let o = at + 16;
    o = writeStringOption(b, o, IF_NAME, name);
    putU16le(b, o, IF_TSRESOL);
    putU16le(b, o + 2, 1);
    b[o + 4] = NANOSECONDS;
    putU32le(b, at + length - 4, length);
    this.interfaces.set(protocol, id);
    return id;
  }
}

function stringOptionBytes(text: string): number {
  const n = utf8(text).length;
  if (n > 0xffff) throw new ArgumentError(`option text of ${n} bytes is longer than an option can hold`);
  return 4 + pad4(n);
}

/** Writes a string option at `o`; returns the offset after it. */
function writeStringOption(b: Uint8Array, o: number, code: number, text: string): number {
  const bytes = utf8(text);
  putU16le(b, o, code);
  putU16le(b, o + 2, bytes.length);
  b.set(bytes, o + 4);
  return o + 4 + pad4(bytes.length);
}

export function checkSnapLength(snapLength: number | undefined): number {
  const s = snapLength ?? DEFAULT_SNAP_LENGTH;
  if (!Number.isInteger(s) || s < SLL_HEADER_BYTES || s > 0x7fffffff) {
    throw new ArgumentError(`snapLength ${String(snapLength)} must be an integer from ${SLL_HEADER_BYTES} up`);
  }
  return s;
}
