// NLMSG_ERROR (acks and errors) and NLMSG_DONE as netlink_ack and
// netlink_dump_done build them.
//
//   NLMSG_ERROR ┌──────────┬───────┬───────────────────────────┬──────────────────┐
//               │ nlmsghdr │ error │ request nlmsghdr [payload]│ NLMSGERR_ATTR_*  │
//               └──────────┴───────┴───────────────────────────┴──────────────────┘
//   payload echoed only for an error on a socket without capAck (else NLM_F_CAPPED);
//   TLVs only on a socket with extAck, when there is something to say (NLM_F_ACK_TLVS).

import type { MessageBuilder } from '../../codec/builder.js';
import {
  NLMSG_ERROR, NLMSG_DONE, NLMSG_HDRLEN, NLM_F_CAPPED, NLM_F_ACK_TLVS, NLM_F_MULTI, NLM_F_DUMP_INTR,
  NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_COOKIE, NLMSGERR_ATTR_POLICY,
  NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MISS_NEST,
} from '../../codec/constants.js';
import { ArgumentError, type ExtendedAck } from '../../codec/errors.js';
import type { KernelRequest } from './request.js';
import type { SocketFlags } from './socket.js';
import {
  NL_POLICY_TYPE_ATTR_TYPE, NL_POLICY_TYPE_ATTR_MIN_VALUE_S, NL_POLICY_TYPE_ATTR_MAX_VALUE_S,
  NL_POLICY_TYPE_ATTR_MIN_VALUE_U, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, NL_POLICY_TYPE_ATTR_MIN_LENGTH,
  NL_POLICY_TYPE_ATTR_MAX_LENGTH, NL_POLICY_TYPE_ATTR_POLICY_IDX, NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE,
  NL_POLICY_TYPE_ATTR_BITFIELD32_MASK, NL_POLICY_TYPE_ATTR_MASK,
} from './families/constants.js';

/** ExtendedAck.policy keys (NL_POLICY_TYPE_ATTR_* by the nlmsgerr spec's names, camelCase), with their wire width. */
export const POLICY_KEYS: Readonly<Record<string, { type: number; width: 'u32' | 's64' | 'u64' }>> = {
  type: { type: NL_POLICY_TYPE_ATTR_TYPE, width: 'u32' },
  minValueS: { type: NL_POLICY_TYPE_ATTR_MIN_VALUE_S, width: 's64' },
  maxValueS: { type: NL_POLICY_TYPE_ATTR_MAX_VALUE_S, width: 's64' },
  minValueU: { type: NL_POLICY_TYPE_ATTR_MIN_VALUE_U, width: 'u64' },
  maxValueU: { type: NL_POLICY_TYPE_ATTR_MAX_VALUE_U, width: 'u64' },
  minLength: { type: NL_POLICY_TYPE_ATTR_MIN_LENGTH, width: 'u32' },
  maxLength: { type: NL_POLICY_TYPE_ATTR_MAX_LENGTH, width: 'u32' },
  policyIdx: { type: NL_POLICY_TYPE_ATTR_POLICY_IDX, width: 'u32' },
  policyMaxtype: { type: NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE, width: 'u32' },
  bitfield32Mask: { type: NL_POLICY_TYPE_ATTR_BITFIELD32_MASK, width: 'u32' },
  mask: { type: NL_POLICY_TYPE_ATTR_MASK, width: 'u64' },
};

/** Throws an ArgumentError for an extended ACK the wire format cannot carry. */
export function checkExtendedAck(extack: ExtendedAck): void {
  for (const key of Object.keys(extack.policy ?? {})) {
    if (!(key in POLICY_KEYS)) throw new ArgumentError(`extended ACK policy key "${key}" is not one of ${Object.keys(POLICY_KEYS).join(', ')}`);
  }
  for (const [name, value] of [['offset', extack.offset], ['missingType', extack.missingType], ['missingNest', extack.missingNest]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 0xffffffff)) {
      throw new ArgumentError(`extended ACK ${name} ${value} is not a u32`);
    }
  }
}

function hasTlvs(request: KernelRequest, error: number, extack: ExtendedAck | undefined): boolean {
  if (!extack) return false;
  if (extack.message !== undefined || extack.cookie !== undefined) return true;
  if (error === 0) return false;
  return offsetInside(request, extack.offset) || extack.policy !== undefined
    || extack.missingType !== undefined || offsetInside(request, extack.missingNest, true);
}

// The kernel only reports offsets that point into the request.
function offsetInside(request: KernelRequest, offset: number | undefined, endInclusive = false): boolean {
  if (offset === undefined) return false;
  return offset >= NLMSG_HDRLEN && (endInclusive ? offset <= request.length : offset < request.length);
}

/** Builds the NLMSG_ERROR answering `request` with `error` (0 or a negative errno). */
export function buildAck(
  builder: MessageBuilder, request: KernelRequest, error: number, extack: ExtendedAck | undefined, socket: SocketFlags,
): Uint8Array {
  const capped = error === 0 || socket.capAck;
  const tlvs = socket.extAck && hasTlvs(request, error, extack);
  const flags = (capped ? NLM_F_CAPPED : 0) | (tlvs ? NLM_F_ACK_TLVS : 0);
  const echoed = capped ? request.bytes.subarray(0, NLMSG_HDRLEN) : request.bytes;
  builder.reset().begin(NLMSG_ERROR, flags, request.seq, request.portId);
  const at = builder.reserve(4 + echoed.length);
  if (at) {
    builder.memory.view.setInt32(at, error, true);
    builder.memory.u8.set(echoed, at + 4);
  }
  if (tlvs && extack) {
    if (extack.message !== undefined) builder.string(NLMSGERR_ATTR_MSG, extack.message);
    if (error !== 0) {
      if (offsetInside(request, extack.offset)) builder.u32(NLMSGERR_ATTR_OFFS, extack.offset!);
      if (extack.policy) {
        builder.nest(NLMSGERR_ATTR_POLICY, () => {
          for (const [key, value] of Object.entries(extack.policy!)) {
            const spec = POLICY_KEYS[key]!;
            if (spec.width === 'u32') builder.u32(spec.type, Number(value));
            else builder.u64(spec.type, typeof value === 'bigint' ? value : BigInt(value));
          }
        });
      }
      if (extack.missingType !== undefined) builder.u32(NLMSGERR_ATTR_MISS_TYPE, extack.missingType);
      if (offsetInside(request, extack.missingNest, true)) builder.u32(NLMSGERR_ATTR_MISS_NEST, extack.missingNest!);
    }
    if (extack.cookie !== undefined) builder.bytes(NLMSGERR_ATTR_COOKIE, extack.cookie);
  }
  return builder.end().finish().slice();
}

/**
 * Builds the NLMSG_DONE ending a dump: an int error, and the error message
 * as NLMSGERR_ATTR_MSG when the socket asked for extended ACKs.
 */
export function buildDone(
  builder: MessageBuilder, seq: number, portId: number, error: number, interrupted: boolean,
  message: string | undefined, socket: SocketFlags,
): Uint8Array {
  const tlvs = socket.extAck && message !== undefined;
  const flags = NLM_F_MULTI | (interrupted ? NLM_F_DUMP_INTR : 0) | (tlvs ? NLM_F_ACK_TLVS : 0);
  builder.reset().begin(NLMSG_DONE, flags, seq, portId);
  const at = builder.reserve(4);
  if (at) builder.memory.view.setInt32(at, error, true);
  if (tlvs) builder.string(NLMSGERR_ATTR_MSG, message!);
  return builder.end().finish().slice();
}
