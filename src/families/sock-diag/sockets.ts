// sock_diag dumps (NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY): inet sockets
// (TCP / UDP over IPv4 / IPv6) and unix sockets, typed.
//
//   request: nlmsghdr | inet_diag_req_v2 { family, protocol, ext, states, sockid }
//   reply:   nlmsghdr | inet_diag_msg { family, state, ..., sockid, rqueue, wqueue, uid, inode } | INET_DIAG_*
//
//   request: nlmsghdr | unix_diag_req { family, 0, states, ino, show, cookie }
//   reply:   nlmsghdr | unix_diag_msg { family, type, state, ino, cookie } | UNIX_DIAG_*
//
// Replies are decoded in place from the received batches by the sock-diag
// schema (its `match` picks the header per address family).

import { ArgumentError } from '../../codec/errors.js';
import type { Batch } from '../../codec/batch.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import { defaultRegistry } from '../../schema/default-registry.js';
import { decodeBatchMessage, type Attributes } from '../../schema/decode.js';
import { encodeStruct } from '../../schema/struct.js';
import type { Family, MessageSchema } from '../../schema/compile.js';
import { formatBytes } from '../../schema/format.js';
import { decodeTcpInfo, type TcpInfo } from './tcp-info.js';

export const SOCK_DIAG_BY_FAMILY = 20;
const AF_UNIX = 1;
const UNIX_DIAG_MSG_LEN = 16;
const AF_INET = 2;
const AF_INET6 = 10;
const IPPROTO = { tcp: 6, udp: 17 } as const;

/** TCP states (also used for UDP and unix sockets), as the kernel numbers them. */
export const TCP_STATES = [
  'unknown', 'established', 'syn-sent', 'syn-recv', 'fin-wait1', 'fin-wait2', 'time-wait', 'close',
  'close-wait', 'last-ack', 'listen', 'closing', 'new-syn-recv', 'bound-inactive',
] as const;
export type SocketState = (typeof TCP_STATES)[number];

/** A state mask from state names (every state when omitted). */
export function stateMask(states?: readonly SocketState[]): number {
  if (!states) return 0xffffffff;
  let mask = 0;
  for (const s of states) {
    const n = TCP_STATES.indexOf(s);
    if (n < 0) throw new ArgumentError(`unknown socket state '${String(s)}' (known: ${TCP_STATES.join(', ')})`);
    mask |= 1 << n;
  }
  return mask >>> 0;
}

export interface Endpoint {
  address: string;
  port: number;
}

export interface InetSocket {
  family: 'inet' | 'inet6';
  protocol: 'tcp' | 'udp';
  state: SocketState | number;
  local: Endpoint;
  remote: Endpoint;
  recvQ: number;
  sendQ: number;
  uid: number;
  inode: number;
  /** Bound interface index (0: any). */
  interface: number;
  cookie: number | bigint;
  /** TCP only, with `info: true`. */
  tcpInfo?: TcpInfo;
  /** Congestion control algorithm (TCP, with `info: true`). */
  congestion?: string;
  attributes: Attributes;
}

export interface InetDumpOptions {
  family?: 'inet' | 'inet6';
  protocol: 'tcp' | 'udp';
  states?: readonly SocketState[];
  /** Ask for INET_DIAG_INFO (tcp_info) and the congestion algorithm. */
  info?: boolean;
  signal?: AbortSignal;
}

function family(): Family {
  return defaultRegistry().family('sock-diag');
}

function replySchema(first: number): MessageSchema {
  const m = family().messagesByValue(SOCK_DIAG_BY_FAMILY, 'reply').find((x) => x.match?.includes(first));
  if (!m) throw new ArgumentError(`the sock-diag schema has no reply for address family ${first}`);
  return m;
}

function endpoint(bytes: unknown, port: unknown, af: number): Endpoint {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(16);
  return { address: formatBytes(af === AF_INET ? b.subarray(0, 4) : b, af === AF_INET ? 'ipv4' : 'ipv6'), port: Number(port ?? 0) };
}

