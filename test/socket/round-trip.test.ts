// One-at-a-time request round trips: the engine reads a lone ack with room
// for one datagram once acks keep coming alone, and must still get every
// reply whole when a request has more to say, a dump starts, or one fails.
// Run over the loopback bus and over kernel sockets.
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NetlinkSocket } from '../../src/socket/index.js';
import { NetlinkError, NETLINK_ROUTE } from '../../src/codec/index.js';
import { LoopbackKernel } from '../../src/transport/loopback/index.js';
import { openNative } from '../../src/transport/native.js';
import type { ReceiveRegion, ReceiveResult, Transport } from '../../src/transport/transport.js';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { ifinfomsg } from './suite.js';

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_SETLINK = 19;
const IFLA_IFNAME = 3;
const SLOTS = 8;

/** Wraps a transport and notes the width (slots) of every receive that returned datagrams. */
function recording(inner: Transport): { transport: Transport; widths: number[] } {
  const widths: number[] = [];
  const transport: Transport = {
    get protocol() { return inner.protocol; },
    get closed() { return inner.closed; },
    address: () => inner.address(),
    send: (datagram, to) => inner.send(datagram, to),
    sendBatch: (data, lengths, to) => inner.sendBatch(data, lengths, to),
    receive(into: ReceiveRegion): ReceiveResult {
      const result = inner.receive(into);
      if (result.datagrams > 0) widths.push(into.slots);
      return result;
    },
    setReadableHandler: (handler) => inner.setReadableHandler(handler),
    setOption: (option, value) => inner.setOption(option, value),
    getOption: (option) => inner.getOption(option),
    addMembership: (group) => inner.addMembership(group),
    dropMembership: (group) => inner.dropMembership(group),
    memberships: () => inner.memberships(),
    close: () => inner.close(),
  };
  return { transport, widths };
}

const setLo = { type: RTM_SETLINK, header: ifinfomsg(1) };
const getLo = { type: RTM_GETLINK, header: ifinfomsg(1) };

function defineRoundTrips(name: string, open: () => Transport): void {
  describe(`request round trips over ${name}`, () => {
    test('ack-only requests in a row come to read one datagram; replies, errors and dumps still arrive whole', async () => {
      const { transport, widths } = recording(open());
      const sock = new NetlinkSocket(transport, { slots: SLOTS });
      for (let i = 0; i < 5; i++) expect(await sock.request(setLo)).toEqual({ messages: [], acked: true });
      expect(widths).toContain(1);

      // A request with a reply before its ack, right after narrow reads.
      const got = await sock.request(getLo);
      expect(got.acked).toBe(true);
      expect(got.messages.map((m) => m.type)).toEqual([RTM_NEWLINK]);
      const again = await sock.request(getLo);
      expect(again.messages.map((m) => m.type)).toEqual([RTM_NEWLINK]);
      expect(again.acked).toBe(true);

      // Narrow again, then a failure: the error carries the failed request's
      // own bytes, untouched by the requests built after it.
      for (let i = 0; i < 5; i++) await sock.request(setLo);
      const failing = sock.request({ type: RTM_GETLINK, header: ifinfomsg(), attributes: (b) => b.string(IFLA_IFNAME, 'nope-rt0') });
      const next = sock.request({ type: RTM_GETLINK, header: ifinfomsg(), attributes: (b) => b.string(IFLA_IFNAME, 'lo') });
      const error = await failing.then(() => null, (e: unknown) => e);
      expect((await next).messages).toHaveLength(1);
      expect(error).toBeInstanceOf(NetlinkError);
      expect((error as NetlinkError).code).toBe('ENODEV');
      const request = (error as NetlinkError).request!;
      expect(request.type).toBe(RTM_GETLINK);
      expect(new TextDecoder().decode(request.bytes!.subarray(36, 44))).toBe('nope-rt0');

      // A dump reads wide whatever came before.
      const before = widths.length;
      const links: number[] = [];
      for await (const m of sock.dump({ type: RTM_GETLINK, header: ifinfomsg() })) links.push(m.type);
      expect(links.length).toBeGreaterThan(0);
      expect(links.every((t) => t === RTM_NEWLINK)).toBe(true);
      expect(widths.slice(before).every((w) => w === SLOTS)).toBe(true);
      sock.close();
    });

    test('several requests in flight after narrow reads: all answered by their seq', async () => {
      const sock = new NetlinkSocket(open(), { slots: SLOTS });
      for (let i = 0; i < 5; i++) await sock.request(setLo);
      const replies = await Promise.all([sock.request(setLo), sock.request(getLo), sock.request(setLo), sock.request(getLo)]);
      expect(replies.map((r) => [r.acked, r.messages.length])).toEqual([[true, 0], [true, 1], [true, 0], [true, 1]]);
      sock.close();
    });

    test('a settled request leaves no abort listener behind, and a later abort changes nothing', async () => {
      const sock = new NetlinkSocket(open());
      const controller = new AbortController();
      const reply = await sock.request(setLo, { signal: controller.signal, timeout: 60_000 });
      expect(reply.acked).toBe(true);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      controller.abort();
      // The socket still works, and nothing of the settled request is left in flight.
      expect((await sock.request(getLo)).messages).toHaveLength(1);
      sock.close();
    });

    test('a request given its own bytes is sent as given, with the ack flag added to a copy', async () => {
      const sock = new NetlinkSocket(open());
      const seq = sock.allocateSeq();
      const bytes = new Uint8Array(32);
      const view = new DataView(bytes.buffer);
      view.setUint32(0, 32, true);
      view.setUint16(4, RTM_SETLINK, true);
      view.setUint16(6, 1 /* NLM_F_REQUEST */, true);
      view.setUint32(8, seq, true);
      view.setInt32(20, 1, true);
      expect(await sock.request(bytes)).toEqual({ messages: [], acked: true });
      expect(view.getUint16(6, true)).toBe(1);
      sock.close();
    });
  });
}

defineRoundTrips('the loopback bus', (() => {
  const kernel = new LoopbackKernel();
  return () => kernel.open(NETLINK_ROUTE);
})());

describeKernel('request round trips over kernel sockets', () => {
  let ns: TestNetns;
  beforeAll(() => {
    ns = TestNetns.create('roundtrip');
  });
  afterAll(() => ns.remove());
  defineRoundTrips('kernel sockets', () => openNative(NETLINK_ROUTE, { netns: ns.path }));
});
