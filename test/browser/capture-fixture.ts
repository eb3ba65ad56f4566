// The captures the browser tests open: synthetic netlink traffic built with
// the codec's builder and written with src/trace's writers. Each exchange
// covers one thing the viewer must show.
//
//   #  dir  what
//   0  out  RTM_GETLINK dump request                      seq 1
//   1  in   RTM_NEWLINK lo        (multi)  ┐ one datagram
//   2  in   RTM_NEWLINK veth0     (multi)  ┘
//   3  in   NLMSG_DONE                     seq 1
//   4  out  RTM_NEWLINK create br0, ACK requested         seq 2
//   5  in   NLMSG_ERROR 0 (ack, capped)                   seq 2
//   6  out  RTM_NEWADDR 10.0.0.1/24 on index 7            seq 3
//   7  in   NLMSG_ERROR -EEXIST + extended ack (msg, offs) seq 3
//   8  out  CTRL_CMD_GETFAMILY "ethtool"   (generic)      seq 4
//   9  in   CTRL_CMD_NEWFAMILY id 20 "ethtool"            seq 4
//  10  out  ETHTOOL_MSG_LINKINFO_GET dev "eth0"           seq 5
//  11  in   RTM_NEWLINK whose IFLA_MTU has nla_len 2      (bad attributes)
//  12  in   a message declaring 200 bytes in a 40-byte datagram (truncated)

import { loadCodec, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_MULTI, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR } from '../../src/codec/index.js';
import { encodeTraceSync, type NetlinkDatagram } from '../../src/trace/index.js';

export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINKINFO = 18;
export const IFLA_INFO_KIND = 1;
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const GENL_ID_CTRL = 0x10;
export const ETHTOOL_ID = 20;
export const EEXIST = 17;

/** Our socket's port id, as a tee records it. */
export const PORT = 4242;
/** 2023-11-14T22:13:20Z */
export const T0_NS = 1_700_000_000_000_000_000n;
export const EXTACK_MESSAGE = 'Address already assigned';

function ifinfomsg(index: number, flags = 0): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  b[0] = 0; // AF_UNSPEC
  v.setUint16(2, 1, true); // ARPHRD_ETHER
  v.setInt32(4, index, true);
  v.setUint32(8, flags, true);
  return b;
}

function ifaddrmsg(index: number): Uint8Array {
  const b = new Uint8Array(8);
  b[0] = 2; // AF_INET
  b[1] = 24; // prefix length
  new DataView(b.buffer).setUint32(4, index, true);
  return b;
}

function genlHeader(cmd: number): Uint8Array {
  return Uint8Array.of(cmd, 1, 0, 0);
}

export interface Fixture {
  datagrams: NetlinkDatagram[];
  /** Expected rows, in order. */
  rows: Array<{ type: number; seq: number; direction: 'in' | 'out'; protocol: number }>;
  /** Byte offset of IFA_LOCAL in the RTM_NEWADDR request (what the extended ack points at). */
  newaddrLocalOffset: number;
}

