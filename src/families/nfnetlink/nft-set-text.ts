// nft's text for sets and maps: the declaration block and the elements
// (intervals rebuilt from their start and end elements, concatenated keys,
// map data), sorted and wrapped as `nft -y list ruleset` prints them.

import { MalformedError, TruncatedError } from '../../codec/errors.js';
import {
  cString, equalBytes, formatDuration, formatValue, hex, LITTLE_ENDIAN_HOST, readBe, verdictText, type NftData, type ValueType,
} from './nft-values.js';
import { parseUserdata } from './nft-userdata.js';
import { renderRule } from './nft-rule-text.js';

/** nft data types by id: name, printing, size in bytes (concatenations need it). */
const DATATYPES: Record<number, [string, ValueType, number?]> = {
  2: ['nf_proto', 'nfproto', 1], 4: ['integer', 'int'], 5: ['string', 'string'], 7: ['ipv4_addr', 'ipv4', 4], 8: ['ipv6_addr', 'ipv6', 16], 9: ['ether_addr', 'ether', 6],
  10: ['ether_type', 'ethertype', 2], 12: ['inet_proto', 'proto', 1], 13: ['inet_service', 'int', 2], 14: ['icmp_type', 'icmptype', 1],
  15: ['tcp_flag', 'tcpflags', 1], 19: ['mark', 'mark', 4], 20: ['iface_index', 'ifindex', 4], 26: ['ct_state', 'ctstate', 4],
  27: ['ct_dir', 'ctdir', 1], 28: ['ct_status', 'ctstatus', 4], 29: ['icmpv6_type', 'icmp6type', 1], 31: ['pkt_type', 'pkttype', 1],
  41: ['ifname', 'ifname', 16],
};

/** NFT_DATA_VERDICT: the data type of a verdict map. */
export const VERDICT_DATATYPE = 0xffffff00;

/** Data types nft keeps in host byte order. */
const HOST_ORDER_TYPES = new Set([2, 5, 19, 26, 28, 31, 41]);

/**
 * The component types of a key type: a concatenation packs one type id per
 * 6 bits (TYPE_BITS), the first component highest: `ipv4_addr . inet_service`
 * is (7 << 6) | 13.
 */
export function concatTypes(id: number): number[] {
  const out: number[] = [];
  for (let t = id; t > 0; t = Math.floor(t / 64)) out.unshift(t % 64);
  return out.length ? out : [0];
}

/** nft's name of a key type (`ipv4_addr`, `ipv4_addr . inet_service`), undefined when a part has none. */
export function keyTypeName(id: number): string | undefined {
  const parts = concatTypes(id);
  if (parts.length > 1 && parts.some((t) => DATATYPES[t]?.[2] === undefined)) return undefined;
  const names = parts.map((t) => DATATYPES[t]?.[0]);
  return names.every((n) => n !== undefined) ? names.join(' . ') : undefined;
}

/** nft's name of a map's data type (`verdict`, `mark`, ...). */
export function mapDataTypeName(id: number): string | undefined {
  return id === VERDICT_DATATYPE ? 'verdict' : DATATYPES[id]?.[0];
}

/** What renderElements needs of a set element (listSetElements gives it). */
export interface ElementKeys {
  key?: NftData;
  keyEnd?: NftData;
  /** Map data: a value or a verdict. */
  data?: NftData;
  /** NFT_SET_ELEM_INTERVAL_END (1) marks the end of an interval. */
  flags?: number;
  /** Milliseconds. */
  timeout?: number;
  expiration?: number;
  /** Per-element expressions (counters), decoded like a rule's. */
  expressions?: unknown[];
  /** `comment "..."` (or a marker), as listSetElements gives it. */
  comment?: string;
}

/**
 * A key as text: one value, or the components of a concatenation, each in
 * its own 4-byte-aligned slice of the key:
 *
 *   ipv4_addr . inet_service   ┌──────────┬───────┬─────┐
 *   10.0.0.1 . 22              │ 0a000001 │ 0016  │ pad │
 *                              └──────────┴───────┴─────┘
 */
function formatKey(b: Uint8Array, keyType: number): string {
  const parts = concatTypes(keyType);
  if (parts.length === 1) return formatValue(b, DATATYPES[keyType]![1]);
  const texts: string[] = [];
  let at = 0;
  for (const t of parts) {
    const [, type, size] = DATATYPES[t]!;
    if (at + size! > b.length) throw new TruncatedError(`key of ${b.length} bytes ends inside its ${DATATYPES[t]![0]} component`, at);
    texts.push(formatValue(b.subarray(at, at + size!), type));
    at += Math.ceil(size! / 4) * 4;
  }
  if (at !== b.length) throw new MalformedError(`key of ${b.length} bytes is not ${keyTypeName(keyType)} (${at} bytes)`, at);
  return texts.join(' . ');
}

