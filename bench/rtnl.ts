// The rtnetlink numbers the benchmark datasets use (from the kernel's
// linux/rtnetlink.h, if_link.h and their friends). Kept here, not in src/,
// because the benchmarks must not depend on the family layer they may one day
// measure.

import type { NestSpec } from '../src/codec/index.js';

export const RTM_NEWLINK = 16;
export const RTM_NEWROUTE = 24;

/** struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; } */
export const IFINFOMSG_SIZE = 16;
/** struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; } */
export const RTMSG_SIZE = 12;

export const ARPHRD_ETHER = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;

// IFLA_* (top level of a link message)
export const IFLA_ADDRESS = 1;
export const IFLA_BROADCAST = 2;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_QDISC = 6;
export const IFLA_TXQLEN = 13;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKINFO = 18;
export const IFLA_STATS64 = 23;
export const IFLA_GROUP = 27;

// IFLA_INFO_* (inside IFLA_LINKINFO)
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;

/** struct rtnl_link_stats64: 25 u64 counters (rx_packets first, then tx_packets, rx_bytes, tx_bytes, ...). */
export const STATS64_COUNTERS = 25;
export const STATS64_SIZE = STATS64_COUNTERS * 8;
/** Index of rx_bytes in rtnl_link_stats64. */
export const STATS64_RX_BYTES = 2;

// RTA_* (top level of a route message)
export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
export const RTA_PREFSRC = 7;
export const RTA_METRICS = 8;
export const RTA_CACHEINFO = 12;
export const RTA_TABLE = 15;
export const RTA_PREF = 20;

/** struct rta_cacheinfo: 8 u32/s32 fields. */
export const RTA_CACHEINFO_SIZE = 32;

// RTAX_* (inside RTA_METRICS)
export const RTAX_MTU = 2;
export const RTAX_ADVMSS = 8;
export const RTAX_HOPLIMIT = 10;

/**
 * Which link attributes are nests (the kernel does not flag them with
 * NLA_F_NESTED). Set 0 is the message's top level.
 */
export const LINK_NESTS: ReadonlyArray<ReadonlyMap<number, NestSpec>> = [
  new Map([[IFLA_LINKINFO, { set: 1 }]]),
  new Map([[IFLA_INFO_DATA, { set: 2 }]]),
  new Map(),
];

/** Which route attributes are nests. Set 0 is the message's top level. */
export const ROUTE_NESTS: ReadonlyArray<ReadonlyMap<number, NestSpec>> = [
  new Map([[RTA_METRICS, { set: 1 }]]),
  new Map(),
];
