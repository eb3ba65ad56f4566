// The loopback bus beyond the transport contract: its kernel endpoint
// (acks, extended ACKs, echo, dumps), accounting, ids and taps.

import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadCodec, ArgumentError, NetlinkError, NETLINK_ROUTE, NETLINK_USERSOCK, NETLINK_GENERIC,
  NLM_F_REQUEST, NLM_F_ACK, NLM_F_ECHO, NLM_F_DUMP, NLM_F_MULTI, NLM_F_DUMP_INTR, NLM_F_CAPPED, NLM_F_ACK_TLVS,
  NLM_F_CREATE, NLM_F_EXCL, NLMSG_ERROR, NLMSG_DONE,
  NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_COOKIE, NLMSGERR_ATTR_POLICY, NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MISS_NEST,
} from '../../src/codec/index.js';
import { LoopbackKernel, kernelTruesize, userTruesize, type DumpSource } from '../../src/transport/loopback/index.js';
import * as C from '../../src/transport/loopback/families/constants.js';
import { receiveAll, receiveOnce, messages, tagged, tagOf, ackAttributes } from '../contract/suite.js';

const PROTO = 20; // a protocol number these tests give their own kernel endpoint

function request(type: number, flags: number, seq: number, payload: Uint8Array = new Uint8Array(4)): Uint8Array {
  const b = loadCodec().builder().reset();
  b.begin(type, flags, seq).header(payload);
  return b.end().finish().slice();
}

function ifinfo(index = 0, flags = 0, change = 0): Uint8Array {
  const h = new Uint8Array(16);
  const v = new DataView(h.buffer);
  v.setInt32(4, index, true);
  v.setUint32(8, flags, true);
  v.setUint32(12, change, true);
  return h;
}

function linkRequest(type: number, flags: number, seq: number, header: Uint8Array, fill?: (b: ReturnType<ReturnType<typeof loadCodec>['builder']>) => void) {
  const b = loadCodec().builder().reset();
  b.begin(type, flags, seq).header(header);
  fill?.(b);
  return b.end().finish().slice();
}

function linkName(bytes: Uint8Array): string {
  const list = loadCodec().scan(bytes).attributes(0, 16, { descend: false });
  return list.string(list.find(C.IFLA_IFNAME));
}

/** A dump source over `count` numbered items of `size` payload bytes each. */
function numbered(count: number, size: number, extra: Partial<DumpSource> = {}): DumpSource & { doneCalls: number } {
  let next = 0;
  const source = {
    doneCalls: 0,
    ...extra,
    fill(part: Parameters<DumpSource['fill']>[0]) {
      while (next < count) {
        const id = next;
        if (!part.message(0x20, (b) => b.u32(1, id).bytes(2, new Uint8Array(size)))) return true;
        next++;
      }
      return false;
    },
    done() { source.doneCalls++; },
  };
  return source;
}

