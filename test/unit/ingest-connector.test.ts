// Connector framing and process-event decoding on hand-built bytes: the fast
// plan-based decoder agrees with the generic schema decoder, and bad bytes
// give typed errors with offsets.

import { describe, expect, it } from 'vitest';
import { loadCodec, MalformedError, TruncatedError, NLMSG_DONE, NLM_F_REQUEST } from '../../src/codec/index.js';
import { plainValue } from '../../src/schema/format.js';
import {
  buildCnMsg, procMulticastRequest, readCnMsg, decodeProcEvent, ProcEventDecoder, ProcEventReader, ProcSequenceTracker,
  CN_MSG_BYTES, PROC_CN_MCAST_LISTEN,
} from '../../src/families/connector/index.js';

/** nlmsghdr + cn_msg + proc_event head + union bytes. */
function event(what: number, union: Uint8Array, options: { seq?: number; cpu?: number; len?: number } = {}): Uint8Array {
  const dataLength = 16 + union.length;
  const total = 16 + CN_MSG_BYTES + dataLength;
  const bytes = new Uint8Array(total);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, total, true);
  v.setUint16(4, NLMSG_DONE, true);
  v.setUint32(16, 1, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, options.seq ?? 0, true);
  v.setUint16(32, options.len ?? dataLength, true);
  v.setUint32(36, what, true);
  v.setUint32(40, options.cpu ?? 0, true);
  v.setBigUint64(44, 987654321012n, true);
  bytes.set(union, 52);
  return bytes;
}

function ints(...values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  values.forEach((x, k) => new DataView(b.buffer).setInt32(k * 4, x, true));
  return b;
}

describe('connector framing', () => {
  it('builds the PROC_CN_MCAST_LISTEN request the kernel expects', () => {
    const bytes = procMulticastRequest('listen', 4242, 7);
    const v = new DataView(bytes.buffer);
    expect(bytes.length).toBe(16 + CN_MSG_BYTES + 4);
    expect(v.getUint32(0, true)).toBe(bytes.length);
    expect(v.getUint16(4, true)).toBe(NLMSG_DONE);
    expect(v.getUint16(6, true)).toBe(NLM_F_REQUEST);
    expect(v.getUint32(8, true)).toBe(7);
    expect(v.getUint32(12, true)).toBe(4242);
    expect(readCnMsg(v, 16, bytes.length)).toEqual({ idx: 1, val: 1, seq: 7, ack: 0, len: 4, flags: 0 });
    expect(v.getUint32(16 + CN_MSG_BYTES, true)).toBe(PROC_CN_MCAST_LISTEN);
  });

  it('rejects a cn_msg whose len runs past the message, and oversized data', () => {
    const bytes = buildCnMsg({ idx: 9, val: 1 }, new Uint8Array(8));
    const v = new DataView(bytes.buffer);
    v.setUint16(32, 9, true);
    expect(() => readCnMsg(v, 16, bytes.length)).toThrow(MalformedError);
    expect(() => readCnMsg(v, 16, 16 + 10)).toThrow(TruncatedError);
    expect(() => buildCnMsg({ idx: 1, val: 1 }, new Uint8Array(0x10000))).toThrow(/u16/);
  });
});

describe('process events', () => {
  const codec = loadCodec();
  const comm = new Uint8Array(16);
  comm.set(new TextEncoder().encode('worker'));
  const cases: Array<[string, number, Uint8Array]> = [
    ['fork', 0x1, ints(10, 10, 11, 11)],
    ['exec', 0x2, ints(11, 11)],
    ['uid', 0x4, ints(11, 11, 1000, 0)],
    ['sid', 0x80, ints(11, 11)],
    ['ptrace', 0x100, ints(11, 11, 12, 12)],
    ['comm', 0x200, new Uint8Array([...ints(11, 11), ...comm])],
    ['coredump', 0x40000000, ints(11, 11, 10, 10)],
    ['exit', 0x80000000, ints(11, 11, 256, 17, 10, 10)],
  ];

  it('the plan decoder and the generic schema decoder agree on every kind', () => {
    const decoder = new ProcEventDecoder(codec);
    for (const [name, what, union] of cases) {
      const batch = codec.scan(event(what, union, { seq: 5, cpu: 1 }));
      const generic = decodeProcEvent(batch, 0, codec)!;
      const fast = decoder.decode(batch, 0)!;
      expect(fast.name).toBe(name);
      expect(generic.what).toBe(name);
      const { what: _, ...rest } = generic;
      expect(fast.record).toEqual(plainValue(rest));
    }
    const batch = codec.scan(event(0x200, new Uint8Array([...ints(3, 3), ...comm])));
    expect(decoder.decode(batch, 0)!.record.comm).toBe('worker');
  });

  it('reads fields in place with ProcEventReader', () => {
    const reader = new ProcEventReader(codec);
    const batch = codec.scan(event(0x80000000, ints(11, 11, 0, 17, 10, 10), { seq: 3 }));
    expect(reader.at(batch, 0)).toBe(true);
    expect([reader.what, reader.tgid, reader.parentTgid, reader.seq]).toEqual([0x80000000, 11, 10, 3]);
    const other = codec.scan(buildCnMsg({ idx: 9, val: 1 }, new Uint8Array(32)));
    expect(reader.at(other, 0)).toBe(false);
  });

  it('gives typed errors for events shorter than they claim', () => {
    const decoder = new ProcEventDecoder(codec);
    const short = codec.scan(event(0x1, ints(1, 1, 2, 2), { len: 8 }));
    expect(() => decoder.decode(short, 0)).toThrow(MalformedError);
    const runs = codec.scan(event(0x1, ints(1, 1, 2, 2), { len: 200 }));
    expect(() => decoder.decode(runs, 0)).toThrow(MalformedError);
    expect(() => decodeProcEvent(runs, 0, codec)).toThrow(MalformedError);
    // A union shorter than its struct yields the members that fit whole.
    const partial = codec.scan(event(0x1, ints(1, 1)));
    expect(decoder.decode(partial, 0)!.record).toMatchObject({ parentPid: 1, parentTgid: 1 });
    expect(decoder.decode(partial, 0)!.record.childPid).toBeUndefined();
  });

  it('counts per-CPU sequence gaps, not the first event or reordering', () => {
    const t = new ProcSequenceTracker();
    expect(t.observe(0, 100)).toBe(0);
    expect(t.observe(1, 7)).toBe(0);
    expect(t.observe(0, 101)).toBe(0);
    expect(t.observe(0, 105)).toBe(3);
    expect(t.observe(1, 8)).toBe(0);
    expect(t.observe(0, 104)).toBe(0);
    // Across the u32 wrap: 0xffffffff and 0 are missing between these two.
    expect(t.observe(2, 0xfffffffe)).toBe(0);
    expect(t.observe(2, 1)).toBe(2);
    expect(t.missing).toBe(5);
  });
});
