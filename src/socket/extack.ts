// Where an extended ack's offset points in a request: the path of attribute
// types down to it. (The NLMSG_ERROR itself is decoded by the codec's
// decodeErrorMessage.)

import { NLMSG_HDRLEN } from '../codec/constants.js';
import type { Codec } from '../codec/codec.js';
import type { WalkOptions } from '../codec/attributes.js';
import { scratch } from './scratch.js';

/** NL_ATTR_TYPE_* names, the value of an ExtendedAck policy's `type`. */
export const POLICY_TYPES: readonly string[] = [
  'invalid', 'flag', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'binary', 'string',
  'nul-string', 'nested', 'nested-array', 'bitfield32', 'sint', 'uint',
];

/**
 * The path of attribute types leading to byte `offset` of a request (offsets
 * count from the request's nlmsghdr), or undefined when the offset falls in
 * no attribute. `familyHeaderLength` is the request's fixed header; a schema's
 * nest map in `options` lets it descend nests sent without NLA_F_NESTED.
 */
export function attributePathAt(
  codec: Codec, request: Uint8Array, familyHeaderLength: number, offset: number, options?: WalkOptions,
): number[] | undefined {
  if (offset < NLMSG_HDRLEN || offset >= request.length) return undefined;
  const batch = scratch(codec).scanBytes(request);
  if (batch.count < 1 || batch.status(0) !== 0) return undefined;
  const list = batch.attributes(0, familyHeaderLength, options);
  const path: number[] = [];
  let parent = -1;
  for (;;) {
    const end = parent < 0 ? list.count : list.next(parent);
    let found = -1;
    for (let k = parent + 1; k < end; k = list.next(k)) {
      if (offset >= list.offset(k) && offset < list.offset(k) + list.length(k)) {
        found = k;
        break;
      }
    }
    if (found < 0) return path.length > 0 ? path : undefined;
    path.push(list.type(found));
    // Descend only where the walk found children (a nest it could parse).
    if (list.next(found) === found + 1 || offset < list.offset(found) + 4) return path;
    parent = found;
  }
}
