// Plain-JavaScript counterpart of building a link batch with the codec's
// MessageBuilder: DataView writes into a growable buffer that is reused from
// batch to batch, producing the same bytes (padding zeroed, nests without
// NLA_F_NESTED, lengths patched when a message or nest ends).

import {
  IFINFOMSG_SIZE, ARPHRD_ETHER,
  IFLA_ADDRESS, IFLA_BROADCAST, IFLA_IFNAME, IFLA_MTU, IFLA_QDISC, IFLA_TXQLEN, IFLA_OPERSTATE,
  IFLA_LINKINFO, IFLA_STATS64, IFLA_GROUP, IFLA_INFO_KIND, IFLA_INFO_DATA,
} from '../rtnl.js';
import type { LinkRecord } from '../datasets.js';
import { encodeText } from './text.js';

const TWO_32 = 0x100000000;

export class ReferenceLinkBuilder {
  private u8 = new Uint8Array(1 << 16);
  private view = new DataView(this.u8.buffer);
  private length = 0;

  /** Builds one message per record; returns a view of the batch, valid until the next build. */
  build(records: readonly LinkRecord[], type: number, flags: number, seq: number, pid: number): Uint8Array {
    this.length = 0;
    for (let i = 0; i < records.length; i++) this.link(records[i]!, type, flags, seq, pid);
    return this.u8.subarray(0, this.length);
  }

  /** Room for `bytes` more, keeping what was written. */
  private ensure(bytes: number): void {
    const need = this.length + bytes;
    if (need <= this.u8.length) return;
    const grown = new Uint8Array(Math.max(need, this.u8.length * 2));
    grown.set(this.u8.subarray(0, this.length));
    this.u8 = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Zeroes [from, align4(from)) and returns the aligned end. */
  private pad(from: number): number {
    const to = (from + 3) & ~3;
    for (let k = from; k < to; k++) this.u8[k] = 0;
    return to;
  }

  private u32(type: number, value: number): void {
    const v = this.view;
    const at = this.length;
    v.setUint32(at, 8 | (type << 16), true); // nla_len = 8, nla_type
    v.setUint32(at + 4, value, true);
    this.length = at + 8;
  }

  private u16(type: number, value: number): void {
    const v = this.view;
    const at = this.length;
    v.setUint32(at, 6 | (type << 16), true);
    v.setUint32(at + 4, value & 0xffff, true); // value and two zero pad bytes
    this.length = at + 8;
  }

  private u8attr(type: number, value: number): void {
    const v = this.view;
    const at = this.length;
    v.setUint32(at, 5 | (type << 16), true);
    v.setUint32(at + 4, value & 0xff, true); // value and three zero pad bytes
    this.length = at + 8;
  }

  private string(type: number, text: string): void {
    const at = this.length;
    const written = encodeText(this.u8, at + 4, text);
    this.u8[at + 4 + written] = 0;
    const length = 4 + written + 1;
    this.view.setUint32(at, length | (type << 16), true);
    this.length = this.pad(at + length);
  }

  private bytes(type: number, payload: Uint8Array): void {
    const at = this.length;
    const length = 4 + payload.length;
    this.view.setUint32(at, length | (type << 16), true);
    this.u8.set(payload, at + 4);
    this.length = this.pad(at + length);
  }

  private link(r: LinkRecord, type: number, flags: number, seq: number, pid: number): void {
    // Upper bound of this message's size: fixed parts, strings at 3 bytes per unit, payloads.
    this.ensure(512 + 3 * (r.ifname.length + r.qdisc.length + r.kind.length) + r.address.length + r.broadcast.length
      + 8 * r.stats.length + 8 * (r.infoData?.length ?? 0));
    const v = this.view;
    const m = this.length;
    v.setUint16(m + 4, type, true);
    v.setUint16(m + 6, flags, true);
    v.setUint32(m + 8, seq, true);
    v.setUint32(m + 12, pid, true);
    // struct ifinfomsg
    v.setUint32(m + 16, ARPHRD_ETHER << 16, true); // family 0, pad 0, type
    v.setInt32(m + 20, r.index, true);
    v.setUint32(m + 24, r.flags, true);
    v.setUint32(m + 28, 0, true);
    this.length = m + 16 + IFINFOMSG_SIZE;

    this.string(IFLA_IFNAME, r.ifname);
    this.u32(IFLA_TXQLEN, r.txqlen);
    this.u8attr(IFLA_OPERSTATE, r.operstate);
    this.u32(IFLA_MTU, r.mtu);
    this.u32(IFLA_GROUP, r.group);
    this.string(IFLA_QDISC, r.qdisc);
    this.bytes(IFLA_ADDRESS, r.address);
    this.bytes(IFLA_BROADCAST, r.broadcast);

    const stats = r.stats;
    const s = this.length;
    v.setUint32(s, (4 + stats.length * 8) | (IFLA_STATS64 << 16), true);
    for (let k = 0, at = s + 4; k < stats.length; k++, at += 8) {
      const c = stats[k]!;
      v.setUint32(at, c % TWO_32, true);
      v.setUint32(at + 4, Math.floor(c / TWO_32), true);
    }
    this.length = s + 4 + stats.length * 8;

    const info = this.length;
    this.length = info + 4;
    this.string(IFLA_INFO_KIND, r.kind);
    const items = r.infoData;
    if (items) {
      const data = this.length;
      this.length = data + 4;
      for (let k = 0; k < items.length; k++) {
        const item = items[k]!;
        if (item.width === 4) this.u32(item.type, item.value);
        else if (item.width === 2) this.u16(item.type, item.value);
        else this.u8attr(item.type, item.value);
      }
      v.setUint32(data, (this.length - data) | (IFLA_INFO_DATA << 16), true);
    }
    v.setUint32(info, (this.length - info) | (IFLA_LINKINFO << 16), true);

    v.setUint32(m, this.length - m, true);
  }
}
