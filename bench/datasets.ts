// Deterministic rtnetlink dumps for the benchmarks: the same bytes on every
// run, from a seeded generator. Written with plain DataView writes so that
// the data does not depend on the codec it measures.
//
// A dump as the kernel sends it: datagrams of at most DATAGRAM_LIMIT bytes,
// each packed with whole NLM_F_MULTI messages, the last one ending in
// NLMSG_DONE (with its 4-byte error code, 0).
//
//   datagram 0                         datagram 1              last datagram
//   ┌─────┬─────┬─ ... ─┬─────┐        ┌─────┬─ ... ─┐         ┌─ ... ─┬─────┬──────┐
//   │ msg │ msg │       │ msg │        │ msg │       │   ...   │       │ msg │ DONE │
//   └─────┴─────┴─ ... ─┴─────┘        └─────┴─ ... ─┘         └─ ... ─┴─────┴──────┘
//   bytes: the datagrams back to back; datagramLengths: where each one ends.

import { NLM_F_MULTI, NLMSG_DONE } from '../src/codec/constants.js';
import {
  RTM_NEWLINK, RTM_NEWROUTE, ARPHRD_ETHER, AF_INET, AF_INET6,
  IFLA_ADDRESS, IFLA_BROADCAST, IFLA_IFNAME, IFLA_MTU, IFLA_QDISC, IFLA_TXQLEN, IFLA_OPERSTATE,
  IFLA_LINKINFO, IFLA_STATS64, IFLA_GROUP, IFLA_INFO_KIND, IFLA_INFO_DATA, STATS64_COUNTERS,
  RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_PREFSRC, RTA_METRICS, RTA_CACHEINFO, RTA_TABLE, RTA_PREF,
  RTA_CACHEINFO_SIZE, RTAX_MTU, RTAX_ADVMSS, RTAX_HOPLIMIT,
} from './rtnl.js';

/** Largest datagram of a dump (the kernel's dump skbs are at most 32 KiB). */
export const DATAGRAM_LIMIT = 32768;
export const DUMP_SEQ = 0x5eed;
export const DUMP_PID = 424242;
export const DEFAULT_MESSAGES = 100_000;

/** xorshift32: tiny, fast and reproducible; only shapes test data. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  u32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return this.u32() % n;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
}

// ─── records ────────────────────────────────────────────────────────────────

/** One attribute of IFLA_INFO_DATA: an unsigned integer of 1, 2 or 4 bytes. */
export interface InfoDataItem {
  type: number;
  width: 1 | 2 | 4;
  value: number;
}

/** A link as a dump describes it: the input of the build suite. */
export interface LinkRecord {
  index: number;
  flags: number;
  ifname: string;
  txqlen: number;
  operstate: number;
  mtu: number;
  group: number;
  qdisc: string;
  address: Uint8Array;
  broadcast: Uint8Array;
  /** rtnl_link_stats64, every counter below 2^53. */
  stats: Float64Array;
  kind: string;
  /** Absent for kinds whose driver reports no IFLA_INFO_DATA (veth). */
  infoData: InfoDataItem[] | null;
}

export interface RouteRecord {
  family: number;
  dstLen: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  dst: Uint8Array;
  priority: number;
  /** RTAX_* values, or null when the route has no metrics. */
  metrics: { mtu: number; advmss: number; hoplimit: number } | null;
  prefsrc: Uint8Array | null;
  gateway: Uint8Array | null;
  oif: number;
  /** IPv6 only. */
  pref: number;
}

const KINDS = ['veth', 'bridge', 'vlan', 'vxlan', 'macvlan'] as const;
const NAME_PREFIX: Record<string, string> = { veth: 'veth', bridge: 'br', vlan: 'vlan', vxlan: 'vx', macvlan: 'mv' };
const QDISCS = ['noqueue', 'pfifo_fast', 'fq_codel', 'mq'];

