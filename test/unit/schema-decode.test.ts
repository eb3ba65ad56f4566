// Typed decode and encode by schema: real kernel replies (captured in a
// network namespace with Python's AF_NETLINK socket), sub-message selection,
// enum and flag names, unknown attributes, offsets to attribute paths,
// extended acks, connector and uevent payloads, and the typed errors.
import { describe, expect, test } from 'vitest';
import {
  loadCodec, ArgumentError, MalformedError, TruncatedError, NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL,
  NETLINK_ROUTE, NETLINK_GENERIC, NETLINK_SOCK_DIAG, NETLINK_CONNECTOR, NLMSG_ERROR, NLM_F_ACK_TLVS, NLM_F_CAPPED,
} from '../../src/codec/index.js';
import {
  defaultRegistry, decodeBatchMessage, decodeErrorReply, decodeUevent, encodeMessage, attributePath,
  formatAttributes, formatBytes, plainValue,
  type DecodedMessage,
} from '../../src/schema/index.js';
import { attr, ascii, concat, i32le, msg, u16le, u32le } from '../helpers/bytes.js';

const codec = loadCodec();
const scanner = codec.scanner();
const registry = defaultRegistry();
const rtLink = registry.family('rt-link');

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((h) => parseInt(h, 16)));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function decodeOne(bytes: Uint8Array, protocol: number): DecodedMessage {
  const [m] = registry.decodeBytes(bytes, protocol);
  if (!m || m.family === null) throw new Error('no schema matched');
  return m;
}

// Replies captured from Linux in a fresh network namespace (lo up, 127.0.0.1/8).
const KERNEL = {
  // RTM_GETADDR dump reply (RTM_NEWADDR) for 127.0.0.1/8 on lo.
  addr: '4c000000140002000100000054620000020880fe01000000080001007f000001080002007f000001070003006c6f0000080008008000000014000600ffffffffffffffffffd00200ffd00200',
  // RTM_GETROUTE dump reply: the local route 127.0.0.0/8 in table 255.
  route: '3c00000018000200010000005562000002080000ff02fe020000000008000f00ff000000080001007f000000080007007f0000010800040001000000',
  // CTRL_CMD_GETFAMILY "nlctrl" reply: indexed arrays of ops and groups, sent without NLA_F_NESTED.
  nlctrl: '88000000100000000100000056620000010200000b0002006e6c6374726c000006000100100000000800030002000000080004000000000008000500000000002c000600140001000800010003000000080002000e00000014000200080001000a000000080002000c0000001c0007001800010008000200100000000b0001006e6f746966790000',
  // SOCK_DIAG_BY_FAMILY reply for a TCP socket listening on 127.0.0.1:5555.
  inetDiag: '9000000014000200070000009b640000020a000015b300007f0000010000000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000008000000000000000b0b90200050008000000000008000f00000000000c001500010000000000000006001600520000001400010000000000000000000000000000000000',
};

