// Receive throughput, nlkit vs C, measured in the same run.
//
// Both sides do the same work: a sender socket queues MESSAGES user-to-user
// datagrams (NETLINK_USERSOCK, one netlink message each) on a receiver with a
// large forced receive buffer; then the receiver drains them, timed, and
// reads every message's type. nlkit: NativeTransport.receive straight into a
// codec scanner's WASM region from its readable handler, then one scan per
// receive. C (receive-reference.c, compiled here with cc): poll, recvmmsg,
// NLMSG_OK/NLMSG_NEXT. Same slot count and slot size; one untimed warm-up
// round each. Filling the queue first keeps the sender out of the timing.
// The figures are the median rounds of several alternating passes.
//
//   npx tsc -p tsconfig.json && node dist/bench/native/receive.js [--quick]

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCodec, NETLINK_USERSOCK } from '../../src/codec/index.js';
import { openNative, type NativeTransport } from '../../src/transport/native.js';
import { packageRoot } from '../../src/transport/native-addon.js';
import { RECV_META_LENGTH, RECV_META_STRIDE } from '../../src/transport/transport.js';
import { median } from '../report.js';

export interface ReceiveFigure {
  name: string;
  unit: string;
  nlkit: number;
  reference: number;
  ratio: number;
}

interface Workload {
  messages: number;
  rounds: number;
  size: number;
  slots: number;
  slotSize: number;
}

interface Measured {
  /** Messages per round. */
  messages: number;
  /** Drain time of each timed round. */
  seconds: number[];
  checksum: number;
}

const MESSAGE_TYPE = 0x100;

function compileReference(dir: string): string {
  const source = join(packageRoot(), 'bench', 'native', 'receive-reference.c');
  if (!existsSync(source)) throw new Error(`the C reference is missing: ${source}`);
  const binary = join(dir, 'receive-reference');
  execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', binary, source], { stdio: ['ignore', 'ignore', 'inherit'] });
  return binary;
}

function runReference(binary: string, w: Workload): Measured {
  const out = execFileSync(binary, [w.messages, w.rounds, w.size, w.slots, w.slotSize].map(String), { encoding: 'utf8' });
  return JSON.parse(out) as Measured;
}

/** Queues `count` copies of one message on `to`; returns how many went. */
function fill(tx: NativeTransport, to: number, w: Workload, count: number): number {
  const batch = 256;
  const data = new Uint8Array(w.size * batch);
  const view = new DataView(data.buffer);
  for (let i = 0; i < batch; i++) {
    view.setUint32(i * w.size, w.size, true);
    view.setUint16(i * w.size + 4, MESSAGE_TYPE, true);
  }
  const lengths = new Uint32Array(batch).fill(w.size);
  let sent = 0;
  while (sent < count) {
    const want = Math.min(batch, count - sent);
    const n = tx.sendBatch(data, want === batch ? lengths : lengths.subarray(0, want), { portId: to, groups: 0 });
    sent += n;
    if (n < want) break;
  }
  return sent;
}

/** Drains `queued` messages through the readable handler; resolves with the elapsed seconds. */
function drain(rx: NativeTransport, w: Workload, queued: number, totals: { checksum: number }): Promise<number> {
  const codec = loadCodec();
  const scanner = codec.scanner();
  const meta = new Uint32Array(w.slots * RECV_META_STRIDE);
  const regionBytes = w.slots * w.slotSize;
  let received = 0;
  return new Promise((resolvePromise, reject) => {
    const start = process.hrtime.bigint();
    rx.setReadableHandler(() => {
      try {
        for (;;) {
          // Re-taken each time: a scan may grow WASM memory and detach the old view.
          const region = scanner.input(regionBytes);
          const { datagrams, overrun } = rx.receive({ region, slotSize: w.slotSize, slots: w.slots, meta });
          if (overrun) throw new Error('the kernel dropped messages: the receive buffer is too small');
          if (datagrams === 0) break;
          for (let i = 0; i < datagrams; i++) scanner.setDatagram(i, i * w.slotSize, meta[i * RECV_META_STRIDE + RECV_META_LENGTH]!);
          const batch = scanner.scan(datagrams);
          let checksum = 0;
          for (let i = 0; i < batch.count; i++) checksum += batch.type(i);
          totals.checksum += checksum;
          received += batch.count;
        }
        if (received >= queued) {
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          rx.setReadableHandler(null);
          scanner.release();
          resolvePromise(seconds);
        }
      } catch (e) {
        rx.setReadableHandler(null);
        scanner.release();
        reject(e);
      }
    });
  });
}

async function runNlkit(w: Workload): Promise<Measured> {
  const rx = openNative(NETLINK_USERSOCK);
  const tx = openNative(NETLINK_USERSOCK);
  try {
    rx.setOption('receiveBufferForce', 1 << 30);
    const port = rx.address().portId;
    const totals = { checksum: 0 };
    const seconds: number[] = [];
    for (let round = 0; round <= w.rounds; round++) {
      const queued = fill(tx, port, w, w.messages);
      if (queued !== w.messages) throw new Error(`only ${queued} of ${w.messages} messages could be queued`);
      const elapsed = await drain(rx, w, queued, totals);
      if (round > 0) seconds.push(elapsed); // round 0 warms up
    }
    return { messages: w.messages, seconds, checksum: totals.checksum };
  } finally {
    rx.close();
    tx.close();
  }
}


/** Runs the workloads; returns one record per message size. */
export async function runReceiveBenchmark(options: { quick?: boolean } = {}): Promise<ReceiveFigure[]> {
  const quick = options.quick ?? false;
  const workloads: Workload[] = [
    { messages: quick ? 20_000 : 100_000, rounds: quick ? 3 : 5, size: 64, slots: 64, slotSize: 4096 },
    { messages: quick ? 20_000 : 100_000, rounds: quick ? 3 : 5, size: 1024, slots: 64, slotSize: 4096 },
  ];
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-bench-'));
  try {
    const binary = compileReference(dir);
    const figures: ReceiveFigure[] = [];
    for (const w of workloads) {
      // Alternate the two sides, and take the median round of each, so that
      // other work on the machine weighs on both alike.
      const reference: number[] = [];
      const nlkit: number[] = [];
      const expected = MESSAGE_TYPE * (w.rounds + 1) * w.messages;
      const collect = (m: Measured, rates: number[]) => {
        if (m.checksum !== expected) throw new Error(`checksum ${m.checksum}, expected ${expected}: messages were lost or misread`);
        for (const s of m.seconds) rates.push(m.messages / s);
      };
      for (let pass = 0; pass < (quick ? 2 : 4); pass++) {
        collect(runReference(binary, w), reference);
        collect(await runNlkit(w), nlkit);
      }
      const c = median(reference);
      const n = median(nlkit);
      figures.push({
        name: `native receive, USERSOCK ${w.size}-byte messages, ${w.slots} per recvmmsg (vs C recvmmsg)`,
        unit: 'messages/s',
        nlkit: Math.round(n),
        reference: Math.round(c),
        ratio: n / c,
      });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  runReceiveBenchmark({ quick: process.argv.includes('--quick') }).then(
    (figures) => {
      for (const f of figures) {
        console.log(`${f.name}\n  nlkit ${f.nlkit.toLocaleString('en-US')} ${f.unit}, C ${f.reference.toLocaleString('en-US')} ${f.unit}, ratio ${(f.ratio * 100).toFixed(1)}%`);
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
