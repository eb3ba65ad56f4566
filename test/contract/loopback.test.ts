// The transport contract over the loopback bus: a fresh LoopbackKernel per
// file, its ROUTE side changed through the emulated rtnetlink.

import { LoopbackKernel } from '../../src/transport/loopback/index.js';
import { defineTransportContract } from './suite.js';

defineTransportContract('loopback', () => {
  const kernel = new LoopbackKernel();
  const proc = process;
  return {
    open: (protocol, options) => kernel.open(protocol, options),
    kernel: {
      addVethPair: (name, peer) => {
        kernel.rtnetlink!.addLink({ kind: 'veth', name, peer: { name: peer } });
      },
    },
    credentials: { pid: proc.pid, uid: proc.getuid!(), gid: proc.getgid!() },
    dispose: () => {
      for (const row of kernel.sockets()) throw new Error(`socket ${row.portId} of protocol ${row.protocol} left open`);
    },
  };
});