describe('kernel endpoint', () => {
  test('a handler gets the request decoded: type, flags, seq, pid, sender port, credentials, bytes', () => {
    const kernel = new LoopbackKernel({ families: [] });
    const seen: unknown[] = [];
    kernel.register(PROTO, (req) => {
      seen.push([req.type, req.flags, req.seq, req.pid, req.portId, req.credentials, req.bytes.length, req.protocol]);
    });
    const t = kernel.open(PROTO, { credentials: { pid: 77, uid: 5, gid: 6 } });
    const b = loadCodec().builder().reset();
    b.begin(0x30, NLM_F_REQUEST, 9, 1234).u32(1, 5);
    t.send(b.end().finish());
    expect(seen).toEqual([[0x30, NLM_F_REQUEST, 9, 1234, t.address().portId, { pid: 77, uid: 5, gid: 6 }, 24, PROTO]]);
    expect(t.address().portId).toBe(77); // autobind starts at the process id
  });

  test('a returned errno or a thrown error becomes an error ack; other throws are EINVAL with the message', () => {
    const errors: unknown[] = [];
    const kernel = new LoopbackKernel({ families: [], onHandlerError: (e) => errors.push(e) });
    kernel.register(PROTO, (req) => {
      if (req.seq === 1) return -1; // EPERM
      if (req.seq === 2) return 13; // EACCES, either sign
      if (req.seq === 3) throw new NetlinkError(17, { operation: 'test' });
      throw new Error('handler bug');
    });
    const t = kernel.open(PROTO);
    t.setOption('extAck', true);
    for (let seq = 1; seq <= 4; seq++) t.send(request(0x30, NLM_F_REQUEST, seq));
    const got = receiveAll(t).datagrams.map((d) => messages(d.bytes)[0]!);
    expect(got.map((m) => [m.type, m.seq, m.error])).toEqual([[2, 1, -1], [2, 2, -13], [2, 3, -17], [2, 4, -22]]);
    // With extAck on, the thrown error's message is in the ACK of a failing request.
    t.send(request(0x30, NLM_F_REQUEST, 5));
    expect(ackAttributes(receiveAll(t).datagrams[0]!.bytes).string(0)).toBe('handler bug');
    expect(errors).toHaveLength(2);
  });

  test('extended ACK: message, offset, cookie, policy, missing type and nest', () => {
    const kernel = new LoopbackKernel({ families: [] });
    kernel.register(PROTO, (_req, ctx) => ctx.fail(22, {
      message: 'bad value', offset: 20, cookie: new Uint8Array([1, 2, 3, 4]),
      policy: { type: C.NL_ATTR_TYPE_U32, maxValueU: 100n, minValueS: -5 },
      missingType: 7, missingNest: 16,
    }));
    const t = kernel.open(PROTO);
    t.setOption('extAck', true);
    const req = linkRequest(0x30, NLM_F_REQUEST, 1, new Uint8Array(4), (b) => b.u32(1, 1000));
    t.send(req);
    const [d] = receiveAll(t).datagrams;
    const [m] = messages(d!.bytes);
    expect(m!.error).toBe(-22);
    expect(m!.flags & (NLM_F_ACK_TLVS | NLM_F_CAPPED)).toBe(NLM_F_ACK_TLVS);
    const list = ackAttributes(d!.bytes);
    expect(list.string(list.find(NLMSGERR_ATTR_MSG))).toBe('bad value');
    expect(list.u32(list.find(NLMSGERR_ATTR_OFFS))).toBe(20);
    expect([...list.bytes(list.find(NLMSGERR_ATTR_COOKIE))]).toEqual([1, 2, 3, 4]);
    expect(list.u32(list.find(NLMSGERR_ATTR_MISS_TYPE))).toBe(7);
    expect(list.u32(list.find(NLMSGERR_ATTR_MISS_NEST))).toBe(16);
    const policy = list.walkNested(list.find(NLMSGERR_ATTR_POLICY), { descend: false });
    expect(policy.u32(policy.find(C.NL_POLICY_TYPE_ATTR_TYPE))).toBe(C.NL_ATTR_TYPE_U32);
    expect(policy.u64(policy.find(C.NL_POLICY_TYPE_ATTR_MAX_VALUE_U))).toBe(100n);
    expect(policy.s64(policy.find(C.NL_POLICY_TYPE_ATTR_MIN_VALUE_S))).toBe(-5n);
  });

  test('without extAck there are no TLVs; an offset outside the request is left out', () => {
    const kernel = new LoopbackKernel({ families: [] });
    kernel.register(PROTO, (req, ctx) => ctx.fail(22, { message: 'x', offset: req.seq === 1 ? 4 : 9999 }));
    const t = kernel.open(PROTO);
    t.send(request(0x30, NLM_F_REQUEST, 1));
    const [plain] = messages(receiveAll(t).datagrams[0]!.bytes);
    expect(plain!.flags & NLM_F_ACK_TLVS).toBe(0);
    expect(plain!.length).toBe(16 + 4 + 20);
    t.setOption('extAck', true);
    t.send(request(0x30, NLM_F_REQUEST, 2));
    const bytes = receiveAll(t).datagrams[0]!.bytes;
    const list = ackAttributes(bytes);
    expect(list.find(NLMSGERR_ATTR_MSG)).toBeGreaterThanOrEqual(0);
    expect(list.find(NLMSGERR_ATTR_OFFS)).toBe(-1);
  });

  test('a warning on success rides in the ACK with error 0', () => {
    const kernel = new LoopbackKernel({ families: [] });
    kernel.register(PROTO, (_req, ctx) => { ctx.extack.message = 'deprecated'; });
    const t = kernel.open(PROTO);
    t.setOption('extAck', true);
    t.send(request(0x30, NLM_F_REQUEST | NLM_F_ACK, 1));
    const bytes = receiveAll(t).datagrams[0]!.bytes;
    const [m] = messages(bytes);
    expect([m!.error, m!.flags]).toEqual([0, NLM_F_CAPPED | NLM_F_ACK_TLVS]);
    expect(ackAttributes(bytes).string(0)).toBe('deprecated');
  });

  test('the kernel builds in its own codec memory: a user batch view survives a request', () => {
    const kernel = new LoopbackKernel();
    const t = kernel.open(NETLINK_ROUTE);
    const b = loadCodec().builder().reset();
    b.begin(C.RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 1).header(ifinfo(0x7ffff));
    b.begin(C.RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 2).header(ifinfo(0x7fffe));
    const batch = b.end().finish();
    const before = batch.slice();
    t.send(batch.subarray(0, 32));
    expect(batch).toEqual(before);
    t.send(batch.subarray(32));
    expect(receiveAll(t).datagrams.map((d) => messages(d.bytes)[0]!.seq)).toEqual([1, 2]);
  });
});

