// Captured traces: pcap and pcapng readers and writers for netlink traffic
// (LINKTYPE_NETLINK, LINUX_SLL, LINUX_SLL2). Runs in browsers, workers and
// Node; file helpers for Node are in ./node.js.
//
//   for await (const rec of readTrace(file.stream())) {      // pcap or pcapng, any chunking
//     if (rec.problem) console.warn(rec.problem.message);     // typed, with the file offset
//     if (!rec.netlink) continue;
//     const batch = scanRecord(rec, codec);                   // the codec reads the datagram
//   }
//
//   const w = new PcapngWriter((chunk) => out.push(chunk));
//   w.write({ protocol: NETLINK_ROUTE, data, direction: 'out', portId });
//   w.close();

export { readTrace, readTraceSync, chunksOf, type TraceSource, type TraceChunk, type ReadTraceOptions } from './read-trace.js';
export { TraceDecoder, type TraceFormat } from './trace-decoder.js';
export { TraceRecord, type TraceInterface, type Direction } from './record.js';
export { type ReaderLimits, DEFAULT_MAX_RECORD_BYTES } from './record-parser.js';
export { type PcapHeader } from './pcap-reader.js';
export { type PcapngSection, PcapngInterface } from './pcapng-reader.js';
export { PcapngWriter, type PcapngWriterOptions, type TraceWriterOptions } from './pcapng-writer.js';
export { PcapWriter } from './pcap-writer.js';
export { encodeTrace, encodeTraceSync } from './encode-trace.js';
export { type NetlinkDatagram, PACKET_TYPE_UNKNOWN, DEFAULT_SNAP_LENGTH } from './datagram.js';
export { type ChunkSink, DEFAULT_CHUNK_BYTES } from './output-buffer.js';
export { PcapngRecorder, type TraceRecorder, type CapturedDatagram } from './recorder.js';
export { scanRecord } from './scan-record.js';
export { nowNs } from './clock.js';
export { protocolName } from './protocols.js';
export { TimestampScale } from './timestamps.js';
export * from './format.js';
