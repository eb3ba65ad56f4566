// What a kernel handler answers with: the equivalents of netlink_unicast,
// netlink_broadcast, nlmsg_notify, netlink_dump_start and the extended ACK.

import type { MessageBuilder } from '../../codec/builder.js';
import { NLM_F_ECHO } from '../../codec/constants.js';
import { NetlinkError, type ExtendedAck } from '../../codec/errors.js';
import type { DumpSource } from './dump.js';
import type { LoopbackKernel } from './kernel.js';
import type { KernelRequest } from './request.js';

export type KernelHandler = (request: KernelRequest, context: KernelContext) => void | number;

export class KernelContext {
  /**
   * The extended ACK for the answer: set fields here (or throw a
   * NetlinkError carrying one). A message set on success is sent as a
   * warning in the ACK, like NL_SET_ERR_MSG on a request that succeeds.
   */
  readonly extack: ExtendedAck = {};
  /** @internal The dump this request started, run once the handler returns. */
  dumpSource: DumpSource | null = null;

  constructor(readonly kernel: LoopbackKernel, readonly request: KernelRequest) {}

  get netns(): string {
    return this.request.netns;
  }

  /** Builds one or more messages with the kernel's builder and returns a copy of the batch. */
  build(fill: (builder: MessageBuilder) => void): Uint8Array {
    const b = this.kernel.codec.builder().reset();
    fill(b);
    return b.finish().slice();
  }

  /**
   * Sends the requester one message of `type` carrying the request's seq and
   * the requester's port id. Returns 0, or a negative errno when its receive
   * buffer was full (the answer is then lost and the socket told of an overrun).
   */
  reply(type: number, flags: number, fill?: (builder: MessageBuilder) => void): number {
    const bytes = this.build((b) => {
      b.begin(type, flags, this.request.seq, this.request.portId);
      fill?.(b);
      b.end();
    });
    return this.send(bytes);
  }

  /** Unicasts a datagram to the requester. */
  send(datagram: Uint8Array): number {
    return this.unicast(this.request.portId, datagram);
  }

  /** netlink_unicast from the kernel: 0, -ECONNREFUSED (no such port) or -EAGAIN (full, overrun). */
  unicast(portId: number, datagram: Uint8Array): number {
    return this.kernel.unicast(this.request.protocol, portId, datagram, { netns: this.netns });
  }

  /** netlink_broadcast: 0 when delivered somewhere, -ESRCH with no listener, -ENOBUFS on a reported failure. */
  broadcast(group: number, datagram: Uint8Array, excludePort = 0): number {
    return this.kernel.broadcast(this.request.protocol, group, datagram, { netns: this.netns, excludePort });
  }

  /**
   * nlmsg_notify: multicasts a notification caused by this request to
   * `group`. With NLM_F_ECHO on the request, the requester gets its own copy
   * (and none through the group), and the message carries the request's seq
   * and port id; otherwise both are 0, as most rtnetlink notifications have.
   */
  notify(group: number, type: number, flags: number, fill?: (builder: MessageBuilder) => void): void {
    const echo = (this.request.flags & NLM_F_ECHO) !== 0;
    const bytes = this.build((b) => {
      b.begin(type, flags, echo ? this.request.seq : 0, echo ? this.request.portId : 0);
      fill?.(b);
      b.end();
    });
    if (group) this.broadcast(group, bytes, echo ? this.request.portId : 0);
    if (echo) this.send(bytes);
  }

  /**
   * Starts a dump answering this request (netlink_dump_start). The first
   * part is made when the handler returns; no ACK is sent for the request.
   * Throws EBUSY when the socket is already dumping.
   */
  dump(source: DumpSource): void {
    if (this.dumpSource || this.kernel.isDumping(this.request)) {
      throw new NetlinkError(16 /* EBUSY */, { operation: 'dump' });
    }
    this.dumpSource = source;
  }

  /** Fails the request with `errno` (positive or negative) and an optional extended ACK. */
  fail(errno: number, extack?: ExtendedAck): never {
    throw new NetlinkError(Math.abs(errno), { operation: 'request', ...(extack ? { extack } : {}) });
  }
}