describe('dumps', () => {
  test('resume one part per receive, bounded by the receive buffer, and end in NLMSG_DONE', () => {
    const kernel = new LoopbackKernel({ families: [] });
    const source = numbered(200, 200);
    kernel.register(PROTO, (_req, ctx) => ctx.dump(source));
    const t = kernel.open(PROTO);
    t.setOption('receiveBuffer', 4096);
    t.send(request(0x30, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, 5));
    // Only the first part exists until the reader drains.
    expect(t.queued).toBe(1);
    const first = receiveOnce(t, 1, 3776);
    expect(first.datagrams).toHaveLength(1);
    expect(t.queued).toBe(1); // the next part was made by that receive
    const rest = receiveAll(t, 1, 3776);
    expect(rest.overruns).toBe(0);
    const all = [...first.datagrams, ...rest.datagrams].flatMap((d) => messages(d.bytes));
    const items = all.filter((m) => m.type === 0x20);
    expect(items).toHaveLength(200);
    expect(items.every((m) => m.flags & NLM_F_MULTI && m.seq === 5 && m.pid === t.address().portId)).toBe(true);
    expect(all[all.length - 1]!.type).toBe(NLMSG_DONE);
    expect(all.filter((m) => m.type === NLMSG_ERROR)).toHaveLength(0); // no ack for a dump
    for (const d of [...first.datagrams, ...rest.datagrams]) expect(d.size).toBeLessThanOrEqual(3776);
    expect(source.doneCalls).toBe(1);
  });

  test('parts grow with the receiver\'s slot size, up to 32 KiB', () => {
    const kernel = new LoopbackKernel({ families: [] });
    kernel.register(PROTO, (_req, ctx) => ctx.dump(numbered(400, 200)));
    const t = kernel.open(PROTO);
    t.send(request(0x30, NLM_F_REQUEST | NLM_F_DUMP, 1));
    const sizes = receiveAll(t, 1, 65536).datagrams.map((d) => d.size);
    expect(sizes[0]).toBeLessThanOrEqual(3776);
    expect(Math.max(...sizes)).toBeGreaterThan(16384);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(32768 - 320);
  });

  test('NLM_F_DUMP_INTR marks the message after the generation changed, and NLMSG_DONE', () => {
    const kernel = new LoopbackKernel({ families: [] });
    let generation = 1;
    kernel.register(PROTO, (_req, ctx) => ctx.dump(numbered(100, 200, { generation: () => generation })));
    const t = kernel.open(PROTO);
    t.send(request(0x30, NLM_F_REQUEST | NLM_F_DUMP, 1));
    const first = receiveOnce(t, 1, 4096).datagrams.flatMap((d) => messages(d.bytes));
    expect(first.some((m) => m.flags & NLM_F_DUMP_INTR)).toBe(false);
    generation = 2;
    const parts = receiveAll(t, 1, 4096).datagrams.map((d) => messages(d.bytes));
    const flagged = parts.flatMap((part, i) => part.map((m, j) => [i, j, m.flags & NLM_F_DUMP_INTR] as const)).filter(([, , f]) => f);
    // Exactly one message is flagged: the first of the first part made after the change.
    expect(flagged).toHaveLength(1);
    expect(flagged[0]![1]).toBe(0);
    expect(parts.flat().filter((m) => m.type === 0x20).length + first.length).toBe(100);
  });

  test('NLMSG_DONE is flagged when the generation moved after the last part', () => {
    const kernel = new LoopbackKernel({ families: [] });
    let generation = 1;
    let calls = 0;
    kernel.register(PROTO, (_req, ctx) => ctx.dump({
      generation: () => generation,
      // Like rtnetlink: a part that got something asks once more; the next call ends it.
      fill: (p) => (calls++ === 0 ? p.message(0x20) : false),
    }));
    const t = kernel.open(PROTO);
    t.send(request(0x30, NLM_F_REQUEST | NLM_F_DUMP, 2));
    const first = receiveOnce(t, 1).datagrams.flatMap((d) => messages(d.bytes));
    expect(first.map((m) => [m.type, m.flags & NLM_F_DUMP_INTR])).toEqual([[0x20, 0]]);
    generation = 2;
    // The DONE part was made by the receive above, before the change: drain it, then dump again.
    const second = receiveAll(t).datagrams.flatMap((d) => messages(d.bytes));
    expect(second.map((m) => m.type)).toEqual([NLMSG_DONE]);
    calls = 0;
    generation = 1;
    t.send(request(0x30, NLM_F_REQUEST | NLM_F_DUMP, 3));
    generation = 2;
    const again = receiveAll(t, 1).datagrams.flatMap((d) => messages(d.bytes));
    expect(again.map((m) => [m.type, m.flags & NLM_F_DUMP_INTR])).toEqual([[0x20, 0], [NLMSG_DONE, NLM_F_DUMP_INTR]]);
  });

  test('a failing dump ends in NLMSG_DONE with the errno and, with extAck, the message', () => {
    const kernel = new LoopbackKernel({ families: [] });
    kernel.register(PROTO, (_req, ctx) => ctx.dump({ fill: (p) => { p.message(0x20); p.setErrorMessage('table gone'); return -5; } }));
    const t = kernel.open(PROTO);
    t.setOption('extAck', true);
    t.send(request(0x30, NLM_F_REQUEST | NLM_F_DUMP, 3));
    const all = receiveAll(t).datagrams.flatMap((d) => messages(d.bytes));
    const done = all[all.length - 1]!;
    expect([done.type, done.error, done.flags]).toEqual([NLMSG_DONE, -5, NLM_F_MULTI | NLM_F_ACK_TLVS]);
    const list = loadCodec().scan(done.bytes).attributes(0, 4, { descend: false });
    expect(list.string(list.find(NLMSGERR_ATTR_MSG))).toBe('table gone');
  });

  test('a message too big for any part ends the dump with EMSGSIZE', () => {
    const kernel = new LoopbackKernel({ families: [] });
    kernel.register(PROTO, (_req, ctx) => ctx.dump({ fill: (p) => !p.message(0x20, (b) => b.bytes(1, new Uint8Array(60000))) }));
    const t = kernel.open(PROTO);
    t.send(request(0x30, NLM_F_REQUEST | NLM_F_DUMP, 3));
    const all = receiveAll(t).datagrams.flatMap((d) => messages(d.bytes));
    expect(all.map((m) => [m.type, m.error])).toEqual([[NLMSG_DONE, -90]]);
  });

  test('a second dump on a dumping socket is EBUSY; close mid-dump ends it', () => {
    const kernel = new LoopbackKernel({ families: [] });
    const sources: ReturnType<typeof numbered>[] = [];
    kernel.register(PROTO, (_req, ctx) => { const s = numbered(500, 200); sources.push(s); ctx.dump(s); });
    const t = kernel.open(PROTO);
    t.send(request(0x30, NLM_F_REQUEST | NLM_F_DUMP, 1));
    t.send(request(0x30, NLM_F_REQUEST | NLM_F_DUMP, 2));
    const got = receiveOnce(t, 4, 4096).datagrams.flatMap((d) => messages(d.bytes));
    expect(got.filter((m) => m.type === NLMSG_ERROR).map((m) => [m.seq, m.error])).toEqual([[2, -16]]);
    expect(kernel.sockets({ protocol: PROTO })[0]!.dumping).toBe(true);
    t.close();
    expect(sources[0]!.doneCalls).toBe(1);
    expect(kernel.sockets({ protocol: PROTO })).toEqual([]);
  });
});

