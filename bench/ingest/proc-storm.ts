// Proc connector ingestion, nlkit vs C, on the same event storms.
//
// The storm (storm.c) forks short-lived children as fast as the machine can;
// each makes a fork and an exit event naming the storm as parent, so every
// reader knows exactly how many events of the storm it must see: 2 x forks.
// Every reader is subscribed before the storm starts, so each gets its own
// copy of the same events from the kernel.
//
//   live   all readers read while the storm runs (C, nlkit's zero-copy reader,
//          and the full pipeline with decoded events): at the rate the machine
//          can generate, did anyone lose anything? (ENOBUFS, seq gaps)
//   drain  the readers hold still during the storm (256 MiB receive buffers),
//          then drain their queues one after the other, timed: events/s that
//          each can take, C first or nlkit first in alternate rounds.
//
// C: proc-reader.c (recvmmsg, NLMSG_OK/NEXT). nlkit: NativeTransport.receive
// into a scanner's WASM region, one scan per receive, ProcEventReader over
// offsets from the connector spec; and the Pipeline with decodeProcEvent.
//
//   npx tsc -p tsconfig.json && node dist/bench/ingest/proc-storm.js [--quick]

import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadCodec } from '../../src/codec/index.js';
import { RECV_META_LENGTH, RECV_META_STRIDE, type Transport } from '../../src/transport/transport.js';
import { packageRoot } from '../../src/transport/native-addon.js';
import { openProcConnector, ProcEventReader, PROC_EVENT_EXIT, PROC_EVENT_FORK } from '../../src/families/connector/index.js';
import { openSource } from '../../src/ingest/sources.js';
import { Pipeline, type Sink } from '../../src/ingest/pipeline.js';
import type { IngestEvent } from '../../src/ingest/event.js';
import { median } from '../report.js';

export interface StormFigure {
  name: string;
  unit: string;
  nlkit: number;
  reference: number;
  ratio: number;
  /** Loss seen by each side over all rounds: events of the storms not received, ENOBUFS, seq gaps. */
  loss?: Record<string, { missing: number; enobufs: number; gaps: number }>;
  detail?: string;
}

const SLOTS = 64;
const SLOT_SIZE = 4096;
const RCVBUF = 256 << 20;

interface ReaderReport {
  events: number;
  total: number;
  enobufs: number;
  gaps: number;
  seconds: number;
}

function compile(dir: string, name: string): string {
  const source = join(packageRoot(), 'bench', 'ingest', `${name}.c`);
  if (!existsSync(source)) throw new Error(`missing ${source}`);
  const binary = join(dir, name);
  execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', binary, source], { stdio: ['ignore', 'ignore', 'inherit'] });
  return binary;
}

/** The C reader as a child: resolves once it is subscribed. */
class CReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiter: (() => void) | null = null;

  constructor(binary: string, mode: 'live' | 'drain') {
    this.child = spawn(binary, [mode, String(SLOTS), String(RCVBUF)]);
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.waiter?.();
    });
  }

  private async line(): Promise<string> {
    while (this.lines.length === 0) {
      if (this.child.exitCode !== null) throw new Error(`the C reader exited with ${this.child.exitCode}`);
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 100);
      });
    }
    return this.lines.shift()!;
  }

  async ready(): Promise<void> {
    const line = await this.line();
    if (line !== 'ready') throw new Error(`the C reader said ${line}`);
  }

  async finish(command: string): Promise<ReaderReport> {
    this.child.stdin.end(`${command}\n`);
    return JSON.parse(await this.line()) as ReaderReport;
  }
}

/** nlkit's zero-copy reader: the same counting as the C one. */
class NlkitReader {
  private readonly connector = openProcConnector({ receiveBuffer: RCVBUF });
  private readonly codec = loadCodec();
  private readonly scanner = this.codec.scanner();
  private readonly meta = new Uint32Array(SLOTS * RECV_META_STRIDE);
  private readonly reader = new ProcEventReader(this.codec);
  private readonly parents = new Int32Array(1 << 22);
  private readonly nextSeq = new Uint32Array(1024);
  private readonly seenCpu = new Uint8Array(1024);
  total = 0;
  enobufs = 0;
  gaps = 0;

  get transport(): Transport {
    return this.connector.transport;
  }

