// The transport contract: behaviours every Transport shows, decided by what
// the Linux kernel does. Each runner (loopback, native) gives a harness that
// opens transports in a world of its own (a LoopbackKernel, a network
// namespace) and can make the kernel side do things.

import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  loadCodec, ArgumentError, NetlinkError, NETLINK_ROUTE, NETLINK_USERSOCK,
  NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP, NLM_F_MULTI, NLM_F_CAPPED, NLM_F_ACK_TLVS,
  NLMSG_ERROR, NLMSG_DONE, NLMSG_NOOP, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, STATUS_OK,
} from '../../src/codec/index.js';
import {
  RECV_META_STRIDE, RECV_META_LENGTH, RECV_META_SIZE, RECV_META_FLAGS, RECV_META_PORT, RECV_META_GROUPS,
  RECV_META_GROUP, RECV_META_PID, RECV_META_UID, RECV_META_GID, RECV_FLAG_TRUNCATED, RECV_FLAG_CREDENTIALS,
  RECV_FLAG_GROUP, type OpenOptions, type Transport,
} from '../../src/transport/transport.js';

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const IFLA_IFNAME = 3;
const IFINFOMSG_SIZE = 16;

/** What a runner provides. */
export interface ContractHarness {
  /** Opens a transport in the harness's world. */
  open(protocol: number, options?: OpenOptions): Transport;
  /** The kernel side. */
  kernel: {
    /** Creates a veth pair (two links) in the world's ROUTE link table. */
    addVethPair(name: string, peer: string): void | Promise<void>;
  };
  /** The credentials datagrams sent by this harness's transports carry. */
  credentials: { pid: number; uid: number; gid: number };
  /** Releases the world. */
  dispose(): void | Promise<void>;
}

/** A received datagram, copied out of its slot, with its metadata row. */
export interface Received {
  bytes: Uint8Array;
  length: number;
  size: number;
  flags: number;
  port: number;
  groups: number;
  group: number;
  pid: number;
  uid: number;
  gid: number;
}

export function makeRegion(slots: number, slotSize: number) {
  return { region: new Uint8Array(slots * slotSize), slotSize, slots, meta: new Uint32Array(slots * RECV_META_STRIDE) };
}

/** One receive call, copied out. */
export function receiveOnce(t: Transport, slots = 16, slotSize = 65536): { datagrams: Received[]; overrun: boolean } {
  const into = makeRegion(slots, slotSize);
  const result = t.receive(into);
  const datagrams: Received[] = [];
  for (let i = 0; i < result.datagrams; i++) {
    const row = i * RECV_META_STRIDE;
    const length = into.meta[row + RECV_META_LENGTH]!;
    datagrams.push({
      bytes: into.region.slice(i * slotSize, i * slotSize + length),
      length,
      size: into.meta[row + RECV_META_SIZE]!,
      flags: into.meta[row + RECV_META_FLAGS]!,
      port: into.meta[row + RECV_META_PORT]!,
      groups: into.meta[row + RECV_META_GROUPS]!,
      group: into.meta[row + RECV_META_GROUP]!,
      pid: into.meta[row + RECV_META_PID]!,
      uid: into.meta[row + RECV_META_UID]!,
      gid: into.meta[row + RECV_META_GID]!,
    });
  }
  return { datagrams, overrun: result.overrun };
}

/** Receives until nothing is waiting; reports whether any call saw an overrun. */
export function receiveAll(t: Transport, slots = 16, slotSize = 65536): { datagrams: Received[]; overruns: number } {
  const all: Received[] = [];
  let overruns = 0;
  for (let round = 0; round < 100_000; round++) {
    const { datagrams, overrun } = receiveOnce(t, slots, slotSize);
    if (overrun) overruns++;
    if (datagrams.length === 0 && !overrun) return { datagrams: all, overruns };
    all.push(...datagrams);
  }
  throw new Error('receiveAll: the transport never ran dry');
}

/** A datagram whose first 4 bytes are `id` (little-endian) and whose length is `length`. */
export function tagged(id: number, length = 100): Uint8Array {
  const bytes = new Uint8Array(length).fill(0x5a);
  new DataView(bytes.buffer).setUint32(0, id, true);
  return bytes;
}

export function tagOf(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
}

