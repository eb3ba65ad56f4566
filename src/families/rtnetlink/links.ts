// Links (RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK): typed operations over the
// rt-link schema, link kinds (IFLA_LINKINFO → IFLA_INFO_KIND / IFLA_INFO_DATA)
// through its sub-messages.
//
//   RTM_*LINK  nlmsghdr | ifinfomsg (16) | IFLA_IFNAME | IFLA_MTU | IFLA_LINKINFO [ KIND | DATA [ kind's attrs ] ] | ...

import { ArgumentError } from '../../codec/errors.js';
import { loadCodec, type Codec } from '../../codec/codec.js';
import type { Batch } from '../../codec/batch.js';
import { decodeBatchMessage, formatAttributes, type Attributes } from '../../schema/index.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import type { Message } from '../../socket/received.js';
import { hexText } from './address.js';
import { rtSchemas } from './schema.js';
import { rtDump, rtRequest, VERB_FLAGS, type ListOptions, type OperationOptions, type Verb } from './request.js';
import { attributesFromText } from './values.js';
import { scratch } from '../../socket/scratch.js';

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const IFF_UP = 1;

/** IF_OPER_* (RFC 2863 operational states) as ip prints them. */
export const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'] as const;

/** A link as decoded; absent attributes are absent keys. */
export interface Link {
  index: number;
  name: string;
  /** ARPHRD_* hardware type (1 ether, 772 loopback, ...). */
  type: number;
  /** IFF_* flags by the schema's names: 'up', 'broadcast', 'running', 'lower-up', ... */
  flags: string[];
  /** The raw IFF_* bits. */
  flagBits: number;
  mtu?: number;
  minMtu?: number;
  maxMtu?: number;
  txqlen?: number;
  address?: string;
  broadcast?: string;
  permAddress?: string;
  operstate?: (typeof OPERSTATES)[number] | number;
  linkmode?: number;
  /** ifindex of the master (bridge, bond, vrf). */
  master?: number;
  /** ifindex of the lower link (vlan, macvlan, the veth peer). */
  link?: number;
  /** The namespace id of `link` when it is in another namespace. */
  linkNetnsid?: number;
  group?: number;
  qdisc?: string;
  promiscuity?: number;
  numTxQueues?: number;
  numRxQueues?: number;
  carrier?: boolean;
  alias?: string;
  altNames?: string[];
  /** IFLA_INFO_KIND: 'veth', 'bridge', 'vlan', 'vxlan', 'macvlan', ... */
  kind?: string;
  /** IFLA_INFO_DATA in display form (addresses as text), keyed as in the schema; hex text for a kind the schema does not describe. */
  data?: Record<string, unknown> | string;
  slaveKind?: string;
  slaveData?: Record<string, unknown> | string;
  /** Every attribute as the schema decodes it, for what the fields above leave out. */
  attributes: Attributes;
}

/** What add / replace / set take. Addresses as text; `data` keys as the kind's schema set names them. */
export interface LinkSpec {
  name?: string;
  kind?: string;
  mtu?: number;
  address?: string;
  broadcast?: string;
  txqlen?: number;
  /** Bring it up (true) or down (false); unset leaves the flag alone. */
  up?: boolean;
  /** The master by ifindex or name (0: none). */
  master?: number | string;
  /** The lower link by ifindex or name (vlan, vxlan, macvlan). */
  link?: number | string;
  alias?: string;
  group?: number;
  /** IFLA_INFO_DATA of the kind, e.g. { id: 10 } for vlan, { id: 42, port: 4789, local: '10.0.0.1' } for vxlan. */
  data?: Record<string, unknown>;
  /** veth: the peer's name and settings. */
  peer?: { name?: string; address?: string; mtu?: number; txqlen?: number };
  /** Further IFLA_* attributes in schema form. */
  attributes?: Record<string, unknown>;
}

export interface LinkFilter {
  name?: string;
  index?: number;
  kind?: string;
  /** Only the ports of this master (ifindex). */
  master?: number;
}

function ifinfomsg(index: number, flags = 0, change = 0): Uint8Array {
  const h = new Uint8Array(16);
  const v = new DataView(h.buffer);
  v.setInt32(4, index, true);
  v.setUint32(8, flags, true);
  v.setUint32(12, change, true);
  return h;
}

const text = (v: unknown) => (v instanceof Uint8Array ? hexText(v) : undefined);