describe('real kernel replies', () => {
  test('rtnetlink address: ifaddrmsg, flags by name, cacheinfo struct', () => {
    const m = decodeOne(hex(KERNEL.addr), NETLINK_ROUTE);
    expect(m.family).toBe('rt-addr');
    expect(m.message).toBe('newaddr');
    expect(m.header).toEqual({ ifaFamily: 2, ifaPrefixlen: 8, ifaFlags: ['permanent'], ifaScope: 254, ifaIndex: 1 });
    expect(m.attributes.ifaAddress).toEqual(Uint8Array.of(127, 0, 0, 1));
    expect(m.attributes.ifaLabel).toBe('lo');
    expect(m.attributes.ifaFlags).toEqual(['permanent']);
    expect(m.attributes.ifaCacheinfo).toMatchObject({ ifaPrefered: 0xffffffff, ifaValid: 0xffffffff });
  });

  test('rtnetlink route: rtmsg enum by name', () => {
    const m = decodeOne(hex(KERNEL.route), NETLINK_ROUTE);
    expect(m.family).toBe('rt-route');
    expect(m.header).toMatchObject({ rtmFamily: 2, rtmDstLen: 8, rtmTable: 255, rtmScope: 254, rtmType: 'local' });
    expect(m.attributes).toEqual({ rtaTable: 255, rtaDst: Uint8Array.of(127, 0, 0, 0), rtaPrefsrc: Uint8Array.of(127, 0, 0, 1), rtaOif: 1 });
  });

  test('genetlink nlctrl: indexed arrays without NLA_F_NESTED, through the nest map', () => {
    const m = decodeOne(hex(KERNEL.nlctrl), NETLINK_GENERIC);
    expect(m.family).toBe('nlctrl');
    expect(m.message).toBe('getfamily-reply');
    expect(m.cmd).toBe(1);
    expect(m.attributes).toMatchObject({ familyName: 'nlctrl', familyId: 16, version: 2 });
    expect(m.attributes.ops).toEqual([
      { id: 3, flags: ['cmd-cap-do', 'cmd-cap-dump', 'cmd-cap-haspol'] },
      { id: 10, flags: ['cmd-cap-dump', 'cmd-cap-haspol'] },
    ]);
    expect(m.attributes.mcastGroups).toEqual([{ id: 16, name: 'notify' }]);
  });

  test('sock_diag: the header family selects inet_diag_msg', () => {
    const m = decodeOne(hex(KERNEL.inetDiag), NETLINK_SOCK_DIAG);
    expect(m.message).toBe('inet-diag');
    expect(m.header).toMatchObject({ idiagFamily: 2, idiagState: 'listen', idiagInode: 178608 });
    expect((m.header!.id as Record<string, unknown>).sport).toBe(5555);
    expect(m.attributes).toMatchObject({ shutdown: 0, cgroupId: 1, meminfo: { rmem: 0, wmem: 0, fmem: 0, tmem: 0 } });
  });

  test('numbers instead of names on request', () => {
    const batch = scanner.scanBytes(hex(KERNEL.addr));
    const schema = registry.lookup(batch, 0, NETLINK_ROUTE)!;
    const m = decodeBatchMessage(batch, 0, schema, { enums: 'numbers' });
    expect(m.header!.ifaFlags).toBe(0x80);
    expect(m.attributes.ifaFlags).toBe(0x80);
  });

  test('the captured bytes re-encode to themselves', () => {
    for (const [name, protocol] of [['addr', NETLINK_ROUTE], ['route', NETLINK_ROUTE], ['inetDiag', NETLINK_SOCK_DIAG]] as const) {
      const bytes = hex(KERNEL[name]);
      const batch = scanner.scanBytes(bytes);
      const schema = registry.lookup(batch, 0, protocol)!;
      const m = decodeBatchMessage(batch, 0, schema);
      const again = encodeMessage(schema, { ...m }, {});
      expect(toHex(again)).toBe(toHex(bytes));
    }
  });
});

describe('lazy decoding', () => {
  test('gives the same values, decoded on access from copies that outlive the batch', () => {
    const newlink = rtLink.message('newlink', 'request');
    const input = {
      ifname: 'br9', mtu: 1500,
      linkinfo: { kind: 'bridge', data: { forwardDelay: 400, groupAddr: Uint8Array.of(1, 0x80, 0xc2, 0, 0, 0) } },
      afSpec: { inet6: { addrGenMode: 1, token: new Uint8Array(16) } },
      map: { memStart: 1, memEnd: 2, baseAddr: 3, irq: 4, dma: 5, port: 6 },
    };
    const bytes = encodeMessage(newlink, { header: { ifiIndex: 3 }, attributes: input });
    const eager = decodeBatchMessage(scanner.scanBytes(bytes), 0, newlink);
    const lazy = decodeBatchMessage(scanner.scanBytes(bytes), 0, newlink, { lazy: true });
    // Reuse the scanner and the walkers before touching the deferred values.
    scanner.scanBytes(hex(KERNEL.route));
    decodeOne(hex(KERNEL.nlctrl), NETLINK_GENERIC);
    expect(Object.getOwnPropertyDescriptor(lazy.attributes, 'linkinfo')?.get).toBeTypeOf('function');
    expect(lazy.attributes.linkinfo).toEqual(input.linkinfo);
    expect(Object.getOwnPropertyDescriptor(lazy.attributes, 'linkinfo')?.value).toEqual(input.linkinfo);
    expect(lazy).toEqual(eager);
    expect(eager.attributes).toMatchObject(input);
  });
});

