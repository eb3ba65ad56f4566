// NativeTransport: a real AF_NETLINK socket through the native addon.
//
// The addon does the system calls; this file keeps everything else: argument
// checks, option names, the group list, and turning the addon's errors into
// nlkit's (errno -> NetlinkError with the operation, bad arguments ->
// ArgumentError, a closed socket -> NetlinkError EBADF).

import { ArgumentError, NetlinkError, NlkitError } from '../codec/errors.js';
import {
  SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, NETLINK_DROP_MEMBERSHIP, NETLINK_PKTINFO, NETLINK_BROADCAST_ERROR,
  NETLINK_NO_ENOBUFS, NETLINK_LISTEN_ALL_NSID, NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK,
} from '../codec/constants.js';
import { loadNativeAddon, type NativeAddon, type NativeSocketHandle } from './native-addon.js';
import type {
  NetlinkAddress, OpenOptions, ReceiveRegion, ReceiveResult, SocketOption, Transport,
} from './transport.js';
import { optionNumber } from './transport.js';

const EBADF = 9;

interface OptionSpec {
  level: number;
  name: number;
  /** getsockopt reads this one instead (SO_RCVBUFFORCE cannot be read back). */
  readName?: number;
  boolean: boolean;
}

function optionTable(addon: NativeAddon): Record<SocketOption, OptionSpec> {
  const c = addon.constants;
  const socket = (name: number, boolean: boolean, readName?: number): OptionSpec =>
    readName === undefined ? { level: c.SOL_SOCKET, name, boolean } : { level: c.SOL_SOCKET, name, boolean, readName };
  const netlink = (name: number): OptionSpec => ({ level: SOL_NETLINK, name, boolean: true });
  return {
    receiveBuffer: socket(c.SO_RCVBUF, false),
    // The same buffer as receiveBuffer, set past the rmem_max limit; reads give SO_RCVBUF.
    receiveBufferForce: socket(c.SO_RCVBUFFORCE, false, c.SO_RCVBUF),
    sendBuffer: socket(c.SO_SNDBUF, false),
    passCredentials: socket(c.SO_PASSCRED, true),
    packetInfo: netlink(NETLINK_PKTINFO),
    broadcastError: netlink(NETLINK_BROADCAST_ERROR),
    noEnobufs: netlink(NETLINK_NO_ENOBUFS),
    listenAllNsid: netlink(NETLINK_LISTEN_ALL_NSID),
    capAck: netlink(NETLINK_CAP_ACK),
    extAck: netlink(NETLINK_EXT_ACK),
    strictCheck: netlink(NETLINK_GET_STRICT_CHK),
  };
}

let options: Record<SocketOption, OptionSpec> | null = null;

/** An addon error as nlkit's: errno errors become NetlinkError, argument errors ArgumentError. */
function translate(error: unknown): unknown {
  if (error instanceof NlkitError) return error;
  const e = error as { errno?: unknown; syscall?: unknown; code?: unknown; message?: unknown } | null;
  if (e && e.code === 'ERR_NLKIT_ARGUMENT') return new ArgumentError(String(e.message));
  if (e && typeof e.errno === 'number' && e.errno > 0) {
    return new NetlinkError(e.errno, { operation: typeof e.syscall === 'string' ? e.syscall : 'socket' });
  }
  return error;
}

function u32(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new ArgumentError(`${what} must be an integer in [0, 4294967295], got ${String(value)}`);
  }
  return value;
}

function checkAddress(to: NetlinkAddress | undefined): NetlinkAddress {
  if (to === undefined) return KERNEL;
  if (typeof to !== 'object' || to === null) throw new ArgumentError('the destination must be a { portId, groups } address');
  u32(to.portId, 'portId');
  u32(to.groups, 'groups');
  return to;
}

const KERNEL: NetlinkAddress = Object.freeze({ portId: 0, groups: 0 });

/**
 * Opens a netlink socket of `protocol` (NETLINK_ROUTE, NETLINK_GENERIC, ...),
 * non-blocking and close-on-exec, bound to options.portId (0: the kernel
 * chooses) and options.groups; inside options.netns when given (a name under
 * /run/netns, a path, or an open namespace fd), without moving the process.
 */
export function openNative(protocol: number, options: OpenOptions = {}): NativeTransport {
  if (typeof protocol !== 'number' || !Number.isInteger(protocol) || protocol < 0 || protocol > 0x7fffffff) {
    throw new ArgumentError(`protocol must be a non-negative integer, got ${String(protocol)}`);
  }
  if (typeof options !== 'object' || options === null) throw new ArgumentError('options must be an object');
  const portId = options.portId === undefined ? 0 : u32(options.portId, 'portId');
  const groups = options.groups === undefined ? 0 : u32(options.groups, 'groups');
  const netns = options.netns;
  if (netns !== undefined && typeof netns !== 'string' && typeof netns !== 'number') {
    throw new ArgumentError('netns must be a namespace name, a path or an fd');
  }
  const addon = loadNativeAddon();
  let handle: NativeSocketHandle;
  try {
    handle = new addon.NetlinkSocket(protocol, netns);
  } catch (e) {
    throw translate(e);
  }
  try {
    handle.bind(portId, groups);
  } catch (e) {
    handle.close();
    throw translate(e);
  }
  return new NativeTransport(protocol, handle, addon);
}

