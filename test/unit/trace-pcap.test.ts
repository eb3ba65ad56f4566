import { describe, expect, test } from 'vitest';
import { readTraceSync, TraceRecord, TraceDecoder } from '../../src/trace/index.js';
import { loadCodec, MalformedError, TruncatedError, STATUS_OK, STATUS_TRUNCATED, STATUS_BAD_LENGTH } from '../../src/codec/index.js';
import { concat, nlmsg, pcapFile, sll2Header, sllHeader } from '../fixtures/traces/build-trace.js';

const records = (bytes: Uint8Array) => [...readTraceSync(bytes)];

const route = nlmsg(18, 1, new Uint8Array(16), 0x301);
const reply = concat(nlmsg(16, 1, new Uint8Array(20), 2), nlmsg(3, 1, new Uint8Array(4), 2));

describe('pcap: magics and byte orders', () => {
  for (const le of [true, false]) {
    for (const nanoseconds of [false, true]) {
      test(`${nanoseconds ? 'ns' : 'µs'} ${le ? 'little' : 'big'}-endian`, () => {
        const fraction = nanoseconds ? 123_456_789 : 123_456;
        const file = pcapFile({
          le, nanoseconds, snapLength: 4096,
          records: [
            { seconds: 1_700_000_000, fraction, data: concat(sllHeader(0, { packetType: 4 }), route) },
            { seconds: 4_000_000_000, fraction: 0, data: concat(sllHeader(0, { packetType: 0, address: [0, 0, 1, 2] }), reply) },
          ],
        });
        const decoder = new TraceDecoder();
        decoder.push(file);
        decoder.end();
        const got: TraceRecord[] = [];
        for (let r = decoder.next(); r; r = decoder.next()) got.push(r);
        expect(decoder.format).toBe('pcap');
        expect(decoder.pcapHeader).toMatchObject({ littleEndian: le, nanoseconds, snapLength: 4096, linkType: 253, versionMajor: 2, versionMinor: 4 });
        expect(decoder.done).toBe(true);
        expect(got).toHaveLength(2);
        const [a, b] = got as [TraceRecord, TraceRecord];
        expect(a.number).toBe(1);
        expect(a.kind).toBe('packet');
        expect(a.fileOffset).toBe(24);
        expect(a.linkType).toBe(253);
        expect(a.netlink).toBe(true);
        expect(a.protocol).toBe(0);
        expect(a.direction).toBe('out');
        expect(a.problem).toBeNull();
        expect(a.capturedLength).toBe(16 + route.length);
        expect(a.originalLength).toBe(16 + route.length);
        expect([...a.payload]).toEqual([...route]);
        const expectedNs = 1_700_000_000n * 1_000_000_000n + (nanoseconds ? 123_456_789n : 123_456_000n);
        expect(a.timestampNs).toBe(expectedNs);
        expect(a.timeMs).toBeCloseTo(Number(expectedNs) / 1e6, 3);
        expect(b.number).toBe(2);
        expect(b.fileOffset).toBe(24 + 16 + a.capturedLength);
        expect(b.direction).toBe('in');
        expect([...b.address]).toEqual([0, 0, 1, 2]);
        // Seconds above 2^31 stay unsigned.
        expect(b.timestampNs).toBe(4_000_000_000n * 1_000_000_000n);
        expect([...b.payload]).toEqual([...reply]);
      });
    }
  }
});

describe('pcap: link types', () => {
  const file = (linkType: number, data: Uint8Array, originalLength?: number) =>
    records(pcapFile({ linkType, records: [{ seconds: 1, fraction: 0, data, originalLength }] }))[0]!;

  test('LINUX_SLL with ARPHRD_NETLINK carries netlink; with another ARPHRD it does not', () => {
    const nl = file(113, concat(sllHeader(16, { packetType: 4 }), route));
    expect([nl.linkType, nl.netlink, nl.protocol, nl.direction, nl.hardwareType, nl.problem]).toEqual([113, true, 16, 'out', 824, null]);
    expect([...nl.payload]).toEqual([...route]);
    const ip = file(113, concat(sllHeader(0x0800, { hardwareType: 1 }), new Uint8Array(20)));
    expect([ip.netlink, ip.protocol, ip.hardwareType, ip.problem]).toEqual([false, -1, 1, null]);
    expect(ip.payload.length).toBe(20);
  });

  test('LINUX_SLL2: protocol first, ARPHRD at 8, packet type at 10, address at 12', () => {
    const r = file(276, concat(sll2Header(12, { packetType: 4, ifindex: 7, address: [9, 8, 7, 6] }), route));
    expect([r.linkType, r.netlink, r.protocol, r.direction, r.packetType, r.ifindex, r.problem]).toEqual([276, true, 12, 'out', 4, 7, null]);
    expect([...r.address]).toEqual([9, 8, 7, 6]);
    expect([...r.payload]).toEqual([...route]);
    const other = file(276, concat(sll2Header(0x86dd, { hardwareType: 1 }), new Uint8Array(40)));
    expect([other.netlink, other.protocol]).toEqual([false, -1]);
  });

  test('LINKTYPE_NETLINK takes the protocol whatever the ARPHRD', () => {
    const r = file(253, concat(sllHeader(4, { hardwareType: 0 }), route));
    expect([r.netlink, r.protocol]).toEqual([true, 4]);
  });

  test('a link type that does not carry netlink is a MalformedError on the record, bytes kept', () => {
    const r = file(1, new Uint8Array(60).fill(0xab));
    expect(r.kind).toBe('packet');
    expect(r.netlink).toBe(false);
    expect(r.problem).toBeInstanceOf(MalformedError);
    expect(r.problem!.offset).toBe(24);
    expect(r.problem!.message).toMatch(/link type 1/);
    expect(r.payload.length).toBe(60);
  });

  test('a record shorter than its cooked header: Malformed when whole, Truncated when cut by the snap length', () => {
    const whole = file(253, new Uint8Array(10));
    expect(whole.problem).toBeInstanceOf(MalformedError);
    expect([whole.netlink, whole.payload.length]).toEqual([false, 0]);
    const cut = file(253, new Uint8Array(10), 100);
    expect(cut.problem).toBeInstanceOf(TruncatedError);
    const sll2 = file(276, new Uint8Array(18));
    expect(sll2.problem).toBeInstanceOf(MalformedError);
    expect(sll2.problem!.message).toMatch(/20-byte cooked header/);
  });

  test('packet types map to directions (nlmon: 7 to the kernel, 6 to a user socket)', () => {
    const dirs = [0, 1, 2, 3, 4, 5, 6, 7, 0xffff].map((packetType) => file(253, concat(sllHeader(0, { packetType }), route)).direction);
    expect(dirs).toEqual(['in', 'in', 'in', 'in', 'out', 'unknown', 'in', 'out', 'unknown']);
  });
});