function infoDataFor(kind: string, prng: Prng): InfoDataItem[] | null {
  switch (kind) {
    case 'bridge': // IFLA_BR_FORWARD_DELAY, HELLO_TIME, MAX_AGE, STP_STATE, VLAN_FILTERING
      return [
        { type: 1, width: 4, value: 1500 }, { type: 2, width: 4, value: 200 }, { type: 3, width: 4, value: 2000 },
        { type: 5, width: 4, value: prng.below(2) }, { type: 7, width: 1, value: prng.below(2) },
      ];
    case 'vlan': // IFLA_VLAN_ID
      return [{ type: 1, width: 2, value: 1 + prng.below(4094) }];
    case 'vxlan': // IFLA_VXLAN_ID, TTL, LEARNING
      return [{ type: 1, width: 4, value: prng.below(1 << 24) }, { type: 5, width: 1, value: 64 }, { type: 7, width: 1, value: 1 }];
    case 'macvlan': // IFLA_MACVLAN_MODE, FLAGS
      return [{ type: 1, width: 4, value: 1 << prng.below(5) }, { type: 2, width: 2, value: 0 }];
    default:
      return null;
  }
}

/** A counter below 2^53, sometimes above 2^32 (so both halves of the u64 matter). */
function counter(prng: Prng): number {
  switch (prng.below(4)) {
    case 0: return 0;
    case 1: return prng.below(1000);
    case 2: return prng.u32();
    default: return prng.below(1 << 21) * 0x100000000 + prng.u32();
  }
}

const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/**
 * Link records. Lean on the heap on purpose (addresses are views of one
 * buffer, the broadcast address is shared, counters sit in a Float64Array):
 * 100,000 records are kept alive through a benchmark run, and a heap of
 * millions of small objects would make every full collection, in whichever
 * workload it happens to fall, far more expensive.
 */
export function linkRecords(count: number, seed = 1): LinkRecord[] {
  const prng = new Prng(seed);
  const records: LinkRecord[] = [];
  const addresses = new Uint8Array(count * 6);
  for (let n = 0; n < count; n++) {
    const kind = prng.pick(KINDS);
    // One name in a thousand is not ASCII: decoders must handle UTF-8 too.
    const ifname = n % 1000 === 999 ? `lien-é${n % 100}` : `${NAME_PREFIX[kind]}${prng.below(100000)}`;
    const address = addresses.subarray(n * 6, n * 6 + 6);
    for (let k = 0; k < 6; k++) address[k] = prng.below(256);
    address[0] = (address[0]! & 0xfe) | 0x02; // locally administered unicast
    records.push({
      index: n + 1,
      flags: prng.below(2) ? 0x11043 : 0x1002, // UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP, or BROADCAST|MULTICAST
      ifname,
      txqlen: prng.pick([0, 1000, 500]),
      operstate: prng.pick([2, 5, 6]), // DOWN, DORMANT, UP
      mtu: prng.pick([1500, 9000, 1450, 65535]),
      group: 0,
      qdisc: prng.pick(QDISCS),
      address,
      broadcast: BROADCAST,
      stats: Float64Array.from({ length: STATS64_COUNTERS }, () => counter(prng)),
      kind,
      infoData: infoDataFor(kind, prng),
    });
  }
  return records;
}

export function routeRecords(count: number, seed = 2): RouteRecord[] {
  const prng = new Prng(seed);
  const records: RouteRecord[] = [];
  for (let n = 0; n < count; n++) {
    const v6 = prng.below(3) === 0;
    const size = v6 ? 16 : 4;
    const dst = new Uint8Array(size);
    for (let k = 0; k < size; k++) dst[k] = prng.below(256);
    const withGateway = prng.below(2) === 1;
    let gateway: Uint8Array | null = null;
    if (withGateway) {
      gateway = new Uint8Array(size);
      for (let k = 0; k < size; k++) gateway[k] = prng.below(256);
    }
    records.push({
      family: v6 ? AF_INET6 : AF_INET,
      dstLen: v6 ? 48 + prng.below(81) : 8 + prng.below(25),
      table: prng.pick([254, 254, 254, 255, 1000]),
      protocol: prng.pick([2, 3, 4, 186]), // kernel, boot, static, bgp
      scope: withGateway ? 0 : 253, // universe with a gateway, else link
      type: 1, // RTN_UNICAST
      dst,
      priority: prng.pick([0, 100, 600, 1024]),
      metrics: prng.below(4) === 0 ? { mtu: prng.pick([1400, 1500, 9000]), advmss: 1460, hoplimit: 64 } : null,
      prefsrc: !v6 && prng.below(2) === 1 ? new Uint8Array([10, prng.below(256), prng.below(256), 1]) : null,
      gateway,
      oif: 1 + prng.below(4096),
      pref: v6 ? prng.pick([0, 1, 3]) : 0, // ICMPV6_ROUTER_PREF_MEDIUM, HIGH, LOW
    });
  }
  return records;
}

