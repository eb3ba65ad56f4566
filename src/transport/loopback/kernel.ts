// LoopbackKernel: an in-memory netlink bus that behaves like the kernel side
// of AF_NETLINK, so the socket engine and the families can be tested without
// one. Per namespace and protocol it keeps a port table; per protocol an
// optional kernel endpoint (port 0) whose handler is the input callback of
// netlink_kernel_create.
//
//   user socket ──send──► port 0?  ── yes ─► handler(request, context) ─► replies, acks, dumps
//                          │ no                                        └─► notifications (groups)
//                          ├─ group? ─► every member but the sender and the destination
//                          └─ port  ─► that socket's queue (full: EAGAIN to the sender)
//
// Port ids follow the kernel's autobind: the first socket of a process (per
// protocol and namespace) gets the process id, later ones negative ids. The
// kernel picks a random start in [-2^31, -4097]; deterministic mode counts
// down from -4097 instead. Ids are reported as u32.

import type { Codec } from '../../codec/codec.js';
import type { Scanner } from '../../codec/batch.js';
import {
  NETLINK_USERSOCK, NLM_F_REQUEST, NLM_F_ACK, NLMSG_MIN_TYPE,
  STATUS_TRUNCATED, STATUS_BAD_LENGTH,
} from '../../codec/constants.js';
import { ArgumentError, NetlinkError } from '../../codec/errors.js';
import type { NetlinkAddress, OpenOptions } from '../transport.js';
import { RMEM_DEFAULT, RMEM_MAX, WMEM_DEFAULT, WMEM_MAX, NLMSG_GOODSIZE, kernelTruesize, userTruesize } from './accounting.js';
import { buildAck, buildDone, checkExtendedAck } from './ack.js';
import { KernelContext, type KernelHandler } from './context.js';
import { DumpPart, DumpRun } from './dump.js';
import { FIXED_CREDENTIALS, hostCredentials, macrotaskScheduler, randomInteger, type Credentials, type Task } from './environment.js';
import { createKernelCodec } from './kernel-codec.js';
import { KernelRequest } from './request.js';
import { KERNEL_CREDENTIALS, LoopbackSocket, type Datagram } from './socket.js';
import { LoopbackTransport } from './transport.js';
import { RtnetlinkEmulation } from './families/rtnetlink.js';
import { GenericNetlinkEmulation } from './families/genl.js';

const EINVAL = 22;
const EMSGSIZE = 90;
const EPROTONOSUPPORT = 93;
const EADDRINUSE = 98;
const ENOBUFS = 105;
const ECONNREFUSED = 111;
const EAGAIN = 11;
const ESRCH = 3;
const ENODATA = 61;

/** MAX_LINKS: protocol numbers are below this. */
export const MAX_PROTOCOLS = 32;
const S32_MIN = -0x80000000;
const ROVER_START = -4097;

export type EmulatedFamily = 'route' | 'generic';

export interface LoopbackKernelOptions {
  /** Fixed port ids, credentials and clock, for reproducible tests. */
  deterministic?: boolean;
  /** Timestamps for taps (default Date.now; in deterministic mode a counter from 0). */
  clock?: () => number;
  /** Credentials transports get unless they say otherwise (default: this process's, or fixed in deterministic mode). */
  credentials?: Partial<Credentials>;
  /** net.core.rmem_default, rmem_max, wmem_default, wmem_max (Linux's defaults otherwise). */
  rmemDefault?: number;
  rmemMax?: number;
  wmemDefault?: number;
  wmemMax?: number;
  /** Families to emulate (default both): 'route' (links) and 'generic' (nlctrl). */
  families?: EmulatedFamily[];
  /** The kernel's codec instance (default: a fresh one; see LoopbackKernel.create for browsers). */
  codec?: Codec;
  /** Told of errors a handler threw that were not NetlinkErrors (they answer EINVAL). */
  onHandlerError?: (error: unknown, request: KernelRequest) => void;
}

export interface LoopbackOpenOptions extends OpenOptions {
  /** The sending process's credentials (pid also seeds the autobound port id). */
  credentials?: Partial<Credentials>;
  /** SO_RCVBUF to set at open (doubled and clamped like setsockopt). */
  receiveBuffer?: number;
}

