// NativeTransport against the real kernel: rtnetlink dumps and notifications,
// generic netlink, multicast groups above 32, namespace ids. Every socket is
// opened inside a namespace this file creates and removes.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import {
  loadCodec, NetlinkError, NLM_F_REQUEST, NLM_F_DUMP, NLM_F_ACK, NLMSG_DONE, NLMSG_ERROR,
  NETLINK_ROUTE, NETLINK_GENERIC, NETLINK_USERSOCK, type Batch,
} from '../../src/codec/index.js';
import { openNative, type NativeTransport } from '../../src/transport/native.js';
import {
  RECV_META_STRIDE, RECV_META_LENGTH, RECV_META_PORT, RECV_META_GROUPS, RECV_META_GROUP, RECV_META_FLAGS,
  RECV_META_NSID, RECV_FLAG_GROUP, RECV_FLAG_NSID, RECV_FLAG_TRUNCATED,
} from '../../src/transport/transport.js';

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const IFINFOMSG_SIZE = 16;
const IFLA_IFNAME = 3;
const RTNLGRP_LINK = 1;
const GENL_ID_CTRL = 0x10;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;
const GENLMSGHDR_SIZE = 4;
const ENOENT = 2;
const EINVAL = 22;

const codec = loadCodec();

interface Received {
  /** Metadata rows of the datagrams, RECV_META_STRIDE words each. */
  meta: number[][];
  /** The messages, scanned; read before the next receive. */
  batch: Batch;
}

/**
 * Waits for readiness, receives into a codec scanner's input region (no copy)
 * and scans; calls `onBatch` per receive until it returns true.
 */
function receiveScanned(t: NativeTransport, onBatch: (r: Received) => boolean, slots = 8, slotSize = 32768): Promise<void> {
  const scanner = codec.scanner();
  const meta = new Uint32Array(slots * RECV_META_STRIDE);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      t.setReadableHandler(null);
      reject(new Error('no complete answer from the kernel within 10 s'));
    }, 10_000);
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      t.setReadableHandler(null);
      scanner.release();
      if (error) reject(error);
      else resolve();
    };
    t.setReadableHandler(() => {
      try {
        const region = scanner.input(slots * slotSize);
        const { datagrams, overrun } = t.receive({ region, slotSize, slots, meta });
        if (overrun) throw new Error('unexpected overrun');
        const rows: number[][] = [];
        for (let i = 0; i < datagrams; i++) {
          const row = Array.from(meta.subarray(i * RECV_META_STRIDE, (i + 1) * RECV_META_STRIDE));
          if (row[RECV_META_FLAGS]! & RECV_FLAG_TRUNCATED) throw new Error('a kernel answer was truncated');
          scanner.setDatagram(i, i * slotSize, row[RECV_META_LENGTH]!);
          rows.push(row);
        }
        if (onBatch({ meta: rows, batch: scanner.scan(datagrams) })) finish();
      } catch (e) {
        finish(e);
      }
    });
  });
}

function ifname(batch: Batch, i: number): string | null {
  const list = batch.attributes(i, IFINFOMSG_SIZE, { descend: false });
  const j = list.find(IFLA_IFNAME);
  return j < 0 ? null : list.string(j);
}

/** Dumps the links of the transport's namespace by name. */
async function dumpLinks(t: NativeTransport, seq: number, stats?: { datagrams: number; receives: number }, slots = 8): Promise<string[]> {
  const request = codec.builder().reset().begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq)
    .header(new Uint8Array(IFINFOMSG_SIZE)).end().finish();
  t.send(request); // straight from WASM memory
  const names: string[] = [];
  await receiveScanned(t, ({ meta, batch }) => {
    if (stats) {
      stats.datagrams += meta.length;
      stats.receives++;
    }
    for (const row of meta) expect(row[RECV_META_PORT]).toBe(0); // from the kernel
    for (let i = 0; i < batch.count; i++) {
      batch.check(i);
      expect(batch.seq(i)).toBe(seq);
      if (batch.type(i) === NLMSG_DONE) return true;
      if (batch.type(i) === NLMSG_ERROR) throw new NetlinkError(-batch.errorCode(i), { operation: 'dump' });
      expect(batch.type(i)).toBe(RTM_NEWLINK);
      const name = ifname(batch, i);
      if (name !== null) names.push(name);
    }
    return false;
  }, slots);
  return names;
}

