import { describe, expect, test } from 'vitest';
import { loadCodec, BuildError, ArgumentError, NLM_F_REQUEST, NLM_F_ACK } from '../../src/codec/index.js';
import { ascii, attr, concat, msg, u16le, u32le } from '../helpers/bytes.js';

const codec = loadCodec();
const b = codec.builder();

describe('MessageBuilder', () => {
  test('builds exactly the bytes the format prescribes', () => {
    b.reset();
    b.begin(16, NLM_F_REQUEST | NLM_F_ACK, 7, 99).header(new Uint8Array([10, 0, 0, 0]));
    b.string(3, 'veth0').u32(4, 1500).u16(5, 0xbeef).u8(6, 0xaa).flag(7);
    b.nest(18, () => { b.string(1, 'veth'); });
    b.end();
    b.begin(17, 0, 8).be16(1, 0x1234).be32(2, 0x01020304).end();
    const built = b.finish().slice();
    const expected = concat(
      msg(16, concat(new Uint8Array([10, 0, 0, 0]),
        attr(3, ascii('veth0')), attr(4, u32le(1500)), attr(5, u16le(0xbeef)), attr(6, new Uint8Array([0xaa])), attr(7),
        attr(18, attr(1, ascii('veth')), { nestedFlag: true })), { flags: NLM_F_REQUEST | NLM_F_ACK, seq: 7, pid: 99 }),
      msg(17, concat(attr(1, new Uint8Array([0x12, 0x34])), attr(2, new Uint8Array([1, 2, 3, 4]))), { seq: 8 }),
    );
    expect(Array.from(built)).toEqual(Array.from(expected));
    expect(b.messages).toBe(2);
  });

  test('padding is always zero, even over memory that held other bytes', () => {
    b.reset().begin(16, 0, 1);
    for (let i = 0; i < 50; i++) b.bytes(1, new Uint8Array(7).fill(0xff));
    b.finish();
    // Reuse the same buffer: the odd-length payloads must leave zero padding.
    b.reset().begin(16, 0, 1).u8(1, 1).string(2, 'ab').bytes(3, new Uint8Array([5, 5, 5])).end();
    const built = b.finish();
    expect(Array.from(built)).toEqual(Array.from(msg(16, concat(attr(1, new Uint8Array([1])), attr(2, ascii('ab')), attr(3, new Uint8Array([5, 5, 5]))), { seq: 1 })));
  });

  test('nest(..., false) leaves NLA_F_NESTED clear; family headers are zero-padded', () => {
    b.reset().begin(20, 0, 0);
    const at = b.reserve(3);
    b.memory.u8.set([1, 2, 3], at);
    b.nest(1, () => b.u32(2, 5), false).end();
    expect(Array.from(b.finish())).toEqual(Array.from(msg(20, concat(new Uint8Array([1, 2, 3, 0]), attr(1, attr(2, u32le(5)))))));
  });

  test('64-bit values from numbers and bigints, signed and big-endian', () => {
    b.reset().begin(20, 0, 0).u64(1, 2 ** 53 - 1).u64(2, 0xfedcba9876543210n).s64(3, -2).s64(4, -2n).be64(5, 0x0102030405060708n).s32(6, -1).s16(7, -2).s8(8, -3).end();
    const list = codec.scan(b.finish().slice()).attributes(0, 0);
    expect([list.u64(0), list.u64(1), list.s64(2), list.s64(3), list.be64(4)])
      .toEqual([2n ** 53n - 1n, 0xfedcba9876543210n, -2n, -2n, 0x0102030405060708n]);
    expect([list.s32(5), list.s16(6), list.s8(7)]).toEqual([-1, -2, -3]);
    expect(() => b.reset().begin(20, 0, 0).u64(1, 2 ** 60)).toThrow(ArgumentError);
  });

  test('non-ASCII strings are encoded as UTF-8 with their exact length', () => {
    b.reset().begin(20, 0, 0).string(1, 'grüße-👋').u32(2, 1).end();
    const list = codec.scan(b.finish().slice()).attributes(0, 0);
    expect(list.string(0)).toBe('grüße-👋');
    expect(list.payloadLength(0)).toBe(new TextEncoder().encode('grüße-👋').length + 1);
    expect(list.u32(1)).toBe(1);
  });

  test('large batches grow the buffer and keep earlier messages intact', () => {
    b.reset();
    for (let i = 0; i < 5000; i++) b.begin(16, 0, i).string(1, `if${i}`).u32(2, i).end();
    const built = b.finish().slice();
    const batch = codec.scan(built);
    expect(batch.count).toBe(5000);
    expect(batch.seq(4999)).toBe(4999);
    expect(batch.attributes(1234, 0).string(0)).toBe('if1234');
  });

  test('misuse is reported as a BuildError at finish', () => {
    expect(() => b.reset().u32(1, 1).finish()).toThrow(/outside a message/);
    expect(() => b.reset().begin(1, 0, 0).nestEnd().finish()).toThrow(/no nest open/);
    expect(() => b.reset().begin(1, 0, 0).nestStart(1).finish()).toThrow(/nest still open/);
    expect(() => b.reset().begin(1, 0, 0).bytes(1, new Uint8Array(70000)).finish()).toThrow(BuildError);
    expect(() => b.reset().begin(1, 0, 0).nest(1, () => { for (let i = 0; i < 20; i++) b.bytes(2, new Uint8Array(4000)); }).finish()).toThrow(/65535/);
    let deep = b.reset().begin(1, 0, 0);
    for (let i = 0; i < 40; i++) deep = deep.nestStart(1);
    expect(() => b.finish()).toThrow(/deeper/);
    // After an error, reset gives a clean builder.
    expect(b.reset().begin(1, 0, 0).end().finish().length).toBe(16);
  });
});
