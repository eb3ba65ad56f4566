// The transport contract over real AF_NETLINK sockets, inside a network
// namespace made for this file (root only; see test/helpers/kernel.ts). Its
// ROUTE side is changed with iproute2 inside that namespace.

import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { defineTransportContract } from './suite.js';

describeKernel('native transport', () => {
  defineTransportContract('native', async () => {
    // Loaded here so that a missing or unbuilt addon fails these tests, not the whole run's collection.
    const { openNative } = await import('../../src/transport/native.js');
    const ns = TestNetns.create('nlkit-contract');
    return {
      open: (protocol, options) => openNative(protocol, { ...options, netns: ns.path }),
      kernel: {
        addVethPair: (name, peer) => {
          ns.ip('link', 'add', name, 'type', 'veth', 'peer', 'name', peer);
        },
      },
      credentials: { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() },
      dispose: () => ns.remove(),
    };
  });
});