export function buildFixture(): Fixture {
  const codec = loadCodec();
  const b = codec.builder();
  const datagrams: NetlinkDatagram[] = [];
  let t = T0_NS;
  const push = (protocol: number, direction: 'in' | 'out', data: Uint8Array, portId: number) => {
    t += 1_500_000n; // 1.5 ms apart
    datagrams.push({ protocol, direction, data: data.slice(), timestampNs: t, portId });
  };

  // 0: dump request
  push(0, 'out', b.reset().begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1).header(ifinfomsg(0)).end().finish(), PORT);
  // 1, 2: two replies in one datagram
  b.reset();
  b.begin(RTM_NEWLINK, NLM_F_MULTI, 1, PORT).header(ifinfomsg(1, 0x49)).string(IFLA_IFNAME, 'lo').u32(IFLA_MTU, 65536).end();
  b.begin(RTM_NEWLINK, NLM_F_MULTI, 1, PORT).header(ifinfomsg(7, 0x11043)).string(IFLA_IFNAME, 'veth0').u32(IFLA_MTU, 1500)
    .bytes(IFLA_ADDRESS, Uint8Array.of(0x02, 0x42, 0xac, 0x11, 0x00, 0x02))
    .nest(IFLA_LINKINFO, (x) => x.string(IFLA_INFO_KIND, 'veth'), false).end();
  push(0, 'in', b.finish(), 0);
  // 3: end of dump
  push(0, 'in', b.reset().begin(NLMSG_DONE, NLM_F_MULTI, 1, PORT).header(new Uint8Array(4)).end().finish(), 0);

  // 4, 5: create with an ack
  const newlink = b.reset().begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 2).header(ifinfomsg(0))
    .string(IFLA_IFNAME, 'br0').nest(IFLA_LINKINFO, (x) => x.string(IFLA_INFO_KIND, 'bridge'), false).end().finish().slice();
  push(0, 'out', newlink, PORT);
  const ack = new Uint8Array(20);
  ack.set(newlink.subarray(0, 16), 4); // error 0, then the request's header (capped)
  push(0, 'in', b.reset().begin(NLMSG_ERROR, NLM_F_CAPPED, 2, PORT).header(ack).end().finish(), 0);

  // 6, 7: an error with an extended ack pointing at IFA_LOCAL
  const newaddr = b.reset().begin(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 3).header(ifaddrmsg(7))
    .bytes(IFA_LOCAL, Uint8Array.of(10, 0, 0, 1)).bytes(IFA_ADDRESS, Uint8Array.of(10, 0, 0, 1)).end().finish().slice();
  const newaddrLocalOffset = 16 + 8; // nlmsghdr + ifaddrmsg
  push(0, 'out', newaddr, PORT);
  const err = new Uint8Array(4 + newaddr.length);
  new DataView(err.buffer).setInt32(0, -EEXIST, true);
  err.set(newaddr, 4);
  push(0, 'in', b.reset().begin(NLMSG_ERROR, NLM_F_ACK_TLVS, 3, PORT).header(err)
    .string(1 /* NLMSGERR_ATTR_MSG */, EXTACK_MESSAGE).u32(2 /* NLMSGERR_ATTR_OFFS */, newaddrLocalOffset).end().finish(), 0);

  // 8, 9: generic netlink family lookup, then a message of that family
  push(16, 'out', b.reset().begin(GENL_ID_CTRL, NLM_F_REQUEST, 4).header(genlHeader(3)).string(2, 'ethtool').end().finish(), PORT);
  push(16, 'in', b.reset().begin(GENL_ID_CTRL, 0, 4, PORT).header(genlHeader(1)).u16(1, ETHTOOL_ID).string(2, 'ethtool').u32(3, 1).end().finish(), 0);
  push(16, 'out', b.reset().begin(ETHTOOL_ID, NLM_F_REQUEST, 5).header(genlHeader(2)).nest(1, (x) => x.string(2, 'eth0')).end().finish(), PORT);

  // 11: IFLA_MTU with nla_len 2 (less than its header)
  const bad = b.reset().begin(RTM_NEWLINK, 0, 0, 0).header(ifinfomsg(9)).string(IFLA_IFNAME, 'bad0').u32(IFLA_MTU, 9000).end().finish().slice();
  const mtuAt = 16 + 16 + 12; // nlmsghdr, ifinfomsg, IFLA_IFNAME "bad0\0" (4 + 5, padded to 12)
  new DataView(bad.buffer).setUint16(mtuAt, 2, true);
  push(0, 'in', bad, 0);
  // 12: nlmsg_len 200 in a 40-byte datagram
  const cut = b.reset().begin(RTM_NEWLINK, 0, 0, 0).header(ifinfomsg(3)).string(IFLA_IFNAME, 'cut0').end().finish().slice(0, 40);
  new DataView(cut.buffer).setUint32(0, 200, true);
  push(0, 'in', cut, 0);

  const rows: Fixture['rows'] = [
    { type: RTM_GETLINK, seq: 1, direction: 'out', protocol: 0 },
    { type: RTM_NEWLINK, seq: 1, direction: 'in', protocol: 0 },
    { type: RTM_NEWLINK, seq: 1, direction: 'in', protocol: 0 },
    { type: NLMSG_DONE, seq: 1, direction: 'in', protocol: 0 },
    { type: RTM_NEWLINK, seq: 2, direction: 'out', protocol: 0 },
    { type: NLMSG_ERROR, seq: 2, direction: 'in', protocol: 0 },
    { type: RTM_NEWADDR, seq: 3, direction: 'out', protocol: 0 },
    { type: NLMSG_ERROR, seq: 3, direction: 'in', protocol: 0 },
    { type: GENL_ID_CTRL, seq: 4, direction: 'out', protocol: 16 },
    { type: GENL_ID_CTRL, seq: 4, direction: 'in', protocol: 16 },
    { type: ETHTOOL_ID, seq: 5, direction: 'out', protocol: 16 },
    { type: RTM_NEWLINK, seq: 0, direction: 'in', protocol: 0 },
    { type: RTM_NEWLINK, seq: 0, direction: 'in', protocol: 0 },
  ];
  return { datagrams, rows, newaddrLocalOffset };
}

/** The fixture as a pcapng file. */
export function fixturePcapng(): Uint8Array {
  return encodeTraceSync(buildFixture().datagrams, 'pcapng');
}

/** The fixture as a pcap file cut off 10 bytes into its last record's data: the last row is a record problem. */
export function fixtureCutPcap(): Uint8Array {
  const whole = encodeTraceSync(buildFixture().datagrams, 'pcap');
  return whole.slice(0, whole.length - 30);
}

/**
 * A large capture for the virtualized list: `count` RTM_NEWLINK
 * notifications, 100 per datagram, 10 µs apart.
 */
export function largeCapture(count: number): Uint8Array {
  const codec = loadCodec();
  const b = codec.builder();
  const datagrams: NetlinkDatagram[] = [];
  let t = T0_NS;
  for (let i = 0; i < count; ) {
    b.reset();
    for (let k = 0; k < 100 && i < count; k++, i++) {
      b.begin(RTM_NEWLINK, 0, i, 0).header(ifinfomsg(i % 1000)).string(IFLA_IFNAME, `eth${i % 1000}`).u32(IFLA_MTU, 1500).end();
    }
    t += 1_000_000n;
    datagrams.push({ protocol: 0, direction: 'in', data: b.finish().slice(), timestampNs: t, portId: 0 });
  }
  return encodeTraceSync(datagrams, 'pcapng');
}
