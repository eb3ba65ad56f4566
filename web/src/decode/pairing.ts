// Request/reply pairing by (protocol, port id, sequence number): a request
// is a message with NLM_F_REQUEST; a later message without it, on the same
// protocol, addressed to the same port with the same seq, answers it. An
// NLMSG_ERROR (error or ack) or NLMSG_DONE closes the exchange.
//
// Requests sent with nlmsg_pid 0 and no port in the capture are kept under
// port 0, which replies try after their own port.

import { NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR } from '../../../src/codec/index.js';
import type { Columns } from '../shared/columns.js';
import { ROW_RECORD_PROBLEM } from '../shared/status.js';

export interface Pairing {
  /** Row of the request a row answers, -1 when none. */
  requestOf: Int32Array;
  /** Replies of request r: replyList[replyStart[r] .. replyStart[r + 1]). */
  replyStart: Uint32Array;
  replyList: Uint32Array;
}

export function pairMessages(c: Columns): Pairing {
  const n = c.count;
  const requestOf = new Int32Array(n).fill(-1);
  const open = new Map<string, number>();
  const counts = new Uint32Array(n + 1);
  for (let row = 0; row < n; row++) {
    if (c.status[row] === ROW_RECORD_PROBLEM) continue;
    const key = `${c.protocol[row]}/${c.seq[row]}/`;
    if (c.flags[row]! & NLM_F_REQUEST) {
      open.set(key + c.port[row], row);
      continue;
    }
    let portKey = key + c.port[row];
    let request = open.get(portKey);
    if (request === undefined) {
      portKey = key + '0';
      request = open.get(portKey);
    }
    if (request === undefined) continue;
    requestOf[row] = request;
    counts[request]!++;
    const type = c.type[row];
    if (type === NLMSG_ERROR || type === NLMSG_DONE) open.delete(portKey);
  }
  const replyStart = new Uint32Array(n + 1);
  for (let row = 0, at = 0; row <= n; row++) {
    replyStart[row] = at;
    at += counts[row]!;
  }
  const fill = replyStart.slice(0, n);
  const replyList = new Uint32Array(replyStart[n]!);
  for (let row = 0; row < n; row++) {
    const r = requestOf[row]!;
    if (r >= 0) replyList[fill[r]!++] = row;
  }
  return { requestOf, replyStart, replyList };
}
