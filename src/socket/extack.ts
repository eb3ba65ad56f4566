// Decoding of NLMSG_ERROR payloads: the errno, the echoed request header and,
// with NLM_F_ACK_TLVS, the extended-ack attributes.
//
//   ┌──────────┬───────┬────────────────────┬──────────────────────┬─────────────────┐
//   │ nlmsghdr │ error │ request's nlmsghdr │ request payload      │ NLMSGERR_ATTR_* │
//   │          │ s32   │ (16 bytes)         │ (absent when CAPPED) │ (ACK_TLVS)      │
//   └──────────┴───────┴────────────────────┴──────────────────────┴─────────────────┘

import {
  NLMSG_HDRLEN, NLM_F_CAPPED, NLM_F_ACK_TLVS, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_POLICY, NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MISS_NEST,
} from '../codec/constants.js';
import type { Codec } from '../codec/codec.js';
import type { WalkOptions } from '../codec/attributes.js';
import { scratch } from './scratch.js';
import type { AttributeList } from '../codec/attributes.js';
import type { ExtendedAck } from '../codec/errors.js';

/** NL_POLICY_TYPE_ATTR_* (linux/netlink.h) as ExtendedAck.policy keys: the nlmsgerr spec's names in camelCase. */
const POLICY_ATTRIBUTES: Record<number, string> = {
  1: 'type', 2: 'minValueS', 3: 'maxValueS', 4: 'minValueU', 5: 'maxValueU',
  6: 'minLength', 7: 'maxLength', 8: 'policyIdx', 9: 'policyMaxtype', 10: 'bitfield32Mask', 12: 'mask',
};

/** NL_ATTR_TYPE_* names, the value of the policy's `type`. */
export const POLICY_TYPES: readonly string[] = [
  'invalid', 'flag', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'binary', 'string',
  'nul-string', 'nested', 'nested-array', 'bitfield32', 'sint', 'uint',
];

export interface DecodedError {
  /** 0 for an ack, else a negative errno. */
  error: number;
  /** The echoed request header. */
  request: { length: number; type: number; flags: number; seq: number; pid: number };
  extack?: ExtendedAck;
}

/**
 * Decodes an NLMSG_ERROR message given as its bytes (header included). The
 * caller has checked that it is at least 36 bytes (the scanner flags shorter
 * ones). Unknown ext-ack attributes are ignored; malformed ones end the
 * decoding of the ext-ack (the errno still stands).
 */
export function decodeErrorMessage(codec: Codec, bytes: Uint8Array): DecodedError {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint16(6, true);
  const error = view.getInt32(NLMSG_HDRLEN, true);
  const echo = NLMSG_HDRLEN + 4;
  const request = {
    length: view.getUint32(echo, true),
    type: view.getUint16(echo + 4, true),
    flags: view.getUint16(echo + 6, true),
    seq: view.getUint32(echo + 8, true),
    pid: view.getUint32(echo + 12, true),
  };
  const result: DecodedError = { error, request };
  if (!(flags & NLM_F_ACK_TLVS)) return result;
  const echoed = flags & NLM_F_CAPPED ? NLMSG_HDRLEN : (request.length + 3) & ~3;
  const start = echo + echoed;
  if (start >= bytes.length) return result;
  const batch = scratch(codec).scanBytes(bytes);
  result.extack = readExtack(batch.attributes(0, start - NLMSG_HDRLEN));
  return result;
}

function readExtack(list: AttributeList): ExtendedAck {
  const ack: ExtendedAck = {};
  const d = list.decoder();
  while (d.next()) {
    switch (d.type) {
      case NLMSGERR_ATTR_MSG: ack.message = d.string(); break;
      case NLMSGERR_ATTR_OFFS: ack.offset = d.u32(); break;
      case NLMSGERR_ATTR_COOKIE: ack.cookie = d.bytes(); break;
      case NLMSGERR_ATTR_MISS_TYPE: ack.missingType = d.u32(); break;
      case NLMSGERR_ATTR_MISS_NEST: ack.missingNest = d.u32(); break;
      case NLMSGERR_ATTR_POLICY: {
        const policy: Record<string, number | bigint> = {};
        d.nested((p) => {
          while (p.next()) {
            const name = POLICY_ATTRIBUTES[p.type] ?? `attr${p.type}`;
            const value = p.type === 2 || p.type === 3 ? p.s64() : p.uint();
            policy[name] = value;
          }
        });
        ack.policy = policy;
        break;
      }
    }
  }
  return ack;
}

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
