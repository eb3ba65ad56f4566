// From capture records to netlink messages, a batch at a time: datagrams are
// staged, copied into the scanner's region together, scanned by the WASM
// codec in one call, and handed to the caller message by message through one
// reused cursor, while the batch is still valid. Nothing is allocated per
// message here; decoding a message's attributes is the caller's (lazy) choice.
//
//   records ─► stage (bytes + per-datagram facts) ─► region ─► scan ─► cursor ─► onMessage
//      └─ problem / non-netlink / empty records ─────────────────────────────► onProblem
//
// Offsets: every error names a byte offset in the file. A record's payload
// offset is its record/block offset plus the format's fixed header (pcap
// record header 16; pcapng EPB/OPB 28, SPB 12) plus the link-layer header.

import {
  type Batch, type Codec, type Scanner, DecodeError, MalformedError, TruncatedError, NLM_F_REQUEST, STATUS_OK,
} from '../../codec/index.js';
import type { TraceRecord } from '../record.js';

const STAGE_BYTES = 1 << 20;
const STAGE_DATAGRAMS = 8192;
const PCAP_RECORD_HEADER = 16;
const PCAPNG_PACKET_BLOCK_HEADER = 28;
const PCAPNG_SIMPLE_BLOCK_HEADER = 12;

/** One message of the capture, valid only during the onMessage call (the cursor is reused). */
export interface TraceMessage {
  /** 1-based position among the capture's messages. */
  number: number;
  /** The record (frame) it came in. */
  record: number;
  /** Byte offset of the message in the file. */
  fileOffset: number;
  /** Milliseconds since the epoch; NaN when the record has no time. */
  timeMs: number;
  /** As recorded ('out': sent by a socket), else from NLM_F_REQUEST. */
  direction: 'in' | 'out';
  /** True when the capture said which way it went; false when guessed from the flags. */
  directionKnown: boolean;
  protocol: number;
  type: number;
  flags: number;
  seq: number;
  /** nlmsg_pid as written. */
  pid: number;
  /** The socket's port: the recorded sender for outgoing messages with one, else nlmsg_pid. */
  port: number;
  length: number;
  /** A broken header or length (the codec's status), with the file offset; null when sound. */
  error: DecodeError | null;
  /** A problem of the whole record, e.g. cut by the snap length; null when none. */
  note: DecodeError | null;
  /** The scanned batch and the message's index in it (for lazy decoding). */
  batch: Batch;
  index: number;
  /** Maps an error from the codec or the schema (region offsets) to the file. */
  relocate(e: DecodeError): DecodeError;
}

/** A record that yields no messages, and why. */
export interface TraceProblem {
  record: number;
  fileOffset: number;
  timeMs: number;
  protocol: number;
  error: DecodeError;
}

export interface MessageStreamHandlers {
  onMessage(m: TraceMessage): void;
  onProblem(p: TraceProblem): void;
}

/** Moves an error to a file offset, dropping the batch-relative wording. */
export function relocateError(e: DecodeError, fileOffset: number, record: number): DecodeError {
  const text = e.message.replace(/ \(at byte \d+\)$/, '').replace(/datagram \d+/g, `record ${record}`);
  return e instanceof TruncatedError ? new TruncatedError(text, fileOffset) : new MalformedError(text, fileOffset);
}

/** Where a record's payload starts in the file. */
export function payloadFileOffset(r: TraceRecord, format: 'pcap' | 'pcapng' | null): number {
  const linkHeader = r.payload.byteOffset - r.packet.byteOffset;
  const blockHeader = format === 'pcap' ? PCAP_RECORD_HEADER : r.timeMs === null ? PCAPNG_SIMPLE_BLOCK_HEADER : PCAPNG_PACKET_BLOCK_HEADER;
  return r.fileOffset + blockHeader + linkHeader;
}

export class MessageStream {
  private readonly scanner: Scanner;
  private stage = new Uint8Array(STAGE_BYTES);
  private stageUsed = 0;
  private count = 0;
  private readonly starts = new Float64Array(STAGE_DATAGRAMS);
  private readonly lengths = new Float64Array(STAGE_DATAGRAMS);
  private readonly fileOffsets = new Float64Array(STAGE_DATAGRAMS);
  private readonly records = new Float64Array(STAGE_DATAGRAMS);
  private readonly times = new Float64Array(STAGE_DATAGRAMS);
  private readonly protocols = new Int32Array(STAGE_DATAGRAMS);
  private readonly directions = new Int8Array(STAGE_DATAGRAMS);
  private readonly senders = new Float64Array(STAGE_DATAGRAMS);
  private readonly notes: Array<DecodeError | null> = new Array<DecodeError | null>(STAGE_DATAGRAMS).fill(null);
  private readonly seen = new Uint8Array(STAGE_DATAGRAMS);
  private messages = 0;
  private readonly cursor: TraceMessage;
  private datagram = 0;

