// The full-walk workloads on the nlkit side: a scanned Batch to LinkSummary /
// RouteSummary records, once through AttributeList getters (an index walk)
// and once through the sticky-error AttributeDecoder (the idiomatic loop).

import {
  NLMSG_HDRLEN, STATUS_OK, type Batch, type NestMap, type WalkOptions, type AttributeList, type WasmMemory,
} from '../../src/codec/index.js';
import {
  RTM_NEWLINK, RTM_NEWROUTE, IFINFOMSG_SIZE, RTMSG_SIZE,
  IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_OPERSTATE, IFLA_LINKINFO, IFLA_STATS64, IFLA_INFO_KIND, STATS64_RX_BYTES,
  RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_METRICS, RTA_TABLE, RTAX_MTU,
} from '../rtnl.js';
import type { LinkSummary, RouteSummary } from '../summaries.js';

/** Walk options with a nest map whose set 0 is the message's top level. */
export function walkOptions(nestMap: NestMap): WalkOptions {
  return { nestMap, rootSet: 0 };
}

/** rx_bytes of an IFLA_STATS64 entry: the codec has no struct-field getter, so read it at the payload's address. */
function rxBytes(mem: WasmMemory, list: AttributeList, j: number): number | bigint {
  if (list.payloadLength(j) < (STATS64_RX_BYTES + 1) * 8) return list.u64Number(j); // throws the typed error: too short
  const at = list.payloadAddress(j) + STATS64_RX_BYTES * 8;
  const view = mem.view;
  const high = view.getUint32(at + 4, true);
  const low = view.getUint32(at, true);
  return high < 0x200000 ? high * 0x100000000 + low : view.getBigUint64(at, true);
}

/** Every RTM_NEWLINK of the batch to `emit`, through AttributeList getters; returns how many. */
export function decodeLinksWithList(mem: WasmMemory, batch: Batch, options: WalkOptions, emit: (link: LinkSummary) => void): number {
  let n = 0;
  for (let i = 0; i < batch.count; i++) {
    if (batch.status(i) !== STATUS_OK) batch.check(i);
    if (batch.type(i) !== RTM_NEWLINK) continue;
    const list = batch.attributes(i, IFINFOMSG_SIZE, options);
    const index = mem.view.getInt32(batch.regionAddress + batch.offset(i) + NLMSG_HDRLEN + 4, true);
    let ifname = '';
    let mtu = 0;
    let operstate = 0;
    let address: Uint8Array | null = null;
    let rx: number | bigint = 0;
    let kind = '';
    // Top-level entries only: next(j) skips j's subtree.
    for (let j = 0; j < list.count; j = list.next(j)) {
      switch (list.type(j)) {
        case IFLA_IFNAME: ifname = list.string(j); break;
        case IFLA_MTU: mtu = list.u32(j); break;
        case IFLA_OPERSTATE: operstate = list.u8(j); break;
        case IFLA_ADDRESS: address = list.bytes(j); break;
        case IFLA_STATS64: rx = rxBytes(mem, list, j); break;
        case IFLA_LINKINFO: {
          const k = list.find(IFLA_INFO_KIND, j);
          if (k >= 0) kind = list.string(k);
          break;
        }
      }
    }
    const error = list.firstError();
    if (error) throw error;
    n++;
    emit({ index, ifname, mtu, operstate, address, rxBytes: rx, kind });
  }
  return n;
}

