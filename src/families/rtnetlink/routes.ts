// Routes (RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE), IPv4 and IPv6, with
// multipath. The dump decoder is hand-tuned (one WASM walk per batch, fields
// read in place, attribute numbers from the rt-route schema): routing tables
// run to hundreds of thousands of entries.
//
//   rtmsg       0      1       2       3     4      5        6      7      8
//               ┌──────┬───────┬───────┬─────┬──────┬────────┬──────┬──────┬──────────┐
//               │family│dst_len│src_len│ tos │table │protocol│scope │ type │ flags u32│
//               └──────┴───────┴───────┴─────┴──────┴────────┴──────┴──────┴──────────┘
//
//   RTA_MULTIPATH payload: rtnexthop, its attributes (RTA_GATEWAY...), rtnexthop, ...
//               ┌──────────┬───────┬──────┬───────────┬──────────────┐
//               │ len u16  │ flags │ hops │ ifindex   │ attributes   │  hops = weight - 1
//               └──────────┴───────┴──────┴───────────┴──────────────┘

import { ArgumentError, MalformedError, TruncatedError } from '../../codec/errors.js';
import { loadCodec, type Codec } from '../../codec/codec.js';
import { STATUS_OK } from '../../codec/constants.js';
import type { Batch } from '../../codec/batch.js';
import type { AttributeList } from '../../codec/attributes.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import type { Message, ReceivedBatch } from '../../socket/received.js';
import { AF_INET, AF_INET6, familyVersion, ipText, ipv4Text, ipv6Text, parseIp, parsePrefix } from './address.js';
import { rtSchemas } from './schema.js';
import { rtRequest, VERB_FLAGS, type ListOptions, type OperationOptions, type Verb } from './request.js';
import { linkIndex } from './links.js';
import { scratch } from '../../socket/scratch.js';

export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTMSG_SIZE = 12;

export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_COMPAT = 252;
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;
export const RTPROT_BOOT = 3;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
/** rtm_flags: a cached (cloned) route, not a table entry. */
export const RTM_F_CLONED = 0x200;

/** One path of a multipath route. */
export interface Nexthop {
  gateway?: string;
  /** Output ifindex. */
  oif: number;
  /** hops + 1, as ip's "weight". */
  weight: number;
  /** RTNH_F_* bits (1 dead, 2 pervasive, 4 onlink, 8 offload, 16 linkdown, 32 unresolved). */
  flags: number;
}

/** A route; attributes the kernel did not send are undefined. */
export interface Route {
  /** 4, 6, or the address family number of other route families (128: IPv4 multicast routing). */
  family: number;
  /**
   * RTA_DST as text, with its prefix length in dstLen; absent for a
   * zero-length prefix (the default route). routePrefix() gives ip's
   * 'address/length' or 'default' form.
   */
  dst?: string;
  dstLen: number;
  /** RTA_SRC (source-specific routes), prefix length in srcLen. */
  src?: string;
  srcLen: number;
  tos: number;
  /** RTA_TABLE when present, else rtm_table. */
  table: number;
  /** RTPROT_*: 2 kernel, 3 boot, 4 static, ... */
  protocol: number;
  /** RT_SCOPE_*: 0 universe, 253 link, 254 host. */
  scope: number;
  /** RTN_*: 1 unicast, 2 local, 3 broadcast, 6 blackhole, 7 unreachable, ... */
  type: number;
  /** rtm_flags (RTNH_F_* in the low byte, RTM_F_* above). */
  flags: number;
  oif?: number;
  iif?: number;
  gateway?: string;
  /** RTA_PRIORITY, ip's "metric". */
  priority?: number;
  prefsrc?: string;
  /** RTA_PREF (IPv6 router preference). */
  pref?: number;
  multipath?: Nexthop[];
  /** RTA_METRICS: RTAX_* by number (2 mtu, 8 advmss, ...). */
  metrics?: Record<number, number>;
  expires?: number;
  nhId?: number;
}

export interface RouteFilter {
  /** 4 or 6 (default both). */
  family?: 4 | 6;
  /** A table number, or 'all' (the default: every table; ip shows main). */
  table?: number | 'all';
  oif?: number;
  protocol?: number;
  type?: number;
  /** Keep cached (RTM_F_CLONED) entries; default false. */
  cloned?: boolean;
}

