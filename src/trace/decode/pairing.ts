// Request/reply pairing by (protocol, port id, sequence number), one message
// at a time, so that it works on a stream as well as on a loaded capture.
//
//   request  (NLM_F_REQUEST)      ──► opens  protocol/seq/port
//   reply    (no NLM_F_REQUEST)   ──► answers the open request with its
//                                     protocol, seq and port (port 0 tried next)
//   NLMSG_ERROR / NLMSG_DONE      ──► answers it and closes the exchange
//
// A request sent with nlmsg_pid 0 and no port in the capture is kept under
// port 0, which replies try after their own port. A later request with the
// same key replaces an open one (a retransmission or a reused seq).

import { NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR } from '../../codec/index.js';

/** Keys of an open exchange: one string, cheap enough next to a decode. */
function keyOf(protocol: number, seq: number, port: number): string {
  return `${protocol}/${seq}/${port}`;
}

export class RequestPairer<T> {
  private readonly open = new Map<string, T>();

  /**
   * Feeds one message; returns the request it answers (undefined for a
   * request, or a message that answers nothing open). `request` is what the
   * pairer keeps for a request (a row number, a message summary); replies
   * may pass null.
   */
  observe(protocol: number, type: number, flags: number, seq: number, port: number, request: T | null): T | undefined {
    if (flags & NLM_F_REQUEST) {
      if (request === null) throw new TypeError('a request needs a value to keep');
      const key = keyOf(protocol, seq, port);
      this.open.set(key, request);
      return undefined;
    }
    if (this.open.size === 0) return undefined;
    let key = keyOf(protocol, seq, port);
    let found = this.open.get(key);
    if (found === undefined && port !== 0) {
      key = keyOf(protocol, seq, 0);
      found = this.open.get(key);
    }
    if (found !== undefined && (type === NLMSG_ERROR || type === NLMSG_DONE)) this.open.delete(key);
    return found;
  }
}
