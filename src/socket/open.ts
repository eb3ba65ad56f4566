// Opening sockets by protocol name, on the native transport or a loopback bus.
//
//   const sock = openSocket('route', { netns: 'blue' });          // a real socket in /run/netns/blue
//   const test = openSocket('route', { loopback: kernel });       // the same engine on the emulated kernel

import {
  NETLINK_ROUTE, NETLINK_USERSOCK, NETLINK_SOCK_DIAG, NETLINK_NFLOG, NETLINK_XFRM, NETLINK_SELINUX, NETLINK_AUDIT,
  NETLINK_CONNECTOR, NETLINK_NETFILTER, NETLINK_KOBJECT_UEVENT, NETLINK_GENERIC, NETLINK_CRYPTO, NETLINK_RDMA,
} from '../codec/constants.js';
import { ArgumentError } from '../codec/errors.js';
import { openNative } from '../transport/native.js';
import type { LoopbackKernel } from '../transport/loopback/kernel.js';
import type { OpenOptions } from '../transport/transport.js';
import { teeTransport } from '../transport/tee.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { NetlinkSocket, type SocketOptions } from './socket.js';

export const PROTOCOLS = {
  route: NETLINK_ROUTE,
  usersock: NETLINK_USERSOCK,
  'sock-diag': NETLINK_SOCK_DIAG,
  nflog: NETLINK_NFLOG,
  xfrm: NETLINK_XFRM,
  selinux: NETLINK_SELINUX,
  audit: NETLINK_AUDIT,
  connector: NETLINK_CONNECTOR,
  netfilter: NETLINK_NETFILTER,
  'kobject-uevent': NETLINK_KOBJECT_UEVENT,
  generic: NETLINK_GENERIC,
  rdma: NETLINK_RDMA,
  crypto: NETLINK_CRYPTO,
} as const;

export type ProtocolName = keyof typeof PROTOCOLS;

/** The protocol number of a name (or a number as it is). */
export function protocolNumber(protocol: ProtocolName | number): number {
  if (typeof protocol === 'number') return protocol;
  const n = PROTOCOLS[protocol];
  if (n === undefined) throw new ArgumentError(`unknown netlink protocol '${protocol}' (known: ${Object.keys(PROTOCOLS).join(', ')})`);
  return n;
}

export interface OpenSocketOptions extends OpenOptions, SocketOptions {
  /** Use this emulated kernel instead of a real socket. */
  loopback?: LoopbackKernel;
  /** Record every datagram the socket sends and receives (e.g. a PcapngRecorder). */
  recorder?: TraceRecorder;
}

/** A NetlinkSocket of `protocol`: a native socket, or one on `options.loopback`. */
export function openSocket(protocol: ProtocolName | number, options: OpenSocketOptions = {}): NetlinkSocket {
  const number = protocolNumber(protocol);
  const { loopback, recorder, portId, groups, netns, ...socketOptions } = options;
  const open: OpenOptions = {};
  if (portId !== undefined) open.portId = portId;
  if (groups !== undefined) open.groups = groups;
  if (netns !== undefined) open.netns = netns;
  const transport = loopback ? loopback.open(number, open as Parameters<LoopbackKernel['open']>[1]) : openNative(number, open);
  return new NetlinkSocket(recorder ? teeTransport(transport, recorder) : transport, socketOptions);
}
