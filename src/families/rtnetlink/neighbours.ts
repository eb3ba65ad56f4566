// Neighbour entries (RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH): ARP and NDP
// caches, decoded through the rt-neigh schema.
//
//   ndmsg       ┌────────┬─────┬───────┬───────────┬────────────┬───────┬──────┐
//               │ family │ pad │ pad16 │ ifindex   │ state u16  │ flags │ type │
//               └────────┴─────┴───────┴───────────┴────────────┴───────┴──────┘

import { ArgumentError } from '../../codec/errors.js';
import { loadCodec, type Codec } from '../../codec/codec.js';
import type { Batch } from '../../codec/batch.js';
import { decodeBatchMessage } from '../../schema/index.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import type { Message } from '../../socket/received.js';
import { AF_INET, AF_INET6, familyVersion, hexText, ipText, parseIp, parseMac } from './address.js';
import { rtSchemas } from './schema.js';
import { rtDump, rtRequest, VERB_FLAGS, type ListOptions, type OperationOptions, type Verb } from './request.js';
import { linkIndex } from './links.js';
import { scratch } from '../../socket/scratch.js';

export const RTM_NEWNEIGH = 28;
export const RTM_DELNEIGH = 29;
export const RTM_GETNEIGH = 30;

export interface Neighbour {
  /** 4, 6, or the address family number (7: bridge FDB). */
  family: number;
  index: number;
  dst?: string;
  lladdr?: string;
  /** NUD_* by name: 'reachable', 'stale', 'permanent', 'noarp', ... */
  state: string[];
  /** NTF_* by name: 'router', 'proxy', ... */
  flags: string[];
  type: number;
  probes?: number;
  vlan?: number;
  master?: number;
}

export interface NeighbourFilter {
  family?: 4 | 6;
  index?: number;
}

export interface NeighbourSpec {
  dev: number | string;
  dst: string;
  lladdr?: string;
  /** NUD_* names; default ['permanent']. */
  state?: string[];
  /** NTF_* names: 'router', 'proxy'. */
  flags?: string[];
}

const names = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function decodeNeighbour(batch: Batch, i: number, codec: Codec = loadCodec()): Neighbour {
  const m = decodeBatchMessage(batch, i, rtSchemas().neigh.newMessage, undefined, codec);
  const h = m.header!;
  const a = m.attributes;
  const family = h.ndmFamily as number;
  const out: Neighbour = {
    family: familyVersion(family),
    index: h.ndmIfindex as number, state: names(h.ndmState), flags: names(h.ndmFlags),
    type: typeof h.ndmType === 'number' ? h.ndmType : (rtSchemas().neigh.family.enums.get('rtm-type')!.byName.get(h.ndmType as string) ?? 0),
  };
  if (a.dst instanceof Uint8Array) out.dst = ipText(a.dst);
  if (a.lladdr instanceof Uint8Array) out.lladdr = hexText(a.lladdr);
  if (a.probes !== undefined) out.probes = a.probes as number;
  if (a.vlan !== undefined) out.vlan = a.vlan as number;
  if (a.master !== undefined) out.master = a.master as number;
  return out;
}

export function decodeNeighbourMessage(sock: { codec: Codec }, message: Message | Uint8Array): Neighbour {
  const batch = scratch(sock.codec).scanBytes(message instanceof Uint8Array ? message : message.bytes);
  return decodeNeighbour(batch, 0, sock.codec);
}

async function specParts(sock: NetlinkSocket, spec: NeighbourSpec, forDelete: boolean, options?: OperationOptions) {
  const dst = parseIp(spec.dst);
  const attrs: Record<string, unknown> = { dst: dst.bytes };
  if (spec.lladdr !== undefined) attrs.lladdr = parseMac(spec.lladdr);
  const header = {
    ndmFamily: dst.family, ndmIfindex: await linkIndex(sock, spec.dev, options),
    ndmState: forDelete ? 0 : (spec.state ?? ['permanent']), ndmFlags: spec.flags ?? [],
  };
  return { header, attrs };
}

async function write(sock: NetlinkSocket, verb: Verb, spec: NeighbourSpec, options?: OperationOptions): Promise<void> {
  const { header, attrs } = await specParts(sock, spec, false, options);
  await rtRequest(sock, rtSchemas().neigh.newMessage, header, attrs, VERB_FLAGS[verb], options);
}

/** Typed neighbour operations. */
export const neighbours = {
  dump(sock: NetlinkSocket, filter?: NeighbourFilter, options?: ListOptions): AsyncGenerator<Neighbour, void, undefined> {
    const header = new Uint8Array(12);
    header[0] = filter?.family === 6 ? AF_INET6 : filter?.family === 4 ? AF_INET : 0;
    const codec = sock.codec;
    return rtDump(sock, RTM_GETNEIGH, header, RTM_NEWNEIGH, (batch, i) => {
      const n = decodeNeighbour(batch, i, codec);
      return filter?.index !== undefined && n.index !== filter.index ? undefined : n;
    }, options);
  },
  /** One entry (RTM_GETNEIGH): ENOENT when there is none. */
  async get(sock: NetlinkSocket, dev: number | string, dst: string, options?: OperationOptions): Promise<Neighbour> {
    const { header, attrs } = await specParts(sock, { dev, dst }, true, options);
    const reply = await rtRequest(sock, rtSchemas().neigh.getMessage, header, attrs, 0, options);
    const message = reply.messages.find((m) => m.type === RTM_NEWNEIGH);
    if (!message) throw new ArgumentError(`the kernel answered RTM_GETNEIGH for ${dst} without an entry`);
    return decodeNeighbourMessage(sock, message);
  },
  add(sock: NetlinkSocket, spec: NeighbourSpec, options?: OperationOptions): Promise<void> {
    return write(sock, 'add', spec, options);
  },
  replace(sock: NetlinkSocket, spec: NeighbourSpec, options?: OperationOptions): Promise<void> {
    return write(sock, 'replace', spec, options);
  },
  /** Changes an existing entry only (ENOENT when absent). */
  change(sock: NetlinkSocket, spec: NeighbourSpec, options?: OperationOptions): Promise<void> {
    return write(sock, 'change', spec, options);
  },
  async delete(sock: NetlinkSocket, spec: Omit<NeighbourSpec, 'lladdr' | 'state'>, options?: OperationOptions): Promise<void> {
    const { header, attrs } = await specParts(sock, spec, true, options);
    await rtRequest(sock, rtSchemas().neigh.delMessage, header, attrs, 0, options);
  },
};
