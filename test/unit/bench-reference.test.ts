// The benchmark's plain-JavaScript references must do the same work as the
// codec: the same index columns and statuses, the same attribute lists, the
// same decoded records and identical built bytes. Checked here on small
// datasets from the benchmark's own generator, plus mutated copies of them
// for the edge cases.

import { describe, expect, test } from 'vitest';
import {
  loadCodec, NestMap, DecodeError, NLMSG_DONE, NLMSG_ERROR, NLM_F_MULTI, NLA_F_NESTED, STATUS_OK,
  type Batch, type AttributeList,
} from '../../src/codec/index.js';
import {
  linkDataset, routeDataset, linkRecords, encodeLinkDump, Prng, DATAGRAM_LIMIT, DUMP_SEQ, DUMP_PID, type Dump,
} from '../../bench/datasets.js';
import {
  RTM_NEWLINK, RTM_NEWROUTE, IFINFOMSG_SIZE, RTMSG_SIZE, LINK_NESTS, ROUTE_NESTS, STATS64_RX_BYTES, IFLA_INFO_KIND,
} from '../../bench/rtnl.js';
import { HeaderIndex, scanHeaders } from '../../bench/reference/header-scan.js';
import { AttributeIndex, ReferenceAttributeWalker, nestTable, type ReferenceWalkOptions } from '../../bench/reference/attribute-walk.js';
import { decodeLinkDump, decodeRouteDump } from '../../bench/reference/decode.js';
import { ReferenceLinkBuilder } from '../../bench/reference/link-builder.js';
import { decodeText } from '../../bench/reference/text.js';
import {
  decodeLinksWithList, decodeLinksWithDecoder, decodeLinksBatched, decodeRoutesWithList, decodeRoutesWithDecoder, decodeRoutesBatched,
  walkOptions,
} from '../../bench/nlkit/decode.js';
import { buildLinks } from '../../bench/nlkit/build.js';
import { codecSuites } from '../../bench/codec.js';
import type { LinkSummary, RouteSummary } from '../../bench/summaries.js';
import { HandwrittenLinkDecoder } from '../../bench/typed/handwritten-link.js';
import { defaultRegistry, forEachBatchMessage, type DecodedMessage } from '../../src/schema/index.js';

const codec = loadCodec();
const MESSAGES = 2000;
const links = linkDataset(MESSAGES);
const routes = routeDataset(MESSAGES);

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Where two byte arrays first differ (-1: identical); cheaper than a deep equality on large arrays. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) if (a[k] !== b[k]) return k;
  return a.length === b.length ? -1 : n;
}

/** The codec's message index as plain rows. */
function codecHeaderRows(batch: Batch): number[][] {
  return Array.from({ length: batch.count }, (_, i) => [
    batch.offset(i), batch.length(i), batch.type(i), batch.flags(i), batch.seq(i), batch.pid(i), batch.datagram(i), batch.status(i),
  ]);
}

function referenceHeaderRows(index: HeaderIndex, count: number): number[][] {
  return Array.from({ length: count }, (_, i) => [
    index.offset[i]!, index.length[i]!, index.type[i]!, index.flags[i]!, index.seq[i]!, index.pid[i]!, index.datagram[i]!, index.status[i]!,
  ]);
}

function codecAttributeRows(list: AttributeList): number[][] {
  return Array.from({ length: list.count }, (_, j) => [
    list.offset(j), list.length(j), list.type(j), list.parent(j), list.next(j), list.depth(j), list.status(j),
    (list.flaggedNested(j) ? 1 : 0) | (list.netByteOrder(j) ? 2 : 0),
  ]);
}

function referenceAttributeRows(index: AttributeIndex, count: number): number[][] {
  return Array.from({ length: count }, (_, j) => [
    index.offset[j]!, index.length[j]!, index.type[j]!, index.parent[j]!, index.next[j]!, index.depth[j]!, index.status[j]!, index.bits[j]!,
  ]);
}

function compareHeaders(bytes: Uint8Array, lengths: ArrayLike<number>): number[][] {
  const index = new HeaderIndex();
  const count = scanHeaders(viewOf(bytes), lengths, index);
  const rows = referenceHeaderRows(index, count);
  expect(rows).toEqual(codecHeaderRows(codec.scan(bytes, lengths)));
  return rows;
}