export interface ProtocolOptions {
  /** How many multicast groups sockets can join (a number or a function for a growing count). */
  groups?: number | (() => number);
}

/** One datagram as a tap (an nlmon-like monitor) sees it. */
export interface TapRecord {
  time: number;
  protocol: number;
  netns: string;
  senderPort: number;
  /** The destination port (0: the kernel), or -1 for a kernel multicast. */
  destinationPort: number;
  /** The multicast group, 0 for unicast. */
  group: number;
  bytes: Uint8Array;
}

/** A row of the socket table, like /proc/net/netlink. */
export interface SocketInfo {
  protocol: number;
  netns: string;
  portId: number;
  groups: number[];
  rmem: number;
  queued: number;
  drops: number;
  dumping: boolean;
}

interface ProtocolEntry {
  groups: () => number;
  handler: KernelHandler | null;
}

export class LoopbackKernel {
  readonly codec: Codec;
  readonly deterministic: boolean;
  /** The emulated rtnetlink (links), when installed. */
  readonly rtnetlink: RtnetlinkEmulation | null;
  /** The emulated generic netlink controller, when installed. */
  readonly genl: GenericNetlinkEmulation | null;
  readonly rmemDefault: number;
  readonly rmemMax: number;
  readonly wmemDefault: number;
  readonly wmemMax: number;
  private readonly clock: () => number;
  private readonly defaultCredentials: Credentials;
  private readonly onHandlerError: LoopbackKernelOptions['onHandlerError'];
  private readonly protocols = new Map<number, ProtocolEntry>();
  private readonly namespaces = new Map<string, Map<number, Map<number, LoopbackSocket>>>();
  private readonly requestScanner: Scanner;
  private readonly attributeScanner: Scanner;
  private readonly taps: ((record: TapRecord) => void)[] = [];
  private readonly macrotask: (task: Task) => void;
  private pending = new Set<LoopbackSocket>();
  private again = new Set<LoopbackSocket>();
  private pumpScheduled = false;
  private againScheduled = false;
  private logicalTime = 0;

  constructor(options: LoopbackKernelOptions = {}) {
    this.deterministic = options.deterministic ?? false;
    this.codec = options.codec ?? createKernelCodec();
    this.requestScanner = this.codec.scanner();
    this.attributeScanner = this.codec.scanner();
    this.clock = options.clock ?? (this.deterministic ? () => this.logicalTime++ : () => Date.now());
    const base = this.deterministic ? FIXED_CREDENTIALS : hostCredentials();
    this.defaultCredentials = { ...base, ...options.credentials };
    this.rmemDefault = options.rmemDefault ?? RMEM_DEFAULT;
    this.rmemMax = options.rmemMax ?? RMEM_MAX;
    this.wmemDefault = options.wmemDefault ?? WMEM_DEFAULT;
    this.wmemMax = options.wmemMax ?? WMEM_MAX;
    this.onHandlerError = options.onHandlerError;
    this.macrotask = macrotaskScheduler();
    // NETLINK_USERSOCK exists without a kernel endpoint: user-to-user only.
    this.registerProtocol(NETLINK_USERSOCK, { groups: 32 });
    const families = options.families ?? ['route', 'generic'];
    this.rtnetlink = families.includes('route') ? new RtnetlinkEmulation(this) : null;
    this.genl = families.includes('generic') ? new GenericNetlinkEmulation(this) : null;
  }

  /** A kernel whose codec is compiled asynchronously (required on a browser's main thread). */
  static async create(options: Omit<LoopbackKernelOptions, 'codec'> = {}): Promise<LoopbackKernel> {
    const { createKernelCodecAsync } = await import('./kernel-codec.js');
    return new LoopbackKernel({ ...options, codec: await createKernelCodecAsync() });
  }

  /** The bus clock. */
  now(): number {
    return this.clock();
  }

  // ── protocols and endpoints ───────────────────────────────────────────