/** The messages of a datagram, scanned with the codec. */
export function messages(bytes: Uint8Array) {
  const codec = loadCodec();
  const batch = codec.scan(bytes);
  const out = [];
  for (let i = 0; i < batch.count; i++) {
    expect(batch.status(i)).toBe(STATUS_OK);
    out.push({ ...batch.message(i), error: batch.errorCode(i) });
  }
  return out;
}

/** RTM_GETLINK with an ifinfomsg for `index` and optional attributes. */
export function getLink(seq: number, flags: number, index: number, fill?: (b: ReturnType<ReturnType<typeof loadCodec>['builder']>) => void): Uint8Array {
  const header = new Uint8Array(IFINFOMSG_SIZE);
  new DataView(header.buffer).setInt32(4, index, true);
  const b = loadCodec().builder().reset();
  b.begin(RTM_GETLINK, flags, seq).header(header);
  fill?.(b);
  return b.end().finish().slice();
}

/**
 * The NLMSGERR_ATTR_* list of the NLMSG_ERROR at the start of `bytes`: after
 * the error and the echoed request (its header only when NLM_F_CAPPED).
 */
export function ackAttributes(bytes: Uint8Array) {
  const batch = loadCodec().scan(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const echoed = batch.flags(0) & NLM_F_CAPPED ? 16 : (view.getUint32(20, true) + 3) & ~3;
  return batch.attributes(0, 4 + echoed, { descend: false });
}

/** The IFLA_IFNAME of an RTM_NEWLINK message. */
function linkName(bytes: Uint8Array): string {
  const batch = loadCodec().scan(bytes);
  const list = batch.attributes(0, IFINFOMSG_SIZE, { descend: false });
  const j = list.find(IFLA_IFNAME);
  return j < 0 ? '' : list.string(j);
}

function expectNetlinkError(fn: () => unknown, code: string): NetlinkError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(NetlinkError);
  expect((caught as NetlinkError).code).toBe(code);
  return caught as NetlinkError;
}

