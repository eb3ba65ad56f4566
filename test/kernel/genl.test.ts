import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { openSocket } from '../../src/socket/open.js';
import type { NetlinkSocket } from '../../src/socket/socket.js';
import { NetlinkError, ArgumentError } from '../../src/codec/errors.js';
import { getGenlFamily, getGenlPolicies, listGenlFamilies } from '../../src/families/genl/ctrl.js';
import { genlFamily } from '../../src/families/genl/family.js';

describeKernel('generic netlink', () => {
  let ns: TestNetns;
  let sock: NetlinkSocket;

  beforeAll(() => {
    ns = TestNetns.create('nlkit-genl');
    ns.ip('link', 'add', 'nlk0', 'type', 'veth', 'peer', 'name', 'nlk1');
    ns.ip('link', 'set', 'nlk0', 'up');
    sock = openSocket('generic', { netns: ns.name, timeout: 10_000 });
  });
  afterAll(() => {
    sock?.close();
    ns?.remove();
  });

  it('lists the families genl ctrl list shows, with ids, ops and groups', async () => {
    const families = await listGenlFamilies(sock);
    const text = ns.exec('genl', 'ctrl', 'list');
    const names = [...text.matchAll(/^Name: (\S+)/gm)].map((m) => m[1]);
    const ids = [...text.matchAll(/^\s+ID: (0x[0-9a-f]+)/gm)].map((m) => Number(m[1]));
    expect(families.map((f) => f.name)).toEqual(names);
    expect(families.map((f) => f.id)).toEqual(ids);
    const ctrl = families.find((f) => f.name === 'nlctrl')!;
    expect(ctrl.id).toBe(0x10);
    expect(ctrl.groups).toEqual([{ name: 'notify', id: 0x10 }]);
    expect(ctrl.operations.find((o) => o.id === 3)?.flags).toContain('cmd-cap-dump');
    const one = await getGenlFamily(sock, 'nlctrl');
    expect(one).toEqual(ctrl);
    await expect(getGenlFamily(sock, 'no-such-family')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('dumps the policies of a family (CTRL_CMD_GETPOLICY)', async () => {
    const policies = await getGenlPolicies(sock, 'nlctrl');
    // CTRL_CMD_GETFAMILY (3) has a policy whose CTRL_ATTR_FAMILY_NAME (2) is a string.
    const getfamily = policies.operations.get(3);
    expect(getfamily?.do ?? getfamily?.dump).toBeTypeOf('number');
    const name = policies.attributes.find((a) => a.policy === (getfamily!.do ?? getfamily!.dump) && a.attribute === 2);
    expect(name?.type).toBe('nul-string');
  });

  it('queries ethtool linkinfo of a veth through the family by name', async () => {
    const ethtool = await genlFamily(sock, 'ethtool');
    expect(ethtool.id).toBeGreaterThan(0x10);
    const [reply] = await ethtool.do('linkinfo-get', { header: { devName: 'nlk0' } });
    const ifindex = Number(/^(\d+):/.exec(ns.ip('-o', 'link', 'show', 'nlk0'))![1]);
    expect(reply!.message).toBe('linkinfo-get-reply');
    expect(reply!.attributes.header).toMatchObject({ devIndex: ifindex, devName: 'nlk0' });
    const all = [];
    for await (const m of ethtool.dump('linkinfo-get', { header: {} })) all.push((m.attributes.header as { devName: string }).devName);
    expect(all).toEqual(expect.arrayContaining(['nlk0', 'nlk1']));
    const missing = ethtool.do('linkinfo-get', { header: { devName: 'nope0' } });
    await expect(missing).rejects.toBeInstanceOf(NetlinkError);
    await expect(missing).rejects.toMatchObject({ code: 'ENODEV' });
    await expect(ethtool.do('no-such-op')).rejects.toBeInstanceOf(ArgumentError);
  });

  it('dumps netdev devices', async () => {
    const netdev = await genlFamily(sock, 'netdev');
    const devs = [];
    for await (const m of netdev.dump('dev-get')) devs.push(m.attributes.ifindex);
    const ifindexes = ns.ip('-o', 'link', 'show').trim().split('\n').map((l) => Number(l.split(':')[0]));
    expect(devs.sort()).toEqual(ifindexes.sort());
  });
});
