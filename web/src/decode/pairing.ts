// Request/reply pairing of a loaded capture's rows, with the pairing rules
// shared with `nlkit decode` (src/trace/decode/pairing.ts).

import { RequestPairer } from '../../../src/trace/decode/pairing.js';
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
  const pairer = new RequestPairer<number>();
  const counts = new Uint32Array(n + 1);
  for (let row = 0; row < n; row++) {
    if (c.status[row] === ROW_RECORD_PROBLEM) continue;
    const request = pairer.observe(c.protocol[row]!, c.type[row]!, c.flags[row]!, c.seq[row]!, c.port[row]!, row);
    if (request === undefined) continue;
    requestOf[row] = request;
    counts[request]!++;
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