  /** Makes `protocol` openable (user-to-user), with `groups` multicast groups (default 32). */
  registerProtocol(protocol: number, options: ProtocolOptions = {}): void {
    checkProtocol(protocol);
    const groups = options.groups ?? 32;
    const count = typeof groups === 'function' ? groups : () => groups;
    const entry = this.protocols.get(protocol);
    if (entry) entry.groups = count;
    else this.protocols.set(protocol, { groups: count, handler: null });
  }

  /**
   * Creates the kernel endpoint (port 0) of `protocol`, like
   * netlink_kernel_create: `handler` gets every request message sent to it.
   */
  register(protocol: number, handler: KernelHandler, options: ProtocolOptions = {}): void {
    checkProtocol(protocol);
    if (typeof handler !== 'function') throw new ArgumentError('the kernel handler must be a function');
    if (this.protocols.get(protocol)?.handler) throw new ArgumentError(`protocol ${protocol} already has a kernel endpoint`);
    this.registerProtocol(protocol, options);
    this.protocols.get(protocol)!.handler = handler;
  }

  /** Removes the kernel endpoint of `protocol`; its sockets stay open, sends to port 0 get ECONNREFUSED. */
  unregister(protocol: number): void {
    const entry = this.protocols.get(protocol);
    if (entry) entry.handler = null;
  }

  /** How many multicast groups sockets of `protocol` can join. */
  groupCount(protocol: number): number {
    return this.protocols.get(protocol)?.groups() ?? 0;
  }

  // ── sockets ───────────────────────────────────────────────────────────

  /** Opens a socket of `protocol` on the bus (socket + bind). */
  open(protocol: number, options: LoopbackOpenOptions = {}): LoopbackTransport {
    if (!Number.isInteger(protocol)) throw new ArgumentError(`protocol ${protocol} is not an integer`);
    if (protocol < 0 || protocol >= MAX_PROTOCOLS || !this.protocols.has(protocol)) {
      throw new NetlinkError(EPROTONOSUPPORT, { operation: 'socket' });
    }
    const netns = namespaceName(options.netns);
    const credentials = { ...this.defaultCredentials, ...options.credentials };
    for (const [key, value] of Object.entries(credentials)) {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new ArgumentError(`credentials.${key} ${value} is not a u32`);
    }
    const socket = new LoopbackSocket(protocol, netns, credentials, this.rmemDefault, this.wmemDefault);
    const transport = new LoopbackTransport(this, socket);
    if (options.receiveBuffer !== undefined) transport.setOption('receiveBuffer', options.receiveBuffer);
    this.bind(socket, options.portId ?? 0, options.groups ?? 0);
    return transport;
  }

  private table(netns: string, protocol: number): Map<number, LoopbackSocket> {
    let space = this.namespaces.get(netns);
    if (!space) this.namespaces.set(netns, space = new Map());
    let ports = space.get(protocol);
    if (!ports) space.set(protocol, ports = new Map());
    return ports;
  }

  private bind(socket: LoopbackSocket, portId: number, groups: number): void {
    if (!Number.isInteger(portId) || portId < 0 || portId > 0xffffffff) throw new ArgumentError(`port id ${portId} is not a u32`);
    if (!Number.isInteger(groups) || groups < 0 || groups > 0xffffffff) throw new ArgumentError(`group mask ${groups} is not a u32`);
    const ports = this.table(socket.netns, socket.protocol);
    let port = portId;
    if (port === 0) port = this.autobind(ports, socket.credentials.pid);
    else if (ports.has(port)) throw new NetlinkError(EADDRINUSE, { operation: 'bind' });
    socket.portId = port;
    ports.set(port, socket);
    const count = this.groupCount(socket.protocol);
    for (let g = 1; g <= 32 && g <= count; g++) if (groups & (1 << (g - 1))) socket.groups.add(g);
  }

  private autobind(ports: Map<number, LoopbackSocket>, pid: number): number {
    if (pid > 0 && !ports.has(pid >>> 0)) return pid >>> 0;
    let rover = this.deterministic ? ROVER_START : randomInteger(S32_MIN, ROVER_START);
    for (;;) {
      const port = rover >>> 0;
      if (!ports.has(port)) return port;
      rover = rover <= S32_MIN ? ROVER_START : rover - 1;
    }
  }

