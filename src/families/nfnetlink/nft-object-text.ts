// nft's text for named stateful objects (counter, quota, ct helper and ct
// expectation blocks).

import { byteRate, describeObject, formatDuration, formatValue, hex } from './nft-values.js';

/** What renderObject needs of a named object (listObjects gives it). */
export interface NftObjectInput {
  name: string;
  /** The object type by the spec's name ('counter', 'quota', ...) or number. */
  type: string | number;
  /** Its state, decoded by the spec (an object), or bytes for a type the spec has no format for. */
  data?: unknown;
  userdata?: Uint8Array;
}

/**
 * The lines of a named object's block, as `nft list ruleset` prints them:
 *
 *   counter c1 {            quota q1 {                      ct helper h {
 *       packets 0 bytes 0       over 10 mbytes used 1 kbytes    type "ftp" protocol tcp
 *   }                       }                                   l3proto inet
 *                                                           }
 *
 * Other types (ct timeout, limit, ...) and annotated objects get a marker line.
 */
export function renderObject(obj: NftObjectInput): string[] {
  const ct = renderCtObject(obj);
  if (ct) return ct;
  const d = obj.data && typeof obj.data === 'object' && !(obj.data instanceof Uint8Array) ? obj.data as Record<string, unknown> : undefined;
  const big = (v: unknown) => (typeof v === 'bigint' || typeof v === 'number' ? BigInt(v) : undefined);
  let body: string | undefined;
  if (d && !obj.userdata && obj.type === 'counter') {
    body = `packets ${big(d.packets) ?? 0n} bytes ${big(d.bytes) ?? 0n}`;
  } else if (d && !obj.userdata && obj.type === 'quota') {
    const bytes = big(d.bytes);
    const flags = d.flags === undefined ? [] : Array.isArray(d.flags) ? d.flags : [d.flags];
    const used = big(d.consumed) ?? 0n;
    // Only the invert flag is printed; depleted is state nft does not show.
    if (bytes !== undefined && flags.every((x) => x === 'invert' || x === 'depleted' || x === 1 || x === 2 || x === 3)) {
      const over = flags.some((x) => x === 'invert' || x === 1 || x === 3);
      body = `${over ? 'over ' : ''}${byteRate(bytes)}${used ? ` used ${byteRate(used)}` : ''}`;
    }
  }
  if (body === undefined) return [`\t# ${String(obj.type)} ${obj.name} not rendered: [unknown object${d ? ` ${describeObject(d)}` : ''}${obj.userdata ? ` userdata=0x${hex(obj.userdata)}` : ''}]`];
  return [`\t${obj.type} ${obj.name} {`, `\t\t${body}`, '\t}'];
}

/** Families as nft names a conntrack object's l3proto. */
const L3PROTOS: Record<number, string> = { 1: 'inet', 2: 'ip', 10: 'ip6' };
const protocol = (n: unknown) => (typeof n === 'number' ? formatValue(Uint8Array.of(n), 'proto') : undefined);

/** `ct helper` and `ct expectation` blocks; undefined for anything else, or fields nft would print differently. */
function renderCtObject(obj: NftObjectInput): string[] | undefined {
  const d = obj.data && typeof obj.data === 'object' && !(obj.data instanceof Uint8Array) ? obj.data as Record<string, unknown> : undefined;
  if (!d || obj.userdata || d.$unknown !== undefined) return undefined;
  const l3 = typeof d.l3proto === 'number' ? L3PROTOS[d.l3proto] : undefined;
  const l4 = protocol(d.l4proto);
  if (l3 === undefined || l4 === undefined) return undefined;
  if (obj.type === 'ct-helper') {
    if (typeof d.name !== 'string') return undefined;
    return [`\tct helper ${obj.name} {`, `\t\ttype "${d.name}" protocol ${l4}`, `\t\tl3proto ${l3}`, '\t}'];
  }
  if (obj.type === 'ct-expect') {
    const { dport, timeout, size } = d;
    if (typeof dport !== 'number' || typeof timeout !== 'number' || typeof size !== 'number') return undefined;
    return [
      `\tct expectation ${obj.name} {`, `\t\tprotocol ${l4}`, `\t\tdport ${dport}`, `\t\ttimeout ${formatDuration(BigInt(timeout))}`,
      `\t\tsize ${size}`, `\t\tl3proto ${l3}`, '\t}',
    ];
  }
  return undefined;
}
