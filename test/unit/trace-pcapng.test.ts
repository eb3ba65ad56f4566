import { describe, expect, test } from 'vitest';
import { readTraceSync, TraceDecoder, type TraceRecord } from '../../src/trace/index.js';
import { MalformedError, TruncatedError } from '../../src/codec/index.js';
import {
  block, concat, epb, idb, nlmsg, opb, option, otherBlock, shb, sll2Header, sllHeader, spb,
} from '../fixtures/traces/build-trace.js';

const records = (bytes: Uint8Array, maxRecordBytes?: number) => [...readTraceSync(bytes, { maxRecordBytes })];
const msgA = nlmsg(16, 7, new Uint8Array(16), 0);
const msgB = nlmsg(3, 8, new Uint8Array(4), 2);
const pkt = (protocol: number, m: Uint8Array, packetType = 0) => concat(sllHeader(protocol, { packetType }), m);

describe('pcapng: sections, interfaces, timestamps', () => {
  for (const le of [true, false]) {
    test(`one section, ${le ? 'little' : 'big'}-endian`, () => {
      const file = concat(
        shb(le, { options: [option(4, 'capture tool'), option(3, 'Linux')] }),
        idb(le, { name: 'nlmon0', tsresol: 9 }),
        epb(le, { ts: 1_700_000_000_123_456_789n, data: pkt(0, msgA, 4), flags: 2 }),
        epb(le, { ts: 1_700_000_001_000_000_000n, data: pkt(16, msgB, 0) }),
      );
      const d = new TraceDecoder();
      d.push(file);
      d.end();
      const got: TraceRecord[] = [];
      for (let r = d.next(); r; r = d.next()) got.push(r);
      expect(d.format).toBe('pcapng');
      expect(d.sections).toEqual([{ index: 0, fileOffset: 0, littleEndian: le, versionMajor: 1, versionMinor: 0, hardware: null, os: 'Linux', application: 'capture tool' }]);
      expect(got.map((r) => [r.number, r.kind, r.protocol, r.direction, r.timestampNs, r.problem])).toEqual([
        [1, 'packet', 0, 'out', 1_700_000_000_123_456_789n, null],
        [2, 'packet', 16, 'in', 1_700_000_001_000_000_000n, null],
      ]);
      expect(got[0]!.iface).toMatchObject({ section: 0, id: 0, linkType: 253, name: 'nlmon0', unitsPerSecond: 1e9 });
      expect([...got[0]!.payload]).toEqual([...msgA]);
      expect([...got[1]!.payload]).toEqual([...msgB]);
      expect(got[0]!.timeMs).toBeCloseTo(1_700_000_000_123.456789, 2);
    });
  }

  test('several sections with their own byte order and interfaces', () => {
    const file = concat(
      shb(true), idb(true, { name: 'a' }), idb(true, { name: 'b', linkType: 276 }),
      epb(true, { iface: 1, ts: 5n, data: concat(sll2Header(4), msgA) }),
      shb(false), idb(false, { name: 'c', tsresol: 3 }),
      epb(false, { iface: 0, ts: 1500n, data: pkt(12, msgB) }),
      // Interface 1 belonged to the first section only.
      epb(false, { iface: 1, ts: 1n, data: pkt(12, msgB) }),
    );
    const d = new TraceDecoder();
    d.push(file);
    d.end();
    const got: TraceRecord[] = [];
    for (let r = d.next(); r; r = d.next()) got.push(r);
    expect(d.sections.map((s) => [s.index, s.littleEndian])).toEqual([[0, true], [1, false]]);
    expect(got.map((r) => [r.iface?.section, r.iface?.name, r.linkType, r.protocol, r.timestampNs])).toEqual([
      [0, 'b', 276, 4, 5_000n],
      [1, 'c', 253, 12, 1_500_000_000n],
      [undefined, undefined, -1, -1, null],
    ]);
    expect(got[2]!.problem).toBeInstanceOf(MalformedError);
    expect(got[2]!.problem!.message).toMatch(/interface 1/);
    expect(got[2]!.stopped).toBe(false);
  });

  test('if_tsresol in powers of 10 and of 2, and if_tsoffset', () => {
    const file = concat(
      shb(true),
      idb(true, {}), // default: microseconds
      idb(true, { tsresol: 9 }),
      idb(true, { tsresol: 0x80 | 20 }), // 2^-20 s
      idb(true, { tsresol: 3, tsoffset: 1_000_000_000n }), // ms, plus 10^9 s
      idb(true, { tsresol: 12 }), // picoseconds, rounded down to ns
      idb(true, { tsresol: 0x80 | 0, tsoffset: -10n }), // whole seconds, negative offset
      epb(true, { iface: 0, ts: 1_700_000_000_000_001n, data: pkt(0, msgA) }),
      epb(true, { iface: 1, ts: 0xffff_ffff_ffff_fff0n, data: pkt(0, msgA) }),
      epb(true, { iface: 2, ts: (3n << 20n) + (1n << 19n), data: pkt(0, msgA) }),
      epb(true, { iface: 3, ts: 1_234n, data: pkt(0, msgA) }),
      epb(true, { iface: 4, ts: 1_234_567_891_999n, data: pkt(0, msgA) }),
      epb(true, { iface: 5, ts: 100n, data: pkt(0, msgA) }),
    );
    const got = records(file);
    expect(got.map((r) => r.timestampNs)).toEqual([
      1_700_000_000_000_001_000n,
      0xffff_ffff_ffff_fff0n,
      3_500_000_000n,
      1_000_000_001_234_000_000n,
      1_234_567_891n,
      90_000_000_000n,
    ]);
    expect(got.map((r) => r.iface!.unitsPerSecond)).toEqual([1e6, 1e9, 2 ** 20, 1e3, 1e12, 1]);
    expect(got[2]!.timeMs).toBeCloseTo(3500, 6);
    expect(got[3]!.timeMs).toBeCloseTo(1_000_000_001_234, 3);
    expect(got[5]!.timeMs).toBe(90_000);
    expect(got.every((r) => r.problem === null)).toBe(true);
  });

  test('Simple Packet Blocks: original length, cut to the snap length, no timestamp', () => {
    const file = concat(
      shb(true), idb(true, { snapLength: 64 }),
      spb(true, { originalLength: 16 + msgA.length, data: pkt(0, msgA) }),
      spb(true, { originalLength: 100, data: pkt(0, concat(msgA, msgB)).subarray(0, 64) }),
    );
    const got = records(file);
    expect(got.map((r) => [r.capturedLength, r.originalLength, r.timestampNs, r.timeMs, r.protocol])).toEqual([
      [48, 48, null, null, 0],
      [64, 100, null, null, 0],
    ]);
    expect(got[0]!.problem).toBeNull();
    expect([...got[0]!.payload]).toEqual([...msgA]);
    expect(got[1]!.problem).toBeInstanceOf(TruncatedError);
  });

  test('the obsolete Packet Block is read like an EPB', () => {
    const got = records(concat(shb(false), idb(false), opb(false, { ts: 2_000_001n, data: pkt(9, msgA, 4) })));
    expect(got.map((r) => [r.protocol, r.direction, r.timestampNs, r.problem])).toEqual([[9, 'out', 2_000_001_000n, null]]);
  });

  test('epb_flags give the direction when the packet type does not', () => {
    const got = records(concat(shb(true), idb(true),
      epb(true, { ts: 1n, data: pkt(0, msgA, 0xffff), flags: 2 }),
      epb(true, { ts: 1n, data: pkt(0, msgA, 0xffff), flags: 1 }),
      epb(true, { ts: 1n, data: pkt(0, msgA, 0xffff) }),
      epb(true, { ts: 1n, data: pkt(0, msgA, 0), flags: 2 }), // the cooked header wins
    ));
    expect(got.map((r) => r.direction)).toEqual(['out', 'in', 'unknown', 'in']);
  });

  test('blocks it does not use are skipped by their length', () => {
    const got = records(concat(
      shb(true), otherBlock(true, 4, 24) /* NRB */, idb(true), otherBlock(true, 5, 32) /* ISB */,
      epb(true, { ts: 1n, data: pkt(0, msgA) }), otherBlock(true, 0x40000bad, 100), otherBlock(true, 0x0a, 0) /* DSB, empty */,
      epb(true, { ts: 2n, data: pkt(0, msgB) }), otherBlock(true, 0xbad, 4),
    ));
    expect(got.map((r) => [r.number, r.timestampNs, r.problem])).toEqual([[1, 1000n, null], [2, 2000n, null]]);
  });
});

