// A NATS JetStream sink: each host's agent publishes its events to one stream
// under `<prefix>.<host>.<family>`, acknowledged, with a deduplication id
// (Nats-Msg-Id = "<host>:<sequence>") from a sequence that survives restarts.
//
// Exactly-once across restarts, by a write-ahead spool in `stateDir`:
//
//   write(batch) ─► assign seq (next after the persisted high mark)
//               ─► append to <host>.spool (JSON lines)      ◄─ replayed on start
//               ─► publish in order, await acks
//               ─► persist <host>.acked = last acked seq; empty the spool
//
// A crash between publish and the ack record republishes the same ids on
// start; the stream drops the repeats inside its duplicate window. Order per
// host holds because one connection delivers publishes in order: when one
// fails, the ones after it never arrived, and are sent again after it.

import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { ArgumentError } from '../../codec/errors.js';
import type { IngestEvent } from '../event.js';
import { eventRecord } from '../format.js';
import type { Sink } from '../pipeline.js';

export interface JetStreamSinkOptions {
  /** Server address(es), e.g. '127.0.0.1:4222'. */
  servers: string | string[];
  /** Directory for the spool and the persisted sequence (required: it is what makes restarts safe). */
  stateDir: string;
  /** The host name in subjects and ids (default: os.hostname(), dots made underscores). */
  host?: string;
  /** Stream name (default 'NLKIT'); created with subject `<prefix>.>` when missing. */
  stream?: string;
  /** Subject prefix (default 'nlkit'). */
  prefix?: string;
  /** Deduplication window of a created stream, in milliseconds (default 2 minutes). */
  duplicateWindowMs?: number;
  /** How long close() keeps retrying what is unacknowledged (default 5 s); the rest stays spooled. */
  closeTimeoutMs?: number;
  /**
   * Unacknowledged entries past which write() waits for the server however
   * long it takes (backpressure; default 65536). Below it, write() returns
   * after a short try and the spool holds the rest for the next write.
   */
  maxPending?: number;
}

interface Spooled {
  seq: number;
  subject: string;
  payload: string;
}

/** A subject token: NATS forbids '.', '*', '>' and whitespace inside one. */
export function subjectToken(text: string): string {
  const token = text.replace(/[.*>\s]/g, '_');
  if (!token) throw new ArgumentError(`'${text}' cannot be a subject token`);
  return token;
}

export class JetStreamSink implements Sink {
  readonly host: string;
  readonly stream: string;
  readonly prefix: string;
  /** Publishes the server acknowledged, and how many of those it reported as duplicates. */
  readonly stats = { published: 0, duplicates: 0, replayed: 0, retries: 0 };
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private pending: Spooled[] = [];
  private interrupted = false;
  /** The last publish error, while entries wait to be retried. */
  lastError: string | null = null;
  private nextSeq = 1;
  private readonly spoolPath: string;
  private readonly ackedPath: string;

  private constructor(private readonly options: JetStreamSinkOptions) {
    this.host = subjectToken(options.host ?? hostname());
    this.stream = options.stream ?? 'NLKIT';
    this.prefix = options.prefix ?? 'nlkit';
    mkdirSync(options.stateDir, { recursive: true });
    this.spoolPath = join(options.stateDir, `${this.host}.spool`);
    this.ackedPath = join(options.stateDir, `${this.host}.acked`);
  }