describe('pcap: problems', () => {
  const good = (seconds: number) => ({ seconds, fraction: 5, data: concat(sllHeader(0), route) });

  test('a record cut by the snap length is delivered with a TruncatedError', () => {
    const data = concat(sllHeader(0), route.subarray(0, 20));
    const [r] = records(pcapFile({ records: [{ seconds: 1, fraction: 0, data, originalLength: 16 + route.length }] }));
    expect(r!.problem).toBeInstanceOf(TruncatedError);
    expect(r!.problem!.offset).toBe(24);
    expect([r!.capturedLength, r!.originalLength, r!.payload.length, r!.netlink]).toEqual([36, 16 + route.length, 20, true]);
    // The codec sees the cut message as truncated.
    const batch = loadCodec().scan(r!.payload);
    expect(batch.status(0)).toBe(STATUS_TRUNCATED);
  });

  test('a file cut off inside a record: everything before, then a final TruncatedError', () => {
    const file = pcapFile({ records: [good(1), good(2), good(3)] });
    const recordBytes = 16 + 16 + route.length;
    for (const cut of [24 + recordBytes * 2 + 5, 24 + recordBytes * 2 + 16 + 3, 24 + recordBytes * 2 + recordBytes - 1]) {
      const got = records(file.subarray(0, cut));
      expect(got).toHaveLength(3);
      expect(got.slice(0, 2).map((r) => [r.kind, r.problem, r.timestampNs])).toEqual([
        ['packet', null, 1_000_005_000n], ['packet', null, 2_000_005_000n],
      ]);
      const last = got[2]!;
      expect(last.kind).toBe('problem');
      expect(last.stopped).toBe(true);
      expect(last.problem).toBeInstanceOf(TruncatedError);
      expect(last.problem!.offset).toBe(24 + recordBytes * 2);
      expect(last.problem!.message).toMatch(cut - (24 + recordBytes * 2) < 16 ? /record header/ : /inside a record/);
    }
  });

  test('a file cut off inside its header, or empty', () => {
    const file = pcapFile({ records: [good(1)] });
    for (const cut of [0, 3, 4, 23]) {
      const got = records(file.subarray(0, cut));
      expect(got).toHaveLength(1);
      expect(got[0]!.problem).toBeInstanceOf(TruncatedError);
      expect(got[0]!.problem!.offset).toBe(0);
      expect(got[0]!.stopped).toBe(true);
    }
    expect(records(file.subarray(0, 24))).toEqual([]); // a header and no records is a valid, empty capture
  });

  test('an unknown magic number is a MalformedError at offset 0', () => {
    const got = records(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]));
    expect(got).toHaveLength(1);
    expect(got[0]!.problem).toBeInstanceOf(MalformedError);
    expect(got[0]!.problem!.offset).toBe(0);
    expect(got[0]!.problem!.message).toMatch(/50 4b 03 04/);
  });

  test('an absurd captured length stops the reader with a MalformedError', () => {
    const file = pcapFile({ records: [good(1), { seconds: 2, fraction: 0, data: new Uint8Array(8), capturedLength: 0x7fffffff }] });
    const got = records(file);
    expect(got.map((r) => r.kind)).toEqual(['packet', 'problem']);
    expect(got[1]!.problem).toBeInstanceOf(MalformedError);
    expect(got[1]!.problem!.offset).toBe(24 + 16 + 16 + route.length);
    expect(got[1]!.stopped).toBe(true);
    // A lower limit applies to ordinary records too.
    const limited = [...readTraceSync(pcapFile({ records: [good(1)] }), { maxRecordBytes: 16 })];
    expect(limited[0]!.problem!.message).toMatch(/limit/);
  });

  test('malformed netlink inside a valid record is delivered; the codec flags it', () => {
    const bad = new Uint8Array(route);
    new DataView(bad.buffer).setUint32(0, 8, true); // nlmsg_len below the header size
    const [r] = records(pcapFile({ records: [{ seconds: 1, fraction: 0, data: concat(sllHeader(0), bad) }] }));
    expect(r!.problem).toBeNull();
    expect([...r!.payload]).toEqual([...bad]);
    const batch = loadCodec().scan(r!.payload);
    expect(batch.status(0)).toBe(STATUS_BAD_LENGTH);
    expect(batch.error(0)).toBeInstanceOf(MalformedError);
    const fine = loadCodec().scan(records(pcapFile({ records: [good(1)] }))[0]!.payload);
    expect([fine.count, fine.status(0), fine.type(0)]).toEqual([1, STATUS_OK, 18]);
  });
});