export interface NexthopSpec {
  gateway?: string;
  dev?: number | string;
  weight?: number;
  onlink?: boolean;
}

export interface RouteSpec {
  /** 'a.b.c.d/len', an IPv6 prefix, or 'default' (then give `family`, or a gateway to infer it). */
  dst: string;
  family?: 4 | 6;
  gateway?: string;
  dev?: number | string;
  table?: number;
  /** RTA_PRIORITY (ip's metric). */
  metric?: number;
  protocol?: number;
  scope?: number;
  type?: number;
  prefsrc?: string;
  src?: string;
  tos?: number;
  onlink?: boolean;
  mtu?: number;
  multipath?: NexthopSpec[];
}

// Field codes by attribute type, built from the schema: the decode loop
// switches on small literal codes (a jump table) instead of comparing the
// attribute type with each schema value in turn.
const F_DST = 1, F_SRC = 2, F_IIF = 3, F_OIF = 4, F_GATEWAY = 5, F_PRIORITY = 6, F_PREFSRC = 7, F_METRICS = 8,
  F_MULTIPATH = 9, F_TABLE = 10, F_PREF = 11, F_EXPIRES = 12, F_NH_ID = 13;

/** The codes and RTA_GATEWAY, built on first use: importing nlkit compiles no schema it does not use. */
let routeCodes: { field: Uint8Array; gateway: number } | null = null;
function codes(): { field: Uint8Array; gateway: number } {
  if (routeCodes) return routeCodes;
  const s = rtSchemas().route;
  const field = new Uint8Array(s.set.attrs.reduce((n, a) => Math.max(n, a.value + 1), 0));
  const pairs: Array<[string, number]> = [
    ['rta-dst', F_DST], ['rta-src', F_SRC], ['rta-iif', F_IIF], ['rta-oif', F_OIF], ['rta-gateway', F_GATEWAY],
    ['rta-priority', F_PRIORITY], ['rta-prefsrc', F_PREFSRC], ['rta-metrics', F_METRICS], ['rta-multipath', F_MULTIPATH],
    ['rta-table', F_TABLE], ['rta-pref', F_PREF], ['rta-expires', F_EXPIRES], ['rta-nh-id', F_NH_ID],
  ];
  for (const [name, code] of pairs) field[s.attr(name)] = code;
  routeCodes = { field, gateway: s.attr('rta-gateway') };
  return routeCodes;
}

function addressAt(u8: Uint8Array, at: number, length: number): string {
  return length === 4 ? ipv4Text(u8, at) : length === 16 ? ipv6Text(u8, at) : ipText(u8, at, length);
}

/**
 * A route's destination as 'address/length', or 'default' for a zero-length
 * prefix (the decoder keeps address and length apart: joining them for every
 * route of a big table costs more than the rest of its decoding).
 */
export function routePrefix(route: Pick<Route, 'dst' | 'dstLen' | 'family'>): string {
  if (route.dstLen === 0 && route.dst === undefined) return 'default';
  return `${route.dst ?? (route.family === 6 ? '::' : '0.0.0.0')}/${route.dstLen}`;
}

function nexthops(u8: Uint8Array, view: DataView, at: number, length: number, offset: number): Nexthop[] {
  const out: Nexthop[] = [];
  const gatewayType = codes().gateway;
  let p = 0;
  while (p + 8 <= length) {
    const len = view.getUint16(at + p, true);
    if (len < 8 || p + len > length) throw new MalformedError(`rtnexthop of ${len} bytes in ${length - p} remaining`, offset + p);
    const hop: Nexthop = { oif: view.getInt32(at + p + 4, true), weight: u8[at + p + 3]! + 1, flags: u8[at + p + 2]! };
    // Its attributes: only RTA_GATEWAY is read; the rest are skipped by length.
    let q = p + 8;
    while (q + 4 <= p + len) {
      const alen = view.getUint16(at + q, true);
      const atype = view.getUint16(at + q + 2, true) & 0x3fff;
      if (alen < 4 || q + alen > p + len) throw new MalformedError(`attribute of ${alen} bytes in rtnexthop`, offset + q);
      if (atype === gatewayType) hop.gateway = addressAt(u8, at + q + 4, alen - 4);
      q += (alen + 3) & ~3;
    }
    out.push(hop);
    p += (len + 3) & ~3;
  }
  return out;
}