  /** Reads until nothing is queued. */
  drain(): void {
    const { scanner, meta, reader, parents } = this;
    for (;;) {
      const region = scanner.input(SLOTS * SLOT_SIZE);
      const r = this.transport.receive({ region, slotSize: SLOT_SIZE, slots: SLOTS, meta });
      if (r.overrun) this.enobufs++;
      if (r.datagrams === 0) {
        if (r.overrun) continue;
        return;
      }
      for (let d = 0; d < r.datagrams; d++) scanner.setDatagram(d, d * SLOT_SIZE, meta[d * RECV_META_STRIDE + RECV_META_LENGTH]!);
      const batch = scanner.scan(r.datagrams);
      for (let i = 0; i < batch.count; i++) {
        if (!reader.at(batch, i)) continue;
        const cpu = reader.cpu & 1023;
        const seq = reader.seq;
        if (this.seenCpu[cpu] && seq !== this.nextSeq[cpu]) this.gaps += (seq - this.nextSeq[cpu]!) >>> 0;
        this.seenCpu[cpu] = 1;
        this.nextSeq[cpu] = (seq + 1) >>> 0;
        this.total++;
        const what = reader.what;
        if (what === PROC_EVENT_FORK || what === PROC_EVENT_EXIT) {
          const parent = reader.parentTgid;
          if (parent >= 0 && parent < parents.length) parents[parent]!++;
        }
      }
    }
  }

  live(): void {
    this.transport.setReadableHandler(() => this.drain());
  }

  report(pid: number, seconds = 0): ReaderReport {
    this.transport.setReadableHandler(null);
    this.drain();
    return { events: this.parents[pid]!, total: this.total, enobufs: this.enobufs, gaps: this.gaps, seconds };
  }

  close(): void {
    this.connector.unsubscribe();
    this.transport.close();
    this.scanner.release();
  }
}

/** The full pipeline (decoded event objects) into a sink that counts the storm's events. */
class PipelineReader {
  readonly source = openSource('proc', { receiveBuffer: RCVBUF });
  private readonly stop = new AbortController();
  private pipeline: Pipeline | null = null;
  private done: Promise<unknown> | null = null;
  private byParent = new Map<number, number>();
  private target = -1;
  private expected = Infinity;
  private reached: (() => void) | null = null;
  gaps = 0;
  enobufs = 0;

  private readonly sink: Sink = {
    write: (events: IngestEvent[]) => {
      for (const e of events) {
        if (e.kind === 'loss') {
          if (e.source === 'kernel') this.enobufs++;
          if (e.source === 'sequence') this.gaps += e.dropped ?? 0;
          continue;
        }
        if (e.kind !== 'event' || (e.name !== 'fork' && e.name !== 'exit')) continue;
        const parent = e.data.parentTgid as number;
        const n = (this.byParent.get(parent) ?? 0) + 1;
        this.byParent.set(parent, n);
        if (parent === this.target && n >= this.expected) this.reached?.();
      }
    },
    close: () => {},
  };

  start(): void {
    this.pipeline = new Pipeline(this.source, this.sink, { signal: this.stop.signal, slots: SLOTS, slotSize: SLOT_SIZE });
    this.done = this.pipeline.run();
  }

  /** Resolves when `expected` events of `pid` were counted, or after `timeoutMs`. */
  async until(pid: number, expected: number, timeoutMs: number): Promise<number> {
    this.target = pid;
    this.expected = expected;
    if ((this.byParent.get(pid) ?? 0) < expected) {
      await new Promise<void>((r) => {
        this.reached = r;
        setTimeout(r, timeoutMs);
      });
    }
    return this.byParent.get(pid) ?? 0;
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.done;
  }
}

function storm(binary: string, forks: number): { pid: number; forks: number; seconds: number } {
  return JSON.parse(execFileSync(binary, [String(forks)], { encoding: 'utf8' })) as { pid: number; forks: number; seconds: number };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));