  /** @internal Releases a closed socket's port, groups, queue and dump. */
  detach(socket: LoopbackSocket): void {
    const ports = this.namespaces.get(socket.netns)?.get(socket.protocol);
    if (ports?.get(socket.portId) === socket) ports.delete(socket.portId);
    socket.dump?.finish();
    socket.clear();
    this.pending.delete(socket);
    this.again.delete(socket);
  }

  /** The namespaces that have (or had) sockets, '' (the initial one) always among them. */
  namespaceNames(): string[] {
    const names = new Set<string>(['']);
    for (const name of this.namespaces.keys()) names.add(name);
    return [...names];
  }

  /** The open sockets, like /proc/net/netlink (all namespaces and protocols unless narrowed). */
  sockets(filter: { protocol?: number; netns?: string } = {}): SocketInfo[] {
    const rows: SocketInfo[] = [];
    for (const [netns, space] of this.namespaces) {
      if (filter.netns !== undefined && filter.netns !== netns) continue;
      for (const [protocol, ports] of space) {
        if (filter.protocol !== undefined && filter.protocol !== protocol) continue;
        for (const s of ports.values()) {
          rows.push({
            protocol, netns, portId: s.portId, groups: [...s.groups].sort((a, b) => a - b),
            rmem: s.rmemAlloc, queued: s.queued, drops: s.drops, dumping: s.dump !== null,
          });
        }
      }
    }
    return rows;
  }

  // ── delivery ──────────────────────────────────────────────────────────

  /** @internal sendmsg: one datagram from a user socket. Throws a NetlinkError like the syscall. */
  sendFromUser(socket: LoopbackSocket, bytes: Uint8Array, to: NetlinkAddress | undefined): void {
    this.checkSendSize(socket, bytes, 'sendmsg');
    const dstPort = to ? to.portId >>> 0 : 0;
    const mask = to ? to.groups >>> 0 : 0;
    // Only the lowest group of the mask is addressed (ffs(nl_groups)).
    const dstGroup = mask ? 32 - Math.clz32(mask & -mask) : 0;
    const datagram: Datagram = {
      bytes, senderPort: socket.portId, group: dstGroup, credentials: socket.credentials,
      truesize: userTruesize(bytes.length, dstGroup !== 0),
    };
    const ports = this.table(socket.netns, socket.protocol);
    if (dstGroup) {
      this.tapDatagram(socket, datagram, -1);
      // Neither the sender nor the unicast destination get a copy through the group.
      for (const member of ports.values()) {
        if (member === socket || member.portId === dstPort || !member.groups.has(dstGroup)) continue;
        this.deliverBroadcast(member, datagram);
      }
    }
    this.tapDatagram(socket, datagram, dstPort);
    if (dstPort === 0) {
      const handler = this.protocols.get(socket.protocol)?.handler;
      if (!handler) throw new NetlinkError(ECONNREFUSED, { operation: 'sendmsg' });
      this.input(socket, handler, bytes);
      return;
    }
    const target = ports.get(dstPort);
    if (!target) throw new NetlinkError(ECONNREFUSED, { operation: 'sendmsg' });
    if (!target.admits(datagram.truesize)) throw new NetlinkError(EAGAIN, { operation: 'sendmsg' });
    target.enqueue(datagram);
    this.markReadable(target);
  }

  /** @internal The length checks of sendmsg: empty is ENODATA, beyond the send buffer EMSGSIZE. */
  checkSendSize(socket: LoopbackSocket, bytes: Uint8Array, operation: string): void {
    if (bytes.length === 0) throw new NetlinkError(ENODATA, { operation });
    if (bytes.length > socket.sndbuf - 32) throw new NetlinkError(EMSGSIZE, { operation });
  }

  /** Multicast delivery to one member: 0, or -1 when it was full (overrun). */
  private deliverBroadcast(member: LoopbackSocket, datagram: Datagram): number {
    if (!member.admits(datagram.truesize)) {
      member.overrun();
      this.markReadable(member);
      return -1;
    }
    member.enqueue(datagram);
    this.markReadable(member);
    return 0;
  }

