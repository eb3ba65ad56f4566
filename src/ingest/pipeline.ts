// The ingestion pipeline: socket → WASM scan → lazy decode → bounded queue →
// sink, with every loss counted and reported as an event.
//
//   readable ─► receive (recvmmsg into the scanner's WASM region, many datagrams)
//            ─► scan (one WASM call) ─► source.decode per message ─► queue ─┐
//   sink loop ◄─ batches of up to `batchSize` events ◄───────────────────────┘
//
// Backpressure: when the queue holds `queue` events the pipeline stops
// reading ('pause', the default) and the socket's own buffer absorbs the
// burst; if that overflows too, the kernel reports ENOBUFS, which becomes a
// loss record (and, with onOverrun 'resync', a re-dump of the state). With
// 'drop' the pipeline keeps reading and counts what it discards instead.
// A sink that throws loses that batch: counted, and reported to the sink
// itself in the next batch as a loss record.

import { loadCodec, type Codec, type Scanner } from '../codec/index.js';
import { ArgumentError, DecodeError } from '../codec/errors.js';
import { RECV_META_STRIDE, RECV_META_LENGTH, RECV_META_PORT } from '../transport/transport.js';
import { nowNs } from '../trace/clock.js';
import type { IngestEvent, LossSource, PipelineSummary } from './event.js';
import type { Source, SourceEvent, SourceOutput } from './sources.js';

export interface Sink {
  /** Keep each message's bytes on its event (pcapng needs them). */
  readonly wantsBytes?: boolean;
  /** Takes a batch; the pipeline waits for it (backpressure). Throwing loses the batch, counted. */
  write(events: IngestEvent[]): Promise<void> | void;
  /** Flushes and releases; called once at the end. */
  close(): Promise<void> | void;
  /** Asked to give up a write that waits on something slow: the pipeline is stopping. */
  interrupt?(): void;
}

export interface PipelineOptions {
  /** Datagrams per receive call (default 64). */
  slots?: number;
  /** Bytes per datagram slot (default 16 KiB). */
  slotSize?: number;
  /** Most events queued for the sink (default 65536). */
  queue?: number;
  /** Most events per sink write (default 1024). */
  batchSize?: number;
  /** 'pause' (default): stop reading while the queue is full; 'drop': read on and count what is dropped. */
  whenFull?: 'pause' | 'drop';
  /** After a kernel overrun: 'continue' (default) reports it; 'resync' also re-dumps the state when the source can. */
  onOverrun?: 'continue' | 'resync';
  /** Stops the pipeline: what was received is flushed to the sink, then it closes. */
  signal?: AbortSignal;
  codec?: Codec;
}

export class Pipeline {
  readonly summary: PipelineSummary = {
    delivered: 0, received: 0, datagrams: 0, receiveCalls: 0, malformed: 0, spoofed: 0, resyncs: 0, queueHighWater: 0,
    kernelOverruns: 0, sequenceGaps: 0, localDropped: 0, sinkFailed: 0,
  };
  private readonly codec: Codec;
  private readonly scanner: Scanner;
  private readonly meta: Uint32Array;
  private readonly slots: number;
  private readonly slotSize: number;
  private readonly bound: number;
  private readonly batchSize: number;
  private readonly whenFull: 'pause' | 'drop';
  private readonly onOverrun: 'continue' | 'resync';
  private readonly keepBytes: boolean;
  private queue: IngestEvent[] = [];
  private seq = 0;
  private pendingDrops = 0;
  private paused = false;
  private stopping = false;
  private wake: (() => void) | null = null;
  private resyncing: Promise<void> | null = null;
  private readonly output: SourceOutput;
  private failure: Error | null = null;
  private receivedAt = 0n;

  constructor(readonly source: Source, readonly sink: Sink, private readonly options: PipelineOptions = {}) {
    this.codec = options.codec ?? loadCodec();
    this.slots = options.slots ?? 64;
    this.slotSize = options.slotSize ?? 16384;
    this.bound = options.queue ?? 65536;
    this.batchSize = options.batchSize ?? 1024;
    this.whenFull = options.whenFull ?? 'pause';
    this.onOverrun = options.onOverrun ?? 'continue';
    if (!(this.slots >= 1 && this.slotSize >= 16 && this.bound >= 1 && this.batchSize >= 1)) {
      throw new ArgumentError('slots, queue and batchSize must be >= 1 and slotSize >= 16');
    }
    this.keepBytes = sink.wantsBytes === true;
    this.scanner = this.codec.scanner();
    this.meta = new Uint32Array(this.slots * RECV_META_STRIDE);
    this.output = {
      event: (e) => this.enqueue(e),
      gap: (dropped, detail) => this.loss('sequence', dropped, detail),
    };
  }

