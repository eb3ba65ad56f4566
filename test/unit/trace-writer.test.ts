import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeTrace, encodeTraceSync, PcapngWriter, PcapWriter, readTrace, readTraceSync, scanRecord, nowNs,
  type NetlinkDatagram, type TraceRecord,
} from '../../src/trace/index.js';
import { readTraceFile, TraceFileWriter, writeTraceFile } from '../../src/trace/node.js';
import {
  loadCodec, ArgumentError, TruncatedError, NLM_F_REQUEST, NLM_F_DUMP, NLM_F_MULTI, NLM_F_ACK, NLMSG_DONE, NLMSG_ERROR,
  NETLINK_ROUTE, NETLINK_GENERIC, STATUS_OK,
} from '../../src/codec/index.js';
import { concat, shb } from '../fixtures/traces/build-trace.js';

const codec = loadCodec();
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const GENL_ID_CTRL = 16;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_NAME = 2;

/** A conversation: a link dump on NETLINK_ROUTE and a family lookup on NETLINK_GENERIC. */
function conversation(t0: bigint): NetlinkDatagram[] {
  const b = codec.builder();
  const bytes = (fill: () => void) => { b.reset(); fill(); return b.finish().slice(); };
  const ifinfo = new Uint8Array(16);
  return [
    { protocol: NETLINK_ROUTE, direction: 'out', portId: 4242, timestampNs: t0,
      data: bytes(() => b.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 4242).header(ifinfo).end()) },
    { protocol: NETLINK_ROUTE, direction: 'in', portId: 0, timestampNs: t0 + 1_001n,
      data: bytes(() => {
        b.begin(RTM_NEWLINK, NLM_F_MULTI, 1, 4242).header(ifinfo).string(IFLA_IFNAME, 'lo').u32(IFLA_MTU, 65536).end();
        b.begin(RTM_NEWLINK, NLM_F_MULTI, 1, 4242).header(ifinfo).string(IFLA_IFNAME, 'veth0').u32(IFLA_MTU, 1500).end();
      }) },
    { protocol: NETLINK_ROUTE, direction: 'in', portId: 0, timestampNs: t0 + 2_000_000_003n,
      data: bytes(() => b.begin(NLMSG_DONE, NLM_F_MULTI, 1, 4242).header(new Uint8Array(4)).end()) },
    { protocol: NETLINK_GENERIC, direction: 'out', portId: 4243, timestampNs: t0 + 3_000_000_000n,
      data: bytes(() => b.begin(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, 7, 4243).header(Uint8Array.from([CTRL_CMD_GETFAMILY, 1, 0, 0])).string(CTRL_ATTR_FAMILY_NAME, 'nlctrl').end()) },
    { protocol: NETLINK_GENERIC, direction: 'in', portId: 0, timestampNs: t0 + 3_000_000_500n,
      data: (() => {
        // An ack: error 0 and the request's header.
        const ack = new Uint8Array(36);
        const v = new DataView(ack.buffer);
        v.setUint32(0, 36, true); v.setUint16(4, NLMSG_ERROR, true); v.setUint16(6, 0x100, true);
        v.setUint32(8, 7, true); v.setUint32(12, 4243, true); v.setInt32(16, 0, true);
        v.setUint32(20, 36, true); v.setUint16(24, GENL_ID_CTRL, true); v.setUint32(28, 7, true); v.setUint32(32, 4243, true);
        return ack;
      })() },
  ];
}

const T0 = 1_712_345_678_123_456_789n;

function checkRoundTrip(got: TraceRecord[], sent: NetlinkDatagram[]) {
  expect(got).toHaveLength(sent.length);
  got.forEach((r, i) => {
    const d = sent[i]!;
    expect(r.problem).toBeNull();
    expect(r.kind).toBe('packet');
    expect([r.number, r.linkType, r.protocol, r.direction, r.timestampNs]).toEqual([i + 1, 253, d.protocol, d.direction, d.timestampNs]);
    expect(Array.from(r.payload)).toEqual(Array.from(d.data));
    expect(Array.from(r.address)).toEqual([0, 0, (d.portId! >>> 8) & 0xff, d.portId! & 0xff]);
    expect(r.portId).toBe(d.portId);
  });
}

