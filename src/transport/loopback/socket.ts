// The state the bus keeps per socket: address, memberships, the receive
// queue with its accounting, socket options, and a running dump.
//
//   queue ─► [datagram][datagram][datagram] ...   rmemAlloc = Σ truesize
//            ▲ head                                admitted while ≤ rcvbuf

import type { Credentials } from './environment.js';
import type { DumpRun } from './dump.js';

/** A datagram in flight or queued: the bytes and what recvmsg reports with them. */
export interface Datagram {
  /** The bytes, owned by the bus (a copy of what was sent). */
  readonly bytes: Uint8Array;
  /** Sender's port id, u32 (0: the kernel). */
  readonly senderPort: number;
  /** The multicast group it was sent to; 0 for unicast. */
  readonly group: number;
  /** Sender's credentials (all 0 for the kernel, as Linux reports them). */
  readonly credentials: Credentials;
  /** What the receive buffer is charged for it (see accounting.ts). */
  readonly truesize: number;
}

export const KERNEL_CREDENTIALS: Readonly<Credentials> = Object.freeze({ pid: 0, uid: 0, gid: 0 });

/** Boolean socket options, as stored. */
export interface SocketFlags {
  passCredentials: boolean;
  packetInfo: boolean;
  broadcastError: boolean;
  noEnobufs: boolean;
  listenAllNsid: boolean;
  capAck: boolean;
  extAck: boolean;
  strictCheck: boolean;
}

export class LoopbackSocket {
  /** Bound port id, u32. */
  portId = 0;
  /** Joined groups (any number up to the protocol's group count). */
  readonly groups = new Set<number>();
  rcvbuf: number;
  sndbuf: number;
  rmemAlloc = 0;
  /** NETLINK_S_CONGESTED: set by an overrun, cleared when the queue drains. */
  congested = false;
  /** sk_err = ENOBUFS, waiting to be reported by the next receive. */
  overrunPending = false;
  /** Datagrams the bus dropped for this socket (the Drops column of /proc/net/netlink). */
  drops = 0;
  /** The largest receive slot seen, which sizes dump parts (nlk->max_recvmsg_len). */
  maxRecvmsgLen = 0;
  dump: DumpRun | null = null;
  closed = false;
  readableHandler: (() => void) | null = null;
  readonly flags: SocketFlags = {
    passCredentials: false, packetInfo: false, broadcastError: false, noEnobufs: false,
    listenAllNsid: false, capAck: false, extAck: false, strictCheck: false,
  };
  private queue: Datagram[] = [];
  private head = 0;

  constructor(
    readonly protocol: number,
    readonly netns: string,
    readonly credentials: Credentials,
    rcvbuf: number,
    sndbuf: number,
  ) {
    this.rcvbuf = rcvbuf;
    this.sndbuf = sndbuf;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Whether a datagram of `truesize` may be queued now. */
  admits(truesize: number): boolean {
    return !this.congested && (this.rmemAlloc === 0 || this.rmemAlloc + truesize <= this.rcvbuf);
  }

  enqueue(datagram: Datagram): void {
    this.queue.push(datagram);
    this.rmemAlloc += datagram.truesize;
  }

  /** Takes the oldest datagram, or null. */
  dequeue(): Datagram | null {
    if (this.head >= this.queue.length) return null;
    const datagram = this.queue[this.head]!;
    this.queue[this.head] = undefined as unknown as Datagram;
    this.head++;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.rmemAlloc -= datagram.truesize;
    return datagram;
  }

  /**
   * A datagram for this socket was dropped (netlink_overrun): the first drop
   * since the queue last drained is reported once, unless noEnobufs is set.
   */
  overrun(): void {
    if (!this.flags.noEnobufs && !this.congested) {
      this.congested = true;
      this.overrunPending = true;
    }
    this.drops++;
  }

  /** The mask of joined groups 1..32, as getsockname reports nl_groups. */
  groupMask(): number {
    let mask = 0;
    for (const group of this.groups) if (group <= 32) mask |= 1 << (group - 1);
    return mask >>> 0;
  }

  clear(): void {
    this.queue = [];
    this.head = 0;
    this.rmemAlloc = 0;
    this.groups.clear();
    this.dump = null;
    this.readableHandler = null;
  }
}