/**
 * Decodes message i of a batch as a Route, reading its attribute entries
 * [first, end) of `all`: the batch's one-call walk in dumps, the message's
 * own walk otherwise.
 */
function decodeRouteAt(batch: Batch, i: number, codec: Codec, all: AttributeList, first: number, end: number): Route {
  const mem = codec.memory;
  const u8 = mem.u8;
  const at = batch.regionAddress + batch.offset(i) + 16;
  if (batch.length(i) < 16 + RTMSG_SIZE) throw new TruncatedError(`route message of ${batch.length(i)} bytes is too short for its 12-byte rtmsg`, batch.offset(i) + 16);
  const family = u8[at]!;
  const dstLen = u8[at + 1]!;
  // The common attributes are in the literal (undefined until read) so that
  // they live inside the object: properties added later would cost every
  // route a separate property store.
  const route: Route = {
    family: familyVersion(family), dst: undefined, dstLen, srcLen: u8[at + 2]!,
    tos: u8[at + 3]!, table: u8[at + 4]!, protocol: u8[at + 5]!, scope: u8[at + 6]!, type: u8[at + 7]!,
    flags: (u8[at + 8]! | (u8[at + 9]! << 8) | (u8[at + 10]! << 16) | (u8[at + 11]! << 24)) >>> 0,
    oif: undefined, gateway: undefined, priority: undefined, prefsrc: undefined,
  };
  const fields = codes().field;
  for (let j = first; j < end; j = all.next(j)) {
    if (all.status(j) !== STATUS_OK) throw all.error(j)!;
    const type = all.type(j);
    switch (type < fields.length ? fields[type] : 0) {
      case F_DST: route.dst = addressAt(u8, all.payloadAddress(j), all.payloadLength(j)); break;
      case F_GATEWAY: route.gateway = addressAt(u8, all.payloadAddress(j), all.payloadLength(j)); break;
      case F_OIF: route.oif = all.u32(j); break;
      case F_PRIORITY: route.priority = all.u32(j); break;
      case F_TABLE: route.table = all.u32(j); break;
      case F_PREFSRC: route.prefsrc = addressAt(u8, all.payloadAddress(j), all.payloadLength(j)); break;
      case F_SRC: route.src = addressAt(u8, all.payloadAddress(j), all.payloadLength(j)); break;
      case F_IIF: route.iif = all.u32(j); break;
      case F_PREF: route.pref = all.u8(j); break;
      case F_EXPIRES: route.expires = all.u32(j); break;
      case F_NH_ID: route.nhId = all.u32(j); break;
      case F_MULTIPATH:
        route.multipath = nexthops(u8, mem.view, all.payloadAddress(j), all.payloadLength(j), all.offset(j) + 4);
        break;
      case F_METRICS: {
        const metrics: Record<number, number> = {};
        const nest = all.walkNested(j);
        for (let k = 0; k < nest.count; k = nest.next(k)) if (nest.payloadLength(k) === 4) metrics[nest.type(k)] = nest.u32(k);
        route.metrics = metrics;
        break;
      }
    }
  }
  return route;
}

/** Decodes message i of a batch (RTM_NEWROUTE / RTM_DELROUTE) as a Route. */
export function decodeRoute(batch: Batch, i: number, codec: Codec = loadCodec()): Route {
  batch.check(i);
  // One message: walk only its attributes (a whole-batch walk per call would be quadratic).
  const list = batch.attributes(i, RTMSG_SIZE, { descend: false });
  return decodeRouteAt(batch, i, codec, list, 0, list.count);
}

/** Decodes a detached RTM_NEWROUTE / RTM_DELROUTE message. */
export function decodeRouteMessage(sock: { codec: Codec }, message: Message | Uint8Array): Route {
  const batch = scratch(sock.codec).scanBytes(message instanceof Uint8Array ? message : message.bytes);
  return decodeRoute(batch, 0, sock.codec);
}

function rtmsgHeader(family: number): Uint8Array {
  const h = new Uint8Array(RTMSG_SIZE);
  h[0] = family;
  return h;
}

const familyNumber = (f: 4 | 6 | undefined) => (f === 6 ? AF_INET6 : f === 4 ? AF_INET : 0);

