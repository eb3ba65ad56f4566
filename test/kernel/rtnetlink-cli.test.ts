// The ip-like commands against the kernel: their text is compared line by
// line with ip's for the same namespace, their JSON field by field with
// `ip -j`, and their errors name the problem with a non-zero exit.

import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { runCommands } from '../helpers/cli.js';
import { ipCommands } from '../../src/cli/ip/index.js';

const nlkit = (...argv: string[]) => runCommands(ipCommands, argv);

/** Lines without ip's trailing blanks. */
const lines = (text: string) => text.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');

describeKernel('nlkit link|addr|route|neigh|rule against ip', () => {
  let ns: TestNetns;

  beforeAll(() => {
    ns = TestNetns.create('nlkit-cli');
    const steps = [
      'link add name cv0 type veth peer name cv1', 'link add name cbr0 type bridge', 'link set cv0 master cbr0',
      'link set cv0 up', 'link set cv1 up', 'link set cbr0 up', 'link add name cmv0 link cv1 type macvlan mode bridge',
      'link add name cvx0 type vxlan id 9 dstport 4789 local 10.2.0.1',
      'addr add 10.2.0.1/24 brd 10.2.0.255 dev cv1', 'addr add 10.2.0.9/24 dev cv1', 'addr add 2001:db8:2::1/64 dev cv1 nodad',
      'route add 10.9.0.0/16 via 10.2.0.2 metric 5', 'route add 10.8.0.0/16 nexthop via 10.2.0.2 dev cv1 nexthop via 10.2.0.3 dev cv1 weight 4',
      'route add 10.7.0.0/24 dev cv1 table 100', 'route add blackhole 10.66.0.0/16', 'route add 2001:db8:7::/64 via 2001:db8:2::2',
      'neigh add 10.2.0.2 lladdr 02:00:00:00:00:22 dev cv1', 'neigh add 2001:db8:2::2 lladdr 02:00:00:00:00:26 dev cv1 router',
      'rule add from 10.5.0.0/16 table 100 pref 100', 'rule add fwmark 0x7/0xff table 1000 pref 101', 'rule add not to 10.6.0.0/16 prohibit pref 102',
      '-6 rule add from 2001:db8:9::/48 table 100 pref 103',
    ];
    for (const step of steps) ns.ip(...step.split(' '));
  }, 30_000);

  afterAll(() => ns?.remove());

  const cases: Array<[string[], string[]]> = [
    [['link'], ['link', 'show']],
    [['link', 'show', 'dev', 'cv0'], ['link', 'show', 'dev', 'cv0']],
    [['addr'], ['addr', 'show']],
    [['addr', 'show', 'dev', 'cv1'], ['addr', 'show', 'dev', 'cv1']],
    [['link', 'show', 'cv0'], ['link', 'show', 'cv0']],
    [['addr', 'show', 'cv1'], ['addr', 'show', 'cv1']],
    [['addr', '-6'], ['-6', 'addr', 'show']],
    [['route'], ['route', 'show']],
    [['route', '-6'], ['-6', 'route', 'show']],
    [['route', 'show', 'table', '100'], ['route', 'show', 'table', '100']],
    [['route', 'show', 'table', 'all'], ['route', 'show', 'table', 'all']],
    [['route', 'show', 'dev', 'cv1'], ['route', 'show', 'dev', 'cv1']],
    [['neigh'], ['neigh', 'show']],
    [['rule'], ['rule', 'show']],
    [['rule', '-6'], ['-6', 'rule', 'show']],
  ];
  for (const [mine, theirs] of cases) {
    test(`nlkit ${mine.join(' ')} prints what ip ${theirs.join(' ')} prints`, async () => {
      const run = await nlkit(...mine, '--netns', ns.name);
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
      const expected = lines(ns.ip(...theirs));
      expect(expected.length).toBeGreaterThan(0);
      expect(lines(run.out)).toEqual(expected);
    });
  }

  test('link --json matches ip -j link', async () => {
    const mine = JSON.parse((await nlkit('link', '--json', '-n', ns.name)).out) as Array<Record<string, any>>;
    const ip = JSON.parse(ns.ip('-j', '-d', 'link', 'show')) as Array<Record<string, any>>;
    expect(mine.length).toBe(ip.length);
    mine.forEach((m, k) => {
      const t = ip[k]!;
      expect([m.index, m.name, m.flags, m.mtu, m.qdisc, m.operstate, m.linkmode, m.group, m.txqlen, m.linkType, m.address, m.broadcast])
        .toEqual([t.ifindex, t.ifname, t.flags, t.mtu, t.qdisc, t.operstate, t.linkmode, t.group, t.txqlen, t.link_type, t.address, t.broadcast]);
      expect(m.master).toBe(t.master ?? null);
      expect(m.link).toBe(t.link ?? null);
      expect(m.kind).toBe(t.linkinfo?.info_kind ?? null);
    });
    expect(mine.find((m) => m.name === 'cvx0')!.data).toMatchObject({ id: 9, port: 4789, local: '10.2.0.1' });
  });

  test('addr --json matches ip -j addr (flattened: one object per address)', async () => {
    const mine = JSON.parse((await nlkit('addr', '--json', '-n', ns.name)).out) as Array<Record<string, any>>;
    const ip = JSON.parse(ns.ip('-j', 'addr', 'show')) as Array<Record<string, any>>;
    const theirs = ip.flatMap((l) => (l.addr_info as Array<Record<string, any>>).map((a): Record<string, any> => ({ ...a, ifindex: l.ifindex, ifname: l.ifname })));
    expect(mine.length).toBe(theirs.length);
    mine.forEach((m, k) => {
      const t = theirs[k]!;
      expect([m.index, m.dev, m.family, m.address, m.prefixlen, m.scope, m.broadcast, m.label, m.validLifetime, m.preferredLifetime])
        .toEqual([t.ifindex, t.ifname, t.family, t.local, t.prefixlen, t.scope, t.broadcast ?? null, t.label ?? null, t.valid_life_time, t.preferred_life_time]);
      for (const flag of m.flags) if (flag !== 'dynamic') expect(t[flag]).toBe(true);
    });
  });

  test('route --json matches ip -j route for every table and both families', async () => {
    const mine = JSON.parse((await nlkit('route', 'show', 'table', 'all', '--json', '-n', ns.name)).out) as Array<Record<string, any>>;
    const ip = JSON.parse(ns.ip('-j', 'route', 'show', 'table', 'all')) as Array<Record<string, any>>;
    expect(mine.length).toBe(ip.length);
    mine.forEach((m, k) => {
      const t = ip[k]!;
      expect(m.dst).toBe(t.dst);
      expect(m.gateway).toBe(t.gateway ?? null);
      expect(m.dev).toBe(t.dev ?? null);
      expect(m.table).toBe(t.table ?? 'main');
      expect(m.type).toBe(t.type ?? 'unicast');
      expect(m.protocol).toBe(t.protocol ?? 'boot');
      expect(m.scope).toBe(t.scope ?? 'global');
      expect(m.prefsrc).toBe(t.prefsrc ?? null);
      expect(m.metric).toBe(t.metric ?? (m.family === 'inet6' ? 0 : null));
      expect(m.flags).toEqual(t.flags);
      expect(m.nexthops).toEqual(t.nexthops ?? null);
    });
  });

  test('neigh and rule --json match ip -j', async () => {
    const neigh = JSON.parse((await nlkit('neigh', '-j', '-n', ns.name)).out) as Array<Record<string, any>>;
    const ipNeigh = JSON.parse(ns.ip('-j', 'neigh', 'show')) as Array<Record<string, any>>;
    expect(neigh.map((n) => [n.dst, n.dev, n.lladdr, n.state, n.flags.includes('router')]))
      .toEqual(ipNeigh.map((n) => [n.dst, n.dev, n.lladdr, n.state, 'router' in n]));
    const rule = JSON.parse((await nlkit('rule', '-j', '-n', ns.name)).out) as Array<Record<string, any>>;
    const ipRule = JSON.parse(ns.ip('-j', 'rule', 'show')) as Array<Record<string, any>>;
    expect(rule.length).toBe(ipRule.length);
    rule.forEach((r, k) => {
      const t = ipRule[k]!;
      expect(r.priority).toBe(t.priority);
      expect(r.src).toBe(t.srclen !== undefined ? `${t.src}/${t.srclen}` : t.src);
      expect(r.table).toBe(t.table ?? null);
      expect(r.not).toBe(t.not === null || t.not === true);
    });
  });

  test('errors name the problem and exit non-zero', async () => {
    const missing = await nlkit('link', '--netns', 'nlkit-no-such-namespace');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/network namespace 'nlkit-no-such-namespace' does not exist/);
    const noDev = await nlkit('addr', 'show', 'dev', 'nope0', '-n', ns.name);
    expect(noDev.code).toBe(1);
    expect(noDev.err).toMatch(/cannot find device 'nope0'/);
    const badWord = await nlkit('route', 'show', 'colour', 'blue', '-n', ns.name);
    expect(badWord.code).toBe(2);
    expect(badWord.err).toMatch(/unknown word 'colour'/);
    const twice = await nlkit('link', 'show', 'cv0', 'dev', 'cv1', '-n', ns.name);
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/'dev' is given twice/);
    const badTable = await nlkit('route', 'show', 'table', 'nosuch', '-n', ns.name);
    expect(badTable.code).toBe(2);
  });
});