/** Maps the schema's decode of a link message to a Link. */
export function linkFromDecoded(header: Record<string, unknown>, a: Attributes, flagBits: number): Link {
  const link: Link = {
    index: header.ifiIndex as number,
    name: (a.ifname as string | undefined) ?? '',
    type: header.ifiType as number,
    flags: (header.ifiFlags as unknown[]).filter((x): x is string => typeof x === 'string'),
    flagBits,
    attributes: a,
  };
  if (a.mtu !== undefined) link.mtu = a.mtu as number;
  if (a.minMtu !== undefined) link.minMtu = a.minMtu as number;
  if (a.maxMtu !== undefined) link.maxMtu = a.maxMtu as number;
  if (a.txqlen !== undefined) link.txqlen = a.txqlen as number;
  if (a.address !== undefined) link.address = text(a.address)!;
  if (a.broadcast !== undefined) link.broadcast = text(a.broadcast)!;
  if (a.permAddress !== undefined) link.permAddress = text(a.permAddress)!;
  if (a.operstate !== undefined) link.operstate = OPERSTATES[a.operstate as number] ?? (a.operstate as number);
  if (a.linkmode !== undefined) link.linkmode = a.linkmode as number;
  if (a.master !== undefined) link.master = a.master as number;
  if (a.link !== undefined) link.link = a.link as number;
  if (a.linkNetnsid !== undefined) link.linkNetnsid = a.linkNetnsid as number;
  if (a.group !== undefined) link.group = a.group as number;
  if (a.qdisc !== undefined) link.qdisc = a.qdisc as string;
  if (a.promiscuity !== undefined) link.promiscuity = a.promiscuity as number;
  if (a.numTxQueues !== undefined) link.numTxQueues = a.numTxQueues as number;
  if (a.numRxQueues !== undefined) link.numRxQueues = a.numRxQueues as number;
  if (a.carrier !== undefined) link.carrier = a.carrier !== 0;
  if (a.ifalias !== undefined) link.alias = a.ifalias as string;
  const prop = a.propList as { altIfname?: string[] } | undefined;
  if (prop?.altIfname) link.altNames = prop.altIfname;
  const info = a.linkinfo as Record<string, unknown> | undefined;
  if (info) {
    const shown = formatAttributes(rtSchemas().link.family.set('linkinfo-attrs'), info);
    if (typeof info.kind === 'string') link.kind = info.kind;
    if (shown.data !== undefined) link.data = shown.data as Record<string, unknown> | string;
    if (typeof info.slaveKind === 'string') link.slaveKind = info.slaveKind;
    if (shown.slaveData !== undefined) link.slaveData = shown.slaveData as Record<string, unknown> | string;
  }
  return link;
}

/** Decodes message i of a batch (an RTM_NEWLINK or RTM_DELLINK) as a Link. */
export function decodeLink(batch: Batch, i: number, codec: Codec = loadCodec()): Link {
  const m = decodeBatchMessage(batch, i, rtSchemas().link.newMessage, undefined, codec);
  // ifi_flags as bits too (offset 8 of ifinfomsg): the CLI prints the kernel's order.
  const bits = codec.memory.view.getUint32(batch.regionAddress + batch.offset(i) + 16 + 8, true);
  return linkFromDecoded(m.header!, m.attributes, bits);
}

/** Decodes a detached RTM_NEWLINK / RTM_DELLINK message. */
export function decodeLinkMessage(sock: { codec: NetlinkSocket['codec'] }, message: Message | Uint8Array): Link {
  const bytes = message instanceof Uint8Array ? message : message.bytes;
  const batch = scratch(sock.codec).scanBytes(bytes);
  return decodeLink(batch, 0, sock.codec);
}

function matches(link: Link, filter: LinkFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.name !== undefined && link.name !== filter.name) return false;
  if (filter.index !== undefined && link.index !== filter.index) return false;
  if (filter.kind !== undefined && link.kind !== filter.kind) return false;
  if (filter.master !== undefined && link.master !== filter.master) return false;
  return true;
}

/** The ifindex of a link given by name or index. */
export async function linkIndex(sock: NetlinkSocket, link: number | string, options?: OperationOptions): Promise<number> {
  if (typeof link === 'number') return link;
  return (await links.get(sock, link, options)).index;
}

