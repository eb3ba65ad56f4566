// The generated decoders (src/families/decoders/) against the table-driven
// decoder: on random samples of every message of every shipped family, on
// the same bytes mutated (errors must match in class and offset), with
// unknown and repeated attributes, `only` selection and numeric enums, and on
// the benchmark's link and route dumps read as a whole batch.
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { loadCodec, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_REQUEST, type Batch } from '../../src/codec/index.js';
import { allFamilySpecs } from '../../src/families/generated/index.js';
import { specializedSet, specializedStruct } from '../../src/families/decoders/lookup.js';
import {
  compileFamily, decodeBatchMessage, defaultRegistry, encodeMessage, forEachBatchMessage, sampleMessage,
  type DecodeOptions, type DecodedMessage, type MessageSchema,
} from '../../src/schema/index.js';
import { linkDataset, routeDataset } from '../../bench/datasets.js';
import { prng } from '../helpers/bytes.js';

const codec = loadCodec();
const scanner = codec.scanner();

function sampleBytes(schema: MessageSchema, seed: number): Uint8Array {
  const body = sampleMessage(schema, { random: prng(seed), density: 0.6, maxDepth: 3 });
  const flags = schema.family.name === 'nlmsgerr' ? NLM_F_CAPPED | NLM_F_ACK_TLVS : schema.dir === 'request' ? NLM_F_REQUEST : 0;
  return encodeMessage(schema, { ...body, flags, seq: seed }, { familyId: 0x20 }).slice();
}

type Outcome = { value: DecodedMessage } | { error: { name: string; offset: unknown; message: string } };

function outcome(run: () => DecodedMessage): Outcome {
  try {
    return { value: run() };
  } catch (e) {
    const err = e as Error & { offset?: number };
    return { error: { name: err.constructor.name, offset: err.offset, message: err.message } };
  }
}

/** Decodes `bytes` both ways; they must agree exactly (values, key order, or the error). */
function agree(bytes: Uint8Array, schema: MessageSchema, options: DecodeOptions = {}): Outcome {
  const special = outcome(() => decodeBatchMessage(scanner.scanBytes(bytes), 0, schema, options, codec));
  const table = outcome(() => decodeBatchMessage(scanner.scanBytes(bytes), 0, schema, { ...options, decoders: 'table' }, codec));
  expect(special).toStrictEqual(table);
  if ('value' in special && 'value' in table) expect(JSON.stringify(special.value, plain)).toBe(JSON.stringify(table.value, plain));
  return special;
}

/** JSON of decoded values: bigints and bytes spelled out, so that key order is compared too. */
function plain(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Array.from(v);
  return v;
}

/** A copy of `bytes` with an attribute of type `type` (4-byte payload) appended to the message. */
function withExtraAttribute(bytes: Uint8Array, type: number): Uint8Array {
  const out = new Uint8Array(bytes.length + 8);
  out.set(bytes);
  const view = new DataView(out.buffer);
  view.setUint16(bytes.length, 8, true);
  view.setUint16(bytes.length + 2, type, true);
  view.setUint32(bytes.length + 4, 0xdeadbeef, true);
  view.setUint32(0, out.length, true);
  return out;
}

describe.each(allFamilySpecs.map((s) => [s.name, s] as const))('family %s', (_name, spec) => {
  const family = compileFamily(spec);

  test('every set and struct has a generated decoder', () => {
    for (const set of family.sets.values()) expect(specializedSet(set), set.name).not.toBeNull();
    for (const struct of family.structs.values()) expect(specializedStruct(family, struct), struct.name).not.toBeNull();
  });

  const messages = family.messages.filter((m) => m.set || m.header);
  if (messages.length === 0) return;
  test.each(messages.map((m) => [`${m.name} (${m.dir} ${m.value})`, m] as const))('%s: same results as the table-driven decoder', (_label, schema) => {
    const rand = prng(schema.value * 31 + 7);
    let decodedOk = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const bytes = sampleBytes(schema, seed * 7919 + schema.value);
      if ('value' in agree(bytes, schema)) decodedOk++;
      agree(bytes, schema, { enums: 'numbers' });
      // `only`: a few keys of the set (and one it does not have).
      const keys = schema.set ? [...schema.set.byKey.keys()] : [];
      const only = keys.filter(() => rand() < 0.3).concat('noSuchKey');
      agree(bytes, schema, { only });
      // Unknown and repeated attributes go to $unknown the same way.
      agree(withExtraAttribute(bytes, 0x3ffe), schema);
      const first = schema.set?.ordered.find((a) => a.type !== 'pad' && a.type !== 'unused' && !a.multi);
      if (first) agree(withExtraAttribute(withExtraAttribute(bytes, first.value), first.value), schema);
      // Mutations: a byte changed, or the message cut short (lengths fixed up): same value or same error.
      for (let m = 0; m < 4; m++) {
        const mutated = bytes.slice();
        const at = 16 + Math.floor(rand() * Math.max(1, mutated.length - 16));
        if (at < mutated.length) mutated[at] = Math.floor(rand() * 256);
        agree(mutated, schema);
      }
      const cut = bytes.slice(0, 16 + Math.floor(rand() * (bytes.length - 16 + 1)));
      new DataView(cut.buffer).setUint32(0, cut.length, true);
      agree(cut, schema);
    }
    expect(decodedOk).toBeGreaterThan(0);
  });
});

describe('dumps decoded as a whole batch', () => {
  const registry = defaultRegistry();
  const cases: Array<[string, { bytes: Uint8Array }, MessageSchema]> = [
    ['link', linkDataset(3000), registry.family('rt-link').message('newlink', 'reply')],
    ['route', routeDataset(3000), registry.family('rt-route').message('newroute', 'reply')],
  ];
  test.each(cases)('%s dump: forEachBatchMessage gives the same messages both ways', (_name, dump, schema) => {
    const select = (batch: Batch, i: number) => (batch.type(i) === schema.value ? schema : undefined);
    const run = (options: DecodeOptions) => {
      const s = codec.scanner();
      const batch = s.scanBytes(dump.bytes);
      const out: string[] = [];
      const values: DecodedMessage[] = [];
      forEachBatchMessage(batch, select, (m) => { values.push(m); out.push(JSON.stringify(m, plain)); }, options, codec);
      return { out, values };
    };
    for (const options of [{}, { enums: 'numbers' as const }, { only: ['ifname', 'mtu', 'dst', 'oif'] }]) {
      const special = run(options);
      const table = run({ ...options, decoders: 'table' });
      expect(special.values.length).toBeGreaterThan(100);
      expect(special.values).toStrictEqual(table.values);
      expect(special.out).toEqual(table.out);
    }
  });
});

test('the generated decoders are up to date with the specs', () => {
  const out = execFileSync(process.execPath, ['scripts/gen-decoders.mjs', '--check'], { encoding: 'utf8' });
  expect(out).toMatch(/up to date/);
});