test('selective decoding reads only the named top-level attributes', () => {
  const newlink = rtLink.message('newlink', 'request');
  const bytes = encodeMessage(newlink, { attributes: { ifname: 'a', mtu: 9000, txqlen: 5, linkinfo: { kind: 'bridge' } } });
  const m = decodeBatchMessage(scanner.scanBytes(bytes), 0, newlink, { only: ['ifname', 'linkinfo'] });
  expect(m.attributes).toEqual({ ifname: 'a', linkinfo: { kind: 'bridge' } });
});

describe('sub-messages', () => {
  const newlink = rtLink.message('newlink', 'request');

  test('IFLA_INFO_DATA is decoded by the format IFLA_INFO_KIND selects', () => {
    const bytes = encodeMessage(newlink, {
      header: { ifiFamily: 0 },
      attributes: { ifname: 'br9', linkinfo: { kind: 'bridge', data: { forwardDelay: 400, stpState: 1, vlanProtocol: 0x8100 } } },
    });
    const m = decodeBatchMessage(scanner.scanBytes(bytes), 0, newlink);
    expect(m.attributes.linkinfo).toEqual({ kind: 'bridge', data: { forwardDelay: 400, stpState: 1, vlanProtocol: 0x8100 } });
  });

  test('a kernel-style nest without NLA_F_NESTED decodes the same', () => {
    // IFLA_LINKINFO { IFLA_INFO_KIND "bridge", IFLA_INFO_DATA { IFLA_BR_FORWARD_DELAY 400 } }, no flag bits.
    const body = concat(new Uint8Array(16), attr(18, concat(attr(1, ascii('bridge')), attr(2, attr(1, u32le(400))))));
    const m = decodeBatchMessage(scanner.scanBytes(msg(16, body)), 0, newlink);
    expect(m.attributes.linkinfo).toEqual({ kind: 'bridge', data: { forwardDelay: 400 } });
  });

  test('an unknown kind keeps IFLA_INFO_DATA as bytes, and re-encodes them', () => {
    const data = concat(attr(1, u32le(7)), attr(2, u16le(9)));
    const body = concat(new Uint8Array(16), attr(18, concat(attr(1, ascii('no-such-kind')), attr(2, data)), { nestedFlag: true }));
    const bytes = msg(16, body);
    const m = decodeBatchMessage(scanner.scanBytes(bytes), 0, newlink);
    expect(m.attributes.linkinfo).toEqual({ kind: 'no-such-kind', data });
    expect(toHex(encodeMessage(newlink, { header: m.header!, attributes: m.attributes, flags: 0 }))).toBe(toHex(bytes));
  });

  test('encoding a sub-message without its selector is an ArgumentError', () => {
    expect(() => encodeMessage(newlink, { attributes: { linkinfo: { data: { forwardDelay: 1 } } } })).toThrow(ArgumentError);
  });
});

