// The engine suite over the loopback bus, plus what only the bus can force.
import { expect, test } from 'vitest';
import { LoopbackKernel } from '../../src/transport/loopback/index.js';
import { NetlinkSocket, DumpInterruptedError } from '../../src/socket/index.js';
import { NETLINK_ROUTE, NLM_F_DUMP_INTR } from '../../src/codec/index.js';
import { defineSocketSuite, ifinfomsg } from './suite.js';

defineSocketSuite('the loopback bus', () => {
  const kernel = new LoopbackKernel();
  return {
    transport: (protocol) => kernel.open(protocol),
    addVethPairs: (pairs) => {
      for (const [name, peer] of pairs) kernel.rtnetlink!.addLink({ kind: 'veth', name, peer: { name: peer } });
    },
    linkNames: () => kernel.rtnetlink!.links().map((l) => l.name),
    drops: (portId) => kernel.sockets().find((s) => s.protocol === NETLINK_ROUTE && s.portId === portId)!.drops,
    dispose: () => {
      const open = kernel.sockets();
      if (open.length > 0) throw new Error(`${open.length} sockets left open`);
    },
  };
});

test('restarting dumps: a change during every attempt exhausts the bound; otherwise only a consistent snapshot is yielded', async () => {
  const kernel = new LoopbackKernel();
  for (let i = 0; i < 60; i++) kernel.rtnetlink!.addLink({ kind: 'veth', name: `r${i}`, peer: { name: `rp${i}` } });
  const sock = new NetlinkSocket(kernel.open(NETLINK_ROUTE), { slotSize: 4096, slots: 1 });
  // The first part of every attempt (a new request seq) is followed by a change to the link table.
  let changes = 0;
  let changing = true;
  const seen = new Set<number>();
  const untap = kernel.tap((record) => {
    if (!changing || record.protocol !== NETLINK_ROUTE || record.destinationPort !== sock.portId) return;
    const seq = new DataView(record.bytes.buffer, record.bytes.byteOffset).getUint32(8, true);
    if (seen.has(seq)) return;
    seen.add(seq);
    queueMicrotask(() => kernel.rtnetlink!.addLink({ kind: 'veth', name: `c${changes}`, peer: { name: `cp${changes++}` } }));
  });
  const outcome = await (async () => {
    for await (const _ of sock.dumpBatches({ type: 18, header: ifinfomsg() }, { onInterrupted: 'restart', maxRestarts: 2 })) { /* nothing yields */ }
  })().catch((e) => e);
  expect(outcome).toBeInstanceOf(DumpInterruptedError);
  expect(outcome.restarts).toBe(2);
  expect(changes).toBe(3);
  // One change on the first attempt only: the restart succeeds and nothing flagged is yielded.
  let first = true;
  changing = false;
  untap();
  const untapOnce = kernel.tap((record) => {
    if (first && record.protocol === NETLINK_ROUTE && record.destinationPort === sock.portId) {
      first = false;
      queueMicrotask(() => kernel.rtnetlink!.addLink({ kind: 'veth', name: 'late', peer: { name: 'latep' } }));
    }
  });
  let links = 0;
  for await (const part of sock.dumpBatches({ type: 18, header: ifinfomsg() }, { onInterrupted: 'restart', maxRestarts: 2 })) {
    for (let k = 0; k < part.count; k++) {
      expect(part.batch.flags(part.indices[k]!) & NLM_F_DUMP_INTR).toBe(0);
      links++;
    }
  }
  expect(links).toBe(kernel.rtnetlink!.links().length);
  untapOnce();
  sock.close();
});
