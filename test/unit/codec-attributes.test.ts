import { describe, expect, test } from 'vitest';
import {
  loadCodec, NestMap, STATUS_OK, STATUS_TRUNCATED, STATUS_BAD_LENGTH, STATUS_BAD_NEST, STATUS_TOO_DEEP,
  MalformedError, TruncatedError, type AttributeList,
} from '../../src/codec/index.js';
import { ascii, attr, concat, msg, u16le, u32le } from '../helpers/bytes.js';

const codec = loadCodec();
const FAMILY_HEADER = new Uint8Array(16);

function walk(attrs: Uint8Array, options?: Parameters<ReturnType<typeof codec.scan>['attributes']>[2]): AttributeList {
  return codec.scan(msg(16, concat(FAMILY_HEADER, attrs))).attributes(0, 16, options);
}

function rows(list: AttributeList) {
  return Array.from({ length: list.count }, (_, j) => [list.type(j), list.depth(j), list.parent(j), list.next(j), list.status(j)]);
}

describe('walkAttributes', () => {
  test('top-level attributes with their offsets, lengths and payloads', () => {
    const list = walk(concat(attr(3, ascii('veth0')), attr(4, u32le(1500)), attr(1, new Uint8Array([1, 2, 3, 4, 5, 6]))));
    expect(rows(list)).toEqual([[3, 0, -1, 1, 0], [4, 0, -1, 2, 0], [1, 0, -1, 3, 0]]);
    expect(list.offset(0)).toBe(32); // 16 nlmsghdr + 16 family header
    expect(list.length(0)).toBe(10);
    expect(list.string(0)).toBe('veth0');
    expect(list.u32(1)).toBe(1500);
    expect(Array.from(list.bytes(2))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('NLA_F_NESTED nests are walked and flags are split off', () => {
    const list = walk(concat(
      attr(18, concat(attr(1, ascii('veth')), attr(2, attr(7, u16le(5)), { nestedFlag: true })), { nestedFlag: true }),
      attr(9, new Uint8Array([0, 80]), { netByteOrder: true }),
    ));
    expect(rows(list)).toEqual([
      [18, 0, -1, 4, STATUS_OK], [1, 1, 0, 2, STATUS_OK], [2, 1, 0, 4, STATUS_OK], [7, 2, 2, 4, STATUS_OK], [9, 0, -1, 5, STATUS_OK],
    ]);
    expect([list.flaggedNested(0), list.flaggedNested(1), list.netByteOrder(4)]).toEqual([true, false, true]);
    expect(list.be16(4)).toBe(80);
    expect(list.find(2, 0)).toBe(2);
    expect(list.find(7, 2)).toBe(3);
    expect(list.find(7)).toBe(-1);
  });

  test('nests without NLA_F_NESTED are walked when the nest map names them, arrays included', () => {
    // set 0: top level, 18 → set 1, 22 → array of set 2. set 1: 2 → set 2.
    const map = new NestMap([new Map([[18, { set: 1 }], [22, { set: 2, array: true }]]), new Map([[2, { set: 2 }]]), new Map()]);
    const bytes = concat(
      attr(18, concat(attr(1, ascii('vlan')), attr(2, attr(1, u16le(100))))),
      attr(22, concat(attr(1, attr(5, u32le(1))), attr(2, attr(5, u32le(2))))),
      attr(30, attr(1, u32le(3))), // not in the map: a leaf
    );
    const withMap = walk(bytes, { nestMap: map, rootSet: 0 });
    expect(rows(withMap).map((r) => r.slice(0, 3))).toEqual([
      [18, 0, -1], [1, 1, 0], [2, 1, 0], [1, 2, 2],
      [22, 0, -1], [1, 1, 4], [5, 2, 5], [2, 1, 4], [5, 2, 7],
      [30, 0, -1],
    ]);
    expect(withMap.u32(withMap.find(5, 7))).toBe(2);
    expect(walk(bytes).count).toBe(3); // without the map nothing is entered
  });

  test('descend: false walks the top level only, and nests can be walked later', () => {
    const list = walk(attr(18, concat(attr(1, u32le(1)), attr(2, u32le(2))), { nestedFlag: true }), { descend: false });
    expect(list.count).toBe(1);
    const inner = list.walkNested(0);
    expect(Array.from({ length: inner.count }, (_, j) => inner.u32(j))).toEqual([1, 2]);
  });

  test('an attribute length below 4 is a bad length', () => {
    const list = walk(concat(attr(1, u32le(1)), attr(2, u32le(2), { declaredLength: 2 })));
    expect(rows(list)[1]).toEqual([2, 0, -1, 2, STATUS_BAD_LENGTH]);
    expect(list.error(1)).toBeInstanceOf(MalformedError);
    expect(list.error(1)!.offset).toBe(40);
  });

  test('an attribute overrunning its message is truncated', () => {
    const list = walk(concat(attr(1, u32le(1)), attr(2, u32le(2), { declaredLength: 200 })));
    expect(list.status(1)).toBe(STATUS_TRUNCATED);
    expect(list.length(1)).toBe(8);
    expect(list.error(1)).toBeInstanceOf(TruncatedError);
  });

  test('fewer than 4 trailing bytes are reported', () => {
    const bytes = msg(16, concat(FAMILY_HEADER, attr(1, u32le(1)), new Uint8Array([9, 9])), { unpadded: true });
    const tail = codec.scan(bytes).attributes(0, 16);
    expect(rows(tail)[1]).toEqual([0, 0, -1, 2, STATUS_TRUNCATED]);
    expect(tail.error(1)!.message).toMatch(/2 bytes left/);
  });

  test('a nest whose contents are malformed is flagged, and the inner error is reported', () => {
    const list = walk(concat(attr(18, attr(1, u32le(1), { declaredLength: 40 }), { nestedFlag: true }), attr(3, u32le(3))));
    expect(list.status(0)).toBe(STATUS_BAD_NEST);
    expect(list.status(1)).toBe(STATUS_TRUNCATED);
    expect(list.status(2)).toBe(STATUS_OK); // the level above goes on
    expect(list.error(0)).toBeInstanceOf(TruncatedError);
    expect(list.firstError()!.offset).toBe(36);
  });

  test('nesting past the depth bound stops with TOO_DEEP', () => {
    let inner = attr(1, u32le(7));
    for (let d = 0; d < 40; d++) inner = attr(2, inner, { nestedFlag: true });
    const list = walk(inner, { maxDepth: 8 });
    expect(list.count).toBe(8);
    expect(list.status(7)).toBe(STATUS_TOO_DEEP);
    expect(list.error(7)!.message).toMatch(/deeper than 8 levels/);
    expect(walk(inner, { maxDepth: 64 }).count).toBe(41);
  });

  test('typed getters check the payload size', () => {
    const list = walk(concat(attr(1, u16le(0xfffe)), attr(2, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]))));
    expect(list.u16(0)).toBe(0xfffe);
    expect(list.s16(0)).toBe(-2);
    expect(list.u8(0)).toBe(0xfe);
    expect(list.s8(0)).toBe(-2);
    expect(() => list.u32(0)).toThrow(/has 2 payload bytes, a u32 needs 4/);
    expect(list.u64(1)).toBe(0x7fffffffffffffffn);
    expect(list.s64(1)).toBe(0x7fffffffffffffffn);
    expect(list.be64(1)).toBe(0xffffffffffffff7fn);
    expect(list.u64Number(1)).toBe(0x7fffffffffffffffn); // too large for a number: stays bigint
    expect(list.uint(0)).toBe(0xfffe);
  });

  test('u64Number gives a number when it is exact', () => {
    const eight = new Uint8Array(8);
    new DataView(eight.buffer).setBigUint64(0, 2n ** 53n - 1n, true);
    expect(walk(attr(1, eight)).u64Number(0)).toBe(2 ** 53 - 1);
  });

  test('strings stop at NUL and decode UTF-8', () => {
    const utf = new TextEncoder().encode('ünï-çødé');
    const list = walk(concat(attr(1, ascii('abc\0def', false)), attr(2, concat(utf, new Uint8Array([0]))), attr(3, ascii('x'.repeat(100)))));
    expect([list.string(0), list.string(1), list.string(2)]).toEqual(['abc', 'ünï-çødé', 'x'.repeat(100)]);
  });
});

describe('AttributeDecoder', () => {
  test('iterates a level and its nests', () => {
    const list = walk(concat(attr(3, ascii('eth0')), attr(18, concat(attr(1, ascii('veth')), attr(2, u32le(5))), { nestedFlag: true }), attr(4, u32le(9000))));
    const seen: unknown[] = [];
    const d = list.decoder();
    while (d.next()) {
      if (d.type === 18) d.nested((n) => { while (n.next()) seen.push(n.type === 1 ? n.string() : n.u32()); });
      else seen.push(d.type === 3 ? d.string() : d.u32());
    }
    d.finish();
    expect(seen).toEqual(['eth0', 'veth', 5, 9000]);
  });

  test('walks nests lazily that the walk did not enter', () => {
    const list = walk(attr(18, concat(attr(1, u32le(1)), attr(2, u32le(2)))));
    const values: number[] = [];
    const d = list.decoder();
    while (d.next()) d.nested((n) => { while (n.next()) values.push(n.u32()); });
    d.finish();
    expect(values).toEqual([1, 2]);
  });

  test('the first error sticks, stops iteration and is thrown once by finish', () => {
    const list = walk(concat(attr(1, u16le(1)), attr(2, u32le(2)), attr(3, u32le(3))));
    const d = list.decoder();
    const seen: number[] = [];
    while (d.next()) seen.push(d.u32());
    expect(seen).toEqual([0]); // the u32 read of a 2-byte payload failed; iteration stopped
    expect(d.error).toBeInstanceOf(MalformedError);
    expect(() => d.finish()).toThrow(/type 1 has 2 payload bytes/);
  });

  test('a malformed entry ends iteration with its error', () => {
    const list = walk(concat(attr(1, u32le(1)), attr(2, u32le(2), { declaredLength: 99 })));
    const d = list.decoder();
    let n = 0;
    while (d.next()) n++;
    expect(n).toBe(1);
    expect(d.error).toBeInstanceOf(TruncatedError);
  });

  test('errors inside nests reach the outer decoder', () => {
    const list = walk(attr(18, attr(1, u32le(1), { declaredLength: 3 }), { nestedFlag: true }));
    const d = list.decoder();
    while (d.next()) d.nested((n) => { while (n.next()) n.u32(); });
    expect(() => d.finish()).toThrow(MalformedError);
  });
});

describe('attributesAll: every message of a batch in one walk', () => {
  const batchBytes = concat(
    msg(16, concat(FAMILY_HEADER, attr(3, ascii('a')), attr(18, attr(1, ascii('veth')), { nestedFlag: true }))),
    msg(3, new Uint8Array(4)), // NLMSG_DONE: never walked
    msg(16, concat(FAMILY_HEADER, attr(4, u32le(1500)))),
    msg(20, concat(new Uint8Array(8), attr(1, u32le(7)))), // another family header length
    msg(16, new Uint8Array(4)), // too short for its 16-byte family header
    msg(16, concat(FAMILY_HEADER, attr(5, u32le(1), { declaredLength: 64 }))),
  );

  test('ranges, nesting and per-type header lengths', () => {
    const batch = codec.scan(batchBytes);
    const all = batch.attributesAll({ default: 16, byType: { 20: 8 } });
    expect(all.messages).toBe(6);
    const ranges = Array.from({ length: 6 }, (_, i) => [all.first(i), all.end(i)]);
    expect(ranges).toEqual([[0, 3], [3, 3], [3, 4], [4, 5], [5, 6], [6, 7]]);
    expect(all.string(all.findIn(0, 3))).toBe('a');
    expect(all.string(all.find(1, all.findIn(0, 18)))).toBe('veth');
    expect(all.u32(all.findIn(2, 4))).toBe(1500);
    expect(all.u32(all.findIn(3, 1))).toBe(7);
    expect(all.status(5)).toBe(STATUS_TRUNCATED);
    expect(all.error(5)!.offset).toBe(batch.offset(4) + 16);
    expect(all.status(6)).toBe(STATUS_TRUNCATED);
    // The same entries as walking message by message.
    for (const i of [0, 2]) {
      const one = codec.walker().walk(batch.regionAddress, batch.offset(i) + 32, batch.offset(i) + batch.length(i));
      expect(one.count).toBe(all.end(i) - all.first(i));
      for (let j = 0; j < one.count; j++) expect(one.offset(j)).toBe(all.offset(all.first(i) + j));
    }
  });

  test('types mapped to null are skipped; a decoder per message', () => {
    const batch = codec.scan(batchBytes);
    const all = batch.attributesAll({ default: 16, byType: { 20: null } });
    expect(all.end(3) - all.first(3)).toBe(0);
    const names: string[] = [];
    const d = all.decoderFor(0);
    while (d.next()) if (d.type === 18) d.nested((n) => { while (n.next()) names.push(n.string()); }); else names.push(d.string());
    d.finish();
    expect(names).toEqual(['a', 'veth']);
  });

  test('agrees with per-message walks on random batches', () => {
    for (let round = 0; round < 50; round++) {
      const b = codec.builder().reset();
      for (let m = 0; m < 20; m++) {
        b.begin(16 + (m % 3), 0, m).header(new Uint8Array(16)).u32(1, m).nest(2, () => b.string(1, `n${m}`).nest(3, () => b.u8(1, m))).end();
      }
      const batch = codec.scan(b.finish().slice());
      const all = batch.attributesAll(16, { walker: codec.walker() });
      for (let i = 0; i < batch.count; i++) {
        const one = batch.attributes(i, 16);
        expect(all.end(i) - all.first(i)).toBe(one.count);
        for (let j = 0; j < one.count; j++) {
          const k = all.first(i) + j;
          expect([all.type(k), all.depth(k), all.next(k) - all.first(i)]).toEqual([one.type(j), one.depth(j), one.next(j)]);
        }
      }
    }
  });
});
