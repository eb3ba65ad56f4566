// ctnetlink (nfnetlink subsystem 1): connection tracking entries, typed.
//
//   CTA_TUPLE_ORIG ─┬─ CTA_TUPLE_IP ──┬─ CTA_IP_V4_SRC / V6_SRC   (addresses: raw bytes)
//                   │                 └─ CTA_IP_V4_DST / V6_DST
//                   └─ CTA_TUPLE_PROTO ┬─ CTA_PROTO_NUM            (u8)
//                                      └─ CTA_PROTO_SRC_PORT / DST  (be16)
//
// Every multi-byte integer inside ctnetlink attributes is big-endian; the
// schema marks them so and decode/encode swap them. Dumps are decoded in
// place from the received batches; events arrive on groups 1..3.

import { ArgumentError } from '../../codec/errors.js';
import { NLM_F_CREATE, NLM_F_EXCL } from '../../codec/constants.js';
import type { Batch } from '../../codec/batch.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import type { Message } from '../../socket/received.js';
import type { SocketEvent } from '../../socket/events.js';
import { scratch } from '../../socket/scratch.js';
import { defaultRegistry } from '../../schema/default-registry.js';
import { decodeBatchMessage, type Attributes } from '../../schema/decode.js';
import { encodeAttributes } from '../../schema/encode.js';
import type { Family, MessageSchema } from '../../schema/compile.js';
import { NFNL_SUBSYS_CTNETLINK, nfgenmsg, nfnlType } from './nfgenmsg.js';
import { formatAddress, parseAddress } from './address.js';

export const IPCTNL_MSG_CT_NEW = 0;
export const IPCTNL_MSG_CT_GET = 1;
export const IPCTNL_MSG_CT_DELETE = 2;
export const NFNLGRP_CONNTRACK_NEW = 1;
export const NFNLGRP_CONNTRACK_UPDATE = 2;
export const NFNLGRP_CONNTRACK_DESTROY = 3;

const AF_UNSPEC = 0;
const AF_INET = 2;
const AF_INET6 = 10;

const PROTOCOL_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 47: 'gre', 58: 'icmpv6', 132: 'sctp', 136: 'udplite' };

export type ConntrackFamily = 'ipv4' | 'ipv6';

/** One direction of a connection: addresses as text, ports as numbers. */
export interface ConntrackTuple {
  src: string;
  dst: string;
  /** IP protocol number (6 tcp, 17 udp, 1 icmp, ...). */
  protocol: number;
  sport?: number;
  dport?: number;
  icmp?: { type?: number; code?: number; id?: number };
  zone?: number;
}

export interface ConntrackCounters {
  packets: number | bigint;
  bytes: number | bigint;
}

export interface ConntrackEntry {
  family: ConntrackFamily | number;
  /** Protocol name ('tcp', 'udp', ...) or the number. */
  protocol: string;
  original: ConntrackTuple;
  reply: ConntrackTuple;
  /** IPS_* status flags by name ('assured', 'confirmed', 'seen-reply', ...). */
  status: Array<string | number>;
  /** Seconds until the entry expires. */
  timeout?: number;
  mark?: number;
  use?: number;
  id?: number;
  zone?: number;
  /** TCP state ('established', 'syn-sent', ...). */
  tcpState?: string | number;
  counters?: { original?: ConntrackCounters; reply?: ConntrackCounters };
  /** Everything the kernel sent, decoded by the conntrack schema. */
  attributes: Attributes;
}

/** What identifies an entry for get/delete: its original tuple (protocol as number or name). */
export interface ConntrackTupleInput {
  src: string;
  dst: string;
  protocol: number | string;
  sport?: number;
  dport?: number;
  icmp?: { type: number; code: number; id: number };
  zone?: number;
}

export type ConntrackEvent =
  | { kind: 'new' | 'update' | 'destroy'; entry: ConntrackEntry; message: Message }
  | Exclude<SocketEvent, { kind: 'message' }>;

function family(): Family {
  return defaultRegistry().family('conntrack');
}

function afOf(f: ConntrackFamily | 'all' | undefined): number {
  if (f === undefined || f === 'all') return AF_UNSPEC;
  if (f === 'ipv4') return AF_INET;
  if (f === 'ipv6') return AF_INET6;
  throw new ArgumentError(`conntrack family must be 'ipv4', 'ipv6' or 'all', got '${String(f)}'`);
}

function protocolNumberOf(p: number | string): number {
  if (typeof p === 'number') return p;
  const found = Object.entries(PROTOCOL_NAMES).find(([, name]) => name === p.toLowerCase());
  if (!found) throw new ArgumentError(`unknown IP protocol '${p}' (use a number or one of ${Object.values(PROTOCOL_NAMES).join(', ')})`);
  return Number(found[0]);
}

