// Typed rtnetlink against the real kernel, in a namespace made for the test:
// what the operations create is read back typed, compared with what was asked
// for and with what `ip -j` reports for the same objects.

import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { NetlinkError } from '../../src/codec/index.js';
import { openSocket, type NetlinkSocket } from '../../src/socket/index.js';
import {
  links, addresses, routes, routePrefix, neighbours, rules, decodeRtnetlinkEvent, rtnlGroups, type Link, type Route,
} from '../../src/families/rtnetlink/index.js';

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<NetlinkError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(NetlinkError);
  return e as NetlinkError;
}

/** Whether the kernel can make links of `kind` (modules differ between kernels). */
function kernelHasKind(ns: TestNetns, kind: string, extra: string[] = []): boolean {
  try {
    ns.ip('link', 'add', 'name', `probe-${kind}`, ...extra, 'type', kind, ...(kind === 'vlan' ? ['id', '2'] : []));
    ns.ip('link', 'del', `probe-${kind}`);
    return true;
  } catch {
    return false;
  }
}

describeKernel('typed rtnetlink on the kernel', () => {
  let ns: TestNetns;
  let sock: NetlinkSocket;
  let byName: Map<string, Link>;
  let vlanSupported = false;

  beforeAll(async () => {
    ns = TestNetns.create('nlkit-rt');
    sock = openSocket('route', { netns: ns.path });
    await links.add(sock, { name: 'rv0', kind: 'veth', mtu: 1400, address: '02:00:00:00:00:10', peer: { name: 'rv1', address: '02:00:00:00:00:11' } });
    await links.add(sock, { name: 'rbr0', kind: 'bridge' });
    await links.add(sock, { name: 'rvx0', kind: 'vxlan', data: { id: 42, port: 4789, local: '10.1.0.1', ttl: 9 } });
    await links.add(sock, { name: 'rmv0', kind: 'macvlan', link: 'rv1', data: { mode: 'bridge' } });
    await links.set(sock, 'rv0', { master: 'rbr0', up: true });
    await links.set(sock, 'rv1', { up: true });
    await links.set(sock, 'rbr0', { up: true });
    // A kernel without 8021q cannot make vlans at all ("Unknown device type"): that test is skipped, saying so.
    vlanSupported = kernelHasKind(ns, 'vlan', ['link', 'rv0']);
    if (!vlanSupported) console.warn('vlan link test skipped: this kernel has no 802.1Q (vlan) support');
  }, 30_000);

  afterAll(() => {
    sock?.close();
    ns?.remove();
  });

  test('links: veth pair, bridge port, vxlan and macvlan read back as made, and as ip -j shows them', async () => {
    const list = await all(links.dump(sock));
    byName = new Map(list.map((l) => [l.name, l]));
    const rv0 = byName.get('rv0')!;
    const rv1 = byName.get('rv1')!;
    expect(rv0.kind).toBe('veth');
    expect(rv0.mtu).toBe(1400);
    expect(rv0.address).toBe('02:00:00:00:00:10');
    expect(rv1.address).toBe('02:00:00:00:00:11');
    expect(rv0.link).toBe(rv1.index);
    expect(rv1.link).toBe(rv0.index);
    expect(rv0.master).toBe(byName.get('rbr0')!.index);
    expect(rv0.flags).toContain('up');
    expect(rv0.slaveKind).toBe('bridge');
    expect(byName.get('rbr0')!.kind).toBe('bridge');
    expect(byName.get('rbr0')!.data).toMatchObject({ stpState: 0 });
    const vx = byName.get('rvx0')!;
    expect(vx.kind).toBe('vxlan');
    expect(vx.data).toMatchObject({ id: 42, port: 4789, local: '10.1.0.1', ttl: 9 });
    const mv = byName.get('rmv0')!;
    expect(mv.kind).toBe('macvlan');
    expect(mv.data).toMatchObject({ mode: 'bridge' });
    expect(mv.link).toBe(rv1.index);

    const ip = JSON.parse(ns.ip('-j', '-d', 'link', 'show')) as Array<Record<string, any>>;
    expect(list.map((l) => l.name).sort()).toEqual(ip.map((l) => l.ifname).sort());
    for (const theirs of ip) {
      const mine = byName.get(theirs.ifname)!;
      expect(mine.index).toBe(theirs.ifindex);
      expect(mine.mtu).toBe(theirs.mtu);
      expect(mine.address).toBe(theirs.address);
      expect(mine.operstate).toBe(theirs.operstate);
      expect(mine.qdisc).toBe(theirs.qdisc);
      expect(mine.txqlen).toBe(theirs.txqlen);
      expect(mine.kind).toBe(theirs.linkinfo?.info_kind);
      if (theirs.master) expect(mine.master).toBe(byName.get(theirs.master)!.index);
    }
    const ipVx = ip.find((l) => l.ifname === 'rvx0')!.linkinfo.info_data;
    expect(vx.data).toMatchObject({ id: ipVx.id, port: ipVx.port, local: ipVx.local, ttl: ipVx.ttl, ageing: ipVx.ageing });
  });

  test('links: get by name and index, set mtu, rename, delete; a veth takes its peer along', async () => {
    const byIndex = await links.get(sock, byName.get('rmv0')!.index);
    expect(byIndex.name).toBe('rmv0');
    await links.set(sock, 'rmv0', { mtu: 1280, name: 'rmv9' });
    const changed = await links.get(sock, 'rmv9');
    expect(changed.mtu).toBe(1280);
    expect(changed.index).toBe(byIndex.index);
    expect(JSON.parse(ns.ip('-j', 'link', 'show', 'rmv9'))[0].mtu).toBe(1280);
    await links.add(sock, { name: 'rtmp0', kind: 'veth', peer: { name: 'rtmp1' } });
    await links.delete(sock, 'rtmp0');
    const names = (await all(links.dump(sock))).map((l) => l.name);
    expect(names).not.toContain('rtmp0');
    expect(names).not.toContain('rtmp1');
  });

  test('vlan links through the schema sub-message', async (ctx) => {
    if (!vlanSupported) ctx.skip();
    await links.add(sock, { name: 'rv0.7', kind: 'vlan', link: 'rv0', data: { id: 7, protocol: '8021ad' } });
    const vlan = await links.get(sock, 'rv0.7');
    expect(vlan.kind).toBe('vlan');
    expect(vlan.data).toMatchObject({ id: 7, protocol: '8021ad' });
    const ip = JSON.parse(ns.ip('-j', '-d', 'link', 'show', 'rv0.7'))[0];
    expect(ip.linkinfo.info_data.id).toBe(7);
  });

  test('errors: EEXIST on a duplicate create, ENODEV for a missing link, extended ack naming the attribute', async () => {
    const dup = await rejection(links.add(sock, { name: 'rv0', kind: 'veth', peer: { name: 'rdup' } }));
    expect(dup.code).toBe('EEXIST');
    expect(dup.errno).toBe(17);
    const missing = await rejection(links.get(sock, 'no-such-link'));
    expect(missing.code).toBe('ENODEV');
    const missingSet = await rejection(links.set(sock, 987654, { mtu: 1300 }));
    expect(missingSet.code).toBe('ENODEV');
    // VXLAN ids have 24 bits: the kernel points at IFLA_VXLAN_ID inside the link info.
    const bad = await rejection(links.add(sock, { name: 'rvx1', kind: 'vxlan', data: { id: 1 << 24, port: 4789 } }));
    expect(bad.code).toBe('ERANGE');
    expect(bad.extack?.message).toMatch(/VXLAN ID/);
    expect(bad.extack?.attributePath).toEqual(['IFLA_LINKINFO', 'IFLA_INFO_DATA', 'IFLA_VXLAN_ID']);
  });

  test('addresses v4 and v6 read back as made and as ip -j shows them', async () => {
    await addresses.add(sock, { dev: 'rv1', address: '10.1.0.1/24', broadcast: '10.1.0.255', label: 'rv1:a' });
    await addresses.add(sock, { dev: 'rv1', address: '2001:db8:1::1/64', flags: ['nodad'] });
    const dup = await rejection(addresses.add(sock, { dev: 'rv1', address: '10.1.0.1/24' }));
    expect(dup.code).toBe('EEXIST');
    const rv1 = byName.get('rv1')!.index;
    const mine = await all(addresses.dump(sock, { index: rv1 }));
    const v4 = mine.find((a) => a.address === '10.1.0.1')!;
    expect(v4).toMatchObject({ family: 4, prefixlen: 24, broadcast: '10.1.0.255', label: 'rv1:a', scope: 0 });
    expect(v4.flags).toContain('permanent');
    const v6 = mine.find((a) => a.address === '2001:db8:1::1')!;
    expect(v6).toMatchObject({ family: 6, prefixlen: 64 });
    expect(v6.flags).toContain('nodad');
    const ip = JSON.parse(ns.ip('-j', 'addr', 'show', 'dev', 'rv1'))[0].addr_info as Array<Record<string, any>>;
    expect(mine.map((a) => `${a.address}/${a.prefixlen}`).sort()).toEqual(ip.map((a) => `${a.local}/${a.prefixlen}`).sort());
    const only6 = await all(addresses.dump(sock, { family: 6, index: rv1 }));
    expect(only6.every((a) => a.family === 6)).toBe(true);
    expect(only6.length).toBe(ip.filter((a) => a.family === 'inet6').length);
    await addresses.delete(sock, { dev: 'rv1', address: '10.1.0.1/24' });
    const gone = await rejection(addresses.delete(sock, { dev: 'rv1', address: '10.1.0.1/24' }));
    expect(gone.code).toBe('EADDRNOTAVAIL');
    await addresses.add(sock, { dev: 'rv1', address: '10.1.0.1/24' });
  });

  test('routes: v4 via a gateway, multipath with weights, v6, another table; get and delete', async () => {
    await routes.add(sock, { dst: '10.9.0.0/16', gateway: '10.1.0.2', metric: 7 });
    await routes.add(sock, { dst: '10.8.0.0/16', multipath: [{ gateway: '10.1.0.2', dev: 'rv1' }, { gateway: '10.1.0.3', dev: 'rv1', weight: 3 }] });
    await routes.add(sock, { dst: '2001:db8:5::/64', gateway: '2001:db8:1::2', dev: 'rv1' });
    await routes.add(sock, { dst: '10.7.0.0/24', dev: 'rv1', table: 100 });
    await routes.add(sock, { dst: 'default', gateway: '10.1.0.254', table: 1000 });
    const dup = await rejection(routes.add(sock, { dst: '10.9.0.0/16', gateway: '10.1.0.2', metric: 7 }));
    expect(dup.code).toBe('EEXIST');
    const noDev = await rejection(routes.add(sock, { dst: '10.6.0.0/16', dev: 4242, family: 4 }));
    expect(noDev.code).toBe('ENODEV');

    const rv1 = byName.get('rv1')!.index;
    const main4 = await all(routes.dump(sock, { family: 4, table: 254 }));
    const find = (list: Route[], dst: string) => list.find((r) => routePrefix(r) === dst)!;
    expect(find(main4, '10.9.0.0/16')).toMatchObject({ gateway: '10.1.0.2', oif: rv1, priority: 7, table: 254, protocol: 3, scope: 0, type: 1 });
    expect(find(main4, '10.8.0.0/16').multipath).toEqual([
      { gateway: '10.1.0.2', oif: rv1, weight: 1, flags: 0 },
      { gateway: '10.1.0.3', oif: rv1, weight: 3, flags: 0 },
    ]);
    expect(find(main4, '10.1.0.0/24')).toMatchObject({ oif: rv1, protocol: 2, scope: 253, prefsrc: '10.1.0.1' });
    const v6 = await all(routes.dump(sock, { family: 6, table: 254 }));
    expect(find(v6, '2001:db8:5::/64')).toMatchObject({ family: 6, gateway: '2001:db8:1::2', oif: rv1, priority: 1024 });
    expect(find(await routes.list(sock, { table: 100 }), '10.7.0.0/24')).toMatchObject({ table: 100, scope: 253, oif: rv1 });
    const viaDefault = find(await routes.list(sock, { table: 1000 }), 'default');
    expect(viaDefault).toMatchObject({ table: 1000, gateway: '10.1.0.254', dstLen: 0 });
    expect(viaDefault.dst).toBeUndefined();

    // The same routes as ip -j reports them.
    const ip4 = JSON.parse(ns.ip('-j', 'route', 'show')) as Array<Record<string, any>>;
    expect(main4.map(routePrefix).sort()).toEqual(ip4.map((r) => r.dst).sort());
    for (const theirs of ip4) {
      const mine = find(main4, theirs.dst)!;
      expect(mine.gateway).toBe(theirs.gateway);
      expect(mine.priority).toBe(theirs.metric);
      if (theirs.dev) expect(mine.oif).toBe(byName.get(theirs.dev)!.index);
      if (theirs.nexthops) expect(mine.multipath!.map((h) => [h.gateway, h.weight])).toEqual(theirs.nexthops.map((h: any) => [h.gateway, h.weight]));
    }
    const ip6 = JSON.parse(ns.ip('-j', '-6', 'route', 'show')) as Array<Record<string, any>>;
    expect(v6.map(routePrefix).sort()).toEqual(ip6.map((r) => r.dst).sort());

    const got = await routes.get(sock, '10.9.3.4');
    expect(got).toMatchObject({ dst: '10.9.3.4', dstLen: 32, gateway: '10.1.0.2', oif: rv1 });
    await routes.delete(sock, { dst: '10.9.0.0/16' });
    const gone = await rejection(routes.delete(sock, { dst: '10.9.0.0/16' }));
    expect(gone.code).toBe('ESRCH');
    expect((await routes.list(sock, { table: 254 })).some((r) => routePrefix(r) === '10.9.0.0/16')).toBe(false);
  });

  test('neighbours: permanent v4 and v6 entries, replace, get, delete', async () => {
    await neighbours.add(sock, { dev: 'rv1', dst: '10.1.0.2', lladdr: '02:00:00:00:00:02' });
    await neighbours.add(sock, { dev: 'rv1', dst: '2001:db8:1::2', lladdr: '02:00:00:00:00:06', flags: ['router'] });
    const dup = await rejection(neighbours.add(sock, { dev: 'rv1', dst: '10.1.0.2', lladdr: '02:00:00:00:00:02' }));
    expect(dup.code).toBe('EEXIST');
    await neighbours.replace(sock, { dev: 'rv1', dst: '10.1.0.2', lladdr: '02:00:00:00:00:03' });
    const rv1 = byName.get('rv1')!.index;
    const list = await all(neighbours.dump(sock, { index: rv1 }));
    const v4 = list.find((n) => n.dst === '10.1.0.2')!;
    expect(v4).toMatchObject({ family: 4, index: rv1, lladdr: '02:00:00:00:00:03', state: ['permanent'] });
    const v6 = list.find((n) => n.dst === '2001:db8:1::2')!;
    expect(v6.flags).toContain('router');
    const ip = JSON.parse(ns.ip('-j', 'neigh', 'show', 'dev', 'rv1')) as Array<Record<string, any>>;
    for (const theirs of ip) {
      const mine = list.find((n) => n.dst === theirs.dst)!;
      expect(mine.lladdr).toBe(theirs.lladdr);
      expect(mine.state.map((s) => s.toUpperCase())).toEqual(theirs.state);
    }
    expect((await neighbours.get(sock, 'rv1', '10.1.0.2')).lladdr).toBe('02:00:00:00:00:03');
    await neighbours.delete(sock, { dev: 'rv1', dst: '10.1.0.2' });
    expect((await rejection(neighbours.get(sock, 'rv1', '10.1.0.2'))).code).toBe('ENOENT');
  });

  test('rules: add with a source prefix and fwmark, read back as ip -j shows them, delete', async () => {
    await rules.add(sock, { priority: 100, table: 100, src: '10.5.0.0/16' });
    await rules.add(sock, { priority: 101, table: 1000, fwmark: 7, fwmask: 0xff });
    await rules.add(sock, { family: 6, priority: 102, table: 100, dst: '2001:db8:9::/48' });
    const dup = await rejection(rules.add(sock, { priority: 100, table: 100, src: '10.5.0.0/16' }));
    expect(dup.code).toBe('EEXIST');
    const v4 = await all(rules.dump(sock, { family: 4 }));
    expect(v4.find((r) => r.priority === 100)).toMatchObject({ table: 100, src: '10.5.0.0/16', action: 'to-tbl' });
    expect(v4.find((r) => r.priority === 101)).toMatchObject({ table: 1000, fwmark: 7, fwmask: 0xff });
    const ip = JSON.parse(ns.ip('-j', 'rule', 'show')) as Array<Record<string, any>>;
    expect(v4.map((r) => r.priority)).toEqual(ip.map((r) => r.priority));
    expect(ip.find((r) => r.priority === 101)!.table).toBe('1000');
    const v6 = await all(rules.dump(sock, { family: 6 }));
    expect(v6.find((r) => r.priority === 102)).toMatchObject({ family: 6, dst: '2001:db8:9::/48', table: 100 });
    await rules.delete(sock, { priority: 101 });
    expect((await all(rules.dump(sock, { family: 4 }))).some((r) => r.priority === 101)).toBe(false);
    expect((await rejection(rules.delete(sock, { priority: 101 }))).code).toBe('ENOENT');
  });

  test('notifications: link, address and route changes decode as typed events', async () => {
    const watcher = openSocket('route', { netns: ns.path });
    try {
      const groups = rtnlGroups(['link', 'ipv4-ifaddr', 'ipv4-route']);
      watcher.subscribe(groups);
      const seen: string[] = [];
      const stream = watcher.events({ groups });
      const reader = (async () => {
        for await (const ev of stream) {
          if (ev.kind !== 'message') continue;
          const change = decodeRtnetlinkEvent(watcher, ev.message);
          if (!change) continue;
          if (change.object === 'link' && change.value.name === 'rev0') seen.push(`link-${change.action}`);
          if (change.object === 'address' && change.value.address === '10.3.0.1') seen.push(`address-${change.action}`);
          if (change.object === 'route' && routePrefix(change.value) === '10.4.0.0/16') seen.push(`route-${change.action}`);
          if (seen.includes('link-del')) return;
        }
      })();
      await links.add(sock, { name: 'rev0', kind: 'veth', peer: { name: 'rev1' } });
      await links.set(sock, 'rev0', { up: true });
      await addresses.add(sock, { dev: 'rev0', address: '10.3.0.1/24' });
      await routes.add(sock, { dst: '10.4.0.0/16', gateway: '10.3.0.2' });
      await links.delete(sock, 'rev0');
      await reader;
      expect(seen).toContain('link-new');
      expect(seen).toContain('address-new');
      expect(seen).toContain('route-new');
      expect(seen).toContain('link-del');
      expect(seen.indexOf('link-new')).toBeLessThan(seen.indexOf('link-del'));
    } finally {
      watcher.close();
    }
  });
});

