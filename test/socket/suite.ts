// One suite of NetlinkSocket behaviours, run over the loopback bus and over
// real kernel sockets: the engine must behave the same on both.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NetlinkSocket, DumpInterruptedError, GenlResolver, type SocketEvent, type SocketOptions } from '../../src/socket/index.js';
import { NetlinkError, NETLINK_ROUTE, NETLINK_GENERIC, NLM_F_CREATE, NLM_F_EXCL } from '../../src/codec/index.js';
import type { Transport } from '../../src/transport/transport.js';

export interface SocketEnvironment {
  /** A transport of `protocol` in the environment's namespace. */
  transport(protocol: number): Transport;
  /** Creates veth pairs (two links each), in one go. */
  addVethPairs(pairs: Array<[string, string]>): void;
  /** Names of all links now. */
  linkNames(): string[];
  /** The drop counter the kernel (or bus) keeps for the ROUTE socket with this port id. */
  drops(portId: number): number;
  dispose(): void;
}

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_SETLINK = 19;
const RTNLGRP_LINK = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;

export function ifinfomsg(index = 0): Uint8Array {
  const header = new Uint8Array(16);
  new DataView(header.buffer).setInt32(4, index, true);
  return header;
}

/** Resolves with the next item, or null when nothing comes within `ms` (the stream has gone quiet). */
export function nextOrQuiet<T>(it: AsyncIterator<T>, ms: number): Promise<IteratorResult<T> | null> {
  return Promise.race([it.next(), new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]);
}

