// The viewer's decoding core (web/src/decode), run in Node: naming, pairing,
// per-row errors, and the detail tree of the less common messages. The same
// code runs in the page's worker (see viewer.test.ts).

import { describe, expect, it } from 'vitest';
import {
  loadCodec, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_MULTI, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR,
} from '../../src/codec/index.js';
import { encodeTraceSync, type NetlinkDatagram } from '../../src/trace/index.js';
import { Catalog } from '../../web/src/decode/catalog.js';
import type { DetailNode } from '../../web/src/decode/detail.js';
import { CaptureSession } from '../../web/src/decode/session.js';
import { flagText } from '../../web/src/shared/flags.js';
import { ROW_OK, ROW_RECORD_PROBLEM } from '../../web/src/shared/status.js';
import { NO_FILTER } from '../../web/src/shared/filter.js';

const codec = loadCodec();
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;

function find(nodes: readonly DetailNode[], label: string): DetailNode | undefined {
  for (const n of nodes) {
    if (n.label === label) return n;
    const inner = n.children && find(n.children, label);
    if (inner) return inner;
  }
  return undefined;
}

function open(datagrams: NetlinkDatagram[]): CaptureSession {
  let t = 1_000_000_000_000_000_000n;
  for (const d of datagrams) d.timestampNs ??= (t += 1000n);
  return CaptureSession.open(encodeTraceSync(datagrams, 'pcapng'), codec);
}

function message(type: number, flags: number, seq: number, pid: number, payload: Uint8Array = new Uint8Array(16)): Uint8Array {
  return codec.builder().reset().begin(type, flags, seq, pid).header(payload).end().finish().slice();
}

describe('catalog', () => {
  const catalog = new Catalog(codec);

  it('tells sock_diag requests apart by their address family', () => {
    const inet = catalog.describe(4, 20, NLM_F_REQUEST, 2);
    const unix = catalog.describe(4, 20, NLM_F_REQUEST, 1);
    expect(inet.family).toBe('sock-diag');
    expect(unix.family).toBe('sock-diag');
    expect(inet.name).not.toBe(unix.name);
    expect(inet.headerLength).toBe(56); // struct inet_diag_req_v2
    expect(unix.headerLength).toBe(24); // struct unix_diag_req
  });

  it('names nfnetlink, control messages, and what no schema knows', () => {
    expect(catalog.describe(12, 0x100, 0, 2).family).toBe('conntrack');
    expect(catalog.describe(0, NLMSG_ERROR, 0, -1)).toMatchObject({ family: 'netlink', name: 'NLMSG_ERROR', schema: null });
    expect(catalog.describe(0, 0x24, 0, 0)).toMatchObject({ family: 'route', name: 'type 0x0024', headerLength: null });
    expect(catalog.describe(16, 0x30, 0, 5)).toMatchObject({ family: 'genl 0x30', name: 'cmd 5', headerLength: 4 });
    expect(catalog.bindGenl(0x30, 'ethtool')).toBe(true);
    expect(catalog.bindGenl(0x30, 'ethtool')).toBe(false);
    expect(catalog.describe(16, 0x30, NLM_F_REQUEST, 2)).toMatchObject({ family: 'ethtool', name: 'ETHTOOL_MSG_LINKINFO_GET' });
  });

  it('names the flags by kind of request', () => {
    const get = catalog.describe(0, RTM_GETLINK, NLM_F_REQUEST, 0).flagContext;
    const create = catalog.describe(0, RTM_NEWLINK, NLM_F_REQUEST, 0).flagContext;
    expect(flagText(NLM_F_REQUEST | 0x300, get)).toBe('REQ DUMP');
    expect(flagText(NLM_F_REQUEST | NLM_F_ACK | 0x600, create)).toBe('REQ ACK EXCL CREATE');
    expect(flagText(NLM_F_CAPPED | NLM_F_ACK_TLVS, catalog.describe(0, NLMSG_ERROR, 0, -1).flagContext)).toBe('CAPPED TLVS');
    expect(flagText(0x8000 | NLM_F_MULTI, 0)).toBe('MULTI 0x8000');
  });
});

