// The fast decode paths give the same results as the message-by-message
// decode: whole-batch decoding (one WASM walk), field selection, struct
// templates, flag-name caching; and they fail with the same typed errors.
import { describe, expect, test } from 'vitest';
import { loadCodec, NLM_F_MULTI, NLMSG_DONE, MalformedError, TruncatedError, type Batch } from '../../src/codec/index.js';
import {
  decodeBatchMessage, decodeBatchMessages, defaultRegistry, forEachBatchMessage, type DecodedMessage, type MessageSchema,
} from '../../src/schema/index.js';
import { linkDataset, routeDataset } from '../../bench/datasets.js';
import { attr, ascii, concat, i32le, msg, u16le, u32le } from '../helpers/bytes.js';

const codec = loadCodec();
const registry = defaultRegistry();
const newlink = registry.family('rt-link').message('newlink', 'reply');
const newroute = registry.family('rt-route').message('newroute', 'reply');
const newaddr = registry.family('rt-addr').message('newaddr', 'reply');
const byType = (batch: Batch, i: number): MessageSchema | undefined => registry.lookup(batch, i, 0);
const onlyLinks = (batch: Batch, i: number) => (batch.type(i) === 16 ? newlink : undefined);

function scan(bytes: Uint8Array, lengths?: ArrayLike<number>): Batch {
  return codec.scanner().scanBytes(bytes, lengths);
}

function oneByOne(batch: Batch, select: (b: Batch, i: number) => MessageSchema | undefined, options?: Parameters<typeof decodeBatchMessage>[3]): DecodedMessage[] {
  const out: DecodedMessage[] = [];
  for (let i = 0; i < batch.count; i++) {
    const schema = select(batch, i);
    if (schema) out.push(decodeBatchMessage(batch, i, schema, options));
  }
  return out;
}

const ifinfomsg = (index: number, flags: number) => concat(new Uint8Array([0, 0]), u16le(1), i32le(index), u32le(flags), u32le(0));

