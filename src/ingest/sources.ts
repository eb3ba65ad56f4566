// Event sources: which socket to open for a monitor family, and how to turn
// each received message (or raw datagram) into an event. Decoding goes
// through the schema registry, so any family with a spec decodes the same way.
//
//   family      protocol                 groups                                decoder
//   link        NETLINK_ROUTE (0)        RTNLGRP_LINK                          registry (rt-link)
//   addr        NETLINK_ROUTE            RTNLGRP_IPV4_IFADDR, IPV6_IFADDR       registry (rt-addr)
//   route       NETLINK_ROUTE            RTNLGRP_IPV4_ROUTE, IPV6_ROUTE         registry (rt-route)
//   neigh       NETLINK_ROUTE            RTNLGRP_NEIGH                         registry (rt-neigh)
//   conntrack   NETLINK_NETFILTER (12)   NFNLGRP_CONNTRACK_NEW/UPDATE/DESTROY  registry (conntrack)
//   uevent      NETLINK_KOBJECT_UEVENT   1 (kernel)                            decodeUevent, no nlmsghdr
//   proc        NETLINK_CONNECTOR (11)   CN_IDX_PROC                           connector spec, seq gaps

import {
  NETLINK_ROUTE, NETLINK_NETFILTER, NETLINK_KOBJECT_UEVENT, NETLINK_CONNECTOR, type Batch, type Codec,
} from '../codec/index.js';
import { ArgumentError } from '../codec/errors.js';
import { defaultRegistry } from '../schema/default-registry.js';
import { formatAttributes, formatStruct, plainValue } from '../schema/format.js';
import { decodeBatchMessage } from '../schema/decode.js';
import { decodeUevent } from '../schema/uevent.js';
import type { RawMessage, SchemaRegistry } from '../schema/registry.js';
import { openNative } from '../transport/native.js';
import type { LoopbackKernel } from '../transport/loopback/kernel.js';
import type { Transport } from '../transport/transport.js';
import { openSocket } from '../socket/open.js';
import { ProcEventDecoder, ProcSequenceTracker } from '../families/connector/proc.js';
import { openProcConnector } from '../families/connector/open.js';
import { rtnlGroupMask, type RtnlGroupName } from '../families/rtnetlink/groups.js';
import { RTM_GETLINK } from '../families/rtnetlink/links.js';
import { RTM_GETADDR } from '../families/rtnetlink/addresses.js';
import { RTM_GETROUTE } from '../families/rtnetlink/routes.js';
import { RTM_GETNEIGH } from '../families/rtnetlink/neighbours.js';

export const MONITOR_FAMILIES = ['link', 'addr', 'route', 'neigh', 'all', 'proc', 'uevent', 'conntrack'] as const;
export type MonitorFamily = (typeof MONITOR_FAMILIES)[number];

/** What a source hands the pipeline for each message; the pipeline stamps seq and time. */
export interface SourceEvent {
  family: string;
  name: string;
  data: Record<string, unknown>;
  bytes?: Uint8Array;
  resync?: true;
}

export interface SourceOutput {
  event(e: SourceEvent): void;
  /** Messages known lost from a kernel sequence (exact count). */
  gap(dropped: number, detail: string): void;
}

export interface Source {
  /** The family name loss records carry ('link', 'all', 'proc', ...). */
  readonly family: MonitorFamily;
  readonly protocol: number;
  readonly transport: Transport;
  /** Datagrams are not netlink messages (uevent): decodeDatagram instead of decode. */
  readonly raw: boolean;
  decode(batch: Batch, i: number, keepBytes: boolean, out: SourceOutput): void;
  decodeDatagram?(bytes: Uint8Array, keepBytes: boolean, out: SourceOutput): void;
  /** Re-reads the state the events describe (a dump), after an overrun. */
  resync?(out: SourceOutput): Promise<number>;
  close(): void;
}

export interface SourceOptions {
  /** A network namespace name under /run/netns (not for proc: the connector is not namespaced). */
  netns?: string;
  /** Open on this emulated kernel instead of a real socket. */
  loopback?: LoopbackKernel;
  /** An already-open transport (tests). */
  transport?: Transport;
  /** SO_RCVBUFFORCE in bytes (default 8 MiB; ignored on loopback). */
  receiveBuffer?: number;
  registry?: SchemaRegistry;
  codec?: Codec;
}

