// What the pcap and pcapng parsers share: the input queue, record numbering,
// and the way they stop on a problem that leaves nothing further readable.

import type { DecodeError } from '../codec/errors.js';
import { ArgumentError, TruncatedError } from '../codec/errors.js';
import type { ByteQueue } from './byte-queue.js';
import { TraceRecord, type RecordClock, type TraceInterface } from './record.js';

export interface ReaderLimits {
  /**
   * Largest packet record or block the reader buffers, in bytes (default
   * 16 MiB). A larger pcap record means a corrupt file (the reader stops); a
   * larger pcapng packet block is skipped with a problem record.
   */
  maxRecordBytes?: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;
const EMPTY: Uint8Array = new Uint8Array(0);

export abstract class RecordParser {
  protected count = 0;
  /** Nothing more will be yielded. */
  done = false;
  protected readonly maxRecordBytes: number;

  constructor(protected readonly queue: ByteQueue, limits: ReaderLimits) {
    const max = limits.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    if (!Number.isInteger(max) || max < 16) throw new ArgumentError(`maxRecordBytes ${String(limits.maxRecordBytes)} must be an integer of at least 16`);
    this.maxRecordBytes = max;
  }

  /** The next record, or null when more input is needed (or, with `done`, when there is no more). */
  abstract next(): TraceRecord | null;

  protected packet(
    fileOffset: number, iface: TraceInterface | null, clock: RecordClock | null, tsA: number, tsB: number,
    capturedLength: number, originalLength: number, bytes: Uint8Array, problem: DecodeError | null, flagsDirection: number,
  ): TraceRecord {
    return new TraceRecord(
      ++this.count, 'packet', fileOffset, iface, clock, tsA, tsB, capturedLength, originalLength, bytes, problem, flagsDirection, false,
    );
  }

  /** A record that carries only a problem; `stop` ends the reading. */
  protected problem(error: DecodeError, stop: boolean, iface: TraceInterface | null = null): TraceRecord {
    if (stop) this.done = true;
    return new TraceRecord(++this.count, 'problem', error.offset, iface, null, 0, 0, 0, 0, EMPTY, error, 0, stop);
  }

  /**
   * When `n` bytes at the read position are not all there: null to wait for
   * more, or, once the input has ended, the final record saying where the
   * file was cut off.
   */
  protected missing(n: number, what: string, offset: number): TraceRecord | null {
    if (!this.queue.ended) return null;
    return this.problem(new TruncatedError(`the file ends inside ${what}: ${this.queue.available} of ${n} bytes are there`, offset), true);
  }

  /** At a record boundary: true (and done) when the input ended cleanly here. */
  protected atCleanEnd(): boolean {
    if (this.queue.ended && this.queue.available === 0) this.done = true;
    return this.done;
  }
}
