// The socket engine over real kernel sockets, in a namespace made for it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { openNative } from '../../src/transport/native.js';
import { NetlinkSocket, DumpInterruptedError, GenlResolver, type SocketEvent } from '../../src/socket/index.js';
import { NetlinkError, NETLINK_ROUTE, NETLINK_GENERIC, NLM_F_CREATE, NLM_F_EXCL, NLM_F_DUMP_INTR } from '../../src/codec/index.js';
import { describeKernel, TestNetns } from '../helpers/kernel.js';

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;
const RTNLGRP_LINK = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;

function ifinfomsg(index = 0): Uint8Array {
  const header = new Uint8Array(16);
  new DataView(header.buffer).setInt32(4, index, true);
  return header;
}

/** rtmsg for an IPv4 unicast route in the main table. */
function rtmsg(dstLength: number): Uint8Array {
  return Uint8Array.of(2, dstLength, 0, 0, 254, 3 /* RTPROT_BOOT */, 0 /* universe */, 1 /* unicast */, 0, 0, 0, 0);
}

describeKernel('NetlinkSocket over the kernel', () => {
  let ns: TestNetns;
  const open = (protocol = NETLINK_ROUTE, options = {}) => new NetlinkSocket(openNative(protocol, { netns: ns.path }), options);

  beforeAll(() => {
    ns = TestNetns.create('sock');
  });
  afterAll(() => ns.remove());

  test('several requests in flight at once, each answered by seq', async () => {
    const sock = open();
    const names = ['lo', 'nope0', 'lo', 'nope1'];
    const results = await Promise.allSettled(names.map((name) =>
      sock.request({ type: RTM_GETLINK, header: ifinfomsg(), attributes: (b) => b.string(IFLA_IFNAME, name) }, { ack: false })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    const lo = results[0] as PromiseFulfilledResult<{ messages: { type: number }[] }>;
    expect(lo.value.messages[0]!.type).toBe(RTM_NEWLINK);
    expect(((results[1] as PromiseRejectedResult).reason as NetlinkError).code).toBe('ENODEV');
    sock.close();
  });

  test('an invalid attribute is rejected with the extended ack decoded and the attribute path', async () => {
    const sock = open();
    const error = await sock.request({
      type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, header: ifinfomsg(),
      attributes: (b) => b.string(IFLA_IFNAME, 'a-name-longer-than-ifnamsiz'),
    }, { describePath: (path) => path.map((t) => (t === IFLA_IFNAME ? 'IFLA_IFNAME' : String(t))) }).catch((e) => e);
    expect(error).toBeInstanceOf(NetlinkError);
    expect(error.code).toBe('ERANGE');
    expect(error.extack.message).toMatch(/policy/i);
    expect(error.extack.offset).toBe(32);
    expect(error.extack.attributePath).toEqual(['IFLA_IFNAME']);
    expect(error.extack.policy.maxLength).toBe(15);
    expect(error.request.type).toBe(RTM_NEWLINK);
    sock.close();
  });

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

  test('NLM_F_DUMP_INTR: fail, bounded restart, and restart that succeeds', async () => {
    for (let i = 0; i < 40; i++) ns.ip('link', 'add', `di${i}`, 'type', 'veth', 'peer', 'name', `dj${i}`);
    let made = 0;
    const change = () => ns.ip('link', 'add', `dc${made}`, 'type', 'veth', 'peer', 'name', `dd${made++}`);
    const sock = open(NETLINK_ROUTE, { slotSize: 4096, slots: 1 });
    // Changing the link table between parts makes the kernel flag the next part.
    const failing = (async () => {
      let first = true;
      for await (const _ of sock.dumpBatches({ type: RTM_GETLINK, header: ifinfomsg() }, { onInterrupted: 'fail' })) {
        if (first) change();
        first = false;
      }
    })();
    await expect(failing).rejects.toBeInstanceOf(DumpInterruptedError);
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
    expect(names.size).toBe(Number(ns.exec('sh', '-c', 'ls /sys/class/net | wc -l').trim()));
    sock.close();
  });

  test('a slow consumer: kernel drops become overrun events, and the counts add up with the kernel drop counter', async () => {
    const slow = open(NETLINK_ROUTE);
    const complete = open(NETLINK_ROUTE);
    slow.transport.setOption('receiveBuffer', 4096);
    complete.transport.setOption('receiveBufferForce', 16 * 1024 * 1024);
    slow.subscribe([RTNLGRP_LINK]);
    complete.subscribe([RTNLGRP_LINK]);
    const drain = async (sock: NetlinkSocket) => {
      const events = sock.events({ groups: [RTNLGRP_LINK] })[Symbol.asyncIterator]();
      const counts = { messages: 0, overruns: 0 };
      for (;;) {
        const next = await Promise.race([events.next(), new Promise<null>((r) => setTimeout(() => r(null), 300))]);
        if (next === null || next.done) return counts;
        const event: SocketEvent = next.value;
        if (event.kind === 'overrun') counts.overruns++;
        else if (event.kind === 'message') counts.messages++;
      }
    };
    // Nobody reads while the kernel sends: the small buffer overflows.
    const script = Array.from({ length: 200 }, (_, i) => `link add ov${i} type veth peer name ow${i}`).join('\n');
    execFileSync('ip', ['-n', ns.name, '-batch', '-'], { input: script });
    const [slowCounts, completeCounts] = await Promise.all([drain(slow), drain(complete)]);
    const table = ns.exec('cat', '/proc/net/netlink').split('\n').slice(1).map((line) => line.trim().split(/\s+/));
    const row = table.find((cols) => cols[1] === '0' && Number(cols[2]) === slow.portId)!;
    const kernelDrops = Number(row[8]);
    expect(slowCounts.overruns).toBeGreaterThanOrEqual(1);
    expect(slow.stats.overruns).toBe(slowCounts.overruns);
    expect(kernelDrops).toBeGreaterThan(0);
    expect(completeCounts.overruns).toBe(0);
    // Every notification was either received or counted as dropped by the kernel.
    expect(slowCounts.messages + kernelDrops).toBe(completeCounts.messages);
    slow.close();
    complete.close();
  });

  test('timeouts and aborts', async () => {
    const sock = open();
    // RTM_NEWLINK without NLM_F_ACK for an existing link, changing nothing: no answer at all.
    const silent = sock.request({ type: 19 /* RTM_SETLINK */, header: ifinfomsg(1), attributes: (b) => b.u32(IFLA_MTU, 65536) }, { ack: false, timeout: 50 });
    await expect(silent).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    const controller = new AbortController();
    const aborted = sock.request({ type: 19, header: ifinfomsg(1), attributes: (b) => b.u32(IFLA_MTU, 65536) }, { ack: false, signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    await expect(aborted).rejects.toMatchObject({ code: 'ERR_NLKIT_ABORTED' });
    // The socket still works afterwards.
    const reply = await sock.request({ type: RTM_GETLINK, header: ifinfomsg(1) }, { ack: false });
    expect(reply.messages[0]!.type).toBe(RTM_NEWLINK);
    sock.close();
  });

  test('closing mid-dump and mid-stream ends them with a clear error', async () => {
    const sock = open(NETLINK_ROUTE, { slotSize: 4096, slots: 1 });
    sock.subscribe([RTNLGRP_LINK]);
    const stream = sock.events()[Symbol.asyncIterator]();
    const waiting = stream.next();
    const dump = sock.dumpBatches({ type: RTM_GETLINK, header: ifinfomsg() }, { onInterrupted: 'ignore' })[Symbol.asyncIterator]();
    await dump.next();
    const pending = sock.request({ type: RTM_GETLINK, header: ifinfomsg(1) }, { ack: false, timeout: 0 });
    sock.close();
    await expect(dump.next()).rejects.toMatchObject({ code: 'ERR_NLKIT_CLOSED' });
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_NLKIT_CLOSED' });
    await expect(pending).rejects.toMatchObject({ code: 'ERR_NLKIT_CLOSED' });
    sock.close(); // twice is fine
  });

  test('messages from a user-space sender on a kernel protocol are dropped and counted, or reported', async () => {
    const sock = open(NETLINK_ROUTE);
    const reporting = open(NETLINK_ROUTE, { kernelOnly: 'report' });
    const spoofer = openNative(NETLINK_ROUTE, { netns: ns.path });
    const fake = new Uint8Array(20);
    new DataView(fake.buffer).setUint32(0, 20, true);
    new DataView(fake.buffer).setUint16(4, RTM_NEWLINK, true);
    const events = sock.events()[Symbol.asyncIterator]();
    const reported = reporting.events()[Symbol.asyncIterator]();
    spoofer.send(fake, { portId: sock.portId, groups: 0 });
    spoofer.send(fake, { portId: reporting.portId, groups: 0 });
    const event = await reported.next();
    expect(event.value).toMatchObject({ kind: 'spoofed', origin: { port: spoofer.address().portId } });
    const quiet = await Promise.race([events.next(), new Promise((r) => setTimeout(() => r('nothing'), 100))]);
    expect(quiet).toBe('nothing');
    expect(sock.stats.spoofed).toBe(1);
    spoofer.close();
    sock.close();
    reporting.close();
  });

  test('generic netlink: nlctrl and its notify group resolve by name', async () => {
    const sock = open(NETLINK_GENERIC);
    const genl = new GenlResolver(sock);
    const ctrl = await genl.resolve('nlctrl');
    expect(ctrl.id).toBe(0x10);
    expect(await genl.group('nlctrl', 'notify')).toBe(0x10);
    await expect(genl.resolve('no-such-family')).rejects.toMatchObject({ code: 'ENOENT' });
    sock.close();
  });
});