export async function procStormBenchmark(options: { quick?: boolean } = {}): Promise<StormFigure[]> {
  const quick = options.quick ?? false;
  const forks = quick ? 10_000 : 25_000;
  const rounds = quick ? 2 : 6;
  const expected = 2 * forks;
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-storm-'));
  try {
    const stormBinary = compile(dir, 'storm');
    const readerBinary = compile(dir, 'proc-reader');
    const loss: Record<string, { missing: number; enobufs: number; gaps: number }> = {
      'C live': { missing: 0, enobufs: 0, gaps: 0 }, 'nlkit live': { missing: 0, enobufs: 0, gaps: 0 }, 'nlkit pipeline live': { missing: 0, enobufs: 0, gaps: 0 },
      'C drain': { missing: 0, enobufs: 0, gaps: 0 }, 'nlkit drain': { missing: 0, enobufs: 0, gaps: 0 }, 'nlkit pipeline drain': { missing: 0, enobufs: 0, gaps: 0 },
    };
    // `missing`: storm events a reader did not get that the C reader got from
    // the same storm. (Every reader, C included, sometimes sees a few events
    // fewer than 2 x forks with no ENOBUFS and no seq gap; the detail line
    // reports that count separately, as it is not any reader's loss.)
    let reference = 0;
    const seen: Record<string, number> = {};
    const add = (key: string, r: { events: number; enobufs: number; gaps: number }) => {
      if (key.startsWith('C ')) reference = r.events;
      seen[key] = (seen[key] ?? 0) + r.events;
      loss[key]!.missing += Math.max(0, reference - r.events);
      loss[key]!.enobufs += r.enobufs;
      loss[key]!.gaps += r.gaps;
    };
    const stormRates: number[] = [];
    let generated = 0;
    let cSeen = 0;
    const cDrain: number[] = [];
    const nDrain: number[] = [];
    const pDrain: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // live: everyone reads during the storm.
      {
        const c = new CReader(readerBinary, 'live');
        await c.ready();
        const n = new NlkitReader();
        n.live();
        const p = new PipelineReader();
        p.start();
        await settle(50);
        const s = storm(stormBinary, forks);
        stormRates.push((2 * s.forks) / s.seconds);
        await settle(100);
        const cr = await c.finish(`stop ${s.pid}`);
        add('C live', cr);
        add('nlkit live', n.report(s.pid));
        const pCount = await p.until(s.pid, cr.events, 5000);
        add('nlkit pipeline live', { events: pCount, enobufs: p.enobufs, gaps: p.gaps });
        generated += 2 * s.forks;
        cSeen += cr.events;
        n.close();
        await p.close();
      }
      // drain: the same storm queued for each, then drained one after the other.
      {
        const c = new CReader(readerBinary, 'drain');
        await c.ready();
        const n = new NlkitReader();
        const p = new PipelineReader();
        await settle(50);
        const s = storm(stormBinary, forks);
        await settle(100);
        let cEvents = 0;
        const runC = async () => {
          const r = await c.finish(`drain ${s.pid}`);
          add('C drain', r);
          cEvents = r.events;
          cDrain.push(r.total / r.seconds);
        };
        let nr: ReaderReport | null = null;
        const runN = () => {
          const t0 = process.hrtime.bigint();
          n.drain();
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          nr = n.report(s.pid, seconds);
          nDrain.push(nr.total / seconds);
        };
        const runP = async () => {
          const t0 = process.hrtime.bigint();
          p.start();
          // Until the sink has counted as many of the storm's events as C received.
          const count = await p.until(s.pid, cEvents, 10_000);
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          add('nlkit pipeline drain', { events: count, enobufs: p.enobufs, gaps: p.gaps });
          pDrain.push(count / seconds);
        };
        if (round % 2 === 0) {
          await runC();
          runN();
        } else {
          runN();
          await runC();
        }
        add('nlkit drain', nr!);
        await runP();
        n.close();
        await p.close();
      }
    }
    const storms = median(stormRates);
    const c = median(cDrain);
    const nk = median(nDrain);
    const pk = median(pDrain);
    const lossFree = (k: string) => loss[k]!.missing === 0 && loss[k]!.enobufs === 0 && loss[k]!.gaps === 0;
    return [
      {
        name: `proc connector drain, ${expected.toLocaleString('en-US')}-event storm queued, ${SLOTS} per recvmmsg (vs C recvmmsg)`,
        unit: 'events/s', nlkit: Math.round(nk), reference: Math.round(c), ratio: nk / c,
        loss: { C: loss['C drain']!, nlkit: loss['nlkit drain']! },
      },
      {
        name: 'proc connector drain through the pipeline (decoded events, vs C recvmmsg)',
        unit: 'events/s', nlkit: Math.round(pk), reference: Math.round(c), ratio: pk / c,
        loss: { C: loss['C drain']!, nlkit: loss['nlkit pipeline drain']! },
      },
      {
        name: `proc connector live storm (${Math.round(storms).toLocaleString('en-US')} events/s generated, all readers at once): storm events received`,
        unit: 'events', nlkit: seen['nlkit live'] ?? 0, reference: cSeen, ratio: (seen['nlkit live'] ?? 0) / Math.max(1, cSeen),
        loss: { C: loss['C live']!, nlkit: loss['nlkit live']!, pipeline: loss['nlkit pipeline live']! },
        detail: `lossless: C ${lossFree('C live')}, nlkit ${lossFree('nlkit live')}, pipeline ${lossFree('nlkit pipeline live')} (pipeline received ${seen['nlkit pipeline live'] ?? 0}); `
          + `storms made ${generated} fork+exit events by their own count, the C reader saw ${cSeen}; drain rounds events/s: C ${cDrain.map(Math.round).join(' ')}, nlkit ${nDrain.map(Math.round).join(' ')}`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  procStormBenchmark({ quick: process.argv.includes('--quick') }).then(
    (figures) => {
      for (const f of figures) {
        console.log(`${f.name}\n  nlkit ${f.nlkit.toLocaleString('en-US')} ${f.unit}, C ${f.reference.toLocaleString('en-US')} ${f.unit}, ratio ${(f.ratio * 100).toFixed(1)}%`);
        if (f.loss) console.log(`  loss ${JSON.stringify(f.loss)}`);
        if (f.detail) console.log(`  ${f.detail}`);
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
