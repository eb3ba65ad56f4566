// A large generated capture for the trace decode benchmark: what a busy
// rtnetlink listener sees. Per 100-message datagram: link notifications with
// a name, MTU, address, operstate and a linkinfo nest, and every tenth
// datagram a request/ack exchange, so that pairing has work to do.

import { loadCodec, NLM_F_ACK, NLM_F_CAPPED, NLM_F_CREATE, NLM_F_REQUEST, NLMSG_ERROR } from '../../src/codec/index.js';
import { TraceFileWriter } from '../../src/trace/node.js';

const RTM_NEWLINK = 16;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_OPERSTATE = 16;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const PORT = 4242;
const PER_DATAGRAM = 100;

function ifinfomsg(index: number, flags: number): Uint8Array {
  const h = new Uint8Array(16);
  const v = new DataView(h.buffer);
  v.setUint16(2, 1, true); // ARPHRD_ETHER
  v.setInt32(4, index, true);
  v.setUint32(8, flags, true);
  return h;
}

/** Writes a pcapng capture of exactly `messages` netlink messages; returns the datagram count. */
export function writeLargeCapture(path: string, messages: number): number {
  const codec = loadCodec();
  const b = codec.builder();
  const file = new TraceFileWriter(path, 'pcapng');
  let t = 1_700_000_000_000_000_000n;
  let written = 0;
  let datagrams = 0;
  let seq = 1;
  try {
    while (written < messages) {
      t += 50_000n;
      datagrams++;
      if (datagrams % 10 === 0 && messages - written >= 2) {
        // A request through the recorded socket, and the kernel's ack.
        const request = b.reset().begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, seq, 0).header(ifinfomsg(0, 0))
          .string(IFLA_IFNAME, `br${seq % 1000}`).nest(IFLA_LINKINFO, (x) => x.string(IFLA_INFO_KIND, 'bridge'), false).end().finish().slice();
        file.write({ protocol: 0, direction: 'out', data: request, timestampNs: t, portId: PORT });
        const ack = new Uint8Array(20);
        ack.set(request.subarray(0, 16), 4);
        const reply = b.reset().begin(NLMSG_ERROR, NLM_F_CAPPED, seq, PORT).header(ack).end().finish();
        file.write({ protocol: 0, direction: 'in', data: reply, timestampNs: t + 10_000n, portId: 0 });
        seq++;
        written += 2;
        continue;
      }
      b.reset();
      const n = Math.min(PER_DATAGRAM, messages - written);
      for (let k = 0; k < n; k++) {
        const i = written + k;
        b.begin(RTM_NEWLINK, 0, 0, 0).header(ifinfomsg(i % 4096, 0x11043))
          .string(IFLA_IFNAME, `veth${i % 4096}`).u32(IFLA_MTU, 1500).u8(IFLA_OPERSTATE, 6)
          .bytes(IFLA_ADDRESS, Uint8Array.of(0x02, 0, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, 1))
          .nest(IFLA_LINKINFO, (x) => x.string(IFLA_INFO_KIND, 'veth'), false).end();
      }
      file.write({ protocol: 0, direction: 'in', data: b.finish(), timestampNs: t, portId: 0 });
      written += n;
    }
  } finally {
    file.close();
  }
  return datagrams;
}