describe('enums and flags', () => {
  const newlink = rtLink.message('newlink', 'request');

  test('flag names in spec order, unnamed bits kept as a number', () => {
    // IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP | bit 30 (unnamed)
    const flags = 0x1 | 0x8 | 0x40 | 0x10000 | 0x40000000;
    const header = concat(Uint8Array.of(0, 0), u16le(772), i32le(1), u32le(flags), u32le(0));
    const m = decodeBatchMessage(scanner.scanBytes(msg(16, header)), 0, newlink);
    expect(m.header!.ifiFlags).toEqual(['up', 'loopback', 'running', 'lower-up', 0x40000000]);
    const again = encodeMessage(newlink, { header: m.header!, flags: 0 });
    expect(toHex(again)).toBe(toHex(msg(16, header)));
  });

  test('an enum name encodes to its value, a wrong name is an ArgumentError', () => {
    const newroute = registry.family('rt-route').message('newroute', 'request');
    const bytes = encodeMessage(newroute, { header: { rtmFamily: 2, rtmType: 'unreachable' } });
    expect(bytes[16 + 7]).toBe(7);
    expect(() => encodeMessage(newroute, { header: { rtmType: 'nowhere' } })).toThrow(ArgumentError);
  });

  test('conntrack status: big-endian flags', () => {
    const ct = registry.family('conntrack');
    const schema = ct.message('new', 'request');
    const bytes = encodeMessage(schema, { header: { nfgenFamily: 2 }, attributes: { status: ['seen-reply', 'assured', 'confirmed'], mark: 0x01020304 } });
    // CTA_STATUS (3): 0x0e in network byte order.
    expect(toHex(bytes.subarray(20, 28))).toBe('080003000000000e');
    const m = decodeBatchMessage(scanner.scanBytes(bytes), 0, schema);
    expect(m.attributes).toEqual({ status: ['seen-reply', 'assured', 'confirmed'], mark: 0x01020304 });
  });
});

describe('unknown attributes', () => {
  const newlink = rtLink.message('newlink', 'request');

  test('are kept with their number and bytes, at any depth, and written back', () => {
    const unknownTop = attr(0x3ff0, Uint8Array.of(1, 2, 3));
    const unknownNested = attr(0x3ff1, Uint8Array.of(9), { nestedFlag: true });
    const body = concat(new Uint8Array(16), attr(3, ascii('x0')), attr(18, concat(attr(1, ascii('bridge')), unknownNested), { nestedFlag: true }), unknownTop);
    const bytes = msg(16, body);
    const m = decodeBatchMessage(scanner.scanBytes(bytes), 0, newlink);
    expect(m.attributes.$unknown).toEqual([{ type: 0x3ff0, bytes: Uint8Array.of(1, 2, 3) }]);
    expect(m.attributes.linkinfo).toEqual({ kind: 'bridge', $unknown: [{ type: 0x3ff1, bytes: Uint8Array.of(9), nested: true }] });
    expect(toHex(encodeMessage(newlink, { header: m.header!, attributes: m.attributes, flags: 0 }))).toBe(toHex(bytes));
  });

  test('a repeated single attribute goes to $unknown instead of being lost', () => {
    const bytes = msg(16, concat(new Uint8Array(16), attr(4, u32le(1500)), attr(4, u32le(9000))));
    const m = decodeBatchMessage(scanner.scanBytes(bytes), 0, newlink);
    expect(m.attributes.mtu).toBe(1500);
    expect(m.attributes.$unknown).toEqual([{ type: 4, bytes: u32le(9000) }]);
  });
});

describe('attribute paths of offsets', () => {
  const newlink = rtLink.message('newlink', 'request');
  const bytes = encodeMessage(newlink, {
    attributes: { ifname: 'br9', mtu: 1400, linkinfo: { kind: 'bridge', data: { helloTime: 100, forwardDelay: 400 } } },
  });

  // Find attribute starts by hand: nlmsghdr (16) + ifinfomsg (16), then TLVs.
  function starts(from: number, to: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    for (let at = from; at < to;) {
      const len = v.getUint16(at, true);
      out.push([at, v.getUint16(at + 2, true) & 0x3fff]);
      at += (len + 3) & ~3;
    }
    return out;
  }

  test('a nested sub-message attribute', () => {
    const top = starts(32, bytes.length);
    const linkinfo = top.find(([, t]) => t === 18)![0];
    const inner = starts(linkinfo + 4, linkinfo + new DataView(bytes.buffer).getUint16(linkinfo, true));
    const data = inner.find(([, t]) => t === 2)![0];
    const fields = starts(data + 4, data + new DataView(bytes.buffer).getUint16(data, true));
    const forwardDelay = fields.find(([, t]) => t === 1)![0];
    expect(attributePath(newlink, bytes, forwardDelay)).toEqual(['IFLA_LINKINFO', 'IFLA_INFO_DATA', 'IFLA_BR_FORWARD_DELAY']);
    expect(attributePath(newlink, bytes, forwardDelay, { names: 'spec' })).toEqual(['linkinfo', 'data', 'forward-delay']);
    expect(attributePath(newlink, bytes, data)).toEqual(['IFLA_LINKINFO', 'IFLA_INFO_DATA']);
    expect(attributePath(newlink, bytes, top.find(([, t]) => t === 4)![0])).toEqual(['IFLA_MTU']);
  });

  test('offsets in the headers give an empty path, outside the message an error', () => {
    expect(attributePath(newlink, bytes, 20)).toEqual([]);
    expect(() => attributePath(newlink, bytes, bytes.length)).toThrow(ArgumentError);
  });
});