/** A route filter made ready for the per-message test. */
interface Selection {
  table: number | undefined;
  cloned: boolean;
  oif: number | undefined;
  protocol: number | undefined;
  type: number | undefined;
}

function selection(filter: RouteFilter | undefined): Selection {
  return {
    table: filter?.table === 'all' ? undefined : filter?.table,
    cloned: filter?.cloned === true,
    oif: filter?.oif,
    protocol: filter?.protocol,
    type: filter?.type,
  };
}

/** Decodes the routes of one received part (one WASM walk), in place, into `sink`. */
function decodePart(part: ReceivedBatch, codec: Codec, s: Selection, sink: Route[]): void {
  const batch = part.batch;
  const all = batch.attributesAll(RTMSG_SIZE, { descend: false });
  for (let k = 0; k < part.count; k++) {
    const i = part.indices[k]!;
    // The engine hands dumps only well-formed messages (status OK); decodeRouteAt checks the rtmsg length.
    if (batch.type(i) !== RTM_NEWROUTE) continue;
    const route = decodeRouteAt(batch, i, codec, all, all.first(i), all.end(i));
    if (s.table !== undefined && route.table !== s.table) continue;
    if (!s.cloned && (route.flags & RTM_F_CLONED)) continue;
    if (s.oif !== undefined && route.oif !== s.oif && !route.multipath?.some((h) => h.oif === s.oif)) continue;
    if (s.protocol !== undefined && route.protocol !== s.protocol) continue;
    if (s.type !== undefined && route.type !== s.type) continue;
    sink.push(route);
  }
}

function dumpRequest(filter: RouteFilter | undefined) {
  return { type: RTM_GETROUTE, header: rtmsgHeader(familyNumber(filter?.family)) };
}

