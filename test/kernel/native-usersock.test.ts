// User-to-user netlink (NETLINK_USERSOCK) through NativeTransport: unicast and
// multicast between two sockets, sender port ids, credentials, truncation,
// batches, and a multicast flood that overruns a small receive buffer.

import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { loadCodec, NetlinkError, NETLINK_USERSOCK } from '../../src/codec/index.js';
import { openNative, type NativeTransport } from '../../src/transport/native.js';
import {
  RECV_META_STRIDE, RECV_META_LENGTH, RECV_META_SIZE, RECV_META_FLAGS, RECV_META_PORT, RECV_META_GROUPS,
  RECV_META_GROUP, RECV_META_PID, RECV_META_UID, RECV_META_GID, RECV_FLAG_TRUNCATED, RECV_FLAG_CREDENTIALS,
  RECV_FLAG_GROUP,
} from '../../src/transport/transport.js';

interface Datagram {
  bytes: Uint8Array;
  meta: Uint32Array;
}

/** Everything queued right now (multicast and unicast are queued by the time send returns). */
function drain(t: NativeTransport, slotSize = 4096, slots = 16): { datagrams: Datagram[]; overruns: number } {
  const region = new Uint8Array(slotSize * slots);
  const meta = new Uint32Array(slots * RECV_META_STRIDE);
  const datagrams: Datagram[] = [];
  let overruns = 0;
  for (;;) {
    const r = t.receive({ region, slotSize, slots, meta });
    if (r.overrun) overruns++;
    for (let i = 0; i < r.datagrams; i++) {
      const row = meta.slice(i * RECV_META_STRIDE, (i + 1) * RECV_META_STRIDE);
      datagrams.push({ bytes: region.slice(i * slotSize, i * slotSize + row[RECV_META_LENGTH]!), meta: row });
    }
    if (r.datagrams === 0 && !r.overrun) return { datagrams, overruns };
  }
}