  /** Runs until the signal aborts (or the socket fails); resolves with the summary once the sink is closed. */
  async run(): Promise<PipelineSummary> {
    const signal = this.options.signal;
    const onAbort = () => this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) this.stopping = true;
    this.source.transport.setReadableHandler(() => this.readable());
    try {
      await this.sinkLoop();
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.source.transport.setReadableHandler(null);
      this.scanner.release();
      try {
        await this.sink.close();
      } finally {
        this.source.close();
      }
    }
    if (this.failure) throw this.failure;
    return this.summary;
  }

  /** Stops reading; what is queued (and what the socket still holds) goes to the sink first. */
  stop(): void {
    if (this.stopping) return;
    // One last read: events the kernel already queued for us are "received".
    if (!this.source.transport.closed) this.readable(true);
    this.stopping = true;
    this.sink.interrupt?.();
    this.wake?.();
  }

  // ── receiving ───────────────────────────────────────────────────────────

  private readable(final = false): void {
    if (this.stopping || this.failure) return;
    const t = this.source.transport;
    try {
      while (final || !this.paused) {
        const region = this.scanner.input(this.slots * this.slotSize);
        const result = t.receive({ region, slotSize: this.slotSize, slots: this.slots, meta: this.meta });
        if (result.overrun) this.kernelOverrun();
        if (result.datagrams === 0) break;
        // One receive time for the datagrams of one call: a clock read per message costs more than it tells.
        this.receivedAt = nowNs();
        this.summary.receiveCalls++;
        this.summary.datagrams += result.datagrams;
        if (this.source.raw) {
          for (let d = 0; d < result.datagrams; d++) {
            if (!this.fromKernel(d)) continue;
            const length = this.meta[d * RECV_META_STRIDE + RECV_META_LENGTH]!;
            this.decodeSafely(() => this.source.decodeDatagram!(region.subarray(d * this.slotSize, d * this.slotSize + length), this.keepBytes, this.output), d * this.slotSize);
          }
        } else {
          // A datagram not from the kernel is scanned as empty: it yields no message.
          for (let d = 0; d < result.datagrams; d++) {
            this.scanner.setDatagram(d, d * this.slotSize, this.fromKernel(d) ? this.meta[d * RECV_META_STRIDE + RECV_META_LENGTH]! : 0);
          }
          const batch = this.scanner.scan(result.datagrams);
          for (let i = 0; i < batch.count; i++) {
            const error = batch.error(i);
            if (error) {
              this.malformed(error);
              continue;
            }
            this.decodeSafely(() => this.source.decode(batch, i, this.keepBytes, this.output), batch.offset(i));
          }
        }
        if (this.queue.length >= this.bound && this.whenFull === 'pause' && !final) {
          this.paused = true;
          t.setReadableHandler(null);
        }
      }
    } catch (e) {
      // A socket failure ends the pipeline after flushing what came before it.
      this.failure = e as Error;
      this.stopping = true;
      this.wake?.();
    }
  }

  /** Whether datagram d came from the kernel (port 0); others are counted and dropped, as the socket engine drops them. */
  private fromKernel(d: number): boolean {
    if (this.meta[d * RECV_META_STRIDE + RECV_META_PORT] === 0) return true;
    this.summary.spoofed++;
    return false;
  }

  private decodeSafely(fn: () => void, offset: number): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof DecodeError) this.malformed(e);
      else if (e instanceof Error) this.malformed(Object.assign(e, { offset }));
      else throw e;
    }
  }

  private malformed(error: Error & { offset?: number }): void {
    this.summary.malformed++;
    this.push({ kind: 'malformed', seq: ++this.seq, timeNs: nowNs(), family: this.source.family, error: error.message, offset: error.offset ?? null }, true);
  }

  private kernelOverrun(): void {
    this.summary.kernelOverruns++;
    this.loss('kernel', null, 'the socket receive buffer overflowed (ENOBUFS)');
    if (this.onOverrun === 'resync' && this.source.resync && !this.resyncing) {
      const resync = this.source.resync.bind(this.source);
      this.resyncing = (async () => {
        try {
          const count = await resync(this.output);
          this.summary.resyncs++;
          this.push({ kind: 'resync', seq: ++this.seq, timeNs: nowNs(), family: this.source.family, count }, true);
        } catch (e) {
          this.push({ kind: 'malformed', seq: ++this.seq, timeNs: nowNs(), family: this.source.family, error: `resync failed: ${(e as Error).message}`, offset: null }, true);
        } finally {
          this.resyncing = null;
          this.wake?.();
        }
      })();
    }
  }

  private loss(source: LossSource, dropped: number | null, detail?: string): void {
    if (source === 'sequence') this.summary.sequenceGaps += dropped ?? 0;
    const record: IngestEvent = { kind: 'loss', seq: ++this.seq, timeNs: nowNs(), source, dropped, family: this.source.family };
    if (detail) record.detail = detail;
    this.push(record, true);
  }

  private enqueue(e: SourceEvent): void {
    this.summary.received++;
    const event: IngestEvent = { kind: 'event', seq: 0, timeNs: e.resync ? nowNs() : this.receivedAt, family: e.family, name: e.name, data: e.data, protocol: this.source.protocol };
    if (e.bytes) event.bytes = e.bytes;
    if (e.resync) event.resync = true;
    if (this.queue.length >= this.bound && this.whenFull === 'drop') {
      this.pendingDrops++;
      this.summary.localDropped++;
      return;
    }
    event.seq = ++this.seq;
    this.push(event, false);
  }

  /** Loss records bypass the bound: they are what tells of the loss. */
  private push(event: IngestEvent, record: boolean): void {
    if (!record && this.pendingDrops > 0) {
      const dropped = this.pendingDrops;
      this.pendingDrops = 0;
      this.queue.push({ kind: 'loss', seq: event.seq, timeNs: nowNs(), source: 'local', dropped, family: this.source.family, detail: 'the pipeline queue was full' });
      event.seq = ++this.seq;
    }
    this.queue.push(event);
    if (this.queue.length > this.summary.queueHighWater) this.summary.queueHighWater = this.queue.length;
    this.wake?.();
  }

  // ── the sink side ─────────────────────────────────────────────────────────

  private async sinkLoop(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        if (this.pendingDrops > 0) {
          const dropped = this.pendingDrops;
          this.pendingDrops = 0;
          this.queue.push({ kind: 'loss', seq: ++this.seq, timeNs: nowNs(), source: 'local', dropped, family: this.source.family, detail: 'the pipeline queue was full' });
          continue;
        }
        if (this.stopping && !this.resyncing) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
        continue;
      }
      const batch = this.queue.length <= this.batchSize ? this.queue : this.queue.slice(0, this.batchSize);
      this.queue = batch === this.queue ? [] : this.queue.slice(this.batchSize);
      try {
        await this.sink.write(batch);
        this.summary.delivered += batch.length;
      } catch (e) {
        this.summary.sinkFailed += batch.length;
        // Reported downstream in the next batch; consecutive failures merge into one record.
        const head = this.queue[0];
        if (head?.kind === 'loss' && head.source === 'sink') head.dropped = (head.dropped ?? 0) + batch.length;
        else this.queue.unshift({ kind: 'loss', seq: ++this.seq, timeNs: nowNs(), source: 'sink', dropped: batch.length, family: this.source.family, detail: (e as Error).message });
        if (this.stopping && this.sinkFailuresInARow++ > 3) {
          // A sink that fails while stopping would keep us here forever.
          this.summary.sinkFailed += this.queue.length;
          this.queue = [];
          return;
        }
        if (!this.stopping) this.sinkFailuresInARow++;
        // Back off so a sink that is down does not spin the loop.
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 5 * 2 ** Math.min(this.sinkFailuresInARow, 8))));
        continue;
      }
      this.sinkFailuresInARow = 0;
      if (this.paused && this.queue.length < this.bound / 2) {
        this.paused = false;
        this.source.transport.setReadableHandler(() => this.readable());
      }
    }
  }

  private sinkFailuresInARow = 0;
}

/** Runs `source` into `sink` until `options.signal` aborts. */
export function runPipeline(source: Source, sink: Sink, options: PipelineOptions = {}): Promise<PipelineSummary> {
  return new Pipeline(source, sink, options).run();
}
