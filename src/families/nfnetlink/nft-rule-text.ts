// nft's text for rules, from their decoded netlink attributes (sets, maps and
// objects: nft-set-text.ts, nft-object-text.ts; values: nft-values.ts; field
// names: nft-fields.ts).
//
// A rule reaches the kernel as a small register program; nft prints it back
// by reading that program the way it was written:
//
//   [ meta load l4proto => reg 1 ]            ─┐ dependency: hidden, because
//   [ cmp eq reg 1 0x06 ]                      ─┘ the next match implies it
//   [ payload load 2b @ transport + 2 => reg 1 ] ─┐
//   [ cmp eq reg 1 0x0016 ]                      ─┴► "tcp dport 22"
//   [ counter pkts 0 bytes 0 ]                    ─► "counter packets 0 bytes 0"
//   [ immediate reg 0 accept ]                    ─► "accept"
//
// A load (payload, meta, ct, exthdr, socket, osf, immediate) puts a symbolic value in a
// register; bitwise refines it; cmp, range, lookup and dynset consume it into
// a statement. Loads in consecutive registers make a concatenation
// (`ip saddr . tcp dport`); a lookup with a destination register is a map
// (`vmap` for verdicts, `map` for a value a later store uses). Attributes are
// read by the spec's names, as the schema decoded them. A
// match that sets the protocol context (meta nfproto, meta l4proto,
// ip protocol, ip6 nexthdr) is remembered as a dependency and dropped when a
// later payload match of the layer it selected consumes it, as nft does.
//
// Nothing is guessed: an expression this module does not know, or a load
// nothing consumed, becomes a `[unknown expression NAME ...]` marker in its
// place, and the whole rule is printed commented out (`# ...`) so that the
// text never reads as a different rule. Chains use numeric priorities, like
// `nft -y list ruleset`.

import { MalformedError, TruncatedError } from '../../codec/errors.js';
import { defaultRegistry } from '../../schema/default-registry.js';
import type { AttributeSetSchema } from '../../schema/compile.js';
import {
  bitFieldText, byteRate, dataFromObject, describeObject, equalBytes, formatDuration, formatValue, hex, intOf, readBe, verdictText, type NftData, type ValueType,
} from './nft-values.js';
import { nfFamilyName } from './nfgenmsg.js';
import { unnameValue } from '../../schema/values.js';
import { CT_KEYS, HEADERS, IP_OPTIONS, IPV6_EXTHDRS, L4_HEADERS, META_KEYS, TCP_OPTIONS } from './nft-fields.js';

// ─── expression attributes, by the spec's names ──────────────────────────────

/**
 * One expression's attributes as the schema decoded them: an object keyed by
 * the spec's camelCase names (`dreg`, `fromData`, `regProtoMin`), whose enum
 * values arrive as names and are read back as the kernel's numbers here.
 */
class ExprFields {
  constructor(readonly name: string, private readonly obj: Record<string, unknown>, private readonly format: AttributeSetSchema | undefined) {}

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  /** An integer attribute (nftables writes them all big-endian; the schema has read them). */
  int(key: string): number | undefined {
    const v = this.bigint(key);
    return v === undefined ? undefined : Number(v);
  }

  bigint(key: string): bigint | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (typeof v === 'number' || typeof v === 'bigint') return BigInt(v);
    const a = this.format?.byKey.get(key);
    // Names back to the kernel's numbers: the schema's own inverse of its naming.
    return BigInt(unnameValue(a?.enum, a?.asFlags ?? false, v, `${this.name}.${key}`));
  }

  str(key: string): string | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    throw new MalformedError(`${this.name}: attribute ${key} is not a string`, 0);
  }

  /** A NFTA_DATA_* nest: a value, or a verdict with its chain. */
  data(key: string): NftData | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (!v || typeof v !== 'object' || v instanceof Uint8Array) throw new MalformedError(`${this.name}: attribute ${key} is not a data nest`, 0);
    return dataFromObject(v as Record<string, unknown>);
  }

  /** A nested expression (dynset's NFTA_DYNSET_EXPR), as the schema decoded it. */
  raw(key: string): unknown {
    return this.obj[key];
  }

  /** The attributes as text, for the marker of an expression not rendered. */
  describe(): string {
    return describeObject(this.obj);
  }
}

/** Attributes of a nest's payload by type (nested/byte-order bits cleared); bounds-checked. For expressions the spec has no format for. */
export function parseTlv(bytes: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let at = 0;
  while (at + 4 <= bytes.length) {
    const len = bytes[at]! | (bytes[at + 1]! << 8);
    const type = (bytes[at + 2]! | (bytes[at + 3]! << 8)) & 0x3fff;
    if (len < 4) throw new MalformedError(`attribute length ${len} is shorter than its header`, at);
    if (at + len > bytes.length) throw new TruncatedError(`attribute of ${len} bytes runs past the ${bytes.length} bytes of its nest`, at);
    out.set(type, bytes.subarray(at + 4, at + len));
    at += (len + 3) & ~3;
  }
  if (at < bytes.length && bytes.length - at < 4) throw new TruncatedError(`${bytes.length - at} stray bytes after the last attribute`, at);
  return out;
}

/** An expression's undecoded attributes by kernel number, for its marker: ` 1=0x00000007 2=0x...`. */
function describeRaw(data: unknown): string {
  if (data instanceof Uint8Array) return [...parseTlv(data)].map(([t, b]) => ` ${t}=0x${hex(b)}`).join('');
  return data && typeof data === 'object' ? ` ${describeObject(data as Record<string, unknown>)}` : '';
}

// ─── what a register can hold ────────────────────────────────────────────────

interface Field {
  /** How nft names it: 'tcp dport', 'meta mark', 'iifname', 'ct state'. */
  name: string;
  type: ValueType;
  /** Field size in bytes (payload fields; for prefixes). */
  size?: number;
  /** A bit-mask type: `& mask != 0` reads as a list of flags. */
  flags?: boolean;
  /** Which protocol context a match of this field selects, if any. */
  sets?: 'l2' | 'l3' | 'l4';
  /** Which layer a payload field reads (its dependency is then consumed). */
  layer?: 'l2' | 'l3' | 'l4';
  /** A bit field: its mask over the loaded bytes, and the shift that makes its value. */
  bits?: { mask: number; shift: number };
}

type Load =
  | { kind: 'field'; field: Field; prefix?: number }
  | { kind: 'masked'; field: Field; mask: Uint8Array }
  | { kind: 'immediate'; value: Uint8Array }
  /** What a map lookup put in a register: `ip saddr map @m`. */
  | { kind: 'mapped'; text: string }
  /** Bytes that hold only bit fields (`frag more-fragments`): readable through a bitwise with one field's mask. */
  | { kind: 'bits'; fields: Field[] }
  /** Adjacent fields of one header read by one load (nft merges `udp sport 67 udp dport 68`). */
  | { kind: 'merged'; fields: Field[] };