// ─── encoding ───────────────────────────────────────────────────────────────

/** A dump: its datagrams back to back, and how long each one is. */
export interface Dump {
  bytes: Uint8Array;
  datagramLengths: Uint32Array;
  /** Messages in the dump, NLMSG_DONE included. */
  messages: number;
}

const align4 = (n: number) => (n + 3) & ~3;

/**
 * Appends messages to a growing buffer and closes a datagram whenever the
 * next message would not fit in it. Plain and unhurried: it only makes data.
 */
class DumpWriter {
  private u8 = new Uint8Array(1 << 20);
  private view = new DataView(this.u8.buffer);
  private length = 0;
  private messageStart = 0;
  private datagramStart = 0;
  private readonly nests: number[] = [];
  private readonly datagrams: number[] = [];
  private messages = 0;

  private room(bytes: number): number {
    const at = this.length;
    const need = at + align4(bytes);
    if (need > this.u8.length) {
      const grown = new Uint8Array(Math.max(need, this.u8.length * 2));
      grown.set(this.u8);
      this.u8 = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = need; // padding is zero: fresh buffers are zeroed and never rewritten
    return at;
  }

  begin(type: number, flags: number): void {
    this.messageStart = this.room(16);
    this.view.setUint16(this.messageStart + 4, type, true);
    this.view.setUint16(this.messageStart + 6, flags, true);
    this.view.setUint32(this.messageStart + 8, DUMP_SEQ, true);
    this.view.setUint32(this.messageStart + 12, DUMP_PID, true);
  }

  /** A fixed struct of `size` bytes, filled by `fill(view, at)`. */
  struct(size: number, fill: (view: DataView, at: number) => void): void {
    const at = this.room(size);
    fill(this.view, at);
  }

  attr(type: number, payload: Uint8Array): void {
    const at = this.room(4 + payload.length);
    this.view.setUint16(at, 4 + payload.length, true);
    this.view.setUint16(at + 2, type, true);
    this.u8.set(payload, at + 4);
  }

  uint(type: number, width: 1 | 2 | 4, value: number): void {
    const at = this.room(4 + width);
    this.view.setUint16(at, 4 + width, true);
    this.view.setUint16(at + 2, type, true);
    if (width === 1) this.view.setUint8(at + 4, value);
    else if (width === 2) this.view.setUint16(at + 4, value, true);
    else this.view.setUint32(at + 4, value, true);
  }

  string(type: number, text: string): void {
    const bytes = new TextEncoder().encode(text);
    const payload = new Uint8Array(bytes.length + 1);
    payload.set(bytes);
    this.attr(type, payload);
  }

  /** A nest without NLA_F_NESTED, as rtnetlink sends them. */
  nestStart(type: number): void {
    const at = this.room(4);
    this.view.setUint16(at + 2, type, true);
    this.nests.push(at);
  }

  nestEnd(): void {
    const at = this.nests.pop()!;
    this.view.setUint16(at, this.length - at, true);
  }

  /** Patches nlmsg_len and starts a new datagram if this message overflowed the current one. */
  end(): void {
    const size = this.length - this.messageStart;
    this.view.setUint32(this.messageStart, size, true);
    if (this.length - this.datagramStart > DATAGRAM_LIMIT && this.messageStart > this.datagramStart) {
      this.datagrams.push(this.messageStart - this.datagramStart);
      this.datagramStart = this.messageStart;
    }
    this.messages++;
  }

  /** Appends NLMSG_DONE and returns the dump. */
  finish(): Dump {
    this.begin(NLMSG_DONE, NLM_F_MULTI);
    this.struct(4, () => {}); // int error = 0
    this.end();
    this.datagrams.push(this.length - this.datagramStart);
    return {
      bytes: this.u8.slice(0, this.length),
      datagramLengths: Uint32Array.from(this.datagrams),
      messages: this.messages,
    };
  }
}

/** Writes the body of one link message (everything after nlmsghdr). */
function writeLink(w: DumpWriter, r: LinkRecord): void {
  w.struct(16, (v, at) => {
    v.setUint8(at, 0); // AF_UNSPEC
    v.setUint16(at + 2, ARPHRD_ETHER, true);
    v.setInt32(at + 4, r.index, true);
    v.setUint32(at + 8, r.flags, true);
    v.setUint32(at + 12, 0, true); // ifi_change: 0 in dumps
  });
  // The order the kernel's rtnl_fill_ifinfo uses.
  w.string(IFLA_IFNAME, r.ifname);
  w.uint(IFLA_TXQLEN, 4, r.txqlen);
  w.uint(IFLA_OPERSTATE, 1, r.operstate);
  w.uint(IFLA_MTU, 4, r.mtu);
  w.uint(IFLA_GROUP, 4, r.group);
  w.string(IFLA_QDISC, r.qdisc);
  w.attr(IFLA_ADDRESS, r.address);
  w.attr(IFLA_BROADCAST, r.broadcast);
  const stats = new Uint8Array(r.stats.length * 8);
  const sv = new DataView(stats.buffer);
  r.stats.forEach((c, k) => sv.setBigUint64(k * 8, BigInt(c), true));
  w.attr(IFLA_STATS64, stats);
  w.nestStart(IFLA_LINKINFO);
  w.string(IFLA_INFO_KIND, r.kind);
  if (r.infoData) {
    w.nestStart(IFLA_INFO_DATA);
    for (const item of r.infoData) w.uint(item.type, item.width, item.value);
    w.nestEnd();
  }
  w.nestEnd();
}

function writeRoute(w: DumpWriter, r: RouteRecord): void {
  w.struct(12, (v, at) => {
    v.setUint8(at, r.family);
    v.setUint8(at + 1, r.dstLen);
    v.setUint8(at + 4, r.table < 256 ? r.table : 252); // RT_TABLE_COMPAT when the id needs RTA_TABLE
    v.setUint8(at + 5, r.protocol);
    v.setUint8(at + 6, r.scope);
    v.setUint8(at + 7, r.type);
  });
  w.uint(RTA_TABLE, 4, r.table);
  w.attr(RTA_DST, r.dst);
  if (r.priority) w.uint(RTA_PRIORITY, 4, r.priority);
  if (r.metrics) {
    w.nestStart(RTA_METRICS);
    w.uint(RTAX_MTU, 4, r.metrics.mtu);
    w.uint(RTAX_ADVMSS, 4, r.metrics.advmss);
    w.uint(RTAX_HOPLIMIT, 4, r.metrics.hoplimit);
    w.nestEnd();
  }
  if (r.prefsrc) w.attr(RTA_PREFSRC, r.prefsrc);
  if (r.gateway) w.attr(RTA_GATEWAY, r.gateway);
  w.uint(RTA_OIF, 4, r.oif);
  if (r.family === AF_INET6) {
    w.attr(RTA_CACHEINFO, new Uint8Array(RTA_CACHEINFO_SIZE));
    w.uint(RTA_PREF, 1, r.pref);
  }
}

export function encodeLinkDump(records: readonly LinkRecord[]): Dump {
  const w = new DumpWriter();
  for (const r of records) {
    w.begin(RTM_NEWLINK, NLM_F_MULTI);
    writeLink(w, r);
    w.end();
  }
  return w.finish();
}

export function encodeRouteDump(records: readonly RouteRecord[]): Dump {
  const w = new DumpWriter();
  for (const r of records) {
    w.begin(RTM_NEWROUTE, NLM_F_MULTI);
    writeRoute(w, r);
    w.end();
  }
  return w.finish();
}

/** A link dump with its records (the build suite's input). */
export interface LinkDataset extends Dump {
  records: LinkRecord[];
}

export interface RouteDataset extends Dump {
  records: RouteRecord[];
}

export function linkDataset(count = DEFAULT_MESSAGES, seed = 1): LinkDataset {
  const records = linkRecords(count, seed);
  return { ...encodeLinkDump(records), records };
}

export function routeDataset(count = DEFAULT_MESSAGES, seed = 2): RouteDataset {
  const records = routeRecords(count, seed);
  return { ...encodeRouteDump(records), records };
}
