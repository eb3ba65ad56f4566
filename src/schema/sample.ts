// Random valid values from a schema, in exactly the form decode returns, so
// that decode(encode(sample)) must equal the sample. For round-trip and fuzz
// tests; deterministic for a given random source.

import type { AttributeSchema, AttributeSetSchema, EnumSchema, MessageSchema, StructSchema } from './compile.js';
import { intSize } from './compile.js';
import { keyOf } from './names.js';
import { narrow } from './values.js';

export interface SampleOptions {
  /** Uniform [0, 1) source (default Math.random). */
  random?: () => number;
  /** Nests deeper than this are left out (default 3). */
  maxDepth?: number;
  /** Probability that an attribute is present (default 0.5). */
  density?: number;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789-_';
const MAX: Record<string, bigint> = { u8: 0xffn, u16: 0xffffn, u32: 0xffffffffn, u64: 0xffffffffffffffffn, uint: 0xffffffffffffffffn };
const MIN_S: Record<string, bigint> = { s8: -0x80n, s16: -0x8000n, s32: -0x80000000n, s64: -0x8000000000000000n, sint: -0x8000000000000000n };

class Sampler {
  readonly rand: () => number;
  readonly maxDepth: number;
  readonly density: number;
  constructor(o: SampleOptions | undefined) {
    this.rand = o?.random ?? Math.random;
    this.maxDepth = o?.maxDepth ?? 3;
    this.density = o?.density ?? 0.5;
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  private bigUnder(max: bigint): bigint {
    let v = 0n;
    for (let i = 0; i < 4; i++) v = (v << 16n) | BigInt(this.int(0x10000));
    return v % (max + 1n);
  }

  integer(type: string): number | bigint {
    const unsigned = MAX[type];
    // Small values are the common case on the wire; large ones test the edges.
    const small = this.rand() < 0.5;
    if (unsigned !== undefined) {
      const v = small ? BigInt(this.int(1000)) : this.bigUnder(unsigned);
      return narrow(v > unsigned ? unsigned : v);
    }
    const min = MIN_S[type]!;
    const span = -min * 2n - 1n;
    const v = small ? BigInt(this.int(2000) - 1000) : this.bigUnder(span) + min;
    return narrow(v < min ? min : v > -min - 1n ? -min - 1n : v);
  }

  named(e: EnumSchema | undefined, asFlags: boolean, type: string): unknown {
    if (!e) return this.integer(type);
    const max = MAX[type] ?? -MIN_S[type]! - 1n;
    if (e.flags || asFlags) {
      const names: string[] = [];
      let used = 0n;
      for (const [name, value] of e.entries) {
        const mask = BigInt(e.mask(value));
        if (mask === 0n || mask > max || (used & mask) !== 0n || e.byValue.get(value) !== name) continue;
        if (this.rand() < 0.4) { names.push(name); used |= mask; }
      }
      return names;
    }
    const usable = e.entries.filter(([name, value]) => BigInt(value) <= max && BigInt(value) >= (MIN_S[type] ?? 0n) && e.byValue.get(value) === name);
    if (usable.length === 0 || this.rand() < 0.1) {
      // A value the enum does not name stays a number.
      for (let tries = 0; tries < 8; tries++) {
        const v = this.integer(type);
        if (!e.byValue.has(Number(v))) return v;
      }
      return usable.length ? usable[0]![0] : this.integer(type);
    }
    return usable[this.int(usable.length)]![0];
  }

  text(max: number): string {
    const n = this.int(Math.max(0, Math.min(max, 12)) + 1);
    let s = '';
    for (let i = 0; i < n; i++) s += ALPHABET[this.int(ALPHABET.length)];
    return s;
  }

  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }

