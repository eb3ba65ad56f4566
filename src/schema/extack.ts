// Extended acknowledgements: an NLMSG_ERROR's NLMSGERR_ATTR_* attributes
// decoded by the 'nlmsgerr' spec, with the offending attribute's path
// resolved against the request when its schema and bytes are at hand.
//
//   nlmsghdr | nlmsgerr { error; nlmsghdr of the request } | request payload (unless capped) | NLMSGERR_ATTR_*
//                                                           ^ NLM_F_CAPPED drops it; NLM_F_ACK_TLVS says attributes follow

import {
  loadCodec, MalformedError, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_HDRLEN, NLMSGERR_SIZE, type AttributeWalker, type Batch, type Codec,
  type ExtendedAck,
} from '../codec/index.js';
import type { Family, MessageSchema } from './compile.js';
import { decodeAttributeList } from './decode.js';
import { attributePath, type PathOptions } from './path.js';

const walkers = new WeakMap<Codec, AttributeWalker>();

/** A walker of its own per codec, so that decoding an error disturbs no caller's list. */
function scratchWalker(codec: Codec): AttributeWalker {
  let walker = walkers.get(codec);
  if (!walker) walkers.set(codec, (walker = codec.walker()));
  return walker;
}

export interface ErrorReply {
  /** 0 for an acknowledgement, else a negative errno. */
  error: number;
  /** The request's header as echoed. */
  request: { length: number; type: number; flags: number; seq: number; pid: number };
  extack?: ExtendedAck;
}

/**
 * Decodes NLMSG_ERROR message i of a batch. With the request's schema and
 * bytes, the extack's offset becomes an attribute path.
 */
export function decodeErrorReply(
  nlmsgerr: Family, batch: Batch, i: number,
  request?: { schema: MessageSchema; bytes: Uint8Array }, options?: PathOptions, codec: Codec = loadCodec(),
): ErrorReply {
  batch.check(i);
  if (batch.length(i) < NLMSG_HDRLEN + NLMSGERR_SIZE) {
    throw new MalformedError(`NLMSG_ERROR of ${batch.length(i)} bytes is too short for struct nlmsgerr`, batch.offset(i));
  }
  const view = batch.view(i);
  const dv = new DataView(view.buffer, view.byteOffset, view.byteLength);
  const out: ErrorReply = {
    error: dv.getInt32(NLMSG_HDRLEN, true),
    request: {
      length: dv.getUint32(NLMSG_HDRLEN + 4, true), type: dv.getUint16(NLMSG_HDRLEN + 8, true),
      flags: dv.getUint16(NLMSG_HDRLEN + 10, true), seq: dv.getUint32(NLMSG_HDRLEN + 12, true), pid: dv.getUint32(NLMSG_HDRLEN + 16, true),
    },
  };
  const flags = batch.flags(i);
  if (!(flags & NLM_F_ACK_TLVS)) return out;
  // The echoed request is there in full unless capped (or unless this is an ack).
  const echoed = flags & NLM_F_CAPPED || out.error === 0 ? 0 : Math.max(0, out.request.length - NLMSG_HDRLEN);
  const set = nlmsgerr.set('ext-ack-attrs');
  const list = batch.attributes(i, NLMSGERR_SIZE + echoed, { nestMap: nlmsgerr.nestMap, rootSet: set.index, walker: scratchWalker(codec) });
  const attrs = decodeAttributeList(list, set, { enums: 'names' }, codec);
  const extack: ExtendedAck = {};
  if (typeof attrs.msg === 'string') extack.message = attrs.msg;
  if (typeof attrs.offs === 'number') {
    extack.offset = attrs.offs;
    if (request && attrs.offs < request.bytes.length) extack.attributePath = attributePath(request.schema, request.bytes, attrs.offs, options, codec);
  }
  if (attrs.cookie instanceof Uint8Array) extack.cookie = attrs.cookie;
  if (attrs.policy && typeof attrs.policy === 'object') {
    const policy: Record<string, number | bigint> = {};
    const policySet = nlmsgerr.set('policy-attrs');
    for (const [key, value] of Object.entries(attrs.policy as Record<string, unknown>)) {
      const a = policySet.byKey.get(key);
      if (!a) continue;
      const v = a.enum && typeof value === 'string' ? a.enum.byName.get(value) : value;
      if (typeof v === 'number' || typeof v === 'bigint') policy[key] = v;
    }
    extack.policy = policy;
  }
  if (typeof attrs.missType === 'number') extack.missingType = attrs.missType;
  if (typeof attrs.missNest === 'number') extack.missingNest = attrs.missNest;
  out.extack = extack;
  return out;
}
