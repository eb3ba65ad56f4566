import { describe, expect, test } from 'vitest';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrace, readTraceSync, TraceDecoder, type TraceRecord } from '../../src/trace/index.js';
import { ByteQueue } from '../../src/trace/byte-queue.js';
import { readTraceFile } from '../../src/trace/node.js';
import { ArgumentError } from '../../src/codec/index.js';
import {
  chunked, concat, epb, idb, nlmsg, otherBlock, pcapFile, randomChunks, shb, sll2Header, sllHeader, spb,
} from '../fixtures/traces/build-trace.js';

const m = (seq: number, n = 16) => nlmsg(16 + (seq % 5), seq, new Uint8Array(n).fill(seq & 0xff));
const pkt = (protocol: number, seq: number, packetType = 0) => concat(sllHeader(protocol, { packetType }), m(seq, seq * 3));

/** Everything a record says, in comparable form. */
function summary(r: TraceRecord) {
  return {
    number: r.number, kind: r.kind, offset: r.fileOffset, link: r.linkType, protocol: r.protocol, direction: r.direction,
    ns: r.timestampNs, ms: r.timeMs, captured: r.capturedLength, original: r.originalLength, payload: Array.from(r.payload),
    problem: r.problem ? `${r.problem.name} ${r.problem.message}` : null, stopped: r.stopped,
    iface: r.iface ? `${r.iface.section}/${r.iface.id}` : null,
  };
}

const pcapVariant = (le: boolean, nanoseconds: boolean) => pcapFile({
  le, nanoseconds, records: Array.from({ length: 12 }, (_, i) => ({ seconds: 1000 + i, fraction: i * 7, data: pkt(i % 3, i, i % 2 ? 4 : 0) })),
});

const pcapngVariant = (le: boolean) => concat(
  shb(le), otherBlock(le, 4, 20), idb(le, { tsresol: 9, name: 'nl' }), idb(le, { linkType: 276, tsresol: 0x80 | 16 }),
  ...Array.from({ length: 10 }, (_, i) => i % 3 === 2
    ? epb(le, { iface: 1, ts: BigInt(i) << 16n, data: concat(sll2Header(16, { packetType: 4 }), m(i)) })
    : epb(le, { iface: 0, ts: 1_700_000_000_000_000_000n + BigInt(i), data: pkt(0, i), flags: 1 })),
  otherBlock(le, 5, 40),
  shb(!le), idb(!le, { snapLength: 30 }), spb(!le, { originalLength: 44, data: pkt(0, 1).subarray(0, 30) }),
  epb(!le, { ts: 99n, data: pkt(12, 3) }),
);

const corpus: Record<string, Uint8Array> = {
  'pcap µs LE': pcapVariant(true, false),
  'pcap ns BE': pcapVariant(false, true),
  'pcapng LE then BE': pcapngVariant(true),
  'pcapng BE then LE': pcapngVariant(false),
  'pcap cut mid-record': pcapVariant(true, true).subarray(0, 150),
  'pcapng cut in a skipped block': pcapngVariant(true).subarray(0, pcapngVariant(true).length - 200),
  'pcapng with a bad trailer': (() => {
    const f = pcapngVariant(true).slice();
    f[f.length - 1] ^= 0x40;
    return f;
  })(),
};

describe('streaming: any chunking gives the same records', () => {
  for (const [name, bytes] of Object.entries(corpus)) {
    test(name, async () => {
      const whole = [...readTraceSync(bytes)].map(summary);
      expect(whole.length).toBeGreaterThan(2);
      expect([...readTraceSync(chunked(bytes, Array(bytes.length).fill(1)))].map(summary)).toEqual(whole);
      for (let seed = 1; seed <= 20; seed++) {
        expect([...readTraceSync(randomChunks(bytes, seed, seed * 13))].map(summary)).toEqual(whole);
      }
      const out: ReturnType<typeof summary>[] = [];
      for await (const r of readTrace(randomChunks(bytes, 99, 7))) out.push(summary(r));
      expect(out).toEqual(whole);
    });
  }

  test('the push decoder yields records as soon as they are complete', () => {
    const bytes = corpus['pcap µs LE']!;
    const d = new TraceDecoder();
    const seen: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      d.push(bytes.subarray(i, i + 1));
      for (let r = d.next(); r; r = d.next()) seen.push(i + 1 - (r.fileOffset + 16 + r.capturedLength));
    }
    d.end();
    expect(d.next()).toBeNull();
    expect(d.done).toBe(true);
    // Every record came out on the very byte that completed it.
    expect(seen).toEqual(Array(12).fill(0));
    expect(d.position).toBe(bytes.length);
  });
});