  /** Connects, makes sure the stream exists, and republishes what a previous run left unacknowledged. */
  static async open(options: JetStreamSinkOptions): Promise<JetStreamSink> {
    const sink = new JetStreamSink(options);
    sink.restore();
    sink.nc = await connect({ servers: options.servers, name: `nlkit-${sink.host}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    try {
      const jsm = await jetstreamManager(sink.nc);
      try {
        await jsm.streams.info(sink.stream);
      } catch {
        await jsm.streams.add({
          name: sink.stream, subjects: [`${sink.prefix}.>`],
          duplicate_window: (options.duplicateWindowMs ?? 120_000) * 1_000_000,
        });
      }
      sink.js = jetstream(sink.nc);
      sink.stats.replayed = sink.pending.length;
      await sink.flush(Date.now() + 10_000);
    } catch (e) {
      await sink.nc.close();
      throw e;
    }
    return sink;
  }

  /** The persisted high mark and the spooled, unacknowledged entries. */
  private restore(): void {
    const acked = existsSync(this.ackedPath) ? Number(readFileSync(this.ackedPath, 'utf8').trim()) : 0;
    if (!Number.isSafeInteger(acked) || acked < 0) throw new ArgumentError(`${this.ackedPath} does not hold a sequence number`);
    let high = acked;
    if (existsSync(this.spoolPath)) {
      for (const line of readFileSync(this.spoolPath, 'utf8').split('\n')) {
        if (!line) continue;
        let entry: Spooled;
        try {
          entry = JSON.parse(line) as Spooled;
        } catch {
          continue; // a line cut short by a crash: it was never published either
        }
        if (entry.seq > acked) this.pending.push(entry);
        high = Math.max(high, entry.seq);
      }
    }
    this.nextSeq = high + 1;
  }

  /** The id the stream deduplicates on. */
  messageId(seq: number): string {
    return `${this.host}:${seq}`;
  }

  async write(events: IngestEvent[]): Promise<void> {
    let lines = '';
    for (const e of events) {
      const seq = this.nextSeq++;
      const record = eventRecord(e, this.host);
      record.hostSeq = seq;
      const entry: Spooled = { seq, subject: `${this.prefix}.${this.host}.${subjectToken(familyOf(e))}`, payload: JSON.stringify(record) };
      this.pending.push(entry);
      lines += `${JSON.stringify(entry)}\n`;
    }
    // Spooled before it is sent: from here on a crash loses nothing.
    appendFileSync(this.spoolPath, lines);
    const blocking = this.pending.length > (this.options.maxPending ?? 65536);
    await this.flush(blocking ? Infinity : Date.now() + 1000);
  }

  /** Stops a write that waits for the server (the pipeline is shutting down). */
  interrupt(): void {
    this.interrupted = true;
  }

  /**
   * Publishes the pending entries in order until all are acknowledged, or
   * `deadline` (ms since the epoch) passes, or interrupt(). What is left
   * stays pending and spooled; returns whether nothing is.
   */
  private async flush(deadline: number): Promise<boolean> {
    let delay = 50;
    while (this.pending.length > 0) {
      if (this.interrupted) return false;
      const window = this.pending.slice(0, 1024);
      const results = await Promise.allSettled(window.map((p) => this.js!.publish(p.subject, p.payload, { msgID: this.messageId(p.seq), timeout: 5000 })));
      let acked = 0;
      for (const r of results) {
        if (r.status !== 'fulfilled') break;
        acked++;
        this.stats.published++;
        if (r.value.duplicate) this.stats.duplicates++;
      }
      if (acked > 0) {
        this.pending.splice(0, acked);
        this.persist(window[acked - 1]!.seq);
      }
      if (acked < window.length) {
        this.stats.retries++;
        this.lastError = String((results[acked] as PromiseRejectedResult).reason);
        if (Date.now() + delay > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
    return true;
  }

  private persist(ackedSeq: number): void {
    const tmp = `${this.ackedPath}.tmp`;
    writeFileSync(tmp, `${ackedSeq}\n`);
    renameSync(tmp, this.ackedPath);
    if (this.pending.length === 0) writeFileSync(this.spoolPath, '');
  }

  /** Entries still unacknowledged (kept in the spool for the next start). */
  get unacknowledged(): number {
    return this.pending.length;
  }

  /** Flushes for up to closeTimeoutMs; what is still unacknowledged stays spooled for the next start. */
  async close(): Promise<void> {
    this.interrupted = false;
    try {
      await this.flush(Date.now() + (this.options.closeTimeoutMs ?? 5000));
    } finally {
      await this.nc?.drain().catch(() => this.nc?.close());
    }
  }
}

function familyOf(e: IngestEvent): string {
  return e.family;
}
