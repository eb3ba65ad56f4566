// The nft renderers (rules, sets, objects) on rules built byte for byte as the kernel dumps them
// (big-endian integers, nested NFTA_DATA values), decoded by the nftables
// schema, as listRules gets them.
import { describe, expect, it } from 'vitest';
import { loadCodec } from '../../src/codec/index.js';
import { defaultRegistry } from '../../src/schema/default-registry.js';
import { decodeBatchMessage } from '../../src/schema/decode.js';
import { nfgenmsg } from '../../src/families/nfnetlink/nfgenmsg.js';
import { parseTlv, renderRule, type RenderContext } from '../../src/families/nfnetlink/nft-rule-text.js';
import { VERDICT_DATATYPE, concatTypes, keyTypeName, renderElements, renderSet } from '../../src/families/nfnetlink/nft-set-text.js';
import { renderObject } from '../../src/families/nfnetlink/nft-object-text.js';
import { parseUserdata, userdataComment } from '../../src/families/nfnetlink/nft-userdata.js';
import { formatDuration } from '../../src/families/nfnetlink/nft-values.js';
import { MalformedError, TruncatedError } from '../../src/codec/errors.js';
import { formatRuleset, type Ruleset } from '../../src/cli/families/nft.js';

// ── netlink attributes as bytes ──────────────────────────────────────────────
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
function nla(type: number, payload: Uint8Array, nested = false): Uint8Array {
  const len = 4 + payload.length;
  const out = new Uint8Array((len + 3) & ~3);
  new DataView(out.buffer).setUint16(0, len, true);
  new DataView(out.buffer).setUint16(2, type | (nested ? 0x8000 : 0), true);
  out.set(payload, 4);
  return out;
}
const nest = (type: number, ...parts: Uint8Array[]) => nla(type, cat(...parts), true);
const be32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n >>> 0, false); return b; };
const be64 = (n: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, n, false); return b; };
const str = (s: string) => cat(Uint8Array.from(s, (c) => c.charCodeAt(0)), new Uint8Array(1));
const bytes = (...b: number[]) => Uint8Array.from(b);
/** A u32 in host order, as meta and socket keys load it. */
const host32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const u32 = (type: number, n: number) => nla(type, be32(n));
const value = (type: number, b: Uint8Array) => nest(type, nla(1, b));

// ── expressions (built by kernel attribute number; the schema names them) ────
const expr = (name: string, ...data: Uint8Array[]) => nest(1, nla(1, str(name)), ...(data.length ? [nest(2, ...data)] : []));
const payload = (base: number, offset: number, len: number, dreg = 1) => expr('payload', u32(1, dreg), u32(2, base), u32(3, offset), u32(4, len));
const meta = (key: number, dreg = 1) => expr('meta', u32(2, key), u32(1, dreg));
const ct = (key: number, dreg = 1) => expr('ct', u32(1, dreg), u32(2, key));
const cmp = (op: number, b: Uint8Array, sreg = 1) => expr('cmp', u32(1, sreg), u32(2, op), value(3, b));
const bitwise = (mask: Uint8Array, sreg = 1, dreg = 1) => expr('bitwise', u32(1, sreg), u32(2, dreg), u32(3, mask.length), value(4, mask), value(5, new Uint8Array(mask.length)), u32(6, 0));
const verdict = (code: number, chain?: string) => expr('immediate', u32(1, 0), nest(2, nest(2, u32(1, code), ...(chain ? [nla(2, str(chain))] : []))));
const counter = (packets: bigint, byteCount: bigint) => expr('counter', nla(1, be64(byteCount)), nla(2, be64(packets)));
const lookup = (set: string, flags = 0, sreg = 1) => expr('lookup', nla(1, str(set)), u32(2, sreg), u32(5, flags));
const range = (op: number, from: Uint8Array, to: Uint8Array) => expr('range', u32(1, 1), u32(2, op), value(3, from), value(4, to));
const limit = (rate: bigint, unit: bigint, burst: number, type: number, flags: number) =>
  expr('limit', nla(1, be64(rate)), nla(2, be64(unit)), u32(3, burst), u32(4, type), u32(5, flags));
const ACCEPT = 1, DROP = 0, JUMP = -3, GOTO = -4, RETURN = -5, CONTINUE = -1;
const EQ = 0, NEQ = 1, GTE = 5, LTE = 3;
const NH = 1, TH = 2;
const TCP = bytes(6), L4PROTO = 16, NFPROTO = 15, MARK = 3, IIFNAME = 6;

const codec = loadCodec();
const schema = defaultRegistry().family('nftables').message('newrule', 'reply');

/** A NEWRULE message with these expressions, decoded by the schema: the `elem` list listRules sees. */
function decoded(family: number, ...exprs: Uint8Array[]): unknown[] {
  const attrs = cat(nla(1, str('t')), nla(2, str('c')), nla(3, be64(4n)), nest(4, ...exprs));
  const msg = new Uint8Array(16 + 4 + attrs.length);
  const view = new DataView(msg.buffer);
  view.setUint32(0, msg.length, true);
  view.setUint16(4, (10 << 8) | 6, true);
  view.setUint16(6, 2, true); // NLM_F_MULTI
  msg.set(nfgenmsg(family), 16);
  msg.set(attrs, 20);
  const d = decodeBatchMessage(codec.scan(msg), 0, schema, undefined, codec);
  return ((d.attributes.expressions as { elem?: unknown[] }).elem) ?? [];
}

const IP = 2, INET = 1, IP6 = 10;
const render = (family: number, ctx: Partial<RenderContext>, ...exprs: Uint8Array[]) => renderRule(decoded(family, ...exprs), { family, ...ctx });

