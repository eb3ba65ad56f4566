// Receiving uevents. NETLINK_KOBJECT_UEVENT datagrams carry no nlmsghdr, so
// they bypass the socket engine: this reader takes a Transport and hands out
// each datagram whole, decoded.
//
//   group 1 (kernel): "add@/devices/...\0ACTION=add\0DEVPATH=...\0SUBSYSTEM=net\0SEQNUM=..."
//   group 2 (udev):   "libudev\0" + header + properties (see udev.ts)

import { RECV_META_STRIDE, RECV_META_LENGTH, RECV_META_SIZE, RECV_META_PORT, type Transport } from '../../transport/transport.js';
import { openNative } from '../../transport/native.js';
import { NETLINK_KOBJECT_UEVENT } from '../../codec/constants.js';
import { defaultRegistry } from '../../schema/default-registry.js';
import { decodeUevent, type Uevent } from '../../schema/uevent.js';
import { decodeUdevMonitor, isUdevMonitor, type UdevMonitorEvent } from './udev.js';

export const UEVENT_GROUP_KERNEL = 1;
export const UEVENT_GROUP_UDEV = 2;

export type UeventMessage = Uevent | UdevMonitorEvent;

export type UeventReaderEvent =
  | { kind: 'event'; event: UeventMessage; sender: number }
  /** The receive buffer overflowed (ENOBUFS): events were lost. */
  | { kind: 'overrun' }
  /** A datagram that did not decode; the error says where. */
  | { kind: 'malformed'; error: Error; bytes: Uint8Array }
  /** A datagram larger than the receive slot, cut short. */
  | { kind: 'truncated'; size: number };

/** Decodes one uevent datagram of either flavour. */
export function decodeUeventDatagram(bytes: Uint8Array): UeventMessage {
  if (isUdevMonitor(bytes)) return decodeUdevMonitor(bytes);
  return decodeUevent(defaultRegistry().family('uevent'), bytes) as Uevent;
}

export interface UeventReaderOptions {
  /** 'kernel' (group 1, default) or 'udev' (group 2). */
  source?: 'kernel' | 'udev';
  /** A network namespace name under /run/netns. */
  netns?: string;
  /** Receive buffer in bytes (uevent storms at boot or hotplug need room). */
  receiveBuffer?: number;
  /** Datagrams per receive call. */
  slots?: number;
  signal?: AbortSignal;
}

const SLOT = 8192; // the kernel caps a uevent at UEVENT_BUFFER_SIZE (2048) plus its header

/**
 * Reads uevents from `transport` (bound to a uevent group) until the signal
 * aborts or the transport closes. `sender` is the sending port: 0 for the
 * kernel's events, udevd's port for udev ones.
 */
export async function* readUevents(transport: Transport, options: { slots?: number; signal?: AbortSignal } = {}): AsyncGenerator<UeventReaderEvent, void, undefined> {
  const slots = options.slots ?? 16;
  const region = new Uint8Array(slots * SLOT);
  const meta = new Uint32Array(slots * RECV_META_STRIDE);
  const signal = options.signal;
  for (;;) {
    if (signal?.aborted || transport.closed) return;
    const result = transport.receive({ region, slotSize: SLOT, slots, meta });
    if (result.overrun) yield { kind: 'overrun' };
    if (result.datagrams === 0) {
      if (result.overrun) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          transport.setReadableHandler(null);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        signal?.addEventListener('abort', done, { once: true });
        transport.setReadableHandler(done);
      });
      continue;
    }
    for (let d = 0; d < result.datagrams; d++) {
      const row = d * RECV_META_STRIDE;
      const length = meta[row + RECV_META_LENGTH]!;
      const size = meta[row + RECV_META_SIZE]!;
      if (size > length) {
        yield { kind: 'truncated', size };
        continue;
      }
      const bytes = region.slice(d * SLOT, d * SLOT + length);
      try {
        yield { kind: 'event', event: decodeUeventDatagram(bytes), sender: meta[row + RECV_META_PORT]! };
      } catch (error) {
        yield { kind: 'malformed', error: error as Error, bytes };
      }
    }
  }
}

/** Opens a uevent socket (native) and reads it; the socket closes when the loop ends. */
export async function* uevents(options: UeventReaderOptions = {}): AsyncGenerator<UeventReaderEvent, void, undefined> {
  const group = options.source === 'udev' ? UEVENT_GROUP_UDEV : UEVENT_GROUP_KERNEL;
  const transport = openNative(NETLINK_KOBJECT_UEVENT, { groups: 1 << (group - 1), ...(options.netns ? { netns: options.netns } : {}) });
  try {
    if (options.receiveBuffer) transport.setOption('receiveBuffer', options.receiveBuffer);
    yield* readUevents(transport, { ...(options.slots ? { slots: options.slots } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  } finally {
    transport.close();
  }
}

