// `nlkit record` on real kernel sockets in a namespace made for the test:
// veths created while recording route:link, a link dump and a generic netlink
// family lookup through the recorded sockets; then `nlkit decode` of that
// capture, in text and JSON.

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureContext } from '../helpers/cli.js';
import { decodeCommand, recordCommand } from '../../src/cli/trace/index.js';
import { describeKernel, TestNetns } from '../helpers/kernel.js';

type Line = Record<string, unknown>;

async function decodeJson(path: string): Promise<{ messages: Line[]; summary: Line }> {
  const c = captureContext();
  expect(await runCli(['decode', path, '--json'], [decodeCommand], c)).toBe(0);
  const lines = c.out().trimEnd().split('\n').map((l) => JSON.parse(l) as Line);
  return { messages: lines.filter((l) => l.kind === 'message'), summary: lines.at(-1)! };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeKernel('nlkit record on kernel sockets', () => {
  let ns: TestNetns;
  let dir: string;
  beforeAll(() => {
    ns = TestNetns.create('trace');
    dir = mkdtempSync(join(tmpdir(), 'nlkit-trace-kernel-'));
  });
  afterAll(() => {
    ns?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('records link notifications, a dump and a genetlink lookup; decode names and pairs them', async () => {
    const path = join(dir, 'kernel.pcapng');
    const stop = new AbortController();
    const c = captureContext(stop.signal);
    const running = runCli(
      ['record', '-w', path, '--netns', ns.name, '--', 'route:link', 'generic:nlctrl/notify', 'dump:route:link'], [recordCommand], c,
    );
    // Wait for the recorder to be listening (its first flush puts the dump on disk), then make changes.
    for (let i = 0; i < 100 && !(statSync(path, { throwIfNoEntry: false })?.size ?? 0); i++) await sleep(50);
    await sleep(1200);
    ns.ip('link', 'add', 'tv0', 'type', 'veth', 'peer', 'name', 'tv1');
    ns.ip('link', 'set', 'tv0', 'up');
    // Give the notifications a moment to arrive and be received, then stop as Ctrl-C would.
    let seen = false;
    for (let i = 0; i < 60 && !seen; i++) {
      await sleep(100);
      seen = /tv1/.test(readFileSync(path).toString('latin1'));
    }
    stop.abort();
    expect(await running).toBe(0);
    expect(c.err()).toMatch(/datagrams written/);

    const { messages, summary } = await decodeJson(path);
    // The family lookup the genetlink watch made through the recorded socket, and the kernel's reply.
    const lookup = messages.find((m) => m.type === 'CTRL_CMD_GETFAMILY' && m.dir === 'out')!;
    expect(lookup).toMatchObject({ protocol: 'generic', attributes: { familyName: 'nlctrl' } });
    expect(messages.find((m) => m.request === lookup.n)).toMatchObject({ family: 'nlctrl', attributes: { familyName: 'nlctrl', familyId: 16 } });
    // The dump: a request, lo in the replies, closed by NLMSG_DONE.
    const dump = messages.find((m) => m.type === 'RTM_GETLINK')!;
    expect(dump).toMatchObject({ dir: 'out', flags: ['REQUEST', 'DUMP'], protocol: 'route' });
    const replies = messages.filter((m) => m.request === dump.n);
    expect(replies.at(-1)).toMatchObject({ type: 'NLMSG_DONE', errno: 0 });
    expect(replies.some((m) => (m.attributes as { ifname?: string } | undefined)?.ifname === 'lo')).toBe(true);
    for (const m of replies) expect(m.port).toBe(dump.port);
    // The notifications of the veth pair, from the kernel, unpaired.
    const names = messages
      .filter((m) => m.type === 'RTM_NEWLINK' && m.request === undefined)
      .map((m) => (m.attributes as { ifname: string }).ifname);
    expect(names).toEqual(expect.arrayContaining(['tv0', 'tv1']));
    const veth = messages.find((m) => m.type === 'RTM_NEWLINK' && (m.attributes as { ifname?: string }).ifname === 'tv0' && m.request === undefined)!;
    expect(veth).toMatchObject({ dir: 'in', seq: 0, pid: 0 });
    expect((veth.attributes as { linkinfo?: { kind?: string } }).linkinfo?.kind).toBe('veth');
    expect(summary).toMatchObject({ problems: 0, malformed: 0, decodeErrors: 0 });
    expect(summary.requests).toBe(summary.answered);

    // The text form of the same capture.
    const t = captureContext();
    expect(await runCli(['decode', path, '--filter', 'type=RTM_NEWLINK and seq=0'], [decodeCommand], t)).toBe(0);
    expect(t.out()).toMatch(/^#\d+ r\d+ \+\d+\.\d{6} in route RTM_NEWLINK .*seq=0 port=0 len=\d+$/m);
    expect(t.out()).toMatch(/^ {4}ifname: "tv1"$/m);
  });
});
