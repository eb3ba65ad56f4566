// The writers as async iterables: datagrams in, file chunks out (for a
// ReadableStream, a fetch body, a Node stream pipeline...).

import type { NetlinkDatagram } from './datagram.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter, type PcapngWriterOptions } from './pcapng-writer.js';
import type { TraceFormat } from './trace-decoder.js';

export async function* encodeTrace(
  datagrams: AsyncIterable<NetlinkDatagram> | Iterable<NetlinkDatagram>,
  format: TraceFormat = 'pcapng',
  options: PcapngWriterOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const ready: Uint8Array[] = [];
  const sink = (chunk: Uint8Array) => void ready.push(chunk);
  const writer = format === 'pcap' ? new PcapWriter(sink, options) : new PcapngWriter(sink, options);
  for await (const d of datagrams) {
    writer.write(d);
    while (ready.length) yield ready.shift()!;
  }
  writer.close();
  while (ready.length) yield ready.shift()!;
}

/** A whole capture of `datagrams` in memory. */
export function encodeTraceSync(datagrams: Iterable<NetlinkDatagram>, format: TraceFormat = 'pcapng', options: PcapngWriterOptions = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  const sink = (chunk: Uint8Array) => void chunks.push(chunk);
  const writer = format === 'pcap' ? new PcapWriter(sink, options) : new PcapngWriter(sink, options);
  for (const d of datagrams) writer.write(d);
  writer.close();
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