/**
 * The registers of a rule. Rules name them two ways: NFT_REG_1..4 (1-4,
 * 16 bytes each) and NFT_REG32_00..15 (8-23, 4 bytes each) over the same
 * storage, so register 1 is register 8 and a concatenation's next field
 * follows at 9 (or further for a longer field):
 *
 *   NFT_REG_1 (1)            NFT_REG_2 (2)   ...
 *   ┌────┬────┬────┬────┐  ┌────┬────┬──
 *   │ 8  │ 9  │ 10 │ 11 │  │ 12 │ 13 │ ...
 *   └────┴────┴────┴────┘  └────┴────┴──
 *
 * Register 0 is the verdict. Loads are kept by their 32-bit slot, with the
 * number the rule used, for markers.
 */
class Registers {
  private readonly slots = new Map<number, { reg: number; load: Load }>();

  static slot(reg: number): number {
    if (reg === 0) return 0;
    if (reg >= 1 && reg <= 4) return 8 + (reg - 1) * 4;
    if (reg >= 8 && reg <= 23) return reg;
    throw new MalformedError(`register ${reg} does not exist`, 0);
  }

  get(reg: number): Load | undefined {
    return this.slots.get(Registers.slot(reg))?.load;
  }

  /** By slot, for walking a concatenation. */
  atSlot(slot: number): Load | undefined {
    return this.slots.get(slot)?.load;
  }

  set(reg: number, load: Load): void {
    this.slots.set(Registers.slot(reg), { reg, load });
  }

  delete(reg: number): void {
    this.slots.delete(Registers.slot(reg));
  }

  deleteSlot(slot: number): void {
    this.slots.delete(slot);
  }

  *entries(): IterableIterator<[number, Load]> {
    for (const { reg, load } of this.slots.values()) yield [reg, load];
  }
}

// ─── the renderer ────────────────────────────────────────────────────────────

/** A set's elements as text (renderElements), to print anonymous sets inline. */
export interface NftSetText {
  name: string;
  elements: string[];
  /** The key's length in bytes: how many registers a concatenated key spans. */
  keyLength?: number;
}

export interface RenderContext {
  /** The table's family: 'ip', 'ip6', 'inet', 'bridge', 'netdev', 'arp' (or its number). */
  family: string | number;
  /** The table's sets by name (anonymous ones are printed inline). */
  sets?: ReadonlyMap<string, NftSetText>;
  /** Interface names by index, for `iif "lo"` (nft resolves them when it lists); unresolved ones print as numbers. */
  ifname?: (index: number) => string | undefined;
}

export interface RuleText {
  /** The rule in nft's syntax; commented out (`# ...`) when not complete. */
  text: string;
  /** False when an expression could not be rendered (see `unknown`). */
  complete: boolean;
  /** Markers of what was not rendered, in order. */
  unknown: string[];
}

interface Statement {
  text: string;
  /** A protocol-context match that a later payload match may hide. */
  dependency?: 'l2' | 'l3' | 'l4';
  hidden?: boolean;
}

/** nft's names for the sets and maps it makes for a rule's `{ ... }`. */
const ANONYMOUS_SET = /^__(set|map)\d+$/;

/** Bytes a value of each type takes in a register, where the load does not say. */
const TYPE_SIZES: Partial<Record<ValueType, number>> = {
  ipv4: 4, ipv6: 16, ether: 6, ifname: 16, mark: 4, hostint: 4, ifindex: 4, proto: 1, nfproto: 1, ethertype: 2, ctstate: 4, ctstatus: 4, ctdir: 1, pkttype: 1,
};

const CMP_OPS = ['', '!= ', '< ', '<= ', '> ', '>= '];

let formats: Map<string, AttributeSetSchema | undefined> | null = null;

/** The spec's attribute set for an expression name, if it has one. */
function exprFormat(name: string): AttributeSetSchema | undefined {
  if (!formats) {
    formats = new Map();
    const ops = defaultRegistry().family('nftables').subMessages.get('expr-ops');
    for (const [k, f] of ops?.formats ?? []) formats.set(k, f.set);
  }
  return formats.get(name);
}

class RuleRenderer {
  private readonly family: string;
  private readonly regs = new Registers();
  private readonly out: Statement[] = [];
  readonly unknown: string[] = [];
  /** Protocol context: the network header's protocol, the transport's number. */
  private l3: string | undefined;
  private l4: number | undefined;
  private l2Dep = -1;
  private l3Dep = -1;
  /** An `ether type 8021q` match selected the 802.1Q header: vlan fields follow the Ethernet header. */
  private vlan = false;
  private l4Dep = -1;
  /** A `>=` comparison waiting for its `<=` on the same register: a range. */
  private pendingLow: { slot: number; value: Uint8Array; field: Field } | null = null;

  constructor(private readonly ctx: RenderContext) {
    this.family = String(typeof ctx.family === 'number' ? nfFamilyName(ctx.family) : ctx.family);
    if (this.family === 'ip') this.l3 = 'ip';
    if (this.family === 'ip6') this.l3 = 'ip6';
    if (this.family === 'arp') this.l3 = 'arp';
  }

  render(exprs: unknown[]): RuleText {
    for (const [i, e] of exprs.entries()) {
      const obj = (e ?? {}) as Record<string, unknown>;
      const name = String(obj.name ?? '?');
      // Bytes that contradict the format become a marker with the reason, never an exception.
      try {
        const format = exprFormat(name);
        // An expression the spec has no format for keeps its bytes: described by attribute number in its marker.
        if (obj.data instanceof Uint8Array || (obj.data !== undefined && !format)) {
          this.flushRange(undefined);
          this.mark(`expression ${name}${describeRaw(obj.data)}`);
          continue;
        }
        const data = (obj.data ?? {}) as Record<string, unknown>;
        // Attributes the spec does not name could change the meaning: not rendered.
        if (data.$unknown !== undefined) {
          this.flushRange(undefined);
          this.mark(`expression ${name}${describeRaw(data)}`);
          continue;
        }
        const f = new ExprFields(name, data, format);
        this.flushRange(name === 'cmp' ? f.int('sreg') : undefined);
        if (!this.expression(f)) this.mark(`expression ${name}${f.describe() ? ` ${f.describe()}` : ''}`);
      } catch (err) {
        this.mark(`expression ${i} ${name} (${(err as Error).message})`);
      }
    }
    this.flushRange(undefined);
    for (const [reg, load] of this.regs.entries()) {
      if (load.kind === 'field' || load.kind === 'masked') this.mark(`load into reg ${reg} never used: ${load.field.name}`);
      else if (load.kind === 'immediate') this.mark(`value in reg ${reg} never used: 0x${hex(load.value)}`);
      else if (load.kind === 'mapped') this.mark(`load into reg ${reg} never used: ${load.text}`);
      else if (load.kind === 'bits') this.mark(`load into reg ${reg} never used: ${load.fields.map((x) => x.name).join(' or ')}`);
      else if (load.kind === 'merged') this.mark(`load into reg ${reg} never used: ${load.fields.map((x) => x.name).join(' . ')}`);
    }
    const text = this.out.filter((s) => !s.hidden).map((s) => s.text).join(' ');
    const complete = this.unknown.length === 0;
    return { text: complete ? text : `# ${text}`, complete, unknown: this.unknown };
  }