// The rtnetlink groups of each monitored family.
const RT_GROUPS = {
  link: ['link'], neigh: ['neigh'], addr: ['ipv4-ifaddr', 'ipv6-ifaddr'], route: ['ipv4-route', 'ipv6-route'],
} as const satisfies Record<string, readonly RtnlGroupName[]>;
// Dump requests to resync each family: RTM_GET*, header length of the family header.
const RTM_DUMPS = { link: [RTM_GETLINK, 16], addr: [RTM_GETADDR, 8], route: [RTM_GETROUTE, 12], neigh: [RTM_GETNEIGH, 12] } as const;
const RT_FAMILIES: Record<string, string> = { 'rt-link': 'link', 'rt-addr': 'addr', 'rt-route': 'route', 'rt-neigh': 'neigh' };
const NFNLGRP_CONNTRACK = [1, 2, 3];

const mask = (groups: readonly number[]) => groups.reduce((m, g) => m | (1 << (g - 1)), 0) >>> 0;

function checkFamily(family: string): MonitorFamily {
  if (!(MONITOR_FAMILIES as readonly string[]).includes(family)) {
    throw new ArgumentError(`unknown monitor family '${family}' (known: ${MONITOR_FAMILIES.join(', ')})`);
  }
  return family as MonitorFamily;
}

function openTransport(protocol: number, groups: number, options: SourceOptions): Transport {
  if (options.transport) return options.transport;
  if (options.loopback) {
    const t = options.loopback.open(protocol, options.netns !== undefined ? { groups, netns: options.netns } : { groups });
    return t;
  }
  const t = openNative(protocol, options.netns !== undefined ? { groups, netns: options.netns } : { groups });
  try {
    t.setOption('receiveBufferForce', options.receiveBuffer ?? 8 << 20);
  } catch (e) {
    t.close();
    throw e;
  }
  return t;
}

/**
 * Message i as event data: the family header and the attributes in display
 * form (addresses in their notation, by the spec's hints), JSON-safe.
 */
function registryData(registry: SchemaRegistry, batch: Batch, i: number, protocol: number): { family: string | null; name: string; data: Record<string, unknown> } {
  const schema = registry.lookup(batch, i, protocol);
  if (!schema) {
    const raw = registry.decode(batch, i, protocol) as RawMessage;
    return { family: null, name: raw.message ?? `type-${raw.type}`, data: plainValue({ type: raw.type, flags: raw.flags, payload: raw.payload }) as Record<string, unknown> };
  }
  const decoded = decodeBatchMessage(batch, i, schema);
  const data: Record<string, unknown> = {};
  if (decoded.header) data.header = schema.header ? formatStruct(schema.header, decoded.header) : plainValue(decoded.header);
  data.attributes = schema.set ? formatAttributes(schema.set, decoded.attributes) : plainValue(decoded.attributes);
  return { family: decoded.family, name: decoded.message, data };
}

class RegistrySource implements Source {
  readonly raw = false;
  constructor(
    readonly family: MonitorFamily,
    readonly protocol: number,
    readonly transport: Transport,
    private readonly registry: SchemaRegistry,
    private readonly familyName: (schemaFamily: string | null) => string,
    readonly resync?: (out: SourceOutput) => Promise<number>,
  ) {}

  decode(batch: Batch, i: number, keepBytes: boolean, out: SourceOutput): void {
    const { family, name, data } = registryData(this.registry, batch, i, this.protocol);
    const e: SourceEvent = { family: this.familyName(family), name, data };
    if (keepBytes) e.bytes = batch.copy(i);
    out.event(e);
  }

  close(): void {
    this.transport.close();
  }
}