describe('pcapng: problems', () => {
  const start = () => concat(shb(true), idb(true));
  const good = (ts: bigint) => epb(true, { ts, data: pkt(0, msgA) });

  test('a total length that is not a multiple of 4 or below 12 stops the reader', () => {
    for (const length of [13, 8, 0]) {
      const head = concat(start(), good(1n));
      const got = records(concat(head, block(true, 6, new Uint8Array(20), { length }), good(2n)));
      expect(got.map((r) => r.kind)).toEqual(['packet', 'problem']);
      expect(got[1]!.problem).toBeInstanceOf(MalformedError);
      expect(got[1]!.problem!.offset).toBe(head.length + 4);
      expect(got[1]!.stopped).toBe(true);
    }
  });

  test('lengths at the two ends that disagree stop the reader, in parsed and in skipped blocks', () => {
    const head = concat(start(), good(1n));
    const bad = block(true, 6, epb(true, { ts: 3n, data: pkt(0, msgA) }).subarray(8, -4), { trailer: 44 });
    const got = records(concat(head, bad, good(2n)));
    expect(got.map((r) => r.kind)).toEqual(['packet', 'problem']);
    expect(got[1]!.problem).toBeInstanceOf(MalformedError);
    expect(got[1]!.problem!.offset).toBe(head.length + bad.length - 4);
    const skipped = records(concat(head, otherBlock(true, 5, 16, { trailer: 12 }), good(2n)));
    expect(skipped.map((r) => [r.kind, r.stopped])).toEqual([['packet', false], ['problem', true]]);
    expect(skipped[1]!.problem!.message).toMatch(/28 bytes at its start and 12 at its end/);
  });

  test('a packet block whose captured length exceeds it is flagged and the next one read', () => {
    const bad = block(true, 6, (() => {
      const b = epb(true, { ts: 3n, data: pkt(0, msgA) }).subarray(8, -4).slice();
      new DataView(b.buffer).setUint32(12, 1000, true); // caplen
      return b;
    })());
    const got = records(concat(start(), bad, good(4n)));
    expect(got.map((r) => [r.kind, r.problem?.constructor.name ?? null])).toEqual([['packet', 'MalformedError'], ['packet', null]]);
    expect(got[0]!.problem!.message).toMatch(/1000 captured bytes/);
  });

  test('a file that does not start with a Section Header Block, or with an unknown byte-order magic', () => {
    const notFirst = records(concat(idb(true), good(1n)));
    expect(notFirst[0]!.problem).toBeInstanceOf(MalformedError); // not even detected as a trace
    const bom = shb(true);
    bom.set([1, 2, 3, 4], 8);
    const got = records(bom);
    expect(got[0]!.problem).toBeInstanceOf(MalformedError);
    expect(got[0]!.problem!.offset).toBe(8);
    expect(got[0]!.problem!.message).toMatch(/byte-order magic/);
  });

  test('a second section with a bad version stops the reader; the first section is still read', () => {
    const got = records(concat(start(), good(1n), shb(true, { major: 2 }), idb(true), good(2n)));
    expect(got.map((r) => r.kind)).toEqual(['packet', 'problem']);
    expect(got[1]!.problem!.message).toMatch(/version 2\.0/);
  });

  test('a file cut off inside a block, a block header or a skipped block', () => {
    const head = concat(start(), good(1n));
    const tail = good(2n);
    const isb = otherBlock(true, 5, 64);
    for (const [bytes, at, what] of [
      [concat(head, tail.subarray(0, 5)), head.length, /block header/],
      [concat(head, tail.subarray(0, tail.length - 1)), head.length, /Enhanced Packet Block/],
      [concat(head, isb.subarray(0, 30)), head.length, /block of type 0x5/],
      [concat(head, isb.subarray(0, isb.length - 2)), head.length, /block of type 0x5/],
      [shb(true).subarray(0, 20), 0, /Section Header Block/],
      [shb(true).subarray(0, 10), 0, /Section Header Block/],
    ] as const) {
      const got = records(bytes);
      const last = got[got.length - 1]!;
      expect(last.kind).toBe('problem');
      expect(last.problem).toBeInstanceOf(TruncatedError);
      expect(last.problem!.offset).toBe(at);
      expect(last.problem!.message).toMatch(what);
      expect(last.stopped).toBe(true);
      expect(got.filter((r) => r.kind === 'packet').length).toBe(at === 0 ? 0 : 1);
    }
  });

  test('a packet block above the size limit is skipped with a problem; the reader goes on', () => {
    const big = epb(true, { ts: 3n, data: pkt(0, new Uint8Array(1000)) });
    const got = records(concat(start(), good(1n), big, good(2n)), 512);
    expect(got.map((r) => [r.kind, r.stopped])).toEqual([['packet', false], ['problem', false], ['packet', false]]);
    expect(got[1]!.problem!.message).toMatch(/larger than the 512-byte limit/);
    expect(got[2]!.timestampNs).toBe(2000n);
    // An interface block above it stops the reader: later ids would be wrong.
    const name = 'x'.repeat(600);
    const stop = records(concat(shb(true), idb(true, { name }), good(1n)), 512);
    expect(stop.map((r) => [r.kind, r.stopped])).toEqual([['problem', true]]);
  });

  test('bad options in an interface block are reported; the interface is still used', () => {
    const body = new Uint8Array(16);
    const v = new DataView(body.buffer);
    v.setUint16(0, 253, true);
    v.setUint16(8, 9, true); // if_tsresol claiming 200 bytes
    v.setUint16(10, 200, true);
    const got = records(concat(shb(true), block(true, 1, body), good(5n)));
    expect(got.map((r) => [r.kind, r.stopped])).toEqual([['problem', false], ['packet', false]]);
    expect(got[0]!.problem).toBeInstanceOf(MalformedError);
    expect(got[0]!.problem!.message).toMatch(/option 9 of 200 bytes/);
    expect(got[1]!.timestampNs).toBe(5000n);
    const wrongSize = records(concat(shb(true), idb(true, { options: [option(9, [9, 9])] }), good(5n)));
    expect(wrongSize[0]!.problem!.message).toMatch(/if_tsresol of 2 bytes/);
    expect(wrongSize[1]!.iface!.unitsPerSecond).toBe(1e6);
  });

  test('a Simple Packet Block in a section without interfaces', () => {
    const got = records(concat(shb(true), spb(true, { originalLength: 32, data: pkt(0, msgA) })));
    expect(got[0]!.problem).toBeInstanceOf(MalformedError);
    expect(got[0]!.netlink).toBe(false);
  });
});