describe('datasets', () => {
  test('are deterministic and shaped like a kernel dump', () => {
    for (const [dump, again, type] of [[links, linkDataset(MESSAGES), RTM_NEWLINK], [routes, routeDataset(MESSAGES), RTM_NEWROUTE]] as const) {
      expect(firstDifference(again.bytes, dump.bytes)).toBe(-1);
      expect(again.datagramLengths).toEqual(dump.datagramLengths);
      expect(dump.messages).toBe(MESSAGES + 1);
      expect(dump.datagramLengths.length).toBeGreaterThan(1);
      expect(dump.datagramLengths.reduce((a, b) => a + b, 0)).toBe(dump.bytes.length);
      for (const length of dump.datagramLengths) expect(length).toBeLessThanOrEqual(DATAGRAM_LIMIT);
      const batch = codec.scan(dump.bytes, dump.datagramLengths);
      expect(batch.count).toBe(MESSAGES + 1);
      const odd = codecHeaderRows(batch).filter(([, , t, flags, seq, pid, , status], i) =>
        status !== STATUS_OK || flags !== NLM_F_MULTI || seq !== DUMP_SEQ || pid !== DUMP_PID || t !== (i === MESSAGES ? NLMSG_DONE : type));
      expect(odd).toEqual([]);
      // NLMSG_DONE ends the last datagram.
      expect(batch.datagram(MESSAGES)).toBe(dump.datagramLengths.length - 1);
      expect(batch.offset(MESSAGES) + batch.length(MESSAGES)).toBe(dump.bytes.length);
    }
  });

  test('another seed gives other data', () => {
    expect(firstDifference(linkDataset(50, 7).bytes, linkDataset(50, 1).bytes)).toBeGreaterThanOrEqual(0);
  });
});

