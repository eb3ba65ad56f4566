import { describe, expect, test } from 'vitest';
import { readTraceSync, type TraceRecord } from '../../src/trace/index.js';
import { DecodeError } from '../../src/codec/index.js';
import { concat, epb, idb, nlmsg, otherBlock, pcapFile, randomChunks, shb, sll2Header, sllHeader, spb } from '../fixtures/traces/build-trace.js';
import { prng } from '../helpers/bytes.js';

const pkt = (i: number) => concat(sllHeader(i % 3, { packetType: i % 5 }), nlmsg(16, i, new Uint8Array(i % 40)));
const seeds: Uint8Array[] = [
  pcapFile({ records: Array.from({ length: 6 }, (_, i) => ({ seconds: i, fraction: i, data: pkt(i) })) }),
  pcapFile({ le: false, nanoseconds: true, linkType: 276, records: Array.from({ length: 6 }, (_, i) => ({ seconds: i, fraction: i, data: concat(sll2Header(0), nlmsg(3, i)) })) }),
  concat(shb(true), idb(true, { tsresol: 9, name: 'x' }), otherBlock(true, 4, 12), ...Array.from({ length: 6 }, (_, i) => epb(true, { ts: BigInt(i), data: pkt(i), flags: 1 })),
    shb(false), idb(false, { snapLength: 40 }), spb(false, { originalLength: 60, data: pkt(9).subarray(0, 40) })),
];

function check(bytes: Uint8Array, records: TraceRecord[]) {
  records.forEach((r, i) => {
    expect(r.number).toBe(i + 1);
    if (r.problem !== null) expect(r.problem).toBeInstanceOf(DecodeError);
    expect(r.fileOffset).toBeGreaterThanOrEqual(0);
    expect(r.fileOffset).toBeLessThanOrEqual(bytes.length);
    expect(r.payload.length).toBeLessThanOrEqual(r.packet.length);
    expect(r.packet.length).toBeLessThanOrEqual(bytes.length);
    if (r.stopped) expect(i).toBe(records.length - 1);
  });
}

describe('mutated captures never crash the reader', () => {
  test('20,000 mutations: only typed problems, offsets inside the file, a stop only at the end', () => {
    const rnd = prng(0x7ace);
    for (let n = 0; n < 20_000; n++) {
      const seed = seeds[n % seeds.length]!;
      let bytes: Uint8Array = seed.slice();
      const kind = Math.floor(rnd() * 4);
      if (kind === 0) for (let k = 1 + Math.floor(rnd() * 4); k > 0; k--) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      else if (kind === 1) bytes = bytes.subarray(0, Math.floor(rnd() * bytes.length));
      else if (kind === 2) {
        const at = Math.floor(rnd() * bytes.length);
        bytes = concat(bytes.subarray(0, at), Uint8Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256)), bytes.subarray(at));
      } else {
        // A length field somewhere set to an extreme.
        const at = Math.floor(rnd() * (bytes.length - 4)) & ~3;
        new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, [0, 0xffffffff, 0x7ffffffc, 12, 13][Math.floor(rnd() * 5)]!, rnd() < 0.5);
      }
      const records = [...readTraceSync(bytes, { maxRecordBytes: 1 << 20 })];
      check(bytes, records);
      if (n % 500 === 0) {
        const summary = (rs: TraceRecord[]) => rs.map((r) => [r.kind, r.fileOffset, r.problem?.message ?? null, Array.from(r.payload)]);
        expect(summary([...readTraceSync(randomChunks(bytes, n, 9), { maxRecordBytes: 1 << 20 })])).toEqual(summary(records));
      }
    }
  });
});
