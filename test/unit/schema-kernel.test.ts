// The schema layer against the running kernel: requests encoded from
// objects, sent inside a network namespace this test creates (through
// Python's AF_NETLINK socket, so that only the schema layer is under test),
// and the replies decoded by schema. Nothing outside the namespace is touched.
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  loadCodec, NETLINK_GENERIC, NETLINK_ROUTE, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REQUEST, NLMSG_ERROR,
} from '../../src/codec/index.js';
import { decodeErrorReply, defaultRegistry, encodeMessage, type DecodedMessage } from '../../src/schema/index.js';
import { describeKernel, TestNetns } from '../helpers/kernel.js';

const codec = loadCodec();
const registry = defaultRegistry();
const rtLink = registry.family('rt-link');

// Sends one request with NETLINK_EXT_ACK on and prints every reply datagram
// as a hex line, up to the ack, the error or the end of the dump.
const SEND = `
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, int(sys.argv[1]))
s.setsockopt(270, 11, 1)
s.bind((0, 0))
s.send(bytes.fromhex(sys.argv[2]))
while True:
    data = s.recv(1 << 16)
    print(data.hex())
    at, stop = 0, False
    while at + 16 <= len(data):
        length, kind, flags = struct.unpack_from('<IHH', data, at)
        stop = stop or kind in (2, 3) or not flags & 2
        at += max(16, (length + 3) & ~3)
    if stop:
        break
`;

describeKernel('schema encode/decode against the kernel', () => {
  let ns: TestNetns;
  beforeAll(() => { ns = TestNetns.create('nlkit-schema'); });
  afterAll(() => ns?.remove());

  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

  function request(protocol: number, bytes: Uint8Array): Uint8Array[] {
    return ns.exec('python3', '-c', SEND, String(protocol), hex(bytes)).trim().split('\n').filter(Boolean).map(unhex);
  }

  function decodeAll(protocol: number, datagrams: Uint8Array[]): DecodedMessage[] {
    const out: DecodedMessage[] = [];
    for (const d of datagrams) for (const m of registry.decodeBytes(d, protocol)) if (m.family !== null) out.push(m);
    return out;
  }

  function errorCode(datagrams: Uint8Array[]): number {
    const batch = codec.scan(datagrams[datagrams.length - 1]!);
    return batch.type(batch.count - 1) === NLMSG_ERROR ? batch.errorCode(batch.count - 1) : NaN;
  }

  test('creates a bridge from an object and reads it back, sub-message included', () => {
    const create = encodeMessage(rtLink.message('newlink', 'request'), {
      flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq: 1,
      header: {},
      attributes: { ifname: 'nlkbr0', mtu: 1400, linkinfo: { kind: 'bridge', data: { forwardDelay: 800, helloTime: 300 } } },
    });
    expect(errorCode(request(NETLINK_ROUTE, create))).toBe(0);

    const get = encodeMessage(rtLink.message('getlink', 'request'), { flags: NLM_F_REQUEST, seq: 2, header: {}, attributes: { ifname: 'nlkbr0' } });
    const [link] = decodeAll(NETLINK_ROUTE, request(NETLINK_ROUTE, get));
    expect(link?.family).toBe('rt-link');
    expect(link?.message).toBe('newlink');
    expect(link?.header).toMatchObject({ ifiType: 1 });
    expect(link?.attributes).toMatchObject({ ifname: 'nlkbr0', mtu: 1400, operstate: expect.anything() });
    const info = link?.attributes.linkinfo as { kind: string; data: Record<string, unknown> };
    expect(info.kind).toBe('bridge');
    expect(info.data).toMatchObject({ forwardDelay: 800, helloTime: 300 });
    expect(info.data.$unknown).toBeUndefined();
  });

  test('an extended ack points at the offending attribute by path', () => {
    const newlink = rtLink.message('newlink', 'request');
    const bytes = encodeMessage(newlink, {
      flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq: 3,
      header: {},
      attributes: { ifname: 'nlkbr1', linkinfo: { kind: 'bridge', data: { groupAddr: new Uint8Array(8) } } },
    });
    const replies = request(NETLINK_ROUTE, bytes);
    const batch = codec.scan(replies[0]!);
    expect(batch.type(0)).toBe(NLMSG_ERROR);
    const reply = decodeErrorReply(batch, 0, { schema: newlink, bytes });
    expect(reply.error).toBeLessThan(0); // ERANGE on recent kernels, EINVAL on older ones
    expect(reply.extack?.message).toBeTypeOf('string');
    expect(reply.extack?.attributePath).toEqual(['IFLA_LINKINFO', 'IFLA_INFO_DATA', 'IFLA_BR_GROUP_ADDR']);
  });

  test('dumps addresses and decodes every reply', () => {
    const bytes = encodeMessage(registry.family('rt-addr').message('getaddr', 'request'), {
      flags: NLM_F_REQUEST | NLM_F_DUMP, seq: 4, header: { ifaFamily: 2 },
    });
    const addrs = decodeAll(NETLINK_ROUTE, request(NETLINK_ROUTE, bytes));
    const lo = addrs.find((m) => m.attributes.ifaLabel === 'lo');
    expect(lo?.header).toMatchObject({ ifaFamily: 2, ifaPrefixlen: 8, ifaFlags: ['permanent'] });
    expect(lo?.attributes.ifaAddress).toEqual(Uint8Array.of(127, 0, 0, 1));
  });

  test('asks nlctrl about itself', () => {
    const bytes = encodeMessage(registry.family('nlctrl').message('getfamily', 'request'), {
      flags: NLM_F_REQUEST, seq: 5, attributes: { familyName: 'nlctrl' },
    });
    const [reply] = decodeAll(NETLINK_GENERIC, request(NETLINK_GENERIC, bytes));
    expect(reply?.message).toBe('getfamily-reply');
    expect(reply?.attributes).toMatchObject({ familyName: 'nlctrl', familyId: 16 });
    const ops = reply?.attributes.ops as Array<{ id: number }>;
    expect(ops.map((o) => o.id)).toContain(3);
  });
});