function rtnetlinkSource(family: 'link' | 'addr' | 'route' | 'neigh' | 'all', options: SourceOptions): Source {
  const parts = family === 'all' ? (['link', 'addr', 'route', 'neigh'] as const) : [family];
  const groups = rtnlGroupMask(parts.flatMap((p) => RT_GROUPS[p]));
  const transport = openTransport(NETLINK_ROUTE, groups, options);
  const registry = options.registry ?? defaultRegistry();
  const resync = async (out: SourceOutput): Promise<number> => {
    // A separate socket: the event socket keeps receiving while the dump runs.
    const sock = openSocket('route', { ...(options.loopback ? { loopback: options.loopback } : {}), ...(options.netns !== undefined ? { netns: options.netns } : {}) });
    let count = 0;
    try {
      for (const part of parts) {
        const [type, headerLength] = RTM_DUMPS[part];
        for await (const received of sock.dumpBatches({ type, header: new Uint8Array(headerLength) })) {
          for (let k = 0; k < received.count; k++) {
            const i = received.indices[k]!;
            const { name, data } = registryData(registry, received.batch, i, NETLINK_ROUTE);
            out.event({ family: part, name, data, resync: true });
            count++;
          }
        }
      }
    } finally {
      sock.close();
    }
    return count;
  };
  return new RegistrySource(family, NETLINK_ROUTE, transport, registry, (f) => (f && RT_FAMILIES[f]) ?? 'route', resync);
}

class ProcSource implements Source {
  readonly family = 'proc' as const;
  readonly protocol = NETLINK_CONNECTOR;
  readonly raw = false;
  private readonly sequence = new ProcSequenceTracker();
  private readonly decoder: ProcEventDecoder;
  constructor(readonly transport: Transport, private readonly unsubscribe: () => void, codec: Codec | undefined) {
    this.decoder = new ProcEventDecoder(codec);
  }

  decode(batch: Batch, i: number, keepBytes: boolean, out: SourceOutput): void {
    const e = this.decoder.decode(batch, i);
    if (!e) return;
    const lost = this.sequence.observe(e.cpu, e.seq);
    if (lost > 0) out.gap(lost, `cpu ${e.cpu} seq jumped to ${e.seq}`);
    // The subscription's own acknowledgement (what = none) is not an event.
    if (e.name === 'none') return;
    const ev: SourceEvent = { family: 'proc', name: e.name, data: e.record };
    if (keepBytes) ev.bytes = batch.copy(i);
    out.event(ev);
  }

  close(): void {
    try {
      this.unsubscribe();
    } finally {
      this.transport.close();
    }
  }
}

class UeventSource implements Source {
  readonly family = 'uevent' as const;
  readonly protocol = NETLINK_KOBJECT_UEVENT;
  readonly raw = true;
  constructor(readonly transport: Transport, private readonly registry: SchemaRegistry) {}

  decode(): void {
    throw new Error('uevent datagrams have no netlink header');
  }

  decodeDatagram(bytes: Uint8Array, keepBytes: boolean, out: SourceOutput): void {
    const u = decodeUevent(this.registry.family('uevent'), bytes);
    const ev: SourceEvent = u.kind === 'udev'
      ? { family: 'uevent', name: 'udev', data: { kind: 'udev', bytes: plainValue(u.bytes) } }
      : { family: 'uevent', name: u.action, data: plainValue({ kind: 'kernel', action: u.action, devpath: u.devpath, env: u.env }) as Record<string, unknown> };
    if (keepBytes) ev.bytes = bytes.slice();
    out.event(ev);
  }

  close(): void {
    this.transport.close();
  }
}

/** Opens the source of `family`: its socket, subscribed, and its decoder. */
export function openSource(familyName: string, options: SourceOptions = {}): Source {
  const family = checkFamily(familyName);
  const registry = options.registry ?? defaultRegistry();
  switch (family) {
    case 'link': case 'addr': case 'route': case 'neigh': case 'all':
      return rtnetlinkSource(family, options);
    case 'conntrack': {
      const transport = openTransport(NETLINK_NETFILTER, mask(NFNLGRP_CONNTRACK), options);
      return new RegistrySource('conntrack', NETLINK_NETFILTER, transport, registry, () => 'conntrack');
    }
    case 'uevent':
      return new UeventSource(openTransport(NETLINK_KOBJECT_UEVENT, 1, options), registry);
    case 'proc': {
      if (options.netns !== undefined) throw new ArgumentError('process events come from the initial network namespace only; --netns does not apply to proc');
      const opened = options.transport || options.loopback
        ? openProcConnector({ transport: openTransport(NETLINK_CONNECTOR, 1, options) })
        : openProcConnector(options.receiveBuffer !== undefined ? { receiveBuffer: options.receiveBuffer } : {});
      return new ProcSource(opened.transport, () => opened.unsubscribe(), options.codec);
    }
  }
}

