// nft's text for named stateful objects (counter and quota blocks).

import { byteRate, describeObject, hex } from './nft-values.js';

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
 *   counter c1 {            quota q1 {
 *       packets 0 bytes 0       over 10 mbytes used 1 kbytes
 *   }                       }
 *
 * Other types (ct helper, limit, ...) and annotated objects get a marker line.
 */
export function renderObject(obj: NftObjectInput): string[] {
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
