// A link decoder written by hand for exactly the messages of the link dataset:
// the plain-JS reference point of typed decode. It builds the same objects as nlkit's
// rt-link schema (checked field by field in decode.ts), with every shortcut a
// hand-written decoder may take: one switch per attribute set, the dataset's
// info-data kinds only, no schema, no fallbacks, no `$unknown` bookkeeping.
// An attribute it does not know is an error, so it can never do less work
// than nlkit by skipping something.
//
// It shows how fast any JS decoder can build these objects on this engine,
// so that nlkit's figure against the netlink package can be read against it.

import type { Dump } from '../datasets.js';

const RTM_NEWLINK = 16;

const IFF_NAMES = [
  'up', 'broadcast', 'debug', 'loopback', 'point-to-point', 'no-trailers', 'running', 'no-arp', 'promisc', 'all-multi',
  'master', 'slave', 'multicast', 'portsel', 'auto-media', 'dynamic', 'lower-up', 'dormant', 'echo',
];
const MACVLAN_MODES: Record<number, string> = { 1: 'private', 2: 'vepa', 4: 'bridge', 8: 'passthru', 16: 'source' };

export class HandwrittenLinkDecoder {
  private readonly u8: Uint8Array;
  private readonly view: DataView;

  constructor(private readonly dump: Dump) {
    this.u8 = dump.bytes;
    this.view = new DataView(dump.bytes.buffer, dump.bytes.byteOffset, dump.bytes.byteLength);
  }

  /** Decodes every RTM_NEWLINK of the dump, datagram by datagram; returns how many. */
  forEach(visit: (message: Record<string, unknown>) => void): number {
    const view = this.view;
    let offset = 0;
    let count = 0;
    for (const length of this.dump.datagramLengths) {
      const end = offset + length;
      let pos = offset;
      while (end - pos >= 16) {
        const len = view.getUint32(pos, true);
        if (len < 16 || len > end - pos) throw new Error(`bad message length ${len} at ${pos}`);
        const type = view.getUint16(pos + 4, true);
        if (type === RTM_NEWLINK) {
          visit(this.link(pos, len));
          count++;
        }
        pos += (len + 3) & ~3;
      }
      offset = end;
    }
    return count;
  }

  private link(pos: number, len: number): Record<string, unknown> {
    const view = this.view;
    return {
      family: 'rt-link', message: 'newlink', type: RTM_NEWLINK, flags: view.getUint16(pos + 6, true),
      seq: view.getUint32(pos + 8, true), pid: view.getUint32(pos + 12, true),
      header: {
        ifiFamily: this.u8[pos + 16]!, ifiType: view.getUint16(pos + 18, true), ifiIndex: view.getInt32(pos + 20, true),
        ifiFlags: flagNames(view.getUint32(pos + 24, true)), ifiChange: view.getUint32(pos + 28, true),
      },
      attributes: this.linkAttributes(pos + 32, pos + len),
    };
  }

  private linkAttributes(start: number, end: number): Record<string, unknown> {
    const { u8, view } = this;
    const out: Record<string, unknown> = {};
    for (let pos = start; pos < end;) {
      const len = view.getUint16(pos, true);
      const type = view.getUint16(pos + 2, true) & 0x3fff;
      const at = pos + 4;
      switch (type) {
        case 1: out.address = u8.slice(at, pos + len); break;
        case 2: out.broadcast = u8.slice(at, pos + len); break;
        case 3: out.ifname = this.string(at, pos + len); break;
        case 4: out.mtu = view.getUint32(at, true); break;
        case 6: out.qdisc = this.string(at, pos + len); break;
        case 13: out.txqlen = view.getUint32(at, true); break;
        case 16: out.operstate = u8[at]!; break;
        case 18: out.linkinfo = this.linkinfo(at, pos + len); break;
        case 23: out.stats64 = this.stats64(at); break;
        case 27: out.group = view.getUint32(at, true); break;
        default: throw new Error(`link attribute ${type} is not in the dataset`);
      }
      pos += (len + 3) & ~3;
    }
    return out;
  }