describe('writers: round trips', () => {
  test('pcapng: identical datagrams, timestamps, protocols, directions, ports', () => {
    const sent = conversation(T0);
    const got = [...readTraceSync(encodeTraceSync(sent, 'pcapng'))];
    checkRoundTrip(got, sent);
    expect(got.map((r) => [r.iface!.id, r.iface!.name, r.iface!.unitsPerSecond])).toEqual([
      [0, 'netlink-route', 1e9], [0, 'netlink-route', 1e9], [0, 'netlink-route', 1e9],
      [1, 'netlink-generic', 1e9], [1, 'netlink-generic', 1e9],
    ]);
    // The codec reads the messages back.
    const batch = scanRecord(got[1]!, codec);
    expect([batch.count, batch.type(0), batch.type(1), batch.status(0), batch.status(1)]).toEqual([2, RTM_NEWLINK, RTM_NEWLINK, STATUS_OK, STATUS_OK]);
    const names: string[] = [];
    for (let i = 0; i < batch.count; i++) {
      const d = batch.attributes(i, 16).decoder();
      while (d.next()) if (d.type === IFLA_IFNAME) names.push(d.string());
      d.finish();
    }
    expect(names).toEqual(['lo', 'veth0']);
  });

  test('pcap: the same, in one nanosecond file', () => {
    const sent = conversation(T0);
    const bytes = encodeTraceSync(sent, 'pcap');
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(0xa1b23c4d);
    const got = [...readTraceSync(bytes)];
    checkRoundTrip(got, sent);
  });

  test('unknown direction, no port, and a datagram cut by the snap length', () => {
    const data = new Uint8Array(300).map((_, i) => i);
    for (const format of ['pcap', 'pcapng'] as const) {
      const got = [...readTraceSync(encodeTraceSync([
        { protocol: 9, data: data.subarray(0, 20), timestampNs: 5n },
        { protocol: 9, data, timestampNs: 6n, direction: 'out' },
        { protocol: 9, data: data.subarray(0, 10), originalLength: 64, timestampNs: 7n, direction: 'in' },
      ], format, { snapLength: 116 }))];
      expect(got.map((r) => r.portId)).toEqual([-1, -1, -1]);
      expect(got.map((r) => [r.direction, r.address.length, r.capturedLength, r.originalLength, r.payload.length, r.problem?.name ?? null])).toEqual([
        ['unknown', 0, 36, 36, 20, null],
        ['out', 0, 116, 316, 100, 'TruncatedError'],
        ['in', 0, 26, 80, 10, 'TruncatedError'],
      ]);
      expect(Array.from(got[1]!.payload)).toEqual(Array.from(data.subarray(0, 100)));
    }
  });

  test('chunk size does not change the bytes; chunks are the sink\'s to keep', () => {
    const sent = Array.from({ length: 200 }, (_, i) => ({
      protocol: i % 4, data: new Uint8Array(16 + (i % 37)).fill(i), timestampNs: BigInt(i) * 1000n, direction: 'in' as const,
    }));
    const whole = encodeTraceSync(sent, 'pcapng');
    for (const chunkBytes of [64, 100, 4096]) {
      const chunks: Uint8Array[] = [];
      const w = new PcapngWriter((c) => chunks.push(c), { chunkBytes });
      for (const d of sent) w.write(d);
      w.close();
      expect(chunks.length).toBeGreaterThan(chunkBytes === 4096 ? 2 : 50);
      expect(Array.from(concat(...chunks))).toEqual(Array.from(whole));
    }
  });

  test('encodeTrace as an async iterable; writeTraceFile and TraceFileWriter to disk', async () => {
    const sent = conversation(T0);
    const chunks: Uint8Array[] = [];
    for await (const c of encodeTrace((async function* () { yield* sent; })(), 'pcap')) chunks.push(c);
    expect(Array.from(concat(...chunks))).toEqual(Array.from(encodeTraceSync(sent, 'pcap')));
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-trace-'));
    try {
      await writeTraceFile(join(dir, 'a.pcapng'), sent);
      const a: TraceRecord[] = [];
      for await (const r of readTraceFile(join(dir, 'a.pcapng'))) a.push(r);
      checkRoundTrip(a, sent);
      const f = new TraceFileWriter(join(dir, 'b.pcap'), 'pcap', { chunkBytes: 64 });
      for (const d of sent) f.write(d);
      f.close();
      f.close();
      checkRoundTrip([...readTraceSync(readFileSync(join(dir, 'b.pcap')))], sent);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a timestamp defaults to now', () => {
    const before = nowNs();
    const [r] = [...readTraceSync(encodeTraceSync([{ protocol: 0, data: new Uint8Array(16) }]))];
    const after = nowNs();
    expect(r!.timestampNs! >= before && r!.timestampNs! <= after).toBe(true);
    expect(Math.abs(r!.timeMs! - Date.now())).toBeLessThan(60_000);
  });

  test('bad datagrams and misuse are ArgumentErrors', () => {
    const w = new PcapngWriter(() => undefined);
    expect(() => w.write({ protocol: 70000, data: new Uint8Array(4) })).toThrow(ArgumentError);
    expect(() => w.write({ protocol: -1, data: new Uint8Array(4) })).toThrow(ArgumentError);
    expect(() => w.write({ protocol: 0, data: [1, 2] as never })).toThrow(ArgumentError);
    expect(() => w.write({ protocol: 0, data: new Uint8Array(8), originalLength: 4 })).toThrow(ArgumentError);
    expect(() => w.write({ protocol: 0, data: new Uint8Array(8), timestampNs: -1n })).toThrow(ArgumentError);
    expect(() => w.write({ protocol: 0, data: new Uint8Array(8), timestampNs: 1n << 64n })).toThrow(ArgumentError);
    expect(() => new PcapWriter(() => undefined).write({ protocol: 0, data: new Uint8Array(8), timestampNs: 1n << 33n << 30n })).toThrow(/2106/);
    expect(() => new PcapWriter(() => undefined, { snapLength: 8 })).toThrow(ArgumentError);
    expect(() => new PcapWriter('sink' as never)).toThrow(ArgumentError);
    w.close();
    expect(() => w.write({ protocol: 0, data: new Uint8Array(8) })).toThrow(/after close/);
  });
});

describe('written files open in Wireshark', () => {
  let tshark = false;
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    tshark = true;
  } catch {
    if (process.env.CI === 'true') throw new Error('tshark is required under CI=true (apt-get install tshark)');
    console.warn('note: tshark is not on PATH; the Wireshark checks of written captures are not run (apt-get install tshark)');
  }

  for (const format of ['pcapng', 'pcap'] as const) {
    test.runIf(tshark)(`tshark parses the netlink messages of a written ${format} file`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'nlkit-trace-'));
      try {
        const path = join(dir, `conversation.${format}`);
        writeFileSync(path, encodeTraceSync(conversation(T0), format));
        const fields = ['frame.number', 'frame.time_epoch', 'netlink.family', 'netlink-route.nltype', 'genl.family_id', 'netlink.hdr_type', 'netlink.hdr_seq', 'netlink.hdr_pid'];
        const out = execFileSync('tshark', ['-n', '-r', path, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], {
          encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000,
        });
        const rows = out.trim().split('\n').map((line) => line.split('|'));
        // Wireshark's rtnetlink and genetlink dissectors take over from the cooked header's protocol.
        expect(rows.map(([n, , ...rest]) => [n, ...rest])).toEqual([
          // frame, family (protocol), rtnetlink type, genl family id, control type, seq, port id
          ['1', '0x0000', '18', '', '', '1', '4242'],
          ['2', '0x0000', '16,16', '', '', '1,1', '4242,4242'],
          ['3', '0x0000', '', '', '0x0003', '1', '4242'],
          ['4', '0x0010', '', '0x10', '', '7', '4243'],
          ['5', '0x0010', '', '', '0x0002,0x0010', '7,7', '4243,4243'], // the ack and the request header it echoes
        ]);
        // Timestamps survive to the nanosecond.
        expect(rows[0]![1]).toBe('1712345678.123456789');
        expect(rows[2]![1]).toBe('1712345680.123456792');
        // Nothing malformed in Wireshark's eyes.
        const malformed = execFileSync('tshark', ['-n', '-r', path, '-Y', '_ws.malformed || _ws.expert.severity >= "error"'], {
          encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000,
        });
        expect(malformed.trim()).toBe('');
        // The rtnetlink dissector decodes the attributes.
        const verbose = execFileSync('tshark', ['-n', '-r', path, '-V', '-Y', 'frame.number == 2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
        expect(verbose).toMatch(/veth0/);
        expect(verbose).toMatch(/Linux netlink/i);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('throughput', () => {
  test('1,000,000 small records through writer and streaming reader (time is printed, not asserted)', async () => {
    const N = 1_000_000;
    const data = new Uint8Array(20);
    new DataView(data.buffer).setUint32(0, 20, true);
    const chunks: Uint8Array[] = [];
    const w = new PcapngWriter((c) => chunks.push(c));
    const d: NetlinkDatagram = { protocol: 0, data, direction: 'in', timestampNs: 0n };
    let t = performance.now();
    for (let i = 0; i < N; i++) {
      d.timestampNs = T0 + BigInt(i);
      w.write(d);
    }
    w.close();
    const writeMs = performance.now() - t;
    const bytes = chunks.reduce((n, c) => n + c.length, 0);
    t = performance.now();
    let count = 0;
    let last: bigint | null = null;
    let payloadBytes = 0;
    for await (const r of readTrace(chunks)) {
      count++;
      payloadBytes += r.payload.length;
      last = r.timestampNs;
    }
    const readMs = performance.now() - t;
    expect(count).toBe(N);
    expect(payloadBytes).toBe(N * 20);
    expect(last).toBe(T0 + BigInt(N - 1));
    console.log(`trace throughput: wrote ${N} records (${(bytes / 1e6).toFixed(1)} MB) in ${writeMs.toFixed(0)} ms, read them back in ${readMs.toFixed(0)} ms (${(N / readMs / 1000).toFixed(2)} M records/s)`);
  });
});