export class NativeTransport implements Transport {
  readonly protocol: number;
  private handle: NativeSocketHandle | null;
  private readonly options: Record<SocketOption, OptionSpec>;
  private lengths = new Uint32Array(64);

  /** Use openNative(). */
  constructor(protocol: number, handle: NativeSocketHandle, addon: NativeAddon) {
    this.protocol = protocol;
    this.handle = handle;
    this.options = options ??= optionTable(addon);
  }

  get closed(): boolean {
    return this.handle === null;
  }

  /** The socket's file descriptor, or -1 once closed. */
  get fd(): number {
    return this.handle ? this.handle.fd() : -1;
  }

  private open(operation: string): NativeSocketHandle {
    if (this.handle === null) throw new NetlinkError(EBADF, { operation });
    return this.handle;
  }

  address(): NetlinkAddress {
    const handle = this.open('getsockname');
    try {
      return handle.address();
    } catch (e) {
      throw translate(e);
    }
  }

  send(datagram: Uint8Array, to?: NetlinkAddress): void {
    const handle = this.open('sendmsg');
    const dest = checkAddress(to);
    try {
      handle.send(datagram, dest.portId, dest.groups);
    } catch (e) {
      throw translate(e);
    }
  }

  sendBatch(data: Uint8Array, lengths: ArrayLike<number>, to?: NetlinkAddress): number {
    const handle = this.open('sendmmsg');
    const dest = checkAddress(to);
    if (typeof lengths !== 'object' || lengths === null || typeof lengths.length !== 'number') {
      throw new ArgumentError('lengths must be an array of datagram lengths');
    }
    let words: Uint32Array;
    if (lengths instanceof Uint32Array) {
      words = lengths;
    } else {
      if (this.lengths.length < lengths.length) this.lengths = new Uint32Array(Math.max(lengths.length, this.lengths.length * 2));
      words = this.lengths;
      for (let i = 0; i < lengths.length; i++) words[i] = u32(lengths[i], `lengths[${i}]`);
    }
    try {
      return handle.sendBatch(data, words, lengths.length, dest.portId, dest.groups);
    } catch (e) {
      throw translate(e);
    }
  }

  receive(into: ReceiveRegion): ReceiveResult {
    const handle = this.open('recvmmsg');
    if (typeof into !== 'object' || into === null) throw new ArgumentError('receive needs a { region, slotSize, slots, meta } region');
    let packed: number;
    try {
      packed = handle.receive(into.region, into.slotSize, into.slots, into.meta);
    } catch (e) {
      throw translate(e);
    }
    const overrun = packed % 2 === 1;
    return { datagrams: (packed - (overrun ? 1 : 0)) / 2, overrun };
  }

  setReadableHandler(handler: (() => void) | null): void {
    const handle = this.open('poll');
    if (handler !== null && typeof handler !== 'function') throw new ArgumentError('the readable handler must be a function or null');
    try {
      // The wrapper keeps the addon object out of the handler's `this`.
      handle.setReadableHandler(handler === null ? null : () => handler());
    } catch (e) {
      throw translate(e);
    }
  }

  setOption(option: SocketOption, value: number | boolean): void {
    const handle = this.open('setsockopt');
    const spec = this.spec(option);
    const given = optionNumber(option, value);
    const number = spec.boolean ? (given === 0 ? 0 : 1) : given;
    try {
      handle.setOption(spec.level, spec.name, number);
    } catch (e) {
      throw translate(e);
    }
  }

  getOption(option: SocketOption): number {
    const handle = this.open('getsockopt');
    const spec = this.spec(option);
    try {
      return handle.getOption(spec.level, spec.readName ?? spec.name);
    } catch (e) {
      throw translate(e);
    }
  }

  private spec(option: SocketOption): OptionSpec {
    const spec = Object.hasOwn(this.options, option) ? this.options[option] : undefined;
    if (!spec) throw new ArgumentError(`unknown socket option ${String(option)}`);
    return spec;
  }

  addMembership(group: number): void {
    this.membership(NETLINK_ADD_MEMBERSHIP, group);
  }

  dropMembership(group: number): void {
    this.membership(NETLINK_DROP_MEMBERSHIP, group);
  }

  private membership(name: number, group: number): void {
    const handle = this.open('setsockopt');
    // Group 0 and groups past the protocol's count are the kernel's to refuse (EINVAL).
    if (typeof group !== 'number' || !Number.isInteger(group) || group < 0 || group > 0xffffffff) {
      throw new ArgumentError(`a multicast group is a u32 integer, got ${String(group)}`);
    }
    try {
      handle.setOption(SOL_NETLINK, name, group);
    } catch (e) {
      throw translate(e);
    }
  }

  memberships(): number[] {
    const handle = this.open('getsockopt');
    let words: Uint32Array;
    try {
      words = handle.memberships();
    } catch (e) {
      throw translate(e);
    }
    const groups: number[] = [];
    for (let i = 0; i < words.length; i++) {
      for (let bits = words[i]!, j = 0; bits !== 0; bits >>>= 1, j++) {
        if (bits & 1) groups.push(i * 32 + j + 1);
      }
    }
    return groups;
  }

  close(): void {
    const handle = this.handle;
    if (handle === null) return;
    this.handle = null;
    handle.close();
  }
}
