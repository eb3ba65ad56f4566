// A push decoder for either format: chunks in (push), records out (next),
// the format told apart by the first four bytes. Synchronous, so that it
// serves a worker's message loop as well as the async iterator of readTrace.
//
//   const d = new TraceDecoder();
//   d.push(chunk); for (let r; (r = d.next()); ) use(r);
//   ...
//   d.end();       for (let r; (r = d.next()); ) use(r);   // the last may report a cut-off file

import { MalformedError, TruncatedError } from '../codec/errors.js';
import { ByteQueue } from './byte-queue.js';
import { PCAPNG_SHB } from './format.js';
import { PcapParser, pcapMagic, type PcapHeader } from './pcap-reader.js';
import { PcapngParser, type PcapngSection } from './pcapng-reader.js';
import { RecordParser, type ReaderLimits } from './record-parser.js';
import { TraceRecord } from './record.js';

export type TraceFormat = 'pcap' | 'pcapng';

export class TraceDecoder {
  private readonly queue = new ByteQueue();
  private parser: RecordParser | null = null;
  private failed = false;

  constructor(private readonly limits: ReaderLimits = {}) {}

  /** 'pcap' or 'pcapng' once the first four bytes have arrived. */
  get format(): TraceFormat | null {
    return this.parser instanceof PcapParser ? 'pcap' : this.parser instanceof PcapngParser ? 'pcapng' : null;
  }

  /** The pcap file header, once read. */
  get pcapHeader(): PcapHeader | null {
    return this.parser instanceof PcapParser ? this.parser.header : null;
  }

  /** The pcapng sections read so far. */
  get sections(): readonly PcapngSection[] {
    return this.parser instanceof PcapngParser ? this.parser.sections : [];
  }

  /** Byte offset in the stream of the next unread byte. */
  get position(): number {
    return this.queue.position;
  }

  /** True when no further record will come. */
  get done(): boolean {
    return this.failed || (this.parser?.done ?? false);
  }

  push(chunk: Uint8Array): void {
    this.queue.push(chunk);
  }

  /** No more input: next() now reports a file cut off mid-record instead of waiting. */
  end(): void {
    this.queue.end();
  }

  /** The next record, or null: more input is needed, or (see `done`) there is nothing more. */
  next(): TraceRecord | null {
    if (this.failed) return null;
    if (!this.parser) {
      const q = this.queue;
      if (!q.has(4)) {
        if (!q.ended) return null;
        this.failed = true;
        return problemRecord(new TruncatedError(`the file ends inside its first 4 bytes: ${q.available} of 4 are there`, 0));
      }
      const b0 = q.byte(0), b1 = q.byte(1), b2 = q.byte(2), b3 = q.byte(3);
      if (pcapMagic(b0, b1, b2, b3)) this.parser = new PcapParser(q, this.limits);
      else if (((b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0) === PCAPNG_SHB) this.parser = new PcapngParser(q, this.limits);
      else {
        this.failed = true;
        const hex = [b0, b1, b2, b3].map((b) => b.toString(16).padStart(2, '0')).join(' ');
        return problemRecord(new MalformedError(`not a pcap or pcapng file (starts with ${hex})`, 0));
      }
    }
    return this.parser.next();
  }
}

function problemRecord(error: TruncatedError | MalformedError): TraceRecord {
  return new TraceRecord(1, 'problem', error.offset, null, null, 0, 0, 0, 0, new Uint8Array(0), error, 0, true);
}