/** A concatenated key's components without their padding. */
function unpadded(b: Uint8Array, keyType: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const t of concatTypes(keyType)) {
    const size = DATATYPES[t]![2]!;
    parts.push(b.subarray(at, at + size));
    at += Math.ceil(size / 4) * 4;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** A map element's data as text: a verdict, or a value of the map's data type. */
function formatData(d: NftData | undefined, dataType: number): string {
  if (dataType === VERDICT_DATATYPE) {
    const v = d?.verdict && verdictText(d.verdict);
    if (v === undefined) throw new MalformedError(`map element without a verdict nft can print`, 0);
    return v;
  }
  const type = DATATYPES[dataType]?.[1];
  if (!type) throw new MalformedError(`map data type ${dataType} has no known printing`, 0);
  if (!d?.value) throw new MalformedError('map element without its data', 0);
  return formatValue(d.value, type);
}

/**
 * Element texts of a set or map, sorted as nft prints them. Interval sets
 * come as start elements and end elements one past the last value (flagged
 * interval-end); newer kernels may instead give a start with its inclusive
 * key-end. A map's elements carry their data (`10.0.0.1 : accept`).
 */
export function renderElements(elements: ElementKeys[], keyType: number, interval: boolean, setTimeout?: number, dataType?: number): string[] {
  if (!keyTypeName(keyType)) throw new MalformedError(`set key type ${keyType} has no known printing`, 0);
  if (dataType !== undefined && !mapDataTypeName(dataType)) throw new MalformedError(`map data type ${dataType} has no known printing`, 0);
  const type = DATATYPES[concatTypes(keyType)[0]!]![1];
  const concat = concatTypes(keyType).length > 1;
  if (concat && interval) throw new MalformedError('intervals of concatenated keys have no known printing', 0);
  const keyed = elements.filter((e) => e.key?.value).map((e) => ({ ...e, key: e.key!.value! }));
  // nft sorts by numeric value: keys kept in host order (ifname, mark, ...) compare from their last byte.
  // A concatenation sorts as its components' bytes run together (no padding) read as one host-order number.
  const hostOrder = (concat || HOST_ORDER_TYPES.has(keyType)) && LITTLE_ENDIAN_HOST;
  const sortKey = (k: Uint8Array) => {
    const b = concat ? unpadded(k, keyType) : k;
    return hostOrder ? Uint8Array.from(b).reverse() : b;
  };
  keyed.sort((a, b) => compareBytes(sortKey(a.key), sortKey(b.key)));
  const out: string[] = [];
  // What nft appends to an element: its own timeout (when not the set's), the time left, its expressions, its comment; then a map's data.
  const suffix = (e: Omit<ElementKeys, 'key'>) => {
    let t = '';
    if (e.timeout !== undefined && e.timeout !== setTimeout) t += ` timeout ${formatDuration(BigInt(e.timeout))}`;
    if (e.expiration !== undefined) t += ` expires ${formatDuration(BigInt(e.expiration))}`;
    if (e.expressions?.length) {
      const r = renderRule(e.expressions, { family: 'unspec' });
      t += ` ${r.text}`;
    }
    if (e.comment !== undefined) t += ` ${e.comment}`;
    if (dataType !== undefined) t += ` : ${formatData(e.data, dataType)}`;
    return t;
  };
  if (!interval) {
    for (const e of keyed) out.push(formatKey(e.key, keyType) + suffix(e));
    return out;
  }
  for (let i = 0; i < keyed.length; i++) {
    const e = keyed[i]!;
    if ((e.flags ?? 0) & 1) continue;
    let last: Uint8Array | undefined = e.keyEnd?.value;
    if (!last) {
      const end = keyed[i + 1];
      if (end && (end.flags ?? 0) & 1) last = minusOne(end.key);
      else if (!end) last = new Uint8Array(e.key.length).fill(0xff); // open to the top of the range
    }
    const prefix = last && (type === 'ipv4' || type === 'ipv6') ? cidrLength(e.key, last) : undefined;
    if (!last || equalBytes(last, e.key)) out.push(formatValue(e.key, type) + suffix(e));
    else if (prefix !== undefined) out.push(`${formatValue(e.key, type)}/${prefix}${suffix(e)}`);
    else out.push(`${formatValue(e.key, type)}-${formatValue(last, type)}${suffix(e)}`);
  }
  return out;
}

/** The prefix length when [first, last] is exactly one CIDR block (addresses print so). */
function cidrLength(first: Uint8Array, last: Uint8Array): number | undefined {
  const a = readBe(first);
  const span = a ^ readBe(last);
  if ((span & (span + 1n)) !== 0n || (a & span) !== 0n) return undefined;
  return first.length * 8 - span.toString(2).replace(/^0$/, '').length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function minusOne(b: Uint8Array): Uint8Array {
  const out = Uint8Array.from(b);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! > 0) { out[i]!--; break; }
    out[i] = 0xff;
  }
  return out;
}

/**
 * nft's line breaks in a named set's element list: short numbers five to a
 * line, IPv4 addresses (and ct state/status, pkttype) two, everything else
 * one, continuation lines aligned under the first element.
 */