/** The same through AttributeDecoder (sticky error, nested() for LINKINFO). */
export function decodeLinksWithDecoder(mem: WasmMemory, batch: Batch, options: WalkOptions, emit: (link: LinkSummary) => void): number {
  let n = 0;
  let kind = '';
  const readKind = (info: { next(): boolean; type: number; string(): string }) => {
    while (info.next()) if (info.type === IFLA_INFO_KIND) kind = info.string();
  };
  for (let i = 0; i < batch.count; i++) {
    if (batch.status(i) !== STATUS_OK) batch.check(i);
    if (batch.type(i) !== RTM_NEWLINK) continue;
    const list = batch.attributes(i, IFINFOMSG_SIZE, options);
    const index = mem.view.getInt32(batch.regionAddress + batch.offset(i) + NLMSG_HDRLEN + 4, true);
    let ifname = '';
    let mtu = 0;
    let operstate = 0;
    let address: Uint8Array | null = null;
    let rx: number | bigint = 0;
    kind = '';
    const d = list.decoder();
    while (d.next()) {
      switch (d.type) {
        case IFLA_IFNAME: ifname = d.string(); break;
        case IFLA_MTU: mtu = d.u32(); break;
        case IFLA_OPERSTATE: operstate = d.u8(); break;
        case IFLA_ADDRESS: address = d.bytes(); break;
        case IFLA_STATS64: rx = rxBytes(mem, list, d.index); break;
        case IFLA_LINKINFO: d.nested(readKind); break;
      }
    }
    d.finish();
    n++;
    emit({ index, ifname, mtu, operstate, address, rxBytes: rx, kind });
  }
  return n;
}

/** Every RTM_NEWROUTE of the batch to `emit`, through AttributeList getters. */
export function decodeRoutesWithList(mem: WasmMemory, batch: Batch, options: WalkOptions, emit: (route: RouteSummary) => void): number {
  let n = 0;
  for (let i = 0; i < batch.count; i++) {
    if (batch.status(i) !== STATUS_OK) batch.check(i);
    if (batch.type(i) !== RTM_NEWROUTE) continue;
    const list = batch.attributes(i, RTMSG_SIZE, options);
    const header = batch.regionAddress + batch.offset(i) + NLMSG_HDRLEN;
    const bytes = mem.u8;
    const family = bytes[header]!;
    const dstLen = bytes[header + 1]!;
    let table = bytes[header + 4]!;
    let dst: Uint8Array | null = null;
    let gateway: Uint8Array | null = null;
    let oif = 0;
    let priority = 0;
    let mtu = 0;
    for (let j = 0; j < list.count; j = list.next(j)) {
      switch (list.type(j)) {
        case RTA_TABLE: table = list.u32(j); break;
        case RTA_DST: dst = list.bytes(j); break;
        case RTA_GATEWAY: gateway = list.bytes(j); break;
        case RTA_OIF: oif = list.u32(j); break;
        case RTA_PRIORITY: priority = list.u32(j); break;
        case RTA_METRICS: {
          const k = list.find(RTAX_MTU, j);
          if (k >= 0) mtu = list.u32(k);
          break;
        }
      }
    }
    const error = list.firstError();
    if (error) throw error;
    n++;
    emit({ family, dstLen, table, dst, gateway, oif, priority, mtu });
  }
  return n;
}

/** The same through AttributeDecoder. */
export function decodeRoutesWithDecoder(mem: WasmMemory, batch: Batch, options: WalkOptions, emit: (route: RouteSummary) => void): number {
  let n = 0;
  let mtu = 0;
  const readMetrics = (metrics: { next(): boolean; type: number; u32(): number }) => {
    while (metrics.next()) if (metrics.type === RTAX_MTU) mtu = metrics.u32();
  };
  for (let i = 0; i < batch.count; i++) {
    if (batch.status(i) !== STATUS_OK) batch.check(i);
    if (batch.type(i) !== RTM_NEWROUTE) continue;
    const list = batch.attributes(i, RTMSG_SIZE, options);
    const header = batch.regionAddress + batch.offset(i) + NLMSG_HDRLEN;
    const bytes = mem.u8;
    const family = bytes[header]!;
    const dstLen = bytes[header + 1]!;
    let table = bytes[header + 4]!;
    let dst: Uint8Array | null = null;
    let gateway: Uint8Array | null = null;
    let oif = 0;
    let priority = 0;
    mtu = 0;
    const d = list.decoder();
    while (d.next()) {
      switch (d.type) {
        case RTA_TABLE: table = d.u32(); break;
        case RTA_DST: dst = d.bytes(); break;
        case RTA_GATEWAY: gateway = d.bytes(); break;
        case RTA_OIF: oif = d.u32(); break;
        case RTA_PRIORITY: priority = d.u32(); break;
        case RTA_METRICS: d.nested(readMetrics); break;
      }
    }
    d.finish();
    n++;
    emit({ family, dstLen, table, dst, gateway, oif, priority, mtu });
  }
  return n;
}

