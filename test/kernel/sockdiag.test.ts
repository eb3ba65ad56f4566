import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { openSocket } from '../../src/socket/open.js';
import type { NetlinkSocket } from '../../src/socket/socket.js';
import { listInetSockets, listUnixSockets } from '../../src/families/sock-diag/sockets.js';

// Sockets live in a child process inside the namespace (a process cannot
// move its own sockets there); it prints "ready" and holds them until stdin closes.
const HOLDER = `
import socket, sys
t4 = socket.socket(); t4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t4.bind(('127.0.0.1', 47001)); t4.listen(8)
t6 = socket.socket(socket.AF_INET6); t6.bind(('::1', 47002)); t6.listen(8)
c = socket.create_connection(('127.0.0.1', 47001)); s, _ = t4.accept(); c.sendall(b'x' * 100)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 47003))
x = socket.socket(socket.AF_UNIX); x.bind('/tmp/nlkit-diag-%d.sock' % __import__('os').getpid()); x.listen(1)
a = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); a.bind('\\0nlkit-abstract')
p, q = socket.socketpair()
print('ready', x.getsockname(), flush=True)
sys.stdin.read()
`;

describeKernel('sock_diag', () => {
  let ns: TestNetns;
  let sock: NetlinkSocket;
  let holder: ChildProcess;
  let unixPath = '';

  beforeAll(async () => {
    ns = TestNetns.create('nlkit-diag');
    holder = spawn('ip', ['netns', 'exec', ns.name, 'python3', '-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
    let text = '';
    while (!/ready .*\n/.test(text)) {
      const [chunk] = (await Promise.race([once(holder.stdout!, 'data'), once(holder, 'exit').then(() => { throw new Error(`socket holder exited: ${text}`); })])) as [Buffer];
      text += chunk.toString();
    }
    unixPath = /ready (.*)\n/.exec(text)![1]!.trim();
    sock = openSocket('sock-diag', { netns: ns.name, timeout: 10_000 });
  });
  afterAll(() => {
    sock?.close();
    holder?.stdin?.end();
    holder?.kill();
    ns?.remove();
  });

  it('finds the TCP listeners as ss -H -t -l -n lists them', async () => {
    const v4 = await listInetSockets(sock, { protocol: 'tcp', states: ['listen'] });
    const v6 = await listInetSockets(sock, { protocol: 'tcp', family: 'inet6', states: ['listen'] });
    const ours = [...v4, ...v6].map((s) => `${s.family === 'inet6' ? `[${s.local.address}]` : s.local.address}:${s.local.port}`).sort();
    const ss = ns.exec('ss', '-H', '-t', '-l', '-n').trim().split('\n').map((l) => l.trim().split(/\s+/)[3]!).sort();
    expect(ours).toEqual(['127.0.0.1:47001', '[::1]:47002']);
    expect(ours).toEqual(ss);
    for (const s of [...v4, ...v6]) {
      expect(s.state).toBe('listen');
      expect(s.inode).toBeGreaterThan(0);
    }
  });

  it('sees the connected pair with queues and tcp_info', async () => {
    const established = await listInetSockets(sock, { protocol: 'tcp', states: ['established'], info: true });
    expect(established).toHaveLength(2);
    const client = established.find((s) => s.remote.port === 47001)!;
    const server = established.find((s) => s.local.port === 47001)!;
    expect(client.local.port).toBe(server.remote.port);
    expect(client.tcpInfo?.state).toBe(1);
    expect(client.tcpInfo?.sndMss).toBeGreaterThan(0);
    expect(client.congestion).toBeTypeOf('string');
    // Nobody reads the 100 bytes the client sent.
    expect(server.recvQ).toBe(100);
    const ss = ns.exec('ss', '-H', '-t', '-n', 'state', 'established');
    expect(ss).toMatch(new RegExp(`(^|\\s)100\\s+0\\s+127\\.0\\.0\\.1:47001\\s+127\\.0\\.0\\.1:${server.remote.port}`));
  });

  it('finds the UDP socket unconnected', async () => {
    const udp = await listInetSockets(sock, { protocol: 'udp' });
    expect(udp.map((s) => [s.local.address, s.local.port, s.state])).toEqual([['127.0.0.1', 47003, 'close']]);
  });

  it('finds unix sockets with names and peers', async () => {
    const unix = await listUnixSockets(sock);
    const listener = unix.find((s) => s.path === unixPath)!;
    expect(listener).toMatchObject({ type: 'stream', state: 'listen' });
    expect(unix.find((s) => s.path === '@nlkit-abstract')).toMatchObject({ type: 'dgram' });
    // The socketpair: two unnamed stream sockets, each the other's peer.
    const pairs = unix.filter((s) => s.peer && unix.some((o) => o.inode === s.peer && o.peer === s.inode));
    expect(pairs.length).toBeGreaterThanOrEqual(2);
    const ssInodes = ns.exec('ss', '-H', '-x', '-a', '-n').trim().split('\n').map((l) => Number(l.trim().split(/\s+/)[5]));
    for (const s of unix) expect(ssInodes).toContain(s.inode);
  });
});