  /** A value as nft prints it; interface indexes by name when the context resolves them. */
  private valueText(b: Uint8Array, type: ValueType): string {
    if (type === 'ifindex' && this.ctx.ifname) {
      const name = this.ctx.ifname(Number(intOf(b, true)));
      if (name !== undefined) return `"${name}"`;
    }
    return formatValue(b, type);
  }

  private mark(what: string): void {
    const m = `[unknown ${what}]`;
    this.unknown.push(m);
    this.out.push({ text: m });
  }

  private emit(text: string, dependency?: 'l2' | 'l3' | 'l4'): number {
    this.out.push(dependency ? { text, dependency } : { text });
    return this.out.length - 1;
  }

  /** One expression; false when it is not understood. */
  private expression(f: ExprFields): boolean {
    switch (f.name) {
      case 'payload': return this.payload(f);
      case 'meta': return this.meta(f);
      case 'ct': return this.ct(f);
      case 'bitwise': return this.bitwise(f);
      case 'cmp': return this.cmp(f);
      case 'range': return this.range(f);
      case 'lookup': return this.lookup(f);
      case 'immediate': return this.immediate(f);
      case 'counter': {
        this.emit(`counter packets ${f.bigint('packets') ?? 0n} bytes ${f.bigint('bytes') ?? 0n}`);
        return true;
      }
      case 'fib': return this.fib(f);
      case 'quota': {
        const bytes = f.bigint('bytes');
        if (bytes === undefined) return false;
        const used = f.bigint('consumed') ?? 0n;
        this.emit(`quota ${(f.int('flags') ?? 0) & 1 ? 'over ' : ''}${byteRate(bytes)}${used ? ` used ${byteRate(used)}` : ''}`);
        return true;
      }
      case 'notrack':
        this.emit('notrack');
        return true;
      case 'dup': return this.dupOrFwd(f, 'dup');
      case 'fwd': return this.dupOrFwd(f, 'fwd');
      case 'log': return this.log(f);
      case 'limit': return this.limit(f);
      case 'reject': return this.reject(f);
      case 'nat': return this.nat(f);
      case 'masq': return this.portRedirect(f, 'masquerade');
      case 'redir': return this.portRedirect(f, 'redirect');
      case 'dynset': return this.dynset(f);
      case 'exthdr': return this.exthdr(f);
      case 'tproxy': return this.tproxy(f);
      case 'socket': return this.socket(f);
      case 'osf': return this.osf(f);
      case 'connlimit': {
        // `ct count 5`, `ct count over 10`: NFT_CONNLIMIT_F_INV (1) is the only flag.
        const count = f.int('count');
        const flags = f.int('flags') ?? 0;
        if (count === undefined || (flags & ~1) !== 0) return false;
        this.emit(`ct count ${flags ? 'over ' : ''}${count}`);
        return true;
      }
      case 'objref': return this.objref(f);
      case 'numgen': return this.numgen(f);
      case 'hash': return this.hash(f);
      default: return false;
    }
  }

  private payload(f: ExprFields): boolean {
    const dreg = f.int('dreg');
    const base = f.int('base');
    const offset = f.int('offset');
    const len = f.int('len');
    if (dreg === undefined || base === undefined || offset === undefined || len === undefined || f.has('sreg')) return false;
    this.regs.set(dreg, this.payloadField(base, offset, len));
    return true;
  }

  private payloadField(base: number, offset: number, len: number): Load {
    const l2 = this.family === 'bridge' || this.family === 'netdev';
    const protos = base === 0 ? (l2 ? (this.vlan ? ['ether', 'vlan'] : ['ether']) : [])
      : base === 1 ? (this.l3 ? [this.l3] : [])
        : base === 2 ? (this.l4 === undefined || !L4_HEADERS[this.l4] ? [] : [L4_HEADERS[this.l4]!]) : [];
    const layer = base === 0 ? 'l2' : base === 1 ? 'l3' : base === 2 ? 'l4' : undefined;
    const fields = protos.flatMap((proto) => (HEADERS[proto] ?? []).map((f) => [proto, ...f] as const));
    // Bit fields share their bytes: the bitwise that follows picks one by its mask.
    // A vlan bit field stands for its `ether type 8021q` dependency, like a
    // network-layer field for its protocol match: it consumes it.
    const bitFields = fields.filter(([, , off, size, , bits]) => bits && off === offset && size === len);
    if (bitFields.length) {
      return {
        kind: 'bits',
        fields: bitFields.map(([proto, name, , size, type, bits]) => {
          const fieldLayer = proto === 'vlan' ? 'l3' : layer;
          return { name: `${proto} ${name}`, type, size, bits: bits!, ...(fieldLayer ? { layer: fieldLayer } : {}) };
        }),
      };
    }
    for (const [proto, name, off, size, type, bits] of fields) {
      if (bits) continue;
      const field: Field = { name: `${proto} ${name}`, type, size, ...(layer ? { layer } : {}), ...(type === 'tcpflags' ? { flags: true } : {}) };
      if (name === 'protocol' || name === 'nexthdr') field.sets = 'l4';
      if ((proto === 'ether' || proto === 'vlan') && name === 'type') field.sets = 'l3';
      if (off === offset && size === len) return { kind: 'field', field };
      // A shorter load at an address field's start is a prefix match on whole bytes.
      if (off === offset && len < size && (type === 'ipv4' || type === 'ipv6')) return { kind: 'field', field, prefix: len * 8 };
    }
    // Consecutive whole fields exactly covering the load: a merged match, split back by cmp.
    const merged: Field[] = [];
    for (let at = offset; at < offset + len;) {
      const next = fields.find(([, , off, size, , bits]) => !bits && off === at && at + size <= offset + len);
      if (!next) break;
      const [proto, name, , size, type] = next;
      merged.push({ name: `${proto} ${name}`, type, size, ...(layer ? { layer } : {}) });
      at += size;
      if (at === offset + len && merged.length > 1) return { kind: 'merged', fields: merged };
    }
    // nft's raw payload syntax: @base,offset bits,length bits.
    const raw = ['@ll', '@nh', '@th', '@ih'][base] ?? `@${base}`;
    return { kind: 'field', field: { name: `${raw},${offset * 8},${len * 8}`, type: len <= 4 ? 'int' : 'hex' } };
  }

  private meta(f: ExprFields): boolean {
    const key = f.int('key');
    if (key === undefined) return false;
    const known = META_KEYS[key];
    if (!known) return false;
    const [name, type, bare] = known;
    const field: Field = { name: bare ? name : `meta ${name}`, type };
    if (key === 15) field.sets = 'l3';
    if (key === 16) field.sets = 'l4';
    if (key === 1) field.sets = 'l3';
    // netdev tables: nft checks the device type before a link-layer match.
    if (key === 8) field.sets = 'l2';
    const dreg = f.int('dreg');
    const sreg = f.int('sreg');
    if (dreg !== undefined) {
      this.regs.set(dreg, { kind: 'field', field });
      return true;
    }
    if (sreg !== undefined) return this.setStatement(field, sreg);
    return false;
  }