export function defineSocketSuite(name: string, create: () => SocketEnvironment | Promise<SocketEnvironment>): void {
  describe(`NetlinkSocket over ${name}`, () => {
    let env: SocketEnvironment;
    const open = (protocol = NETLINK_ROUTE, options: SocketOptions = {}) => new NetlinkSocket(env.transport(protocol), options);

    beforeAll(async () => {
      env = await create();
    });
    afterAll(() => env.dispose());

    test('several requests in flight at once, each answered by its seq', async () => {
      const sock = open();
      const names = ['lo', 'nope0', 'lo', 'nope1'];
      const results = await Promise.allSettled(names.map((n) =>
        sock.request({ type: RTM_GETLINK, header: ifinfomsg(), attributes: (b) => b.string(IFLA_IFNAME, n) }, { ack: false })));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
      const lo = (results[0] as PromiseFulfilledResult<{ messages: Array<{ type: number }> }>).value;
      expect(lo.messages.map((m) => m.type)).toEqual([RTM_NEWLINK]);
      expect(((results[1] as PromiseRejectedResult).reason as NetlinkError).code).toBe('ENODEV');
      sock.close();
    });

    test('an acknowledged request resolves at the ack', async () => {
      const sock = open();
      const reply = await sock.request({ type: RTM_SETLINK, header: ifinfomsg(1), attributes: (b) => b.u32(IFLA_MTU, 65536) });
      expect(reply).toEqual({ messages: [], acked: true });
      sock.close();
    });

    test('a failed request carries the decoded extended ack and the attribute path', async () => {
      const sock = open();
      const error = await sock.request({
        type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, header: ifinfomsg(),
        attributes: (b) => b.string(IFLA_IFNAME, 'a-name-longer-than-ifnamsiz'),
      }, { describePath: (path) => path.map((t) => (t === IFLA_IFNAME ? 'IFLA_IFNAME' : String(t))) }).catch((e) => e);
      expect(error).toBeInstanceOf(NetlinkError);
      expect(error.code).toBe('ERANGE');
      expect(error.errno).toBe(34);
      expect(error.extack.offset).toBe(32);
      expect(error.extack.attributePath).toEqual(['IFLA_IFNAME']);
      expect(error.extack.policy.maxLength).toBe(15);
      expect(error.request).toMatchObject({ type: RTM_NEWLINK });
      sock.close();
    });

    test('a dump of thousands of links arrives whole, in many parts, ending at NLMSG_DONE', async () => {
      env.addVethPairs(Array.from({ length: 1000 }, (_, i) => [`bulk${i}`, `bulkp${i}`]));
      const sock = open(NETLINK_ROUTE, { slotSize: 8192, slots: 2 });
      const names: string[] = [];
      let parts = 0;
      for await (const part of sock.dumpBatches({ type: RTM_GETLINK, header: ifinfomsg() }, { onInterrupted: 'fail' })) {
        parts++;
        const all = part.batch.attributesAll(16);
        for (let k = 0; k < part.count; k++) {
          const i = part.indices[k]!;
          names.push(all.string(all.findIn(i, IFLA_IFNAME)));
        }
      }
      expect(parts).toBeGreaterThan(2);
      expect(names.sort()).toEqual(env.linkNames().sort());
      sock.close();
    });

    test('NLM_F_DUMP_INTR after a change between parts: fail throws, and a later restart dump is whole', async () => {
      const sock = open(NETLINK_ROUTE, { slotSize: 4096, slots: 1 });
      let made = 0;
      const failing = (async () => {
        for await (const _ of sock.dumpBatches({ type: RTM_GETLINK, header: ifinfomsg() }, { onInterrupted: 'fail' })) {
          if (made === 0) env.addVethPairs([[`intr${made}`, `intrp${made++}`]]);
        }
      })();
      await expect(failing).rejects.toBeInstanceOf(DumpInterruptedError);
      // The abandoned dump is drained before the next one starts (no EBUSY).
      const names = new Set<string>();
      for await (const part of sock.dumpBatches({ type: RTM_GETLINK, header: ifinfomsg() })) {
        for (let k = 0; k < part.count; k++) {
          const list = part.batch.attributes(part.indices[k]!, 16);
          names.add(list.string(list.find(IFLA_IFNAME)));
        }
      }
      expect([...names].sort()).toEqual(env.linkNames().sort());
      sock.close();
    });

    test('a slow consumer: drops become overrun events, and received + dropped = sent', async () => {
      const slow = open();
      const complete = open();
      slow.transport.setOption('receiveBuffer', 4096);
      complete.transport.setOption('receiveBufferForce', 16 * 1024 * 1024);
      slow.subscribe([RTNLGRP_LINK]);
      complete.subscribe([RTNLGRP_LINK]);
      const drain = async (sock: NetlinkSocket) => {
        const events = sock.events({ groups: [RTNLGRP_LINK] })[Symbol.asyncIterator]();
        const counts = { messages: 0, overruns: 0 };
        for (;;) {
          const next = await nextOrQuiet(events, 300);
          if (next === null || next.done) return counts;
          const event: SocketEvent = next.value;
          if (event.kind === 'overrun') counts.overruns++;
          else if (event.kind === 'message') counts.messages++;
        }
      };
      // Nobody reads while the notifications are sent: the small buffer overflows.
      env.addVethPairs(Array.from({ length: 200 }, (_, i) => [`ov${i}`, `ow${i}`]));
      const [slowCounts, completeCounts] = await Promise.all([drain(slow), drain(complete)]);
      expect(slowCounts.overruns).toBeGreaterThanOrEqual(1);
      expect(slow.stats.overruns).toBe(slowCounts.overruns);
      expect(completeCounts.overruns).toBe(0);
      const drops = env.drops(slow.portId);
      expect(drops).toBeGreaterThan(0);
      expect(slowCounts.messages + drops).toBe(completeCounts.messages);
      slow.close();
      complete.close();
    });

    test('timeouts and aborts, and the socket goes on working', async () => {
      const sock = open();
      // RTM_SETLINK without NLM_F_ACK: the kernel answers nothing.
      const silent = sock.request({ type: RTM_SETLINK, header: ifinfomsg(1), attributes: (b) => b.u32(IFLA_MTU, 65536) }, { ack: false, timeout: 50 });
      await expect(silent).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      const controller = new AbortController();
      const aborted = sock.request({ type: RTM_SETLINK, header: ifinfomsg(1), attributes: (b) => b.u32(IFLA_MTU, 65536) }, { ack: false, signal: controller.signal });
      controller.abort(new Error('changed my mind'));
      await expect(aborted).rejects.toMatchObject({ code: 'ERR_NLKIT_ABORTED' });
      const already = sock.request({ type: RTM_GETLINK, header: ifinfomsg(1) }, { signal: controller.signal });
      await expect(already).rejects.toMatchObject({ code: 'ERR_NLKIT_ABORTED' });
      const reply = await sock.request({ type: RTM_GETLINK, header: ifinfomsg(1) }, { ack: false });
      expect(reply.messages[0]!.type).toBe(RTM_NEWLINK);
      sock.close();
    });

    test('closing mid-dump and mid-stream ends everything pending with ClosedError', async () => {
      const sock = open(NETLINK_ROUTE, { slotSize: 4096, slots: 1 });
      sock.subscribe([RTNLGRP_LINK]);
      const stream = sock.events()[Symbol.asyncIterator]();
      const waiting = stream.next();
      const dump = sock.dumpBatches({ type: RTM_GETLINK, header: ifinfomsg() }, { onInterrupted: 'ignore' })[Symbol.asyncIterator]();
      await dump.next();
      const pending = sock.request({ type: RTM_SETLINK, header: ifinfomsg(1), attributes: (b) => b.u32(IFLA_MTU, 65536) }, { ack: false });
      sock.close();
      await expect(dump.next()).rejects.toMatchObject({ code: 'ERR_NLKIT_CLOSED' });
      await expect(waiting).rejects.toMatchObject({ code: 'ERR_NLKIT_CLOSED' });
      await expect(pending).rejects.toMatchObject({ code: 'ERR_NLKIT_CLOSED' });
      await expect(sock.request({ type: RTM_GETLINK, header: ifinfomsg(1) })).rejects.toMatchObject({ code: 'ERR_NLKIT_CLOSED' });
      sock.close();
    });

    test('messages from a user-space sender on a kernel protocol are dropped and counted, or reported', async () => {
      const sock = open();
      const reporting = open(NETLINK_ROUTE, { kernelOnly: 'report' });
      const spoofer = env.transport(NETLINK_ROUTE);
      const fake = new Uint8Array(20);
      new DataView(fake.buffer).setUint32(0, 20, true);
      new DataView(fake.buffer).setUint16(4, RTM_NEWLINK, true);
      const events = sock.events()[Symbol.asyncIterator]();
      const reported = reporting.events()[Symbol.asyncIterator]();
      spoofer.send(fake, { portId: sock.portId, groups: 0 });
      spoofer.send(fake, { portId: reporting.portId, groups: 0 });
      const event = await reported.next();
      expect(event.value).toMatchObject({ kind: 'spoofed', origin: { port: spoofer.address().portId } });
      expect(await nextOrQuiet(events, 100)).toBeNull();
      expect(sock.stats.spoofed).toBe(1);
      spoofer.close();
      sock.close();
      reporting.close();
    });

    test('generic netlink: families and groups resolve by name, unknown ones are ENOENT', async () => {
      const sock = open(NETLINK_GENERIC);
      const genl = new GenlResolver(sock);
      const ctrl = await genl.resolve('nlctrl');
      expect(ctrl.id).toBe(0x10);
      expect(ctrl.name).toBe('nlctrl');
      expect(ctrl.operations.has(3)).toBe(true);
      expect(await genl.group('nlctrl', 'notify')).toBe(0x10);
      expect(await genl.resolve('nlctrl')).toBe(ctrl); // cached
      await expect(genl.resolve('no-such-family')).rejects.toMatchObject({ code: 'ENOENT' });
      sock.close();
    });
  });
}