describe('echo and notifications', () => {
  test('NLM_F_ECHO sends the notification to the requester and not twice through its group', () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const requester = kernel.open(NETLINK_ROUTE, { groups: 1 << (C.RTNLGRP_LINK - 1) });
    const listener = kernel.open(NETLINK_ROUTE, { groups: 1 << (C.RTNLGRP_LINK - 1) });
    const create = (seq: number, flags: number, name: string) => linkRequest(C.RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | flags, seq, ifinfo(), (b) => {
      b.string(C.IFLA_IFNAME, name).nest(C.IFLA_LINKINFO, () => b.string(C.IFLA_INFO_KIND, 'dummy'));
    });
    requester.send(create(7, NLM_F_ECHO, 'd0'));
    const echoed = receiveAll(requester).datagrams.flatMap((d) => messages(d.bytes));
    expect(echoed.map((m) => [m.type, m.seq, m.pid])).toEqual([[C.RTM_NEWLINK, 7, requester.address().portId]]);
    const heard = receiveAll(listener).datagrams.flatMap((d) => messages(d.bytes));
    expect(heard.map((m) => [m.type, m.seq, linkName(m.bytes)])).toEqual([[C.RTM_NEWLINK, 7, 'd0']]);
    // Without ECHO the requester hears it as a member, with seq 0.
    requester.send(create(8, 0, 'd1'));
    expect(receiveAll(requester).datagrams.flatMap((d) => messages(d.bytes)).map((m) => [m.seq, m.pid])).toEqual([[0, 0]]);
  });
});