describe('reference header scan', () => {
  test('gives the codec\'s index for both dumps', () => {
    expect(compareHeaders(links.bytes, links.datagramLengths).length).toBe(MESSAGES + 1);
    expect(compareHeaders(routes.bytes, routes.datagramLengths).length).toBe(MESSAGES + 1);
  });

  test('gives the codec\'s statuses on broken headers and cut datagrams', () => {
    const prng = new Prng(99);
    const small = encodeLinkDump(linkRecords(40, 5));
    const clean = new HeaderIndex();
    const count = scanHeaders(viewOf(small.bytes), small.datagramLengths, clean);
    const statuses = new Set<number>();
    for (let round = 0; round < 300; round++) {
      const bytes = small.bytes.slice();
      const view = viewOf(bytes);
      const lengths = Array.from(small.datagramLengths);
      for (let k = 0; k < 3; k++) {
        const i = prng.below(count);
        const at = clean.offset[i]!;
        const length = clean.length[i]!;
        switch (prng.below(6)) {
          case 0: view.setUint32(at, prng.pick([0, 4, 15, 16, 17, length - 1, length + 1, length + 4, 0xffffffff]), true); break;
          case 1: view.setUint16(at + 4, NLMSG_ERROR, true); view.setUint32(at, prng.pick([16, 20, 35, 36, length]), true); break;
          case 2: { const d = prng.below(lengths.length); lengths[d] = Math.max(0, lengths[d]! - 1 - prng.below(64)); break; }
          case 3: view.setUint32(at, length - 2, true); break; // an unaligned message inside a datagram
          case 4: { const d = prng.below(lengths.length); lengths[d] = prng.below(20); break; }
          default: view.setUint16(at + 6, prng.u32() & 0xffff, true);
        }
      }
      // Cut datagrams leave bytes over; give them to the last datagram so the region stays whole.
      const used = lengths.reduce((a, b) => a + b, 0);
      lengths[lengths.length - 1] = lengths[lengths.length - 1]! + (bytes.length - used);
      for (const row of compareHeaders(bytes, lengths)) statuses.add(row[7]!);
    }
    // The mutations reached every status the scan can give.
    expect([...statuses].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('reference attribute walk', () => {
  const cases = [
    { name: 'link', dump: links as Dump, type: RTM_NEWLINK, header: IFINFOMSG_SIZE, nests: LINK_NESTS },
    { name: 'route', dump: routes as Dump, type: RTM_NEWROUTE, header: RTMSG_SIZE, nests: ROUTE_NESTS },
  ];

  for (const c of cases) {
    test(`gives the codec's attribute index for every ${c.name} message, with and without the nest map`, () => {
      const batch = codec.scan(c.dump.bytes, c.dump.datagramLengths);
      const view = viewOf(c.dump.bytes);
      const walker = new ReferenceAttributeWalker();
      const nestMap = new NestMap(c.nests);
      const withMap: ReferenceWalkOptions = { nests: nestTable(c.nests), rootSet: 0 };
      let nested = 0;
      for (let i = 0; i < batch.count; i++) {
        if (batch.type(i) !== c.type) continue;
        const start = batch.offset(i) + 16 + ((c.header + 3) & ~3);
        const end = batch.offset(i) + batch.length(i);
        const count = walker.walk(view, start, end, withMap);
        const expected = codecAttributeRows(batch.attributes(i, c.header, { nestMap, rootSet: 0 }));
        expect(referenceAttributeRows(walker.index, count)).toEqual(expected);
        nested += expected.filter((row) => row[5]! > 0).length;
        const flat = walker.walk(view, start, end);
        expect(referenceAttributeRows(walker.index, flat)).toEqual(codecAttributeRows(batch.attributes(i, c.header)));
      }
      expect(nested).toBeGreaterThan(0); // the nest map did open nests

      // The whole-batch walk holds the same entries, message by message, with indexes shifted by the range start.
      const all = batch.attributesAll({ byType: { [c.type]: c.header } }, { nestMap, rootSet: 0 });
      const allRows = codecAttributeRows(all);
      const got: number[][][] = [];
      const want: number[][][] = [];
      let total = 0;
      for (let i = 0; i < batch.count; i++) {
        const first = all.first(i);
        got.push(allRows.slice(first, all.end(i))
          .map(([offset, length, type, parent, next, ...rest]) => [offset!, length!, type!, parent! < 0 ? parent! : parent! - first, next! - first, ...rest]));
        if (batch.type(i) !== c.type) {
          want.push([]);
          continue;
        }
        const start = batch.offset(i) + 16 + ((c.header + 3) & ~3);
        const count = walker.walk(view, start, batch.offset(i) + batch.length(i), withMap);
        want.push(referenceAttributeRows(walker.index, count));
        total += count;
      }
      expect(got).toEqual(want);
      expect(all.count).toBe(total);
    });
  }

  test('gives the codec\'s statuses on broken attributes, flagged leaves and a low depth bound', () => {
    const prng = new Prng(7);
    const small = encodeLinkDump(linkRecords(30, 9));
    const nestMap = new NestMap(LINK_NESTS);
    const nests = nestTable(LINK_NESTS);
    const walker = new ReferenceAttributeWalker();
    const statuses = new Set<number>();
    const scanned = codec.scan(small.bytes, small.datagramLengths);
    const messages = Array.from({ length: scanned.count - 1 }, (_, i) => [scanned.offset(i), scanned.length(i)] as const);
    for (let round = 0; round < 400; round++) {
      const [offset, length] = prng.pick(messages);
      const bytes = small.bytes.slice(offset, offset + length);
      const view = viewOf(bytes);
      const first = 16 + IFINFOMSG_SIZE;
      const clean = walker.walk(view, first, length, { nests, rootSet: 0 });
      const targets = Array.from(walker.index.offset.subarray(0, clean));
      const lengths = Array.from(walker.index.length.subarray(0, clean));
      const k = prng.below(targets.length);
      const at = targets[k]!;
      switch (prng.below(4)) {
        case 0: view.setUint16(at, prng.pick([0, 1, 3, 4, 5, lengths[k]! + 4, 0xffff]), true); break;
        case 1: view.setUint16(at + 2, view.getUint16(at + 2, true) | NLA_F_NESTED, true); break;
        case 2: view.setUint16(at + 2, view.getUint16(at + 2, true) | 0x4000, true); break;
        default: view.setUint16(at, lengths[k]! - 1 - prng.below(3), true);
      }
      const maxDepth = prng.pick([1, 2, 16]);
      const batch = codec.scan(bytes);
      const count = walker.walk(view, first, length, { nests, rootSet: 0, maxDepth });
      const expected = codecAttributeRows(batch.attributes(0, IFINFOMSG_SIZE, { nestMap, rootSet: 0, maxDepth }));
      expect(referenceAttributeRows(walker.index, count)).toEqual(expected);
      for (const row of expected) statuses.add(row[6]!);
    }
    expect([...statuses].sort()).toEqual([0, 1, 2, 4, 5]);
  });
});

function collect<T>(decode: (emit: (record: T) => void) => number): T[] {
  const out: T[] = [];
  expect(decode((r) => out.push(r))).toBe(out.length);
  return out;
}

describe('full decode', () => {
  test('links: list getters, decoder and reference agree with each other and with the records', () => {
    const options = walkOptions(new NestMap(LINK_NESTS));
    const scan = () => codec.scan(links.bytes, links.datagramLengths);
    const reference = collect<LinkSummary>((emit) => decodeLinkDump(links.bytes, links.datagramLengths, emit));
    expect(collect<LinkSummary>((emit) => decodeLinksWithList(codec.memory, scan(), options, emit))).toEqual(reference);
    expect(collect<LinkSummary>((emit) => decodeLinksWithDecoder(codec.memory, scan(), options, emit))).toEqual(reference);
    expect(collect<LinkSummary>((emit) => decodeLinksBatched(codec.memory, scan(), options, emit))).toEqual(reference);
    expect(reference.length).toBe(MESSAGES);
    reference.forEach((s, n) => {
      const r = links.records[n]!;
      expect(s).toEqual({
        index: r.index, ifname: r.ifname, mtu: r.mtu, operstate: r.operstate, address: r.address,
        rxBytes: r.stats[STATS64_RX_BYTES], kind: r.kind,
      });
    });
    expect(reference.some((s) => /[^\x00-\x7f]/.test(s.ifname))).toBe(true); // UTF-8 names were decoded too
  });

  test('routes: list getters, decoder and reference agree with each other and with the records', () => {
    const options = walkOptions(new NestMap(ROUTE_NESTS));
    const scan = () => codec.scan(routes.bytes, routes.datagramLengths);
    const reference = collect<RouteSummary>((emit) => decodeRouteDump(routes.bytes, routes.datagramLengths, emit));
    expect(collect<RouteSummary>((emit) => decodeRoutesWithList(codec.memory, scan(), options, emit))).toEqual(reference);
    expect(collect<RouteSummary>((emit) => decodeRoutesWithDecoder(codec.memory, scan(), options, emit))).toEqual(reference);
    expect(collect<RouteSummary>((emit) => decodeRoutesBatched(codec.memory, scan(), options, emit))).toEqual(reference);
    reference.forEach((s, n) => {
      const r = routes.records[n]!;
      expect(s).toEqual({
        family: r.family, dstLen: r.dstLen, table: r.table, dst: r.dst, gateway: r.gateway, oif: r.oif, priority: r.priority,
        mtu: r.metrics?.mtu ?? 0,
      });
    });
    expect(reference.filter((s) => s.mtu !== 0).length).toBeGreaterThan(0);
  });

  test('both sides reject a message whose attribute overruns it, with a typed error', () => {
    const small = encodeLinkDump(linkRecords(3, 4));
    const bytes = small.bytes.slice();
    // IFLA_LINKINFO's kind of the second message claims more bytes than the nest has.
    const batch = codec.scan(bytes, small.datagramLengths);
    const list = batch.attributes(1, IFINFOMSG_SIZE, walkOptions(new NestMap(LINK_NESTS)));
    const kind = list.find(IFLA_INFO_KIND, list.find(18));
    viewOf(bytes).setUint16(list.offset(kind), 200, true);
    const options = walkOptions(new NestMap(LINK_NESTS));
    expect(() => decodeLinkDump(bytes, small.datagramLengths, () => {})).toThrow(DecodeError);
    expect(() => decodeLinksWithList(codec.memory, codec.scan(bytes, small.datagramLengths), options, () => {})).toThrow(DecodeError);
    expect(() => decodeLinksWithDecoder(codec.memory, codec.scan(bytes, small.datagramLengths), options, () => {})).toThrow(DecodeError);
    expect(() => decodeLinksBatched(codec.memory, codec.scan(bytes, small.datagramLengths), options, () => {})).toThrow(DecodeError);
  });

  test('the reference string decoder stops at NUL and decodes UTF-8', () => {
    const bytes = new TextEncoder().encode('ab\0cd|vé\0x');
    expect(decodeText(bytes, 0, 5)).toBe('ab');
    expect(decodeText(bytes, 6, bytes.length)).toBe('vé');
    expect(decodeText(bytes, 3, 5)).toBe('cd');
  });
});

describe('build', () => {
  test('MessageBuilder, the reference builder and the dataset give identical bytes', () => {
    const expected = links.bytes.subarray(0, links.bytes.length - 20); // all but NLMSG_DONE
    const reference = new ReferenceLinkBuilder().build(links.records, RTM_NEWLINK, NLM_F_MULTI, DUMP_SEQ, DUMP_PID).slice();
    expect(firstDifference(reference, expected)).toBe(-1);
    const built = buildLinks(codec.builder(), links.records, RTM_NEWLINK, NLM_F_MULTI, DUMP_SEQ, DUMP_PID).slice();
    expect(firstDifference(built, expected)).toBe(-1);
    expect(built.length).toBe(expected.length);
  });

  test('the reference builder reuses its buffer without leaking old bytes', () => {
    const builder = new ReferenceLinkBuilder();
    const records = linkRecords(20, 3);
    builder.build(linkRecords(20, 8).map((r) => ({ ...r, ifname: 'x'.repeat(15), qdisc: 'y'.repeat(15) })), RTM_NEWLINK, 0, 1, 2);
    const again = builder.build(records, RTM_NEWLINK, NLM_F_MULTI, DUMP_SEQ, DUMP_PID).slice();
    const dump = encodeLinkDump(records);
    expect(firstDifference(again, dump.bytes.subarray(0, dump.bytes.length - 20))).toBe(-1);
  });
});

describe('suites', () => {
  test('every nlkit workload does the same work as its reference', () => {
    for (const suite of codecSuites({ messages: 300 })) {
      const expected = suite.reference.fn();
      for (const w of suite.nlkit) expect(w.fn(), `${suite.name} (${suite.dataset}) ${w.name}`).toEqual(expected);
    }
  });
});

describe('hand-written typed link decoder', () => {
  test('builds exactly the objects of the rt-link schema, for every message of the link dump', () => {
    const newlink = defaultRegistry().family('rt-link').message('newlink', 'reply');
    const ours: DecodedMessage[] = [];
    forEachBatchMessage(codec.scan(links.bytes, links.datagramLengths), (b, i) => (b.type(i) === RTM_NEWLINK ? newlink : undefined), (m) => { ours.push(m); });
    const theirs: Array<Record<string, unknown>> = [];
    expect(new HandwrittenLinkDecoder(links).forEach((m) => { theirs.push(m); })).toBe(MESSAGES);
    expect(theirs).toStrictEqual(ours);
    // The dataset has every kind with decoded info data, and non-ASCII names.
    const kinds = new Set(ours.map((m) => JSON.stringify(Object.keys(((m.attributes.linkinfo as Record<string, unknown>).data ?? {}) as object))));
    expect(kinds.size).toBe(5);
    expect(ours.some((m) => /[^\x00-\x7f]/.test(m.attributes.ifname as string))).toBe(true);
  });

  test('refuses an attribute it was not written for, rather than skipping it', () => {
    const bytes = links.bytes.slice();
    const view = viewOf(bytes);
    // The first message's first attribute after ifinfomsg becomes type 200.
    view.setUint16(16 + IFINFOMSG_SIZE + 2, 200, true);
    expect(() => new HandwrittenLinkDecoder({ ...links, bytes }).forEach(() => {})).toThrow(/attribute 200/);
  });
});
