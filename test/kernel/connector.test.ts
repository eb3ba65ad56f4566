// Process events from the real kernel connector: the test starts children and
// looks for their fork and exit events (the connector is not namespaced, so
// events of other processes are filtered out by pid).

import { spawn } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { loadCodec } from '../../src/codec/index.js';
import { RECV_META_STRIDE, type Transport } from '../../src/transport/transport.js';
import {
  decodeProcEvent, openProcConnector, ProcEventReader, ProcSequenceTracker, PROC_EVENT_EXIT, PROC_EVENT_FORK, type ProcEvent,
} from '../../src/families/connector/index.js';
import { describeKernel } from '../helpers/kernel.js';

let open: { transport: Transport; unsubscribe(): void } | null = null;
afterEach(() => {
  open?.unsubscribe();
  open?.transport.close();
  open = null;
});

async function runChild(code: number): Promise<number> {
  const child = spawn('/bin/sh', ['-c', `exit ${code}`], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

/** Reads what is queued, decoding every message both ways. */
function drain(transport: Transport): { events: ProcEvent[]; fast: Array<{ what: number; tgid: number; parent: number }> } {
  const codec = loadCodec();
  const scanner = codec.scanner();
  const slots = 32;
  const slotSize = 4096;
  const meta = new Uint32Array(slots * RECV_META_STRIDE);
  const reader = new ProcEventReader(codec);
  const events: ProcEvent[] = [];
  const fast: Array<{ what: number; tgid: number; parent: number }> = [];
  try {
    for (;;) {
      const region = scanner.input(slots * slotSize);
      const { datagrams } = transport.receive({ region, slotSize, slots, meta });
      if (datagrams === 0) break;
      for (let d = 0; d < datagrams; d++) scanner.setDatagram(d, d * slotSize, meta[d * RECV_META_STRIDE]!);
      const batch = scanner.scan(datagrams);
      for (let i = 0; i < batch.count; i++) {
        const e = decodeProcEvent(batch, i, codec);
        if (e) events.push(e);
        if (reader.at(batch, i)) fast.push({ what: reader.what, tgid: reader.tgid, parent: reader.parentTgid });
      }
    }
  } finally {
    scanner.release();
  }
  return { events, fast };
}

describeKernel('proc connector', () => {
  it('delivers fork and exit events of our children, decoded through the spec', async () => {
    open = openProcConnector();
    const pids = [await runChild(0), await runChild(3)];
    await new Promise((r) => setTimeout(r, 50));
    const { events, fast } = drain(open.transport);
    for (const [k, pid] of pids.entries()) {
      const fork = events.find((e) => e.what === 'fork' && e.childTgid === pid);
      expect(fork, `fork of ${pid}`).toBeDefined();
      expect(fork!.parentTgid).toBe(process.pid);
      expect(typeof fork!.timestampNs).toBe('bigint');
      const exit = events.find((e) => (e.what === 'exit') && e.processTgid === pid);
      expect(exit, `exit of ${pid}`).toBeDefined();
      // exit_code is the wait status: the exit code in the second byte.
      expect(((exit!.exitCode as number) >> 8) & 0xff).toBe(k === 0 ? 0 : 3);
      expect(fast.some((f) => f.what === PROC_EVENT_FORK && f.tgid === pid && f.parent === process.pid)).toBe(true);
      expect(fast.some((f) => f.what === PROC_EVENT_EXIT && f.tgid === pid)).toBe(true);
    }
    // The per-CPU counters run without gaps when nothing was dropped.
    const tracker = new ProcSequenceTracker();
    for (const e of events) tracker.observe(e.cpu, e.seq);
    expect(tracker.missing).toBe(0);
  });

  it('stops delivering after PROC_CN_MCAST_IGNORE', async () => {
    open = openProcConnector();
    // Another listener may keep the connector on; what we check is our own
    // socket no longer being a member after dropping the group.
    open.unsubscribe();
    open.transport.dropMembership(1);
    drain(open.transport);
    const pid = await runChild(0);
    await new Promise((r) => setTimeout(r, 50));
    const { events } = drain(open.transport);
    expect(events.some((e) => e.childTgid === pid || e.processTgid === pid)).toBe(false);
  });
});