/** Waits for `predicate` over a few event-loop turns (not a timing assertion: it fails only if it never holds). */
async function eventually(predicate: () => boolean, turns = 200): Promise<void> {
  for (let i = 0; i < turns && !predicate(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(predicate()).toBe(true);
}

const turns = (n: number) => new Promise<void>((r) => {
  let left = n;
  const next = () => (--left <= 0 ? r() : setTimeout(next, 2));
  setTimeout(next, 2);
});

export function defineTransportContract(name: string, setup: () => ContractHarness | Promise<ContractHarness>): void {
  describe(`transport contract: ${name}`, () => {
    let harness: ContractHarness;
    let opened: Transport[] = [];
    const open = (protocol: number, options?: OpenOptions): Transport => {
      const t = harness.open(protocol, options);
      opened.push(t);
      return t;
    };

    beforeAll(async () => {
      harness = await setup();
    });
    afterAll(async () => {
      await harness?.dispose();
    });
    afterEach(() => {
      for (const t of opened) t.close();
      opened = [];
    });

    describe('bind and addresses', () => {
      test('autobind gives distinct non-zero port ids and no groups', () => {
        const a = open(NETLINK_USERSOCK);
        const b = open(NETLINK_USERSOCK);
        expect(a.address().portId).not.toBe(0);
        expect(b.address().portId).not.toBe(0);
        expect(a.address().portId).not.toBe(b.address().portId);
        expect(a.address().groups).toBe(0);
        expect(a.memberships()).toEqual([]);
        expect(a.protocol).toBe(NETLINK_USERSOCK);
      });

      test('an explicit port is bound, and taking it twice is EADDRINUSE', () => {
        const probe = open(NETLINK_USERSOCK);
        const port = probe.address().portId;
        probe.close();
        const a = open(NETLINK_USERSOCK, { portId: port });
        expect(a.address().portId).toBe(port);
        const e = expectNetlinkError(() => open(NETLINK_USERSOCK, { portId: port }), 'EADDRINUSE');
        expect(e.errno).toBe(98);
      });

      test('the group mask given at bind becomes memberships', () => {
        const a = open(NETLINK_USERSOCK, { groups: 0b101 });
        expect(a.address().groups).toBe(0b101);
        expect(a.memberships()).toEqual([1, 3]);
        a.addMembership(32);
        expect(a.address().groups >>> 0).toBe((0b101 | 0x80000000) >>> 0);
        expect(a.memberships()).toEqual([1, 3, 32]);
      });
    });

    describe('unicast', () => {
      test('datagrams arrive whole, in order, with the sender port', () => {
        const a = open(NETLINK_USERSOCK);
        const b = open(NETLINK_USERSOCK);
        const to = { portId: b.address().portId, groups: 0 };
        const sent = [tagged(1, 16), tagged(2, 40), tagged(3, 1000)];
        for (const d of sent) a.send(d, to);
        const { datagrams, overrun } = receiveOnce(b);
        expect(overrun).toBe(false);
        expect(datagrams.map((d) => d.bytes)).toEqual(sent);
        for (const d of datagrams) {
          expect(d.port).toBe(a.address().portId);
          expect(d.groups).toBe(0);
          expect(d.flags & RECV_FLAG_TRUNCATED).toBe(0);
          expect(d.size).toBe(d.length);
        }
        expect(receiveOnce(b)).toEqual({ datagrams: [], overrun: false });
      });

      test('receive takes no more than the slots it is given', () => {
        const a = open(NETLINK_USERSOCK);
        const b = open(NETLINK_USERSOCK);
        for (let i = 0; i < 5; i++) a.send(tagged(i), { portId: b.address().portId, groups: 0 });
        const first = receiveOnce(b, 2);
        expect(first.datagrams.map((d) => tagOf(d.bytes))).toEqual([0, 1]);
        expect(receiveAll(b).datagrams.map((d) => tagOf(d.bytes))).toEqual([2, 3, 4]);
      });

      test('sendBatch sends consecutive datagrams of the given lengths', () => {
        const a = open(NETLINK_USERSOCK);
        const b = open(NETLINK_USERSOCK);
        const data = new Uint8Array(16 + 24 + 32);
        data.set(tagged(7, 16), 0);
        data.set(tagged(8, 24), 16);
        data.set(tagged(9, 32), 40);
        expect(a.sendBatch(data, [16, 24, 32], { portId: b.address().portId, groups: 0 })).toBe(3);
        const got = receiveAll(b).datagrams;
        expect(got.map((d) => d.length)).toEqual([16, 24, 32]);
        expect(got.map((d) => tagOf(d.bytes))).toEqual([7, 8, 9]);
      });

      test('a socket can send to itself', () => {
        const a = open(NETLINK_USERSOCK);
        a.send(tagged(11, 20), { portId: a.address().portId, groups: 0 });
        const got = receiveAll(a).datagrams;
        expect(got.map((d) => tagOf(d.bytes))).toEqual([11]);
        expect(got[0]!.port).toBe(a.address().portId);
      });

      test('a port nobody has is ECONNREFUSED', () => {
        const a = open(NETLINK_USERSOCK);
        const gone = open(NETLINK_USERSOCK);
        const port = gone.address().portId;
        gone.close();
        expectNetlinkError(() => a.send(tagged(1), { portId: port, groups: 0 }), 'ECONNREFUSED');
      });

      test('USERSOCK has no kernel endpoint: sending to port 0 is ECONNREFUSED', () => {
        const a = open(NETLINK_USERSOCK);
        expectNetlinkError(() => a.send(tagged(1)), 'ECONNREFUSED');
      });
    });

    describe('multicast and groups', () => {
      test('every member but the sender gets one copy; the destination port gets one too', () => {
        const sender = open(NETLINK_USERSOCK, { groups: 1 });
        const member = open(NETLINK_USERSOCK);
        member.addMembership(1);
        const destination = open(NETLINK_USERSOCK, { groups: 1 });
        const outsider = open(NETLINK_USERSOCK);
        sender.send(tagged(21), { portId: destination.address().portId, groups: 1 });
        const m = receiveAll(member).datagrams;
        expect(m.map((d) => tagOf(d.bytes))).toEqual([21]);
        expect(m[0]!.groups).toBe(1);
        expect(m[0]!.port).toBe(sender.address().portId);
        expect(receiveAll(destination).datagrams.map((d) => tagOf(d.bytes))).toEqual([21]);
        expect(receiveAll(sender).datagrams).toEqual([]);
        expect(receiveAll(outsider).datagrams).toEqual([]);
      });

      test('a group send to port 0 reaches the members, then fails ECONNREFUSED on USERSOCK', () => {
        const sender = open(NETLINK_USERSOCK);
        const a = open(NETLINK_USERSOCK, { groups: 1 << 4 });
        const b = open(NETLINK_USERSOCK, { groups: 1 << 4 });
        expectNetlinkError(() => sender.send(tagged(22), { portId: 0, groups: 1 << 4 }), 'ECONNREFUSED');
        for (const t of [a, b]) {
          const got = receiveAll(t).datagrams;
          expect(got.map((d) => tagOf(d.bytes))).toEqual([22]);
          expect(got[0]!.groups).toBe(1 << 4);
        }
      });

      test('only the lowest group of a destination mask is addressed', () => {
        const sender = open(NETLINK_USERSOCK);
        const sink = open(NETLINK_USERSOCK);
        const low = open(NETLINK_USERSOCK, { groups: 0b01 });
        const high = open(NETLINK_USERSOCK, { groups: 0b10 });
        sender.send(tagged(23), { portId: sink.address().portId, groups: 0b11 });
        expect(receiveAll(low).datagrams.map((d) => d.groups)).toEqual([1]);
        expect(receiveAll(high).datagrams).toEqual([]);
        expect(receiveAll(sink).datagrams.map((d) => d.groups)).toEqual([1]);
      });

      test('dropMembership stops delivery', () => {
        const sender = open(NETLINK_USERSOCK);
        const sink = open(NETLINK_USERSOCK);
        const member = open(NETLINK_USERSOCK);
        member.addMembership(5);
        expect(member.address().groups).toBe(1 << 4);
        member.dropMembership(5);
        expect(member.memberships()).toEqual([]);
        expect(member.address().groups).toBe(0);
        sender.send(tagged(24), { portId: sink.address().portId, groups: 1 << 4 });
        expect(receiveAll(member).datagrams).toEqual([]);
        // Dropping a group one never joined is not an error.
        member.dropMembership(6);
      });

      test('packetInfo reports the group; unicast reports group 0', () => {
        const sender = open(NETLINK_USERSOCK);
        const member = open(NETLINK_USERSOCK, { groups: 1 << 2 });
        member.setOption('packetInfo', true);
        expect(member.getOption('packetInfo')).toBe(1);
        const sink = open(NETLINK_USERSOCK);
        sender.send(tagged(25), { portId: sink.address().portId, groups: 1 << 2 });
        sender.send(tagged(26), { portId: member.address().portId, groups: 0 });
        const got = receiveAll(member).datagrams;
        expect(got.map((d) => [tagOf(d.bytes), d.group, d.flags & RECV_FLAG_GROUP])).toEqual([[25, 3, RECV_FLAG_GROUP], [26, 0, RECV_FLAG_GROUP]]);
      });

      test('group 0 is EINVAL, as setsockopt(NETLINK_ADD_MEMBERSHIP) says', () => {
        const user = open(NETLINK_USERSOCK);
        expectNetlinkError(() => user.addMembership(0), 'EINVAL');
      });

      test('groups are 1..the protocol\'s count: 33 is EINVAL on USERSOCK, fine on ROUTE', () => {
        const user = open(NETLINK_USERSOCK);
        expectNetlinkError(() => user.addMembership(33), 'EINVAL');
        expectNetlinkError(() => user.dropMembership(33), 'EINVAL');
        const route = open(NETLINK_ROUTE);
        route.addMembership(33);
        route.addMembership(2);
        expect(route.memberships()).toEqual([2, 33]);
        expect(route.address().groups).toBe(1 << 1);
      });
    });

    describe('kernel requests (ROUTE)', () => {
      test('RTM_GETLINK for a missing ifindex is ENODEV, echoing the request', () => {
        const t = open(NETLINK_ROUTE);
        const request = getLink(41, NLM_F_REQUEST | NLM_F_ACK, 0x7ffffff0);
        t.send(request);
        const got = receiveAll(t).datagrams;
        expect(got).toHaveLength(1);
        expect(got[0]!.port).toBe(0);
        const [m] = messages(got[0]!.bytes);
        expect(m!.type).toBe(NLMSG_ERROR);
        expect(m!.error).toBe(-19);
        expect(m!.seq).toBe(41);
        expect(m!.pid).toBe(t.address().portId);
        expect(m!.flags & NLM_F_CAPPED).toBe(0);
        expect(m!.length).toBe(16 + 4 + request.length);
        expect(m!.bytes.slice(20)).toEqual(request);
      });

      test('capAck echoes only the request header', () => {
        const t = open(NETLINK_ROUTE);
        t.setOption('capAck', true);
        const request = getLink(42, NLM_F_REQUEST, 0x7ffffff0);
        t.send(request);
        const [m] = messages(receiveAll(t).datagrams[0]!.bytes);
        expect(m!.error).toBe(-19);
        expect(m!.flags & NLM_F_CAPPED).toBe(NLM_F_CAPPED);
        expect(m!.length).toBe(36);
        expect(m!.bytes.slice(20)).toEqual(request.slice(0, 16));
      });

      test('a successful request with NLM_F_ACK answers, then acks with error 0', () => {
        const t = open(NETLINK_ROUTE);
        t.send(getLink(43, NLM_F_REQUEST | NLM_F_ACK, 1));
        const got = receiveAll(t).datagrams.flatMap((d) => messages(d.bytes));
        expect(got.map((m) => m.type)).toEqual([RTM_NEWLINK, NLMSG_ERROR]);
        expect(linkName(got[0]!.bytes)).toBe('lo');
        expect(got[0]!.seq).toBe(43);
        expect(got[1]!.error).toBe(0);
        expect(got[1]!.flags & NLM_F_CAPPED).toBe(NLM_F_CAPPED);
        expect(got[1]!.length).toBe(36);
      });

      test('extAck adds the message and the offending attribute offset', () => {
        const t = open(NETLINK_ROUTE);
        t.setOption('extAck', true);
        t.send(getLink(44, NLM_F_REQUEST | NLM_F_ACK, 0, (b) => b.string(IFLA_IFNAME, 'x'.repeat(40))));
        const bytes = receiveAll(t).datagrams[0]!.bytes;
        const [m] = messages(bytes);
        expect(m!.error).toBe(-34);
        expect(m!.flags & NLM_F_ACK_TLVS).toBe(NLM_F_ACK_TLVS);
        const list = ackAttributes(bytes);
        const msg = list.find(NLMSGERR_ATTR_MSG);
        const offs = list.find(NLMSGERR_ATTR_OFFS);
        expect(msg).toBeGreaterThanOrEqual(0);
        expect(list.string(msg).length).toBeGreaterThan(0);
        expect(list.u32(offs)).toBe(32);
      });

      test('a message without NLM_F_REQUEST, or a control message, is only acked', () => {
        const t = open(NETLINK_ROUTE);
        t.send(getLink(45, NLM_F_ACK, 1));
        const b = loadCodec().builder().reset();
        t.send(b.begin(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 46).end().finish().slice());
        const got = receiveAll(t).datagrams.flatMap((d) => messages(d.bytes));
        expect(got.map((m) => [m.type, m.seq, m.error])).toEqual([[NLMSG_ERROR, 45, 0], [NLMSG_ERROR, 46, 0]]);
      });

      test('requests in one datagram are answered in order, each in its own datagram', () => {
        const t = open(NETLINK_ROUTE);
        const both = new Uint8Array([...getLink(47, NLM_F_REQUEST | NLM_F_ACK, 0x7ffffff1), ...getLink(48, NLM_F_REQUEST | NLM_F_ACK, 0x7ffffff2)]);
        t.send(both);
        const got = receiveAll(t).datagrams;
        expect(got).toHaveLength(2);
        expect(got.map((d) => messages(d.bytes)[0]!.seq)).toEqual([47, 48]);
      });

      test('replies from the kernel come from port 0 with zero credentials', () => {
        const t = open(NETLINK_ROUTE);
        t.setOption('passCredentials', true);
        t.send(getLink(49, NLM_F_REQUEST, 1));
        const [d] = receiveAll(t).datagrams;
        expect(d!.flags & RECV_FLAG_CREDENTIALS).toBe(RECV_FLAG_CREDENTIALS);
        expect([d!.port, d!.pid, d!.uid, d!.gid]).toEqual([0, 0, 0, 0]);
      });
    });

    describe('dump framing', () => {
      test('RTM_GETLINK dump: NLM_F_MULTI parts ending in NLMSG_DONE with error 0', async () => {
        await harness.kernel.addVethPair('cta0', 'ctb0');
        const t = open(NETLINK_ROUTE);
        t.send(getLink(51, NLM_F_REQUEST | NLM_F_DUMP, 0));
        const got = receiveAll(t).datagrams.flatMap((d) => messages(d.bytes));
        const done = got[got.length - 1]!;
        expect(done.type).toBe(NLMSG_DONE);
        expect(done.flags & NLM_F_MULTI).toBe(NLM_F_MULTI);
        expect(done.error).toBe(0);
        const links = got.slice(0, -1);
        for (const m of links) {
          expect(m.type).toBe(RTM_NEWLINK);
          expect(m.flags & NLM_F_MULTI).toBe(NLM_F_MULTI);
          expect(m.seq).toBe(51);
          expect(m.pid).toBe(t.address().portId);
        }
        expect(links.map((m) => linkName(m.bytes)).sort()).toEqual(['cta0', 'ctb0', 'lo']);
      });

      test('a dump larger than the receive buffer arrives whole, part by part, without overrun', async () => {
        for (let i = 1; i <= 20; i++) await harness.kernel.addVethPair(`cbig${i}`, `cbigp${i}`);
        const t = open(NETLINK_ROUTE);
        t.setOption('receiveBuffer', 4096);
        t.send(getLink(52, NLM_F_REQUEST | NLM_F_DUMP, 0));
        const { datagrams, overruns } = receiveAll(t, 1, 32768);
        expect(overruns).toBe(0);
        expect(datagrams.length).toBeGreaterThan(2);
        const all = datagrams.flatMap((d) => messages(d.bytes));
        const names = all.filter((m) => m.type === RTM_NEWLINK).map((m) => linkName(m.bytes));
        for (let i = 1; i <= 20; i++) expect(names).toContain(`cbig${i}`);
        expect(new Set(names).size).toBe(names.length);
        expect(all.filter((m) => m.type === NLMSG_DONE)).toHaveLength(1);
        expect(all[all.length - 1]!.type).toBe(NLMSG_DONE);
      });
    });

    describe('overrun', () => {
      const flood = (receiver: Transport, count: number) => {
        const sender = open(NETLINK_USERSOCK);
        const sink = open(NETLINK_USERSOCK);
        for (let i = 0; i < count; i++) sender.send(tagged(i), { portId: sink.address().portId, groups: 1 });
        return { sender, sink };
      };

      test('a full receive buffer drops multicast and reports the overrun once', () => {
        const r = open(NETLINK_USERSOCK, { groups: 1 });
        r.setOption('receiveBuffer', 4096);
        const { sender, sink } = flood(r, 60);
        const first = receiveOnce(r, 100);
        expect(first.overrun).toBe(true);
        const ids = first.datagrams.map((d) => tagOf(d.bytes));
        expect(ids.length).toBeGreaterThan(0);
        expect(ids.length).toBeLessThan(60);
        expect(ids).toEqual(ids.map((_, i) => i));
        expect(receiveOnce(r, 100)).toEqual({ datagrams: [], overrun: false });
        // Drained, the socket takes datagrams again.
        sender.send(tagged(99), { portId: sink.address().portId, groups: 1 });
        const after = receiveOnce(r, 100);
        expect(after.overrun).toBe(false);
        expect(after.datagrams.map((d) => tagOf(d.bytes))).toEqual([99]);
      });

      test('after an overrun everything is dropped until the queue is drained', () => {
        const r = open(NETLINK_USERSOCK, { groups: 1 });
        r.setOption('receiveBuffer', 4096);
        const { sender, sink } = flood(r, 60);
        const one = receiveOnce(r, 1);
        expect(one.overrun).toBe(true);
        expect(one.datagrams.map((d) => tagOf(d.bytes))).toEqual([0]);
        sender.send(tagged(1000), { portId: sink.address().portId, groups: 1 });
        const rest = receiveAll(r, 100);
        expect(rest.overruns).toBe(0);
        expect(rest.datagrams.map((d) => tagOf(d.bytes))).not.toContain(1000);
        sender.send(tagged(2000), { portId: sink.address().portId, groups: 1 });
        expect(receiveAll(r).datagrams.map((d) => tagOf(d.bytes))).toEqual([2000]);
      });

      test('noEnobufs drops without reporting', () => {
        const r = open(NETLINK_USERSOCK, { groups: 1 });
        r.setOption('receiveBuffer', 4096);
        r.setOption('noEnobufs', true);
        flood(r, 60);
        const all = receiveAll(r, 100);
        expect(all.overruns).toBe(0);
        expect(all.datagrams.length).toBeGreaterThan(0);
        expect(all.datagrams.length).toBeLessThan(60);
      });

      test('unicast to a full socket fails EAGAIN at the sender, and the receiver sees no overrun', () => {
        const r = open(NETLINK_USERSOCK);
        r.setOption('receiveBuffer', 4096);
        const sender = open(NETLINK_USERSOCK);
        let sent = 0;
        let error: unknown;
        for (; sent < 100; sent++) {
          try {
            sender.send(tagged(sent), { portId: r.address().portId, groups: 0 });
          } catch (e) {
            error = e;
            break;
          }
        }
        expect(error).toBeInstanceOf(NetlinkError);
        expect((error as NetlinkError).code).toBe('EAGAIN');
        const all = receiveAll(r, 100);
        expect(all.overruns).toBe(0);
        expect(all.datagrams.map((d) => tagOf(d.bytes))).toEqual([...Array(sent).keys()]);
      });
    });

    describe('truncation', () => {
      test('a datagram larger than its slot is cut, flagged, and reports its real size', () => {
        const a = open(NETLINK_USERSOCK);
        const b = open(NETLINK_USERSOCK);
        a.send(tagged(31, 64), { portId: b.address().portId, groups: 0 });
        a.send(tagged(32, 20), { portId: b.address().portId, groups: 0 });
        const { datagrams } = receiveOnce(b, 4, 32);
        expect(datagrams).toHaveLength(2);
        expect(datagrams[0]!.flags & RECV_FLAG_TRUNCATED).toBe(RECV_FLAG_TRUNCATED);
        expect([datagrams[0]!.length, datagrams[0]!.size]).toEqual([32, 64]);
        expect(datagrams[0]!.bytes).toEqual(tagged(31, 64).slice(0, 32));
        expect(datagrams[1]!.flags & RECV_FLAG_TRUNCATED).toBe(0);
        expect(datagrams[1]!.bytes).toEqual(tagged(32, 20));
      });
    });

    describe('credentials', () => {
      test('only a socket with passCredentials gets them, carrying the sender process', () => {
        const a = open(NETLINK_USERSOCK);
        const b = open(NETLINK_USERSOCK);
        a.send(tagged(1), { portId: b.address().portId, groups: 0 });
        const [plain] = receiveAll(b).datagrams;
        expect(plain!.flags & RECV_FLAG_CREDENTIALS).toBe(0);
        b.setOption('passCredentials', true);
        expect(b.getOption('passCredentials')).toBe(1);
        a.send(tagged(2), { portId: b.address().portId, groups: 0 });
        const [d] = receiveAll(b).datagrams;
        expect(d!.flags & RECV_FLAG_CREDENTIALS).toBe(RECV_FLAG_CREDENTIALS);
        expect({ pid: d!.pid, uid: d!.uid, gid: d!.gid }).toEqual(harness.credentials);
        expect(d!.port).toBe(a.address().portId);
      });
    });

    describe('readiness', () => {
      test('the handler runs later, never inside send, and again while data remains', async () => {
        const a = open(NETLINK_USERSOCK);
        const b = open(NETLINK_USERSOCK);
        let calls = 0;
        b.setReadableHandler(() => { calls++; });
        a.send(tagged(1), { portId: b.address().portId, groups: 0 });
        expect(calls).toBe(0);
        await eventually(() => calls >= 2);
        b.setReadableHandler(() => { calls++; receiveAll(b); });
        const before = calls;
        await eventually(() => calls > before);
        const drained = calls;
        await turns(10);
        expect(calls).toBe(drained);
        b.setReadableHandler(null);
      });

      test('no handler call after close', async () => {
        const a = open(NETLINK_USERSOCK);
        const b = open(NETLINK_USERSOCK);
        let calls = 0;
        b.setReadableHandler(() => { calls++; });
        a.send(tagged(1), { portId: b.address().portId, groups: 0 });
        b.close();
        await turns(10);
        expect(calls).toBe(0);
      });
    });

    describe('close', () => {
      test('close is idempotent; later calls are EBADF; the port is free again', () => {
        const a = open(NETLINK_USERSOCK);
        const port = a.address().portId;
        expect(a.closed).toBe(false);
        a.close();
        a.close();
        expect(a.closed).toBe(true);
        expectNetlinkError(() => a.send(tagged(1), { portId: port, groups: 0 }), 'EBADF');
        expectNetlinkError(() => a.receive(makeRegion(1, 64)), 'EBADF');
        expectNetlinkError(() => a.address(), 'EBADF');
        expectNetlinkError(() => a.addMembership(1), 'EBADF');
        expectNetlinkError(() => a.setOption('passCredentials', true), 'EBADF');
        const again = open(NETLINK_USERSOCK, { portId: port });
        expect(again.address().portId).toBe(port);
      });

      test('what was queued for a closed socket is gone; its port refuses', () => {
        const a = open(NETLINK_USERSOCK);
        const b = open(NETLINK_USERSOCK);
        const port = b.address().portId;
        a.send(tagged(1), { portId: port, groups: 0 });
        b.close();
        expectNetlinkError(() => a.send(tagged(2), { portId: port, groups: 0 }), 'ECONNREFUSED');
      });
    });

    describe('options', () => {
      test('receiveBuffer is doubled for overhead and floored, like SO_RCVBUF', () => {
        const a = open(NETLINK_USERSOCK);
        a.setOption('receiveBuffer', 4096);
        expect(a.getOption('receiveBuffer')).toBe(8192);
        a.setOption('receiveBuffer', 100000);
        expect(a.getOption('receiveBuffer')).toBe(200000);
        a.setOption('receiveBuffer', 0);
        expect(a.getOption('receiveBuffer')).toBe(2304);
      });

      test('boolean options read back as 0 or 1', () => {
        const a = open(NETLINK_ROUTE);
        for (const option of ['passCredentials', 'packetInfo', 'broadcastError', 'noEnobufs', 'capAck', 'extAck', 'strictCheck'] as const) {
          expect(a.getOption(option)).toBe(0);
          a.setOption(option, true);
          expect(a.getOption(option)).toBe(1);
          a.setOption(option, false);
          expect(a.getOption(option)).toBe(0);
        }
      });
    });

    describe('bad arguments', () => {
      test('wrong types and ranges are ArgumentErrors, not crashes', () => {
        const a = open(NETLINK_USERSOCK);
        expect(() => a.send('nope' as unknown as Uint8Array)).toThrow(ArgumentError);
        expect(() => a.send(tagged(1), { portId: -1, groups: 0 })).toThrow(ArgumentError);
        expect(() => a.send(tagged(1), { portId: 1.5, groups: 0 })).toThrow(ArgumentError);
        expect(() => a.sendBatch(new Uint8Array(10), [8, 8])).toThrow(ArgumentError);
        expect(() => a.receive({ region: new Uint8Array(64), slotSize: 64, slots: 2, meta: new Uint32Array(20) })).toThrow(ArgumentError);
        expect(() => a.receive({ region: new Uint8Array(128), slotSize: 64, slots: 2, meta: new Uint32Array(10) })).toThrow(ArgumentError);
        expect(() => a.setOption('noSuchOption' as never, 1)).toThrow(ArgumentError);
        // Both transports take exactly what setsockopt's int can hold.
        expect(() => a.setOption('receiveBuffer', 4096.5)).toThrow(ArgumentError);
        expect(() => a.setOption('receiveBuffer', 0x80000000)).toThrow(ArgumentError);
        expect(() => a.setOption('receiveBuffer', -1)).toThrow(ArgumentError);
        expect(() => a.addMembership(1.5)).toThrow(ArgumentError);
        expect(() => open(NETLINK_USERSOCK, { portId: -5 })).toThrow(ArgumentError);
      });

      test('an empty datagram is ENODATA, as sendmsg says', () => {
        const a = open(NETLINK_USERSOCK);
        const b = open(NETLINK_USERSOCK);
        expectNetlinkError(() => a.send(new Uint8Array(0), { portId: b.address().portId, groups: 0 }), 'ENODATA');
      });

      test('a protocol the kernel lacks is EPROTONOSUPPORT', () => {
        expectNetlinkError(() => open(1), 'EPROTONOSUPPORT');
      });
    });
  });
}