function wrapElements(elements: string[], keyType: number): string {
  // A concatenation's type id is above 63: none of these, one to a line.
  const perLine = [2, 4, 12, 13, 15, 19, 24, 25].includes(keyType) ? 5 : [7, 26, 28, 31].includes(keyType) ? 2 : 1;
  let text = '';
  elements.forEach((e, i) => {
    if (i > 0) text += i % perLine === 0 ? ',\n\t\t\t     ' : ', ';
    text += e;
  });
  return text;
}

/** What renderSet needs of a set (listSets and listSetElements give it). */
export interface NftSetInput {
  name: string;
  keyType: number;
  flags: Array<string | number>;
  elements: ElementKeys[];
  /** NFTA_SET_POLICY: 0 performance (nft's default, not printed), 1 memory. */
  policy?: number;
  /** NFTA_SET_DESC_SIZE. */
  size?: number;
  /** Default element timeout and garbage collection interval, milliseconds. */
  timeout?: number;
  gcInterval?: number;
  /** nft's annotations (comment, auto-merge, typeof). */
  userdata?: Uint8Array;
  /** A map's data type (NFTA_SET_DATA_TYPE: VERDICT_DATATYPE, 19 mark, ...). */
  dataType?: number;
  /** Expressions every element gets (NFTA_SET_EXPR / _EXPRESSIONS), decoded like a rule's. */
  expressions?: unknown[];
}

/**
 * Whether nlkit prints this set's declaration and elements. Object maps,
 * interval concatenations and types without a printing are not rendered
 * (they are marked instead of printed wrong).
 */
export function setRenderable(set: { keyType: number; flags: ReadonlyArray<string | number>; dataType?: number }): boolean {
  const map = set.flags.includes('map');
  if (!keyTypeName(set.keyType) || (map && (set.dataType === undefined || !mapDataTypeName(set.dataType)))) return false;
  if (set.flags.includes('object') || set.flags.includes('concat')) return false;
  return !(concatTypes(set.keyType).length > 1 && set.flags.includes('interval'));
}

/**
 * The lines of a named set's block, tab-indented one level, as `nft list
 * ruleset` prints them. A set declared with `typeof` prints as the data type
 * that expression has (nft prints the expression back from its userdata).
 */
export function renderSet(set: NftSetInput): string[] {
  const type = keyTypeName(set.keyType);
  const interval = set.flags.includes('interval');
  const map = set.flags.includes('map');
  const dataType = map && set.dataType !== undefined ? mapDataTypeName(set.dataType) : undefined;
  if (!setRenderable(set)) {
    return [`\t# ${map ? 'map' : 'set'} ${set.name} not rendered: key type ${set.keyType}${map ? `, data type ${set.dataType ?? 'none'}` : ''}, flags ${set.flags.join(',') || 'none'}`];
  }
  const lines = [`\t${map ? 'map' : 'set'} ${set.name} {`, `\t\ttype ${type}${map ? ` : ${dataType}` : ''}`];
  let udata = new Map<number, Uint8Array>();
  try {
    if (set.userdata) udata = parseUserdata(set.userdata);
  } catch (err) {
    lines.push(`\t\t# [unknown userdata 0x${hex(set.userdata!)}: ${(err as Error).message}]`);
  }
  if (set.policy === 1) lines.push('\t\tpolicy memory');
  if (set.size !== undefined) lines.push(`\t\tsize ${set.size}`);
  // `flags timeout` goes without saying once the set has a timeout, unless the set is dynamic.
  const shown = new Set(['constant', 'interval', 'dynamic', ...(set.timeout === undefined || set.flags.includes('eval') ? ['timeout'] : [])]);
  const named = set.flags.map((f) => (f === 'eval' ? 'dynamic' : String(f)));
  const flags = ['constant', 'dynamic', 'interval', 'timeout'].filter((f) => shown.has(f) && named.includes(f));
  if (flags.length) lines.push(`\t\tflags ${flags.join(',')}`);
  if (udata.has(2) && udata.get(2)!.some((x) => x !== 0)) lines.push('\t\tauto-merge');
  if (set.timeout !== undefined) lines.push(`\t\ttimeout ${formatDuration(BigInt(set.timeout))}`);
  if (set.gcInterval !== undefined) lines.push(`\t\tgc-interval ${formatDuration(BigInt(set.gcInterval))}`);
  const comment = udata.get(7);
  if (comment) lines.push(`\t\tcomment "${cString(comment)}"`);
  for (const e of set.expressions ?? []) {
    // The set's expressions are templates: a counter prints without values.
    const name = String((e as { name?: unknown }).name);
    lines.push(`\t\t${name === 'counter' ? 'counter' : renderRule([e], { family: 'unspec' }).text}`);
  }
  const elements = renderElements(set.elements, set.keyType, interval, set.timeout, map ? set.dataType : undefined);
  if (elements.length) lines.push(`\t\telements = { ${wrapElements(elements, set.keyType)} }`);
  lines.push('\t}');
  return lines;
}
