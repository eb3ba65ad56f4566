// Display form of decoded values, for JSON output, the CLI and the viewer:
// JSON-safe (no bigint, no Uint8Array) and shaped by the spec's display
// hints: ipv4 / ipv6 addresses in their usual notation, mac addresses as
// aa:bb:..., hex as a hex string. Bytes without a hint become hex strings,
// bigints decimal strings.

import type { AttributeSetSchema, StructSchema } from './compile.js';
import type { DisplayHint } from './types.js';

const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Bytes as the hint says; hex when the hint does not fit the length. */
export function formatBytes(bytes: Uint8Array, hint?: DisplayHint): string {
  switch (hint) {
    case 'ipv4':
      if (bytes.length === 4) return bytes.join('.');
      break;
    case 'ipv6':
      if (bytes.length === 16) return formatIpv6(bytes);
      if (bytes.length === 4) return bytes.join('.');
      break;
    case 'mac':
    case 'fddi':
      return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(':');
    case 'uuid':
      if (bytes.length === 16) {
        const h = hexOf(bytes);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      }
      break;
  }
  return hexOf(bytes);
}

/** RFC 5952 text: lower case, the longest run of zero groups (two or more) as '::'. */
function formatIpv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  let bestAt = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestAt = i; bestLength = j - i; }
    i = j;
  }
  const text = (from: number, to: number) => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  return bestAt < 0 ? text(0, 8) : `${text(0, bestAt)}::${text(bestAt + bestLength, 8)}`;
}

/** Any decoded value made JSON-safe, without schema knowledge. */
export function plainValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return hexOf(v);
  if (Array.isArray(v)) return v.map(plainValue);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plainValue(x);
    return out;
  }
  return v;
}

/** A decoded struct in display form. */
export function formatStruct(struct: StructSchema, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const m = struct.members.find((x) => x.key === k);
    if (m?.struct && v && typeof v === 'object' && !(v instanceof Uint8Array)) out[k] = formatStruct(m.struct, v as Record<string, unknown>);
    else if (v instanceof Uint8Array) out[k] = formatBytes(v, m?.hint);
    else out[k] = plainValue(v);
  }
  return out;
}

/** Decoded attributes of `set` in display form. */
export function formatAttributes(set: AttributeSetSchema, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const a = set.byKey.get(k);
    const one = (x: unknown): unknown => {
      if (!a) return plainValue(x);
      if (x instanceof Uint8Array) return formatBytes(x, a.hint);
      if (a.struct && x && typeof x === 'object' && !Array.isArray(x)) return formatStruct(a.struct, x as Record<string, unknown>);
      if (a.nest && x && typeof x === 'object' && !Array.isArray(x)) return formatAttributes(a.nest, x as Record<string, unknown>);
      if (a.subMessage && x && typeof x === 'object' && !Array.isArray(x)) {
        const selector = value[a.selectorKey!];
        const format = typeof selector === 'string' || typeof selector === 'number' ? a.subMessage.formats.get(String(selector)) : undefined;
        if (format?.set) return formatAttributes(format.set, x as Record<string, unknown>);
        return plainValue(x);
      }
      if (a.type === 'indexed-array' && a.nest && Array.isArray(x)) return x.map((e) => (e && typeof e === 'object' ? formatAttributes(a.nest!, e as Record<string, unknown>) : plainValue(e)));
      return plainValue(x);
    };
    out[k] = a?.multi && Array.isArray(v) ? v.map(one) : one(v);
  }
  return out;
}
