// Node file helpers for traces (the rest of src/trace/ runs anywhere).

import { closeSync, createReadStream, createWriteStream, openSync, writeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArgumentError } from '../codec/errors.js';
import type { NetlinkDatagram } from './datagram.js';
import { encodeTrace } from './encode-trace.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter, type PcapngWriterOptions } from './pcapng-writer.js';
import { readTrace, type ReadTraceOptions } from './read-trace.js';
import type { TraceRecord } from './record.js';
import { PcapngRecorder } from './recorder.js';
import type { TraceFormat } from './trace-decoder.js';

/** The records of a capture file, streamed in 64 KiB reads. */
export function readTraceFile(path: string, options: ReadTraceOptions = {}): AsyncGenerator<TraceRecord, void, undefined> {
  return readTrace(createReadStream(path, { highWaterMark: 64 * 1024 }), options);
}

/** Writes `datagrams` to a capture file, with backpressure. */
export async function writeTraceFile(
  path: string,
  datagrams: AsyncIterable<NetlinkDatagram> | Iterable<NetlinkDatagram>,
  format: TraceFormat = 'pcapng',
  options: PcapngWriterOptions = {},
): Promise<void> {
  await pipeline(Readable.from(encodeTrace(datagrams, format, options)), createWriteStream(path));
}

/**
 * A writer whose chunks go straight to a file with synchronous writes: for
 * recording from synchronous code (a transport tee) in order and without an
 * unbounded queue. close() flushes and closes the file.
 */
export class TraceFileWriter {
  private fd: number;
  readonly writer: PcapngWriter | PcapWriter;

  constructor(readonly path: string, format: TraceFormat = 'pcapng', options: PcapngWriterOptions = {}) {
    if (format !== 'pcap' && format !== 'pcapng') throw new ArgumentError(`unknown trace format ${String(format)}`);
    this.fd = openSync(path, 'w');
    const sink = (chunk: Uint8Array) => {
      for (let at = 0; at < chunk.length; ) at += writeSync(this.fd, chunk, at, chunk.length - at);
    };
    this.writer = format === 'pcap' ? new PcapWriter(sink, options) : new PcapngWriter(sink, options);
  }

  write(d: NetlinkDatagram): void {
    this.writer.write(d);
  }

  flush(): void {
    this.writer.flush();
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      this.writer.close();
    } finally {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

/** A recorder (for teeTransport) that writes pcapng to a file; close() when done. */
export class FileRecorder extends PcapngRecorder {
  readonly file: TraceFileWriter;

  constructor(path: string, options: PcapngWriterOptions = {}) {
    const file = new TraceFileWriter(path, 'pcapng', options);
    super(file.writer as PcapngWriter);
    this.file = file;
  }

  override close(): void {
    this.file.close();
  }
}
