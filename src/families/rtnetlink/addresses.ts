// Interface addresses (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR), IPv4 and
// IPv6, decoded through the rt-addr schema.
//
//   ifaddrmsg   ┌────────┬───────────┬───────┬───────┬───────────┐
//               │ family │ prefixlen │ flags │ scope │ index u32 │   then IFA_ADDRESS, IFA_LOCAL, ...
//               └────────┴───────────┴───────┴───────┴───────────┘

import { ArgumentError } from '../../codec/errors.js';
import { loadCodec, type Codec } from '../../codec/codec.js';
import type { Batch } from '../../codec/batch.js';
import { decodeBatchMessage } from '../../schema/index.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import type { Message } from '../../socket/received.js';
import { AF_INET, AF_INET6, ipText, parseIp, parsePrefix } from './address.js';
import { rtSchemas } from './schema.js';
import { rtDump, rtRequest, VERB_FLAGS, type ListOptions, type OperationOptions, type Verb } from './request.js';
import { linkIndex } from './links.js';
import { scratch } from '../../socket/scratch.js';

export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;

export interface Address {
  family: 4 | 6;
  /** ifindex of the link. */
  index: number;
  prefixlen: number;
  /** The address proper: IFA_LOCAL for IPv4 (IFA_ADDRESS is the peer on point-to-point links), IFA_ADDRESS for IPv6. */
  address: string;
  /** IFA_ADDRESS when it differs from `address` (the peer). */
  peer?: string;
  broadcast?: string;
  label?: string;
  /** RT_SCOPE_*: 0 global, 253 link, 254 host. */
  scope: number;
  /** IFA_F_* by name ('permanent', 'nodad', 'tentative', ...), from IFA_FLAGS when present. */
  flags: string[];
  /** Seconds; 0xffffffff is forever. */
  validLifetime?: number;
  preferredLifetime?: number;
  metric?: number;
  protocol?: number;
}

export interface AddressFilter {
  family?: 4 | 6;
  index?: number;
}

export interface AddressSpec {
  /** The link, by ifindex or name. */
  dev: number | string;
  /** 'a.b.c.d/len' or an IPv6 prefix; a bare address is a host prefix. */
  address: string;
  peer?: string;
  /** An IPv4 broadcast address. */
  broadcast?: string;
  label?: string;
  scope?: number;
  /** IFA_F_* names to set: 'nodad', 'noprefixroute', ... */
  flags?: string[];
  validLifetime?: number;
  preferredLifetime?: number;
  metric?: number;
}