describe('pairing', () => {
  it('pairs by protocol, port and seq; falls back to port 0; an ack or DONE closes the exchange', () => {
    const s = open([
      { protocol: 0, direction: 'out', portId: 100, data: message(RTM_GETLINK, NLM_F_REQUEST | 0x300, 7, 0) }, // 0
      { protocol: 0, direction: 'in', portId: 0, data: message(RTM_NEWLINK, NLM_F_MULTI, 7, 100) }, // 1
      { protocol: 0, direction: 'in', portId: 0, data: message(RTM_NEWLINK, 0, 0, 0) }, // 2 notification
      { protocol: 16, direction: 'in', portId: 0, data: message(0x10, 0, 7, 100, new Uint8Array(4)) }, // 3 other protocol
      { protocol: 0, direction: 'in', portId: 0, data: message(NLMSG_DONE, NLM_F_MULTI, 7, 100, new Uint8Array(4)) }, // 4
      { protocol: 0, direction: 'in', portId: 0, data: message(RTM_NEWLINK, NLM_F_MULTI, 7, 100) }, // 5 after DONE
      { protocol: 0, data: message(RTM_GETLINK, NLM_F_REQUEST, 8, 0) }, // 6 no port known
      { protocol: 0, direction: 'in', portId: 0, data: message(RTM_NEWLINK, 0, 8, 555) }, // 7
    ]);
    expect(Array.from(s.pairing.requestOf)).toEqual([-1, 0, -1, -1, 0, -1, -1, 6]);
    const replies = (row: number) => Array.from(s.pairing.replyList.subarray(s.pairing.replyStart[row]!, s.pairing.replyStart[row + 1]!));
    expect(replies(0)).toEqual([1, 4]);
    expect(replies(6)).toEqual([7]);
    expect(s.detail(4).request).toBe(0);
    expect(s.detail(0).replies).toEqual([1, 4]);
    expect(s.columns.port[0]).toBe(100);
    expect(s.columns.port[1]).toBe(100);
  });
});

describe('details', () => {
  it('decodes a DONE that carries an error and an extended ack', () => {
    const b = codec.builder().reset();
    const payload = new Uint8Array(4);
    new DataView(payload.buffer).setInt32(0, -4, true); // EINTR
    const done = b.begin(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 3, 9).header(payload).string(1, 'dump interrupted').end().finish().slice();
    const s = open([{ protocol: 0, direction: 'in', data: done }]);
    const tree = s.detail(0).tree;
    expect(find(tree, 'error')!.value).toBe('-4 EINTR');
    expect(find(tree, 'NLMSGERR_ATTR_MSG')!.value).toBe('"dump interrupted"');
    expect(s.columns.errno[0]).toBe(-4);
    expect(s.summary(0)).toBe('done with -4 EINTR');
  });

  it('resolves a capped extended ack against the paired request', () => {
    const b = codec.builder();
    const request = b.reset().begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 5).header(new Uint8Array(16)).string(3, 'eth9').u32(4, 70000).end().finish().slice();
    const mtuOffset = 16 + 16 + 12;
    const err = new Uint8Array(20);
    new DataView(err.buffer).setInt32(0, -22, true);
    err.set(request.subarray(0, 16), 4);
    const reply = b.reset().begin(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 5, 77).header(err).u32(2, mtuOffset).end().finish().slice();
    const s = open([
      { protocol: 0, direction: 'out', portId: 77, data: request },
      { protocol: 0, direction: 'in', portId: 0, data: reply },
    ]);
    const tree = s.detail(1).tree;
    expect(find(tree, 'error')!.value).toBe('-22 EINVAL');
    expect(find(tree, 'original message')!.value).toBe('RTM_NEWLINK seq 5 (capped)');
    expect(find(tree, 'offending attribute')!.value).toBe('IFLA_MTU (in the request)');
    expect(s.summary(1)).toBe('EINVAL for RTM_NEWLINK seq 5 (capped)');
  });

  it('shows what fits of a short family header and says what is missing', () => {
    const short = message(RTM_NEWLINK, 0, 1, 0, new Uint8Array(8));
    const s = open([{ protocol: 0, direction: 'in', data: short }]);
    const header = find(s.detail(0).tree, 'ifinfomsg')!;
    expect(header.error).toBe('the message ends inside its 16-byte ifinfomsg');
    expect(header.children!.map((c) => c.label)).toEqual(['ifi-family', 'ifi-type', 'ifi-index', 'ifi-flags']);
    expect(header.children![3]!.error).toBe('missing: the struct has 8 of 16 bytes');
  });

  it('keeps a row for an empty datagram, and filters and decodes every row without throwing', () => {
    const s = open([
      { protocol: 0, direction: 'in', data: new Uint8Array(0) },
      { protocol: 0, direction: 'in', data: Uint8Array.of(1, 2, 3) },
      { protocol: 0, direction: 'in', data: message(RTM_NEWLINK, 0, 1, 0) },
    ]);
    expect(s.columns.count).toBe(3);
    expect(s.columns.status[0]).toBe(ROW_RECORD_PROBLEM);
    expect(s.detail(0).error).toMatch(/^MalformedError: record 1 carries an empty netlink datagram \(at byte \d+\)$/);
    expect(s.detail(1).error).toMatch(/^TruncatedError: 3 bytes left at the end of record 2, fewer than a message header \(at byte \d+\)$/);
    expect(s.columns.status[2]).toBe(ROW_OK);
    expect(Array.from(s.filter({ ...NO_FILTER, errorsOnly: true }))).toEqual([0, 1]);
    expect(Array.from(s.filter({ ...NO_FILTER, text: 'empty netlink' }))).toEqual([0]);
    for (let row = 0; row < s.columns.count; row++) expect(() => s.detail(row)).not.toThrow();
    expect(() => s.detail(3)).toThrow(RangeError);
  });
});