  private linkinfo(start: number, end: number): Record<string, unknown> {
    const view = this.view;
    const out: Record<string, unknown> = {};
    for (let pos = start; pos < end;) {
      const len = view.getUint16(pos, true);
      const type = view.getUint16(pos + 2, true) & 0x3fff;
      if (type === 1) out.kind = this.string(pos + 4, pos + len);
      else if (type === 2) out.data = this.infoData(out.kind as string, pos + 4, pos + len);
      else throw new Error(`linkinfo attribute ${type} is not in the dataset`);
      pos += (len + 3) & ~3;
    }
    return out;
  }

  private infoData(kind: string, start: number, end: number): Record<string, unknown> {
    const { u8, view } = this;
    const out: Record<string, unknown> = {};
    for (let pos = start; pos < end;) {
      const len = view.getUint16(pos, true);
      const type = view.getUint16(pos + 2, true) & 0x3fff;
      const at = pos + 4;
      switch (kind) {
        case 'bridge':
          if (type === 1) out.forwardDelay = view.getUint32(at, true);
          else if (type === 2) out.helloTime = view.getUint32(at, true);
          else if (type === 3) out.maxAge = view.getUint32(at, true);
          else if (type === 5) out.stpState = view.getUint32(at, true);
          else if (type === 7) out.vlanFiltering = u8[at]!;
          else throw new Error(`bridge attribute ${type} is not in the dataset`);
          break;
        case 'vlan':
          if (type === 1) out.id = view.getUint16(at, true);
          else throw new Error(`vlan attribute ${type} is not in the dataset`);
          break;
        case 'vxlan':
          if (type === 1) out.id = view.getUint32(at, true);
          else if (type === 5) out.ttl = u8[at]!;
          else if (type === 7) out.learning = u8[at]!;
          else throw new Error(`vxlan attribute ${type} is not in the dataset`);
          break;
        case 'macvlan':
          if (type === 1) out.mode = MACVLAN_MODES[view.getUint32(at, true)];
          else if (type === 2) out.flags = view.getUint16(at, true);
          else throw new Error(`macvlan attribute ${type} is not in the dataset`);
          break;
        default:
          throw new Error(`link kind ${kind} is not in the dataset`);
      }
      pos += (len + 3) & ~3;
    }
    return out;
  }

  /** rtnl_link_stats64: numbers below 2^53, bigints above (nlkit's rule). */
  private stats64(at: number): Record<string, number | bigint> {
    const u64 = (k: number) => {
      const high = this.view.getUint32(at + k + 4, true);
      return high < 0x200000 ? high * 0x100000000 + this.view.getUint32(at + k, true) : this.view.getBigUint64(at + k, true);
    };
    return {
      rxPackets: u64(0), txPackets: u64(8), rxBytes: u64(16), txBytes: u64(24), rxErrors: u64(32), txErrors: u64(40),
      rxDropped: u64(48), txDropped: u64(56), multicast: u64(64), collisions: u64(72), rxLengthErrors: u64(80),
      rxOverErrors: u64(88), rxCrcErrors: u64(96), rxFrameErrors: u64(104), rxFifoErrors: u64(112), rxMissedErrors: u64(120),
      txAbortedErrors: u64(128), txCarrierErrors: u64(136), txFifoErrors: u64(144), txHeartbeatErrors: u64(152),
      txWindowErrors: u64(160), rxCompressed: u64(168), txCompressed: u64(176), rxNohandler: u64(184), rxOtherhostDropped: u64(192),
    };
  }

  /** A string up to its NUL: ASCII by String.fromCharCode, the rest by TextDecoder. */
  private string(start: number, end: number): string {
    const u8 = this.u8;
    let text = '';
    for (let i = start; i < end; i++) {
      const c = u8[i]!;
      if (c === 0) return text;
      if (c >= 0x80) {
        let stop = i;
        while (stop < end && u8[stop] !== 0) stop++;
        return utf8.decode(u8.subarray(start, stop));
      }
      text += String.fromCharCode(c);
    }
    return text;
  }
}

const utf8 = new TextDecoder();

function flagNames(flags: number): string[] {
  if (flags >>> IFF_NAMES.length !== 0) throw new Error(`link flags 0x${flags.toString(16)} are not in the dataset`);
  const out: string[] = [];
  for (let bit = 0; bit < IFF_NAMES.length; bit++) if ((flags & (1 << bit)) !== 0) out.push(IFF_NAMES[bit]!);
  return out;
}