/** A datagram of `size` bytes: a netlink header then a counting pattern. */
function datagram(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  if (size >= 16) {
    view.setUint32(0, size, true);
    view.setUint16(4, 0x100, true);
    view.setUint32(8, seed, true);
  }
  for (let i = 16; i < size; i++) bytes[i] = (seed + i) & 0xff;
  return bytes;
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** The Drops column of /proc/net/netlink for a socket, read inside its namespace. */
function kernelDrops(ns: TestNetns, portId: number): number {
  const lines = ns.exec('cat', '/proc/net/netlink').trim().split('\n');
  const header = lines[0]!.trim().split(/\s+/);
  const eth = header.indexOf('Eth');
  const pid = header.indexOf('Pid');
  const drops = header.indexOf('Drops');
  for (const line of lines.slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (Number(cols[eth]) === NETLINK_USERSOCK && Number(cols[pid]) >>> 0 === portId) return Number(cols[drops]);
  }
  throw new Error(`socket ${portId} is not in /proc/net/netlink`);
}

describeKernel('native transport: user-to-user netlink', () => {
  let ns: TestNetns;
  const sockets: NativeTransport[] = [];
  const open = (portId?: number): NativeTransport => {
    const t = openNative(NETLINK_USERSOCK, portId === undefined ? { netns: ns.name } : { netns: ns.name, portId });
    sockets.push(t);
    return t;
  };

  beforeAll(() => {
    ns = TestNetns.create('nlkit-usersock');
  });
  afterEach(() => {
    for (const t of sockets.splice(0)) t.close();
  });
  afterAll(() => ns?.remove());

  it('binds the port id asked for, refuses a taken one, and lets the kernel choose otherwise', () => {
    const a = open(4242);
    expect(a.address()).toEqual({ portId: 4242, groups: 0 });
    const error = thrown(() => open(4242));
    expect(error).toBeInstanceOf(NetlinkError);
    expect(error).toMatchObject({ code: 'EADDRINUSE', operation: 'bind', errno: 98 });
    const b = open();
    const c = open();
    expect(b.address().portId).not.toBe(0);
    expect(c.address().portId).not.toBe(b.address().portId);
  });

  it('exchanges unicast datagrams, each with its sender port id', () => {
    const a = open();
    const b = open();
    const one = datagram(40, 1);
    const two = datagram(300, 2);
    a.send(one, { portId: b.address().portId, groups: 0 });
    b.send(two, { portId: a.address().portId, groups: 0 });
    a.send(datagram(24, 3), { portId: b.address().portId, groups: 0 });

    const atB = drain(b);
    expect(atB.overruns).toBe(0);
    expect(atB.datagrams.map((d) => d.bytes)).toEqual([one, datagram(24, 3)]);
    for (const d of atB.datagrams) {
      expect(d.meta[RECV_META_PORT]).toBe(a.address().portId);
      expect(d.meta[RECV_META_GROUPS]).toBe(0);
      expect(d.meta[RECV_META_SIZE]).toBe(d.bytes.length);
      expect(d.meta[RECV_META_FLAGS]).toBe(0);
    }
    const atA = drain(a);
    expect(atA.datagrams.map((d) => d.bytes)).toEqual([two]);
    expect(atA.datagrams[0]!.meta[RECV_META_PORT]).toBe(b.address().portId);
  });

  it('sending to a port nobody holds is ECONNREFUSED', () => {
    const a = open();
    const b = open();
    const gone = b.address().portId;
    b.close();
    expect(thrown(() => a.send(datagram(16, 0), { portId: gone, groups: 0 })))
      .toMatchObject({ code: 'ECONNREFUSED', operation: 'sendmsg' });
  });

  it('multicasts to the members of a group, and says which group with packetInfo', () => {
    const sender = open();
    const member = open();
    const other = open();
    member.addMembership(3);
    member.setOption('packetInfo', true);
    other.addMembership(4);
    const bytes = datagram(64, 9);
    // USERSOCK has no kernel socket at port 0: the kernel delivers to the
    // group, then fails the unicast part of the send with ECONNREFUSED.
    expect(thrown(() => sender.send(bytes, { portId: 0, groups: 1 << 2 })))
      .toMatchObject({ code: 'ECONNREFUSED', operation: 'sendmsg' });

    const got = drain(member).datagrams;
    expect(got.map((d) => d.bytes)).toEqual([bytes]);
    expect(got[0]!.meta[RECV_META_PORT]).toBe(sender.address().portId);
    expect(got[0]!.meta[RECV_META_GROUPS]).toBe(1 << 2);
    expect(got[0]!.meta[RECV_META_FLAGS]! & RECV_FLAG_GROUP).toBe(RECV_FLAG_GROUP);
    expect(got[0]!.meta[RECV_META_GROUP]).toBe(3);
    expect(drain(other).datagrams).toEqual([]);
    expect(drain(sender).datagrams).toEqual([]);

    // Sent to a member's port id as well: one copy to the group (except that
    // port) and one unicast copy to the port.
    const third = open();
    third.addMembership(3);
    sender.send(bytes, { portId: member.address().portId, groups: 1 << 2 });
    const unicast = drain(member).datagrams;
    expect(unicast.length).toBe(1);
    // The kernel stamps the destination group on the message itself, so the
    // unicast copy names the group too.
    expect(unicast[0]!.meta[RECV_META_GROUP]).toBe(3);
    expect(unicast[0]!.meta[RECV_META_GROUPS]).toBe(1 << 2);
    // PKTINFO comes with every datagram; group 0 means plain unicast.
    sender.send(bytes, { portId: member.address().portId, groups: 0 });
    const plain = drain(member).datagrams;
    expect(plain.length).toBe(1);
    expect(plain[0]!.meta[RECV_META_FLAGS]! & RECV_FLAG_GROUP).toBe(RECV_FLAG_GROUP);
    expect(plain[0]!.meta[RECV_META_GROUP]).toBe(0);
    expect(plain[0]!.meta[RECV_META_GROUPS]).toBe(0);
    expect(drain(third).datagrams.map((d) => d.bytes)).toEqual([bytes]);
  });

  it('reports the sender credentials when passCredentials is on, and only then', () => {
    const a = open();
    const b = open();
    const to = { portId: b.address().portId, groups: 0 };
    // Whether credentials come is decided when the datagram is received.
    a.send(datagram(20, 1), to);
    const [before] = drain(b).datagrams;
    b.setOption('passCredentials', true);
    expect(b.getOption('passCredentials')).toBe(1);
    a.send(datagram(20, 2), to);
    const [after] = drain(b).datagrams;
    expect(before!.meta[RECV_META_FLAGS]! & RECV_FLAG_CREDENTIALS).toBe(0);
    expect(before!.meta[RECV_META_PID]).toBe(0);
    expect(after!.meta[RECV_META_FLAGS]! & RECV_FLAG_CREDENTIALS).toBe(RECV_FLAG_CREDENTIALS);
    expect(after!.meta[RECV_META_PID]).toBe(process.pid);
    expect(after!.meta[RECV_META_UID]).toBe(process.getuid!());
    expect(after!.meta[RECV_META_GID]).toBe(process.getgid!());
  });

  it('flags a datagram larger than its slot with its real size instead of cutting it silently', () => {
    const a = open();
    const b = open();
    const to = { portId: b.address().portId, groups: 0 };
    const big = datagram(1000, 5);
    const small = datagram(48, 6);
    a.send(big, to);
    a.send(small, to);
    const { datagrams } = drain(b, 64, 4);
    expect(datagrams.length).toBe(2);
    const [cut, whole] = datagrams;
    expect(cut!.meta[RECV_META_LENGTH]).toBe(64);
    expect(cut!.meta[RECV_META_SIZE]).toBe(1000);
    expect(cut!.meta[RECV_META_FLAGS]! & RECV_FLAG_TRUNCATED).toBe(RECV_FLAG_TRUNCATED);
    expect(cut!.bytes).toEqual(big.subarray(0, 64));
    expect(whole!.meta[RECV_META_SIZE]).toBe(48);
    expect(whole!.meta[RECV_META_FLAGS]! & RECV_FLAG_TRUNCATED).toBe(0);
    expect(whole!.bytes).toEqual(small);
  });

  it('sends a batch of datagrams in one call, straight from builder memory', () => {
    const codec = loadCodec();
    const a = open();
    const b = open();
    const builder = codec.builder().reset();
    const lengths: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = builder.length;
      builder.begin(0x200 + i, 0, 100 + i).u32(1, i).string(2, 'x'.repeat(i * 7)).end();
      lengths.push(builder.length - before);
    }
    const batch = builder.finish();
    expect(lengths.reduce((x, y) => x + y, 0)).toBe(batch.length);
    expect(a.sendBatch(batch, lengths, { portId: b.address().portId, groups: 0 })).toBe(5);
    const got = drain(b).datagrams;
    expect(got.map((d) => d.bytes.length)).toEqual(lengths);
    const scanned = codec.scan(new Uint8Array(got.flatMap((d) => [...d.bytes])), lengths);
    expect(scanned.count).toBe(5);
    for (let i = 0; i < 5; i++) {
      expect(scanned.type(i)).toBe(0x200 + i);
      expect(scanned.seq(i)).toBe(100 + i);
      expect(scanned.datagram(i)).toBe(i);
    }
    // Uint32Array lengths are used as they are.
    expect(a.sendBatch(batch, new Uint32Array(lengths.slice(0, 2)), { portId: b.address().portId, groups: 0 })).toBe(2);
    expect(drain(b).datagrams.length).toBe(2);
  });

  it('stops a batch when the receiver is full and reports how many went', () => {
    const a = open();
    const b = open();
    b.setOption('receiveBuffer', 4096);
    const data = new Uint8Array(200 * 256);
    const lengths = new Array<number>(200).fill(256);
    const sent = a.sendBatch(data, lengths, { portId: b.address().portId, groups: 0 });
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(200);
    const received = drain(b);
    // Unicast between users is flow-controlled: nothing was dropped.
    expect(received.overruns).toBe(0);
    expect(received.datagrams.length).toBe(sent);
    expect(kernelDrops(ns, b.address().portId)).toBe(0);
  });

  it('reads back buffer sizes as the kernel keeps them (doubled)', () => {
    const a = open();
    a.setOption('receiveBuffer', 65536);
    expect(a.getOption('receiveBuffer')).toBe(131072);
    a.setOption('sendBuffer', 65536);
    expect(a.getOption('sendBuffer')).toBe(131072);
    a.setOption('receiveBufferForce', 8 << 20);
    expect(a.getOption('receiveBufferForce')).toBe(16 << 20);
    expect(a.getOption('receiveBuffer')).toBe(16 << 20);
    for (const option of ['packetInfo', 'broadcastError', 'noEnobufs', 'capAck', 'extAck', 'strictCheck'] as const) {
      expect(a.getOption(option)).toBe(0);
      a.setOption(option, true);
      expect(a.getOption(option)).toBe(1);
      a.setOption(option, 0);
      expect(a.getOption(option)).toBe(0);
    }
  });

  it('reports a multicast overrun once, with the kernel\'s drop count, and keeps working', () => {
    const sender = open();
    const receiver = open();
    receiver.addMembership(1);
    receiver.setOption('receiveBuffer', 4096);
    const flood = 2000;
    const bytes = datagram(128, 7);
    for (let i = 0; i < flood; i++) {
      new DataView(bytes.buffer).setUint32(8, i, true);
      try {
        sender.send(bytes, { portId: 0, groups: 1 });
      } catch (e) {
        // Delivered to the group; USERSOCK has no port 0 (see above).
        if (!(e instanceof NetlinkError && e.code === 'ECONNREFUSED')) throw e;
      }
    }
    const dropped = kernelDrops(ns, receiver.address().portId);
    const { datagrams, overruns } = drain(receiver);
    expect(dropped).toBeGreaterThan(0);
    expect(overruns).toBe(1);
    expect(datagrams.length + dropped).toBe(flood);
    // What arrived is in order and intact.
    const seqs = datagrams.map((d) => new DataView(d.bytes.buffer).getUint32(8, true));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(seqs[0]).toBe(0);

    // Afterwards the socket works as before: no new overrun, everything arrives.
    for (let i = 0; i < 3; i++) {
      try {
        sender.send(datagram(32, i), { portId: 0, groups: 1 });
      } catch (e) {
        if (!(e instanceof NetlinkError && e.code === 'ECONNREFUSED')) throw e;
      }
    }
    const after = drain(receiver);
    expect(after.overruns).toBe(0);
    expect(after.datagrams.map((d) => d.bytes)).toEqual([0, 1, 2].map((i) => datagram(32, i)));
    expect(kernelDrops(ns, receiver.address().portId)).toBe(dropped);
  });

  it('with noEnobufs the kernel still drops but reports no overrun', () => {
    const sender = open();
    const receiver = open();
    receiver.addMembership(2);
    receiver.setOption('receiveBuffer', 4096);
    receiver.setOption('noEnobufs', true);
    for (let i = 0; i < 500; i++) {
      try {
        sender.send(datagram(128, i), { portId: 0, groups: 1 << 1 });
      } catch (e) {
        if (!(e instanceof NetlinkError && e.code === 'ECONNREFUSED')) throw e;
      }
    }
    const dropped = kernelDrops(ns, receiver.address().portId);
    const { datagrams, overruns } = drain(receiver);
    expect(dropped).toBeGreaterThan(0);
    expect(overruns).toBe(0);
    expect(datagrams.length + dropped).toBe(500);
  });
});