function flagNames(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Decodes message i of a batch (RTM_NEWADDR / RTM_DELADDR) as an Address. */
export function decodeAddress(batch: Batch, i: number, codec: Codec = loadCodec()): Address {
  const m = decodeBatchMessage(batch, i, rtSchemas().addr.newMessage, undefined, codec);
  const h = m.header!;
  const a = m.attributes;
  const family = h.ifaFamily === AF_INET6 ? 6 : 4;
  const local = a.ifaLocal instanceof Uint8Array ? ipText(a.ifaLocal) : undefined;
  const addr = a.ifaAddress instanceof Uint8Array ? ipText(a.ifaAddress) : undefined;
  const out: Address = {
    family, index: h.ifaIndex as number, prefixlen: h.ifaPrefixlen as number,
    address: local ?? addr ?? '', scope: h.ifaScope as number,
    flags: flagNames(a.ifaFlags ?? h.ifaFlags),
  };
  if (local !== undefined && addr !== undefined && addr !== local) out.peer = addr;
  if (a.ifaBroadcast instanceof Uint8Array) out.broadcast = ipText(a.ifaBroadcast);
  if (typeof a.ifaLabel === 'string') out.label = a.ifaLabel;
  const cache = a.ifaCacheinfo as { ifaValid?: number; ifaPrefered?: number } | undefined;
  if (cache?.ifaValid !== undefined) out.validLifetime = cache.ifaValid;
  if (cache?.ifaPrefered !== undefined) out.preferredLifetime = cache.ifaPrefered;
  if (a.ifaRtPriority !== undefined) out.metric = a.ifaRtPriority as number;
  if (a.ifaProto !== undefined) out.protocol = a.ifaProto as number;
  return out;
}

export function decodeAddressMessage(sock: { codec: Codec }, message: Message | Uint8Array): Address {
  const batch = scratch(sock.codec).scanBytes(message instanceof Uint8Array ? message : message.bytes);
  return decodeAddress(batch, 0, sock.codec);
}

async function specParts(sock: NetlinkSocket, spec: AddressSpec, options?: OperationOptions) {
  const p = parsePrefix(spec.address);
  const index = await linkIndex(sock, spec.dev, options);
  const attrs: Record<string, unknown> = {};
  if (p.family === AF_INET) {
    attrs.ifaLocal = p.bytes;
    attrs.ifaAddress = spec.peer === undefined ? p.bytes : parseIp(spec.peer).bytes;
    if (spec.broadcast !== undefined) attrs.ifaBroadcast = parseIp(spec.broadcast).bytes;
  } else {
    if (spec.broadcast !== undefined) throw new ArgumentError('IPv6 has no broadcast addresses');
    attrs.ifaAddress = p.bytes;
    if (spec.peer !== undefined) { attrs.ifaLocal = p.bytes; attrs.ifaAddress = parseIp(spec.peer).bytes; }
  }
  if (spec.label !== undefined) attrs.ifaLabel = spec.label;
  if (spec.flags !== undefined) attrs.ifaFlags = spec.flags;
  if (spec.metric !== undefined) attrs.ifaRtPriority = spec.metric;
  if (spec.validLifetime !== undefined || spec.preferredLifetime !== undefined) {
    attrs.ifaCacheinfo = { ifaValid: spec.validLifetime ?? 0xffffffff, ifaPrefered: spec.preferredLifetime ?? spec.validLifetime ?? 0xffffffff };
  }
  const header = { ifaFamily: p.family, ifaPrefixlen: p.length, ifaScope: spec.scope ?? 0, ifaIndex: index };
  return { header, attrs };
}

async function write(sock: NetlinkSocket, verb: Verb, spec: AddressSpec, options?: OperationOptions): Promise<void> {
  const { header, attrs } = await specParts(sock, spec, options);
  await rtRequest(sock, rtSchemas().addr.newMessage, header, attrs, VERB_FLAGS[verb], options);
}

/** Typed address operations. */
export const addresses = {
  dump(sock: NetlinkSocket, filter?: AddressFilter, options?: ListOptions): AsyncGenerator<Address, void, undefined> {
    const header = new Uint8Array(8);
    header[0] = filter?.family === 6 ? AF_INET6 : filter?.family === 4 ? AF_INET : 0;
    const codec = sock.codec;
    return rtDump(sock, RTM_GETADDR, header, RTM_NEWADDR, (batch, i) => {
      const a = decodeAddress(batch, i, codec);
      return filter?.index !== undefined && a.index !== filter.index ? undefined : a;
    }, options);
  },
  /** Adds an address (NLM_F_CREATE | NLM_F_EXCL): EEXIST when the link has it. */
  add(sock: NetlinkSocket, spec: AddressSpec, options?: OperationOptions): Promise<void> {
    return write(sock, 'add', spec, options);
  },
  replace(sock: NetlinkSocket, spec: AddressSpec, options?: OperationOptions): Promise<void> {
    return write(sock, 'replace', spec, options);
  },
  /** Removes an address: EADDRNOTAVAIL when the link lacks it. */
  async delete(sock: NetlinkSocket, spec: AddressSpec, options?: OperationOptions): Promise<void> {
    const { header, attrs } = await specParts(sock, spec, options);
    await rtRequest(sock, rtSchemas().addr.delMessage, header, attrs, 0, options);
  },
};