  /**
   * netlink_unicast from the kernel to `portId`: 0; -ECONNREFUSED when no
   * socket has it; -EAGAIN when its receive buffer is full (the datagram is
   * dropped and the socket learns of the overrun).
   */
  unicast(protocol: number, portId: number, datagram: Uint8Array, options: { netns?: string } = {}): number {
    checkDatagram(datagram);
    const target = this.namespaces.get(options.netns ?? '')?.get(protocol)?.get(portId >>> 0);
    const bytes = datagram.slice();
    this.tap({ time: this.now(), protocol, netns: options.netns ?? '', senderPort: 0, destinationPort: portId >>> 0, group: 0, bytes });
    if (!target) return -ECONNREFUSED;
    const item: Datagram = { bytes, senderPort: 0, group: 0, credentials: KERNEL_CREDENTIALS, truesize: kernelTruesize(bytes.length) };
    if (!target.admits(item.truesize)) {
      target.overrun();
      this.markReadable(target);
      return -EAGAIN;
    }
    target.enqueue(item);
    this.markReadable(target);
    return 0;
  }

  /**
   * netlink_broadcast from the kernel to every member of `group` (any number
   * up to the protocol's group count) but `excludePort`. Returns 0 when some
   * member got it, -ESRCH when none did, -ENOBUFS when a member that set
   * broadcastError missed it.
   */
  broadcast(protocol: number, group: number, datagram: Uint8Array, options: { netns?: string; excludePort?: number } = {}): number {
    checkDatagram(datagram);
    if (!Number.isInteger(group) || group < 1) throw new ArgumentError(`group ${group} is not a positive integer`);
    const netns = options.netns ?? '';
    const bytes = datagram.slice();
    this.tap({ time: this.now(), protocol, netns, senderPort: 0, destinationPort: -1, group, bytes });
    const item: Datagram = { bytes, senderPort: 0, group, credentials: KERNEL_CREDENTIALS, truesize: kernelTruesize(bytes.length) };
    const exclude = options.excludePort === undefined ? -1 : options.excludePort >>> 0;
    let delivered = false;
    let failure = false;
    const ports = this.namespaces.get(netns)?.get(protocol);
    for (const member of ports?.values() ?? []) {
      if (member.portId === exclude || !member.groups.has(group)) continue;
      if (this.deliverBroadcast(member, item) === 0) delivered = true;
      else if (member.flags.broadcastError) failure = true;
    }
    if (failure) return -ENOBUFS;
    return delivered ? 0 : -ESRCH;
  }

  // ── the kernel endpoint ───────────────────────────────────────────────

  /** netlink_rcv_skb: each request message of a datagram through the handler, with acks. */
  private input(socket: LoopbackSocket, handler: KernelHandler, bytes: Uint8Array): void {
    const batch = this.requestScanner.scanBytes(bytes);
    const requests: KernelRequest[] = [];
    for (let i = 0; i < batch.count; i++) {
      const status = batch.status(i);
      // A message whose length is short or runs past the datagram ends the datagram, silently.
      if (status === STATUS_TRUNCATED || status === STATUS_BAD_LENGTH) break;
      requests.push(new KernelRequest(batch.type(i), batch.flags(i), batch.seq(i), batch.pid(i), socket.portId,
        socket.credentials, socket.protocol, socket.netns, batch.copy(i), socket.flags.strictCheck, this.attributeScanner));
    }
    for (const request of requests) {
      if (socket.closed) return;
      const context = new KernelContext(this, request);
      let error = 0;
      if ((request.flags & NLM_F_REQUEST) !== 0 && request.type >= NLMSG_MIN_TYPE) {
        error = this.runHandler(handler, request, context);
        if (context.dumpSource) {
          if (error === 0) {
            socket.dump = new DumpRun(context.dumpSource, request.seq, request.portId);
            error = this.dumpRound(socket);
            if (error === 0) continue; // a started dump answers instead of an ack
            socket.dump.finish();
            socket.dump = null;
          } else {
            context.dumpSource.done?.();
          }
        }
      }
      if ((request.flags & NLM_F_ACK) !== 0 || error !== 0) {
        checkExtendedAck(context.extack);
        const ack = buildAck(this.codec.builder(), request, error, context.extack, socket.flags);
        this.unicast(socket.protocol, socket.portId, ack, { netns: socket.netns });
      }
    }
  }

