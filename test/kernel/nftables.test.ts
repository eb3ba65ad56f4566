import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { openSocket } from '../../src/socket/open.js';
import type { NetlinkSocket } from '../../src/socket/socket.js';
import { NetlinkError } from '../../src/codec/errors.js';
import { listChains, listRules, listSets, listTables, nftBatch } from '../../src/families/nfnetlink/nftables.js';

describeKernel('nftables over nfnetlink', () => {
  let ns: TestNetns;
  let sock: NetlinkSocket;

  beforeAll(() => {
    ns = TestNetns.create('nlkit-nft');
    sock = openSocket('netfilter', { netns: ns.name, timeout: 10_000 });
  });
  afterAll(() => {
    sock?.close();
    ns?.remove();
  });

  it('creates a table and chains in one batch, as nft -j sees them', async () => {
    const result = await nftBatch(sock, [
      { op: 'newtable', family: 'inet', attributes: { name: 'nlkit' } },
      { op: 'newchain', family: 'inet', attributes: { table: 'nlkit', name: 'in', type: 'filter', hook: { num: 'input', priority: 5 }, policy: 1 } },
      { op: 'newchain', family: 'inet', attributes: { table: 'nlkit', name: 'plain' } },
    ]);
    expect(result.committed).toBe(true);
    expect(result.results).toHaveLength(3);
    for (const r of result.results) expect(r).not.toBeInstanceOf(NetlinkError);

    const nft = JSON.parse(ns.exec('nft', '-j', 'list', 'ruleset')) as { nftables: Array<Record<string, any>> };
    const nftTables = nft.nftables.filter((o) => o.table).map((o) => o.table);
    const nftChains = nft.nftables.filter((o) => o.chain).map((o) => o.chain);

    const tables = await listTables(sock);
    expect(tables.map((t) => ({ family: t.family, name: t.name, handle: t.handle })))
      .toEqual(nftTables.map((t) => ({ family: t.family, name: t.name, handle: t.handle })));

    const chains = await listChains(sock, { table: 'nlkit' });
    expect(chains.map((c) => c.name).sort()).toEqual(['in', 'plain']);
    for (const c of chains) {
      const other = nftChains.find((x) => x.name === c.name)!;
      expect(c.handle).toBe(other.handle);
      expect(c.table).toBe(other.table);
      expect(c.hook).toBe(other.hook);
      expect(c.priority).toBe(other.prio);
      expect(c.type).toBe(other.type);
      expect(c.policy).toBe(other.policy);
    }
  });

  it('lists rules and sets that nft made', async () => {
    ns.exec('nft', 'add', 'set', 'inet', 'nlkit', 'peers', '{ type ipv4_addr; }');
    ns.exec('nft', 'add', 'rule', 'inet', 'nlkit', 'plain', 'tcp', 'dport', '22', 'counter', 'accept');
    const sets = await listSets(sock, { table: 'nlkit' });
    expect(sets.map((s) => s.name)).toEqual(['peers']);
    expect(sets[0]!.keyLength).toBe(4);
    const rules = await listRules(sock, { family: 'inet', table: 'nlkit' });
    expect(rules).toHaveLength(1);
    expect(rules[0]!.chain).toBe('plain');
    expect(rules[0]!.expressions).toContain('counter');
    expect(rules[0]!.expressions).toContain('immediate');
    const nft = JSON.parse(ns.exec('nft', '-j', '-a', 'list', 'chain', 'inet', 'nlkit', 'plain')) as { nftables: Array<Record<string, any>> };
    expect(rules[0]!.handle).toBe(nft.nftables.find((o) => o.rule)!.rule.handle);
  });

  it('reports the failing operation and commits nothing', async () => {
    const result = await nftBatch(sock, [
      { op: 'newtable', family: 'ip', attributes: { name: 'never' } },
      { op: 'newchain', family: 'ip', attributes: { table: 'missing-table', name: 'c' } },
    ]);
    expect(result.committed).toBe(false);
    expect(result.results[1]).toBeInstanceOf(NetlinkError);
    expect((result.results[1] as NetlinkError).code).toBe('ENOENT');
    expect((await listTables(sock)).map((t) => t.name)).not.toContain('never');
  });

  it('deletes chains and tables through a batch', async () => {
    const result = await nftBatch(sock, [
      { op: 'delrule', family: 'inet', attributes: { table: 'nlkit', chain: 'plain' } },
      { op: 'delchain', family: 'inet', attributes: { table: 'nlkit', name: 'plain' } },
      { op: 'deltable', family: 'inet', attributes: { name: 'nlkit' } },
    ]);
    expect(result.committed).toBe(true);
    expect(ns.exec('nft', 'list', 'tables').trim()).toBe('');
    expect(await listTables(sock)).toEqual([]);
  });
});
