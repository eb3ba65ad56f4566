// Decoding of NLMSG_ERROR messages: the errno, the echoed request header and,
// with NLM_F_ACK_TLVS, the extended-ack attributes. The one decoder that the
// socket engine, the schema layer and trace decoding all use.
//
//   ┌──────────┬───────┬────────────────────┬──────────────────────┬─────────────────┐
//   │ nlmsghdr │ error │ request's nlmsghdr │ request payload      │ NLMSGERR_ATTR_* │
//   │          │ s32   │ (16 bytes)         │ (absent when CAPPED) │ (ACK_TLVS)      │
//   └──────────┴───────┴────────────────────┴──────────────────────┴─────────────────┘

import {
  NLMSG_HDRLEN, NLMSG_DONE, NLMSGERR_SIZE, NLM_F_CAPPED, NLM_F_ACK_TLVS, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS,
  NLMSGERR_ATTR_COOKIE, NLMSGERR_ATTR_POLICY, NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MISS_NEST,
} from './constants.js';
import type { Batch } from './batch.js';
import type { AttributeDecoder, AttributeWalker } from './attributes.js';
import { DecodeError, type ExtendedAck } from './errors.js';

/**
 * NL_POLICY_TYPE_ATTR_* (linux/netlink.h) as ExtendedAck.policy keys: the
 * nlmsgerr spec's names in camelCase. Others (PAD) are left out.
 */
const POLICY_KEYS: Readonly<Record<number, string>> = {
  1: 'type', 2: 'minValueS', 3: 'maxValueS', 4: 'minValueU', 5: 'maxValueU',
  6: 'minLength', 7: 'maxLength', 8: 'policyIdx', 9: 'policyMaxtype', 10: 'bitfield32Mask', 12: 'mask',
};
const SIGNED_POLICY_KEYS = new Set([2, 3]);

export interface ErrorMessage {
  /** 0 for an acknowledgement, else a negative errno. */
  error: number;
  /** The request's header as echoed (NLMSG_ERROR only: a dump's NLMSG_DONE echoes nothing). */
  request?: { length: number; type: number; flags: number; seq: number; pid: number };
  extack?: ExtendedAck;
  /** Set when the ext-ack attributes were malformed: what was read before stands. */
  extackError?: DecodeError;
}

/**
 * Decodes NLMSG_ERROR message i of a batch, or an NLMSG_DONE that ends a
 * dump with an error (an s32 and, with NLM_F_ACK_TLVS, ext-ack attributes
 * right after it). The caller has checked the status (the scanner flags an
 * NLMSG_ERROR too short for struct nlmsgerr) and, for DONE, that it carries
 * the s32 (Batch.errorCode does). The ext-ack
 * attributes are walked with `walker`, so that the caller's own lists stay
 * valid. 64-bit policy values are numbers when exact, else bigints.
 */
export function decodeErrorMessage(batch: Batch, i: number, walker: AttributeWalker): ErrorMessage {
  const bytes = batch.view(i);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = batch.flags(i);
  const out: ErrorMessage = { error: view.getInt32(NLMSG_HDRLEN, true) };
  let header = 4;
  if (batch.type(i) !== NLMSG_DONE) {
    const echo = NLMSG_HDRLEN + 4;
    const request = {
      length: view.getUint32(echo, true), type: view.getUint16(echo + 4, true), flags: view.getUint16(echo + 6, true),
      seq: view.getUint32(echo + 8, true), pid: view.getUint32(echo + 12, true),
    };
    out.request = request;
    // The echoed request is there in full unless capped (acks always are).
    header = NLMSGERR_SIZE + (flags & NLM_F_CAPPED || out.error === 0 ? 0 : Math.max(0, request.length - NLMSG_HDRLEN));
  }
  if (!(flags & NLM_F_ACK_TLVS)) return out;
  let d: AttributeDecoder;
  try {
    d = batch.attributes(i, header, { walker }).decoder();
  } catch (e) {
    // An echoed length that runs past the message: no ext-ack to read.
    if (!(e instanceof DecodeError)) throw e;
    out.extackError = e;
    return out;
  }
  out.extack = readExtack(d);
  if (d.error) out.extackError = d.error;
  return out;
}

function readExtack(d: AttributeDecoder): ExtendedAck {
  const ack: ExtendedAck = {};
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
            const key = POLICY_KEYS[p.type];
            if (key === undefined) continue;
            if (!SIGNED_POLICY_KEYS.has(p.type)) {
              policy[key] = p.uint();
            } else {
              const value = p.s64();
              policy[key] = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
            }
          }
        });
        ack.policy = policy;
        break;
      }
    }
  }
  return ack;
}
