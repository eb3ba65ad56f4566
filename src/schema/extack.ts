// Extended acknowledgements with names: the codec decodes the NLMSG_ERROR,
// and the request's schema turns the offending attribute's offset into a
// path of attribute names.

import {
  decodeErrorMessage, loadCodec, MalformedError, NLMSG_HDRLEN, NLMSGERR_SIZE, type AttributeWalker, type Batch, type Codec,
  type ExtendedAck,
} from '../codec/index.js';
import type { MessageSchema } from './compile.js';
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
 * Decodes NLMSG_ERROR message i of a batch (the codec's decodeErrorMessage,
 * strict: damaged ext-ack attributes throw). With the request's schema and
 * bytes, the extack's offset becomes an attribute path by name.
 */
export function decodeErrorReply(
  batch: Batch, i: number,
  request?: { schema: MessageSchema; bytes: Uint8Array }, options?: PathOptions, codec: Codec = loadCodec(),
): ErrorReply {
  batch.check(i);
  if (batch.length(i) < NLMSG_HDRLEN + NLMSGERR_SIZE) {
    throw new MalformedError(`NLMSG_ERROR of ${batch.length(i)} bytes is too short for struct nlmsgerr`, batch.offset(i));
  }
  const decoded = decodeErrorMessage(batch, i, scratchWalker(codec));
  if (decoded.extackError) throw decoded.extackError;
  const out: ErrorReply = { error: decoded.error, request: decoded.request! };
  const extack = decoded.extack;
  if (extack) {
    if (request && extack.offset !== undefined && extack.offset < request.bytes.length) {
      extack.attributePath = attributePath(request.schema, request.bytes, extack.offset, options, codec);
    }
    out.extack = extack;
  }
  return out;
}
