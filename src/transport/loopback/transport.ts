// LoopbackTransport: the Transport interface over a LoopbackKernel socket.
// Receiving copies each queued datagram into its slot and writes the same
// metadata row a native recvmmsg would.

import { ArgumentError, NetlinkError } from '../../codec/errors.js';
import {
  RECV_META_STRIDE, RECV_META_LENGTH, RECV_META_SIZE, RECV_META_FLAGS, RECV_META_PORT, RECV_META_GROUPS,
  RECV_META_GROUP, RECV_META_PID, RECV_META_UID, RECV_META_GID, RECV_META_NSID,
  RECV_FLAG_TRUNCATED, RECV_FLAG_CREDENTIALS, RECV_FLAG_GROUP,
  type NetlinkAddress, type ReceiveRegion, type ReceiveResult, type SocketOption, type Transport,
} from '../transport.js';
import { optionNumber } from '../transport.js';
import { MAX_DUMP_ALLOC, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF, bufferSize } from './accounting.js';
import type { Credentials } from './environment.js';
import type { LoopbackKernel } from './kernel.js';
import type { LoopbackSocket, SocketFlags } from './socket.js';

const EBADF = 9;
const EINVAL = 22;

const FLAG_OPTIONS: Readonly<Record<string, keyof SocketFlags>> = {
  passCredentials: 'passCredentials',
  packetInfo: 'packetInfo',
  broadcastError: 'broadcastError',
  noEnobufs: 'noEnobufs',
  listenAllNsid: 'listenAllNsid',
  capAck: 'capAck',
  extAck: 'extAck',
  strictCheck: 'strictCheck',
};

export class LoopbackTransport implements Transport {
  readonly protocol: number;

  /** @internal Made by LoopbackKernel.open. */
  constructor(private readonly kernel: LoopbackKernel, private readonly socket: LoopbackSocket) {
    this.protocol = socket.protocol;
  }

  get closed(): boolean {
    return this.socket.closed;
  }

  /** The namespace the socket lives in ('' for the initial one). */
  get netns(): string {
    return this.socket.netns;
  }

  /** The credentials datagrams from this socket carry. */
  get credentials(): Readonly<Credentials> {
    return this.socket.credentials;
  }

  /** Datagrams the bus dropped for this socket (the Drops column of /proc/net/netlink). */
  get drops(): number {
    return this.socket.drops;
  }

  /** Bytes charged to the receive buffer now (the Rmem column). */
  get receiveQueueBytes(): number {
    return this.socket.rmemAlloc;
  }

  /** Datagrams waiting. */
  get queued(): number {
    return this.socket.queued;
  }

  address(): NetlinkAddress {
    this.checkOpen('getsockname');
    return { portId: this.socket.portId, groups: this.socket.groupMask() };
  }

  send(datagram: Uint8Array, to?: NetlinkAddress): void {
    this.checkOpen('sendmsg');
    checkBytes(datagram, 'datagram');
    checkAddress(to);
    // Copied before anything runs: the kernel side may build into memory the caller still reads.
    this.kernel.sendFromUser(this.socket, datagram.slice(), to);
  }

