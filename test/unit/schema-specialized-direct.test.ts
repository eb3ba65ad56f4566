// The direct decoders (generated set decoders that read the attribute bytes
// instead of the WASM attribute index) against the table-driven decoder:
// sound messages must be decoded directly (no fallback to the index), and
// every odd or malformed one must give exactly what the index path gives —
// the same object, or the same error class, offset and message.
import { describe, expect, test } from 'vitest';
import {
  loadCodec, DEFAULT_MAX_DEPTH, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_REQUEST,
} from '../../src/codec/index.js';
import { allFamilySpecs } from '../../src/families/generated/index.js';
import { directSet } from '../../src/families/decoders/lookup.js';
import { DIRECT_MAX_DEPTH, USE_INDEX, copyBytes, directStats, shortString, type DecoderHost } from '../../src/families/decoders/runtime.js';
import { decodeString } from '../../src/codec/text.js';
import {
  compileFamily, decodeBatchMessage, defaultRegistry, encodeMessage, sampleMessage,
  type DecodeOptions, type DecodedMessage, type MessageSchema,
} from '../../src/schema/index.js';
import { prng } from '../helpers/bytes.js';

const codec = loadCodec();
const scanner = codec.scanner();

type Outcome = { value: DecodedMessage } | { error: { name: string; offset: unknown; message: string } };

function outcome(run: () => DecodedMessage): Outcome {
  try {
    return { value: run() };
  } catch (e) {
    const err = e as Error & { offset?: number };
    return { error: { name: err.constructor.name, offset: err.offset, message: err.message } };
  }
}

/** JSON of decoded values: bigints and bytes spelled out, so that key order is compared too. */
function plain(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Array.from(v);
  return v;
}

/**
 * Decodes `bytes` by default (direct decoders) and table-driven; they must
 * agree exactly. Returns the outcome and how many times the direct path
 * handed the message back to the index.
 */
function agree(bytes: Uint8Array, schema: MessageSchema, options: DecodeOptions = {}): { result: Outcome; fallbacks: number } {
  const before = directStats.fallbacks;
  const direct = outcome(() => decodeBatchMessage(scanner.scanBytes(bytes), 0, schema, options, codec));
  const fallbacks = directStats.fallbacks - before;
  const table = outcome(() => decodeBatchMessage(scanner.scanBytes(bytes), 0, schema, { ...options, decoders: 'table' }, codec));
  expect(direct).toStrictEqual(table);
  if ('value' in direct && 'value' in table) expect(JSON.stringify(direct.value, plain)).toBe(JSON.stringify(table.value, plain));
  return { result: direct, fallbacks };
}

// ── hand-built attributes ──

const align4 = (n: number) => (n + 3) & ~3;

/** One attribute: header, payload, padding. `declared` overrides nla_len (for malformed ones). */
function attr(type: number, payload: Uint8Array, declared = 4 + payload.length): Uint8Array {
  const out = new Uint8Array(align4(4 + payload.length));
  const view = new DataView(out.buffer);
  view.setUint16(0, declared, true);
  view.setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const u32le = (v: number) => new Uint8Array(new Uint32Array([v]).buffer);
const text = (s: string) => new TextEncoder().encode(`${s}\0`);

const rtLink = defaultRegistry().family('rt-link');
const newlink = rtLink.message('newlink', 'reply');
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_VLAN_ID = 1;

/** An RTM_NEWLINK with a zero ifinfomsg and the given attribute bytes, exactly as given (no padding added at the end). */
function link(attributes: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + 16 + attributes.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length, true);
  view.setUint16(4, newlink.value, true);
  out.set(attributes, 32);
  return out;
}

