// Opening a process-event subscription: a NETLINK_CONNECTOR socket bound to
// the CN_IDX_PROC group, then PROC_CN_MCAST_LISTEN so the kernel starts
// sending. The connector lives in the initial network namespace only.

import { NETLINK_CONNECTOR } from '../../codec/constants.js';
import { openNative } from '../../transport/native.js';
import type { Transport } from '../../transport/transport.js';
import { CN_PROC_GROUP, procMulticastRequest } from './cn-msg.js';

export interface ProcConnectorOptions {
  /** SO_RCVBUFFORCE in bytes (default 8 MiB): bursts of forks fill small buffers fast. */
  receiveBuffer?: number;
  /** An already-open connector transport (a loopback one in tests). */
  transport?: Transport;
}

/** A transport subscribed to process events; `unsubscribe` sends PROC_CN_MCAST_IGNORE. */
export function openProcConnector(options: ProcConnectorOptions = {}): { transport: Transport; unsubscribe(): void } {
  const transport = options.transport ?? openNative(NETLINK_CONNECTOR, { groups: 1 << (CN_PROC_GROUP - 1) });
  try {
    if (!options.transport) transport.setOption('receiveBufferForce', options.receiveBuffer ?? 8 << 20);
    transport.send(procMulticastRequest('listen', transport.address().portId));
  } catch (e) {
    if (!options.transport) transport.close();
    throw e;
  }
  return {
    transport,
    unsubscribe() {
      if (!transport.closed) transport.send(procMulticastRequest('ignore', transport.address().portId));
    },
  };
}