describe('extended acks', () => {
  test('message, offset resolved to a path, policy by C names', () => {
    const newlink = rtLink.message('newlink', 'request');
    const request = encodeMessage(newlink, { attributes: { ifname: 'x', linkinfo: { kind: 'bridge', data: { groupAddr: new Uint8Array(8) } } }, seq: 5 });
    // The offending IFLA_BR_GROUP_ADDR: last TLV of the innermost nest.
    const offset = request.length - 12;
    const policy = concat(attr(1, u32le(10)), attr(7, u32le(6)));
    const payload = concat(i32le(-22), request.subarray(0, 16),
      attr(1, ascii('Attribute failed policy validation')), attr(2, u32le(offset)), attr(4, policy, { nestedFlag: true }));
    const reply = msg(NLMSG_ERROR, payload, { flags: NLM_F_CAPPED | NLM_F_ACK_TLVS, seq: 5 });
    const batch = scanner.scanBytes(reply);
    const decoded = decodeErrorReply(batch, 0, { schema: newlink, bytes: request });
    expect(decoded.error).toBe(-22);
    expect(decoded.request.seq).toBe(5);
    expect(decoded.extack).toEqual({
      message: 'Attribute failed policy validation', offset,
      attributePath: ['IFLA_LINKINFO', 'IFLA_INFO_DATA', 'IFLA_BR_GROUP_ADDR'],
      policy: { type: 10, maxLength: 6 },
    });
  });
});

test('NLMSG_ERROR through the registry: echoed request kept apart from the ext-ack attributes', () => {
  const request = msg(16, concat(new Uint8Array(16), attr(3, ascii('x'))), { flags: NLM_F_REQUEST, seq: 8 });
  const reply = msg(NLMSG_ERROR, concat(i32le(-17), request, attr(1, ascii('exists')), attr(2, u32le(32))), { flags: NLM_F_ACK_TLVS, seq: 8 });
  const [m] = registry.decodeBytes(reply, NETLINK_ROUTE) as DecodedMessage[];
  expect(m!.family).toBe('nlmsgerr');
  expect(m!.header).toMatchObject({ error: -17, msgType: 16, msgSeq: 8 });
  expect(m!.echo).toEqual(request.subarray(16));
  expect(m!.attributes).toEqual({ msg: 'exists', offs: 32 });
  const [ack] = registry.decodeBytes(msg(NLMSG_ERROR, concat(i32le(0), request.subarray(0, 16))), NETLINK_ROUTE) as DecodedMessage[];
  expect(ack!.header).toMatchObject({ error: 0 });
  expect(ack!.attributes).toEqual({});
  expect(registry.decodeBytes(msg(3, i32le(0)), NETLINK_ROUTE)[0]!.message).toBe('done');
});