describe('rtnetlink emulation', () => {
  const kernel = new LoopbackKernel({ deterministic: true });
  const t = kernel.open(NETLINK_ROUTE);
  t.setOption('extAck', true);
  const ask = (bytes: Uint8Array) => {
    t.send(bytes);
    return receiveAll(t).datagrams.flatMap((d) => messages(d.bytes));
  };
  const newLink = (flags: number, name: string, kind?: string, index = 0) => linkRequest(C.RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | flags, 1, ifinfo(index), (b) => {
    b.string(C.IFLA_IFNAME, name);
    if (kind) b.nest(C.IFLA_LINKINFO, () => b.string(C.IFLA_INFO_KIND, kind));
  });

  test('NEWLINK: CREATE makes, EXCL refuses an existing name, no CREATE is ENODEV, unknown kind EOPNOTSUPP', () => {
    expect(ask(newLink(NLM_F_CREATE | NLM_F_EXCL, 'br0', 'bridge'))[0]!.error).toBe(0);
    expect(ask(newLink(NLM_F_CREATE | NLM_F_EXCL, 'br0', 'bridge'))[0]!.error).toBe(-17);
    expect(ask(newLink(0, 'nope0', 'dummy'))[0]!.error).toBe(-19);
    const unknown = ask(newLink(NLM_F_CREATE, 'w0', 'wireguard'));
    expect(unknown[0]!.error).toBe(-95);
    expect(kernel.rtnetlink!.link('br0')!.kind).toBe('bridge');
  });

  test('a veth request makes the pair from VETH_INFO_PEER', () => {
    const req = linkRequest(C.RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 2, ifinfo(), (b) => {
      b.string(C.IFLA_IFNAME, 've0').nest(C.IFLA_LINKINFO, () => {
        b.string(C.IFLA_INFO_KIND, 'veth').nest(C.IFLA_INFO_DATA, () => {
          b.nest(C.VETH_INFO_PEER, () => { b.header(ifinfo()); b.string(C.IFLA_IFNAME, 've1'); });
        });
      });
    });
    expect(ask(req)[0]!.error).toBe(0);
    const a = kernel.rtnetlink!.link('ve0')!;
    const b = kernel.rtnetlink!.link('ve1')!;
    expect([a.peer, b.peer]).toEqual([b.index, a.index]);
  });

  test('SETLINK changes mtu and flags; a too-small mtu is EINVAL with a message; DELLINK removes both veth ends', () => {
    const index = kernel.rtnetlink!.link('ve0')!.index;
    expect(ask(linkRequest(C.RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, 3, ifinfo(index, C.IFF_UP, C.IFF_UP), (b) => b.u32(C.IFLA_MTU, 9000)))[0]!.error).toBe(0);
    expect(kernel.rtnetlink!.link(index)!.mtu).toBe(9000);
    expect(kernel.rtnetlink!.link(index)!.flags & C.IFF_UP).toBe(C.IFF_UP);
    t.send(linkRequest(C.RTM_SETLINK, NLM_F_REQUEST, 4, ifinfo(index), (b) => b.u32(C.IFLA_MTU, 10)));
    const bytes = receiveAll(t).datagrams[0]!.bytes;
    expect(messages(bytes)[0]!.error).toBe(-22);
    const list = ackAttributes(bytes);
    expect(list.string(list.find(NLMSGERR_ATTR_MSG))).toBe('mtu less than device minimum');
    expect(list.u32(list.find(NLMSGERR_ATTR_OFFS))).toBe(32);
    expect(ask(linkRequest(C.RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 5, ifinfo(index)))[0]!.error).toBe(0);
    expect(kernel.rtnetlink!.link('ve0')).toBeUndefined();
    expect(kernel.rtnetlink!.link('ve1')).toBeUndefined();
    expect(ask(linkRequest(C.RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 6, ifinfo(1)))[0]!.error).toBe(-95); // lo stays
  });

  test('a name longer than IFNAMSIZ-1 fails policy validation with the policy in the ACK', () => {
    t.send(linkRequest(C.RTM_GETLINK, NLM_F_REQUEST, 7, ifinfo(), (b) => b.string(C.IFLA_IFNAME, 'y'.repeat(20))));
    const bytes = receiveAll(t).datagrams[0]!.bytes;
    expect(messages(bytes)[0]!.error).toBe(-34);
    const list = ackAttributes(bytes);
    const policy = list.walkNested(list.find(NLMSGERR_ATTR_POLICY), { descend: false });
    expect(policy.u32(policy.find(C.NL_POLICY_TYPE_ATTR_TYPE))).toBe(C.NL_ATTR_TYPE_STRING);
    expect(policy.u32(policy.find(C.NL_POLICY_TYPE_ATTR_MAX_LENGTH))).toBe(15);
  });

  test('strictCheck refuses a dump header asking for an index filter', () => {
    t.setOption('strictCheck', true);
    const got = ask(linkRequest(C.RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 8, ifinfo(1)));
    expect(got.map((m) => [m.type, m.error])).toEqual([[NLMSG_ERROR, -22]]);
    t.setOption('strictCheck', false);
  });

  test('namespaces have their own links and sockets', () => {
    kernel.rtnetlink!.addLink({ kind: 'dummy', name: 'only-blue' }, 'blue');
    expect(kernel.rtnetlink!.links('blue').map((l) => l.name)).toEqual(['lo', 'only-blue']);
    expect(kernel.rtnetlink!.link('only-blue')).toBeUndefined();
    const blue = kernel.open(NETLINK_USERSOCK, { netns: 'blue' });
    const plain = kernel.open(NETLINK_USERSOCK);
    // Each namespace has its own port table: both got the pid, and a send stays in its namespace.
    expect(blue.address().portId).toBe(plain.address().portId);
    plain.send(tagged(1), { portId: blue.address().portId, groups: 0 });
    expect(receiveAll(blue).datagrams).toEqual([]);
    expect(receiveAll(plain).datagrams.map((d) => tagOf(d.bytes))).toEqual([1]);
    blue.close();
    plain.close();
  });
});