  /** Runs a handler; returns 0 or a negative errno, filling the context's extended ACK from a thrown NetlinkError. */
  private runHandler(handler: KernelHandler, request: KernelRequest, context: KernelContext): number {
    try {
      const result = handler(request, context);
      if (typeof result === 'number' && result !== 0) return Number.isInteger(result) ? -Math.abs(result) : -EINVAL;
      return 0;
    } catch (e) {
      if (e instanceof NetlinkError) {
        if (e.extack) Object.assign(context.extack, e.extack);
        return -e.errno;
      }
      context.extack.message ??= e instanceof Error ? e.message : String(e);
      this.onHandlerError?.(e, request);
      return -EINVAL;
    }
  }

  /** @internal Whether the requester of `request` is in the middle of a dump. */
  isDumping(request: KernelRequest): boolean {
    return this.namespaces.get(request.netns)?.get(request.protocol)?.get(request.portId)?.dump != null;
  }

  /**
   * One round of netlink_dump: fills one part and queues it, ending with
   * NLMSG_DONE. Returns 0, or -ENOBUFS when the receive buffer is already full.
   */
  private dumpRound(socket: LoopbackSocket): number {
    const run = socket.dump;
    if (!run) return 0;
    if (socket.rmemAlloc >= socket.rcvbuf) return -ENOBUFS;
    let allocation = Math.max(run.source.minAllocation ?? 0, NLMSG_GOODSIZE);
    if (socket.maxRecvmsgLen > allocation) allocation = socket.maxRecvmsgLen;
    const part = new DumpPart(this.codec.builder(), run, allocation);
    if (run.doneErrno > 0) {
      // A source that asks for more without adding anything gets a few more calls, then fails.
      for (let attempt = 0; ; attempt++) {
        run.seq = run.source.generation?.();
        run.doneErrno = this.fillPart(run, part);
        if (run.doneErrno <= 0 || part.count > 0) break;
        if (part.rejected) {
          run.doneErrno = -EMSGSIZE;
          break;
        }
        if (attempt >= 64) {
          run.doneErrno = -EINVAL;
          run.message ??= 'the dump made no progress';
          break;
        }
      }
      if (run.doneErrno > 0) {
        this.deliverPart(socket, part, allocation);
        return 0;
      }
    }
    const prevSeq = run.prevSeq;
    const done = buildDone(this.codec.builder(), run.requestSeq, run.portId, run.doneErrno, run.checkConsistent(), run.message, socket.flags);
    if (!part.append(done)) {
      run.prevSeq = prevSeq;
      this.deliverPart(socket, part, allocation);
      return 0;
    }
    this.deliverPart(socket, part, allocation);
    socket.dump = null;
    run.finish();
    return 0;
  }

  private fillPart(run: DumpRun, part: DumpPart): number {
    try {
      const result = run.source.fill(part);
      if (result === true) return 1;
      if (result === false || result === undefined) return 0;
      return Number.isInteger(result) ? result : -EINVAL;
    } catch (e) {
      if (e instanceof NetlinkError) {
        run.message ??= e.extack?.message;
        return -e.errno;
      }
      run.message ??= e instanceof Error ? e.message : String(e);
      return -EINVAL;
    }
  }

  private deliverPart(socket: LoopbackSocket, part: DumpPart, allocation: number): void {
    const bytes = part.bytes();
    this.tap({ time: this.now(), protocol: socket.protocol, netns: socket.netns, senderPort: 0, destinationPort: socket.portId, group: 0, bytes });
    // Dump parts are queued whatever the buffer holds; the round only runs when there is room.
    socket.enqueue({ bytes, senderPort: 0, group: 0, credentials: KERNEL_CREDENTIALS, truesize: kernelTruesize(allocation) });
    this.markReadable(socket);
  }

