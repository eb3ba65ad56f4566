// nft's annotations on tables, chains, rules and sets (NFTA_*_USERDATA):
// comments, and a set's auto-merge flag and typeof expressions.

import { TruncatedError } from '../../codec/errors.js';
import { cString, hex } from './nft-values.js';

/**
 * nft's own annotations (libnftnl "udata"): u8 type, u8 length, value. Rule,
 * chain and table comments are type 0; a set's comment is 7, its auto-merge
 * flag 2, its `typeof` expressions 3 and 4.
 *
 *   ┌──────┬─────┬───────────────┬──────┬─────┬─────
 *   │ type │ len │ value (len)   │ type │ len │ ...
 *   └──────┴─────┴───────────────┴──────┴─────┴─────
 */
export function parseUserdata(bytes: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw new TruncatedError('userdata entry without its length byte', at);
    const len = bytes[at + 1]!;
    if (at + 2 + len > bytes.length) throw new TruncatedError(`userdata entry of ${len} bytes runs past the ${bytes.length} bytes`, at);
    out.set(bytes[at]!, bytes.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}

/** The comment stored in userdata under `type`, if any. */
export function userdataComment(bytes: Uint8Array | undefined, type: number): string | undefined {
  if (!bytes) return undefined;
  const v = parseUserdata(bytes).get(type);
  return v ? cString(v) : undefined;
}

/**
 * What nft prints for an object's comment (userdata entry 0): `comment
 * "..."`, understood; or, when the userdata does not parse, an `[unknown
 * userdata ...]` marker with its bytes, so that nothing is dropped silently.
 * Undefined when there is no comment.
 */
export function commentText(bytes: unknown): { text: string; understood: boolean } | undefined {
  if (!(bytes instanceof Uint8Array)) return undefined;
  try {
    const c = userdataComment(bytes, 0);
    return c === undefined ? undefined : { text: `comment "${c}"`, understood: true };
  } catch (err) {
    return { text: `[unknown userdata 0x${hex(bytes)}: ${(err as Error).message}]`, understood: false };
  }
}