  private ct(f: ExprFields): boolean {
    const key = f.int('key');
    if (key === undefined) return false;
    const known = CT_KEYS[key];
    if (!known) return false;
    const dir = f.int('direction');
    const field: Field = { name: dir === undefined ? `ct ${known[0]}` : `ct ${dir === 0 ? 'original' : 'reply'} ${known[0]}`, type: known[1] };
    if (key === 0 || key === 2) field.flags = true;
    const dreg = f.int('dreg');
    const sreg = f.int('sreg');
    if (dreg !== undefined) {
      this.regs.set(dreg, { kind: 'field', field });
      return true;
    }
    if (sreg !== undefined) return this.setStatement(field, sreg);
    return false;
  }

  private fib(f: ExprFields): boolean {
    const dreg = f.int('dreg');
    const result = f.int('result');
    const flags = f.int('flags') ?? 0;
    const FLAGS: Array<[number, string]> = [[1, 'saddr'], [2, 'daddr'], [4, 'mark'], [8, 'iif'], [16, 'oif']];
    if (dreg === undefined || (flags & ~0x3f) !== 0) return false;
    const words = FLAGS.filter(([bit]) => flags & bit).map(([, w]) => w);
    const RESULTS: Record<number, [string, ValueType]> = { 1: ['oif', 'hostint'], 2: ['oifname', 'ifname'], 3: ['type', 'addrtype'] };
    const r = result === undefined ? undefined : RESULTS[result];
    if (!r) return false;
    this.regs.set(dreg, { kind: 'field', field: { name: `fib ${words.join(' . ')} ${r[0]}`, type: flags & 32 ? 'exists' : r[1] } });
    return true;
  }

  /**
   * What an immediate put in the register attribute `key` names: undefined
   * without the attribute, null when that register holds anything else. The
   * register stays taken until freeRegisters, called once the expression
   * was rendered: one that is not keeps its values for the markers.
   */
  private immediateIn(f: ExprFields, key: string): Uint8Array | null | undefined {
    const r = f.int(key);
    if (r === undefined) return undefined;
    const load = this.regs.get(r);
    return load?.kind === 'immediate' ? load.value : null;
  }

  private freeRegisters(f: ExprFields, ...keys: string[]): void {
    for (const key of keys) {
      const r = f.int(key);
      if (r !== undefined) this.regs.delete(r);
    }
  }

  /**
   * `dup to 10.0.0.1 device "lo"`, `dup to "lo"`, `fwd to "lo"`, `fwd ip to
   * 10.0.0.1 device "lo"`: the address and device come from immediates.
   */
  private dupOrFwd(f: ExprFields, word: 'dup' | 'fwd'): boolean {
    const addr = this.immediateIn(f, 'sregAddr');
    const dev = this.immediateIn(f, 'sregDev');
    if (addr === null || dev === null || (!addr && !dev)) return false;
    const device = dev ? this.valueText(dev, 'ifindex') : undefined;
    if (!addr) {
      this.freeRegisters(f, 'sregDev');
      this.emit(`${word} to ${device}`);
      return true;
    }
    const nfproto = word === 'fwd' ? f.int('nfproto') : undefined;
    const v6 = addr.length === 16;
    if (!v6 && addr.length !== 4) return false;
    const family = word === 'fwd' ? (nfproto === 2 ? ' ip' : nfproto === 10 ? ' ip6' : undefined) : '';
    if (family === undefined) return false;
    this.freeRegisters(f, 'sregAddr', 'sregDev');
    this.emit(`${word}${family} to ${this.valueText(addr, v6 ? 'ipv6' : 'ipv4')}${device ? ` device ${device}` : ''}`);
    return true;
  }

  /** `numgen inc mod 2 offset 5`: a value for a later store (`meta mark set ...`). */
  private numgen(f: ExprFields): boolean {
    const dreg = f.int('dreg');
    const modulus = f.int('modulus');
    const type = f.int('type');
    const offset = f.int('offset') ?? 0;
    const word = type === 0 ? 'inc' : type === 1 ? 'random' : undefined;
    if (dreg === undefined || modulus === undefined || word === undefined) return false;
    this.regs.set(dreg, { kind: 'mapped', text: `numgen ${word} mod ${modulus}${offset ? ` offset ${offset}` : ''}` });
    return true;
  }

  /**
   * `jhash ip saddr . tcp dport mod 4 seed 0xabc`, `symhash mod 2 offset 100`:
   * a value for a later store. The seed is printed when the rule set one (the
   * kernel dumps only a seed it was given).
   */
  private hash(f: ExprFields): boolean {
    const dreg = f.int('dreg');
    const modulus = f.int('modulus');
    const type = f.int('type') ?? 0;
    const offset = f.int('offset') ?? 0;
    if (dreg === undefined || modulus === undefined) return false;
    const tail = ` mod ${modulus}${f.has('seed') ? ` seed 0x${(f.int('seed') ?? 0).toString(16)}` : ''}${offset ? ` offset ${offset}` : ''}`;
    if (type === 1) {
      this.regs.set(dreg, { kind: 'mapped', text: `symhash${tail}` });
      return true;
    }
    const sreg = f.int('sreg');
    const len = f.int('len');
    if (type !== 0 || sreg === undefined || len === undefined) return false;
    const fields = this.keyFields(sreg, len);
    if (!fields) return false;
    this.regs.set(dreg, { kind: 'mapped', text: `jhash ${this.takeKey(fields)}${tail}` });
    return true;
  }

  /** `meta mark set 0x1`, `ct mark set meta mark & 0xff`: a store of what a register holds. */
  private setStatement(field: Field, sreg: number): boolean {
    const src = this.regs.get(sreg);
    if (!src || src.kind === 'bits' || src.kind === 'merged' || (src.kind === 'field' && (src.prefix !== undefined || src.field.bits))) return false;
    this.regs.delete(sreg);
    const value = src.kind === 'mapped' ? src.text
      : src.kind === 'field' ? src.field.name
      : src.kind === 'masked' ? `${src.field.name} & ${this.valueText(src.mask, src.field.type)}` : this.valueText(src.value, field.type);
    this.emit(`${field.name} set ${value}`);
    return true;
  }