  constructor(codec: Codec, private readonly handlers: MessageStreamHandlers) {
    this.scanner = codec.scanner();
    const self = this;
    this.cursor = {
      number: 0, record: 0, fileOffset: 0, timeMs: NaN, direction: 'in', directionKnown: false, protocol: 0, type: 0, flags: 0,
      seq: 0, pid: 0, port: 0, length: 0, error: null, note: null, batch: null as unknown as Batch, index: 0,
      relocate(e: DecodeError): DecodeError {
        const d = self.datagram;
        return relocateError(e, self.fileOffsets[d]! + (e.offset - self.starts[d]!), self.records[d]!);
      },
    };
  }

  /** Takes one record; messages come out when the stage fills or at flush(). */
  push(r: TraceRecord, format: 'pcap' | 'pcapng' | null): void {
    const timeMs = r.timeMs ?? NaN;
    if (r.kind === 'problem' || !r.netlink || r.payload.length === 0) {
      this.flush();
      const error = r.problem
        ?? (!r.netlink
          ? new MalformedError(`record ${r.number} does not carry netlink (link type ${r.linkType})`, r.fileOffset)
          : new MalformedError(`record ${r.number} carries an empty netlink datagram`, r.fileOffset));
      this.handlers.onProblem({ record: r.number, fileOffset: r.fileOffset, timeMs, protocol: r.netlink ? r.protocol : -1, error });
      return;
    }
    const length = r.payload.length;
    if (this.count === STAGE_DATAGRAMS || this.stageUsed + length > this.stage.length) this.flush();
    if (length > this.stage.length) this.stage = new Uint8Array(length);
    const k = this.count++;
    this.stage.set(r.payload, this.stageUsed);
    this.starts[k] = this.stageUsed;
    this.lengths[k] = length;
    this.stageUsed += length;
    this.fileOffsets[k] = payloadFileOffset(r, format);
    this.records[k] = r.number;
    this.times[k] = timeMs;
    this.protocols[k] = r.protocol;
    this.directions[k] = r.direction === 'out' ? 1 : r.direction === 'in' ? 0 : -1;
    const a = r.address;
    this.senders[k] = a.length === 4 ? ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0 : -1;
    this.notes[k] = r.problem;
  }

  /** Scans what is staged and hands out its messages. */
  flush(): void {
    const n = this.count;
    if (n === 0) return;
    // Table first, region second: growing the table may move memory under a region view.
    for (let k = 0; k < n; k++) this.scanner.setDatagram(k, this.starts[k]!, this.lengths[k]!);
    this.scanner.input(this.stageUsed).set(this.stage.subarray(0, this.stageUsed));
    const batch = this.scanner.scan(n);
    const c = this.cursor;
    c.batch = batch;
    const seen = this.seen;
    seen.fill(0, 0, n);
    for (let i = 0; i < batch.count; i++) {
      const d = batch.datagram(i);
      this.datagram = d;
      seen[d] = 1;
      const flags = batch.flags(i);
      const direction = this.directions[d]!;
      const sender = this.senders[d]!;
      const pid = batch.pid(i);
      c.number = ++this.messages;
      c.record = this.records[d]!;
      c.fileOffset = this.fileOffsets[d]! + (batch.offset(i) - this.starts[d]!);
      c.timeMs = this.times[d]!;
      c.directionKnown = direction >= 0;
      c.direction = direction === 1 || (direction < 0 && (flags & NLM_F_REQUEST) !== 0) ? 'out' : 'in';
      c.protocol = this.protocols[d]!;
      c.type = batch.type(i);
      c.flags = flags;
      c.seq = batch.seq(i);
      c.pid = pid;
      c.port = c.direction === 'out' && sender > 0 ? sender : pid;
      c.length = batch.length(i);
      c.index = i;
      c.note = this.notes[d]!;
      c.error = batch.status(i) === STATUS_OK ? null : c.relocate(batch.error(i)!);
      this.handlers.onMessage(c);
    }
    // A datagram in which the codec found no message at all still says so.
    for (let k = 0; k < n; k++) {
      if (seen[k]) continue;
      this.handlers.onProblem({
        record: this.records[k]!, fileOffset: this.fileOffsets[k]!, timeMs: this.times[k]!, protocol: this.protocols[k]!,
        error: new MalformedError(`record ${this.records[k]} holds no netlink message`, this.fileOffsets[k]!),
      });
    }
    this.notes.fill(null, 0, n);
    this.count = 0;
    this.stageUsed = 0;
  }

  release(): void {
    this.scanner.release();
  }
}