  struct(s: StructSchema): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const m of s.members) {
      if (m.type === 'pad') continue;
      if (m.rest) {
        if (m.subMessage && m.selector) {
          const keys = [...m.subMessage.formats.keys()];
          const key = keys[this.int(keys.length)]!;
          const format = m.subMessage.formats.get(key)!;
          const sel = s.members.find((x) => x.name === m.selector)!;
          out[sel.key] = sel.enum ? key : Number(key);
          out[m.key] = format.header && !format.set ? this.struct(format.header) : new Uint8Array(0);
        } else {
          out[m.key] = this.bytes(this.int(9));
        }
        continue;
      }
      if (m.type === 'string') out[m.key] = this.text(m.size - 1);
      else if (m.type === 'binary') out[m.key] = m.struct ? this.struct(m.struct) : this.bytes(m.size);
      else out[m.key] = this.named(m.enum, m.asFlags, m.type);
    }
    return out;
  }

  binaryLength(a: AttributeSchema): number {
    if (a.exactLen !== undefined) return a.exactLen;
    if (a.hint === 'ipv4') return 4;
    if (a.hint === 'ipv6') return 16;
    if (a.hint === 'mac') return 6;
    const max = a.maxLen ?? 12;
    const min = a.minLen ?? 0;
    return min + this.int(Math.max(0, max - min) + 1);
  }

  value(a: AttributeSchema, depth: number, obj: Record<string, unknown>): unknown {
    switch (a.type) {
      case 'u8': case 'u16': case 'u32': case 'u64': case 's8': case 's16': case 's32': case 's64': case 'uint': case 'sint':
        return this.named(a.enum, a.asFlags, a.type);
      case 'flag': return true;
      case 'string': return this.text(a.maxLen ?? a.exactLen ?? 12);
      case 'binary': {
        if (a.struct) return this.struct(a.struct);
        const size = a.subType ? intSize(a.subType) : undefined;
        if (size !== undefined) return Array.from({ length: this.int(4) }, () => this.named(a.enum, a.asFlags, a.subType!));
        return this.bytes(this.binaryLength(a));
      }
      case 'bitfield32':
        return { value: this.named(a.enum, a.asFlags, 'u32'), selector: this.named(a.enum, a.asFlags, 'u32') };
      case 'nest':
        return a.nest ? this.set(a.nest, depth + 1) : undefined;
      case 'indexed-array': {
        const n = this.int(4);
        if (a.subType === 'nest') return a.nest ? Array.from({ length: n }, () => this.set(a.nest!, depth + 1)) : undefined;
        if (a.subType && intSize(a.subType) !== undefined) return Array.from({ length: n }, () => this.named(a.enum, a.asFlags, a.subType!));
        if (a.subType === 'string') return Array.from({ length: n }, () => this.text(12));
        return Array.from({ length: n }, () => this.bytes(this.int(8)));
      }
      case 'nest-type-value': {
        const keys = (a.typeValue ?? []).map(keyOf);
        if (!a.nest || keys.length === 0) return undefined;
        const out: Record<string, unknown>[] = [];
        const fill = (level: number, ids: Record<string, number>) => {
          const n = 1 + this.int(2);
          for (let i = 0; i < n; i++) {
            const next = { ...ids, [keys[level]!]: i * 3 + this.int(3) };
            if (level === keys.length - 1) out.push({ ...next, ...this.set(a.nest!, depth + 1) });
            else fill(level + 1, next);
          }
        };
        fill(0, {});
        return out;
      }
      case 'sub-message': {
        const sm = a.subMessage!;
        const sel = a.owner.byName.get(a.selector!);
        if (!sel || sel.type !== 'string' && !sel.enum && intSize(sel.type) === undefined) return undefined;
        const keys = [...sm.formats.keys()];
        const key = keys[this.int(keys.length)]!;
        const format = sm.formats.get(key)!;
        obj[sel.key] = sel.type === 'string' || sel.enum ? key : Number(key);
        const out: Record<string, unknown> = format.header ? this.struct(format.header) : {};
        if (format.set && depth < this.maxDepth) Object.assign(out, this.set(format.set, depth + 1));
        return out;
      }
      default:
        return undefined;
    }
  }

  set(set: AttributeSetSchema, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (depth > this.maxDepth) return out;
    for (const a of set.ordered) {
      if (a.type === 'pad' || a.type === 'unused' || out[a.key] !== undefined) continue;
      if (this.rand() >= this.density) continue;
      if (a.type === 'sub-message' && a.owner.byName.get(a.selector!) && out[a.owner.byName.get(a.selector!)!.key] !== undefined) {
        // The selector was already chosen on its own; keep the pair consistent.
        continue;
      }
      const v = a.multi
        ? Array.from({ length: 1 + this.int(3) }, () => this.value(a, depth, out)).filter((x) => x !== undefined)
        : this.value(a, depth, out);
      if (v === undefined || (Array.isArray(v) && a.multi && v.length === 0)) continue;
      out[a.key] = v;
    }
    return out;
  }
}

/** A random object of attribute set `set`. */
export function sampleAttributes(set: AttributeSetSchema, options?: SampleOptions): Record<string, unknown> {
  return new Sampler(options).set(set, 0);
}

/** A random struct value. */
export function sampleStruct(struct: StructSchema, options?: SampleOptions): Record<string, unknown> {
  return new Sampler(options).struct(struct);
}

/** A random message body ({ header, attributes }) of `schema`. */
export function sampleMessage(schema: MessageSchema, options?: SampleOptions): { header?: Record<string, unknown>; attributes: Record<string, unknown> } {
  const s = new Sampler(options);
  const out: { header?: Record<string, unknown>; attributes: Record<string, unknown> } = { attributes: {} };
  if (schema.header) {
    out.header = s.struct(schema.header);
    // A message picked by its first header member gets a value that picks it.
    const first = schema.header.members[0];
    if (schema.match && first) out.header[first.key] = schema.match[s.int(schema.match.length)];
  }
  if (schema.set && !schema.header?.hasRest) out.attributes = s.set(schema.set, 0);
  return out;
}
