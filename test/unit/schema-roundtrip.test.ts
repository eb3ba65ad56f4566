// Round trips for every shipped family: random valid objects from each
// message schema are encoded with the builder, scanned with the codec and
// decoded again; the result must equal the input.
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { loadCodec, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_REQUEST } from '../../src/codec/index.js';
import { allFamilySpecs } from '../../src/families/generated/index.js';
import {
  compileFamily, decodeBatchMessage, encodeMessage, sampleMessage, SchemaRegistry, type MessageSchema,
} from '../../src/schema/index.js';
import { prng } from '../helpers/bytes.js';

const codec = loadCodec();
const scanner = codec.scanner();
const registry = new SchemaRegistry(allFamilySpecs);

function roundTrip(schema: MessageSchema, seed: number) {
  const rand = prng(seed);
  const body = sampleMessage(schema, { random: rand, density: 0.6, maxDepth: 3 });
  // NLMSG_ERROR carries attributes only with NLM_F_ACK_TLVS (and no echo when capped).
  const flags = schema.family.name === 'nlmsgerr' ? NLM_F_CAPPED | NLM_F_ACK_TLVS : schema.dir === 'request' ? NLM_F_REQUEST : 0;
  const bytes = encodeMessage(schema, { ...body, flags, seq: seed }, { familyId: 0x20 });
  const batch = scanner.scanBytes(bytes);
  expect(batch.count).toBe(1);
  expect(batch.error(0)).toBeNull();
  const decoded = decodeBatchMessage(batch, 0, schema);
  return { body, decoded, bytes };
}

describe.each(allFamilySpecs.map((s) => [s.name, s] as const))('family %s', (name, spec) => {
  const family = compileFamily(spec);

  test('compiles, with a nest map the codec accepts', () => {
    expect(family.name).toBe(name);
    expect(() => family.nestMap).not.toThrow();
  });

  const messages = family.messages;
  if (messages.length === 0) return;
  test.each(messages.map((m) => [`${m.name} (${m.dir} ${m.value})`, m] as const))('round trip %s', (_label, schema) => {
    for (let seed = 1; seed <= 25; seed++) {
      const { body, decoded } = roundTrip(schema, seed * 7919 + schema.value);
      expect(decoded.family).toBe(name);
      expect(decoded.message).toBe(schema.name);
      expect(decoded.seq).toBe(seed * 7919 + schema.value);
      if (body.header) expect(decoded.header).toEqual(body.header);
      expect(decoded.attributes).toEqual(body.attributes);
    }
  });
});

test('the registry finds every message a sample encodes', () => {
  let checked = 0;
  for (const spec of allFamilySpecs) {
    const family = compileFamily(spec);
    for (const schema of family.messages) {
      if (family.genetlink) registry.bindGenlFamily(0x20, family.name);
      const { bytes } = roundTrip(schema, 99);
      const batch = scanner.scanBytes(bytes);
      const protocol = family.name === 'nlmsgerr' ? 0 : family.protonum;
      const found = registry.lookup(batch, 0, protocol);
      expect(found?.family.name).toBe(family.name);
      expect(found?.value).toBe(schema.value);
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(150);
});

test('the committed generated modules match their specs', () => {
  // Without Debian's linux-doc-6.12 only the project-written specs are checked.
  const out = execFileSync('node', ['scripts/gen-schemas.mjs', '--check'], { encoding: 'utf8' });
  expect(out).toMatch(/up to date/);
});
