// The pipeline on real sockets: rtnetlink in a namespace the test makes,
// conntrack events from entries the test creates there, process events of
// the test's own children, and `nlkit monitor` end to end.

import { spawn } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { openSource, runPipeline, type IngestEvent, type Sink } from '../../src/ingest/index.js';
import { runCli } from '../../src/cli/main.js';
import { monitor } from '../../src/cli/monitor.js';
import { describeKernel, TestNetns } from '../helpers/kernel.js';

class CaptureSink implements Sink {
  events: IngestEvent[] = [];
  write(events: IngestEvent[]): void {
    this.events.push(...events);
  }
  close(): void {}
  named(family: string): Array<Extract<IngestEvent, { kind: 'event' }>> {
    return this.events.filter((e): e is Extract<IngestEvent, { kind: 'event' }> => e.kind === 'event' && e.family === family);
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let k = 0; k < 1000 && !cond(); k++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

let ns: TestNetns | null = null;
afterEach(() => {
  ns?.remove();
  ns = null;
});

describeKernel('ingestion on the kernel', () => {
  it('follows link and address changes in a namespace', async () => {
    ns = TestNetns.create('nlkit-ingest');
    const sink = new CaptureSink();
    const stop = new AbortController();
    const done = runPipeline(openSource('all', { netns: ns.name }), sink, { signal: stop.signal });
    ns.ip('link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
    ns.ip('addr', 'add', '127.0.10.1/24', 'dev', 'va');
    ns.ip('link', 'set', 'va', 'up');
    ns.ip('link', 'del', 'va');
    await until(() => sink.named('link').some((e) => e.name === 'dellink'), 'dellink');
    stop.abort();
    const summary = await done;
    const links = sink.named('link').map((e) => [e.name, (e.data.attributes as { ifname?: string }).ifname]);
    expect(links).toContainEqual(['newlink', 'va']);
    expect(links).toContainEqual(['newlink', 'vb']);
    expect(links).toContainEqual(['dellink', 'va']);
    const addr = sink.named('addr').find((e) => e.name === 'newaddr');
    expect(addr?.data).toMatchObject({ header: { ifaPrefixlen: 24 }, attributes: { ifaAddress: '127.0.10.1', ifaLabel: 'va' } });
    expect(summary.kernelOverruns + summary.localDropped + summary.sinkFailed).toBe(0);
  });

  it('sees the fork and exit of its own children on the proc connector', async () => {
    const sink = new CaptureSink();
    const stop = new AbortController();
    const done = runPipeline(openSource('proc'), sink, { signal: stop.signal });
    const pids: number[] = [];
    for (let k = 0; k < 5; k++) {
      const child = spawn('/bin/true', { stdio: 'ignore' });
      pids.push(child.pid!);
      await new Promise((r) => child.once('exit', r));
    }
    await until(() => pids.every((pid) => sink.named('proc').some((e) => e.name === 'exit' && e.data.processTgid === pid)), 'exits');
    stop.abort();
    const summary = await done;
    for (const pid of pids) {
      const mine = sink.named('proc').filter((e) => e.data.childTgid === pid || e.data.processTgid === pid).map((e) => e.name);
      expect(mine[0]).toBe('fork');
      expect(mine).toContain('exec');
      expect(mine[mine.length - 1]).toBe('exit');
    }
    expect(summary.kernelOverruns).toBe(0);
  });

  it('reports conntrack events of entries made in a namespace', async () => {
    ns = TestNetns.create('nlkit-ct');
    const sink = new CaptureSink();
    const stop = new AbortController();
    let source;
    try {
      source = openSource('conntrack', { netns: ns.name });
    } catch (e) {
      throw new Error(`conntrack events need nf_conntrack_netlink: ${(e as Error).message}`);
    }
    const done = runPipeline(source, sink, { signal: stop.signal });
    ns.exec('conntrack', '-I', '-p', 'udp', '-s', '127.0.0.1', '-d', '127.0.0.2', '--sport', '4000', '--dport', '5000', '-t', '30');
    ns.exec('conntrack', '-D', '-p', 'udp', '-s', '127.0.0.1', '-d', '127.0.0.2');
    await until(() => sink.named('conntrack').length >= 2, 'two conntrack events');
    stop.abort();
    await done;
    const names = sink.named('conntrack').map((e) => e.name);
    expect(names[0]).toBe('new');
    expect(names).toContain('destroy-ntf');
  });

  it('nlkit monitor prints link events of a namespace as JSON Lines', async () => {
    ns = TestNetns.create('nlkit-mon');
    const out: string[] = [];
    const ctx = { stdout: { write: (t: string) => void out.push(t) }, stderr: { write: () => {} }, signal: new AbortController().signal };
    const running = runCli(['monitor', 'link', '--netns', ns.name, '--json', '--count', '1'], [monitor], ctx);
    await new Promise((r) => setTimeout(r, 50));
    ns.ip('link', 'add', 'mon0', 'type', 'bridge');
    expect(await running).toBe(0);
    const records = out.join('').trim().split('\n').map((l) => JSON.parse(l) as { type: string; event: string; data: { attributes: { ifname?: string } } });
    expect(records.length).toBeGreaterThanOrEqual(1);
    expect(records[0]).toMatchObject({ type: 'event', event: 'newlink', data: { attributes: { ifname: 'mon0' } } });
  });
});