describeKernel('native transport: rtnetlink, generic netlink, groups', () => {
  let ns: TestNetns;
  let peer: TestNetns;
  const open: NativeTransport[] = [];
  const track = (t: NativeTransport) => (open.push(t), t);

  beforeAll(() => {
    ns = TestNetns.create('nlkit-native');
    peer = TestNetns.create('nlkit-native-peer');
  });
  afterAll(() => {
    for (const t of open) t.close();
    peer?.remove();
    ns?.remove();
  });

  it('dumps the links of its namespace, lo and the veth pair made there', async () => {
    const t = track(openNative(NETLINK_ROUTE, { netns: ns.name }));
    expect(await dumpLinks(t, 1)).toEqual(['lo']);
    ns.ip('link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
    const names = await dumpLinks(t, 2);
    expect(names.sort()).toEqual(['lo', 'va', 'vb']);
    ns.ip('link', 'del', 'va');
    expect(await dumpLinks(t, 3)).toEqual(['lo']);
  });

  it('receives a dump that spans many datagrams, a few per receive', async () => {
    const t = track(openNative(NETLINK_ROUTE, { netns: ns.name }));
    const expected = ['lo'];
    for (let i = 0; i < 24; i++) {
      ns.ip('link', 'add', `m${i}a`, 'type', 'veth', 'peer', 'name', `m${i}b`);
      expected.push(`m${i}a`, `m${i}b`);
    }
    try {
      const stats = { datagrams: 0, receives: 0 };
      const names = await dumpLinks(t, 5, stats, 2);
      expect(names.sort()).toEqual(expected.sort());
      // 49 links do not fit in one dump datagram; two slots per receive.
      expect(stats.datagrams).toBeGreaterThan(2);
      expect(stats.receives).toBeGreaterThanOrEqual(Math.ceil(stats.datagrams / 2));
    } finally {
      for (let i = 0; i < 24; i++) ns.ip('link', 'del', `m${i}a`);
    }
  });

  it('opens by namespace path and by namespace fd as well as by name', async () => {
    const { openSync, closeSync } = await import('node:fs');
    ns.ip('link', 'add', 'vp0', 'type', 'veth', 'peer', 'name', 'vp1');
    try {
      const byPath = track(openNative(NETLINK_ROUTE, { netns: ns.path }));
      expect((await dumpLinks(byPath, 10)).sort()).toEqual(['lo', 'vp0', 'vp1']);
      const fd = openSync(ns.path, 'r');
      try {
        const byFd = track(openNative(NETLINK_ROUTE, { netns: fd }));
        expect((await dumpLinks(byFd, 11)).sort()).toEqual(['lo', 'vp0', 'vp1']);
      } finally {
        closeSync(fd);
      }
      // The other namespace is a different world.
      const other = track(openNative(NETLINK_ROUTE, { netns: peer.name }));
      expect(await dumpLinks(other, 12)).toEqual(['lo']);
    } finally {
      ns.ip('link', 'del', 'vp0');
    }
  });

  it('receives RTM_NEWLINK notifications of RTNLGRP_LINK, with the group from PKTINFO', async () => {
    const t = track(openNative(NETLINK_ROUTE, { netns: ns.name }));
    t.addMembership(RTNLGRP_LINK);
    t.setOption('packetInfo', true);
    expect(t.memberships()).toEqual([RTNLGRP_LINK]);
    expect(t.address().groups).toBe(1 << (RTNLGRP_LINK - 1));
    const seen = new Set<string>();
    const done = receiveScanned(t, ({ meta, batch }) => {
      for (const row of meta) {
        expect(row[RECV_META_PORT]).toBe(0);
        expect(row[RECV_META_GROUPS]).toBe(1 << (RTNLGRP_LINK - 1));
        expect(row[RECV_META_FLAGS]! & RECV_FLAG_GROUP).toBe(RECV_FLAG_GROUP);
        expect(row[RECV_META_GROUP]).toBe(RTNLGRP_LINK);
      }
      for (let i = 0; i < batch.count; i++) {
        batch.check(i);
        if (batch.type(i) !== RTM_NEWLINK) continue;
        const name = ifname(batch, i);
        if (name) seen.add(name);
      }
      return seen.has('na') && seen.has('nb');
    });
    ns.ip('link', 'add', 'na', 'type', 'veth', 'peer', 'name', 'nb');
    try {
      await done;
      expect([...seen].sort()).toEqual(['na', 'nb']);
    } finally {
      ns.ip('link', 'del', 'na');
    }
  });

  it('with listenAllNsid, tags notifications from a peer namespace with its nsid', async () => {
    const t = track(openNative(NETLINK_ROUTE, { netns: ns.name }));
    t.setOption('listenAllNsid', true);
    expect(t.getOption('listenAllNsid')).toBe(1);
    t.addMembership(RTNLGRP_LINK);
    ns.ip('netns', 'set', peer.name, '7');
    let nsid = -1;
    const done = receiveScanned(t, ({ meta, batch }) => {
      for (let i = 0; i < batch.count; i++) {
        const row = meta[batch.datagram(i)]!;
        if (batch.type(i) === RTM_NEWLINK && ifname(batch, i) === 'pa' && row[RECV_META_FLAGS]! & RECV_FLAG_NSID) {
          nsid = row[RECV_META_NSID]! | 0;
          return true;
        }
      }
      return false;
    });
    peer.ip('link', 'add', 'pa', 'type', 'veth', 'peer', 'name', 'pb');
    try {
      await done;
      expect(nsid).toBe(7);
    } finally {
      peer.ip('link', 'del', 'pa');
    }
  });

  it('resolves the nlctrl generic netlink family', async () => {
    const t = track(openNative(NETLINK_GENERIC, { netns: ns.name }));
    const resolve = async (name: string, seq: number) => {
      const request = codec.builder().reset().begin(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, seq)
        .header(new Uint8Array([CTRL_CMD_GETFAMILY, 1, 0, 0])).string(CTRL_ATTR_FAMILY_NAME, name).end().finish();
      t.send(request);
      const answer: { id?: number; name?: string; error?: number } = {};
      await receiveScanned(t, ({ batch }) => {
        for (let i = 0; i < batch.count; i++) {
          batch.check(i);
          expect(batch.seq(i)).toBe(seq);
          if (batch.type(i) === NLMSG_ERROR) {
            answer.error = batch.errorCode(i);
            return true; // the ack (0) or the failure ends the exchange
          }
          expect(batch.type(i)).toBe(GENL_ID_CTRL);
          const d = batch.attributes(i, GENLMSGHDR_SIZE, { descend: false }).decoder();
          while (d.next()) {
            if (d.type === CTRL_ATTR_FAMILY_ID) answer.id = d.u16();
            else if (d.type === CTRL_ATTR_FAMILY_NAME) answer.name = d.string();
          }
          d.finish();
        }
        return false;
      });
      return answer;
    };
    expect(await resolve('nlctrl', 21)).toEqual({ id: 0x10, name: 'nlctrl', error: 0 });
    expect(await resolve('nlkit-nosuch', 22)).toEqual({ error: -ENOENT });
    // Longer than GENL_NAMSIZ - 1: the attribute policy rejects it.
    expect(await resolve('nlkit-no-such-family', 23)).toEqual({ error: -EINVAL });
  });

  it('joins groups above 32 where the family has them, and lists them', () => {
    const route = track(openNative(NETLINK_ROUTE, { netns: ns.name }));
    route.addMembership(1);
    route.addMembership(33);
    route.addMembership(34);
    expect(route.memberships()).toEqual([1, 33, 34]);
    // nl_groups of the address only covers groups 1..32.
    expect(route.address().groups).toBe(1);
    route.dropMembership(33);
    expect(route.memberships()).toEqual([1, 34]);
    // Past the family's last group the kernel refuses.
    let error: unknown;
    try {
      route.addMembership(1000);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NetlinkError);
    expect((error as NetlinkError).code).toBe('EINVAL');
    expect((error as NetlinkError).operation).toBe('setsockopt');
    expect(route.memberships()).toEqual([1, 34]);
  });

  it('USERSOCK has exactly 32 groups: 32 joins, 33 is EINVAL', () => {
    const user = track(openNative(NETLINK_USERSOCK, { netns: ns.name }));
    user.addMembership(32);
    user.addMembership(5);
    expect(user.memberships()).toEqual([5, 32]);
    expect(user.address().groups >>> 0).toBe(((1 << 31) | (1 << 4)) >>> 0);
    expect(() => user.addMembership(33)).toThrow(expect.objectContaining({ code: 'EINVAL', operation: 'setsockopt' }));
    expect(user.memberships()).toEqual([5, 32]);
  });
});
