// Mutated and truncated messages: decoding by schema either succeeds or
// throws a typed NlkitError, never anything else, eager or lazy.
import { expect, test } from 'vitest';
import { loadCodec, NlkitError, NLM_F_REQUEST } from '../../src/codec/index.js';
import { allFamilySpecs } from '../../src/families/generated/index.js';
import { compileFamily, encodeMessage, sampleMessage, SchemaRegistry } from '../../src/schema/index.js';
import { prng } from '../helpers/bytes.js';

const codec = loadCodec();
const registry = new SchemaRegistry(allFamilySpecs);

/** Reads every value, so that lazy getters run. */
function touch(v: unknown, depth = 0): number {
  if (depth > 64 || v === null || typeof v !== 'object') return 1;
  if (v instanceof Uint8Array) return v.length;
  let n = 0;
  for (const key of Object.keys(v)) n += touch((v as Record<string, unknown>)[key], depth + 1);
  return n;
}

test('mutated samples of every family decode or fail with a typed error', () => {
  const rand = prng(Number(process.env.SCHEMA_FUZZ_SEED ?? 20241125));
  let decoded = 0;
  let rejected = 0;
  for (const spec of allFamilySpecs) {
    const family = compileFamily(spec);
    if (family.genetlink) registry.bindGenlFamily(0x30, family.name);
    const protocol = family.name === 'nlmsgerr' ? 0 : family.protonum;
    for (const schema of family.messages) {
      for (let round = 0; round < 6; round++) {
        const body = sampleMessage(schema, { random: rand, density: 0.7 });
        const flags = family.name === 'nlmsgerr' ? 0x300 : schema.dir === 'request' ? NLM_F_REQUEST : 0;
        const clean = encodeMessage(schema, { ...body, flags }, { familyId: 0x30 });
        const bytes = clean.slice(0, rand() < 0.3 ? 16 + Math.floor(rand() * (clean.length - 16)) : clean.length);
        const flips = 1 + Math.floor(rand() * 4);
        for (let f = 0; f < flips; f++) bytes[16 + Math.floor(rand() * Math.max(1, bytes.length - 16))] = Math.floor(rand() * 256);
        if (bytes.length >= 4) new DataView(bytes.buffer).setUint32(0, bytes.length, true);
        for (const lazy of [false, true]) {
          try {
            for (const m of registry.decodeBytes(bytes, protocol, { lazy })) touch(m);
            decoded++;
          } catch (e) {
            if (!(e instanceof NlkitError)) throw e;
            rejected++;
          }
        }
      }
    }
  }
  expect(decoded).toBeGreaterThan(100);
  expect(rejected).toBeGreaterThan(10);
});