async function specAttributes(sock: NetlinkSocket, spec: LinkSpec, options?: OperationOptions): Promise<Record<string, unknown>> {
  const attrs: Record<string, unknown> = {};
  if (spec.name !== undefined) attrs.ifname = spec.name;
  if (spec.mtu !== undefined) attrs.mtu = spec.mtu;
  if (spec.txqlen !== undefined) attrs.txqlen = spec.txqlen;
  if (spec.address !== undefined) attrs.address = spec.address;
  if (spec.broadcast !== undefined) attrs.broadcast = spec.broadcast;
  if (spec.master !== undefined) attrs.master = spec.master === 0 ? 0 : await linkIndex(sock, spec.master, options);
  if (spec.link !== undefined) attrs.link = await linkIndex(sock, spec.link, options);
  if (spec.alias !== undefined) attrs.ifalias = spec.alias;
  if (spec.group !== undefined) attrs.group = spec.group;
  Object.assign(attrs, spec.attributes);
  if (spec.kind !== undefined) {
    const info: Record<string, unknown> = { kind: spec.kind };
    let data = spec.data;
    if (spec.peer) {
      if (spec.kind !== 'veth') throw new ArgumentError(`a peer is a veth setting; kind is '${spec.kind}'`);
      const peer: Record<string, unknown> = { ifiFamily: 0 };
      if (spec.peer.name !== undefined) peer.ifname = spec.peer.name;
      if (spec.peer.address !== undefined) peer.address = spec.peer.address;
      if (spec.peer.mtu !== undefined) peer.mtu = spec.peer.mtu;
      if (spec.peer.txqlen !== undefined) peer.txqlen = spec.peer.txqlen;
      data = { ...data, peer };
    }
    if (data !== undefined) info.data = data;
    attrs.linkinfo = info;
  } else if (spec.data !== undefined || spec.peer !== undefined) {
    throw new ArgumentError('link data and peer need the kind');
  }
  return attributesFromText(rtSchemas().link.set, attrs);
}

async function write(sock: NetlinkSocket, verb: Verb, index: number, spec: LinkSpec, options?: OperationOptions): Promise<void> {
  const attrs = await specAttributes(sock, spec, options);
  const header = {
    ifiIndex: index,
    ifiFlags: spec.up ? IFF_UP : 0,
    ifiChange: spec.up === undefined ? 0 : IFF_UP,
  };
  await rtRequest(sock, rtSchemas().link.newMessage, header, attrs, VERB_FLAGS[verb], options);
}

/** Typed link operations. */
export const links = {
  /** Every link (or those the filter keeps), decoded from the dump in place. */
  dump(sock: NetlinkSocket, filter?: LinkFilter, options?: ListOptions): AsyncGenerator<Link, void, undefined> {
    const codec = sock.codec;
    return rtDump(sock, RTM_GETLINK, ifinfomsg(0), RTM_NEWLINK, (batch, i) => {
      const link = decodeLink(batch, i, codec);
      return matches(link, filter) ? link : undefined;
    }, options);
  },

  /** One link by name or ifindex; ENODEV when there is none. */
  async get(sock: NetlinkSocket, link: number | string, options?: OperationOptions): Promise<Link> {
    const schema = rtSchemas().link.getMessage;
    const byName = typeof link === 'string';
    const reply = await rtRequest(sock, schema, { ifiIndex: byName ? 0 : link }, byName ? { ifname: link } : {}, 0, options);
    const message = reply.messages.find((m) => m.type === RTM_NEWLINK);
    if (!message) throw new ArgumentError(`the kernel answered RTM_GETLINK for ${link} without a link`);
    return decodeLinkMessage(sock, message);
  },

  /** Creates a link (NLM_F_CREATE | NLM_F_EXCL): EEXIST when the name is taken. */
  add(sock: NetlinkSocket, spec: LinkSpec & { name: string; kind: string }, options?: OperationOptions): Promise<void> {
    return write(sock, 'add', 0, spec, options);
  },

  /** Creates or updates (NLM_F_CREATE | NLM_F_REPLACE). */
  replace(sock: NetlinkSocket, spec: LinkSpec & { name: string }, options?: OperationOptions): Promise<void> {
    return write(sock, 'replace', 0, spec, options);
  },

  /** Changes an existing link (by name or index): mtu, up/down, master, address, name... */
  async set(sock: NetlinkSocket, link: number | string, change: Omit<LinkSpec, 'kind' | 'peer'>, options?: OperationOptions): Promise<void> {
    if (typeof link === 'number') return write(sock, 'change', link, change, options);
    // By name: the name selects the link unless the change renames it.
    if (change.name !== undefined && change.name !== link) return write(sock, 'change', await linkIndex(sock, link, options), change, options);
    return write(sock, 'change', 0, { ...change, name: link }, options);
  },

  /** Deletes a link by name or index (a veth's peer goes with it). */
  delete(sock: NetlinkSocket, link: number | string, options?: OperationOptions): Promise<void> {
    const byName = typeof link === 'string';
    return rtRequest(sock, rtSchemas().link.delMessage, { ifiIndex: byName ? 0 : link }, byName ? { ifname: link } : {}, 0, options).then(() => undefined);
  },
};
