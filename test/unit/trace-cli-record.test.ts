// `nlkit record` over the loopback kernel (the same engine and tee as on real
// sockets), its WATCH words, and `nlkit view`.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureContext } from '../helpers/cli.js';
import { decodeCommand } from '../../src/cli/trace/decode.js';
import { createRecordCommand } from '../../src/cli/trace/record.js';
import { procMulticastRequest } from '../../src/families/connector/cn-msg.js';
import { createViewCommand } from '../../src/cli/trace/view.js';
import { parseWatch } from '../../src/cli/trace/watch.js';
import { RTNL_GROUPS } from '../../src/families/rtnetlink/groups.js';
import { loadCodec, NLMSG_DONE } from '../../src/codec/index.js';
import { LoopbackKernel } from '../../src/transport/loopback/index.js';
import { readTraceSync } from '../../src/trace/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nlkit-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Line = Record<string, unknown>;

async function decoded(path: string): Promise<{ messages: Line[]; summary: Line }> {
  const c = captureContext();
  expect(await runCli(['decode', path, '--json'], [decodeCommand], c)).toBe(0);
  const lines = c.out().trimEnd().split('\n').map((l) => JSON.parse(l) as Line);
  return { messages: lines.filter((l) => l.kind === 'message'), summary: lines.at(-1)! };
}