// ─── whole-batch variants: one WASM walk for every message (Batch.attributesAll) ───

/** Every RTM_NEWLINK to `emit`, from one attribute index over the whole batch, through its getters. */
export function decodeLinksBatched(mem: WasmMemory, batch: Batch, options: WalkOptions, emit: (link: LinkSummary) => void): number {
  const all = batch.attributesAll({ byType: { [RTM_NEWLINK]: IFINFOMSG_SIZE } }, options);
  const error = all.firstError();
  if (error) throw error;
  let n = 0;
  for (let i = 0; i < batch.count; i++) {
    if (batch.status(i) !== STATUS_OK) batch.check(i);
    if (batch.type(i) !== RTM_NEWLINK) continue;
    const index = mem.view.getInt32(batch.regionAddress + batch.offset(i) + NLMSG_HDRLEN + 4, true);
    let ifname = '';
    let mtu = 0;
    let operstate = 0;
    let address: Uint8Array | null = null;
    let rx: number | bigint = 0;
    let kind = '';
    for (let j = all.first(i), end = all.end(i); j < end; j = all.next(j)) {
      switch (all.type(j)) {
        case IFLA_IFNAME: ifname = all.string(j); break;
        case IFLA_MTU: mtu = all.u32(j); break;
        case IFLA_OPERSTATE: operstate = all.u8(j); break;
        case IFLA_ADDRESS: address = all.bytes(j); break;
        case IFLA_STATS64: rx = rxBytes(mem, all, j); break;
        case IFLA_LINKINFO: {
          const k = all.find(IFLA_INFO_KIND, j);
          if (k >= 0) kind = all.string(k);
          break;
        }
      }
    }
    n++;
    emit({ index, ifname, mtu, operstate, address, rxBytes: rx, kind });
  }
  return n;
}

/** Every RTM_NEWROUTE to `emit`, from one attribute index over the whole batch. */
export function decodeRoutesBatched(mem: WasmMemory, batch: Batch, options: WalkOptions, emit: (route: RouteSummary) => void): number {
  const all = batch.attributesAll({ byType: { [RTM_NEWROUTE]: RTMSG_SIZE } }, options);
  const error = all.firstError();
  if (error) throw error;
  let n = 0;
  for (let i = 0; i < batch.count; i++) {
    if (batch.status(i) !== STATUS_OK) batch.check(i);
    if (batch.type(i) !== RTM_NEWROUTE) continue;
    const header = batch.regionAddress + batch.offset(i) + NLMSG_HDRLEN;
    const bytes = mem.u8;
    const family = bytes[header]!;
    const dstLen = bytes[header + 1]!;
    let table = bytes[header + 4]!;
    let dst: Uint8Array | null = null;
    let gateway: Uint8Array | null = null;
    let oif = 0;
    let priority = 0;
    let mtu = 0;
    for (let j = all.first(i), end = all.end(i); j < end; j = all.next(j)) {
      switch (all.type(j)) {
        case RTA_TABLE: table = all.u32(j); break;
        case RTA_DST: dst = all.bytes(j); break;
        case RTA_GATEWAY: gateway = all.bytes(j); break;
        case RTA_OIF: oif = all.u32(j); break;
        case RTA_PRIORITY: priority = all.u32(j); break;
        case RTA_METRICS: {
          const k = all.find(RTAX_MTU, j);
          if (k >= 0) mtu = all.u32(k);
          break;
        }
      }
    }
    n++;
    emit({ family, dstLen, table, dst, gateway, oif, priority, mtu });
  }
  return n;
}
