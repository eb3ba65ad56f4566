// The ingestion pipeline over the loopback bus: events in order, every kind
// of loss counted and reported as a record, resync after an overrun, sinks.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NETLINK_CONNECTOR, NETLINK_KOBJECT_UEVENT, NETLINK_ROUTE, NLMSG_DONE } from '../../src/codec/index.js';
import { LoopbackKernel } from '../../src/transport/loopback/index.js';
import {
  openSource, runPipeline, FileSink, PcapngSink, LimitSink, eventRecord, textLine, type IngestEvent, type Sink,
} from '../../src/ingest/index.js';
import { CN_IDX_PROC, CN_MSG_BYTES } from '../../src/families/connector/index.js';
import { readTraceFile } from '../../src/trace/node.js';

/** Collects what it is given; `gate` (when set) holds each write until released. */
class CaptureSink implements Sink {
  events: IngestEvent[] = [];
  writes = 0;
  closed = false;
  gate: Promise<void> | null = null;
  failNext = 0;
  async write(events: IngestEvent[]): Promise<void> {
    this.writes++;
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('sink is down');
    }
    this.events.push(...events);
  }
  close(): void {
    this.closed = true;
  }
  of(kind: IngestEvent['kind']): IngestEvent[] {
    return this.events.filter((e) => e.kind === kind);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let k = 0; k < 2000 && !cond(); k++) await tick();
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nlkit-ingest-'));
  dirs.push(d);
  return d;
}

/** A process event datagram as the connector sends it. */
function procDatagram(what: number, cpu: number, seq: number, members: number[]): Uint8Array {
  const dataLength = 16 + 24;
  const total = 16 + CN_MSG_BYTES + dataLength;
  const bytes = new Uint8Array(total);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, total, true);
  v.setUint16(4, NLMSG_DONE, true);
  v.setUint32(8, seq, true);
  v.setUint32(16, CN_IDX_PROC, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, seq, true);
  v.setUint16(32, dataLength, true);
  const d = 16 + CN_MSG_BYTES;
  v.setUint32(d, what, true);
  v.setUint32(d + 4, cpu, true);
  v.setBigUint64(d + 8, 123456789n, true);
  members.forEach((m, k) => v.setInt32(d + 16 + 4 * k, m, true));
  return bytes;
}

