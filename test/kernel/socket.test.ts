// The socket engine over real kernel sockets: the shared engine suite, then
// what only the kernel shows (routes, a concurrent writer for DUMP_INTR).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { openNative } from '../../src/transport/native.js';
import { NetlinkSocket, DumpInterruptedError } from '../../src/socket/index.js';
import { NetlinkError, NETLINK_ROUTE, NLM_F_CREATE, NLM_F_DUMP_INTR } from '../../src/codec/index.js';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { defineSocketSuite, ifinfomsg } from '../socket/suite.js';

const RTM_NEWROUTE = 24;
const RTM_GETLINK = 18;
const RTM_GETROUTE = 26;
const IFLA_IFNAME = 3;

/** rtmsg for an IPv4 unicast route in the main table. */
function rtmsg(dstLength: number): Uint8Array {
  return Uint8Array.of(2, dstLength, 0, 0, 254, 3 /* RTPROT_BOOT */, 0 /* universe */, 1 /* unicast */, 0, 0, 0, 0);
}

function linkNames(ns: TestNetns): string[] {
  return (JSON.parse(ns.ip('-j', 'link', 'show')) as Array<{ ifname: string }>).map((l) => l.ifname);
}

describeKernel('the engine suite over kernel sockets', () => {
  defineSocketSuite('kernel sockets', () => {
    const ns = TestNetns.create('engine');
    return {
      transport: (protocol) => openNative(protocol, { netns: ns.path }),
      addVethPairs: (pairs) => {
        execFileSync('ip', ['-n', ns.name, '-batch', '-'], { input: pairs.map(([a, b]) => `link add ${a} type veth peer name ${b}`).join('\n') });
      },
      linkNames: () => linkNames(ns),
      drops: (portId) => {
        const rows = ns.exec('cat', '/proc/net/netlink').split('\n').slice(1).map((line) => line.trim().split(/\s+/));
        return Number(rows.find((cols) => cols[1] === '0' && Number(cols[2]) === portId)![8]);
      },
      dispose: () => ns.remove(),
    };
  });
});

describeKernel('NetlinkSocket with what only the kernel has', () => {
  let ns: TestNetns;
  const open = (protocol = NETLINK_ROUTE, options = {}) => new NetlinkSocket(openNative(protocol, { netns: ns.path }), options);

  beforeAll(() => {
    ns = TestNetns.create('sock');
  });
  afterAll(() => ns.remove());

  test('a route with an invalid gateway: the kernel explains it', async () => {
    const sock = open();
    const error = await sock.request({
      type: RTM_NEWROUTE, flags: NLM_F_CREATE, header: rtmsg(24),
      attributes: (b) => {
        b.bytes(1 /* RTA_DST */, Uint8Array.of(10, 9, 0, 0));
        b.bytes(5 /* RTA_GATEWAY */, Uint8Array.of(10, 9, 9, 9));
      },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(NetlinkError);
    expect(error.code).toBe('ENETUNREACH');
    expect(error.extack.message).toMatch(/gateway|nexthop/i);
    sock.close();
  });
  test('a dump of thousands of entries arrives whole, zero-copy, ending at NLMSG_DONE', async () => {
    ns.ip('link', 'add', 'rt0', 'type', 'veth', 'peer', 'name', 'rt1');
    ns.ip('addr', 'add', '10.20.0.1/16', 'dev', 'rt0');
    ns.ip('link', 'set', 'rt0', 'up');
    const script = Array.from({ length: 3000 }, (_, i) => `route add 10.${100 + (i >> 8)}.${i & 255}.0/24 via 10.20.0.2`).join('\n');
    execFileSync('ip', ['-n', ns.name, '-batch', '-'], { input: script });
    const sock = open(NETLINK_ROUTE, { slotSize: 8192 });
    let routes = 0;
    let parts = 0;
    for await (const part of sock.dumpBatches({ type: RTM_GETROUTE, header: rtmsg(0) }, { onInterrupted: 'fail' })) {
      parts++;
      for (let k = 0; k < part.count; k++) if (part.batch.type(part.indices[k]!) === RTM_NEWROUTE) routes++;
    }
    expect(routes).toBeGreaterThanOrEqual(3000);
    expect(parts).toBeGreaterThan(1);
    sock.close();
  });
  test('NLM_F_DUMP_INTR with a concurrent writer: restarts never yield a flagged message', async () => {
    for (let i = 0; i < 40; i++) ns.ip('link', 'add', `di${i}`, 'type', 'veth', 'peer', 'name', `dj${i}`);
    const sock = open(NETLINK_ROUTE, { slotSize: 4096, slots: 1 });
    // With restarts, what is yielded never carries the flag: either a
    // consistent snapshot or DumpInterruptedError once the bound is spent.
    // (The loopback tests force the bound deterministically.)
    const changer = spawn('ip', ['-n', ns.name, '-batch', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
    changer.stdin.end(Array.from({ length: 400 }, (_, i) => `link add cc${i} type veth peer name ce${i}`).join('\n'));
    try {
      for (let round = 0; round < 20; round++) {
        try {
          for await (const part of sock.dumpBatches({ type: RTM_GETLINK, header: ifinfomsg() }, { onInterrupted: 'restart', maxRestarts: 1 })) {
            for (let k = 0; k < part.count; k++) expect(part.batch.flags(part.indices[k]!) & NLM_F_DUMP_INTR).toBe(0);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(DumpInterruptedError);
          expect((e as DumpInterruptedError).restarts).toBe(1);
        }
      }
    } finally {
      await new Promise((resolve) => (changer.exitCode !== null ? resolve(null) : changer.once('exit', resolve)));
    }
    // Without changes a restarting dump gives every link exactly once.
    const names = new Set<string>();
    for await (const part of sock.dumpBatches({ type: RTM_GETLINK, header: ifinfomsg() })) {
      for (let k = 0; k < part.count; k++) {
        const list = part.batch.attributes(part.indices[k]!, 16);
        names.add(list.string(list.find(IFLA_IFNAME)));
      }
    }
    expect([...names].sort()).toEqual(linkNames(ns).sort());
    sock.close();
  });
});
