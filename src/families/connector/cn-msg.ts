// Connector framing: every connector message is one netlink message of type
// NLMSG_DONE whose payload is a struct cn_msg followed by `len` bytes of data
// for the connector user named by (idx, val) (linux/connector.h).
//
//   nlmsghdr (16)   cn_msg (20)                                   data (len)
//   ┌────────────┬──────┬──────┬──────┬──────┬──────┬───────┬──────────────┐
//   │ type=DONE  │ idx  │ val  │ seq  │ ack  │ len  │ flags │ proc_event…  │
//   └────────────┴──────┴──────┴──────┴──────┴──────┴───────┴──────────────┘
//                 u32    u32    u32    u32    u16    u16
//
// The layout itself comes from the connector spec (cn-msg struct); this file
// only adds what the spec cannot say: building requests, and checking that
// `len` fits in the message.

import { NLMSG_DONE, NLMSG_HDRLEN, NLM_F_REQUEST, loadCodec, type Codec } from '../../codec/index.js';
import { ArgumentError, MalformedError, TruncatedError } from '../../codec/errors.js';

/** sizeof(struct cn_msg) without its flexible data. */
export const CN_MSG_BYTES = 20;
/** Connector user ids (linux/connector.h). */
export const CN_IDX_PROC = 1;
export const CN_VAL_PROC = 1;
/** The multicast group of process events: the connector uses idx as the group. */
export const CN_PROC_GROUP = CN_IDX_PROC;
/** enum proc_cn_mcast_op. */
export const PROC_CN_MCAST_LISTEN = 1;
export const PROC_CN_MCAST_IGNORE = 2;

export interface CnMsgHeader {
  idx: number;
  val: number;
  seq: number;
  ack: number;
  len: number;
  flags: number;
}

/**
 * Builds one connector request (nlmsghdr + cn_msg + data) as a new array.
 * `portId` is the sender's port: the connector answers and filters by it.
 */
export function buildCnMsg(id: { idx: number; val: number }, data: Uint8Array, options: { seq?: number; ack?: number; portId?: number; codec?: Codec } = {}): Uint8Array {
  if (data.length > 0xffff) throw new ArgumentError(`connector data of ${data.length} bytes exceeds the u16 len field`);
  for (const [name, v] of [['idx', id.idx], ['val', id.val]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new ArgumentError(`cn_msg ${name} ${v} is not a u32`);
  }
  const header = new Uint8Array(CN_MSG_BYTES + data.length);
  header.set(data, CN_MSG_BYTES);
  const view = new DataView(header.buffer);
  view.setUint32(0, id.idx, true);
  view.setUint32(4, id.val, true);
  view.setUint32(8, options.seq ?? 0, true);
  view.setUint32(12, options.ack ?? 0, true);
  view.setUint16(16, data.length, true);
  // The connector ignores NLM_F_REQUEST, but tools such as tracers use it to tell direction.
  const b = (options.codec ?? loadCodec()).builder().reset();
  b.begin(NLMSG_DONE, NLM_F_REQUEST, options.seq ?? 0, options.portId ?? 0).header(header).end();
  return b.finish().slice();
}

/** The PROC_CN_MCAST_LISTEN / IGNORE request that (un)subscribes a socket from process events. */
export function procMulticastRequest(op: 'listen' | 'ignore', portId = 0, seq = 0): Uint8Array {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, op === 'listen' ? PROC_CN_MCAST_LISTEN : PROC_CN_MCAST_IGNORE, true);
  return buildCnMsg({ idx: CN_IDX_PROC, val: CN_VAL_PROC }, data, { seq, portId });
}

/**
 * Reads the cn_msg at `at` of `view` in a message of `messageLength` bytes
 * (header included) and checks that its data fits. `offset` is where the
 * message starts, for error reports.
 */
export function readCnMsg(view: DataView, at: number, messageLength: number, offset = 0): CnMsgHeader {
  const payload = messageLength - NLMSG_HDRLEN;
  if (payload < CN_MSG_BYTES) throw new TruncatedError(`connector message of ${payload} payload bytes is shorter than struct cn_msg (${CN_MSG_BYTES})`, offset + NLMSG_HDRLEN);
  const header: CnMsgHeader = {
    idx: view.getUint32(at, true),
    val: view.getUint32(at + 4, true),
    seq: view.getUint32(at + 8, true),
    ack: view.getUint32(at + 12, true),
    len: view.getUint16(at + 16, true),
    flags: view.getUint16(at + 18, true),
  };
  if (header.len > payload - CN_MSG_BYTES) {
    throw new MalformedError(`cn_msg declares ${header.len} data bytes, only ${payload - CN_MSG_BYTES} follow it`, offset + NLMSG_HDRLEN + 16);
  }
  return header;
}
