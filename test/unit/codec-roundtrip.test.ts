// Build → scan → decode gives back the input, for random messages.
import { expect, test } from 'vitest';
import { loadCodec, type AttributeList } from '../../src/codec/index.js';
import { prng } from '../helpers/bytes.js';

const codec = loadCodec();

type Value =
  | { kind: 'u8' | 'u16' | 'u32' | 'be16' | 'be32'; type: number; value: number }
  | { kind: 'u64' | 'be64'; type: number; value: bigint }
  | { kind: 'string'; type: number; value: string }
  | { kind: 'bytes'; type: number; value: Uint8Array }
  | { kind: 'flag'; type: number }
  | { kind: 'nest'; type: number; value: Value[] };

interface Message { type: number; flags: number; seq: number; pid: number; header: Uint8Array; attrs: Value[] }

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789-_.äöü€';

function randomValues(rand: () => number, depth: number): Value[] {
  const n = Math.floor(rand() * 6);
  const out: Value[] = [];
  for (let i = 0; i < n; i++) {
    const type = 1 + Math.floor(rand() * 0x3ffe);
    const r = rand();
    const int = (bits: number) => Math.floor(rand() * 2 ** bits);
    if (r < 0.1) out.push({ kind: 'u8', type, value: int(8) });
    else if (r < 0.2) out.push({ kind: 'u16', type, value: int(16) });
    else if (r < 0.3) out.push({ kind: 'u32', type, value: int(32) });
    else if (r < 0.35) out.push({ kind: 'be16', type, value: int(16) });
    else if (r < 0.4) out.push({ kind: 'be32', type, value: int(32) });
    else if (r < 0.5) out.push({ kind: 'u64', type, value: (BigInt(int(32)) << 32n) | BigInt(int(32)) });
    else if (r < 0.55) out.push({ kind: 'be64', type, value: (BigInt(int(32)) << 32n) | BigInt(int(32)) });
    else if (r < 0.7) out.push({ kind: 'string', type, value: Array.from({ length: int(5) }, () => ALPHABET[Math.floor(rand() * ALPHABET.length)]).join('') });
    else if (r < 0.8) out.push({ kind: 'bytes', type, value: Uint8Array.from({ length: int(5) }, () => int(8)) });
    else if (r < 0.85) out.push({ kind: 'flag', type });
    else if (depth < 4) out.push({ kind: 'nest', type, value: randomValues(rand, depth + 1) });
  }
  return out;
}

function buildValues(values: Value[]): void {
  const b = codec.builder();
  for (const v of values) {
    switch (v.kind) {
      case 'nest': b.nest(v.type, () => buildValues(v.value)); break;
      case 'flag': b.flag(v.type); break;
      case 'string': b.string(v.type, v.value); break;
      case 'bytes': b.bytes(v.type, v.value); break;
      case 'u64': b.u64(v.type, v.value); break;
      case 'be64': b.be64(v.type, v.value); break;
      default: b[v.kind](v.type, v.value);
    }
  }
}

function readValues(list: AttributeList, parent: number, like: Value[]): Value[] {
  const out: Value[] = [];
  const end = parent < 0 ? list.count : list.next(parent);
  let i = 0;
  for (let j = parent + 1; j < end; j = list.next(j), i++) {
    const kind = like[i]?.kind ?? 'bytes';
    const type = list.type(j);
    switch (kind) {
      case 'nest': out.push({ kind, type, value: readValues(list, j, (like[i] as { value: Value[] }).value) }); break;
      case 'flag': expect(list.payloadLength(j)).toBe(0); out.push({ kind, type }); break;
      case 'string': out.push({ kind, type, value: list.string(j) }); break;
      case 'bytes': out.push({ kind, type, value: list.bytes(j) }); break;
      case 'u64': out.push({ kind, type, value: list.u64(j) }); break;
      case 'be64': out.push({ kind, type, value: list.be64(j) }); break;
      default: out.push({ kind, type, value: list[kind](j) });
    }
  }
  return out;
}

test('random messages survive build, scan and decode unchanged', () => {
  const rand = prng(0x5eed);
  for (let round = 0; round < 300; round++) {
    const messages: Message[] = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => ({
      type: 16 + Math.floor(rand() * 1000),
      flags: Math.floor(rand() * 0x10000),
      seq: Math.floor(rand() * 2 ** 32),
      pid: Math.floor(rand() * 2 ** 32),
      header: Uint8Array.from({ length: Math.floor(rand() * 21) }, () => Math.floor(rand() * 256)),
      attrs: randomValues(rand, 0),
    }));
    const b = codec.builder().reset();
    for (const m of messages) {
      b.begin(m.type, m.flags, m.seq, m.pid).header(m.header);
      buildValues(m.attrs);
      b.end();
    }
    const batch = codec.scan(b.finish().slice());
    expect(batch.count).toBe(messages.length);
    messages.forEach((m, i) => {
      expect([batch.type(i), batch.flags(i), batch.seq(i), batch.pid(i), batch.status(i)]).toEqual([m.type, m.flags, m.seq, m.pid, 0]);
      expect(batch.view(i).subarray(16, 16 + m.header.length)).toEqual(m.header);
      const list = batch.attributes(i, m.header.length);
      expect(list.firstError()).toBeNull();
      expect(readValues(list, -1, m.attrs)).toEqual(m.attrs);
    });
  }
});