describe('generic netlink controller', () => {
  const kernel = new LoopbackKernel({ deterministic: true });
  const genlRequest = (flags: number, seq: number, fill?: (b: ReturnType<ReturnType<typeof loadCodec>['builder']>) => void) => {
    const b = loadCodec().builder().reset();
    b.begin(C.GENL_ID_CTRL, NLM_F_REQUEST | flags, seq).header(new Uint8Array([C.CTRL_CMD_GETFAMILY, 1, 0, 0]));
    fill?.(b);
    return b.end().finish().slice();
  };
  const familyAttrs = (bytes: Uint8Array) => loadCodec().scan(bytes).attributes(0, 4, { descend: false });

  test('GETFAMILY by name answers NEWFAMILY with id, version, ops and groups; unknown is ENOENT', () => {
    const t = kernel.open(NETLINK_GENERIC);
    t.send(genlRequest(0, 1, (b) => b.string(C.CTRL_ATTR_FAMILY_NAME, 'nlctrl')));
    const [m] = receiveAll(t).datagrams.flatMap((d) => messages(d.bytes));
    expect(m!.bytes[16]).toBe(C.CTRL_CMD_NEWFAMILY);
    const list = familyAttrs(m!.bytes);
    expect(list.u16(list.find(C.CTRL_ATTR_FAMILY_ID))).toBe(C.GENL_ID_CTRL);
    expect(list.u32(list.find(C.CTRL_ATTR_VERSION))).toBe(2);
    const groups = list.walkNested(list.find(C.CTRL_ATTR_MCAST_GROUPS), { descend: false });
    const notify = groups.walkNested(groups.find(1), { descend: false });
    expect(notify.string(notify.find(C.CTRL_ATTR_MCAST_GRP_NAME))).toBe('notify');
    expect(notify.u32(notify.find(C.CTRL_ATTR_MCAST_GRP_ID))).toBe(C.GENL_ID_CTRL);
    t.send(genlRequest(0, 2, (b) => b.string(C.CTRL_ATTR_FAMILY_NAME, 'nosuch')));
    expect(receiveAll(t).datagrams.flatMap((d) => messages(d.bytes)).map((m) => m.error)).toEqual([-2]);
    t.close();
  });

  test('registering a family announces it on "notify", a dump lists it, and its ops are reachable', () => {
    const listener = kernel.open(NETLINK_GENERIC);
    listener.addMembership(C.GENL_ID_CTRL);
    const family = kernel.genl!.registerFamily({
      name: 'demo', version: 3, groups: ['events'],
      ops: [{ cmd: 1, doit: (req, ctx) => { ctx.reply(req.type, 0, (b) => b.header(new Uint8Array([2, 3, 0, 0])).u32(1, 42)); } }],
    });
    expect(family.id).toBe(C.GENL_START_ALLOC);
    expect(family.groups[0]!.id).toBeGreaterThan(1);
    const announced = receiveAll(listener).datagrams.flatMap((d) => messages(d.bytes));
    expect(announced.map((m) => m.bytes[16])).toEqual([C.CTRL_CMD_NEWFAMILY, C.CTRL_CMD_NEWMCAST_GRP]);
    listener.send(genlRequest(NLM_F_DUMP, 3));
    const dumped = receiveAll(listener).datagrams.flatMap((d) => messages(d.bytes));
    const names = dumped.filter((m) => m.type === C.GENL_ID_CTRL).map((m) => { const l = familyAttrs(m.bytes); return l.string(l.find(C.CTRL_ATTR_FAMILY_NAME)); });
    expect(names).toEqual(['nlctrl', 'demo']);
    const b = loadCodec().builder().reset();
    listener.send(b.begin(family.id, NLM_F_REQUEST, 4).header(new Uint8Array([1, 3, 0, 0])).end().finish().slice());
    listener.send(b.reset().begin(family.id, NLM_F_REQUEST, 5).header(new Uint8Array([9, 3, 0, 0])).end().finish().slice());
    const replies = receiveAll(listener).datagrams.flatMap((d) => messages(d.bytes));
    expect(replies.map((m) => [m.type, m.seq, m.error])).toEqual([[family.id, 4, 0], [NLMSG_ERROR, 5, -95]]);
    kernel.genl!.unregisterFamily('demo');
    const gone = receiveAll(listener).datagrams.flatMap((d) => messages(d.bytes));
    expect(gone.map((m) => m.bytes[16])).toEqual([C.CTRL_CMD_DELMCAST_GRP, C.CTRL_CMD_DELFAMILY]);
    listener.close();
  });
});

