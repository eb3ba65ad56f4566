// The build workload on the nlkit side: link records to a batch through the
// codec's MessageBuilder, the bytes going straight into WASM memory.

import { ArgumentError, type MessageBuilder } from '../../src/codec/index.js';
import type { LinkRecord } from '../datasets.js';
import {
  IFINFOMSG_SIZE, ARPHRD_ETHER, STATS64_SIZE,
  IFLA_ADDRESS, IFLA_BROADCAST, IFLA_IFNAME, IFLA_MTU, IFLA_QDISC, IFLA_TXQLEN, IFLA_OPERSTATE,
  IFLA_LINKINFO, IFLA_STATS64, IFLA_GROUP, IFLA_INFO_KIND, IFLA_INFO_DATA,
} from '../rtnl.js';

const TWO_32 = 0x100000000;

// rtnl_link_stats64 is a struct attribute: the builder takes it as bytes, so
// it is laid out here first (one scratch buffer for every message).
const stats = new Uint8Array(STATS64_SIZE);
const statsView = new DataView(stats.buffer);

/**
 * Builds one message per record (nests without NLA_F_NESTED, as the kernel
 * sends them); returns the builder's view of the batch, valid until its next
 * reset or memory growth.
 */
export function buildLinks(b: MessageBuilder, records: readonly LinkRecord[], type: number, flags: number, seq: number, pid: number): Uint8Array {
  b.reset();
  for (let i = 0; i < records.length; i++) addLink(b, records[i]!, type, flags, seq, pid);
  return b.finish();
}

/** One link message. */
export function addLink(b: MessageBuilder, r: LinkRecord, type: number, flags: number, seq: number, pid: number): void {
  b.begin(type, flags, seq, pid);
  const at = b.reserve(IFINFOMSG_SIZE); // zeroed: family, pad and ifi_change stay 0
  const v = b.memory.view;
  v.setUint16(at + 2, ARPHRD_ETHER, true);
  v.setInt32(at + 4, r.index, true);
  v.setUint32(at + 8, r.flags, true);
  b.string(IFLA_IFNAME, r.ifname)
    .u32(IFLA_TXQLEN, r.txqlen)
    .u8(IFLA_OPERSTATE, r.operstate)
    .u32(IFLA_MTU, r.mtu)
    .u32(IFLA_GROUP, r.group)
    .string(IFLA_QDISC, r.qdisc)
    .bytes(IFLA_ADDRESS, r.address)
    .bytes(IFLA_BROADCAST, r.broadcast);
  const counters = r.stats;
  if (counters.length * 8 > STATS64_SIZE) throw new ArgumentError(`link ${r.index} has ${counters.length} stats counters, more than rtnl_link_stats64 holds`);
  for (let k = 0; k < counters.length; k++) {
    const c = counters[k]!;
    statsView.setUint32(k * 8, c % TWO_32, true);
    statsView.setUint32(k * 8 + 4, Math.floor(c / TWO_32), true);
  }
  b.bytes(IFLA_STATS64, counters.length * 8 === STATS64_SIZE ? stats : stats.subarray(0, counters.length * 8));
  b.nestStart(IFLA_LINKINFO, false).string(IFLA_INFO_KIND, r.kind);
  const items = r.infoData;
  if (items) {
    b.nestStart(IFLA_INFO_DATA, false);
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      if (item.width === 4) b.u32(item.type, item.value);
      else if (item.width === 2) b.u16(item.type, item.value);
      else b.u8(item.type, item.value);
    }
    b.nestEnd();
  }
  b.nestEnd();
}
