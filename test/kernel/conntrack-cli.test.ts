// The family commands against the tools they imitate, in one namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { runCommands } from '../helpers/cli.js';
import { familyCommands } from '../../src/cli/families/index.js';

describeKernel('family commands (conntrack, ss, nft, genl)', () => {
  let ns: TestNetns;
  let holder: ChildProcess;

  const nlkit = (...argv: string[]) => runCommands(familyCommands, argv);

  beforeAll(async () => {
    ns = TestNetns.create('nlkit-cli');
    ns.exec('conntrack', '-I', '-p', 'tcp', '-s', '10.2.0.1', '-d', '10.2.0.2', '--sport', '5000', '--dport', '80', '--state', 'ESTABLISHED', '-t', '3000', '-u', 'SEEN_REPLY,ASSURED');
    ns.exec('conntrack', '-I', '-p', 'udp', '-s', '10.2.0.3', '-d', '10.2.0.4', '--sport', '53', '--dport', '53', '-t', '3000');
    ns.exec('nft', 'add', 'table', 'ip', 'filt');
    ns.exec('nft', 'add', 'chain', 'ip', 'filt', 'input', '{ type filter hook input priority 10; policy drop; }');
    ns.exec('nft', 'add', 'chain', 'ip', 'filt', 'other');
    ns.exec('nft', 'add', 'table', 'inet', 'second');
    holder = spawn('ip', ['netns', 'exec', ns.name, 'python3', '-c',
      "import socket,sys\nt=socket.socket();t.bind(('127.0.0.1',47100));t.listen()\nu=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM);u.bind(('::1',47101))\nprint('ready',flush=True)\nsys.stdin.read()"],
    { stdio: ['pipe', 'pipe', 'inherit'] });
    await once(holder.stdout!, 'data');
  });
  afterAll(() => {
    holder?.stdin?.end();
    holder?.kill();
    ns?.remove();
  });

  it('conntrack -L prints the lines conntrack -L prints (timeouts aside)', async () => {
    const ours = await nlkit('conntrack', '-L', '--netns', ns.name);
    expect(ours.code).toBe(0);
    expect(ours.err).toContain('2 flow entries');
    const theirs = ns.exec('conntrack', '-L');
    // The timeout column counts down between the two reads.
    const norm = (text: string) => text.trim().split('\n').map((l) => l.trim().replace(/^(\S+\s+\d+)\s+\d+/, '$1').replace(/\s+/g, ' ')).sort();
    expect(norm(ours.out)).toEqual(norm(theirs));
    const json = JSON.parse((await nlkit('conntrack', '--json', '--netns', ns.name)).out) as { entries: Array<Record<string, any>> };
    expect(json.entries.map((e) => e.original.src).sort()).toEqual(['10.2.0.1', '10.2.0.3']);
  });

  it('ss -t -l / -u -a list what ss lists', async () => {
    const ours = await nlkit('ss', '-H', '-t', '-l', '-n', '--netns', ns.name);
    const theirs = ns.exec('ss', '-H', '-t', '-l', '-n');
    const norm = (text: string) => text.trim().split('\n').map((l) => l.trim().split(/\s+/).slice(0, 5).join(' ')).sort();
    expect(norm(ours.out)).toEqual(norm(theirs));
    const udp = await nlkit('ss', '-H', '-u', '-a', '-n', '--netns', ns.name);
    expect(norm(udp.out)).toEqual(norm(ns.exec('ss', '-H', '-u', '-a', '-n')));
    const json = JSON.parse((await nlkit('ss', '-t', '-l', '--json', '--netns', ns.name)).out) as { sockets: Array<Record<string, any>> };
    expect(json.sockets.map((s) => s.local)).toEqual(['127.0.0.1:47100']);
  });

  it('nft list chains / tables match nft -y list', async () => {
    const tables = await nlkit('nft', 'list', 'tables', '--netns', ns.name);
    expect(tables.out).toBe(ns.exec('nft', 'list', 'tables'));
    const chains = await nlkit('nft', 'list', 'chains', '--netns', ns.name);
    expect(chains.out).toBe(ns.exec('nft', '-y', 'list', 'chains'));
    const json = JSON.parse((await nlkit('nft', 'list', 'ruleset', '--json', '--netns', ns.name)).out) as { chains: Array<Record<string, any>> };
    expect(json.chains.find((c) => c.name === 'input')).toMatchObject({ hook: 'input', priority: 10, policy: 'drop', type: 'filter' });
  });

  it('genl families lists what genl ctrl list lists', async () => {
    const ours = await nlkit('genl', 'families', '--netns', ns.name);
    const names = (t: string) => [...t.matchAll(/^Name: (\S+)/gm)].map((m) => m[1]);
    expect(names(ours.out)).toEqual(names(ns.exec('genl', 'ctrl', 'list')));
  });

  it('explains bad usage and a missing namespace', async () => {
    expect((await nlkit('nft', 'list', 'everything')).code).toBe(2);
    const missing = await nlkit('conntrack', '--netns', 'nlkit-no-such-ns');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nlkit conntrack: .*/);
    expect((await nlkit('ss', '--help')).out).toContain('usage: nlkit ss');
  });
});