type Nest = Record<string, unknown> | undefined;

function tupleOf(value: unknown): ConntrackTuple {
  const t = (value ?? {}) as Record<string, unknown>;
  const ip = t.ip as Nest;
  const proto = t.proto as Nest;
  const address = (v: unknown) => (v instanceof Uint8Array ? formatAddress(v) : '');
  const out: ConntrackTuple = {
    src: address(ip?.v4Src ?? ip?.v6Src),
    dst: address(ip?.v4Dst ?? ip?.v6Dst),
    protocol: Number(proto?.num ?? 0),
  };
  if (proto?.srcPort !== undefined) out.sport = Number(proto.srcPort);
  if (proto?.dstPort !== undefined) out.dport = Number(proto.dstPort);
  const icmpType = proto?.icmpType ?? proto?.icmpv6Type;
  if (icmpType !== undefined) {
    out.icmp = { type: Number(icmpType), code: Number(proto?.icmpCode ?? proto?.icmpv6Code ?? 0), id: Number(proto?.icmpId ?? proto?.icmpv6Id ?? 0) };
  }
  if (t.zone !== undefined) out.zone = Number(t.zone);
  return out;
}

function counters(value: unknown): ConntrackCounters | undefined {
  const c = value as Nest;
  if (!c) return undefined;
  return { packets: (c.packets ?? c.packets32 ?? 0) as number | bigint, bytes: (c.bytes ?? c.bytes32 ?? 0) as number | bigint };
}

/** The typed entry of a decoded IPCTNL_MSG_CT_NEW / DELETE message. */
export function conntrackEntry(nfgenFamily: number, attributes: Attributes): ConntrackEntry {
  const a = attributes;
  const original = tupleOf(a.tupleOrig);
  const entry: ConntrackEntry = {
    family: nfgenFamily === AF_INET ? 'ipv4' : nfgenFamily === AF_INET6 ? 'ipv6' : nfgenFamily,
    protocol: PROTOCOL_NAMES[original.protocol] ?? String(original.protocol),
    original,
    reply: tupleOf(a.tupleReply),
    status: (a.status ?? []) as Array<string | number>,
    attributes: a,
  };
  if (a.timeout !== undefined) entry.timeout = Number(a.timeout);
  if (a.mark !== undefined) entry.mark = Number(a.mark);
  if (a.use !== undefined) entry.use = Number(a.use);
  if (a.id !== undefined) entry.id = Number(a.id);
  if (a.zone !== undefined) entry.zone = Number(a.zone);
  const tcp = (a.protoinfo as Nest)?.tcp as Nest;
  if (tcp?.state !== undefined) entry.tcpState = tcp.state as string | number;
  const orig = counters(a.countersOrig);
  const reply = counters(a.countersReply);
  if (orig || reply) entry.counters = { ...(orig ? { original: orig } : {}), ...(reply ? { reply } : {}) };
  return entry;
}

function decodeEntry(batch: Batch, i: number, schema: MessageSchema, codec: NetlinkSocket['codec']): ConntrackEntry {
  const decoded = decodeBatchMessage(batch, i, schema, undefined, codec);
  return conntrackEntry(Number(decoded.header?.nfgenFamily ?? 0), decoded.attributes);
}

/** The CTA_TUPLE_* nest value of a tuple given as text. */
export function tupleAttributes(t: ConntrackTupleInput): { tuple: Record<string, unknown>; af: number } {
  const src = parseAddress(t.src);
  const dst = parseAddress(t.dst);
  if (src.family !== dst.family) throw new ArgumentError(`tuple mixes IPv${src.family} source ${t.src} and IPv${dst.family} destination ${t.dst}`);
  const v6 = src.family === 6;
  const num = protocolNumberOf(t.protocol);
  const proto: Record<string, unknown> = { num };
  if (t.sport !== undefined) proto.srcPort = t.sport;
  if (t.dport !== undefined) proto.dstPort = t.dport;
  if (t.icmp) {
    Object.assign(proto, v6
      ? { icmpv6Id: t.icmp.id, icmpv6Type: t.icmp.type, icmpv6Code: t.icmp.code }
      : { icmpId: t.icmp.id, icmpType: t.icmp.type, icmpCode: t.icmp.code });
  }
  const ip = v6 ? { v6Src: src.bytes, v6Dst: dst.bytes } : { v4Src: src.bytes, v4Dst: dst.bytes };
  const tuple: Record<string, unknown> = { ip, proto };
  if (t.zone !== undefined) tuple.zone = t.zone;
  return { tuple, af: v6 ? AF_INET6 : AF_INET };
}

export interface ConntrackDumpOptions {
  family?: ConntrackFamily | 'all';
  signal?: AbortSignal;
}