  private bitwise(f: ExprFields): boolean {
    const sreg = f.int('sreg');
    const dreg = f.int('dreg');
    const op = f.int('op') ?? 0;
    const mask = f.data('mask')?.value;
    const xor = f.data('xor')?.value;
    if (sreg === undefined || dreg === undefined || op !== 0 || !mask || !xor || mask.length !== xor.length) return false;
    const src = this.regs.get(sreg);
    if (xor.some((x) => x !== 0)) {
      // (v & mask) ^ xor with a non-zero xor is a value for a store: `meta mark | 0x10` when the
      // mask clears exactly the xor's bits, `meta mark ^ 0x10` when it keeps every bit.
      if (src?.kind !== 'field' || src.prefix !== undefined || src.field.bits) return false;
      const or = mask.every((m, i) => (m & xor[i]!) === 0 && (m | xor[i]!) === 0xff);
      const xorOnly = mask.every((m) => m === 0xff);
      if (!or && !xorOnly) return false;
      this.regs.delete(sreg);
      this.regs.set(dreg, { kind: 'mapped', text: `${src.field.name} ${or ? '|' : '^'} ${this.valueText(xor, src.field.type)}` });
      return true;
    }
    if (src?.kind === 'bits') {
      // The mask picks one bit field out of the bytes: `frag more-fragments`.
      const field = src.fields.find((x) => x.size === mask.length && BigInt(x.bits!.mask) === readBe(mask));
      if (!field) return false;
      this.regs.delete(sreg);
      this.regs.set(dreg, { kind: 'field', field });
      return true;
    }
    if (src?.kind !== 'field' || src.prefix !== undefined || src.field.bits) return false;
    this.regs.delete(sreg);
    this.regs.set(dreg, { kind: 'masked', field: src.field, mask });
    return true;
  }

  private cmp(f: ExprFields): boolean {
    const sreg = f.int('sreg');
    const op = f.int('op');
    const value = f.data('data')?.value;
    if (sreg === undefined || op === undefined || op > 5 || !value) return false;
    const load = this.regs.get(sreg);
    if (load?.kind === 'merged') {
      if (op !== 0 || value.length !== load.fields.reduce((n, x) => n + x.size!, 0)) return false;
      this.regs.delete(sreg);
      let at = 0;
      for (const field of load.fields) {
        const part = value.subarray(at, at + field.size!);
        this.match(field, this.valueText(part, field.type), '', part);
        at += field.size!;
      }
      return true;
    }
    if (!load || load.kind === 'immediate' || load.kind === 'mapped' || load.kind === 'bits') return false;
    if (load.kind === 'field' && load.field.bits) {
      // A bit field compares its masked bytes; nft prints the field's own value.
      const { mask, shift } = load.field.bits;
      const v = readBe(value);
      if ((op !== 0 && op !== 1) || value.length !== load.field.size || (v & ~BigInt(mask)) !== 0n) return false;
      this.regs.delete(sreg);
      this.match(load.field, bitFieldText(Number(v >> BigInt(shift)), load.field.type), CMP_OPS[op]!);
      return true;
    }
    if (load.kind === 'field' && op === 5 && load.prefix === undefined) {
      // `a-b` comes as `>= a` then `<= b` on the same register.
      this.pendingLow = { slot: Registers.slot(sreg), value, field: load.field };
      return true;
    }
    if (this.pendingLow && this.pendingLow.slot === Registers.slot(sreg) && op === 3) {
      const low = this.pendingLow;
      this.pendingLow = null;
      this.regs.delete(sreg);
      this.match(low.field, `${this.valueText(low.value, low.field.type)}-${this.valueText(value, low.field.type)}`, '');
      return true;
    }
    this.regs.delete(sreg);
    if (load.kind === 'masked') return this.maskedMatch(load.field, load.mask, op, value);
    if (load.prefix !== undefined) {
      const full = new Uint8Array(load.field.size!);
      full.set(value.subarray(0, full.length));
      this.match(load.field, `${this.valueText(full, load.field.type)}/${load.prefix}`, CMP_OPS[op]!);
      return true;
    }
    const text = this.valueText(value, load.field.type);
    this.match(load.field, text, CMP_OPS[op]!, op === 0 ? value : undefined);
    return true;
  }

  /** A `>=` that no `<=` followed is a plain comparison after all. */
  private flushRange(nextCmpReg: number | undefined): void {
    const low = this.pendingLow;
    if (!low || (nextCmpReg !== undefined && Registers.slot(nextCmpReg) === low.slot)) return;
    this.pendingLow = null;
    this.regs.deleteSlot(low.slot);
    this.match(low.field, this.valueText(low.value, low.field.type), '>= ');
  }

  private maskedMatch(field: Field, mask: Uint8Array, op: number, value: Uint8Array): boolean {
    const zero = value.every((x) => x === 0);
    // `& bits != 0`: any of these flags (ct state established,related; tcp flags syn).
    if (field.flags && op === 1 && zero) {
      const text = this.valueText(mask, field.type);
      this.match(field, field.type === 'tcpflags' ? text.replace(/ \| /g, ',') : text, '');
      return true;
    }
    // `& mask == value` on flags: `value / mask` (tcp flags syn / syn,ack).
    if (field.flags && (op === 0 || op === 1)) {
      const flags = (b: Uint8Array) => this.valueText(b, field.type).replace(/ \| /g, ',');
      this.match(field, `${flags(value)} / ${flags(mask)}`, CMP_OPS[op]!);
      return true;
    }
    // A contiguous mask of leading ones on an address: a prefix.
    const bits = prefixLength(mask);
    if ((field.type === 'ipv4' || field.type === 'ipv6') && bits !== undefined && (op === 0 || op === 1)) {
      this.match(field, `${this.valueText(value, field.type)}/${bits}`, CMP_OPS[op]!);
      return true;
    }
    this.match(field, `& ${this.valueText(mask, field.type)} ${op === 0 ? '==' : CMP_OPS[op]!.trim()} ${this.valueText(value, field.type)}`, '');
    return true;
  }

  private range(f: ExprFields): boolean {
    const sreg = f.int('sreg');
    const op = f.int('op');
    const from = f.data('fromData')?.value;
    const to = f.data('toData')?.value;
    if (sreg === undefined || (op !== 0 && op !== 1) || !from || !to) return false;
    const load = this.regs.get(sreg);
    if (load?.kind !== 'field' || load.prefix !== undefined || load.field.bits) return false;
    this.regs.delete(sreg);
    this.match(load.field, `${this.valueText(from, load.field.type)}-${this.valueText(to, load.field.type)}`, CMP_OPS[op]!);
    return true;
  }

  /**
   * A set lookup: a match (`ip daddr @s`, `ip saddr . tcp dport { ... }`), a
   * verdict map (dreg 0: `ip daddr vmap @m`) or a data map into a register
   * that a later store uses (`meta mark set ip saddr map @m`).
   */
  private lookup(f: ExprFields): boolean {
    const name = f.str('set');
    const sreg = f.int('sreg');
    const dreg = f.int('dreg');
    const flags = f.int('flags') ?? 0;
    if (name === undefined || sreg === undefined) return false;
    const set = this.ctx.sets?.get(name);
    const fields = this.keyFields(sreg, set?.keyLength);
    if (!fields) return false;
    let target: string;
    if (ANONYMOUS_SET.test(name)) {
      if (!set) return false;
      target = `{ ${set.elements.join(', ')} }`;
    } else {
      target = `@${name}`;
    }
    // An inverted map lookup has no nft syntax.
    if (dreg !== undefined && flags & 1) return false;
    const key = this.takeKey(fields);
    if (dreg === undefined) {
      this.emit(`${key} ${flags & 1 ? '!= ' : ''}${target}`);
    } else if (dreg === 0) {
      this.emit(`${key} vmap ${target}`);
    } else {
      this.regs.set(dreg, { kind: 'mapped', text: `${key} map ${target}` });
    }
    return true;
  }

