// The one Transport interface. A native AF_NETLINK socket and the in-memory
// loopback bus both implement it, and both pass test/contract/.
//
// Receiving fills caller-given slots (typically a Scanner's input region in
// WASM memory) with whole datagrams, many per call, and a metadata row per
// datagram:
//
//   region ─► ┌─ slot 0 (slotSize) ─┬─ slot 1 ─┬─ ... ─┐     meta (u32 × RECV_META_STRIDE per datagram)
//             │ datagram 0 │ unused │ dgram 1  │       │     [length size flags port groups group pid uid gid nsid]
//             └────────────┴────────┴──────────┴───────┘

import { ArgumentError } from '../codec/errors.js';

/** A sender's credentials (struct ucred, from SCM_CREDENTIALS). */
export interface Credentials {
  pid: number;
  uid: number;
  gid: number;
}

/** A netlink socket address (struct sockaddr_nl without the family). */
export interface NetlinkAddress {
  /** nl_pid: the port id; 0 is the kernel. */
  portId: number;
  /** nl_groups: a mask of multicast groups 1..32. */
  groups: number;
}

/** Where and how much to receive: slot i starts at i * slotSize of region. */
export interface ReceiveRegion {
  region: Uint8Array;
  slotSize: number;
  /** At most this many datagrams (and region, meta have room for them). */
  slots: number;
  /** RECV_META_STRIDE u32 words per slot. */
  meta: Uint32Array;
}

export interface ReceiveResult {
  /** Datagrams received this call; 0 when nothing was waiting. */
  datagrams: number;
  /**
   * The kernel (or the bus) dropped messages for this socket since the last
   * receive: it reported ENOBUFS. Reported once per overrun, like the kernel.
   */
  overrun: boolean;
}

export const RECV_META_STRIDE = 10;
/** Bytes of the datagram in its slot. */
export const RECV_META_LENGTH = 0;
/** The datagram's real size; larger than LENGTH when it was truncated. */
export const RECV_META_SIZE = 1;
/** RECV_FLAG_* bits. */
export const RECV_META_FLAGS = 2;
/** Sender's port id (0 = kernel). */
export const RECV_META_PORT = 3;
/** nl_groups of the sender address: the destination group mask (groups 1..32). */
export const RECV_META_GROUPS = 4;
/** With packetInfo on: the multicast group number it was sent to (any group), else 0. */
export const RECV_META_GROUP = 5;
/** With passCredentials on: the sender's credentials. */
export const RECV_META_PID = 6;
export const RECV_META_UID = 7;
export const RECV_META_GID = 8;
/** With listenAllNsid on: the peer namespace id (signed, as u32). */
export const RECV_META_NSID = 9;

/** The datagram was larger than its slot (MSG_TRUNC); only LENGTH bytes are there. */
export const RECV_FLAG_TRUNCATED = 1;
export const RECV_FLAG_CREDENTIALS = 2;
export const RECV_FLAG_NSID = 4;
export const RECV_FLAG_GROUP = 8;

/** Socket options, by what they do (SOL_SOCKET and SOL_NETLINK). */
export type SocketOption =
  | 'receiveBuffer' // SO_RCVBUF
  | 'receiveBufferForce' // SO_RCVBUFFORCE (set only; needs CAP_NET_ADMIN)
  | 'sendBuffer' // SO_SNDBUF
  | 'passCredentials' // SO_PASSCRED
  | 'packetInfo' // NETLINK_PKTINFO
  | 'broadcastError' // NETLINK_BROADCAST_ERROR
  | 'noEnobufs' // NETLINK_NO_ENOBUFS
  | 'listenAllNsid' // NETLINK_LISTEN_ALL_NSID
  | 'capAck' // NETLINK_CAP_ACK
  | 'extAck' // NETLINK_EXT_ACK
  | 'strictCheck'; // NETLINK_GET_STRICT_CHK

export interface OpenOptions {
  /** Port id to bind; 0 or absent lets the kernel (or bus) choose. */
  portId?: number;
  /** Group mask (groups 1..32) to bind with. */
  groups?: number;
  /** Network namespace: a name under /run/netns, or an open namespace fd (native only). */
  netns?: string | number;
}

export interface Transport {
  /** NETLINK_ROUTE, NETLINK_GENERIC, ... */
  readonly protocol: number;
  readonly closed: boolean;

  /** The bound address (getsockname). */
  address(): NetlinkAddress;

  /** Sends one datagram, to the kernel unless `to` says otherwise. */
  send(datagram: Uint8Array, to?: NetlinkAddress): void;

  /**
   * Sends consecutive datagrams of `data` with the given lengths in one call
   * (sendmmsg). Returns how many were sent; fewer than asked means the rest
   * would have blocked.
   */
  sendBatch(data: Uint8Array, lengths: ArrayLike<number>, to?: NetlinkAddress): number;

  /** Receives what is waiting, never blocking. */
  receive(into: ReceiveRegion): ReceiveResult;

  /**
   * Calls `handler` (never synchronously from another call on this transport)
   * whenever datagrams are waiting; level-triggered: it is called again while
   * any remain after it returns. null stops the notifications.
   */
  setReadableHandler(handler: (() => void) | null): void;

  setOption(option: SocketOption, value: number | boolean): void;
  getOption(option: SocketOption): number;

  /** Joins multicast group `group` (any number, above 32 too). */
  addMembership(group: number): void;
  dropMembership(group: number): void;
  /** The groups joined (NETLINK_LIST_MEMBERSHIPS). */
  memberships(): number[];

  /** Closes the socket; idempotent. Later calls throw a NetlinkError (EBADF). */
  close(): void;
}

/**
 * A socket option's value as setsockopt takes it: a boolean as 0/1, or an
 * integer 0..INT_MAX; anything else is an ArgumentError. Every transport
 * checks values this one way.
 */
export function optionNumber(option: string, value: number | boolean): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0x7fffffff) return value;
  throw new ArgumentError(`${option} must be a boolean or a non-negative integer, got ${String(value)}`);
}
