// The JetStream sink against a real nats-server on 127.0.0.1: every event
// published arrives once, in order per host, across a sink crash (replayed
// spool, deduplicated by Nats-Msg-Id) and a server restart.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { LoopbackKernel } from '../../src/transport/loopback/index.js';
import { JetStreamSink, LimitSink, openSource, runPipeline, type IngestEvent } from '../../src/ingest/index.js';
import { runCli } from '../../src/cli/main.js';
import { monitorCommand } from '../../src/cli/monitor.js';

const NATS = '/usr/sbin/nats-server';

function natsAvailable(): string | null {
  try {
    execFileSync(NATS, ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${NATS} is missing (Debian package nats-server)`;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

class NatsServer {
  private child: ChildProcess | null = null;
  constructor(readonly port: number, readonly storeDir: string) {}

  async start(): Promise<void> {
    const child = spawn(NATS, ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start: ${log}`)), 15_000);
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}: ${log}`));
      });
    });
    child.stderr!.resume();
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = null;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}

function syntheticEvent(seq: number, name: string): IngestEvent {
  return { kind: 'event', seq, timeNs: BigInt(Date.now()) * 1_000_000n, family: 'proc', name, data: { n: seq }, protocol: 11 };
}

const skip = natsAvailable();
const suite = skip && process.env.CI !== 'true' ? describe.skip : describe;
if (skip) console.warn(`NATS tests: ${skip}`);

suite('JetStream sink (nats-server on 127.0.0.1)', () => {
  let dir: string;
  let server: NatsServer;
  let servers: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nlkit-nats-'));
    server = new NatsServer(await freePort(), join(dir, 'store'));
    servers = `127.0.0.1:${server.port}`;
    await server.start();
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every event once, in order per host, across a sink crash and a server restart', async () => {
    const stateA = join(dir, 'state-a');
    const stateB = join(dir, 'state-b');
    const common = { servers, stream: 'NLKIT_TEST', closeTimeoutMs: 20_000 };

    // 1. Host A: ten link events from a pipeline.
    const kernel = new LoopbackKernel({ deterministic: true });
    const sinkA1 = await JetStreamSink.open({ ...common, stateDir: stateA, host: 'host-a' });
    const stop = new AbortController();
    const done = runPipeline(openSource('link', { loopback: kernel }), new LimitSink(sinkA1, 10, () => stop.abort()), { signal: stop.signal, batchSize: 3 });
    for (let k = 0; k < 10; k++) kernel.rtnetlink!.addLink({ name: `n${k}`, kind: 'bridge' });
    const summary = await done;
    expect(summary.sinkFailed).toBe(0);
    expect(sinkA1.unacknowledged).toBe(0);

    // Host B publishes to the same stream meanwhile.
    const sinkB = await JetStreamSink.open({ ...common, stateDir: stateB, host: 'host-b' });
    await sinkB.write([syntheticEvent(1, 'fork'), syntheticEvent(2, 'exit')]);

    // 2. A crash after publishing but before the acknowledgement was recorded:
    //    the state files are put back as they were at that moment.
    const ackedPath = join(stateA, 'host-a.acked');
    const ackedBefore = readFileSync(ackedPath, 'utf8');
    const sinkA2 = await JetStreamSink.open({ ...common, stateDir: stateA, host: 'host-a' });
    await sinkA2.write([11, 12, 13, 14, 15].map((n) => syntheticEvent(n, 'exec')));
    await sinkA2.close();
    const published = await storedMessages(servers, 'NLKIT_TEST');
    const crashed = published.filter((m) => m.subject.startsWith('nlkit.host-a.') && (m.record.hostSeq as number) > Number(ackedBefore));
    expect(crashed.length).toBe(5);
    writeFileSync(ackedPath, ackedBefore);
    writeFileSync(join(stateA, 'host-a.spool'), crashed.map((m) => `${JSON.stringify({ seq: m.record.hostSeq, subject: m.subject, payload: m.data })}\n`).join(''));

    const sinkA3 = await JetStreamSink.open({ ...common, stateDir: stateA, host: 'host-a' });
    expect(sinkA3.stats.replayed).toBe(5);
    expect(sinkA3.stats.duplicates).toBe(5); // the stream had them: dropped, not stored twice

    // 3. The server goes down hard between writes and comes back.
    await sinkA3.write([16, 17, 18].map((n) => syntheticEvent(n, 'exit')));
    await server.stop('SIGKILL');
    const whileDown = sinkA3.write([19, 20, 21, 22].map((n) => syntheticEvent(n, 'fork')));
    await whileDown; // returns with the batch spooled, unacknowledged
    expect(sinkA3.unacknowledged).toBeGreaterThan(0);
    await server.start();
    await sinkA3.write([23, 24].map((n) => syntheticEvent(n, 'exit')));
    await sinkA3.close();
    expect(sinkA3.unacknowledged).toBe(0);
    await sinkB.write([syntheticEvent(3, 'exit')]);
    await sinkB.close();

    // 4. A consumer reads the stream: per host, ids 1..N once each, in order.
    const all = await storedMessages(servers, 'NLKIT_TEST');
    const byHost = new Map<string, Array<Record<string, unknown>>>();
    for (const m of all) {
      const host = m.record.host as string;
      expect(m.subject).toBe(`nlkit.${host}.${m.record.family as string}`);
      expect(m.msgId).toBe(`${host}:${m.record.hostSeq as number}`);
      byHost.set(host, [...(byHost.get(host) ?? []), m.record]);
    }
    const a = byHost.get('host-a')!;
    expect(a.map((r) => r.hostSeq)).toEqual(Array.from({ length: 24 }, (_, k) => k + 1));
    expect(a.slice(0, 10).map((r) => (r.data as { attributes: { ifname: string } }).attributes.ifname)).toEqual(Array.from({ length: 10 }, (_, k) => `n${k}`));
    expect(a.slice(10).map((r) => (r.data as { n: number }).n)).toEqual(Array.from({ length: 14 }, (_, k) => k + 11));
    expect(byHost.get('host-b')!.map((r) => r.hostSeq)).toEqual([1, 2, 3]);
  });

  it('nlkit monitor --sink nats:// publishes the events and prints the loss summary', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const err: string[] = [];
    const ctx = { stdout: { write: () => {} }, stderr: { write: (t: string) => void err.push(t) }, signal: new AbortController().signal };
    const running = runCli([
      'monitor', 'link', '--sink', `nats://${servers}`, '--state-dir', join(dir, 'state-cli'), '--host', 'cli-host', '--stream', 'NLKIT_TEST', '--count', '2',
    ], [monitorCommand({ loopback: kernel })], ctx);
    await new Promise((r) => setTimeout(r, 300));
    kernel.rtnetlink!.addLink({ name: 'c0', kind: 'bridge' });
    kernel.rtnetlink!.addLink({ name: 'c1', kind: 'bridge' });
    const code = await running;
    expect(err.join('')).toMatch(/sink failures 0/);
    expect(code).toBe(0);
    // The stream the first test made (a second one may not overlap its subjects).
    const stored = (await storedMessages(servers, 'NLKIT_TEST')).filter((m) => m.record.host === 'cli-host');
    expect(stored.map((m) => [m.subject, m.record.hostSeq, (m.record.data as { attributes: { ifname: string } }).attributes.ifname]))
      .toEqual([['nlkit.cli-host.link', 1, 'c0'], ['nlkit.cli-host.link', 2, 'c1']]);
  });
});

interface Stored {
  subject: string;
  data: string;
  record: Record<string, unknown>;
  msgId: string | undefined;
}

async function storedMessages(servers: string, stream: string): Promise<Stored[]> {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream);
    const out: Stored[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      if (!m) continue;
      const data = m.string();
      out.push({ subject: m.subject, data, record: JSON.parse(data) as Record<string, unknown>, msgId: m.header.get('Nats-Msg-Id') || undefined });
    }
    return out;
  } finally {
    await nc.close();
  }
}