  sendBatch(data: Uint8Array, lengths: ArrayLike<number>, to?: NetlinkAddress): number {
    this.checkOpen('sendmmsg');
    checkBytes(data, 'data');
    checkAddress(to);
    if (lengths === null || typeof lengths !== 'object' || typeof lengths.length !== 'number') {
      throw new ArgumentError('lengths must be an array of datagram lengths');
    }
    const copies: Uint8Array[] = [];
    let offset = 0;
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i]!;
      if (!Number.isInteger(length) || length < 0) throw new ArgumentError(`datagram length ${length} at ${i} is not a non-negative integer`);
      if (offset + length > data.length) throw new ArgumentError(`datagram lengths add up to more than the ${data.length} bytes given`);
      copies.push(data.slice(offset, offset + length));
      offset += length;
    }
    // Sizes are checked for all before any is sent, so a size error sends nothing.
    for (const copy of copies) this.kernel.checkSendSize(this.socket, copy, 'sendmmsg');
    for (let i = 0; i < copies.length; i++) {
      try {
        this.kernel.sendFromUser(this.socket, copies[i]!, to);
      } catch (e) {
        // A full receiver means "would block": report how many went.
        if (e instanceof NetlinkError && e.code === 'EAGAIN') return i;
        if (e instanceof NetlinkError) throw new NetlinkError(e.errno, { operation: 'sendmmsg' });
        throw e;
      }
      if (this.socket.closed) return i + 1;
    }
    return copies.length;
  }

  receive(into: ReceiveRegion): ReceiveResult {
    this.checkOpen('recvmsg');
    checkRegion(into);
    const socket = this.socket;
    const { region, slotSize, slots, meta } = into;
    const overrun = socket.overrunPending;
    socket.overrunPending = false;
    let n = 0;
    while (n < slots) {
      const datagram = socket.dequeue();
      if (!datagram) break;
      const size = datagram.bytes.length;
      const length = Math.min(size, slotSize);
      region.set(length === size ? datagram.bytes : datagram.bytes.subarray(0, length), n * slotSize);
      const row = n * RECV_META_STRIDE;
      let flags = length < size ? RECV_FLAG_TRUNCATED : 0;
      meta[row + RECV_META_LENGTH] = length;
      meta[row + RECV_META_SIZE] = size;
      meta[row + RECV_META_PORT] = datagram.senderPort;
      meta[row + RECV_META_GROUPS] = datagram.group >= 1 && datagram.group <= 32 ? (1 << (datagram.group - 1)) >>> 0 : 0;
      meta[row + RECV_META_GROUP] = 0;
      meta[row + RECV_META_PID] = 0;
      meta[row + RECV_META_UID] = 0;
      meta[row + RECV_META_GID] = 0;
      meta[row + RECV_META_NSID] = 0;
      if (socket.flags.packetInfo) {
        flags |= RECV_FLAG_GROUP;
        meta[row + RECV_META_GROUP] = datagram.group;
      }
      if (socket.flags.passCredentials) {
        flags |= RECV_FLAG_CREDENTIALS;
        meta[row + RECV_META_PID] = datagram.credentials.pid;
        meta[row + RECV_META_UID] = datagram.credentials.uid;
        meta[row + RECV_META_GID] = datagram.credentials.gid;
      }
      meta[row + RECV_META_FLAGS] = flags;
      n++;
      // The buffer size of this receive sizes later dump parts, as recvmsg's length does in the kernel.
      socket.maxRecvmsgLen = Math.min(Math.max(socket.maxRecvmsgLen, slotSize), MAX_DUMP_ALLOC);
      this.kernel.afterReceive(socket);
    }
    return { datagrams: n, overrun };
  }

  setReadableHandler(handler: (() => void) | null): void {
    if (handler !== null && typeof handler !== 'function') throw new ArgumentError('the readable handler must be a function or null');
    if (this.socket.closed) {
      if (handler === null) return;
      throw new NetlinkError(EBADF, { operation: 'epoll_ctl' });
    }
    this.socket.readableHandler = handler;
    if (handler && (this.socket.queued > 0 || this.socket.overrunPending)) this.kernel.markReadable(this.socket);
  }

  setOption(option: SocketOption, value: number | boolean): void {
    this.checkOpen('setsockopt');
    const socket = this.socket;
    const number = optionNumber(option, value);
    switch (option) {
      case 'receiveBuffer':
        socket.rcvbuf = bufferSize(number, this.kernel.rmemMax, SOCK_MIN_RCVBUF);
        return;
      case 'receiveBufferForce':
        socket.rcvbuf = bufferSize(number, 0x3fffffff, SOCK_MIN_RCVBUF);
        return;
      case 'sendBuffer':
        socket.sndbuf = bufferSize(number, this.kernel.wmemMax, SOCK_MIN_SNDBUF);
        return;
    }
    const flag = FLAG_OPTIONS[option];
    if (!flag) throw new ArgumentError(`unknown socket option ${String(option)}`);
    socket.flags[flag] = number !== 0;
    // Setting NETLINK_NO_ENOBUFS lifts a congestion in place.
    if (flag === 'noEnobufs' && number !== 0) socket.congested = false;
  }

  getOption(option: SocketOption): number {
    this.checkOpen('getsockopt');
    switch (option) {
      // receiveBufferForce sets the same buffer; reading it gives SO_RCVBUF, as the native transport does.
      case 'receiveBuffer':
      case 'receiveBufferForce': return this.socket.rcvbuf;
      case 'sendBuffer': return this.socket.sndbuf;
    }
    const flag = FLAG_OPTIONS[option];
    if (!flag) throw new ArgumentError(`unknown socket option ${String(option)}`);
    return this.socket.flags[flag] ? 1 : 0;
  }

  addMembership(group: number): void {
    this.checkOpen('setsockopt');
    this.socket.groups.add(this.checkGroup(group));
  }

  dropMembership(group: number): void {
    this.checkOpen('setsockopt');
    this.socket.groups.delete(this.checkGroup(group));
  }

  memberships(): number[] {
    this.checkOpen('getsockopt');
    return [...this.socket.groups].sort((a, b) => a - b);
  }

  close(): void {
    if (this.socket.closed) return;
    this.socket.closed = true;
    this.kernel.detach(this.socket);
  }

  private checkGroup(group: number): number {
    if (typeof group !== 'number' || !Number.isInteger(group)) throw new ArgumentError(`group ${String(group)} is not an integer`);
    // The kernel's check: groups are 1..ngroups of the protocol.
    if (group < 1 || group > this.kernel.groupCount(this.protocol)) throw new NetlinkError(EINVAL, { operation: 'setsockopt' });
    return group;
  }

  private checkOpen(operation: string): void {
    if (this.socket.closed) throw new NetlinkError(EBADF, { operation });
  }
}

function checkBytes(value: unknown, what: string): void {
  if (!(value instanceof Uint8Array)) throw new ArgumentError(`${what} must be a Uint8Array`);
}

function checkAddress(to: NetlinkAddress | undefined): void {
  if (to === undefined) return;
  if (to === null || typeof to !== 'object') throw new ArgumentError('the destination must be a { portId, groups } address');
  for (const key of ['portId', 'groups'] as const) {
    const v = to[key];
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new ArgumentError(`destination ${key} ${String(v)} is not a u32`);
  }
}

function checkRegion(into: ReceiveRegion): void {
  if (into === null || typeof into !== 'object') throw new ArgumentError('receive needs a { region, slotSize, slots, meta } region');
  const { region, slotSize, slots, meta } = into;
  if (!(region instanceof Uint8Array)) throw new ArgumentError('region must be a Uint8Array');
  if (!(meta instanceof Uint32Array)) throw new ArgumentError('meta must be a Uint32Array');
  if (!Number.isInteger(slotSize) || slotSize < 1) throw new ArgumentError(`slotSize ${slotSize} is not a positive integer`);
  if (!Number.isInteger(slots) || slots < 0) throw new ArgumentError(`slots ${slots} is not a non-negative integer`);
  if (slots * slotSize > region.length) throw new ArgumentError(`${slots} slots of ${slotSize} bytes do not fit in a ${region.length}-byte region`);
  if (slots * RECV_META_STRIDE > meta.length) throw new ArgumentError(`meta has room for ${Math.floor(meta.length / RECV_META_STRIDE)} rows, not ${slots}`);
}