describe('ingestion pipeline (loopback)', () => {
  it('delivers link notifications in order, decoded through the registry', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const source = openSource('link', { loopback: kernel });
    const sink = new CaptureSink();
    const stop = new AbortController();
    const done = runPipeline(source, sink, { signal: stop.signal });
    for (const name of ['br-a', 'br-b', 'br-c']) kernel.rtnetlink!.addLink({ name, kind: 'bridge' });
    kernel.rtnetlink!.deleteLink('br-b');
    await until(() => sink.of('event').length >= 4, 'four events');
    stop.abort();
    const summary = await done;
    const events = sink.of('event') as Array<Extract<IngestEvent, { kind: 'event' }>>;
    expect(events.map((e) => [e.name, (e.data.attributes as { ifname: string }).ifname])).toEqual([
      ['newlink', 'br-a'], ['newlink', 'br-b'], ['newlink', 'br-c'], ['dellink', 'br-b'],
    ]);
    expect(events.every((e) => e.family === 'link' && e.protocol === NETLINK_ROUTE)).toBe(true);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(summary).toMatchObject({ received: 4, delivered: 4, kernelOverruns: 0, localDropped: 0, sinkFailed: 0 });
    expect(sink.closed).toBe(true);
    expect(source.transport.closed).toBe(true);
    expect(textLine(events[0]!)).toMatch(/^\[LINK\] newlink .*ifname=br-a/);
  });

  it('reports a kernel overrun and re-dumps the link table with resync', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    // A receive buffer for a handful of messages, and a sink that holds its first write.
    const transport = kernel.open(NETLINK_ROUTE, { groups: 1, receiveBuffer: 2048 });
    const source = openSource('link', { loopback: kernel, transport });
    const sink = new CaptureSink();
    let release!: () => void;
    sink.gate = new Promise((r) => (release = r));
    const stop = new AbortController();
    const done = runPipeline(source, sink, { signal: stop.signal, queue: 1, onOverrun: 'resync' });
    kernel.rtnetlink!.addLink({ name: 'first', kind: 'bridge' });
    await until(() => sink.writes === 1, 'the first write');
    for (let k = 0; k < 40; k++) kernel.rtnetlink!.addLink({ name: `b${k}`, kind: 'bridge' });
    await tick();
    sink.gate = null;
    release();
    await until(() => sink.of('resync').length === 1, 'the resync record');
    stop.abort();
    const summary = await done;
    const loss = sink.of('loss');
    expect(loss.length).toBeGreaterThanOrEqual(1);
    expect(loss[0]).toMatchObject({ source: 'kernel', dropped: null, family: 'link' });
    expect(summary.kernelOverruns).toBeGreaterThanOrEqual(1);
    // The re-dump holds every link the kernel has, whatever the notifications lost.
    const resynced = sink.events.filter((e) => e.kind === 'event' && e.resync) as Array<Extract<IngestEvent, { kind: 'event' }>>;
    const names = new Set(resynced.map((e) => (e.data.attributes as { ifname: string }).ifname));
    for (const link of kernel.rtnetlink!.links()) expect(names.has(link.name)).toBe(true);
    expect(sink.of('resync')[0]).toMatchObject({ count: resynced.length });
    expect(summary.resyncs).toBe(1);
  });

  it('counts events dropped from a full queue and says so in the stream', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const transport = kernel.open(NETLINK_ROUTE, { groups: 1, receiveBuffer: 1 << 20 });
    const source = openSource('link', { loopback: kernel, transport });
    const sink = new CaptureSink();
    let release!: () => void;
    sink.gate = new Promise((r) => (release = r));
    const stop = new AbortController();
    const done = runPipeline(source, sink, { signal: stop.signal, queue: 4, whenFull: 'drop' });
    kernel.rtnetlink!.addLink({ name: 'x0', kind: 'bridge' });
    await until(() => sink.writes === 1, 'the first write');
    for (let k = 1; k <= 30; k++) kernel.rtnetlink!.addLink({ name: `x${k}`, kind: 'bridge' });
    await kernel.settle();
    for (let k = 0; k < 10; k++) await tick();
    sink.gate = null;
    release();
    stop.abort();
    const summary = await done;
    const dropped = sink.of('loss').filter((e) => e.kind === 'loss' && e.source === 'local').reduce((n, e) => n + ((e as { dropped: number }).dropped), 0);
    expect(summary.localDropped).toBeGreaterThan(0);
    expect(dropped).toBe(summary.localDropped);
    expect(sink.of('event').length + summary.localDropped).toBe(31);
    expect(summary.received).toBe(31);
  });

  it('counts a failed sink write and reports it in the next one', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const source = openSource('link', { loopback: kernel });
    const sink = new CaptureSink();
    sink.failNext = 1;
    const stop = new AbortController();
    const done = runPipeline(source, sink, { signal: stop.signal });
    kernel.rtnetlink!.addLink({ name: 'lost', kind: 'bridge' });
    await until(() => sink.writes >= 1, 'a write');
    kernel.rtnetlink!.addLink({ name: 'kept', kind: 'bridge' });
    await until(() => sink.of('event').length >= 1, 'the second event');
    stop.abort();
    const summary = await done;
    expect(summary.sinkFailed).toBe(1);
    expect(sink.of('loss')[0]).toMatchObject({ source: 'sink', dropped: 1, detail: 'sink is down' });
    expect(sink.of('event').map((e) => (e as { name: string }).name)).toEqual(['newlink']);
  });

  it('reports malformed messages with their offset and goes on', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const source = openSource('link', { loopback: kernel });
    const sink = new CaptureSink();
    const stop = new AbortController();
    const done = runPipeline(source, sink, { signal: stop.signal });
    const bad = new Uint8Array(20);
    new DataView(bad.buffer).setUint32(0, 64, true); // declares more than there is
    new DataView(bad.buffer).setUint16(4, 16, true);
    kernel.broadcast(NETLINK_ROUTE, 1, bad);
    kernel.rtnetlink!.addLink({ name: 'after', kind: 'bridge' });
    await until(() => sink.of('event').length === 1, 'the event after');
    stop.abort();
    const summary = await done;
    expect(summary.malformed).toBe(1);
    expect(sink.of('malformed')[0]).toMatchObject({ offset: 0 });
    expect((sink.of('malformed')[0] as { error: string }).error).toMatch(/64/);
  });

  it('drops and counts a message a process sent, not the kernel', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const source = openSource('link', { loopback: kernel });
    const sink = new CaptureSink();
    const stop = new AbortController();
    const done = runPipeline(source, sink, { signal: stop.signal });
    const spoofer = kernel.open(NETLINK_ROUTE);
    const fake = new Uint8Array(32);
    new DataView(fake.buffer).setUint32(0, 32, true);
    new DataView(fake.buffer).setUint16(4, 16, true); // RTM_NEWLINK
    spoofer.send(fake, { portId: source.transport.address().portId, groups: 0 });
    kernel.rtnetlink!.addLink({ name: 'real', kind: 'bridge' });
    await until(() => sink.of('event').length === 1, 'the kernel event');
    stop.abort();
    const summary = await done;
    spoofer.close();
    expect(summary.spoofed).toBe(1);
    expect((sink.of('event')[0] as Extract<IngestEvent, { kind: 'event' }>).data.attributes).toMatchObject({ ifname: 'real' });
  });

  it('decodes process events and turns cn_msg.seq gaps into exact loss records', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    // The connector takes cn_msg requests (type NLMSG_DONE) itself; the tap sees them go to it.
    kernel.register(NETLINK_CONNECTOR, () => 0);
    const requests: Uint8Array[] = [];
    kernel.tap((r) => {
      if (r.protocol === NETLINK_CONNECTOR && r.destinationPort === 0 && r.senderPort !== 0) requests.push(r.bytes);
    });
    const source = openSource('proc', { loopback: kernel });
    const sink = new CaptureSink();
    const stop = new AbortController();
    const done = runPipeline(source, sink, { signal: stop.signal });
    kernel.broadcast(NETLINK_CONNECTOR, 1, procDatagram(0x1, 0, 10, [100, 100, 200, 200])); // fork
    kernel.broadcast(NETLINK_CONNECTOR, 1, procDatagram(0x80000000, 0, 11, [200, 200, 256, 0, 100, 100])); // exit
    kernel.broadcast(NETLINK_CONNECTOR, 1, procDatagram(0x2, 0, 15, [300, 300])); // exec, after 3 lost
    await until(() => sink.of('event').length === 3, 'three events');
    stop.abort();
    const summary = await done;
    const [fork, exit, exec] = sink.of('event') as Array<Extract<IngestEvent, { kind: 'event' }>>;
    expect(fork).toMatchObject({ name: 'fork', family: 'proc', data: { parentTgid: 100, childTgid: 200, cpu: 0, seq: 10 } });
    expect(exit).toMatchObject({ name: 'exit', data: { processTgid: 200, exitCode: 256, parentTgid: 100 } });
    expect(exec).toMatchObject({ name: 'exec', data: { processTgid: 300 } });
    expect(sink.of('loss')[0]).toMatchObject({ source: 'sequence', dropped: 3 });
    expect(summary.sequenceGaps).toBe(3);
    // Subscribed at open, unsubscribed at close: LISTEN (1) then IGNORE (2).
    expect(requests.map((r) => new DataView(r.buffer, r.byteOffset).getUint32(16 + CN_MSG_BYTES, true))).toEqual([1, 2]);
  });

  it('decodes uevents from raw datagrams', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    kernel.registerProtocol(NETLINK_KOBJECT_UEVENT);
    const source = openSource('uevent', { loopback: kernel });
    const sink = new CaptureSink();
    const stop = new AbortController();
    const done = runPipeline(source, sink, { signal: stop.signal });
    const text = 'add@/devices/virtual/net/v0\0ACTION=add\0DEVPATH=/devices/virtual/net/v0\0SUBSYSTEM=net\0SEQNUM=42\0';
    kernel.broadcast(NETLINK_KOBJECT_UEVENT, 1, new TextEncoder().encode(text));
    await until(() => sink.of('event').length === 1, 'the uevent');
    stop.abort();
    await done;
    const e = sink.of('event')[0] as Extract<IngestEvent, { kind: 'event' }>;
    expect(e).toMatchObject({ family: 'uevent', name: 'add', data: { devpath: '/devices/virtual/net/v0', env: { SUBSYSTEM: 'net', SEQNUM: 42 } } });
    expect(textLine(e)).toBe('[UEVENT] add /devices/virtual/net/v0 SUBSYSTEM=net SEQNUM=42\n');
  });

  it('writes JSON Lines files and pcapng captures that read back', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const dir = tempDir();
    for (const kind of ['json', 'pcapng'] as const) {
      const source = openSource('link', { loopback: kernel });
      const path = join(dir, `out.${kind}`);
      const stop = new AbortController();
      const inner = kind === 'json' ? new FileSink(path, 'json', 'h1') : new PcapngSink(path);
      const done = runPipeline(source, new LimitSink(inner, 2, () => stop.abort()), { signal: stop.signal });
      kernel.rtnetlink!.addLink({ name: `${kind}-1`, kind: 'bridge' });
      kernel.rtnetlink!.addLink({ name: `${kind}-2`, kind: 'bridge' });
      await done;
      if (kind === 'json') {
        const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines.map((l) => [l.type, l.host, l.family, l.event, (l.data as { attributes: { ifname: string } }).attributes.ifname]))
          .toEqual([['event', 'h1', 'link', 'newlink', 'json-1'], ['event', 'h1', 'link', 'newlink', 'json-2']]);
      } else {
        const records = [];
        for await (const r of readTraceFile(path)) records.push(r);
        expect(records.length).toBe(2);
        expect(records[0]!.protocol).toBe(NETLINK_ROUTE);
      }
    }
  });

  it('keeps one JSON shape for every record kind', () => {
    const t = 1_700_000_000_123_456_789n;
    expect(eventRecord({ kind: 'loss', seq: 7, timeNs: t, source: 'kernel', dropped: null, family: 'link' }, 'h'))
      .toEqual({ v: 1, seq: 7, time: '2023-11-14T22:13:20.123456Z', timeNs: '1700000000123456789', host: 'h', type: 'loss', family: 'link', source: 'kernel', dropped: null });
    expect(eventRecord({ kind: 'resync', seq: 8, timeNs: t, family: 'link', count: 3 })).toMatchObject({ type: 'resync', count: 3 });
  });
});