describe('bus', () => {
  test('deterministic mode: port ids are the fixed pid, then -4097, -4098, ... as u32, reused after close', () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const a = kernel.open(NETLINK_USERSOCK);
    const b = kernel.open(NETLINK_USERSOCK);
    const c = kernel.open(NETLINK_USERSOCK);
    expect([a, b, c].map((t) => t.address().portId)).toEqual([1000, (-4097 >>> 0), (-4098 >>> 0)]);
    b.close();
    expect(kernel.open(NETLINK_USERSOCK).address().portId).toBe(-4097 >>> 0);
    // Per protocol: ROUTE starts over at the pid.
    expect(kernel.open(NETLINK_ROUTE).address().portId).toBe(1000);
    const again = new LoopbackKernel({ deterministic: true });
    expect([again.open(NETLINK_USERSOCK), again.open(NETLINK_USERSOCK)].map((t) => t.address().portId)).toEqual([1000, -4097 >>> 0]);
  });

  test('the accounting model matches the measured kernel: 9 datagrams of 100 bytes fit in SO_RCVBUF 4096', () => {
    expect([16, 200, 300, 1000, 2000, 3000].map((n) => userTruesize(n, false))).toEqual([832, 832, 1280, 2304, 4352, 4352]);
    expect([4000, 8000, 70000].map((n) => userTruesize(n, false))).toEqual([4608, 8576, 70592]);
    expect(kernelTruesize(3776)).toBe(4352);
    const kernel = new LoopbackKernel({ families: [] });
    const r = kernel.open(NETLINK_USERSOCK, { groups: 1, receiveBuffer: 4096 });
    const s = kernel.open(NETLINK_USERSOCK);
    const sink = kernel.open(NETLINK_USERSOCK);
    for (let i = 0; i < 20; i++) s.send(tagged(i), { portId: sink.address().portId, groups: 1 });
    expect(r.receiveQueueBytes).toBe(9 * 832);
    expect(r.drops).toBe(11);
    expect(kernel.sockets({ protocol: NETLINK_USERSOCK }).find((x) => x.portId === r.address().portId)!.drops).toBe(11);
    const got = receiveOnce(r, 64);
    expect(got.overrun).toBe(true);
    expect(got.datagrams.map((d) => tagOf(d.bytes))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.receiveQueueBytes).toBe(0);
  });

  test('kernel broadcast reaches groups above 32; broadcastError turns a miss into -ENOBUFS; no member is -ESRCH', () => {
    const kernel = new LoopbackKernel();
    const a = kernel.open(NETLINK_ROUTE);
    a.addMembership(35);
    expect(kernel.broadcast(NETLINK_ROUTE, 35, tagged(1))).toBe(0);
    const [d] = receiveAll(a).datagrams;
    expect([d!.port, d!.groups, tagOf(d!.bytes)]).toEqual([0, 0, 1]);
    expect(kernel.broadcast(NETLINK_ROUTE, 36, tagged(2))).toBe(-3);
    a.setOption('receiveBuffer', 0);
    a.setOption('broadcastError', true);
    expect(kernel.broadcast(NETLINK_ROUTE, 35, tagged(3, 3000))).toBe(0); // an empty queue takes one
    expect(kernel.broadcast(NETLINK_ROUTE, 35, tagged(4, 3000))).toBe(-105);
    expect(() => kernel.broadcast(NETLINK_ROUTE, 0, tagged(5))).toThrow(ArgumentError);
  });

  test('a kernel reply to a full socket is dropped and reported as an overrun', () => {
    const kernel = new LoopbackKernel();
    const t = kernel.open(NETLINK_ROUTE, { receiveBuffer: 0 });
    t.send(request(C.RTM_GETLINK, NLM_F_REQUEST, 1, ifinfo(1)));
    t.send(request(C.RTM_GETLINK, NLM_F_REQUEST, 2, ifinfo(1)));
    t.send(request(C.RTM_GETLINK, NLM_F_REQUEST, 3, ifinfo(1)));
    const got = receiveOnce(t, 8);
    expect(got.overrun).toBe(true);
    expect(got.datagrams.length).toBeLessThan(3);
    expect(t.drops).toBe(3 - got.datagrams.length);
  });

  test('taps see every datagram with the bus clock', () => {
    let now = 100;
    const kernel = new LoopbackKernel({ deterministic: true, clock: () => now++ });
    const records: [number, number, number, number][] = [];
    const off = kernel.tap((r) => records.push([r.time, r.senderPort, r.destinationPort, r.bytes.length]));
    const t = kernel.open(NETLINK_ROUTE);
    t.send(request(C.RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 1, ifinfo(999)));
    off();
    t.send(request(C.RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 2, ifinfo(999)));
    expect(records).toEqual([[100, 1000, 0, 32], [101, 0, 1000, 52]]);
  });

  test('bad kernel-side arguments are ArgumentErrors', () => {
    const kernel = new LoopbackKernel({ families: [] });
    expect(() => kernel.register(40, () => {})).toThrow(ArgumentError);
    kernel.register(PROTO, () => {});
    expect(() => kernel.register(PROTO, () => {})).toThrow(ArgumentError);
    expect(() => kernel.open(NETLINK_USERSOCK, { netns: 3 })).toThrow(ArgumentError);
    expect(() => kernel.open(NETLINK_USERSOCK, { credentials: { pid: -1 } })).toThrow(ArgumentError);
    expect(() => kernel.open(NETLINK_ROUTE)).toThrow(NetlinkError); // not emulated here: EPROTONOSUPPORT
    expect(() => kernel.unicast(NETLINK_USERSOCK, 1, 'x' as unknown as Uint8Array)).toThrow(ArgumentError);
  });

  test('settle() waits for readable handlers to drain', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const a = kernel.open(NETLINK_USERSOCK);
    const b = kernel.open(NETLINK_USERSOCK);
    const seen: number[] = [];
    b.setReadableHandler(() => { for (const d of receiveAll(b).datagrams) seen.push(tagOf(d.bytes)); });
    for (let i = 0; i < 5; i++) a.send(tagged(i), { portId: b.address().portId, groups: 0 });
    expect(seen).toEqual([]);
    await kernel.settle();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('portability', () => {
  test('nothing under src/transport/loopback imports a Node built-in or uses process', () => {
    const root = join(import.meta.dirname, '../../src/transport/loopback');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name.endsWith('.ts')) files.push(join(dir, entry.name));
      }
    };
    walk(root);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from ['"]node:|require\(|from ['"](fs|path|os|crypto|child_process)['"]/);
      expect(text.replace(/globalThis as \{ process\?/g, ''), file).not.toMatch(/\bprocess\./);
    }
  });
});