test('display form: addresses by hint, JSON-safe everywhere', () => {
  const m = decodeOne(hex(KERNEL.addr), NETLINK_ROUTE);
  const set = registry.family('rt-addr').set('addr-attrs');
  expect(formatAttributes(set, m.attributes)).toMatchObject({ ifaAddress: '127.0.0.1', ifaLabel: 'lo', ifaFlags: ['permanent'] });
  expect(formatBytes(hex('20010db8000000000000000000000001'), 'ipv6')).toBe('2001:db8::1');
  expect(formatBytes(hex('fe800000000000000000000000000000'), 'ipv6')).toBe('fe80::');
  expect(formatBytes(hex('00010002000300040005000600070008'), 'ipv6')).toBe('1:2:3:4:5:6:7:8');
  expect(formatBytes(Uint8Array.of(2, 0, 0, 0, 0, 0x1a), 'mac')).toBe('02:00:00:00:00:1a');
  const bridge = rtLink.set('link-attrs');
  const shown = formatAttributes(bridge, { address: Uint8Array.of(2, 0, 0, 0, 0, 1), linkinfo: { kind: 'bridge', data: { groupAddr: Uint8Array.of(1, 0x80, 0xc2, 0, 0, 0), rootId: { prio: 1, addr: Uint8Array.of(1, 2, 3, 4, 5, 6) } } }, $unknown: [{ type: 99, bytes: Uint8Array.of(255) }] });
  expect(shown).toEqual({
    address: '02:00:00:00:00:01',
    linkinfo: { kind: 'bridge', data: { groupAddr: '01:80:c2:00:00:00', rootId: { prio: 1, addr: '01:02:03:04:05:06' } } },
    $unknown: [{ type: 99, bytes: 'ff' }],
  });
  expect(plainValue({ big: 2n ** 64n - 1n })).toEqual({ big: '18446744073709551615' });
  expect(() => JSON.stringify(shown)).not.toThrow();
});

describe('connector and uevent', () => {
  test('a proc connector fork event: cn_msg, proc_event, the union by `what`', () => {
    const event = concat(u32le(1), u32le(3), u32le(0x1234), u32le(0), i32le(100), i32le(100), i32le(200), i32le(200));
    const cn = concat(u32le(1), u32le(1), u32le(9), u32le(0), u16le(event.length), u16le(0), event);
    const m = decodeOne(msg(3, cn), NETLINK_CONNECTOR);
    expect(m.family).toBe('connector');
    expect(m.header).toEqual({
      idx: 'proc', val: 1, seq: 9, ack: 0, len: 32, flags: 0,
      data: { what: 'fork', cpu: 3, timestampNs: 0x1234, eventData: { parentPid: 100, parentTgid: 100, childPid: 200, childTgid: 200 } },
    });
  });

  test('the listen request encodes the connector way', () => {
    const schema = registry.family('connector').message('message', 'request');
    const bytes = encodeMessage(schema, { header: { idx: 'proc', val: 1, len: 4, data: { op: 'listen' } }, flags: 0 });
    expect(toHex(bytes.subarray(16))).toBe(toHex(concat(u32le(1), u32le(1), u32le(0), u32le(0), u16le(4), u16le(0), u32le(1))));
  });

  test('uevent text', () => {
    const text = 'add@/devices/virtual/net/v0\0ACTION=add\0DEVPATH=/devices/virtual/net/v0\0SUBSYSTEM=net\0INTERFACE=v0\0IFINDEX=7\0SEQNUM=4711\0';
    const ev = decodeUevent(registry.family('uevent'), ascii(text, false));
    expect(ev).toEqual({
      kind: 'kernel', action: 'add', devpath: '/devices/virtual/net/v0',
      env: { ACTION: 'add', DEVPATH: '/devices/virtual/net/v0', SUBSYSTEM: 'net', INTERFACE: 'v0', IFINDEX: 7, SEQNUM: 4711 },
    });
    expect(() => decodeUevent(registry.family('uevent'), ascii('garbage'))).toThrow(MalformedError);
  });
});

