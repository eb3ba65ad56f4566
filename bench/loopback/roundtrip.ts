// Messages per second through the loopback bus: send, deliver, receive into a
// scanner's input region, scan. Two paths: user-to-user unicast in batches
// (sendBatch → receive → scan), and kernel request/reply (RTM_GETLINK of lo,
// answered by the emulated rtnetlink).

import { loadCodec, NLM_F_REQUEST, NETLINK_ROUTE, NETLINK_USERSOCK } from '../../src/codec/index.js';
import { RECV_META_STRIDE, RECV_META_LENGTH } from '../../src/transport/transport.js';
import { LoopbackKernel } from '../../src/transport/loopback/index.js';

export interface LoopbackRoundtripResult {
  name: string;
  unit: string;
  /** Messages per second, user-to-user, batched. */
  nlkit: number;
  /** Request/reply round trips per second through the emulated rtnetlink. */
  kernelRequests: number;
  messagesPerBatch: number;
  batches: number;
}

const SLOT = 256;

export async function loopbackRoundtrip(options: { batches?: number; perBatch?: number; requests?: number } = {}): Promise<LoopbackRoundtripResult> {
  const batches = options.batches ?? 2000;
  const perBatch = options.perBatch ?? 64;
  const requests = options.requests ?? 20000;
  const codec = loadCodec();
  const kernel = new LoopbackKernel({ deterministic: true });
  const sender = kernel.open(NETLINK_USERSOCK);
  const receiver = kernel.open(NETLINK_USERSOCK, { receiveBuffer: 4 << 20 });
  const to = { portId: receiver.address().portId, groups: 0 };
  const scanner = codec.scanner();
  const meta = new Uint32Array(perBatch * RECV_META_STRIDE);

  // One batch of perBatch 32-byte messages, one per datagram.
  const b = codec.builder().reset();
  for (let i = 0; i < perBatch; i++) b.begin(0x20, NLM_F_REQUEST, i).u32(1, i).u32(2, i * 2);
  const data = b.end().finish().slice();
  const lengths = new Array<number>(perBatch).fill(data.length / perBatch);

  const runBatches = (count: number): number => {
    let seen = 0;
    for (let k = 0; k < count; k++) {
      sender.sendBatch(data, lengths, to);
      const region = scanner.input(perBatch * SLOT);
      const { datagrams } = receiver.receive({ region, slotSize: SLOT, slots: perBatch, meta });
      for (let i = 0; i < datagrams; i++) scanner.setDatagram(i, i * SLOT, meta[i * RECV_META_STRIDE + RECV_META_LENGTH]!);
      const batch = scanner.scan(datagrams);
      for (let i = 0; i < batch.count; i++) seen += batch.seq(i) >= 0 ? 1 : 0;
    }
    return seen;
  };
  runBatches(50); // warm up
  let start = performance.now();
  const seen = runBatches(batches);
  const userSeconds = (performance.now() - start) / 1000;
  if (seen !== batches * perBatch) throw new Error(`lost messages: ${seen} of ${batches * perBatch}`);

  // Kernel request/reply.
  const route = kernel.open(NETLINK_ROUTE);
  const header = new Uint8Array(16);
  new DataView(header.buffer).setInt32(4, 1, true);
  const request = codec.builder().reset().begin(18, NLM_F_REQUEST, 1).header(header).end().finish().slice();
  const replyMeta = new Uint32Array(RECV_META_STRIDE);
  const ask = (count: number) => {
    let replies = 0;
    for (let k = 0; k < count; k++) {
      route.send(request);
      const region = scanner.input(4096);
      const { datagrams } = route.receive({ region, slotSize: 4096, slots: 1, meta: replyMeta });
      scanner.setDatagram(0, 0, replyMeta[RECV_META_LENGTH]!);
      replies += scanner.scan(datagrams).count;
    }
    return replies;
  };
  ask(200);
  start = performance.now();
  const replies = ask(requests);
  const kernelSeconds = (performance.now() - start) / 1000;
  if (replies !== requests) throw new Error(`lost replies: ${replies} of ${requests}`);

  for (const t of [sender, receiver, route]) t.close();
  scanner.release();
  return {
    name: 'loopback round trip (send, deliver, receive, scan)',
    unit: 'messages/s',
    nlkit: (batches * perBatch) / userSeconds,
    kernelRequests: requests / kernelSeconds,
    messagesPerBatch: perBatch,
    batches,
  };
}

export default loopbackRoundtrip;