describe('renderRule', () => {
  it('joins a load and its comparison into one statement and hides the protocol dependency', () => {
    const r = render(INET, {}, meta(L4PROTO), cmp(EQ, TCP), payload(TH, 2, 2), cmp(EQ, bytes(0, 22)), counter(5n, 640n), verdict(ACCEPT));
    expect(r).toEqual({ text: 'tcp dport 22 counter packets 5 bytes 640 accept', complete: true, unknown: [] });
  });

  it('keeps a protocol match that nothing after it depends on', () => {
    expect(render(INET, {}, meta(NFPROTO), cmp(EQ, bytes(2)), verdict(DROP)).text).toBe('meta nfproto ipv4 drop');
    expect(render(IP, {}, meta(L4PROTO), cmp(EQ, bytes(1)), verdict(ACCEPT)).text).toBe('meta l4proto icmp accept');
    // In inet, `ip saddr` consumes `meta nfproto ipv4`; the transport match its own dependency.
    expect(render(INET, {}, meta(NFPROTO), cmp(EQ, bytes(2)), payload(NH, 12, 4), cmp(EQ, bytes(127, 0, 0, 1)), verdict(ACCEPT)).text)
      .toBe('ip saddr 127.0.0.1 accept');
  });

  it('prints prefixes from short loads and from masks, and addresses of both families', () => {
    expect(render(IP, {}, payload(NH, 12, 2), cmp(EQ, bytes(10, 1)), verdict(ACCEPT)).text).toBe('ip saddr 10.1.0.0/16 accept');
    expect(render(IP, {}, payload(NH, 16, 4), bitwise(bytes(255, 240, 0, 0)), cmp(NEQ, bytes(10, 0, 0, 0)), verdict(DROP)).text).toBe('ip daddr != 10.0.0.0/12 drop');
    const v6 = new Uint8Array(16);
    v6.set([0x20, 0x01, 0x0d, 0xb8]);
    v6[15] = 1;
    expect(render(IP6, {}, payload(NH, 8, 16), cmp(EQ, v6), verdict(DROP)).text).toBe('ip6 saddr 2001:db8::1 drop');
  });

  it('reads ct state bits, ranges from two comparisons and a range expression', () => {
    expect(render(IP, {}, ct(0), bitwise(bytes(6, 0, 0, 0)), cmp(NEQ, bytes(0, 0, 0, 0)), verdict(ACCEPT)).text).toBe('ct state established,related accept');
    expect(render(IP, {}, meta(L4PROTO), cmp(EQ, TCP), payload(TH, 0, 2), cmp(GTE, bytes(4, 0)), cmp(LTE, bytes(255, 255)), verdict(RETURN)).text)
      .toBe('tcp sport 1024-65535 return');
    // `range`, read by the names of the overlay's format (fromData, toData).
    expect(render(IP, {}, meta(L4PROTO), cmp(EQ, TCP), payload(TH, 2, 2), range(NEQ, bytes(3, 232), bytes(7, 208)), verdict(DROP)).text)
      .toBe('tcp dport != 1000-2000 drop');
    // A lone `>=` is a comparison, not half a range.
    expect(render(IP, {}, payload(NH, 8, 1), cmp(GTE, bytes(64)), verdict(CONTINUE)).text).toBe('ip ttl >= 64 continue');
  });

  it('prints meta keys, interface names and marks as nft does', () => {
    expect(render(IP, {}, meta(IIFNAME), cmp(EQ, cat(str('lo'), new Uint8Array(13))), verdict(ACCEPT)).text).toBe('iifname "lo" accept');
    expect(render(IP, {}, meta(IIFNAME), cmp(EQ, Uint8Array.from('eth', (c) => c.charCodeAt(0))), verdict(DROP)).text).toBe('iifname "eth*" drop');
    expect(render(IP, {}, meta(MARK), cmp(EQ, bytes(1, 0, 0, 0)), verdict(GOTO, 'other')).text).toBe('meta mark 0x00000001 goto other');
  });

  it('prints named and anonymous set lookups', () => {
    const sets = new Map([['__set0', { name: '__set0', elements: ['22', '80'] }]]);
    expect(render(IP, { sets }, meta(L4PROTO), cmp(EQ, TCP), payload(TH, 2, 2), lookup('__set0'), verdict(ACCEPT)).text).toBe('tcp dport { 22, 80 } accept');
    expect(render(IP, {}, payload(NH, 16, 4), lookup('peers', 1), verdict(JUMP, 'other')).text).toBe('ip daddr != @peers jump other');
    // An anonymous set whose elements were not given is not guessed.
    const missing = render(IP, {}, payload(NH, 16, 4), lookup('__set3'), verdict(ACCEPT));
    expect(missing.complete).toBe(false);
    expect(missing.text).toMatch(/^# \[unknown expression lookup set=__set3 /);
  });

  it('reads limit statements: rate, unit, burst, packets or bytes, inverted', () => {
    expect(render(IP, {}, limit(10n, 60n, 20, 0, 1), verdict(ACCEPT)).text).toBe('limit rate over 10/minute burst 20 packets accept');
    expect(render(IP, {}, limit(1048576n, 1n, 0, 1, 0), verdict(DROP)).text).toBe('limit rate 1 mbytes/second drop');
  });

  it('marks an unknown expression in place and comments the rule out', () => {
    const r = render(IP, {}, payload(NH, 12, 4), cmp(EQ, bytes(10, 0, 0, 1)), expr('fancy', u32(1, 7)), verdict(ACCEPT));
    expect(r.complete).toBe(false);
    expect(r.unknown).toEqual(['[unknown expression fancy 1=0x00000007]']);
    expect(r.text).toBe('# ip saddr 10.0.0.1 [unknown expression fancy 1=0x00000007] accept');
  });

  it('turns decoded values that make no sense into markers, not exceptions', () => {
    // renderRule takes decoded objects from anywhere: a verdict name nft has
    // never heard of, and a register given as text.
    const r = renderRule([
      { name: 'immediate', data: { dreg: 0, data: { verdict: { code: 'bogus' } } } },
      { name: 'cmp', data: { sreg: 'one', op: 'eq', data: { value: bytes(1) } } },
    ], { family: 'ip' });
    expect(r.complete).toBe(false);
    expect(r.unknown).toHaveLength(2);
    expect(r.text).toMatch(/^# \[unknown expression 0 immediate \(verdict code bogus is not a number.*\] \[unknown expression 1 cmp \(.*\)\]$/);
  });

  it('marks a load nothing consumed, and a comparison of a register nothing loaded', () => {
    const r = render(IP, {}, payload(NH, 12, 4), verdict(ACCEPT));
    expect(r.text).toBe('# accept [unknown load into reg 1 never used: ip saddr]');
    const c = render(IP, {}, cmp(EQ, bytes(1)), verdict(DROP));
    expect(c.complete).toBe(false);
    expect(c.text).toMatch(/^# \[unknown expression cmp sreg=1 op=eq data=\{ value=0x01 \}\] drop$/);
  });

  it('reports malformed expression bytes in a marker instead of throwing', () => {
    // An expression the spec has no format for (its data stays bytes), whose
    // first attribute claims 12 bytes but carries 4.
    const broken = nest(1, nla(1, str('tunnel')), nest(2, bytes(12, 0, 1, 0, 0, 0, 0, 1)));
    const r = render(IP, {}, broken, verdict(DROP));
    expect(r.complete).toBe(false);
    expect(r.text).toMatch(/^# \[unknown expression 0 tunnel \(attribute of 12 bytes runs past the 8 bytes of its nest/);
    expect(r.text.endsWith('] drop')).toBe(true);
  });

  it('prints numgen and hash values a store uses, seeds only when the rule set one', () => {
    const metaSet = (key: number, sreg = 1) => expr('meta', u32(2, key), u32(3, sreg));
    const numgen = expr('numgen', u32(1, 1), u32(2, 10), u32(3, 1), u32(4, 5));
    expect(render(IP, {}, numgen, metaSet(MARK)).text).toBe('meta mark set numgen random mod 10 offset 5');
    const jhash = (seed?: number) => expr('hash', u32(1, 1), u32(2, 1), u32(3, 4), u32(4, 4), ...(seed === undefined ? [] : [u32(5, seed)]), u32(7, 0));
    expect(render(IP, {}, payload(NH, 12, 4), jhash(), metaSet(MARK)).text).toBe('meta mark set jhash ip saddr mod 4');
    expect(render(IP, {}, payload(NH, 12, 4), jhash(0xabc), metaSet(MARK)).text).toBe('meta mark set jhash ip saddr mod 4 seed 0xabc');
    const symhash = expr('hash', u32(2, 1), u32(4, 2), u32(6, 100), u32(7, 1));
    expect(render(IP, {}, symhash, metaSet(MARK)).text).toBe('meta mark set symhash mod 2 offset 100');
  });

  it('does not render an expression carrying attributes the spec does not name', () => {
    // numgen with the kernel's obsolete NFTA_NG_SET_NAME (5): kept by the schema under $unknown.
    const r = render(IP, {}, expr('numgen', u32(1, 1), u32(2, 2), u32(3, 0), nla(5, str('s'))), expr('meta', u32(2, MARK), u32(3, 1)));
    expect(r.complete).toBe(false);
    expect(r.unknown[0]).toBe('[unknown expression numgen dreg=1 modulus=2 type=incremental 5=0x7300]');
  });

  it('prints nat and redirect with their immediate registers', () => {
    const imm = (reg: number, b: Uint8Array) => expr('immediate', u32(1, reg), value(2, b));
    const snat = expr('nat', u32(1, 0), u32(2, 2), u32(3, 1), u32(4, 1), u32(5, 2), u32(6, 2), u32(7, 3));
    expect(render(IP, {}, imm(1, bytes(127, 0, 0, 1)), imm(2, bytes(0x1f, 0x90)), snat).text).toBe('snat to 127.0.0.1:8080');
    const redir = expr('redir', u32(1, 1), u32(2, 1), u32(3, 2));
    expect(render(IP, {}, meta(L4PROTO), cmp(EQ, TCP), payload(TH, 2, 2), cmp(EQ, bytes(0x1f, 0x90)), imm(1, bytes(0, 80)), redir).text)
      .toBe('tcp dport 8080 redirect to :80');
  });
});

describe('maps, concatenations and set writes', () => {
  const imm = (reg: number, b: Uint8Array) => expr('immediate', u32(1, reg), value(2, b));
  const lookupInto = (set: string, sreg: number, dreg: number) => expr('lookup', nla(1, str(set)), u32(2, sreg), u32(3, dreg), u32(5, 0));
  const metaSet = (key: number, sreg: number) => expr('meta', u32(2, key), u32(3, sreg));
  const u8 = (type: number, n: number) => nla(type, bytes(n));

  it('reads a lookup with a destination register as a verdict map or a data map', () => {
    const sets = new Map([['__map0', { name: '__map0', elements: ['10.0.0.1 : accept', '10.0.0.2 : drop'] }]]);
    expect(render(IP, { sets }, payload(NH, 16, 4), lookupInto('__map0', 1, 0)).text).toBe('ip daddr vmap { 10.0.0.1 : accept, 10.0.0.2 : drop }');
    expect(render(IP, {}, payload(NH, 12, 4), lookupInto('mk', 1, 1), metaSet(MARK, 1)).text).toBe('meta mark set ip saddr map @mk');
    // A map whose result nothing stores is not a statement: the rule is marked, not guessed.
    const lost = render(IP, {}, payload(NH, 12, 4), lookupInto('mk', 1, 1), verdict(ACCEPT));
    expect(lost.text).toBe('# accept [unknown load into reg 1 never used: ip saddr map @mk]');
  });

  it('joins loads in consecutive registers into a concatenation as long as the set key', () => {
    const sets = new Map([['cc', { name: 'cc', elements: [], keyLength: 8 }], ['__set1', { name: '__set1', elements: ['10.0.0.1 . 22'], keyLength: 8 }]]);
    // NFT_REG_1 is NFT_REG32_00 (8): the port goes in the next 4-byte register, 9.
    const rule = (set: string) => render(IP, { sets }, meta(L4PROTO), cmp(EQ, TCP), payload(NH, 12, 4, 1), payload(TH, 2, 2, 9), lookup(set), verdict(ACCEPT));
    expect(rule('cc').text).toBe('ip saddr . tcp dport @cc accept');
    expect(rule('__set1').text).toBe('ip saddr . tcp dport { 10.0.0.1 . 22 } accept');
    // A key longer than what was loaded is not guessed.
    const short = render(IP, { sets: new Map([['cc', { name: 'cc', elements: [], keyLength: 12 }]]) }, payload(NH, 12, 4, 1), payload(TH, 2, 2, 9), lookup('cc'), verdict(DROP));
    expect(short.complete).toBe(false);
    // A register number that does not exist is a marker.
    expect(render(IP, {}, payload(NH, 12, 4, 5), lookup('cc'), verdict(DROP)).text).toMatch(/^# \[unknown expression 0 payload \(register 5 does not exist/);
  });

  it('prints set writes from the packet path (dynset) with their timeout and expressions', () => {
    const dynset = (op: number, set: string, ...more: Uint8Array[]) => expr('dynset', nla(1, str(set)), u32(3, op), u32(4, 1), ...more);
    expect(render(IP, {}, payload(NH, 12, 4), dynset(0, 's')).text).toBe('add @s { ip saddr }');
    expect(render(IP, {}, payload(NH, 12, 4), dynset(1, 's', nla(6, be64(60_000n)))).text).toBe('update @s { ip saddr timeout 1m }');
    // A per-element counter is a template: no values.
    const withCounter = dynset(0, 's', nest(7, nla(1, str('counter')), nest(2, nla(1, be64(0n)), nla(2, be64(0n)))));
    expect(render(IP, {}, payload(NH, 16, 4), withCounter).text).toBe('add @s { ip daddr counter }');
    // Writing map data is not rendered.
    expect(render(IP, {}, payload(NH, 12, 4), imm(2, bytes(1, 0, 0, 0)), dynset(0, 'm', u32(5, 2))).complete).toBe(false);
  });

  it('reads TCP options: presence, fields and writes; other kinds are marked', () => {
    const exthdr = (kind: number, offset: number, len: number, flags: number, reg: [number, number]) =>
      expr('exthdr', u32(reg[0], reg[1]), u8(2, kind), u32(3, offset), u32(4, len), u32(5, flags), u32(6, 1));
    expect(render(IP, {}, exthdr(2, 0, 1, 1, [1, 1]), cmp(EQ, bytes(1)), verdict(ACCEPT)).text).toBe('tcp option maxseg exists accept');
    expect(render(IP, {}, exthdr(2, 0, 1, 1, [1, 1]), cmp(EQ, bytes(0)), verdict(ACCEPT)).text).toBe('tcp option maxseg missing accept');
    expect(render(IP, {}, exthdr(2, 2, 2, 0, [1, 1]), cmp(EQ, bytes(0x05, 0x78)), verdict(ACCEPT)).text).toBe('tcp option maxseg size 1400 accept');
    expect(render(IP, {}, imm(1, bytes(0x05, 0x50)), exthdr(2, 2, 2, 0, [7, 1])).text).toBe('tcp option maxseg size set 1360');
    // sack-perm's only field is its length; a load at offset 2 is none of nft's fields.
    expect(render(IP, {}, exthdr(4, 0, 1, 1, [1, 1]), cmp(EQ, bytes(1)), verdict(ACCEPT)).text).toBe('tcp option sack-perm exists accept');
    expect(render(IP, {}, exthdr(4, 2, 1, 0, [1, 1]), cmp(EQ, bytes(1)), verdict(ACCEPT)).text).toMatch(/^# \[unknown expression exthdr dreg=1 type=4 offset=2 /);
  });

  const ext = (op: number, type: number, offset: number, len: number, present = false) =>
    expr('exthdr', u32(1, 1), u8(2, type), u32(3, offset), u32(4, len), u32(5, present ? 1 : 0), u32(6, op));
  const TCPOPT = 1, IPV4 = 2, IPV6 = 0;

  it('names TCP options as nft does: sack blocks, kinds it has no name for, the mptcp subtype bits', () => {
    expect(render(IP, {}, ext(TCPOPT, 5, 2, 4), cmp(EQ, be32(1))).text).toBe('tcp option sack left 1');
    expect(render(IP, {}, ext(TCPOPT, 5, 14, 4), cmp(EQ, be32(2)), verdict(DROP)).text).toBe('tcp option sack1 right 2 drop');
    expect(render(IP, {}, ext(TCPOPT, 5, 30, 4), cmp(EQ, be32(9))).text).toBe('tcp option sack3 right 9');
    expect(render(IP, {}, ext(TCPOPT, 253, 0, 1, true), cmp(EQ, bytes(1))).text).toBe('tcp option 253 exists');
    expect(render(IP, {}, ext(TCPOPT, 1, 0, 1, true), cmp(EQ, bytes(0))).text).toBe('tcp option nop missing');
    expect(render(IP, {}, ext(TCPOPT, 30, 2, 1), bitwise(bytes(0xf0)), cmp(EQ, bytes(0x10))).text).toBe('tcp option mptcp subtype 1');
    // A kind nft has no name for has no fields either.
    expect(render(IP, {}, ext(TCPOPT, 253, 1, 1), cmp(EQ, bytes(4))).complete).toBe(false);
    // The subtype bits without their mask, or under another mask, are not a field nft prints.
    expect(render(IP, {}, ext(TCPOPT, 30, 2, 1), cmp(EQ, bytes(0x10))).text).toMatch(/^# \[unknown expression cmp /);
    expect(render(IP, {}, ext(TCPOPT, 30, 2, 1), bitwise(bytes(0x0f)), cmp(EQ, bytes(1))).text).toMatch(/^# \[unknown expression bitwise /);
    // A value with bits outside the field's mask can never match: not printed as if it could.
    expect(render(IP, {}, ext(TCPOPT, 30, 2, 1), bitwise(bytes(0xf0)), cmp(EQ, bytes(0x11))).complete).toBe(false);
    // A bit-field load nothing reads is reported as such.
    expect(render(IP, {}, ext(TCPOPT, 30, 2, 1)).text).toBe('# [unknown load into reg 1 never used: tcp option mptcp subtype]');
    // IPv4 and IPv6 headers cannot be written: a store is not rendered.
    const store = (op: number, type: number) => expr('exthdr', u8(2, type), u32(3, 2), u32(4, 1), u32(6, op), u32(7, 1));
    expect(render(IP, {}, expr('immediate', u32(1, 1), value(2, bytes(4))), store(IPV4, 7)).complete).toBe(false);
  });

  it('reads IPv4 options and IPv6 extension headers, hiding an inet table\'s nfproto match', () => {
    expect(render(IP, {}, ext(IPV4, 7, 0, 1, true), cmp(EQ, bytes(1)), verdict(ACCEPT)).text).toBe('ip option rr exists accept');
    expect(render(IP, {}, ext(IPV4, 137, 2, 1), cmp(EQ, bytes(3))).text).toBe('ip option ssrr ptr 3');
    expect(render(IP, {}, ext(IPV4, 148, 2, 2), cmp(NEQ, bytes(0, 0))).text).toBe('ip option ra value != 0');
    expect(render(INET, {}, meta(NFPROTO), cmp(EQ, bytes(2)), ext(IPV4, 131, 0, 1), cmp(EQ, bytes(131))).text).toBe('ip option lsrr type 131');
    // An option type nft does not name is not guessed.
    expect(render(IP, {}, ext(IPV4, 68, 0, 1, true), cmp(EQ, bytes(1))).complete).toBe(false);

    expect(render(IP6, {}, ext(IPV6, 44, 0, 1, true), cmp(EQ, bytes(1)), verdict(DROP)).text).toBe('exthdr frag exists drop');
    expect(render(INET, {}, meta(NFPROTO), cmp(EQ, bytes(10)), ext(IPV6, 44, 0, 1, true), cmp(EQ, bytes(0))).text).toBe('exthdr frag missing');
    expect(render(IP6, {}, ext(IPV6, 44, 3, 1), bitwise(bytes(0x01)), cmp(EQ, bytes(0x01))).text).toBe('frag more-fragments 1');
    expect(render(IP6, {}, ext(IPV6, 44, 3, 1), bitwise(bytes(0x06)), cmp(EQ, bytes(0x02))).text).toBe('frag reserved2 1');
    expect(render(IP6, {}, ext(IPV6, 44, 2, 2), bitwise(bytes(0xff, 0xf8)), cmp(EQ, bytes(0x00, 0x50))).text).toBe('frag frag-off 10');
    expect(render(IP6, {}, ext(IPV6, 44, 4, 4), cmp(EQ, be32(5))).text).toBe('frag id 5');
    expect(render(IP6, {}, ext(IPV6, 0, 0, 1), cmp(EQ, TCP)).text).toBe('hbh nexthdr tcp');
    expect(render(IP6, {}, ext(IPV6, 43, 2, 1), cmp(EQ, bytes(0))).text).toBe('rt type 0');
    expect(render(IP6, {}, ext(IPV6, 43, 6, 2), cmp(EQ, bytes(0, 2))).text).toBe('srh tag 2');
    const one = new Uint8Array(16);
    one[15] = 1;
    expect(render(IP6, {}, ext(IPV6, 43, 24, 16), cmp(EQ, one)).text).toBe('srh sid[2] ::1');
    expect(render(IP6, {}, ext(IPV6, 135, 2, 1), cmp(EQ, bytes(5))).text).toBe('mh type binding-update');
    expect(render(IP6, {}, ext(IPV6, 135, 2, 1), cmp(EQ, bytes(200))).text).toBe('mh type 200');
    // A header nft does not read (ESP, 50) is marked.
    expect(render(IP6, {}, ext(IPV6, 50, 0, 1, true), cmp(EQ, bytes(1))).text).toMatch(/^# \[unknown expression exthdr dreg=1 type=50 /);
    // SCTP chunks (op 3) are not read yet.
    expect(render(IP, {}, ext(3, 1, 0, 1, true), cmp(EQ, bytes(1))).complete).toBe(false);
  });

  it('reads connlimit as ct count, inverted as over', () => {
    const connlimit = (count: number, flags: number) => expr('connlimit', u32(1, count), u32(2, flags));
    expect(render(INET, {}, connlimit(5, 0), verdict(ACCEPT)).text).toBe('ct count 5 accept');
    expect(render(INET, {}, connlimit(10, 1), verdict(DROP)).text).toBe('ct count over 10 drop');
    expect(render(INET, {}, connlimit(10, 2), verdict(DROP)).text).toMatch(/^# \[unknown expression connlimit count=10 flags=2\] drop$/);
  });

  it('reads socket keys; a cgroupv2 level is not rendered', () => {
    const socket = (key: number, level?: number) => expr('socket', u32(1, key), u32(2, 1), ...(level === undefined ? [] : [u32(3, level)]));
    expect(render(INET, {}, socket(0), cmp(EQ, bytes(1)), verdict(ACCEPT)).text).toBe('socket transparent 1 accept');
    expect(render(INET, {}, socket(1), cmp(EQ, host32(5)), verdict(ACCEPT)).text).toBe('socket mark 0x00000005 accept');
    expect(render(INET, {}, socket(2), cmp(EQ, bytes(0)), verdict(DROP)).text).toBe('socket wildcard 0 drop');
    expect(render(INET, {}, socket(3, 1), cmp(EQ, new Uint8Array(8))).text).toMatch(/^# \[unknown expression socket key=cgroupv2 dreg=1 level=1\]/);
  });

  it('reads osf: name or version, the ttl mode, lookups of genres', () => {
    const osf = (ttl?: number, flags?: number) => expr('osf', u32(1, 1), ...(ttl === undefined ? [] : [nla(2, bytes(ttl))]), ...(flags === undefined ? [] : [u32(3, flags)]));
    const genre = (text: string) => { const b = new Uint8Array(16); b.set(str(text)); return b; };
    expect(render(INET, {}, osf(0, 0), cmp(EQ, genre('Linux'))).text).toBe('osf name "Linux"');
    expect(render(INET, {}, osf(1, 0), cmp(EQ, genre('Linux')), verdict(DROP)).text).toBe('osf ttl loose name "Linux" drop');
    expect(render(INET, {}, osf(2, 1), cmp(EQ, genre('Linux:3.0'))).text).toBe('osf ttl skip version "Linux:3.0"');
    const sets = new Map([['__set0', { name: '__set0', elements: ['"Linux"', '"Windows"'], keyLength: 16 }]]);
    expect(render(INET, { sets }, osf(), lookup('__set0'), verdict(ACCEPT)).text).toBe('osf name { "Linux", "Windows" } accept');
    // A ttl mode or flag nft has no word for is not rendered.
    expect(render(INET, {}, osf(3, 0), cmp(EQ, genre('Linux'))).complete).toBe(false);
    expect(render(INET, {}, osf(0, 2), cmp(EQ, genre('Linux'))).complete).toBe(false);
  });

  it('prints tproxy with its family only in inet tables, IPv6 addresses in brackets', () => {
    const tproxy = (family: number | undefined, addr?: number, port?: number) =>
      expr('tproxy', ...(family === undefined ? [] : [u32(1, family)]), ...(addr ? [u32(2, addr)] : []), ...(port ? [u32(3, port)] : []));
    const v6 = new Uint8Array(16);
    v6[15] = 1;
    const l4 = [meta(L4PROTO), cmp(EQ, TCP)];
    expect(render(IP, {}, ...l4, imm(1, bytes(0x1f, 0x90, 0, 0)), tproxy(IP, undefined, 1)).text).toBe('meta l4proto tcp tproxy to :8080');
    expect(render(IP, {}, ...l4, imm(1, bytes(127, 0, 0, 1)), imm(2, bytes(0x1f, 0x90)), tproxy(IP, 1, 2)).text)
      .toBe('meta l4proto tcp tproxy to 127.0.0.1:8080');
    expect(render(IP6, {}, ...l4, imm(1, v6), tproxy(IP6, 1)).text).toBe('meta l4proto tcp tproxy to [::1]');
    expect(render(INET, {}, ...l4, imm(1, v6), imm(2, bytes(0, 53)), tproxy(IP6, 1, 2)).text).toBe('meta l4proto tcp tproxy ip6 to [::1]:53');
    expect(render(INET, {}, ...l4, imm(1, bytes(0x1f, 0x90)), tproxy(0, undefined, 1)).text).toBe('meta l4proto tcp tproxy to :8080');
    expect(render(INET, {}, ...l4, imm(1, bytes(0x1f, 0x91)), tproxy(IP, undefined, 1), verdict(ACCEPT)).text).toBe('meta l4proto tcp tproxy ip to :8081 accept');
    // An address without a family, a register no immediate filled, nothing to redirect to: not rendered.
    expect(render(INET, {}, imm(1, bytes(127, 0, 0, 1)), tproxy(0, 1)).complete).toBe(false);
    expect(render(IP, {}, payload(NH, 12, 4), tproxy(IP, 1)).complete).toBe(false);
    expect(render(IP, {}, tproxy(IP)).complete).toBe(false);
    expect(render(IP, {}, imm(1, bytes(127, 0)), tproxy(IP, 1)).complete).toBe(false);
  });

  it('names the objects a rule uses, and interfaces when the caller can resolve them', () => {
    const objref = (type: number, name: string) => expr('objref', u32(1, type), nla(2, str(name)));
    expect(render(IP, {}, objref(1, 'c1')).text).toBe('counter name "c1"');
    expect(render(INET, {}, meta(L4PROTO), cmp(EQ, TCP), payload(TH, 2, 2), cmp(EQ, bytes(0, 21)), objref(3, 'ftp-standard')).text)
      .toBe('tcp dport 21 ct helper set "ftp-standard"');
    expect(render(INET, {}, objref(7, 'tmo')).text).toBe('ct timeout set "tmo"');
    expect(render(INET, {}, objref(9, 'ex')).text).toBe('ct expectation set "ex"');
    // A synproxy object (10) is not rendered.
    expect(render(INET, {}, objref(10, 'sp')).text).toMatch(/^# \[unknown expression objref /);
    expect(render(IP, {}, objref(2, 'q1'), verdict(DROP)).text).toBe('quota name "q1" drop');
    expect(render(IP, {}, objref(4, 'l1')).complete).toBe(false);
    const iif = (n: number) => [meta(4), cmp(EQ, Uint8Array.from(new Uint8Array(new Uint32Array([n]).buffer))), verdict(ACCEPT)];
    const ifname = (i: number) => (i === 1 ? 'lo' : undefined);
    expect(render(IP, { ifname }, ...iif(1)).text).toBe('iif "lo" accept');
    expect(render(IP, { ifname }, ...iif(77)).text).toBe('iif 77 accept');
  });

  it('renders map and concatenated elements, sorted as nft sorts them', () => {
    const key = (...b: number[]) => ({ value: Uint8Array.from(b) });
    expect(concatTypes((7 << 6) | 13)).toEqual([7, 13]);
    expect(keyTypeName((7 << 6) | 13)).toBe('ipv4_addr . inet_service');
    expect(keyTypeName((4 << 6) | 13)).toBeUndefined(); // an integer has no fixed size to split at
    // Components padded to 4 bytes; sorted by the unpadded bytes read as one host-order number (the port decides here).
    const cc = [{ key: key(10, 0, 0, 1, 0, 80, 0, 0) }, { key: key(10, 0, 0, 2, 0, 22, 0, 0) }];
    expect(renderElements(cc, (7 << 6) | 13, false)).toEqual(['10.0.0.2 . 22', '10.0.0.1 . 80']);
    expect(() => renderElements([{ key: key(10, 0, 0, 1, 0) }], (7 << 6) | 13, false)).toThrow(TruncatedError);
    expect(() => renderElements([{ key: key(10, 0, 0, 1, 0, 22) }], (7 << 6) | 13, false)).toThrow(MalformedError);
    const vm = [{ key: key(10, 0, 0, 2), data: { verdict: { code: DROP } } }, { key: key(10, 0, 0, 1), data: { verdict: { code: JUMP, chain: 'x' } } }];
    expect(renderElements(vm, 7, false, undefined, VERDICT_DATATYPE)).toEqual(['10.0.0.1 : jump x', '10.0.0.2 : drop']);
    expect(renderSet({ name: 'mk', keyType: 7, flags: ['map'], dataType: 19, elements: [{ key: key(10, 0, 0, 1), data: { value: bytes(1, 0, 0, 0) } }] }))
      .toEqual(['\tmap mk {', '\t\ttype ipv4_addr : mark', '\t\telements = { 10.0.0.1 : 0x00000001 }', '\t}']);
    // A map element without its data is an error, not an element printed without it.
    expect(() => renderElements([{ key: key(10, 0, 0, 1) }], 7, false, undefined, 19)).toThrow(MalformedError);
  });
});

describe('renderObject', () => {
  it('prints named counters and quotas, and marks other objects', () => {
    expect(renderObject({ name: 'c', type: 'counter', data: { bytes: 300n, packets: 5n } })).toEqual(['\tcounter c {', '\t\tpackets 5 bytes 300', '\t}']);
    expect(renderObject({ name: 'q', type: 'quota', data: { bytes: 10485760n, flags: 'invert', consumed: 1024n } }))
      .toEqual(['\tquota q {', '\t\tover 10 mbytes used 1 kbytes', '\t}']);
    expect(renderObject({ name: 'h', type: 'ct-helper', data: bytes(1, 2) })).toEqual(['\t# ct-helper h not rendered: [unknown object]']);
  });

  /** A NEWOBJ message as the kernel dumps it, decoded by the schema: what listObjects gives renderObject. */
  const decodedObject = (type: number, ...data: Uint8Array[]) => {
    const attrs = cat(nla(1, str('t')), nla(2, str('o')), u32(3, type), nest(4, ...data));
    const msg = new Uint8Array(20 + attrs.length);
    const view = new DataView(msg.buffer);
    view.setUint32(0, msg.length, true);
    view.setUint16(4, (10 << 8) | 18, true);
    msg.set(nfgenmsg(1), 16);
    msg.set(attrs, 20);
    const a = decodeBatchMessage(codec.scan(msg), 0, defaultRegistry().family('nftables').message('newobj', 'reply'), undefined, codec).attributes;
    return { name: String(a.name), type: a.type as string, data: a.data };
  };
  const be16 = (n: number) => bytes(n >> 8, n & 0xff);

  it('prints ct helper and ct expectation objects; the expectation timeout is in host order', () => {
    expect(renderObject(decodedObject(3, nla(1, str('ftp')), nla(2, be16(1)), nla(3, TCP))))
      .toEqual(['\tct helper o {', '\t\ttype "ftp" protocol tcp', '\t\tl3proto inet', '\t}']);
    expect(renderObject(decodedObject(9, nla(1, be16(10)), nla(2, bytes(17)), nla(3, be16(5060)), nla(4, host32(7_230_000)), nla(5, bytes(3)))))
      .toEqual(['\tct expectation o {', '\t\tprotocol udp', '\t\tdport 5060', '\t\ttimeout 2h30s', '\t\tsize 3', '\t\tl3proto ip6', '\t}']);
    // A family nft has no l3proto name for, a missing field, or an attribute the spec does not name: a marker.
    expect(renderObject(decodedObject(3, nla(1, str('ftp')), nla(2, be16(7)), nla(3, TCP)))[0]).toMatch(/^\t# ct-helper o not rendered: \[unknown object name=ftp l3proto=7 /);
    expect(renderObject(decodedObject(9, nla(1, be16(2)), nla(2, TCP), nla(3, be16(21)), nla(5, bytes(3))))[0]).toMatch(/^\t# ct-expect o not rendered/);
    expect(renderObject(decodedObject(3, nla(1, str('ftp')), nla(2, be16(2)), nla(3, TCP), nla(9, bytes(1))))[0]).toMatch(/^\t# ct-helper o not rendered: .* 9=0x01\]$/);
    // ct timeout's policy is not read yet.
    expect(renderObject(decodedObject(7, nla(1, be16(2))))[0]).toMatch(/^\t# ct-timeout o not rendered/);
  });
});

describe('sets', () => {
  const key = (...b: number[]) => ({ value: Uint8Array.from(b) });

  it('prints string keys (osf genres) quoted, in nft\'s order', () => {
    const genre = (text: string) => { const b = new Uint8Array(16); b.set(Array.from(text, (c) => c.charCodeAt(0))); return { value: b }; };
    expect(renderElements([{ key: genre('Windows') }, { key: genre('Linux') }], 5, false)).toEqual(['"Linux"', '"Windows"']);
    expect(keyTypeName(5)).toBe('string');
  });

  it('rebuilds intervals from start and end elements, addresses as prefixes', () => {
    // As the kernel dumps `{ 1000-2000, 3000 }`: ends one past the last value, a zero sentinel.
    const ports = [{ key: key(0x0b, 0xb9), flags: 1 }, { key: key(0x0b, 0xb8), flags: 0 }, { key: key(0x07, 0xd1), flags: 1 }, { key: key(0x03, 0xe8), flags: 0 }, { key: key(0, 0), flags: 1 }];
    expect(renderElements(ports, 13, true)).toEqual(['1000-2000', '3000']);
    const nets = [{ key: key(11, 0, 0, 0), flags: 1 }, { key: key(10, 0, 0, 0), flags: 0 }];
    expect(renderElements(nets, 7, true)).toEqual(['10.0.0.0/8']);
    // Start and inclusive end in one element.
    expect(renderElements([{ key: key(10, 0, 0, 0), keyEnd: key(10, 0, 0, 2) }], 7, true)).toEqual(['10.0.0.0-10.0.0.2']);
  });

  it('sorts by value, host-order keys from their last byte', () => {
    const ifs = [{ key: { value: cat(str('lo'), new Uint8Array(13)) } }, { key: { value: cat(str('eth0'), new Uint8Array(11)) } }];
    expect(renderElements(ifs, 41, false)).toEqual(['"lo"', '"eth0"']);
    expect(renderElements([{ key: key(10, 0, 0, 2) }, { key: key(10, 0, 0, 1) }], 7, false)).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('lays a set block out as nft does, and says when it cannot', () => {
    const elements = [1, 2, 3, 4, 5, 6].map((n) => ({ key: key(0, n) }));
    expect(renderSet({ name: 'p', keyType: 13, flags: [], elements })).toEqual([
      '\tset p {', '\t\ttype inet_service', '\t\telements = { 1, 2, 3, 4, 5,\n\t\t\t     6 }', '\t}',
    ]);
    // A map without its data type, and an object map, are not guessed.
    expect(renderSet({ name: 'm', keyType: 7, flags: ['map'], elements: [] })).toEqual(['\t# map m not rendered: key type 7, data type none, flags map']);
    expect(renderSet({ name: 'o', keyType: 7, flags: ['map', 'object'], dataType: 19, elements: [] })).toEqual(['\t# map o not rendered: key type 7, data type 19, flags map,object']);
    expect(() => renderElements([], 99, false)).toThrow(MalformedError);
  });
});

describe('set options and nft userdata', () => {
  const key = (...b: number[]) => ({ value: Uint8Array.from(b) });
  // libnftnl udata: u8 type, u8 length, value.
  const udata = (...entries: Array<[number, Uint8Array]>) => cat(...entries.map(([t, v]) => cat(bytes(t, v.length), v)));

  it('prints the declaration lines nft prints, in its order', () => {
    const userdata = udata([0, bytes(2, 0, 0, 0)], [2, bytes(1, 0, 0, 0)], [7, str('c1')]);
    const counter = { name: 'counter', data: { bytes: 0, packets: 0 } };
    expect(renderSet({
      name: 's', keyType: 7, flags: ['interval', 'timeout'], policy: 1, size: 100, timeout: 3_600_000, gcInterval: 30_000, userdata,
      expressions: [counter], elements: [{ key: key(1, 2, 3, 4), timeout: 60_000, expiration: 59_996 }, { key: key(1, 2, 3, 5), flags: 1 }],
    })).toEqual([
      '\tset s {', '\t\ttype ipv4_addr', '\t\tpolicy memory', '\t\tsize 100', '\t\tflags interval', '\t\tauto-merge', '\t\ttimeout 1h',
      '\t\tgc-interval 30s', '\t\tcomment "c1"', '\t\tcounter', '\t\telements = { 1.2.3.4 timeout 1m expires 59s996ms }', '\t}',
    ]);
  });

  it('omits an element timeout equal to the set default and prints element counters', () => {
    const elementCounter = decoded(IP, counter(3n, 300n))[0];
    expect(renderElements([{ key: key(1, 1, 1, 1), timeout: 120_000, expiration: 5_000, expressions: [elementCounter] }], 7, false, 120_000))
      .toEqual(['1.1.1.1 expires 5s counter packets 3 bytes 300']);
  });

  it('reads userdata and its comments, and rejects entries that run past the end', () => {
    expect(userdataComment(udata([0, str('a rule')]), 0)).toBe('a rule');
    expect(userdataComment(udata([1, bytes(1)]), 0)).toBeUndefined();
    expect(() => parseUserdata(bytes(0, 5, 1, 2))).toThrow(TruncatedError);
    expect(() => parseUserdata(bytes(0))).toThrow(TruncatedError);
  });

  it('formats durations as nft does', () => {
    expect(formatDuration(3_600_000n)).toBe('1h');
    expect(formatDuration(93_784_005n)).toBe('1d2h3m4s5ms');
    expect(formatDuration(0n)).toBe('0s');
  });
});

describe('parseTlv', () => {
  it('reads attributes and rejects lengths that do not fit', () => {
    const m = parseTlv(cat(u32(1, 5), nla(2, str('x'))));
    expect([...m.keys()]).toEqual([1, 2]);
    expect(() => parseTlv(bytes(8, 0, 1, 0, 0))).toThrow(TruncatedError);
    expect(() => parseTlv(bytes(2, 0, 1, 0))).toThrow(MalformedError);
  });
});

describe('formatRuleset', () => {
  it('prints table flags, named objects and a netdev chain\'s devices', () => {
    const r: Ruleset = {
      tables: [{ family: 'netdev', name: 'n', handle: 1, flags: ['dormant'], use: 1, attributes: {} }],
      chains: [
        { family: 'netdev', table: 'n', name: 'a', handle: 2, type: 'filter', hook: 'ingress', priority: 0, policy: 'accept', devices: ['lo'], attributes: {} },
        { family: 'netdev', table: 'n', name: 'b', handle: 3, type: 'filter', hook: 'ingress', priority: 0, policy: 'accept', devices: ['v0', 'v1'], attributes: {} },
      ],
      sets: [],
      rules: [],
      objects: [{ family: 'netdev', table: 'n', name: 'c', handle: 4, type: 'counter', data: { bytes: 0n, packets: 0n }, attributes: {} }],
    };
    expect(formatRuleset(r, 'ruleset').split('\n')).toEqual([
      'table netdev n {', '\tflags dormant', '', '\tcounter c {', '\t\tpackets 0 bytes 0', '\t}', '',
      '\tchain a {', '\t\ttype filter hook ingress device "lo" priority 0; policy accept;', '\t}', '',
      '\tchain b {', '\t\ttype filter hook ingress devices = { v0, v1 } priority 0; policy accept;', '\t}', '}', '',
    ]);
    r.tables[0]!.flags = ['dormant', 'owner'];
    expect(formatRuleset(r, 'ruleset').split('\n')[1]).toBe('\t# [unknown table flags dormant,owner]');
  });

  it('lays out a table as nft list ruleset does, keeping what it cannot read', () => {
    const rule = (handle: number, userdata?: Uint8Array) => ({
      family: 'ip' as const, table: 't', chain: 'c', handle, expressions: ['immediate'],
      attributes: { expressions: { elem: decoded(IP, verdict(ACCEPT)) }, ...(userdata ? { userdata } : {}) },
    });
    const r: Ruleset = {
      tables: [{ family: 'ip', name: 't', handle: 1, flags: [], use: 2, attributes: { userdata: cat(bytes(0, 4), str('tbl')) } }],
      chains: [{ family: 'ip', table: 't', name: 'c', handle: 2, attributes: {} }],
      sets: [{ family: 'ip', table: 't', name: 'p', handle: 3, flags: [], keyLength: 4, keyType: 7, attributes: {} }],
      // A good comment, and userdata whose entry claims more bytes than it has.
      rules: [rule(4, cat(bytes(0, 3), str('ok'))), rule(5, bytes(0, 9, 1))],
      elements: new Map(),
    };
    r.elements!.set(r.sets[0]!, [{ key: { value: bytes(10, 0, 0, 1) }, flags: 0, attributes: {} }]);
    expect(formatRuleset(r, 'ruleset').split('\n')).toEqual([
      'table ip t {', '\tcomment "tbl"', '\tset p {', '\t\ttype ipv4_addr', '\t\telements = { 10.0.0.1 }', '\t}', '',
      '\tchain c {', '\t\taccept comment "ok"',
      '\t\t# accept [unknown userdata 0x000901: userdata entry of 9 bytes runs past the 3 bytes (at byte 0)]', '\t}', '}', '',
    ]);
  });

  it('marks a flowtable it does not render instead of leaving it out', () => {
    const r: Ruleset = {
      tables: [{ family: 'inet', name: 't', handle: 1, flags: [], use: 1, attributes: {} }],
      chains: [], sets: [], rules: [],
      flowtables: [{ family: 'inet', table: 't', name: 'ft', handle: 2, hook: 'ingress', priority: 0, devices: ['eth0', 'eth1'], attributes: {} }],
    };
    expect(formatRuleset(r, 'ruleset').split('\n')).toEqual([
      'table inet t {', '\t# [flowtable ft not rendered: hook ingress priority 0 devices eth0, eth1]', '}', '',
    ]);
  });
});