/** Every entry of the table, decoded in place from the received batches. */
export async function* dumpConntrack(sock: NetlinkSocket, options: ConntrackDumpOptions = {}): AsyncGenerator<ConntrackEntry, void, undefined> {
  const schema = family().message('new', 'reply');
  const spec = { type: nfnlType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET), header: nfgenmsg(afOf(options.family)) };
  for await (const part of sock.dumpBatches(spec, options.signal ? { signal: options.signal } : undefined)) {
    for (let k = 0; k < part.count; k++) yield decodeEntry(part.batch, part.indices[k]!, schema, sock.codec);
  }
}

/** All entries as an array. */
export async function listConntrack(sock: NetlinkSocket, options?: ConntrackDumpOptions): Promise<ConntrackEntry[]> {
  const out: ConntrackEntry[] = [];
  for await (const e of dumpConntrack(sock, options)) out.push(e);
  return out;
}

function decodeMessage(sock: NetlinkSocket, message: Message): ConntrackEntry {
  const batch = scratch(sock.codec).scanBytes(message.bytes);
  const schema = family().message(message.type === nfnlType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_DELETE) ? 'destroy-ntf' : 'new', 'reply');
  return decodeEntry(batch, 0, schema, sock.codec);
}

/** The entry whose original tuple is `tuple`; NetlinkError ENOENT when there is none. */
export async function getConntrack(sock: NetlinkSocket, tuple: ConntrackTupleInput): Promise<ConntrackEntry> {
  const { tuple: value, af } = tupleAttributes(tuple);
  const set = family().set('conntrack-attrs');
  const reply = await sock.request({
    type: nfnlType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET),
    header: nfgenmsg(af),
    attributes: (b) => encodeAttributes(b, set, { tupleOrig: value }),
  }); // the reply is flagged NLM_F_MULTI though alone: the ack marks its end

  const message = reply.messages[0];
  if (!message) throw new ArgumentError('the kernel answered a conntrack get without an entry');
  return decodeMessage(sock, message);
}

/** Deletes the entry whose original tuple is `tuple` (and id, when given). */
export async function deleteConntrack(sock: NetlinkSocket, tuple: ConntrackTupleInput, id?: number): Promise<void> {
  const { tuple: value, af } = tupleAttributes(tuple);
  const set = family().set('conntrack-attrs');
  await sock.request({
    type: nfnlType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_DELETE),
    header: nfgenmsg(af),
    attributes: (b) => encodeAttributes(b, set, id === undefined ? { tupleOrig: value } : { tupleOrig: value, id }),
  });
}

/**
 * Deletes every entry (of one family when given). nfgenmsg version 1 makes
 * the kernel honour the family; version 0 always flushes all.
 */
export async function flushConntrack(sock: NetlinkSocket, options: { family?: ConntrackFamily | 'all' } = {}): Promise<void> {
  const af = afOf(options.family);
  const header = nfgenmsg(af);
  header[1] = af === AF_UNSPEC ? 0 : 1;
  await sock.request({ type: nfnlType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_DELETE), header });
}

const GROUPS = { new: NFNLGRP_CONNTRACK_NEW, update: NFNLGRP_CONNTRACK_UPDATE, destroy: NFNLGRP_CONNTRACK_DESTROY } as const;

export interface ConntrackEventOptions {
  /** Which events (default all three). */
  events?: Array<keyof typeof GROUPS>;
  queue?: number;
  onOverrun?: 'continue' | 'fail';
}

/**
 * Joins the conntrack groups and yields typed events; overruns come through
 * as they are (nothing lost silently). Needs a netfilter socket of its own.
 */
export async function* conntrackEvents(sock: NetlinkSocket, options: ConntrackEventOptions = {}): AsyncGenerator<ConntrackEvent, void, undefined> {
  const groups = (options.events ?? ['new', 'update', 'destroy']).map((e) => {
    const g = GROUPS[e];
    if (g === undefined) throw new ArgumentError(`unknown conntrack event '${String(e)}' (new, update, destroy)`);
    return g;
  });
  sock.subscribe(groups);
  const stream = sock.events({ groups, unicast: false, ...(options.queue ? { queue: options.queue } : {}), ...(options.onOverrun ? { onOverrun: options.onOverrun } : {}) });
  const newType = nfnlType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW);
  const deleteType = nfnlType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_DELETE);
  for await (const event of stream) {
    if (event.kind !== 'message') {
      yield event;
      continue;
    }
    const m = event.message;
    if (m.type !== newType && m.type !== deleteType) continue; // expectations and others: not asked for
    const kind = m.type === deleteType ? 'destroy' : (m.flags & (NLM_F_CREATE | NLM_F_EXCL)) ? 'new' : 'update';
    yield { kind, entry: decodeMessage(sock, m), message: m };
  }
}