describe('sources', () => {
  const bytes = corpus['pcapng LE then BE']!;
  const expected = [...readTraceSync(bytes)].map(summary);
  const collect = async (source: Parameters<typeof readTrace>[0]) => {
    const out = [];
    for await (const r of readTrace(source)) out.push(summary(r));
    return out;
  };

  test('Uint8Array, ArrayBuffer, Blob, ReadableStream, iterables', async () => {
    expect(await collect(bytes)).toEqual(expected);
    expect(await collect(bytes.slice().buffer)).toEqual(expected);
    expect(await collect(new Blob([bytes.slice()]))).toEqual(expected);
    const chunks = randomChunks(bytes, 5, 100);
    expect(await collect(new ReadableStream<Uint8Array>({
      start(c) { for (const x of chunks) c.enqueue(x); c.close(); },
    }))).toEqual(expected);
    expect(await collect((async function* () { for (const x of chunks) yield x; })())).toEqual(expected);
    expect(await collect(chunks.map((c) => c.slice().buffer))).toEqual(expected);
  });

  test('a Node file stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-trace-'));
    try {
      const path = join(dir, 'a.pcapng');
      writeFileSync(path, bytes);
      const out = [];
      for await (const r of readTraceFile(path)) out.push(summary(r));
      expect(out).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('leaving the loop early cancels a ReadableStream', async () => {
    let cancelled = false;
    const chunks = randomChunks(bytes, 6, 30);
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) { if (i < chunks.length) c.enqueue(chunks[i++]!); else c.close(); },
      cancel() { cancelled = true; },
    });
    for await (const r of readTrace(stream)) if (r.number === 2) break;
    expect(cancelled).toBe(true);
    expect(i).toBeLessThan(chunks.length);
  });

  test('sources that are not bytes throw an ArgumentError', async () => {
    await expect(collect(42 as never)).rejects.toBeInstanceOf(ArgumentError);
    await expect(collect(['text'] as never)).rejects.toBeInstanceOf(ArgumentError);
    await expect(collect([bytes.subarray(0, 10), { length: 3 }] as never)).rejects.toThrow(/Uint8Array or ArrayBuffer/);
  });

  test('a bad size limit is an ArgumentError', () => {
    expect(() => [...readTraceSync(bytes, { maxRecordBytes: -1 })]).toThrow(ArgumentError);
    expect(() => [...readTraceSync(bytes, { maxRecordBytes: 1.5 })]).toThrow(/maxRecordBytes/);
  });

  test('an abort signal stops the reading', async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    const run = (async () => {
      for await (const r of readTrace(randomChunks(bytes, 7, 20), { signal: ac.signal })) {
        seen.push(r.number);
        if (r.number === 3) ac.abort(new Error('enough'));
      }
    })();
    await expect(run).rejects.toThrow('enough');
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThan(expected.length);
  });
});

describe('ByteQueue', () => {
  test('peek joins pieces once, keeps the rest of the last piece, and reads across chunks', () => {
    const q = new ByteQueue();
    q.push(Uint8Array.from([1, 2, 3]));
    q.push(Uint8Array.from([4, 5]));
    q.push(Uint8Array.from([6, 7, 8, 9]));
    q.skip(1);
    expect(q.u32(0, false)).toBe(0x02030405);
    expect(q.u16(1, true)).toBe(0x0403);
    expect([...q.peek(6)]).toEqual([2, 3, 4, 5, 6, 7]);
    expect([...q.peek(6)]).toEqual([2, 3, 4, 5, 6, 7]);
    expect([...q.take(7)]).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect([q.available, q.position, q.byte(0)]).toEqual([1, 8, 9]);
  });

  test('skipping past what is held drops input still to come, without buffering it', () => {
    const q = new ByteQueue();
    q.push(new Uint8Array(10));
    q.skip(25);
    expect([q.available, q.position, q.discarding]).toEqual([0, 10, 15]);
    q.push(new Uint8Array(10));
    expect([q.available, q.position, q.discarding]).toEqual([0, 20, 5]);
    q.push(Uint8Array.from([0, 0, 0, 0, 0, 0xaa, 0xbb]));
    expect([q.available, q.position, q.discarding, q.byte(0), q.byte(1)]).toEqual([2, 25, 0, 0xaa, 0xbb]);
  });

  test('a large skipped block streams through in small chunks', () => {
    const big = otherBlock(true, 0x40000bad, 4_000_000);
    const file = concat(shb(true), idb(true), big, epb(true, { ts: 1n, data: pkt(0, 1) }));
    const got = [...readTraceSync(chunked(file, Array(Math.ceil(file.length / 4096)).fill(4096)))];
    expect(got.map((r) => [r.kind, r.problem])).toEqual([['packet', null]]);
  });

  test('pushing after the end, or something that is not bytes, is an ArgumentError', () => {
    const q = new ByteQueue();
    expect(() => q.push('x' as never)).toThrow(ArgumentError);
    q.end();
    expect(() => q.push(new Uint8Array(1))).toThrow(ArgumentError);
  });
});
