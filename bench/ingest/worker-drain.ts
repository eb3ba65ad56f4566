// Does receiving in a worker thread help? The same queued storm drained two
// ways, decoding every event to a record (ProcEventDecoder) either way:
//
//   in-thread  receive → scan → decode, all on the main thread
//   worker     a worker receives (recvmmsg into its WASM region) and hands
//              the datagrams over in transferred buffers; the main thread
//              scans and decodes, so decoding never holds up the receive
//
// On a 2-core machine the worker can overlap the kernel copy with decoding;
// the price is one more copy and a message per batch. The figure is the
// worker's events/s over the in-thread events/s on identical storms.
//
//   npx tsc -p tsconfig.json && node dist/bench/ingest/worker-drain.js [--quick]

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadCodec } from '../../src/codec/index.js';
import { packageRoot } from '../../src/transport/native-addon.js';
import { RECV_META_LENGTH, RECV_META_STRIDE } from '../../src/transport/transport.js';
import { openProcConnector, ProcEventDecoder } from '../../src/families/connector/index.js';
import { median } from '../report.js';

const SLOTS = 64;
const SLOT_SIZE = 4096;
const RCVBUF = 256 << 20;

interface Batch {
  bytes: ArrayBuffer;
  lengths: Uint32Array;
}

/** Worker side: subscribe, say so, then on 'drain' receive until empty, posting batches; then 'done'. */
function workerMain(): void {
  const connector = openProcConnector({ receiveBuffer: RCVBUF });
  const codec = loadCodec();
  const scanner = codec.scanner();
  const meta = new Uint32Array(SLOTS * RECV_META_STRIDE);
  parentPort!.postMessage('ready');
  parentPort!.on('message', (m: string) => {
    if (m !== 'drain') {
      connector.unsubscribe();
      connector.transport.close();
      process.exit(0);
    }
    for (;;) {
      const region = scanner.input(SLOTS * SLOT_SIZE);
      const r = connector.transport.receive({ region, slotSize: SLOT_SIZE, slots: SLOTS, meta });
      if (r.datagrams === 0) {
        if (r.overrun) continue;
        break;
      }
      // Pack the datagrams back to back into a buffer the main thread will own.
      const lengths = new Uint32Array(r.datagrams);
      let total = 0;
      for (let d = 0; d < r.datagrams; d++) total += (lengths[d] = meta[d * RECV_META_STRIDE + RECV_META_LENGTH]!);
      const out = new Uint8Array(total);
      let at = 0;
      for (let d = 0; d < r.datagrams; d++) {
        out.set(region.subarray(d * SLOT_SIZE, d * SLOT_SIZE + lengths[d]!), at);
        at += lengths[d]!;
      }
      const batch: Batch = { bytes: out.buffer, lengths };
      parentPort!.postMessage(batch, [out.buffer, lengths.buffer]);
    }
    parentPort!.postMessage('done');
  });
}

function decodeAll(decoder: ProcEventDecoder, batch: ReturnType<ReturnType<typeof loadCodec>['scan']>, sink: { n: number; check: number }): void {
  for (let i = 0; i < batch.count; i++) {
    const e = decoder.decode(batch, i);
    if (!e) continue;
    sink.n++;
    sink.check += e.seq;
  }
}

async function drainInWorker(storm: string, forks: number): Promise<{ events: number; seconds: number }> {
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { role: 'receiver' } });
  const codec = loadCodec();
  const scanner = codec.scanner();
  const decoder = new ProcEventDecoder(codec);
  const sink = { n: 0, check: 0 };
  try {
    await new Promise<void>((r) => worker.once('message', () => r()));
    execFileSync(storm, [String(forks)]);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolveDone) => {
      worker.on('message', (m: Batch | string) => {
        if (m === 'done') return resolveDone();
        const b = m as Batch;
        decodeAll(decoder, scanner.scanBytes(new Uint8Array(b.bytes), b.lengths), sink);
      });
      worker.postMessage('drain');
    });
    return { events: sink.n, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  } finally {
    worker.postMessage('close');
    await new Promise((r) => worker.once('exit', r));
    scanner.release();
  }
}

async function drainInThread(storm: string, forks: number): Promise<{ events: number; seconds: number }> {
  const connector = openProcConnector({ receiveBuffer: RCVBUF });
  const codec = loadCodec();
  const scanner = codec.scanner();
  const decoder = new ProcEventDecoder(codec);
  const meta = new Uint32Array(SLOTS * RECV_META_STRIDE);
  const sink = { n: 0, check: 0 };
  try {
    execFileSync(storm, [String(forks)]);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = process.hrtime.bigint();
    for (;;) {
      const region = scanner.input(SLOTS * SLOT_SIZE);
      const r = connector.transport.receive({ region, slotSize: SLOT_SIZE, slots: SLOTS, meta });
      if (r.datagrams === 0) {
        if (r.overrun) continue;
        break;
      }
      for (let d = 0; d < r.datagrams; d++) scanner.setDatagram(d, d * SLOT_SIZE, meta[d * RECV_META_STRIDE + RECV_META_LENGTH]!);
      decodeAll(decoder, scanner.scan(r.datagrams), sink);
    }
    return { events: sink.n, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
  } finally {
    connector.unsubscribe();
    connector.transport.close();
    scanner.release();
  }
}


export async function workerDrainBenchmark(options: { quick?: boolean } = {}): Promise<Array<{ name: string; unit: string; nlkit: number; reference: number; ratio: number }>> {
  const quick = options.quick ?? false;
  const forks = quick ? 10_000 : 25_000;
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-worker-'));
  try {
    const storm = join(dir, 'storm');
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', storm, join(packageRoot(), 'bench', 'ingest', 'storm.c')]);
    const inThread: number[] = [];
    const inWorker: number[] = [];
    for (let round = 0; round < (quick ? 2 : 4); round++) {
      // Alternate which goes first, so that machine drift weighs on both.
      const a = round % 2 === 0 ? await drainInThread(storm, forks) : null;
      const w = await drainInWorker(storm, forks);
      const b = a ?? await drainInThread(storm, forks);
      inThread.push(b.events / b.seconds);
      inWorker.push(w.events / w.seconds);
    }
    const t = median(inThread);
    const w = median(inWorker);
    return [{
      name: 'proc connector drain with decode: receive in a worker thread (vs all on the main thread)',
      unit: 'events/s', nlkit: Math.round(w), reference: Math.round(t), ratio: w / t,
    }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'receiver') {
  workerMain();
} else if (isMainThread && process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  workerDrainBenchmark({ quick: process.argv.includes('--quick') }).then(
    (figures) => {
      for (const f of figures) console.log(`${f.name}\n  worker ${f.nlkit.toLocaleString('en-US')} ${f.unit}, main thread ${f.reference.toLocaleString('en-US')} ${f.unit}, ratio ${(f.ratio * 100).toFixed(1)}%`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