describe('errors', () => {
  const newlink = rtLink.message('newlink', 'request');

  test('a u32 attribute with 2 bytes is a MalformedError with its offset', () => {
    const bytes = msg(16, concat(new Uint8Array(16), attr(4, u16le(1))));
    const error = (() => { try { decodeBatchMessage(scanner.scanBytes(bytes), 0, newlink); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(MalformedError);
    expect((error as MalformedError).offset).toBe(32);
  });

  test('a message shorter than its fixed header is a TruncatedError', () => {
    expect(() => decodeBatchMessage(scanner.scanBytes(msg(16, new Uint8Array(8))), 0, newlink)).toThrow(TruncatedError);
  });

  test('a truncated attribute inside a nest is a TruncatedError', () => {
    const bad = attr(18, concat(attr(1, ascii('bridge')), hex('0800')));
    expect(() => decodeBatchMessage(scanner.scanBytes(msg(16, concat(new Uint8Array(16), bad))), 0, newlink)).toThrow(TruncatedError);
  });

  test('encode rejects unknown keys, wrong types and out-of-range numbers', () => {
    expect(() => encodeMessage(newlink, { attributes: { mtuu: 1 } })).toThrow(/no attribute mtuu/);
    expect(() => encodeMessage(newlink, { attributes: { mtu: 2 ** 32 } })).toThrow(/out of range/);
    expect(() => encodeMessage(newlink, { attributes: { ifname: 7 } })).toThrow(ArgumentError);
    expect(() => encodeMessage(newlink, { header: { ifiIndex: 1.5 } })).toThrow(ArgumentError);
    const ethtool = registry.family('ethtool').message('linkinfo-get', 'request');
    expect(() => encodeMessage(ethtool, { attributes: {} })).toThrow(/familyId/);
  });

  test('64-bit values: numbers while safe, bigints beyond', () => {
    const ct = registry.family('conntrack').message('new', 'request');
    const big = 2n ** 60n + 3n;
    const bytes = encodeMessage(ct, { attributes: { countersOrig: { packets: 12, bytes: big } } });
    const m = decodeBatchMessage(scanner.scanBytes(bytes), 0, ct);
    expect(m.attributes.countersOrig).toEqual({ packets: 12, bytes: big });
  });
});

test('names: message types and attributes per family', () => {
  expect(registry.names(NETLINK_ROUTE, 16, 'request')).toEqual({ family: 'rt-link', message: 'newlink', cName: 'RTM_NEWLINK' });
  expect(registry.names(NETLINK_ROUTE, 28, 'reply')?.cName).toBe('RTM_NEWNEIGH');
  expect(registry.names(NETLINK_ROUTE, 32, 'request')?.cName).toBe('RTM_NEWRULE');
  expect(registry.names(12, 0x101, 'request')?.cName).toBe('IPCTNL_MSG_CT_GET');
  expect(registry.names(12, 0xa00, 'request')?.cName).toBe('NFT_MSG_NEWTABLE');
  const linkAttrs = rtLink.set('link-attrs');
  expect(linkAttrs.byValue.get(4)?.cName).toBe('IFLA_MTU');
  expect(rtLink.set('linkinfo-attrs').byValue.get(2)?.cName).toBe('IFLA_INFO_DATA');
  registry.bindGenlFamily(0x1c, 'ethtool');
  expect(registry.names(NETLINK_GENERIC, 0x1c, 'reply', 26)?.cName).toBe('ETHTOOL_MSG_TSINFO_GET_REPLY');
  expect(registry.names(NETLINK_GENERIC, 0x1c, 'request', 25)?.cName).toBe('ETHTOOL_MSG_TSINFO_GET');
});

test('a message no schema describes comes back raw, not dropped', () => {
  const bytes = msg(0x7777, Uint8Array.of(1, 2, 3, 4), { seq: 9 });
  const [m] = registry.decodeBytes(bytes, NETLINK_GENERIC);
  expect(m).toEqual({ family: null, message: null, type: 0x7777, flags: 0, seq: 9, pid: 0, payload: Uint8Array.of(1, 2, 3, 4) });
});

test('a request made with flags decodes back through the registry', () => {
  const schema = registry.family('rt-neigh').message('newneigh', 'request');
  const bytes = encodeMessage(schema, {
    flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq: 3,
    header: { ndmFamily: 2, ndmIfindex: 1, ndmState: ['permanent'] },
    attributes: { dst: Uint8Array.of(127, 0, 0, 2), lladdr: Uint8Array.of(2, 0, 0, 0, 0, 1) },
  });
  const m = decodeOne(bytes, NETLINK_ROUTE);
  expect(m.message).toBe('newneigh');
  expect(m.flags).toBe(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  expect(m.header).toEqual({ ndmFamily: 2, ndmIfindex: 1, ndmState: ['permanent'], ndmFlags: [], ndmType: 'unspec' });
});