  /** Takes a key's registers (its fields consume their dependencies) and names it: `ip saddr . tcp dport`. */
  private takeKey(key: { fields: Field[]; slots: number[] }): string {
    for (const slot of key.slots) this.regs.deleteSlot(slot);
    for (const field of key.fields) this.consume(field);
    return key.fields.map((x) => x.name).join(' . ');
  }

  /**
   * The fields a key of `keyLength` bytes is read from, starting at `sreg`:
   * one load, or a concatenation of loads in consecutive 4-byte slots (each
   * field rounded up to whole slots). Without a length, one field.
   */
  private keyFields(sreg: number, keyLength: number | undefined): { fields: Field[]; slots: number[] } | undefined {
    let slot = Registers.slot(sreg);
    const fields: Field[] = [];
    const slots: number[] = [];
    let length = 0;
    do {
      const load = this.regs.atSlot(slot);
      if (load?.kind !== 'field' || load.prefix !== undefined || load.field.bits) return undefined;
      const size = load.field.size ?? TYPE_SIZES[load.field.type];
      if (size === undefined && keyLength !== undefined) return undefined;
      fields.push(load.field);
      slots.push(slot);
      const width = Math.ceil((size ?? 4) / 4) * 4;
      length += width;
      slot += width / 4;
    } while (keyLength !== undefined && length < keyLength);
    // A single field fills its key exactly; a concatenation ends at a slot boundary.
    if (keyLength !== undefined && fields.length > 1 && length !== keyLength) return undefined;
    return { fields, slots };
  }

  /** `add @s { ip saddr }`, `update @s { ip saddr timeout 1m counter }`: a rule that writes a set. */
  private dynset(f: ExprFields): boolean {
    const OPS = ['add', 'update', 'delete'];
    const op = OPS[f.int('op') ?? -1];
    const name = f.str('setName');
    const sreg = f.int('sregKey');
    // Writing map data (sreg-data) is not rendered.
    if (!op || name === undefined || sreg === undefined || f.has('sregData') || (f.int('flags') ?? 0) !== 0) return false;
    const fields = this.keyFields(sreg, this.ctx.sets?.get(name)?.keyLength);
    if (!fields) return false;
    // The expressions each new element gets (one in NFTA_DYNSET_EXPR, or a list), rendered like a rule's.
    const nested = [...(f.raw('expr') ? [f.raw('expr')] : []), ...(((f.raw('expressions') as { elem?: unknown[] } | undefined)?.elem) ?? [])];
    let exprs = '';
    for (const e of nested) {
      // Like a set's expressions, these are templates: a counter prints without values.
      if ((e as { name?: unknown } | null)?.name === 'counter') { exprs += ' counter'; continue; }
      const r = renderRule([e], { ...this.ctx, family: this.family });
      if (!r.complete) return false;
      exprs += ` ${r.text}`;
    }
    const timeout = f.bigint('timeout') ?? 0n;
    this.emit(`${op} @${name} { ${this.takeKey(fields)}${timeout ? ` timeout ${formatDuration(timeout)}` : ''}${exprs} }`);
    return true;
  }

  /**
   * An option or extension header (the exthdr expression): TCP options
   * (`tcp option maxseg size 1400`, `tcp option maxseg size set 1360`), IPv4
   * options (`ip option rr ptr 4`), IPv6 extension headers (`frag id 5`,
   * `exthdr frag exists`). Presence is a one-byte load flagged "present",
   * 1 when the header is there. Only TCP options can be written.
   */
  private exthdr(f: ExprFields): boolean {
    const op = f.int('op') ?? 0;
    const kind = f.int('type');
    const offset = f.int('offset');
    const len = f.int('len');
    const flags = f.int('flags') ?? 0;
    if (kind === undefined || offset === undefined || len === undefined || (flags & ~1) !== 0) return false;
    const table = op === 1 ? TCP_OPTIONS : op === 2 ? IP_OPTIONS : op === 0 ? IPV6_EXTHDRS : undefined;
    // nft names a TCP option it does not know by its kind: `tcp option 253 exists`.
    const header = table?.[kind] ?? (op === 1 ? { present: `tcp option ${kind}`, fields: [] } : undefined);
    if (!header) return false;
    // IPv4 options and IPv6 headers are of the network layer: they consume an inet table's nfproto match.
    const layer: Partial<Field> = op === 1 ? {} : { layer: 'l3' };
    const dreg = f.int('dreg');
    const sreg = f.int('sreg');
    let load: Load;
    if (flags & 1) {
      if (offset !== 0 || len !== 1) return false;
      load = { kind: 'field', field: { name: header.present, type: 'exists', size: 1, ...layer } };
    } else {
      const at = header.fields.filter(([, off, size]) => off === offset && size === len);
      const plain = at.find((x) => !x[4]);
      if (plain) load = { kind: 'field', field: { name: plain[0], type: plain[3], size: len, ...layer } };
      else if (at.length) load = { kind: 'bits', fields: at.map(([name, , , type, bits]) => ({ name, type, size: len, bits: bits!, ...layer })) };
      else return false;
    }
    if (dreg !== undefined && sreg === undefined) {
      this.regs.set(dreg, load);
      return true;
    }
    if (sreg !== undefined && dreg === undefined && op === 1 && load.kind === 'field' && !(flags & 1)) return this.setStatement(load.field, sreg);
    return false;
  }

  /**
   * `tproxy to 127.0.0.1:8080`, `tproxy ip6 to [::1]`, `tproxy to :8080`:
   * address and port from immediate registers. The family (0 when an inet
   * rule gives only a port) is named only in inet tables.
   */
  private tproxy(f: ExprFields): boolean {
    const family = f.int('family') ?? 0;
    if (family !== 0 && family !== 2 && family !== 10) return false;
    const addr = this.immediateIn(f, 'regAddr');
    const port = this.immediateIn(f, 'regPort');
    // A register nothing filled, an address without its family, or neither address nor port: not rendered.
    if (addr === null || port === null || (addr && family === 0) || (!addr && !port)) return false;
    if (addr && addr.length < (family === 2 ? 4 : 16)) return false;
    if (port && port.length < 2) return false;
    this.freeRegisters(f, 'regAddr', 'regPort');
    let to = '';
    if (addr) {
      to = family === 2 ? this.valueText(addr.subarray(0, 4), 'ipv4') : `[${this.valueText(addr.subarray(0, 16), 'ipv6')}]`;
    }
    if (port) to += `:${portRange(port, undefined)}`;
    const qualifier = this.family === 'inet' && family !== 0 ? (family === 2 ? ' ip' : ' ip6') : '';
    this.emit(`tproxy${qualifier} to ${to}`);
    return true;
  }