  /** @internal After a datagram was received: continue a dump, clear congestion (netlink_recvmsg's tail). */
  afterReceive(socket: LoopbackSocket): void {
    if (socket.dump && socket.rmemAlloc <= socket.rcvbuf / 2) {
      if (this.dumpRound(socket) < 0) socket.overrunPending = true;
    }
    if (socket.queued === 0) socket.congested = false;
  }

  // ── taps ──────────────────────────────────────────────────────────────

  /** Calls `listener` with every datagram on the bus; returns a function that removes it. */
  tap(listener: (record: TapRecord) => void): () => void;
  /** @internal */
  tap(record: TapRecord): void;
  tap(arg: ((record: TapRecord) => void) | TapRecord): (() => void) | void {
    if (typeof arg === 'function') {
      this.taps.push(arg);
      return () => {
        const i = this.taps.indexOf(arg);
        if (i >= 0) this.taps.splice(i, 1);
      };
    }
    for (const listener of this.taps) listener(arg);
  }

  private tapDatagram(socket: LoopbackSocket, datagram: Datagram, destinationPort: number): void {
    if (this.taps.length === 0) return;
    this.tap({
      time: this.now(), protocol: socket.protocol, netns: socket.netns, senderPort: socket.portId,
      destinationPort, group: datagram.group, bytes: datagram.bytes,
    });
  }

  // ── readiness notifications ───────────────────────────────────────────
  //
  // A socket that becomes readable is queued for a microtask pump, in the
  // order it became readable. One still readable after its handler returned
  // is notified again from a macrotask, so a reader that leaves data behind
  // does not starve the event loop.

  /** @internal */
  markReadable(socket: LoopbackSocket): void {
    if (!socket.readableHandler || socket.closed || this.pending.has(socket)) return;
    this.pending.add(socket);
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      queueMicrotask(() => this.pump());
    }
  }

  private pump(): void {
    this.pumpScheduled = false;
    const batch = this.pending;
    this.pending = new Set();
    for (const socket of batch) {
      const handler = socket.readableHandler;
      if (!handler || socket.closed || !isReadable(socket)) continue;
      try {
        handler();
      } catch (e) {
        reportAsync(e);
      }
      if (socket.readableHandler && !socket.closed && isReadable(socket)) this.again.add(socket);
    }
    if (this.again.size > 0 && !this.againScheduled) {
      this.againScheduled = true;
      this.macrotask(() => {
        this.againScheduled = false;
        const retry = this.again;
        this.again = new Set();
        for (const socket of retry) this.markReadable(socket);
      });
    }
  }

  /**
   * Resolves once no readiness notification is pending (every readable
   * socket with a handler was called and drained). Rejects after `maxRounds`
   * event-loop turns, when some handler keeps leaving data behind.
   */
  async settle(maxRounds = 10_000): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      if (!this.pumpScheduled && !this.againScheduled && this.pending.size === 0 && this.again.size === 0) return;
      await new Promise<void>((resolve) => this.macrotask(resolve));
    }
    throw new Error(`the bus did not settle within ${maxRounds} rounds: a readable handler leaves data behind`);
  }
}

function isReadable(socket: LoopbackSocket): boolean {
  return socket.queued > 0 || socket.overrunPending;
}

function checkProtocol(protocol: number): void {
  if (!Number.isInteger(protocol) || protocol < 0 || protocol >= MAX_PROTOCOLS) {
    throw new ArgumentError(`protocol ${protocol} is not in 0..${MAX_PROTOCOLS - 1}`);
  }
}

function checkDatagram(datagram: Uint8Array): void {
  if (!(datagram instanceof Uint8Array)) throw new ArgumentError('a datagram must be a Uint8Array');
}

function namespaceName(netns: OpenOptions['netns']): string {
  if (netns === undefined) return '';
  if (typeof netns === 'number') throw new ArgumentError('a namespace given as a file descriptor only works with the native transport; name it instead');
  if (typeof netns !== 'string') throw new ArgumentError('netns must be a namespace name');
  return netns;
}

/** Rethrows outside the bus so a failing readable handler is seen, not swallowed. */
function reportAsync(error: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void };
  if (typeof g.reportError === 'function') g.reportError(error);
  else setTimeout(() => { throw error; }, 0);
}