describe('whole-batch decode', () => {
  const links = linkDataset(600);
  const routes = routeDataset(300);

  test('a link dump decodes to what message-by-message decoding gives', () => {
    const batch = scan(links.bytes, links.datagramLengths);
    const fast = decodeBatchMessages(batch, onlyLinks);
    expect(fast).toHaveLength(600);
    expect(fast).toStrictEqual(oneByOne(batch, onlyLinks));
    const r = links.records[599]!;
    expect(fast[599]!.attributes).toMatchObject({ ifname: r.ifname, mtu: r.mtu, txqlen: r.txqlen, qdisc: r.qdisc, linkinfo: { kind: r.kind } });
    expect(fast[599]!.header!.ifiIndex).toBe(r.index);
    expect((fast[599]!.attributes.stats64 as Record<string, unknown>).rxBytes).toBe(r.stats[2]);
  });

  test('a route dump, with RTA_METRICS nests and IPv6 cacheinfo structs', () => {
    const batch = scan(routes.bytes, routes.datagramLengths);
    const fast = decodeBatchMessages(batch, byType);
    expect(fast).toHaveLength(300);
    expect(fast).toStrictEqual(oneByOne(batch, byType));
    expect(fast.some((m) => m.attributes.rtaMetrics !== undefined)).toBe(true);
  });

  test('only, lazy and numbers options give the same results as per message', () => {
    const batch = scan(links.bytes, links.datagramLengths);
    for (const options of [{ only: ['ifname', 'mtu', 'linkinfo'] }, { enums: 'numbers' as const }]) {
      expect(decodeBatchMessages(batch, onlyLinks, options)).toStrictEqual(oneByOne(batch, onlyLinks, options));
    }
    const only = decodeBatchMessages(batch, onlyLinks, { only: ['ifname', 'mtu'] });
    expect(Object.keys(only[3]!.attributes).sort()).toEqual(['ifname', 'mtu']);
    const lazy = decodeBatchMessages(batch, onlyLinks, { lazy: true });
    expect(JSON.parse(JSON.stringify(lazy, (_, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? [...v] : v))))
      .toStrictEqual(JSON.parse(JSON.stringify(oneByOne(batch, onlyLinks), (_, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? [...v] : v))));
  });

  test('forEachBatchMessage visits the same messages with their batch indexes', () => {
    const batch = scan(links.bytes, links.datagramLengths);
    const seen: number[] = [];
    const n = forEachBatchMessage(batch, onlyLinks, (m, i) => {
      expect(m.type).toBe(batch.type(i));
      seen.push(i);
    });
    expect(n).toBe(600);
    expect(seen).toEqual(Array.from({ length: 600 }, (_, i) => i)); // NLMSG_DONE (index 600) is not selected
  });

  test('a batch of several families: the walk group and the others agree with per-message decoding', () => {
    const ifaddrmsg = new Uint8Array([2, 24, 0, 0, 7, 0, 0, 0]);
    const bytes = concat(
      msg(16, concat(ifinfomsg(1, 0x11043), attr(3, ascii('eth0')), attr(4, u32le(1500))), { flags: NLM_F_MULTI }),
      msg(20, concat(ifaddrmsg, attr(1, new Uint8Array([10, 0, 0, 1])), attr(3, ascii('eth0')))),
      msg(16, concat(ifinfomsg(2, 0x1002), attr(3, ascii('eth1')), attr(18, attr(1, ascii('vlan')), { nestedFlag: false }))),
      msg(24, concat(new Uint8Array([2, 24, 0, 0, 254, 4, 0, 1]), u32le(0), attr(1, new Uint8Array([10, 1, 2, 0])), attr(4, u32le(7)))),
      msg(NLMSG_DONE, i32le(0), { flags: NLM_F_MULTI }),
    );
    const batch = scan(bytes);
    const fast = decodeBatchMessages(batch, byType);
    expect(fast.map((m) => m.message)).toEqual(['newlink', 'newaddr', 'newlink', 'newroute']);
    expect(fast).toStrictEqual(oneByOne(batch, byType));
    expect(fast[0]!.header!.ifiFlags).toEqual(['up', 'broadcast', 'running', 'multicast', 'lower-up']);
    expect(fast[2]!.attributes.linkinfo).toEqual({ kind: 'vlan' });
    expect(newaddr.family.name).toBe('rt-addr');
    expect(newroute.family.name).toBe('rt-route');
  });

  test('repeated flag values give equal but separate name lists', () => {
    const bytes = concat(msg(16, ifinfomsg(1, 0x11043)), msg(16, ifinfomsg(2, 0x11043)), msg(16, ifinfomsg(3, 0x11043 | 0x80000000)));
    const [a, b, c] = decodeBatchMessages(scan(bytes), onlyLinks);
    expect(a!.header!.ifiFlags).toEqual(b!.header!.ifiFlags);
    expect(a!.header!.ifiFlags).not.toBe(b!.header!.ifiFlags);
    (a!.header!.ifiFlags as unknown[]).push('changed by the caller');
    expect(b!.header!.ifiFlags).toEqual(['up', 'broadcast', 'running', 'multicast', 'lower-up']);
    expect(c!.header!.ifiFlags).toEqual(['up', 'broadcast', 'running', 'multicast', 'lower-up', 0x80000000]);
  });

  test('structs: whole, longer (tail kept) and shorter (members that fit) payloads', () => {
    const stats = new Uint8Array(25 * 8);
    new DataView(stats.buffer).setUint32(16, 12345, true);
    const bytes = concat(
      msg(16, concat(ifinfomsg(1, 0), attr(23, stats))),
      msg(16, concat(ifinfomsg(2, 0), attr(23, concat(stats, new Uint8Array([9, 9, 9, 9]))))),
      msg(16, concat(ifinfomsg(3, 0), attr(23, stats.subarray(0, 24)))),
    );
    const [whole, longer, shorter] = decodeBatchMessages(scan(bytes), onlyLinks);
    const w = whole!.attributes.stats64 as Record<string, unknown>;
    expect(Object.keys(w)).toHaveLength(25);
    expect(w.rxBytes).toBe(12345);
    expect((longer!.attributes.stats64 as Record<string, unknown>).$tail).toEqual(new Uint8Array([9, 9, 9, 9]));
    expect(shorter!.attributes.stats64).toEqual({ rxPackets: 0, txPackets: 0, rxBytes: 12345 });
  });
});

describe('typed errors on the fast paths', () => {
  test('a short u32 attribute is malformed, with its offset', () => {
    const bytes = msg(16, concat(ifinfomsg(1, 0), attr(4, u16le(1500))));
    const error = (() => { try { decodeBatchMessages(scan(bytes), onlyLinks); } catch (e) { return e; } return null; })();
    expect(error).toBeInstanceOf(MalformedError);
    expect((error as MalformedError).offset).toBe(32);
    expect(() => decodeBatchMessage(scan(bytes), 0, newlink)).toThrow(MalformedError);
  });

  test('a truncated attribute inside a selected message throws TruncatedError', () => {
    const good = concat(ifinfomsg(1, 0), attr(3, ascii('eth0')));
    const bytes = msg(16, concat(good, new Uint8Array([40, 0, 4, 0, 1, 2, 3, 4])));
    expect(() => decodeBatchMessages(scan(bytes), onlyLinks)).toThrow(TruncatedError);
  });

  test('a message too short for its header throws, and so does a damaged unselected message', () => {
    expect(() => decodeBatchMessages(scan(msg(16, new Uint8Array(8))), onlyLinks)).toThrow(TruncatedError);
    const damaged = concat(msg(16, ifinfomsg(1, 0)), msg(24, new Uint8Array(12), { declaredLength: 200 }));
    expect(() => decodeBatchMessages(scan(damaged), onlyLinks)).toThrow(TruncatedError);
  });
});