describe('direct decoders', () => {
  test('every attribute set of every shipped family has one', () => {
    for (const spec of allFamilySpecs) {
      const family = compileFamily(spec);
      for (const set of family.sets.values()) expect(directSet(set), `${family.name} ${set.name}`).not.toBeNull();
    }
  });

  test('a sound message is decoded directly, without the attribute index', () => {
    const bytes = link(concat(
      attr(IFLA_IFNAME, text('eth0')), attr(IFLA_MTU, u32le(1500)), attr(IFLA_ADDRESS, new Uint8Array([2, 0, 0, 0, 0, 1])),
      attr(IFLA_LINKINFO, concat(attr(IFLA_INFO_KIND, text('vlan')), attr(IFLA_INFO_DATA, attr(IFLA_VLAN_ID, new Uint8Array([7, 0]))))),
    ));
    const { result, fallbacks } = agree(bytes, newlink);
    expect(fallbacks).toBe(0);
    expect('value' in result && result.value.attributes).toMatchObject({ ifname: 'eth0', mtu: 1500, linkinfo: { kind: 'vlan', data: { id: 7 } } });
  });

  test('sample messages of every family take the direct path whenever the table decoder accepts them', () => {
    let direct = 0;
    for (const spec of allFamilySpecs) {
      const family = compileFamily(spec);
      for (const schema of family.messages.filter((m) => m.set)) {
        for (let seed = 1; seed <= 5; seed++) {
          const body = sampleMessage(schema, { random: prng(seed * 104729 + schema.value), density: 0.7, maxDepth: 3 });
          const flags = family.name === 'nlmsgerr' ? NLM_F_CAPPED | NLM_F_ACK_TLVS : schema.dir === 'request' ? NLM_F_REQUEST : 0;
          const bytes = encodeMessage(schema, { ...body, flags, seq: seed }, { familyId: 0x20 }).slice();
          const { result, fallbacks } = agree(bytes, schema);
          if ('value' in result) {
            expect(fallbacks, `${family.name} ${schema.name} seed ${seed}`).toBe(0);
            direct++;
          }
        }
      }
    }
    expect(direct).toBeGreaterThan(100);
  });

  test('an integer with NLA_F_NET_BYTEORDER is read big-endian, directly', () => {
    const { result, fallbacks } = agree(link(attr(IFLA_MTU | NLA_F_NET_BYTEORDER, new Uint8Array([0, 0, 5, 0xdc]))), newlink);
    expect(fallbacks).toBe(0);
    expect('value' in result && result.value.attributes.mtu).toBe(1500);
  });

  test('a short integer payload: the index path reports it, same error', () => {
    const { result, fallbacks } = agree(link(attr(IFLA_MTU, new Uint8Array([1, 2]))), newlink);
    expect(fallbacks).toBe(1);
    // Offsets count from the start of the scanned bytes: the attribute follows nlmsghdr and ifinfomsg.
    expect(result).toMatchObject({ error: { name: 'MalformedError', offset: 32 } });
  });

  test('malformed attribute headers give the same typed errors and offsets', () => {
    const good = attr(IFLA_IFNAME, text('eth0'));
    // [label, attributes, error, offset, whether the flaw is at the top level (then `only` meets it too)]
    const cases: Array<[string, Uint8Array, string, number, boolean]> = [
      ['nla_len below the header', concat(good, attr(IFLA_MTU, u32le(1), 3)), 'MalformedError', 44, true],
      ['nla_len past the end', concat(good, attr(IFLA_MTU, u32le(1), 40)), 'TruncatedError', 44, true],
      ['fewer bytes than a header', concat(good, new Uint8Array([8, 0])), 'TruncatedError', 44, true],
      ['truncated inside linkinfo', attr(IFLA_LINKINFO, concat(attr(IFLA_INFO_KIND, text('vlan')), attr(IFLA_INFO_DATA, u32le(0), 64))), 'TruncatedError', 48, false],
      ['truncated inside a sub-message', attr(IFLA_LINKINFO, concat(attr(IFLA_INFO_KIND, text('vlan')), attr(IFLA_INFO_DATA, attr(IFLA_VLAN_ID, u32le(1), 30)))), 'TruncatedError', 52, false],
    ];
    for (const [label, attributes, name, offset, topLevel] of cases) {
      const { result } = agree(link(attributes), newlink);
      expect(result, label).toMatchObject({ error: { name, offset } });
      // `only` does not open linkinfo: a flaw inside it goes unread, both ways.
      const only = agree(link(attributes), newlink, { only: ['ifname'] });
      expect('error' in only.result, `${label}, with only`).toBe(topLevel);
    }
  });

  test('bad contents of nests the spec does not open are kept, as by the index path', () => {
    const garbage = new Uint8Array([0xff, 0xff, 0xff]);
    // An unknown type flagged as a nest, a binary attribute flagged as a nest: both hold no valid attributes.
    const { result, fallbacks } = agree(link(concat(
      attr(0x3ff0 | NLA_F_NESTED, garbage), attr(IFLA_ADDRESS | NLA_F_NESTED, garbage), attr(IFLA_MTU, u32le(9000)),
    )), newlink);
    expect(fallbacks).toBe(0);
    expect('value' in result && result.value.attributes).toMatchObject({
      mtu: 9000, address: garbage, $unknown: [{ type: 0x3ff0, bytes: garbage, nested: true }],
    });
  });

  test('unknown nests deeper than the depth bound are kept whole', () => {
    let nest = attr(1, u32le(1));
    for (let d = 0; d < DEFAULT_MAX_DEPTH + 4; d++) nest = attr(0x3f00 | NLA_F_NESTED, nest);
    const { result, fallbacks } = agree(link(concat(nest, attr(IFLA_MTU, u32le(1)))), newlink);
    expect(fallbacks).toBe(0);
    expect('value' in result && result.value.attributes.$unknown).toHaveLength(1);
  });

  test('repeats, the last attribute without padding, and `only`', () => {
    const mtu = (v: number) => attr(IFLA_MTU, u32le(v));
    const unpadded = attr(IFLA_IFNAME, new Uint8Array([0x6c, 0x6f])).subarray(0, 6);
    const bytes = link(concat(mtu(1), mtu(2), unpadded));
    const { result, fallbacks } = agree(bytes, newlink);
    expect(fallbacks).toBe(0);
    expect('value' in result && result.value.attributes).toStrictEqual({ mtu: 1, $unknown: [{ type: IFLA_MTU, bytes: u32le(2) }], ifname: 'lo' });
    const only = agree(bytes, newlink, { only: ['ifname'] });
    expect(only.fallbacks).toBe(0);
    expect('value' in only.result && only.result.value.attributes).toStrictEqual({ ifname: 'lo' });
    agree(bytes, newlink, { enums: 'numbers' });
  });

  test('a sub-message whose selector has no format stays bytes', () => {
    const data = attr(IFLA_INFO_DATA, u32le(0xabcdef));
    const { result, fallbacks } = agree(link(attr(IFLA_LINKINFO, concat(attr(IFLA_INFO_KIND, text('no-such-kind')), data))), newlink);
    expect(fallbacks).toBe(0);
    expect('value' in result && result.value.attributes.linkinfo).toStrictEqual({ kind: 'no-such-kind', data: u32le(0xabcdef) });
  });

  test('levels at the depth bound are left to the index path', () => {
    // The index walk marks nests at depth DEFAULT_MAX_DEPTH - 1 as too deep;
    // a direct decoder asked to read such a level hands the message back.
    expect(DIRECT_MAX_DEPTH).toBe(DEFAULT_MAX_DEPTH - 1);
    const direct = directSet(newlink.set!)!;
    const host = { codec } as unknown as DecoderHost;
    let thrown: unknown = null;
    try {
      direct(host, 0, 0, DIRECT_MAX_DEPTH, null, null);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(USE_INDEX);
    expect(direct(host, 0, 0, DIRECT_MAX_DEPTH - 1, null, null)).toStrictEqual({});
  });

  test('shortString and copyBytes give what decodeString and slice give', () => {
    const rand = prng(77);
    const bytes = new Uint8Array(4096);
    for (let i = 0; i < bytes.length; i++) {
      // Mostly printable ASCII, some NULs and some bytes past 0x7f (valid UTF-8 or not).
      const r = rand();
      bytes[i] = r < 0.05 ? 0 : r < 0.1 ? 0x80 + Math.floor(rand() * 0x80) : r < 0.12 ? 0xc3 : 0x20 + Math.floor(rand() * 0x5f);
    }
    const text = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyzäöü€\0tail');
    bytes.set(text, 4000);
    for (let start = 0; start < 4000; start += 3) {
      for (const length of [0, 1, 2, 7, 8, 9, 15, 16, 17, 40, 64, 65]) {
        expect(shortString(bytes, start, start + length)).toBe(decodeString(bytes, start, start + length));
        expect(copyBytes(bytes, start, length)).toStrictEqual(bytes.slice(start, start + length));
      }
    }
    for (let length = 0; length <= text.length; length++) expect(shortString(bytes, 4000, 4000 + length)).toBe(decodeString(bytes, 4000, 4000 + length));
  });
});
