import { describe, expect, test } from 'vitest';
import {
  loadCodec, NLMSG_ERROR, NLMSG_DONE, NLMSG_NOOP, NLMSG_OVERRUN, NLM_F_MULTI, NLM_F_REQUEST,
  STATUS_OK, STATUS_TRUNCATED, STATUS_BAD_LENGTH, STATUS_BAD_PAYLOAD, TruncatedError, MalformedError,
  StaleError, ArgumentError,
} from '../../src/codec/index.js';
import { concat, msg, i32le, u32le } from '../helpers/bytes.js';

const codec = loadCodec();

function summary(bytes: Uint8Array, datagrams?: number[]) {
  const b = codec.scan(bytes, datagrams);
  return Array.from({ length: b.count }, (_, i) => ({
    offset: b.offset(i), length: b.length(i), type: b.type(i), status: b.status(i), datagram: b.datagram(i),
  }));
}

describe('scanBatch', () => {
  test('an empty batch has no messages', () => {
    expect(codec.scan(new Uint8Array(0)).count).toBe(0);
    expect(codec.scan(new Uint8Array(0), []).count).toBe(0);
  });

  test('a message of exactly 16 bytes', () => {
    const b = codec.scan(msg(NLMSG_NOOP, undefined, { flags: NLM_F_REQUEST, seq: 0xfffffffe, pid: 0x80000001 }));
    expect(b.count).toBe(1);
    expect([b.offset(0), b.length(0), b.type(0), b.flags(0), b.seq(0), b.pid(0), b.status(0)])
      .toEqual([0, 16, NLMSG_NOOP, NLM_F_REQUEST, 0xfffffffe, 0x80000001, STATUS_OK]);
  });

  test('several messages follow NLMSG_ALIGN, and non-zero padding is ignored', () => {
    const bytes = concat(
      msg(20, new Uint8Array(5), { padByte: 0xee, seq: 1 }), // 21 bytes, padded to 24 with garbage
      msg(21, new Uint8Array(4), { seq: 2 }),
      msg(NLMSG_DONE, i32le(0), { flags: NLM_F_MULTI, seq: 3 }),
    );
    expect(summary(bytes)).toEqual([
      { offset: 0, length: 21, type: 20, status: STATUS_OK, datagram: 0 },
      { offset: 24, length: 20, type: 21, status: STATUS_OK, datagram: 0 },
      { offset: 44, length: 20, type: NLMSG_DONE, status: STATUS_OK, datagram: 0 },
    ]);
  });

  test('a last message whose length is unaligned at the end of the datagram is accepted', () => {
    const bytes = concat(msg(20, new Uint8Array(4)), msg(22, new Uint8Array(3), { unpadded: true }));
    expect(bytes.length).toBe(39);
    expect(summary(bytes).map((m) => [m.length, m.status])).toEqual([[20, STATUS_OK], [19, STATUS_OK]]);
  });

  test('nlmsg_len 0 is a bad length and ends the datagram', () => {
    const bytes = concat(msg(20), msg(21, undefined, { declaredLength: 0 }), msg(22));
    const s = summary(bytes);
    expect(s).toEqual([
      { offset: 0, length: 16, type: 20, status: STATUS_OK, datagram: 0 },
      { offset: 16, length: 32, type: 21, status: STATUS_BAD_LENGTH, datagram: 0 },
    ]);
    const b = codec.scan(bytes);
    expect(b.error(1)).toBeInstanceOf(MalformedError);
    expect(b.error(1)!.offset).toBe(16);
    expect(() => b.check(1)).toThrow(/declares 0 bytes.*at byte 16/);
  });

  test('nlmsg_len below the header size is a bad length', () => {
    expect(summary(msg(20, new Uint8Array(8), { declaredLength: 12 }))[0]!.status).toBe(STATUS_BAD_LENGTH);
  });

  test('nlmsg_len beyond the datagram is truncated, with the bytes that are there', () => {
    const bytes = concat(msg(20), msg(21, new Uint8Array(8), { declaredLength: 100 }));
    const b = codec.scan(bytes);
    expect(b.count).toBe(2);
    expect([b.status(1), b.offset(1), b.length(1), b.type(1)]).toEqual([STATUS_TRUNCATED, 16, 24, 21]);
    expect(b.error(1)).toBeInstanceOf(TruncatedError);
    expect(b.error(1)!.message).toMatch(/declares 100 bytes, only 24 remain/);
  });

  test('fewer than 16 bytes after the last message are reported, not skipped', () => {
    const bytes = concat(msg(20), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    const s = summary(bytes);
    expect(s[1]).toEqual({ offset: 16, length: 8, type: 0, status: STATUS_TRUNCATED, datagram: 0 });
    expect(codec.scan(bytes).error(1)!.message).toMatch(/8 bytes left.*fewer than a message header.*at byte 16/);
  });

  test('an NLMSG_ERROR too short for struct nlmsgerr is flagged and scanning goes on', () => {
    const bytes = concat(msg(NLMSG_ERROR, i32le(-22)), msg(NLMSG_ERROR, concat(i32le(-2), msg(18))), msg(NLMSG_OVERRUN));
    const b = codec.scan(bytes);
    expect([b.count, b.status(0), b.status(1), b.status(2)]).toEqual([3, STATUS_BAD_PAYLOAD, STATUS_OK, STATUS_OK]);
    expect(b.errorCode(1)).toBe(-2);
    expect(b.errorCode(0)).toBe(0);
    expect(b.error(0)).toBeInstanceOf(MalformedError);
  });

  test('NLMSG_DONE carries the dump error when it has one', () => {
    const b = codec.scan(concat(msg(NLMSG_DONE, i32le(-16), { flags: NLM_F_MULTI }), msg(NLMSG_DONE)));
    expect([b.errorCode(0), b.errorCode(1)]).toEqual([-16, 0]);
  });

  test('many messages across several datagrams keep their datagram index; damage stays in its datagram', () => {
    const d0 = concat(msg(20, u32le(1)), msg(21, u32le(2)));
    const d1 = concat(msg(22, u32le(3)), msg(23, undefined, { declaredLength: 400 }));
    const d2 = concat(msg(24), msg(25, new Uint8Array(1), { unpadded: true }));
    const s = summary(concat(d0, d1, d2), [d0.length, d1.length, d2.length]);
    expect(s.map((m) => [m.type, m.datagram, m.status])).toEqual([
      [20, 0, STATUS_OK], [21, 0, STATUS_OK],
      [22, 1, STATUS_OK], [23, 1, STATUS_TRUNCATED],
      [24, 2, STATUS_OK], [25, 2, STATUS_OK],
    ]);
    expect(s[4]!.offset).toBe(d0.length + d1.length);
  });

  test('an unaligned message inside a datagram is followed by its padding, not by the next datagram', () => {
    // Datagram 0 ends unaligned at 17 bytes; datagram 1 starts right after.
    const d0 = msg(20, new Uint8Array(1), { unpadded: true });
    const d1 = msg(21);
    const s = summary(concat(d0, d1), [d0.length, d1.length]);
    expect(s.map((m) => [m.type, m.offset, m.length, m.status])).toEqual([[20, 0, 17, STATUS_OK], [21, 17, 16, STATUS_OK]]);
  });

  test('zero-copy: datagrams written into the scanner input region at slot offsets', () => {
    const scanner = codec.scanner();
    const region = scanner.input(2 * 64);
    region.set(msg(30, u32le(7)), 0);
    region.set(concat(msg(31), msg(32)), 64);
    scanner.setDatagram(0, 0, 20);
    scanner.setDatagram(1, 64, 32);
    const b = scanner.scan(2);
    expect(Array.from({ length: b.count }, (_, i) => [b.type(i), b.offset(i), b.datagram(i)]))
      .toEqual([[30, 0, 0], [31, 64, 1], [32, 80, 1]]);
    scanner.release();
  });

  test('datagrams outside the region are refused', () => {
    const scanner = codec.scanner();
    scanner.input(32);
    scanner.setDatagram(0, 0, 4096 * 1024);
    expect(() => scanner.scan(1)).toThrow(ArgumentError);
    expect(() => codec.scan(new Uint8Array(16), [8, 16])).toThrow(ArgumentError);
    scanner.release();
  });

  test('a batch read after its scanner scanned again is stale', () => {
    const scanner = codec.scanner();
    const first = scanner.scanBytes(msg(20));
    expect(first.valid).toBe(true);
    scanner.scanBytes(msg(21));
    expect(first.valid).toBe(false);
    expect(() => first.copy(0)).toThrow(StaleError);
    scanner.release();
  });

  test('batches stay readable when memory grows under them', () => {
    const scanner = codec.scanner();
    const b = scanner.scanBytes(concat(msg(40, u32le(1)), msg(41, u32le(2))));
    const before = codec.memory.u8.buffer.byteLength;
    const other = codec.scanner();
    other.input(before + 1024 * 1024); // forces growth
    expect(codec.memory.u8.buffer.byteLength).toBeGreaterThan(before);
    expect([b.type(0), b.type(1), b.seq(1)]).toEqual([40, 41, 0]);
    expect(Array.from(b.copy(1).subarray(16))).toEqual([2, 0, 0, 0]);
    other.release();
    scanner.release();
  });

  test('message() gives a detached record', () => {
    const b = codec.scan(msg(42, u32le(9), { seq: 5, pid: 6, flags: 1 }));
    const m = b.message(0);
    expect(m).toMatchObject({ type: 42, seq: 5, pid: 6, flags: 1, length: 20, status: STATUS_OK });
    expect(m.bytes.length).toBe(20);
  });
});

test('errors and error codes read correctly from a datagram at an unaligned offset', () => {
  const d0 = msg(20, new Uint8Array(1), { unpadded: true });
  const d1 = concat(msg(NLMSG_ERROR, concat(i32le(-17), msg(16))), msg(21, undefined, { declaredLength: 3 }));
  const b = codec.scan(concat(d0, d1), [d0.length, d1.length]);
  expect(b.errorCode(1)).toBe(-17);
  expect(b.error(2)!.message).toMatch(/declares 3 bytes/);
});
