// Random and mutated batches: the codec may only ever answer with statuses and
// typed errors, never trap, and never index bytes outside what it was given.
import { expect, test } from 'vitest';
import { loadCodec, DecodeError, STATUS_OK, STATUS_BAD_PAYLOAD, type AttributeList, type Batch } from '../../src/codec/index.js';
import { prng } from '../helpers/bytes.js';

const codec = loadCodec();
const CASES = Number(process.env.NLKIT_FUZZ_CASES ?? 100_000);

/** A valid batch to mutate: messages with nested attributes. */
function seedBatch(rand: () => number): Uint8Array {
  const b = codec.builder().reset();
  const messages = 1 + Math.floor(rand() * 4);
  for (let m = 0; m < messages; m++) {
    b.begin(16 + Math.floor(rand() * 4), 0, m).header(new Uint8Array(Math.floor(rand() * 3) * 4));
    const attrs = Math.floor(rand() * 5);
    for (let a = 0; a < attrs; a++) {
      if (rand() < 0.3) b.nest(1 + a, () => { b.u32(1, a).string(2, 'x'.repeat(a)); if (rand() < 0.5) b.nest(3, () => b.u64(1, 5)); }, rand() < 0.5);
      else b.bytes(1 + a, new Uint8Array(Math.floor(rand() * 9)));
    }
    b.end();
  }
  return b.finish().slice();
}

function mutate(bytes: Uint8Array, rand: () => number): Uint8Array {
  const out = bytes.slice(0, rand() < 0.2 ? Math.floor(rand() * (bytes.length + 1)) : bytes.length);
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits && out.length > 0; e++) {
    const at = Math.floor(rand() * out.length);
    const r = rand();
    if (r < 0.4) out[at] = Math.floor(rand() * 256);
    else if (r < 0.7) out[at] = [0, 1, 3, 4, 15, 16, 17, 255][Math.floor(rand() * 8)]!;
    else out[at] ^= 1 << Math.floor(rand() * 8);
  }
  return out;
}

function randomSplit(length: number, rand: () => number): number[] | undefined {
  if (rand() < 0.5) return undefined;
  const parts: number[] = [];
  let left = length;
  while (left > 0) {
    const n = Math.min(left, Math.floor(rand() * 64));
    parts.push(n);
    left -= n;
  }
  return parts;
}

function exerciseAttributes(list: AttributeList, start: number, end: number): void {
  for (let j = 0; j < list.count; j++) {
    const offset = list.offset(j);
    // Every entry lies inside the walked range, and the tree links stay inside the list.
    if (offset < start || offset + list.length(j) > end) throw new Error(`attribute ${j} [${offset}, +${list.length(j)}) outside [${start}, ${end})`);
    if (list.parent(j) >= j || list.next(j) <= j || list.next(j) > list.count) throw new Error(`attribute ${j} has broken links`);
    for (const read of ['u8', 'u16', 'u32', 'u64', 's64', 'be32', 'string', 'bytes', 'uint'] as const) {
      try {
        list[read](j);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
    }
  }
  const d = list.decoder();
  const visit = (dec: typeof d): void => {
    while (dec.next()) {
      dec.u32();
      if (dec.list.flaggedNested(dec.index)) dec.nested(visit);
    }
  };
  visit(d);
}

function exercise(batch: Batch, total: number, datagrams: number[] | undefined, rand: () => number): number {
  const bounds: Array<[number, number]> = [];
  let at = 0;
  for (const n of datagrams ?? [total]) bounds.push([at, (at += n)]);
  let statuses = 0;
  for (let i = 0; i < batch.count; i++) {
    const [dStart, dEnd] = bounds[batch.datagram(i)]!;
    if (batch.offset(i) < dStart || batch.offset(i) + batch.length(i) > dEnd) {
      throw new Error(`message ${i} [${batch.offset(i)}, +${batch.length(i)}) outside its datagram [${dStart}, ${dEnd})`);
    }
    if (batch.status(i) !== STATUS_OK) {
      statuses++;
      expect(batch.error(i)).toBeInstanceOf(DecodeError);
      if (batch.status(i) !== STATUS_BAD_PAYLOAD) continue;
    }
    batch.errorCode(i);
    const header = Math.floor(rand() * 6) * 4;
    try {
      const list = batch.attributes(i, header, { maxDepth: 1 + Math.floor(rand() * 6) });
      exerciseAttributes(list, batch.offset(i) + 16 + header, batch.offset(i) + batch.length(i));
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
  }
  return statuses;
}

test(`fuzz: ${CASES} random and mutated batches yield only statuses and typed errors`, () => {
  const rand = prng(0xf022);
  let flagged = 0;
  let messages = 0;
  for (let c = 0; c < CASES; c++) {
    const bytes = rand() < 0.15
      ? Uint8Array.from({ length: Math.floor(rand() * 96) }, () => Math.floor(rand() * 256))
      : mutate(seedBatch(rand), rand);
    const datagrams = randomSplit(bytes.length, rand);
    const batch = codec.scan(bytes, datagrams);
    messages += batch.count;
    flagged += exercise(batch, bytes.length, datagrams, rand);
  }
  // The mutations must actually reach the error paths, and valid messages must still be found.
  expect(flagged).toBeGreaterThan(CASES / 10);
  expect(messages).toBeGreaterThan(CASES);
});
