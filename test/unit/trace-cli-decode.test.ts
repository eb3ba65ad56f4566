// `nlkit decode` on captures built here: text and JSON Lines output, pairing,
// summary counts, filters, and broken records reported with their offsets.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCodec, NLMSG_OVERRUN, NLM_F_REQUEST } from '../../src/codec/index.js';
import { runCommands } from '../helpers/cli.js';
import { decodeCommand } from '../../src/cli/trace/decode.js';
import { ProgressBar } from '../../src/cli/trace/progress.js';
import { encodeTraceSync, type NetlinkDatagram } from '../../src/trace/index.js';
import {
  EXTACK_MESSAGE, ETHTOOL_ID, RTM_NEWLINK, buildFixture, fixtureCutPcap, fixturePcapng, largeCapture,
} from '../browser/capture-fixture.js';
import { concat, epb, idb, nlmsg, opb, pcapFile, sll2Header, sllHeader, shb, spb } from '../fixtures/traces/build-trace.js';

const dir = mkdtempSync(join(tmpdir(), 'nlkit-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const run = (args: string[]) => runCommands([decodeCommand], args);

type Line = Record<string, unknown> & { kind: string };

async function json(path: string, ...extra: string[]): Promise<{ messages: Line[]; problems: Line[]; summary: Line }> {
  const r = await run(['decode', path, '--json', ...extra]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Line);
  const summary = lines.at(-1)!;
  expect(summary.kind).toBe('summary');
  return { messages: lines.filter((l) => l.kind === 'message'), problems: lines.filter((l) => l.kind === 'problem'), summary };
}

const u32le = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);

describe('nlkit decode --json', () => {
  const fixture = buildFixture();
  const path = file('fixture.pcapng', fixturePcapng());

  it('lists every message in order with direction, protocol, type, seq and names', async () => {
    const { messages } = await json(path);
    expect(messages.map((m) => [m.typeNumber, m.seq, m.dir, m.protocol])).toEqual(
      fixture.rows.map((r) => [r.type, r.seq, r.direction, r.protocol === 0 ? 'route' : 'generic']),
    );
    expect(messages.map((m) => m.n)).toEqual(fixture.rows.map((_, i) => i + 1));
    expect(messages[0]).toMatchObject({ family: 'rt-link', type: 'RTM_GETLINK', flags: ['REQUEST', 'DUMP'], port: 4242, pid: 0, record: 1 });
    expect(messages[4]!.flags).toEqual(['REQUEST', 'ACK', 'EXCL', 'CREATE']);
    // Times are the recorded ones, 1.5 ms apart.
    const t0 = Number(fixture.datagrams[0]!.timestampNs!) / 1e9;
    expect(messages[0]!.time).toBeCloseTo(t0, 6);
    expect((messages[1]!.time as number) - (messages[0]!.time as number)).toBeCloseTo(0.0015, 6);
  });

  it('points every message at its bytes in the file', async () => {
    const bytes = readFileSync(path);
    const { messages } = await json(path);
    for (const m of messages.slice(0, 12)) {
      const at = m.offset as number;
      expect(u32le(bytes, at)).toBe(m.len);
      expect(u16le(bytes, at + 4)).toBe(m.typeNumber);
      expect(u32le(bytes, at + 8)).toBe(m.seq);
    }
  });

  it('decodes headers and attribute trees by name', async () => {
    const { messages } = await json(path);
    expect(messages[2]).toMatchObject({
      header: { ifiIndex: 7 },
      attributes: { ifname: 'veth0', mtu: 1500, address: '02:42:ac:11:00:02', linkinfo: { kind: 'veth' } },
    });
    expect(messages[6]).toMatchObject({ family: 'rt-addr', type: 'RTM_NEWADDR', attributes: { ifaLocal: '10.0.0.1' } });
  });

  it('pairs replies, acks and errors with their requests', async () => {
    const { messages } = await json(path);
    const replyTo = messages.map((m) => m.request ?? 0);
    // dump (1) → 2, 3, 4; create (5) → ack 6; newaddr (7) → error 8; ctrl (9) → 10; ethtool (11) unanswered.
    expect(replyTo).toEqual([0, 1, 1, 1, 0, 5, 0, 7, 0, 9, 0, 0, 0]);
    expect(messages[5]).toMatchObject({ type: 'NLMSG_ERROR', errno: 0, errnoName: 'OK', echo: { type: 'RTM_NEWLINK', seq: 2 } });
    expect(messages[3]).toMatchObject({ type: 'NLMSG_DONE', errno: 0 });
  });

  it('decodes extended acks, with the offending attribute named from the paired request', async () => {
    const { messages } = await json(path);
    expect(messages[7]).toMatchObject({
      errno: -17, errnoName: 'EEXIST',
      extack: { message: EXTACK_MESSAGE, offset: fixture.newaddrLocalOffset, attributePath: ['IFA_LOCAL'] },
    });
  });

  it('names generic netlink families by the ids the capture teaches', async () => {
    const { messages, summary } = await json(path);
    expect(messages[10]).toMatchObject({ family: 'ethtool', type: 'ETHTOOL_MSG_LINKINFO_GET', cmd: 2, attributes: { header: { devName: 'eth0' } } });
    expect(summary.genl).toMatchObject({ [String(ETHTOOL_ID)]: 'ethtool' });
    // Without the controller's reply the same message has no name.
    const alone = file('genl-alone.pcapng', encodeTraceSync([fixture.datagrams[9]!], 'pcapng'));
    const { messages: bare } = await json(alone);
    expect(bare[0]).toMatchObject({ family: `genl 0x${ETHTOOL_ID.toString(16)}`, type: 'cmd 2', cmd: 2 });
    expect(bare[0]!.attributes).toBeUndefined();
    expect(typeof bare[0]!.payload).toBe('string');
  });

  it('reports broken messages with the file offset of what is wrong', async () => {
    const bytes = readFileSync(path);
    const { messages, summary } = await json(path);
    const badAttr = messages[11]!;
    expect(badAttr.problem).toMatchObject({ error: 'MalformedError' });
    // IFLA_MTU sits after nlmsghdr, ifinfomsg and a 12-byte IFLA_IFNAME; its nla_len says 2.
    const at = (badAttr.problem as { offset: number }).offset;
    expect(at).toBe((badAttr.offset as number) + 16 + 16 + 12);
    expect(u16le(bytes, at)).toBe(2);
    expect(u16le(bytes, at + 2)).toBe(4);
    const cut = messages[12]!;
    expect(cut.problem).toMatchObject({ error: 'TruncatedError' });
    expect(u32le(bytes, cut.offset as number)).toBe(200);
    expect(summary).toMatchObject({ malformed: 1, decodeErrors: 1 });
  });

  it('summarizes counts per family and type, requests, acks and errors', async () => {
    const { messages, summary } = await json(path);
    expect(summary).toMatchObject({
      format: 'pcapng', records: fixture.datagrams.length, messages: fixture.rows.length, shown: fixture.rows.length,
      requests: 5, answered: 4, unanswered: 1, acks: 1, errors: 1, problems: 0, overruns: 0,
    });
    // The per-type counts agree with the messages listed.
    const counted = new Map<string, number>();
    for (const m of messages) counted.set(`${m.family} ${m.type}`, (counted.get(`${m.family} ${m.type}`) ?? 0) + 1);
    const types = summary.types as Array<{ family: string; type: string; count: number }>;
    expect(new Map(types.map((t) => [`${t.family} ${t.type}`, t.count]))).toEqual(counted);
    expect(types[0]).toMatchObject({ family: 'rt-link', type: 'RTM_NEWLINK', count: 5 });
  });

  it('reports a record cut off by the end of the file as a problem with its offset', async () => {
    const bytes = fixtureCutPcap();
    const cutPath = file('cut.pcap', bytes);
    const { messages, problems, summary } = await json(cutPath);
    expect(messages).toHaveLength(fixture.rows.length - 1);
    expect(problems).toHaveLength(1);
    const p = problems[0]!;
    expect(p).toMatchObject({ error: 'TruncatedError', record: fixture.datagrams.length });
    const at = p.offset as number;
    // A pcap record header there declares more bytes than the file still has.
    expect(u32le(bytes, at + 8)).toBeGreaterThan(bytes.length - at - 16);
    expect(summary).toMatchObject({ format: 'pcap', problems: 1 });
  });
});

describe('synthetic edge cases', () => {
  const codec = loadCodec();
  const message = (type: number, seq: number, flags = 0) => {
    const b = codec.builder().reset();
    b.begin(type, flags, seq, 0).reserve(4);
    return b.end().finish().slice();
  };

  it('counts overruns, reports empty and non-netlink records, and notes snapped records', async () => {
    const le = true;
    const sll = (protocol: number) => {
      const h = new Uint8Array(16);
      const v = new DataView(h.buffer);
      v.setUint16(2, 824);
      v.setUint16(14, protocol);
      return h;
    };
    const overrun = message(NLMSG_OVERRUN, 1);
    const link = message(RTM_NEWLINK, 2);
    const bytes = concat(
      shb(le), idb(le, { linkType: 253 }), idb(le, { linkType: 1 /* Ethernet */ }),
      epb(le, { iface: 0, ts: 1n, data: concat(sll(0), overrun) }),
      epb(le, { iface: 0, ts: 2n, data: sll(0) }), // no netlink bytes at all
      epb(le, { iface: 1, ts: 3n, data: new Uint8Array(20) }),
      epb(le, { iface: 0, ts: 4n, data: concat(sll(0), link), originalLength: 16 + link.length + 100 }),
    );
    const { messages, problems, summary } = await json(file('edge.pcapng', bytes));
    expect(messages.map((m) => m.type)).toEqual(['NLMSG_OVERRUN', 'RTM_NEWLINK']);
    expect(messages[1]!.note).toMatchObject({ error: 'TruncatedError' });
    expect(problems.map((p) => p.record)).toEqual([2, 3]);
    expect(problems[0]!.message).toMatch(/empty netlink datagram/);
    expect(problems[1]).toMatchObject({ error: 'MalformedError' });
    expect(problems[1]!.message).toMatch(/link type 1/);
    expect(summary).toMatchObject({ overruns: 1, problems: 2, messages: 2, records: 4 });
  });

  it('gives message offsets in every block and link-layer format', async () => {
    const a = nlmsg(RTM_NEWLINK, 1, new Uint8Array(16));
    const b = nlmsg(RTM_NEWLINK, 2, new Uint8Array(16));
    const files: Array<[string, Uint8Array]> = [
      ['blocks.pcapng', concat(shb(true), idb(true, { linkType: 253 }), epb(true, { ts: 1n, data: concat(sllHeader(0), a, b) }),
        opb(true, { ts: 2n, data: concat(sllHeader(0), b) }), spb(true, { originalLength: 16 + a.length, data: concat(sllHeader(0), a) }))],
      ['blocks-be.pcapng', concat(shb(false), idb(false, { linkType: 253 }), epb(false, { ts: 1n, data: concat(sllHeader(0), a, b) }))],
      ['sll2.pcap', pcapFile({ linkType: 276, records: [{ seconds: 1, fraction: 0, data: concat(sll2Header(0), a, b) }] })],
      ['sll.pcap', pcapFile({ linkType: 113, records: [{ seconds: 1, fraction: 0, data: concat(sllHeader(0), b) }, { seconds: 2, fraction: 0, data: concat(sllHeader(0), a) }] })],
    ];
    for (const [name, bytes] of files) {
      const { messages, problems } = await json(file(name, bytes));
      expect(problems, name).toEqual([]);
      expect(messages.length, name).toBeGreaterThan(0);
      for (const m of messages) {
        const at = m.offset as number;
        expect([u32le(bytes, at), u16le(bytes, at + 4), u32le(bytes, at + 8)], name).toEqual([m.len, m.typeNumber, m.seq]);
      }
    }
  });

  it('reads a file that is not a capture as one problem at offset 0', async () => {
    const { messages, problems } = await json(file('junk.bin', new TextEncoder().encode('hello, this is not pcap')));
    expect(messages).toHaveLength(0);
    expect(problems).toEqual([expect.objectContaining({ error: 'MalformedError', offset: 0 })]);
  });

  it('streams a large capture across read chunks without losing a message', async () => {
    const count = 30_000;
    const path = file('large.pcapng', largeCapture(count));
    const { messages, summary } = await json(path, '--filter', 'seq=12345 or seq=29999');
    expect(messages.map((m) => m.seq)).toEqual([12345, 29999]);
    expect(messages[0]).toMatchObject({ n: 12346, attributes: { ifname: 'eth345', mtu: 1500 } });
    expect(summary).toMatchObject({ messages: count, shown: 2, records: count / 100 });
    expect(summary.types).toEqual([{ protocol: 'route', family: 'rt-link', type: 'RTM_NEWLINK', count, errors: 0 }]);
  });

  it('pairs a reply sent to port 0 requests by seq, and keeps separate ports apart', async () => {
    const d = (direction: 'in' | 'out', data: Uint8Array, portId: number): NetlinkDatagram => ({ protocol: 0, direction, data, portId, timestampNs: 1n });
    const req = (seq: number) => message(18, seq, NLM_F_REQUEST);
    const b = codec.builder();
    const reply = (seq: number, pid: number) => b.reset().begin(RTM_NEWLINK, 0, seq, pid).header(new Uint8Array(16)).end().finish().slice();
    const path = file('ports.pcapng', encodeTraceSync([
      d('out', req(7), 100), d('out', req(7), 200), d('in', reply(7, 200), 0), d('in', reply(7, 100), 0), d('in', reply(7, 300), 0),
    ], 'pcapng'));
    const { messages } = await json(path);
    expect(messages.map((m) => m.request ?? 0)).toEqual([0, 0, 2, 1, 0]);
  });
});

describe('nlkit decode text output', () => {
  const path = file('fixture-text.pcapng', fixturePcapng());

  it('prints head lines, attribute trees, pairs, errors and a summary', async () => {
    const r = await run(['decode', path]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^#1 r1 \+0\.000000 out route RTM_GETLINK REQUEST,DUMP seq=1 port=4242 pid=0 len=32$/);
    expect(r.out).toMatch(/^#3 r2 \+0\.001500 in route RTM_NEWLINK MULTI seq=1 port=4242 len=80 reply-to=#1$/m);
    expect(r.out).toMatch(/^ {4}linkinfo:\n {6}kind: "veth"$/m);
    expect(r.out).toMatch(/^ {4}error -17 EEXIST for RTM_NEWADDR seq 3$/m);
    expect(r.out).toMatch(/^ {6}attributePath: \["IFA_LOCAL"\]$/m);
    expect(r.out).toMatch(/^ {4}ack for RTM_NEWLINK seq 2$/m);
    expect(r.out).toMatch(/^ {4}!! MalformedError at byte \d+: attribute type 4/m);
    expect(r.out).toMatch(/^summary: 12 records, 13 messages$/m);
    expect(r.out).toMatch(/requests 5 \(answered 4, unanswered 1\), acks 1, error replies 1/);
    expect(r.out).toMatch(/^ {2}rt-link RTM_NEWLINK +5 {2}\(1 failed\)$/m);
  });

  it('--no-summary leaves the summary out', async () => {
    const r = await run(['decode', path, '--no-summary']);
    expect(r.out).not.toMatch(/summary:/);
    expect(r.out).toMatch(/^#13 /m);
  });

  it('prints no progress bar when stderr is not a terminal', async () => {
    const r = await run(['decode', path]);
    expect(r.err).toBe('');
  });
});

describe('nlkit decode --filter', () => {
  const path = file('fixture-filter.pcapng', fixturePcapng());
  const numbers = async (expr: string) => (await json(path, '--filter', expr)).messages.map((m) => m.n);

  it('selects by field, keyword and combination', async () => {
    expect(await numbers('type=RTM_NEWLINK')).toEqual([2, 3, 5, 12, 13]);
    expect(await numbers('type=newlink dir=out')).toEqual([5]);
    expect(await numbers('type=RTM_NEW*')).toEqual([2, 3, 5, 7, 12, 13]);
    expect(await numbers('errors')).toEqual([8, 12, 13]);
    expect(await numbers('proto=generic and dir=out')).toEqual([9, 11]);
    expect(await numbers('seq=3 or seq=4')).toEqual([7, 8, 9, 10]);
    expect(await numbers('not dir=in')).toEqual([1, 5, 7, 9, 11]);
    expect(await numbers('requests')).toEqual([1, 5, 7, 9, 11]);
    expect(await numbers('replies and not type=NLMSG_DONE')).toEqual([2, 3, 6, 8, 10]);
    expect(await numbers('acks')).toEqual([6]);
    expect(await numbers('errno=EEXIST')).toEqual([8]);
    expect(await numbers('family=ethtool')).toEqual([11]);
    expect(await numbers('flag=DUMP')).toEqual([1]);
    expect(await numbers('port=4242 and (type=NLMSG_ERROR or type=NLMSG_DONE)')).toEqual([4, 6, 8]);
    expect(await numbers('seq>=4 seq<5')).toEqual([9, 10]);
    expect(await numbers('type=16 proto=16')).toEqual([9, 10]);
    expect(await numbers('unpaired')).toEqual([12, 13]);
  });

  it('still counts everything in the summary', async () => {
    const { summary } = await json(path, '--filter', 'type=NLMSG_ERROR');
    expect(summary).toMatchObject({ messages: 13, shown: 2, requests: 5 });
  });

  it('selects problem records with `problems`, and not with message fields', async () => {
    const cut = file('cut-filter.pcap', fixtureCutPcap());
    expect((await json(cut, '--filter', 'problems')).problems).toHaveLength(1);
    expect((await json(cut, '--filter', 'problems')).messages).toHaveLength(0);
    expect((await json(cut, '--filter', 'type=RTM_NEWLINK')).problems).toHaveLength(0);
  });

  it('rejects a bad expression with a message and exit code 2', async () => {
    for (const [expr, text] of [
      ['colour=red', /unknown field 'colour'/], ['seq=abc', /seq needs a number/], ['(type=RTM_NEWLINK', /not closed/],
      ['type=RTM_NEWLINK or', /ends where a term/], ['dir=sideways', /dir is 'in' or 'out'/], ['frobnicate', /unknown word/],
      ['type<3', /takes = or !=/], ['', /empty/],
    ] as const) {
      const r = await run(['decode', path, '--filter', expr]);
      expect(r.code, expr).toBe(2);
      expect(r.err, expr).toMatch(text);
      expect(r.out, expr).toBe('');
    }
  });
});

describe('nlkit decode usage', () => {
  it('needs a file that exists', async () => {
    expect(await run(['decode'])).toMatchObject({ code: 2, err: expect.stringMatching(/needs a capture file/) });
    expect(await run(['decode', join(dir, 'missing.pcap')])).toMatchObject({ code: 1, err: expect.stringMatching(/cannot read .*ENOENT/) });
    expect(await run(['decode', dir])).toMatchObject({ code: 1, err: expect.stringMatching(/is not a file/) });
    expect(await run(['decode', 'a', 'b'])).toMatchObject({ code: 2, err: expect.stringMatching(/one file/) });
    expect(await run(['decode', 'a', '--bogus'])).toMatchObject({ code: 2 });
  });

  it('has help', async () => {
    const r = await run(['decode', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/usage: nlkit decode FILE/);
  });
});

describe('stopping and progress', () => {
  it('stops on the abort signal with exit code 130, still summarizing', async () => {
    const path = file('abort.pcapng', fixturePcapng());
    const controller = new AbortController();
    controller.abort(new Error('SIGINT'));
    const { code, out } = await runCommands([decodeCommand], ['decode', path, '--json'], controller.signal);
    expect(code).toBe(130);
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Line);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ kind: 'summary', messages: 0 });
  });

  it('draws a progress bar and clears it', () => {
    let text = '';
    const bar = new ProgressBar({ write: (t) => { text += t; }, isTTY: true }, 4 << 20);
    bar.update(2 << 20);
    expect(text).toBe('\rdecoding [##########..........]  50%  2.0 / 4.0 MiB');
    bar.update(3 << 20); // within the redraw interval: not drawn
    expect(text).not.toMatch(/75%/);
    bar.done();
    expect(text.endsWith('\r\x1b[K')).toBe(true);
  });
});

describe('damaged captures', () => {
  it('decodes every mutation of a capture without crashing, every line valid JSON', async () => {
    const original = fixturePcapng();
    // A small deterministic generator: the same mutations on every run.
    let state = 0x2545f491;
    const next = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 0x100000000;
    };
    let problemsSeen = 0;
    for (let round = 0; round < 150; round++) {
      const bytes = original.slice();
      const flips = 1 + Math.floor(next() * 8);
      for (let k = 0; k < flips; k++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      const cut = next() < 0.3 ? bytes.subarray(0, Math.floor(next() * bytes.length)) : bytes;
      const path = file(`mutant-${round}.pcapng`, cut);
      const text = await run(['decode', path]);
      expect(text.code, `round ${round} (text)`).toBe(0);
      const r = await run(['decode', path, '--json']);
      expect(r.code, `round ${round}`).toBe(0);
      const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Line);
      const summary = lines.at(-1)!;
      expect(summary.kind).toBe('summary');
      expect(lines.filter((l) => l.kind === 'message')).toHaveLength(summary.messages as number);
      for (const l of lines) {
        if (l.kind === 'problem' || (l.kind === 'message' && l.problem)) {
          problemsSeen++;
          const offset = (l.kind === 'problem' ? l.offset : (l.problem as { offset: number }).offset) as number;
          expect(offset).toBeGreaterThanOrEqual(0);
          expect(offset).toBeLessThanOrEqual(cut.length);
        }
      }
    }
    expect(problemsSeen).toBeGreaterThan(0);
  });
});
