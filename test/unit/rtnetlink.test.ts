// Typed rtnetlink without a kernel: text forms of addresses, group numbers,
// extended-ack paths, link kinds and routes through encode → scan → decode,
// malformed input, the CLI's formatting, and the operations over the
// loopback bus's emulated links.

import { describe, expect, test } from 'vitest';
import { ArgumentError, MalformedError, NetlinkError, TruncatedError, NLM_F_MULTI, loadCodec } from '../../src/codec/index.js';
import { encodeMessage } from '../../src/schema/index.js';
import { LoopbackKernel } from '../../src/transport/loopback/index.js';
import { openSocket } from '../../src/socket/index.js';
import {
  links, routes, routePrefix, addresses, decodeLink, decodeRoute, decodeRtnetlinkEvent, describeTypes, ipText, parseIp, parsePrefix,
  parseMac, rtnlGroups, rtnlGroupMask, rtSchemas, RTNL_GROUPS, VERB_FLAGS,
} from '../../src/families/rtnetlink/index.js';
import { linkFlags } from '../../src/cli/ip/link.js';
import { routeJson, routeLines } from '../../src/cli/ip/route.js';
import { ruleJson, ruleLine } from '../../src/cli/ip/rule.js';
import { addressFlags } from '../../src/cli/ip/addr.js';

const codec = loadCodec();