/** Waits until `check` holds, giving the loopback bus's macrotasks their turn. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('nlkit record (loopback kernel)', () => {
  it('records a dump and link notifications, and decode pairs and names them', async () => {
    const kernel = new LoopbackKernel();
    kernel.rtnetlink!.addLink({ name: 'lo0', kind: 'dummy' });
    const record = createRecordCommand({ open: (protocol) => kernel.open(protocol) });
    const path = join(dir, 'links.pcapng');
    const stop = new AbortController();
    const c = captureContext(stop.signal);
    const running = runCli(['record', '-w', path, '--', 'route:link', 'dump:route:link'], [record], c);
    await until(() => kernel.sockets({ protocol: 0 })[0]?.groups.includes(1) === true, 'the subscription');
    kernel.rtnetlink!.addLink({ name: 'veth0', kind: 'veth', peer: { name: 'veth1' } });
    // Everything queued for the recording socket has been received (and so recorded) once its queue is empty.
    await until(() => { const s = kernel.sockets({ protocol: 0 })[0]!; return s.queued === 0 && !s.dumping; }, 'the notifications');
    await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    expect(await running).toBe(0);
    expect(c.err()).toMatch(/\d+ datagrams written to /);

    const { messages, summary } = await decoded(path);
    // A dump the new links interrupt is restarted by the engine: every attempt is in the capture.
    const requests = messages.filter((m) => m.type === 'RTM_GETLINK');
    expect(requests.length).toBeGreaterThanOrEqual(1);
    for (const request of requests) {
      expect(request).toMatchObject({ dir: 'out', flags: ['REQUEST', 'DUMP'] });
      expect(request.port).toBeGreaterThan(0);
      const replies = messages.filter((m) => m.request === request.n);
      expect(replies.at(-1)).toMatchObject({ type: 'NLMSG_DONE', dir: 'in', seq: request.seq });
      const names = replies.slice(0, -1).map((m) => (m.attributes as { ifname: string }).ifname);
      expect(names).toContain('lo0');
      for (const m of replies) expect(m).toMatchObject({ seq: request.seq, port: request.port });
    }
    const last = messages.filter((m) => m.request === requests.at(-1)!.n).map((m) => (m.attributes as { ifname?: string } | undefined)?.ifname);
    // The notifications: seq 0, not paired with anything.
    const notifications = messages.filter((m) => m.type === 'RTM_NEWLINK' && m.seq === 0);
    expect(notifications.map((m) => (m.attributes as { ifname: string }).ifname).sort()).toEqual(['veth0', 'veth1']);
    for (const n of notifications) expect(n).toMatchObject({ dir: 'in', port: 0 });
    for (const n of notifications) expect(n.request).toBeUndefined();
    expect(last.filter((x) => x !== undefined).length).toBeGreaterThanOrEqual(2);
    expect(summary).toMatchObject({ requests: requests.length, answered: requests.length, unanswered: 0 });
  });

  it('stops by itself after --count datagrams, and with only dumps when they are done', async () => {
    const kernel = new LoopbackKernel();
    for (let i = 0; i < 3; i++) kernel.rtnetlink!.addLink({ name: `d${i}`, kind: 'dummy' });
    const record = createRecordCommand({ open: (protocol) => kernel.open(protocol) });
    const dumpOnly = join(dir, 'dump.pcap');
    expect(await runCli(['record', '-w', dumpOnly, '--pcap', '--', 'dump:route:link', 'dump:generic:families'], [record], captureContext())).toBe(0);
    const records = [...readTraceSync(readFileSync(dumpOnly))];
    expect(records.every((r) => r.problem === null)).toBe(true);
    expect(new Set(records.map((r) => r.protocol))).toEqual(new Set([0, 16]));
    const { messages, summary } = await decoded(dumpOnly);
    expect(summary).toMatchObject({ format: 'pcap', requests: 2, answered: 2 });
    // The controller's dump teaches the decoder the family ids it lists.
    expect(messages.some((m) => m.type === 'CTRL_CMD_GETFAMILY_REPLY' && (m.attributes as { familyName?: string }).familyName === 'nlctrl')).toBe(true);

    const counted = join(dir, 'count.pcapng');
    const c = captureContext();
    const running = runCli(['record', '-w', counted, '--count', '2', '--', 'route:link'], [record], c);
    await until(() => kernel.sockets({ protocol: 0 })[0]?.groups.includes(1) === true, 'the subscription');
    kernel.rtnetlink!.addLink({ name: 'x0', kind: 'dummy' });
    kernel.rtnetlink!.addLink({ name: 'x1', kind: 'dummy' });
    kernel.rtnetlink!.addLink({ name: 'x2', kind: 'dummy' });
    expect(await running).toBe(0);
    expect(c.err()).toMatch(/ 2 datagrams written/);
    expect([...readTraceSync(readFileSync(counted))]).toHaveLength(2);
  });

  it('stops after --duration seconds', async () => {
    const kernel = new LoopbackKernel();
    const record = createRecordCommand({ open: (protocol) => kernel.open(protocol) });
    const path = join(dir, 'duration.pcapng');
    const c = captureContext();
    expect(await runCli(['record', '-w', path, '--duration', '0.05', '--', 'route:ipv4-route'], [record], c)).toBe(0);
    expect(c.err()).toMatch(/ 0 datagrams written/);
    // An empty capture still has its section header: a valid file.
    expect([...readTraceSync(readFileSync(path))].every((r) => r.problem === null)).toBe(true);
    expect(kernel.sockets({ protocol: 0 })).toHaveLength(0);
  });

  it('reports a failing watch with the kernel error, and leaves a valid file', async () => {
    const kernel = new LoopbackKernel();
    const record = createRecordCommand({ open: (protocol) => kernel.open(protocol) });
    const path = join(dir, 'nofamily.pcapng');
    const c = captureContext();
    const code = await runCli(['record', '-w', path, '--', 'generic:no-such-family/events'], [record], c);
    expect(code).toBe(1);
    expect(c.err()).toMatch(/ENOENT|no such family/i);
    const { messages } = await decoded(path);
    expect(messages[0]).toMatchObject({ type: 'CTRL_CMD_GETFAMILY', dir: 'out', attributes: { familyName: 'no-such-family' } });
  });

  it('rejects bad usage', async () => {
    const record = createRecordCommand({ open: () => { throw new Error('must not open'); } });
    const cases: Array<[string[], RegExp]> = [
      [['record', '--', 'route:link'], /needs -w FILE/],
      [['record', '-w', join(dir, 'x')], /something to watch/],
      [['record', '-w', join(dir, 'x'), '--count', '0', '--', 'route:link'], /--count needs a positive integer/],
      [['record', '-w', join(dir, 'x'), '--duration', 'soon', '--', 'route:link'], /--duration needs a positive number/],
      [['record', '-w', join(dir, 'x'), '--', 'route:nonsense'], /unknown rtnetlink group/],
    ];
    for (const [args, text] of cases) {
      const c = captureContext();
      expect(await runCli(args, [record], c), args.join(' ')).toBe(2);
      expect(c.err()).toMatch(text);
    }
  });
});

describe('WATCH words', () => {
  it('parses groups, genetlink groups, the proc connector and dumps', () => {
    expect(parseWatch('route:link')).toMatchObject({ kind: 'group', protocol: 0, group: 1 });
    expect(parseWatch('route:ipv4-route')).toMatchObject({ kind: 'group', group: RTNL_GROUPS['ipv4-route'] });
    expect(parseWatch('netfilter:3')).toMatchObject({ kind: 'group', protocol: 12, group: 3 });
    expect(parseWatch('generic:nlctrl/notify')).toMatchObject({ kind: 'genl-group', protocol: 16, family: 'nlctrl', group: 'notify' });
    expect(parseWatch('connector:proc')).toMatchObject({ kind: 'proc-connector', protocol: 11 });
    expect(parseWatch('dump:route:addr')).toMatchObject({ kind: 'dump', protocol: 0, type: 22 });
    for (const bad of ['link', 'route:', 'bogus:link', 'generic:nlctrl', 'connector:other', 'dump:route:nope', 'route:0']) {
      expect(() => parseWatch(bad), bad).toThrow();
    }
  });

  it('builds the proc connector control message the kernel expects', () => {
    const bytes = procMulticastRequest('listen', 77, 5);
    const batch = loadCodec().scan(bytes);
    expect(batch.count).toBe(1);
    expect(batch.type(0)).toBe(NLMSG_DONE);
    expect(batch.pid(0)).toBe(77);
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    expect([v.getUint32(16, true), v.getUint32(20, true), v.getUint16(32, true), v.getUint32(36, true)]).toEqual([1, 1, 4, 1]);
    expect(bytes.length).toBe(40);
  });
});

describe('nlkit view', () => {
  it('serves the viewer with the capture, prints the URL, and stops on abort', async () => {
    const path = join(dir, 'view.pcapng');
    const kernel = new LoopbackKernel();
    expect(await runCli(['record', '-w', path, '--', 'dump:route:link'], [createRecordCommand({ open: (p) => kernel.open(p) })], captureContext())).toBe(0);
    const stop = new AbortController();
    const c = captureContext(stop.signal);
    const running = runCli(['view', path], [createViewCommand()], c);
    await until(() => c.out().includes('\n'), 'the URL');
    const url = c.out().trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?capture=/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const capture = new URL(url).searchParams.get('capture')!;
    const served = new Uint8Array(await (await fetch(new URL(capture, url))).arrayBuffer());
    expect(served).toEqual(new Uint8Array(readFileSync(path)));
    stop.abort();
    expect(await running).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('rejects a missing file and a bad port', async () => {
    const c = captureContext();
    expect(await runCli(['view', join(dir, 'missing.pcapng')], [createViewCommand()], c)).toBe(1);
    expect(c.err()).toMatch(/does not exist/);
    const d = captureContext();
    expect(await runCli(['view', '--port', '70000'], [createViewCommand()], d)).toBe(2);
    expect(d.err()).toMatch(/TCP port/);
  });
});