/** Inet sockets of one protocol and address family, decoded from the dump as it arrives. */
export async function* dumpInetSockets(sock: NetlinkSocket, options: InetDumpOptions): AsyncGenerator<InetSocket, void, undefined> {
  const af = options.family === 'inet6' ? AF_INET6 : options.family === undefined || options.family === 'inet' ? AF_INET : NaN;
  const proto = IPPROTO[options.protocol];
  if (Number.isNaN(af)) throw new ArgumentError(`family must be 'inet' or 'inet6', got '${String(options.family)}'`);
  if (proto === undefined) throw new ArgumentError(`protocol must be 'tcp' or 'udp', got '${String(options.protocol)}'`);
  const f = family();
  const header = encodeStruct(f.struct('inet-diag-req-v2'), {
    sdiagFamily: af, sdiagProtocol: proto, idiagStates: stateMask(options.states),
    idiagExt: options.info ? ['info', 'cong'] : 0,
  }, 'inet_diag_req_v2');
  const schema = replySchema(af);
  const spec = { type: SOCK_DIAG_BY_FAMILY, header };
  for await (const part of sock.dumpBatches(spec, options.signal ? { signal: options.signal } : undefined)) {
    for (let k = 0; k < part.count; k++) {
      const d = decodeBatchMessage(part.batch, part.indices[k]!, schema, { enums: 'numbers' }, sock.codec);
      const h = d.header ?? {};
      const id = (h.id ?? {}) as Record<string, unknown>;
      const stateNumber = Number(h.idiagState ?? 0);
      const out: InetSocket = {
        family: Number(h.idiagFamily) === AF_INET6 ? 'inet6' : 'inet',
        protocol: options.protocol,
        state: TCP_STATES[stateNumber] ?? stateNumber,
        local: endpoint(id.src, id.sport, Number(h.idiagFamily)),
        remote: endpoint(id.dst, id.dport, Number(h.idiagFamily)),
        recvQ: Number(h.idiagRqueue ?? 0), sendQ: Number(h.idiagWqueue ?? 0),
        uid: Number(h.idiagUid ?? 0), inode: Number(h.idiagInode ?? 0),
        interface: Number(id.if ?? 0), cookie: (id.cookie ?? 0) as number | bigint,
        attributes: d.attributes,
      };
      if (d.attributes.info instanceof Uint8Array && options.protocol === 'tcp') {
        const info = decodeTcpInfo(d.attributes.info);
        if (info) out.tcpInfo = info;
      }
      if (typeof d.attributes.cong === 'string') out.congestion = d.attributes.cong;
      yield out;
    }
  }
}

export async function listInetSockets(sock: NetlinkSocket, options: InetDumpOptions): Promise<InetSocket[]> {
  const out: InetSocket[] = [];
  for await (const s of dumpInetSockets(sock, options)) out.push(s);
  return out;
}

export interface UnixSocket {
  type: 'stream' | 'dgram' | 'seqpacket' | number;
  state: SocketState | number;
  inode: number;
  /** Bound path; abstract names start with '@' (the kernel's leading NUL). */
  path?: string;
  /** Inode of the peer socket. */
  peer?: number;
  recvQ?: number;
  sendQ?: number;
  uid?: number;
  cookie: number | bigint;
  attributes: Attributes;
}

const UDIAG_SHOW = { name: 1, vfs: 2, peer: 4, icons: 8, rqlen: 16, meminfo: 32, uid: 64 };
const UNIX_TYPES: Record<number, UnixSocket['type']> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };

/** Unix sockets with their names, peers and queue lengths. */
export async function* dumpUnixSockets(sock: NetlinkSocket, options: { states?: readonly SocketState[]; signal?: AbortSignal } = {}): AsyncGenerator<UnixSocket, void, undefined> {
  const f = family();
  const header = encodeStruct(f.struct('unix-diag-req'), {
    sdiagFamily: AF_UNIX, sdiagProtocol: 0, udiagStates: stateMask(options.states),
    udiagShow: UDIAG_SHOW.name | UDIAG_SHOW.peer | UDIAG_SHOW.rqlen | UDIAG_SHOW.uid,
  }, 'unix_diag_req');
  const schema = replySchema(AF_UNIX);
  for await (const part of sock.dumpBatches({ type: SOCK_DIAG_BY_FAMILY, header }, options.signal ? { signal: options.signal } : undefined)) {
    for (let k = 0; k < part.count; k++) {
      const d = decodeBatchMessage(part.batch, part.indices[k]!, schema, { enums: 'numbers' }, sock.codec);
      const h = d.header ?? {};
      const a = d.attributes;
      const state = Number(h.udiagState ?? 0);
      const out: UnixSocket = {
        type: UNIX_TYPES[Number(h.udiagType)] ?? Number(h.udiagType),
        state: TCP_STATES[state] ?? state,
        inode: Number(h.udiagIno ?? 0),
        cookie: (h.udiagCookie ?? 0) as number | bigint,
        attributes: a,
      };
      if (a.name !== undefined) out.path = unixName(part.batch, part.indices[k]!);
      if (a.peer !== undefined) out.peer = Number(a.peer);
      const rq = a.rqlen as { rqueue?: number; wqueue?: number } | undefined;
      if (rq) { out.recvQ = Number(rq.rqueue ?? 0); out.sendQ = Number(rq.wqueue ?? 0); }
      if (a.uid !== undefined) out.uid = Number(a.uid);
      yield out;
    }
  }
}

/** UNIX_DIAG_NAME read raw: an abstract name starts with NUL, which a string decode would cut. */
function unixName(batch: Batch, i: number): string {
  const list = batch.attributes(i, UNIX_DIAG_MSG_LEN);
  const at = list.find(0);
  if (at < 0) return '';
  const bytes = list.bytes(at);
  let end = bytes.length;
  if (bytes[0] !== 0) while (end > 0 && bytes[end - 1] === 0) end--;
  const text = new TextDecoder().decode(bytes.subarray(bytes[0] === 0 ? 1 : 0, end));
  return bytes[0] === 0 ? `@${text}` : text;
}

export async function listUnixSockets(sock: NetlinkSocket, options?: { states?: readonly SocketState[] }): Promise<UnixSocket[]> {
  const out: UnixSocket[] = [];
  for await (const s of dumpUnixSockets(sock, options)) out.push(s);
  return out;
}