  /**
   * A named stateful object used by the rule: `counter name "c"`, `quota
   * name "q"`, and the conntrack ones, which nft words as assignments:
   * `ct helper set "ftp"`, `ct timeout set "t"`, `ct expectation set "e"`.
   */
  private objref(f: ExprFields): boolean {
    const OBJECTS: Record<number, string> = { 1: 'counter name', 2: 'quota name', 3: 'ct helper set', 7: 'ct timeout set', 9: 'ct expectation set' };
    const type = OBJECTS[f.int('immType') ?? -1];
    const name = f.str('immName');
    // An object chosen through a map (set-sreg, set-name) is not rendered.
    if (!type || name === undefined || f.has('setSreg') || f.has('setName')) return false;
    this.emit(`${type} "${name}"`);
    return true;
  }

  /**
   * `osf name "Linux"`, `osf ttl loose version "Linux:3.0"`: the passive OS
   * fingerprint's genre (or genre:version) as a 16-byte string.
   */
  private osf(f: ExprFields): boolean {
    const TTL = ['', 'ttl loose ', 'ttl skip '];
    const ttl = TTL[f.int('ttl') ?? 0];
    const flags = f.int('flags') ?? 0;
    const dreg = f.int('dreg');
    // NFT_OSF_F_VERSION (1) is the only flag.
    if (ttl === undefined || dreg === undefined || (flags & ~1) !== 0) return false;
    this.regs.set(dreg, { kind: 'field', field: { name: `osf ${ttl}${flags ? 'version' : 'name'}`, type: 'string', size: 16 } });
    return true;
  }

  /** `socket transparent 1`, `socket mark 0x00000005`, `socket wildcard 0`; cgroupv2 (a path nft looks up) is not read. */
  private socket(f: ExprFields): boolean {
    const KEYS: Record<number, [string, ValueType]> = { 0: ['transparent', 'hostint'], 1: ['mark', 'mark'], 2: ['wildcard', 'hostint'] };
    const key = KEYS[f.int('key') ?? -1];
    const dreg = f.int('dreg');
    if (!key || dreg === undefined || f.has('level')) return false;
    this.regs.set(dreg, { kind: 'field', field: { name: `socket ${key[0]}`, type: key[1] } });
    return true;
  }

  /** One match statement; a protocol-context match is a dependency for what follows. */
  private match(field: Field, value: string, op: string, exact?: Uint8Array): void {
    this.consume(field);
    const at = this.emit(`${field.name} ${op}${value}`, exact && field.sets ? field.sets : undefined);
    if (!exact || !field.sets) return;
    if (field.sets === 'l2') {
      this.l2Dep = at;
    } else if (field.sets === 'l4') {
      this.l4 = Number(intOf(exact, true));
      // nft hides `ip protocol` / `ip6 nexthdr` before a transport match only
      // in ip and ip6 tables; in inet, bridge and netdev tables only its own
      // dependency, `meta l4proto`, goes.
      const payload = field.layer === 'l3';
      if (!payload || this.family === 'ip' || this.family === 'ip6') this.l4Dep = at;
    } else if (field.name === 'meta nfproto') {
      const n = Number(intOf(exact, true));
      this.l3 = n === 2 ? 'ip' : n === 10 ? 'ip6' : undefined;
      this.l3Dep = at;
    } else {
      // ether type / vlan type: the next header.
      const n = Number(intOf(exact, false));
      this.l3 = n === 0x0800 ? 'ip' : n === 0x86dd ? 'ip6' : n === 0x0806 ? 'arp' : undefined;
      if (n === 0x8100 || n === 0x88a8) this.vlan = true;
      this.l3Dep = at;
    }
  }

  /** A payload field consumes the dependency that selected its protocol. */
  private consume(field: Field): void {
    if (field.layer === 'l2' && this.l2Dep >= 0) { this.out[this.l2Dep]!.hidden = true; this.l2Dep = -1; }
    if (field.layer === 'l3' && this.l3Dep >= 0) { this.out[this.l3Dep]!.hidden = true; this.l3Dep = -1; }
    if (field.layer === 'l4' && this.l4Dep >= 0) {
      this.out[this.l4Dep]!.hidden = true;
      this.l4Dep = -1;
      // icmp and icmpv6 imply their network protocol: its dependency goes too.
      if ((this.l4 === 1 || this.l4 === 58) && this.l3Dep >= 0) this.consumeL3();
    }
  }

  private consumeL3(): void {
    this.out[this.l3Dep]!.hidden = true;
    this.l3Dep = -1;
  }

  private immediate(f: ExprFields): boolean {
    const dreg = f.int('dreg');
    const data = f.data('data');
    if (dreg === undefined || !data) return false;
    if (dreg === 0) {
      if (!data.verdict) return false;
      const v = verdictText(data.verdict);
      if (v === undefined) return false;
      this.emit(v);
      return true;
    }
    if (!data.value) return false;
    this.regs.set(dreg, { kind: 'immediate', value: data.value });
    return true;
  }

  private log(f: ExprFields): boolean {
    const parts = ['log'];
    const prefix = f.str('prefix');
    if (prefix !== undefined) parts.push(`prefix "${prefix}"`);
    const group = f.int('group');
    if (group !== undefined) parts.push(`group ${group}`);
    const snaplen = f.int('snaplen');
    if (snaplen !== undefined) parts.push(`snaplen ${snaplen}`);
    const qthreshold = f.int('qthreshold');
    if (qthreshold !== undefined) parts.push(`queue-threshold ${qthreshold}`);
    const level = f.int('level');
    const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug', 'audit'];
    if (level !== undefined && level !== 4) {
      if (LEVELS[level] === undefined) return false;
      parts.push(`level ${LEVELS[level]}`);
    }
    const flags = f.int('flags') ?? 0;
    if (flags) {
      if ((flags & 0x2f) === 0x2f && (flags & ~0x2f) === 0) parts.push('flags all');
      else {
        const LOG_FLAGS: Array<[number, string]> = [[1, 'tcp sequence'], [2, 'tcp options'], [4, 'ip options'], [8, 'skuid'], [32, 'ether']];
        let left = flags;
        const names: string[] = [];
        for (const [bit, name] of LOG_FLAGS) if (flags & bit) { names.push(name); left &= ~bit; }
        if (left) return false;
        // nft joins the tcp flags into one word: `flags tcp sequence,options`.
        parts.push(`flags ${names.join(',').replace('tcp sequence,tcp options', 'tcp sequence,options')}`);
      }
    }
    this.emit(parts.join(' '));
    return true;
  }