async function specParts(sock: NetlinkSocket, spec: RouteSpec, forDelete: boolean, options?: OperationOptions) {
  let family = familyNumber(spec.family);
  const attrs: Record<string, unknown> = {};
  let dstLen = 0;
  if (spec.dst !== 'default') {
    const p = parsePrefix(spec.dst);
    family ||= p.family;
    if (family !== p.family) throw new ArgumentError(`route ${spec.dst}: family ${spec.family} does not match the address`);
    dstLen = p.length;
    attrs.rtaDst = p.bytes;
  }
  if (spec.gateway !== undefined) {
    const g = parseIp(spec.gateway);
    family ||= g.family;
    attrs.rtaGateway = g.bytes;
  }
  let srcLen = 0;
  if (spec.src !== undefined) {
    const p = parsePrefix(spec.src);
    srcLen = p.length;
    attrs.rtaSrc = p.bytes;
  }
  if (spec.prefsrc !== undefined) attrs.rtaPrefsrc = parseIp(spec.prefsrc).bytes;
  if (spec.dev !== undefined) attrs.rtaOif = await linkIndex(sock, spec.dev, options);
  if (spec.metric !== undefined) attrs.rtaPriority = spec.metric;
  const table = spec.table ?? RT_TABLE_MAIN;
  attrs.rtaTable = table;
  if (spec.mtu !== undefined) attrs.rtaMetrics = { rtaxMtu: spec.mtu };
  if (spec.multipath) {
    const hops: Uint8Array[] = [];
    for (const hop of spec.multipath) {
      const gateway = hop.gateway === undefined ? undefined : parseIp(hop.gateway);
      if (gateway) family ||= gateway.family;
      const len = 8 + (gateway ? 4 + gateway.bytes.length : 0);
      const bytes = new Uint8Array(len);
      const view = new DataView(bytes.buffer);
      const weight = hop.weight ?? 1;
      if (!(Number.isInteger(weight) && weight >= 1 && weight <= 256)) throw new ArgumentError(`nexthop weight ${weight} is not 1..256`);
      view.setUint16(0, len, true);
      bytes[2] = hop.onlink ? 4 : 0;
      bytes[3] = weight - 1;
      view.setInt32(4, hop.dev === undefined ? 0 : await linkIndex(sock, hop.dev, options), true);
      if (gateway) {
        view.setUint16(8, 4 + gateway.bytes.length, true);
        view.setUint16(10, codes().gateway, true);
        bytes.set(gateway.bytes, 12);
      }
      hops.push(bytes);
    }
    const total = new Uint8Array(hops.reduce((n, h) => n + h.length, 0));
    let at = 0;
    for (const h of hops) { total.set(h, at); at += h.length; }
    attrs.rtaMultipath = total;
  }
  if (!family) throw new ArgumentError(`route ${spec.dst}: give the family (4 or 6) or a gateway`);
  const type = spec.type ?? RTN_UNICAST;
  const scope = spec.scope ?? (forDelete ? RT_SCOPE_NOWHERE
    : type === RTN_LOCAL ? RT_SCOPE_HOST
    : type === RTN_UNICAST && spec.gateway === undefined && !spec.multipath ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
  const header = {
    rtmFamily: family, rtmDstLen: dstLen, rtmSrcLen: srcLen, rtmTos: spec.tos ?? 0,
    rtmTable: table < 256 ? table : RT_TABLE_COMPAT, rtmProtocol: spec.protocol ?? (forDelete ? 0 : RTPROT_BOOT),
    rtmScope: scope, rtmType: forDelete && spec.type === undefined ? 0 : type, rtmFlags: spec.onlink ? 4 : 0,
  };
  return { header, attrs };
}

async function write(sock: NetlinkSocket, verb: Verb, spec: RouteSpec, options?: OperationOptions): Promise<void> {
  const { header, attrs } = await specParts(sock, spec, false, options);
  await rtRequest(sock, rtSchemas().route.newMessage, header, attrs, VERB_FLAGS[verb], options);
}

/** Typed route operations. */
export const routes = {
  /** Every route (the filter narrows), decoded in place from the dump's batches. */
  async *dump(sock: NetlinkSocket, filter?: RouteFilter, options?: ListOptions): AsyncGenerator<Route, void, undefined> {
    const s = selection(filter);
    for await (const part of sock.dumpBatches(dumpRequest(filter), options)) {
      const routes: Route[] = [];
      decodePart(part, sock.codec, s, routes);
      yield* routes;
    }
  },

  /** The same as an array, without an await per route: the fast path for big tables. */
  async list(sock: NetlinkSocket, filter?: RouteFilter, options?: ListOptions): Promise<Route[]> {
    const s = selection(filter);
    const out: Route[] = [];
    for await (const part of sock.dumpBatches(dumpRequest(filter), options)) decodePart(part, sock.codec, s, out);
    return out;
  },

  /** The route the kernel would use to reach `destination` (RTM_GETROUTE). */
  async get(sock: NetlinkSocket, destination: string, options?: OperationOptions & { table?: number; oif?: number }): Promise<Route> {
    const { family, bytes } = parseIp(destination);
    const attrs: Record<string, unknown> = { rtaDst: bytes };
    if (options?.table !== undefined) attrs.rtaTable = options.table;
    if (options?.oif !== undefined) attrs.rtaOif = options.oif;
    const header = { rtmFamily: family, rtmDstLen: bytes.length * 8 };
    const reply = await rtRequest(sock, rtSchemas().route.getMessage, header, attrs, 0, options);
    const message = reply.messages.find((m) => m.type === RTM_NEWROUTE);
    if (!message) throw new ArgumentError(`the kernel answered RTM_GETROUTE for ${destination} without a route`);
    return decodeRouteMessage(sock, message);
  },

  /** Adds a route (NLM_F_CREATE | NLM_F_EXCL): EEXIST when it exists. */
  add(sock: NetlinkSocket, spec: RouteSpec, options?: OperationOptions): Promise<void> {
    return write(sock, 'add', spec, options);
  },
  /** Adds or replaces (NLM_F_CREATE | NLM_F_REPLACE). */
  replace(sock: NetlinkSocket, spec: RouteSpec, options?: OperationOptions): Promise<void> {
    return write(sock, 'replace', spec, options);
  },
  /** Adds a further nexthop to an existing route (IPv6 ECMP; NLM_F_CREATE | NLM_F_APPEND). */
  append(sock: NetlinkSocket, spec: RouteSpec, options?: OperationOptions): Promise<void> {
    return write(sock, 'append', spec, options);
  },
  /** Deletes the route matching the spec (unset fields match anything): ESRCH when none does. */
  async delete(sock: NetlinkSocket, spec: RouteSpec, options?: OperationOptions): Promise<void> {
    const { header, attrs } = await specParts(sock, spec, true, options);
    await rtRequest(sock, rtSchemas().route.delMessage, header, attrs, 0, options);
  },
};