describe('address text', () => {
  test('IPv6 in RFC 5952 form: longest zero run, leftmost on ties, no single-group ::, mapped IPv4', () => {
    const cases: Array<[string, string]> = [
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
      ['FE80::1:2', 'fe80::1:2'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ];
    for (const [input, canonical] of cases) {
      const { family, bytes } = parseIp(input);
      expect(family).toBe(10);
      expect(ipText(bytes)).toBe(canonical);
    }
  });

  test('IPv4, prefixes and MACs parse; malformed text is an ArgumentError', () => {
    expect(parseIp('10.1.2.3')).toEqual({ family: 2, bytes: Uint8Array.of(10, 1, 2, 3) });
    expect(parsePrefix('10.0.0.0/8').length).toBe(8);
    expect(parsePrefix('2001:db8::/32')).toMatchObject({ family: 10, length: 32 });
    expect(parsePrefix('10.0.0.1').length).toBe(32);
    expect(Array.from(parseMac('02:00:0a:ff:00:01'))).toEqual([2, 0, 10, 255, 0, 1]);
    for (const bad of ['10.0.0', '10.0.0.256', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::g', '']) {
      expect(() => parseIp(bad)).toThrow(ArgumentError);
    }
    expect(() => parsePrefix('10.0.0.0/33')).toThrow(ArgumentError);
    expect(() => parsePrefix('2001:db8::/129')).toThrow(ArgumentError);
    expect(() => parseMac('02:00:zz')).toThrow(ArgumentError);
  });
});

test('rtnetlink groups by name, as linux/rtnetlink.h numbers them', () => {
  expect(rtnlGroups(['link', 'notify', 'neigh', 'tc', 'ipv4-ifaddr', 'ipv4-route', 'ipv4-rule', 'ipv6-ifaddr', 'ipv6-route', 'ipv6-rule']))
    .toEqual([1, 2, 3, 4, 5, 7, 8, 9, 11, 19]);
  expect(RTNL_GROUPS.nexthop).toBe(32);
  expect(RTNL_GROUPS['ipv6-acaddr']).toBe(39);
  expect(rtnlGroupMask(['link', 'ipv4-route'])).toBe((1 << 0) | (1 << 6));
  expect(rtnlGroupMask(['stats'])).toBe(0);
  expect(() => rtnlGroups(['ipv4-routes'])).toThrow(ArgumentError);
  // The schema's own groups agree.
  const addr = rtSchemas().addr.family.spec.mcastGroups;
  expect(addr.find((g) => g.name === 'rtnlgrp-ipv6-ifaddr')!.value).toBe(RTNL_GROUPS['ipv6-ifaddr']);
});

test('verbs carry the flags the kernel expects', () => {
  expect(VERB_FLAGS.add).toBe(0x400 | 0x200);
  expect(VERB_FLAGS.replace).toBe(0x400 | 0x100);
  expect(VERB_FLAGS.append).toBe(0x400 | 0x800);
  expect(VERB_FLAGS.change).toBe(0);
});

test('extended-ack paths are named through the schema, sub-messages by the request kind', () => {
  const set = rtSchemas().link.set;
  expect(describeTypes(set, { linkinfo: { kind: 'vxlan', data: { id: 1 } } }, [18, 2, 1])).toEqual(['IFLA_LINKINFO', 'IFLA_INFO_DATA', 'IFLA_VXLAN_ID']);
  expect(describeTypes(set, { linkinfo: { kind: 'vlan', data: { id: 1 } } }, [18, 2, 1])).toEqual(['IFLA_LINKINFO', 'IFLA_INFO_DATA', 'IFLA_VLAN_ID']);
  expect(describeTypes(set, { linkinfo: { kind: 'macvlan' } }, [18, 2, 1])).toEqual(['IFLA_LINKINFO', 'IFLA_INFO_DATA', 'IFLA_MACVLAN_MODE']);
  expect(describeTypes(set, { mtu: 1 }, [4])).toEqual(['IFLA_MTU']);
  expect(describeTypes(set, {}, [999, 1])).toEqual(['999', '1']);
  expect(describeTypes(rtSchemas().route.set, {}, [5])).toEqual(['RTA_GATEWAY']);
});

describe('link kinds through the schema: encode, scan, decode', () => {
  const roundTrip = (attributes: Record<string, unknown>) => {
    const bytes = encodeMessage(rtSchemas().link.newMessage, { header: { ifiIndex: 7, ifiFlags: 1 }, attributes });
    return decodeLink(codec.scan(bytes), 0, codec);
  };

  test('vlan: id, protocol and flags', () => {
    const link = roundTrip({ ifname: 'e0.5', link: 3, linkinfo: { kind: 'vlan', data: { id: 5, protocol: '8021ad', flag: { flags: ['reorder-hdr'], mask: 1 } } } });
    expect(link).toMatchObject({ index: 7, name: 'e0.5', link: 3, kind: 'vlan', flags: ['up'] });
    expect(link.data).toMatchObject({ id: 5, protocol: '8021ad', flag: { flags: ['reorder-hdr'], mask: 1 } });
  });

  test('vxlan: addresses as text, the port in network order', () => {
    const bytes = encodeMessage(rtSchemas().link.newMessage, {
      attributes: { ifname: 'vx', linkinfo: { kind: 'vxlan', data: { id: 42, port: 4789, local: parseIp('10.0.0.1').bytes, group6: parseIp('ff02::5').bytes } } },
    });
    // IFLA_VXLAN_PORT is big-endian on the wire: 4789 = 0x12b5.
    const hex = Buffer.from(bytes).toString('hex');
    expect(hex).toContain('06000f0012b5');
    const link = decodeLink(codec.scan(bytes), 0, codec);
    expect(link.data).toEqual({ id: 42, port: 4789, local: '10.0.0.1', group6: 'ff02::5' });
  });

  test('veth: the peer is a whole ifinfomsg + attributes inside IFLA_INFO_DATA', () => {
    const link = roundTrip({ ifname: 'va', linkinfo: { kind: 'veth', data: { peer: { ifiIndex: 0, ifname: 'vb', mtu: 1400 } } } });
    expect(link.kind).toBe('veth');
    expect(link.data).toMatchObject({ peer: { ifiIndex: 0, ifname: 'vb', mtu: 1400 } });
  });

  test('macvlan: the mode by name', () => {
    expect(roundTrip({ ifname: 'mv', linkinfo: { kind: 'macvlan', data: { mode: 'bridge' } } }).data).toEqual({ mode: 'bridge' });
  });

  test('a kind the schema does not describe keeps its data as bytes', () => {
    const link = roundTrip({ ifname: 'x', linkinfo: { kind: 'nosuchkind', data: Uint8Array.of(8, 0, 1, 0, 1, 0, 0, 0) } });
    expect(link.kind).toBe('nosuchkind');
    expect(link.data).toBe('0800010001000000');
  });
});

/** An RTM_NEWROUTE as the kernel sends it in a dump. */
function routeMessage(build: (b: ReturnType<typeof codec.builder>) => void, rtmsg = Uint8Array.of(2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0)): Uint8Array {
  const b = codec.builder().reset();
  b.begin(24, NLM_F_MULTI, 1, 0).header(rtmsg);
  build(b);
  b.end();
  return b.finish().slice();
}

function nexthop(gateway: number[], ifindex: number, hops: number, flags = 0): Uint8Array {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setUint16(0, 16, true);
  out[2] = flags;
  out[3] = hops;
  v.setInt32(4, ifindex, true);
  v.setUint16(8, 8, true);
  v.setUint16(10, 5, true);
  out.set(gateway, 12);
  return out;
}

describe('route decoding', () => {
  test('a multipath route: each rtnexthop with its gateway, weight and flags', () => {
    const mp = new Uint8Array(32);
    mp.set(nexthop([10, 0, 0, 2], 3, 0), 0);
    mp.set(nexthop([10, 0, 0, 3], 4, 2, 16), 16);
    const bytes = routeMessage((b) => { b.bytes(15, Uint8Array.of(254, 0, 0, 0)); b.bytes(1, Uint8Array.of(10, 8, 0, 0)); b.bytes(9, mp); });
    const route = decodeRoute(codec.scan(bytes), 0, codec);
    expect(route).toMatchObject({ family: 4, dst: '10.8.0.0', dstLen: 24, table: 254, protocol: 3, type: 1 });
    expect(routePrefix(route)).toBe('10.8.0.0/24');
    expect(route.multipath).toEqual([
      { gateway: '10.0.0.2', oif: 3, weight: 1, flags: 0 },
      { gateway: '10.0.0.3', oif: 4, weight: 3, flags: 16 },
    ]);
  });

  test('IPv6 routes and the default route', () => {
    const gw = parseIp('fe80::1').bytes;
    const bytes = routeMessage((b) => { b.bytes(5, gw); b.u32(4, 2); b.u32(6, 1024); }, Uint8Array.of(10, 0, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0));
    const route = decodeRoute(codec.scan(bytes), 0, codec);
    expect(route).toMatchObject({ family: 6, gateway: 'fe80::1', oif: 2, priority: 1024, dstLen: 0 });
    expect(routePrefix(route)).toBe('default');
  });

  test('a cut rtnexthop is a MalformedError with its offset; a short rtmsg a TruncatedError', () => {
    const bad = nexthop([10, 0, 0, 2], 3, 0);
    new DataView(bad.buffer).setUint16(0, 40, true); // claims more than the attribute holds
    const bytes = routeMessage((b) => b.bytes(9, bad));
    const error = (() => { try { decodeRoute(codec.scan(bytes), 0, codec); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(MalformedError);
    expect((error as MalformedError).offset).toBe(16 + 12 + 4);
    const short = routeMessage(() => {}, Uint8Array.of(2, 0, 0, 0));
    expect(() => decodeRoute(codec.scan(short), 0, codec)).toThrow(TruncatedError);
  });

  test('notifications decode by message type; other types are not rtnetlink objects here', () => {
    const bytes = routeMessage((b) => { b.bytes(1, Uint8Array.of(10, 9, 0, 0)); b.bytes(5, Uint8Array.of(10, 0, 0, 1)); });
    bytes[4] = 25; // RTM_DELROUTE
    const ev = decodeRtnetlinkEvent({ codec }, bytes);
    expect(ev?.object).toBe('route');
    expect(ev?.action).toBe('del');
    expect(ev?.object === 'route' && ev.value.gateway).toBe('10.0.0.1');
    bytes[4] = 36; // RTM_NEWQDISC
    expect(decodeRtnetlinkEvent({ codec }, bytes)).toBeUndefined();
  });
});

describe('CLI formatting', () => {
  test('link flags in ip order, NO-CARRIER for up but not running, M-DOWN for a down lower link', () => {
    const base = { index: 2, name: 'x', type: 1, flags: [], attributes: {} };
    expect(linkFlags({ ...base, flagBits: 0x1 | 0x2 | 0x1000 | 0x40 | 0x10000 })).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
    expect(linkFlags({ ...base, flagBits: 0x1 | 0x2 | 0x1000 })).toEqual(['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP']);
    expect(linkFlags({ ...base, flagBits: 0x8 | 0x1 | 0x40 | 0x80000 }, true)).toEqual(['LOOPBACK', 'UP', '0x80000', 'M-DOWN']);
  });

  test('routes print as ip prints them, multipath on nexthop lines', () => {
    const names = (i: number | undefined) => (i === 3 ? 'eth0' : i === 4 ? 'eth1' : undefined);
    const j = routeJson({
      family: 4, dst: '10.8.0.0', dstLen: 16, srcLen: 0, tos: 0, table: 254, protocol: 3, scope: 0, type: 1, flags: 0,
      multipath: [{ gateway: '10.0.0.2', oif: 3, weight: 1, flags: 0 }, { gateway: '10.0.0.3', oif: 4, weight: 2, flags: 16 }],
    }, names);
    expect(routeLines(j)).toEqual(['10.8.0.0/16', '\tnexthop via 10.0.0.2 dev eth0 weight 1', '\tnexthop via 10.0.0.3 dev eth1 weight 2 linkdown']);
    const local = routeJson({ family: 4, dst: '10.0.0.1', dstLen: 32, srcLen: 0, tos: 0, table: 255, protocol: 2, scope: 254, type: 2, flags: 0, oif: 3, prefsrc: '10.0.0.1' }, names);
    expect(routeLines(local)).toEqual(['local 10.0.0.1 dev eth0 table local proto kernel scope host src 10.0.0.1']);
    expect(routeLines(local, { table: true, dev: true })).toEqual(['local 10.0.0.1 proto kernel scope host src 10.0.0.1']);
  });

  test('rules and address flags', () => {
    expect(ruleLine(ruleJson({ family: 4, priority: 100, table: 100, action: 'to-tbl', src: '10.5.0.0/16', tos: 0, flags: [] }))).toBe('100:\tfrom 10.5.0.0/16 lookup 100');
    expect(ruleLine(ruleJson({ family: 4, priority: 5, table: 0, action: 'prohibit', dst: '10.6.0.0/16', tos: 0, flags: ['invert'] }))).toBe('5:\tnot from all to 10.6.0.0/16 prohibit');
    expect(ruleLine(ruleJson({ family: 4, priority: 7, table: 254, action: 'to-tbl', tos: 0, flags: [], fwmark: 7, fwmask: 0xff }))).toBe('7:\tfrom all fwmark 0x7/0xff lookup main');
    const addr = { family: 6 as const, index: 1, prefixlen: 64, address: 'fe80::1', scope: 253 };
    expect(addressFlags({ ...addr, flags: ['tentative', 'permanent'] })).toEqual(['tentative']);
    expect(addressFlags({ ...addr, flags: ['secondary'] })).toEqual(['temporary', 'dynamic']);
    expect(addressFlags({ ...addr, family: 4, flags: ['nodad', 'permanent'] })).toEqual([]);
  });
});

describe('over the loopback bus', () => {
  test('links: add a veth pair and a bridge, read back, change, delete; EEXIST and ENODEV', async () => {
    const kernel = new LoopbackKernel();
    const sock = openSocket('route', { loopback: kernel });
    try {
      await links.add(sock, { name: 'lv0', kind: 'veth', mtu: 1400, address: '02:00:00:00:00:01', peer: { name: 'lv1' } });
      await links.add(sock, { name: 'lbr0', kind: 'bridge' });
      expect(kernel.rtnetlink!.links().map((l) => l.name)).toEqual(expect.arrayContaining(['lo', 'lv0', 'lv1', 'lbr0']));
      const list: string[] = [];
      for await (const l of links.dump(sock)) list.push(l.name);
      expect(list).toEqual(kernel.rtnetlink!.links().map((l) => l.name));
      const lv0 = await links.get(sock, 'lv0');
      expect(lv0).toMatchObject({ name: 'lv0', mtu: 1400, address: '02:00:00:00:00:01', kind: 'veth' });
      expect(lv0.link).toBe((await links.get(sock, 'lv1')).index);
      await links.set(sock, 'lv0', { up: true, mtu: 1300, master: 'lbr0' });
      const changed = await links.get(sock, lv0.index);
      expect(changed.flags).toContain('up');
      expect(changed.mtu).toBe(1300);
      expect(changed.master).toBe((await links.get(sock, 'lbr0')).index);
      const dup = await links.add(sock, { name: 'lv0', kind: 'veth', peer: { name: 'lv9' } }).catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(NetlinkError);
      expect((dup as NetlinkError).code).toBe('EEXIST');
      const none = await links.get(sock, 'nothing').catch((e: unknown) => e);
      expect((none as NetlinkError).code).toBe('ENODEV');
      await links.delete(sock, 'lv0');
      expect(kernel.rtnetlink!.links().map((l) => l.name)).not.toContain('lv1');
    } finally {
      sock.close();
    }
  });

  test('link notifications reach a subscriber as typed events', async () => {
    const kernel = new LoopbackKernel();
    const sock = openSocket('route', { loopback: kernel });
    const watcher = openSocket('route', { loopback: kernel });
    try {
      watcher.subscribe(rtnlGroups(['link']));
      const events: string[] = [];
      const reading = (async () => {
        for await (const ev of watcher.events()) {
          if (ev.kind !== 'message') continue;
          const change = decodeRtnetlinkEvent(watcher, ev.message);
          if (change?.object === 'link') events.push(`${change.action} ${change.value.name}`);
          if (events.includes('del lw0')) return;
        }
      })();
      await links.add(sock, { name: 'lw0', kind: 'bridge' });
      await links.delete(sock, 'lw0');
      await reading;
      expect(events).toEqual(['new lw0', 'del lw0']);
    } finally {
      sock.close();
      watcher.close();
    }
  });

  test('bad arguments are ArgumentErrors before anything is sent', async () => {
    const kernel = new LoopbackKernel();
    const sock = openSocket('route', { loopback: kernel });
    try {
      await expect(routes.add(sock, { dst: '10.0.0.0/40', gateway: '10.0.0.1' })).rejects.toThrow(ArgumentError);
      await expect(routes.add(sock, { dst: 'default' })).rejects.toThrow(ArgumentError);
      await expect(links.add(sock, { name: 'x', kind: 'bridge', data: { colour: 1 } })).rejects.toThrow(ArgumentError);
      await expect(links.add(sock, { name: 'x', kind: 'bridge', peer: { name: 'y' } })).rejects.toThrow(ArgumentError);
      await expect(addresses.add(sock, { dev: 1, address: '2001:db8::1/64', broadcast: '2001:db8::ff' })).rejects.toThrow(ArgumentError);
      await expect(links.add(sock, { name: 'x', kind: 'veth', address: 'not-a-mac' })).rejects.toThrow(ArgumentError);
      expect(kernel.rtnetlink!.links().map((l) => l.name)).toEqual(['lo']);
    } finally {
      sock.close();
    }
  });
});