  private limit(f: ExprFields): boolean {
    // The unit is in seconds; type 0 counts packets, 1 bytes; flag 1 inverts (over).
    const rate = f.bigint('rate');
    const unit = f.bigint('unit');
    if (rate === undefined || unit === undefined) return false;
    const UNITS: Record<string, string> = { 1: 'second', 60: 'minute', 3600: 'hour', 86400: 'day', 604800: 'week' };
    const per = UNITS[unit.toString()];
    if (!per) return false;
    const burst = f.int('burst') ?? 0;
    const bytes = (f.int('type') ?? 0) === 1;
    const over = ((f.int('flags') ?? 0) & 1) === 1 ? 'over ' : '';
    if (!bytes) {
      this.emit(`limit rate ${over}${rate}/${per}${burst !== 5 && burst !== 0 ? ` burst ${burst} packets` : ''}`);
      return true;
    }
    this.emit(`limit rate ${over}${byteRate(rate)}/${per}${burst ? ` burst ${byteRate(BigInt(burst))}` : ''}`);
    return true;
  }

  private reject(f: ExprFields): boolean {
    // Types: 0 icmp-unreach, 1 tcp-rst, 2 icmpx-unreach.
    const type = f.int('type');
    const code = f.int('icmpCode') ?? 0;
    if (type === 1) {
      this.emit('reject with tcp reset');
      return true;
    }
    const ICMP = ['net-unreachable', 'host-unreachable', 'prot-unreachable', 'port-unreachable'];
    const ICMP_MORE: Record<number, string> = { 9: 'net-prohibited', 10: 'host-prohibited', 13: 'admin-prohibited' };
    const ICMP6 = ['no-route', 'admin-prohibited', undefined, 'addr-unreachable', 'port-unreachable', 'policy-fail', 'reject-route'];
    const ICMPX = ['no-route', 'port-unreachable', 'host-unreachable', 'admin-prohibited'];
    let text: string | undefined;
    let isDefault = false;
    if (type === 2) {
      text = ICMPX[code] && `icmpx ${ICMPX[code]}`;
      isDefault = code === 1 && this.family === 'inet';
    } else if (type === 0) {
      // The family (or nfproto context) says whether the code is ICMP or ICMPv6.
      const v6 = this.family === 'ip6' || (this.family !== 'ip' && this.l3 === 'ip6');
      text = v6 ? ICMP6[code] && `icmpv6 ${ICMP6[code]}` : (ICMP[code] ?? ICMP_MORE[code]) && `icmp ${ICMP[code] ?? ICMP_MORE[code]}`;
      isDefault = (v6 ? code === 4 : code === 3) && (this.family === 'ip' || this.family === 'ip6');
    }
    if (text === undefined) return false;
    // An ICMP/ICMPv6 reject in inet names its protocol itself: the nfproto match before it was its dependency.
    if (type === 0 && this.l3Dep >= 0) this.consumeL3();
    this.emit(isDefault ? 'reject' : `reject with ${text}`);
    return true;
  }

  private nat(f: ExprFields): boolean {
    // Type 0 is snat, 1 dnat; the family says which addresses the registers hold.
    const type = f.int('type');
    const family = f.int('family');
    if ((type !== 0 && type !== 1) || (family !== 2 && family !== 10)) return false;
    const addrType: ValueType = family === 2 ? 'ipv4' : 'ipv6';
    const REGS = ['regAddrMin', 'regAddrMax', 'regProtoMin', 'regProtoMax'];
    const qualifier = this.family === 'inet' ? (family === 2 ? ' ip' : ' ip6') : '';
    // The address from a map lookup: `dnat ip to ip saddr map { ... }`.
    const minReg = f.int('regAddrMin');
    const mapped = minReg === undefined ? undefined : this.regs.get(minReg);
    if (mapped?.kind === 'mapped') {
      const maxReg = f.int('regAddrMax');
      if ((maxReg !== undefined && maxReg !== minReg) || f.has('regProtoMin') || f.has('regProtoMax')) return false;
      const flags = natFlags(f.int('flags') ?? 0, ['map-ips']);
      if (flags === undefined) return false;
      this.regs.delete(minReg!);
      this.emit(`${type === 0 ? 'snat' : 'dnat'}${qualifier} to ${mapped.text}${flags}`);
      return true;
    }
    const values = REGS.map((key) => this.immediateIn(f, key));
    if (values.includes(null)) return false;
    const [addrMin, addrMax, protoMin, protoMax] = values as Array<Uint8Array | undefined>;
    let to = '';
    if (addrMin) {
      const a = this.valueText(addrMin, addrType);
      const b = addrMax && !equalBytes(addrMin, addrMax) ? `-${this.valueText(addrMax, addrType)}` : '';
      to = family === 10 && protoMin ? `[${a}${b}]` : `${a}${b}`;
    }
    if (protoMin) to += `:${portRange(protoMin, protoMax)}`;
    const flags = natFlags(f.int('flags') ?? 0, ['map-ips', 'proto-specified']);
    if (flags === undefined) return false;
    this.freeRegisters(f, ...REGS);
    this.emit(`${type === 0 ? 'snat' : 'dnat'}${qualifier}${to ? ` to ${to}` : ''}${flags}`);
    return true;
  }

  /** masquerade / redirect: an optional port range from registers, and flags. */
  private portRedirect(f: ExprFields, word: string): boolean {
    const min = this.immediateIn(f, 'regProtoMin');
    const max = this.immediateIn(f, 'regProtoMax');
    if (min === null || max === null || (max && !min)) return false;
    const ports = min ? ` to :${portRange(min, max)}` : '';
    const flags = natFlags(f.int('flags') ?? 0, ['proto-specified']);
    if (flags === undefined) return false;
    this.freeRegisters(f, 'regProtoMin', 'regProtoMax');
    this.emit(`${word}${ports}${flags}`);
    return true;
  }
}

/** NF_NAT_RANGE_* flags nft prints; the others it implies (map-ips, proto-specified). */
function natFlags(flags: number, implied: string[]): string | undefined {
  const BITS: Array<[number, string]> = [[1, 'map-ips'], [2, 'proto-specified'], [4, 'random'], [8, 'persistent'], [16, 'fully-random']];
  const printed: string[] = [];
  let left = flags;
  for (const [bit, name] of BITS) {
    if (!(flags & bit)) continue;
    left &= ~bit;
    if (!implied.includes(name)) printed.push(name);
  }
  if (left) return undefined;
  return printed.length ? ` ${printed.join(',')}` : '';
}

function portRange(min: Uint8Array, max: Uint8Array | undefined): string {
  const a = intOf(min.subarray(0, 2), false);
  const b = max ? intOf(max.subarray(0, 2), false) : a;
  return a === b ? `${a}` : `${a}-${b}`;
}

function prefixLength(mask: Uint8Array): number | undefined {
  let bits = 0;
  let ended = false;
  for (const byte of mask) {
    for (let i = 7; i >= 0; i--) {
      const one = (byte >> i) & 1;
      if (one && ended) return undefined;
      if (one) bits++;
      else ended = true;
    }
  }
  return bits;
}


/**
 * A rule's expression list (the `elem` array of a decoded NFTA_RULE_EXPRESSIONS)
 * in nft's syntax.
 */
export function renderRule(expressions: unknown[], ctx: RenderContext): RuleText {
  return new RuleRenderer(ctx).render(expressions);
}
