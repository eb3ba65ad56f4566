// A small emulated rtnetlink: a link table per namespace, with RTM_GETLINK
// (get and dump), RTM_NEWLINK (NLM_F_CREATE / NLM_F_EXCL semantics),
// RTM_SETLINK and RTM_DELLINK, and RTM_NEWLINK / RTM_DELLINK notifications to
// RTNLGRP_LINK. Each namespace starts with `lo` (index 1, down). Kinds that
// can be created: dummy, bridge and veth (a pair; the peer from
// IFLA_INFO_DATA / VETH_INFO_PEER).
//
//   RTM_*LINK ┌──────────┬──────────────────────────────────────────┬─────────────────┐
//             │ nlmsghdr │ ifinfomsg: family pad type index flags change │ IFLA_* attributes │
//             └──────────┴──────────────────────────────────────────┴─────────────────┘

import type { AttributeList, AttributeWalker } from '../../../codec/attributes.js';
import type { MessageBuilder } from '../../../codec/builder.js';
import {
  NETLINK_ROUTE, NLM_F_DUMP, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE,
} from '../../../codec/constants.js';
import { NetlinkError, type ExtendedAck } from '../../../codec/errors.js';
import type { KernelContext } from '../context.js';
import type { LoopbackKernel } from '../kernel.js';
import type { KernelRequest } from '../request.js';
import { randomInteger } from '../environment.js';
import {
  RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK, RTNLGRP_LINK, RTNLGRP_MAX, IFINFOMSG_SIZE, AF_UNSPEC,
  IFLA_ADDRESS, IFLA_BROADCAST, IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_MASTER, IFLA_TXQLEN, IFLA_OPERSTATE,
  IFLA_LINKMODE, IFLA_LINKINFO, IFLA_GROUP, IFLA_PROMISCUITY, IFLA_CARRIER, IFLA_MIN_MTU, IFLA_MAX_MTU,
  IFLA_ALT_IFNAME, IFLA_INFO_KIND, IFLA_INFO_DATA, VETH_INFO_PEER,
  IFF_UP, IFF_BROADCAST, IFF_LOOPBACK, IFF_RUNNING, IFF_NOARP, IFF_MULTICAST, IFF_LOWER_UP, IFF_USER_SETTABLE,
  IF_OPER_UNKNOWN, IF_OPER_DOWN, IF_OPER_UP, ARPHRD_ETHER, ARPHRD_LOOPBACK, IFNAMSIZ, ETH_ALEN, ETH_MIN_MTU, ETH_MAX_MTU,
} from './constants.js';
import { parseLevel, walkPayload, type Policy } from './policy.js';

const ENODEV = 19;
const EEXIST = 17;
const EINVAL = 22;
const EOPNOTSUPP = 95;
const IF_OPER_LOWERLAYERDOWN = 5;

/** A link as the table holds it. */
export interface Link {
  index: number;
  name: string;
  /** IFLA_INFO_KIND; undefined for lo. */
  kind: string | undefined;
  /** ARPHRD_* */
  type: number;
  /** IFF_* as set by the user (RUNNING and LOWER_UP are derived). */
  flags: number;
  mtu: number;
  minMtu: number;
  maxMtu: number;
  txqlen: number;
  address: Uint8Array;
  broadcast: Uint8Array;
  /** The bridge it is enslaved to, 0 for none. */
  master: number;
  /** The other end of a veth pair, 0 for none. */
  peer: number;
}

/** What a kernel-side addLink takes. */
export interface LinkSpec {
  name?: string;
  kind: 'dummy' | 'bridge' | 'veth';
  index?: number;
  mtu?: number;
  up?: boolean;
  address?: Uint8Array;
  txqlen?: number;
  /** For veth: the peer's name (default veth%d) and index. */
  peer?: { name?: string; index?: number };
}

/** What a kernel-side setLink changes. */
export interface LinkChange {
  name?: string;
  mtu?: number;
  up?: boolean;
  address?: Uint8Array;
  txqlen?: number;
  master?: number;
}

const KINDS = new Set(['dummy', 'bridge', 'veth']);

const LINK_POLICY: Policy = {
  [IFLA_ADDRESS]: { kind: 'binary', maxLength: 32 },
  [IFLA_BROADCAST]: { kind: 'binary', maxLength: 32 },
  [IFLA_IFNAME]: { kind: 'string', maxLength: IFNAMSIZ - 1 },
  [IFLA_ALT_IFNAME]: { kind: 'string', maxLength: 127 },
  [IFLA_MTU]: { kind: 'u32' },
  [IFLA_LINK]: { kind: 'u32' },
  [IFLA_MASTER]: { kind: 'u32' },
  [IFLA_TXQLEN]: { kind: 'u32' },
  [IFLA_OPERSTATE]: { kind: 'u8' },
  [IFLA_LINKMODE]: { kind: 'u8' },
  [IFLA_GROUP]: { kind: 'u32' },
  [IFLA_LINKINFO]: { kind: 'nested' },
};
const LINKINFO_POLICY: Policy = {
  [IFLA_INFO_KIND]: { kind: 'string' },
  [IFLA_INFO_DATA]: { kind: 'nested' },
};

class LinkTable {
  readonly links = new Map<number, Link>();
  /** Bumped on every change; dumps flag NLM_F_DUMP_INTR when it moves under them. */
  generation = 1;

  byName(name: string): Link | undefined {
    for (const link of this.links.values()) if (link.name === name) return link;
    return undefined;
  }

  sorted(): Link[] {
    return [...this.links.values()].sort((a, b) => a.index - b.index);
  }

  freeIndex(): number {
    let index = 1;
    while (this.links.has(index)) index++;
    return index;
  }

  /** The first free name for a pattern with %d ("veth%d" → veth0, veth1 ...). */
  freeName(pattern: string): string {
    for (let i = 0; ; i++) {
      const name = pattern.replace('%d', String(i));
      if (!this.byName(name)) return name;
    }
  }
}

/** The parsed body of a link request. */
interface LinkRequest {
  index: number;
  flags: number;
  change: number;
  name?: string;
  nameOffset?: number;
  mtu?: number;
  mtuOffset?: number;
  address?: Uint8Array;
  addressOffset?: number;
  txqlen?: number;
  master?: number;
  masterOffset?: number;
  kind?: string;
  peer?: { index: number; name?: string };
}

export class RtnetlinkEmulation {
  private readonly tables = new Map<string, LinkTable>();
  private readonly walker: AttributeWalker;
  private addressCounter = 0;

  constructor(private readonly kernel: LoopbackKernel) {
    this.walker = kernel.codec.walker();
    kernel.register(NETLINK_ROUTE, (request, context) => this.handle(request, context), { groups: RTNLGRP_MAX });
  }

  // ── the kernel-side API (no request; notifications carry seq 0, port 0) ──

  /** Copies of the links of `netns`, by index. */
  links(netns = ''): Link[] {
    return this.table(netns).sorted().map(copyLink);
  }

  link(nameOrIndex: string | number, netns = ''): Link | undefined {
    const link = this.find(this.table(netns), nameOrIndex);
    return link && copyLink(link);
  }

  /** The change counter of `netns`'s link table. */
  generation(netns = ''): number {
    return this.table(netns).generation;
  }

  /** Creates a link (and a veth's peer) as RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL would. */
  addLink(spec: LinkSpec, netns = ''): Link {
    const table = this.table(netns);
    const request: LinkRequest = {
      index: spec.index ?? 0, flags: spec.up ? IFF_UP : 0, change: spec.up ? IFF_UP : 0, kind: spec.kind,
      ...(spec.name !== undefined ? { name: spec.name } : {}),
      ...(spec.mtu !== undefined ? { mtu: spec.mtu } : {}),
      ...(spec.address !== undefined ? { address: spec.address } : {}),
      ...(spec.txqlen !== undefined ? { txqlen: spec.txqlen } : {}),
      ...(spec.kind === 'veth' ? { peer: { index: spec.peer?.index ?? 0, ...(spec.peer?.name !== undefined ? { name: spec.peer.name } : {}) } } : {}),
    };
    if (request.name !== undefined && table.byName(request.name)) throw new NetlinkError(EEXIST, { operation: 'addLink' });
    if (request.index && table.links.has(request.index)) throw new NetlinkError(EEXIST, { operation: 'addLink' });
    const created = this.create(table, request);
    for (const link of created) this.broadcastLink(netns, RTM_NEWLINK, link, 0xffffffff);
    return copyLink(created[0]!);
  }

  /** Changes a link as RTM_SETLINK would. */
  setLink(nameOrIndex: string | number, change: LinkChange, netns = ''): Link {
    const table = this.table(netns);
    const link = this.find(table, nameOrIndex);
    if (!link) throw new NetlinkError(ENODEV, { operation: 'setLink' });
    const request: LinkRequest = {
      index: link.index, flags: change.up ? IFF_UP : 0, change: change.up === undefined ? 0 : IFF_UP,
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.mtu !== undefined ? { mtu: change.mtu } : {}),
      ...(change.address !== undefined ? { address: change.address } : {}),
      ...(change.txqlen !== undefined ? { txqlen: change.txqlen } : {}),
      ...(change.master !== undefined ? { master: change.master } : {}),
    };
    const changed = this.apply(table, link, request, change.up !== undefined);
    if (changed) this.broadcastLink(netns, RTM_NEWLINK, link, changed);
    return copyLink(link);
  }

  /** Deletes a link (and a veth's peer) as RTM_DELLINK would. */
  deleteLink(nameOrIndex: string | number, netns = ''): void {
    const table = this.table(netns);
    const link = this.find(table, nameOrIndex);
    if (!link) throw new NetlinkError(ENODEV, { operation: 'deleteLink' });
    for (const gone of this.remove(table, link)) this.broadcastLink(netns, RTM_DELLINK, gone, 0xffffffff);
  }

  // ── requests ────────────────────────────────────────────────────────────

  private handle(request: KernelRequest, context: KernelContext): void {
    switch (request.type) {
      case RTM_GETLINK:
        if (request.flags & NLM_F_DUMP) this.dumpLinks(request, context);
        else this.getLink(request, context);
        return;
      case RTM_NEWLINK: return this.newLink(request, context);
      case RTM_SETLINK: return this.setLinkRequest(request, context);
      case RTM_DELLINK: return this.delLink(request, context);
      default:
        context.fail(EOPNOTSUPP);
    }
  }

  private getLink(request: KernelRequest, context: KernelContext): void {
    const body = this.parse(request);
    const table = this.table(request.netns);
    let link: Link | undefined;
    if (body.index > 0) link = table.links.get(body.index);
    else if (body.name !== undefined) link = table.byName(body.name);
    else context.fail(EINVAL, { message: 'Neither an interface index nor a name was given' });
    if (!link) context.fail(ENODEV);
    context.reply(RTM_NEWLINK, 0, (b) => writeLink(b, link!, 0, table));
  }

  private dumpLinks(request: KernelRequest, context: KernelContext): void {
    // With strictCheck (NETLINK_GET_STRICT_CHK) the header must not ask for filters the dump lacks.
    if (request.strictCheck && request.payload.length >= IFINFOMSG_SIZE) {
      const view = request.payloadView();
      if (view.getUint8(1) || view.getUint16(2, true) || view.getUint32(8, true) || view.getUint32(12, true)) {
        context.fail(EINVAL, { message: 'Invalid values in header for link dump request' });
      }
      if (view.getInt32(4, true)) context.fail(EINVAL, { message: 'Filter by device index not supported for link dumps' });
    }
    const table = this.table(request.netns);
    let cursor = 0;
    context.dump({
      generation: () => table.generation,
      fill(part) {
        let added = 0;
        for (const link of table.sorted()) {
          if (link.index <= cursor) continue;
          if (!part.message(RTM_NEWLINK, (b) => writeLink(b, link, 0, table))) return true;
          cursor = link.index;
          added++;
        }
        // Like the kernel's: a part that got something asks once more, so NLMSG_DONE comes alone.
        return added > 0;
      },
    });
  }

  private newLink(request: KernelRequest, context: KernelContext): void {
    const body = this.parse(request);
    const table = this.table(request.netns);
    let link: Link | undefined;
    if (body.index > 0) link = table.links.get(body.index);
    else if (body.name !== undefined) link = table.byName(body.name);
    if (link) {
      if (request.flags & NLM_F_EXCL) context.fail(EEXIST);
      if (request.flags & NLM_F_REPLACE) context.fail(EOPNOTSUPP);
      const changed = this.apply(table, link, body, true);
      if (changed) context.notify(RTNLGRP_LINK, RTM_NEWLINK, 0, (b) => writeLink(b, link!, changed, table));
      return;
    }
    if (!(request.flags & NLM_F_CREATE)) context.fail(ENODEV);
    if (body.kind === undefined || !KINDS.has(body.kind)) context.fail(EOPNOTSUPP, { message: 'Unknown device type' });
    for (const link of this.create(table, body)) {
      context.notify(RTNLGRP_LINK, RTM_NEWLINK, 0, (b) => writeLink(b, link, 0xffffffff, table));
    }
  }

  private setLinkRequest(request: KernelRequest, context: KernelContext): void {
    const body = this.parse(request);
    const table = this.table(request.netns);
    let link: Link | undefined;
    if (body.index > 0) link = table.links.get(body.index);
    else if (body.name !== undefined) link = table.byName(body.name);
    else context.fail(EINVAL, { message: 'Neither an interface index nor a name was given' });
    if (!link) context.fail(ENODEV);
    // A name with an index is a rename; without one it only picked the link.
    if (body.index <= 0) delete body.name;
    const changed = this.apply(table, link!, body, true);
    if (changed) context.notify(RTNLGRP_LINK, RTM_NEWLINK, 0, (b) => writeLink(b, link!, changed, table));
  }

  private delLink(request: KernelRequest, context: KernelContext): void {
    const body = this.parse(request);
    const table = this.table(request.netns);
    let link: Link | undefined;
    if (body.index > 0) link = table.links.get(body.index);
    else if (body.name !== undefined) link = table.byName(body.name);
    else context.fail(EINVAL, { message: 'Neither an interface index nor a name was given' });
    if (!link) context.fail(ENODEV);
    for (const gone of this.remove(table, link!)) {
      context.notify(RTNLGRP_LINK, RTM_DELLINK, 0, (b) => writeLink(b, gone, 0xffffffff, table));
    }
  }

  // ── the table ───────────────────────────────────────────────────────────

  private table(netns: string): LinkTable {
    let table = this.tables.get(netns);
    if (!table) {
      table = new LinkTable();
      table.links.set(1, {
        index: 1, name: 'lo', kind: undefined, type: ARPHRD_LOOPBACK, flags: IFF_LOOPBACK, mtu: 65536,
        minMtu: 0, maxMtu: 0, txqlen: 1000, address: new Uint8Array(ETH_ALEN), broadcast: new Uint8Array(ETH_ALEN),
        master: 0, peer: 0,
      });
      this.tables.set(netns, table);
    }
    return table;
  }

  private find(table: LinkTable, nameOrIndex: string | number): Link | undefined {
    return typeof nameOrIndex === 'number' ? table.links.get(nameOrIndex) : table.byName(nameOrIndex);
  }

  private newAddress(): Uint8Array {
    // Locally administered unicast addresses, like eth_hw_addr_random; counted in deterministic mode.
    const address = new Uint8Array(ETH_ALEN);
    address[0] = 0x02;
    if (this.kernel.deterministic) {
      const n = ++this.addressCounter;
      address[3] = (n >>> 16) & 0xff;
      address[4] = (n >>> 8) & 0xff;
      address[5] = n & 0xff;
    } else {
      for (let i = 1; i < ETH_ALEN; i++) address[i] = randomInteger(0, 255);
    }
    return address;
  }

  private create(table: LinkTable, body: LinkRequest): Link[] {
    const kind = body.kind!;
    const name = body.name ?? table.freeName(`${kind}%d`);
    checkName(name, body.nameOffset);
    const make = (index: number, linkName: string): Link => ({
      index, name: linkName, kind, type: ARPHRD_ETHER,
      flags: kind === 'dummy' ? IFF_BROADCAST | IFF_NOARP : IFF_BROADCAST | IFF_MULTICAST,
      mtu: 1500, minMtu: ETH_MIN_MTU, maxMtu: ETH_MAX_MTU, txqlen: 1000, address: this.newAddress(),
      broadcast: new Uint8Array(ETH_ALEN).fill(0xff), master: 0, peer: 0,
    });
    const link = make(body.index > 0 ? body.index : table.freeIndex(), name);
    let peer: Link | undefined;
    if (kind === 'veth') {
      const peerIndex = body.peer?.index ?? 0;
      const peerName = body.peer?.name;
      if (peerName !== undefined) checkName(peerName, undefined);
      if ((peerName !== undefined && (table.byName(peerName) || peerName === name)) || (peerIndex > 0 && (table.links.has(peerIndex) || peerIndex === link.index))) {
        throw new NetlinkError(EEXIST, { operation: 'request' });
      }
    }
    // Validate the changes on the new link before it exists anywhere.
    this.validate(table, link, body);
    table.links.set(link.index, link);
    if (kind === 'veth') {
      const peerIndex = body.peer?.index && body.peer.index > 0 ? body.peer.index : table.freeIndex();
      peer = make(peerIndex, body.peer?.name ?? table.freeName('veth%d'));
      peer.peer = link.index;
      link.peer = peer.index;
      table.links.set(peer.index, peer);
    }
    this.applyValidated(table, link, body, true);
    table.generation++;
    return peer ? [link, peer] : [link];
  }

  private remove(table: LinkTable, link: Link): Link[] {
    if (link.type === ARPHRD_LOOPBACK) throw new NetlinkError(EOPNOTSUPP, { operation: 'request' });
    const gone = [link];
    table.links.delete(link.index);
    const peer = link.peer ? table.links.get(link.peer) : undefined;
    if (peer) {
      table.links.delete(peer.index);
      gone.push(peer);
    }
    for (const other of table.links.values()) if (gone.some((g) => g.index === other.master)) other.master = 0;
    table.generation++;
    return gone;
  }

  /** Checks every requested change; throws the kernel's error for the first bad one. */
  private validate(table: LinkTable, link: Link, body: LinkRequest): void {
    if (body.name !== undefined && body.name !== link.name) {
      checkName(body.name, body.nameOffset);
      if (table.byName(body.name)) throw new NetlinkError(EEXIST, { operation: 'request' });
    }
    if (body.mtu !== undefined) {
      if (body.mtu < link.minMtu) fail(EINVAL, { message: 'mtu less than device minimum', ...offset(body.mtuOffset) });
      if (link.maxMtu && body.mtu > link.maxMtu) fail(EINVAL, { message: 'mtu greater than device maximum', ...offset(body.mtuOffset) });
    }
    if (body.address !== undefined && body.address.length < ETH_ALEN) {
      fail(EINVAL, { message: 'Link address is shorter than the device address length', ...offset(body.addressOffset) });
    }
    if (body.master) {
      const master = table.links.get(body.master);
      if (!master) fail(ENODEV, { message: 'Master device not found', ...offset(body.masterOffset) });
      if (master!.kind !== 'bridge' || master === link) fail(EOPNOTSUPP, { message: 'Device can not be enslaved', ...offset(body.masterOffset) });
    }
  }

  /** Validates and applies; returns the changed IFF_* bits (or ~0 for other changes), 0 when nothing changed. */
  private apply(table: LinkTable, link: Link, body: LinkRequest, withFlags: boolean): number {
    this.validate(table, link, body);
    const changed = this.applyValidated(table, link, body, withFlags);
    if (changed) table.generation++;
    return changed;
  }

  private applyValidated(table: LinkTable, link: Link, body: LinkRequest, withFlags: boolean): number {
    let changed = 0;
    const before = linkFlags(table, link);
    if (body.name !== undefined && body.name !== link.name) { link.name = body.name; changed = ~0; }
    if (body.mtu !== undefined && body.mtu !== link.mtu) { link.mtu = body.mtu; changed = ~0; }
    if (body.address !== undefined) { link.address = body.address.slice(0, ETH_ALEN); changed = ~0; }
    if (body.txqlen !== undefined && body.txqlen !== link.txqlen) { link.txqlen = body.txqlen; changed = ~0; }
    if (body.master !== undefined && body.master !== link.master) { link.master = body.master; changed = ~0; }
    if (withFlags && (body.flags || body.change)) {
      // rtnl_dev_combine_flags: ifi_change 0 means "all bits", for compatibility.
      const mask = (body.change || 0xffffffff) & IFF_USER_SETTABLE;
      link.flags = (link.flags & ~mask) | (body.flags & mask);
    }
    const after = linkFlags(table, link);
    if (after !== before) changed = changed === ~0 ? ~0 : (before ^ after);
    return changed === ~0 ? 0xffffffff : changed >>> 0;
  }

  private broadcastLink(netns: string, type: number, link: Link, change: number): void {
    const b = this.kernel.codec.builder().reset();
    b.begin(type, 0, 0, 0);
    writeLink(b, link, change, this.table(netns));
    const bytes = b.end().finish().slice();
    this.kernel.broadcast(NETLINK_ROUTE, RTNLGRP_LINK, bytes, { netns });
  }

  /** Parses ifinfomsg and the IFLA_* attributes the emulation understands. */
  private parse(request: KernelRequest): LinkRequest {
    if (request.payload.length < IFINFOMSG_SIZE) fail(EINVAL, { message: 'Message is too short for struct ifinfomsg' });
    const view = request.payloadView();
    const body: LinkRequest = { index: view.getInt32(4, true), flags: view.getUint32(8, true), change: view.getUint32(12, true) };
    const list = request.attributes(IFINFOMSG_SIZE, { descend: false });
    const found = parseLevel(list, LINK_POLICY);
    const at = (type: number) => found.get(type);
    let j = at(IFLA_IFNAME) ?? at(IFLA_ALT_IFNAME);
    if (j !== undefined) { body.name = list.string(j); body.nameOffset = list.offset(j); }
    if ((j = at(IFLA_MTU)) !== undefined) { body.mtu = list.u32(j); body.mtuOffset = list.offset(j); }
    if ((j = at(IFLA_ADDRESS)) !== undefined) { body.address = list.bytes(j); body.addressOffset = list.offset(j); }
    if ((j = at(IFLA_TXQLEN)) !== undefined) body.txqlen = list.u32(j);
    if ((j = at(IFLA_MASTER)) !== undefined) { body.master = list.u32(j); body.masterOffset = list.offset(j); }
    if ((j = at(IFLA_LINKINFO)) !== undefined) this.parseLinkInfo(list, j, body);
    return body;
  }

  private parseLinkInfo(list: AttributeList, j: number, body: LinkRequest): void {
    const info = walkPayload(this.walker, list, j);
    const found = parseLevel(info, LINKINFO_POLICY);
    const kindAt = found.get(IFLA_INFO_KIND);
    if (kindAt !== undefined) body.kind = info.string(kindAt);
    const dataAt = found.get(IFLA_INFO_DATA);
    if (body.kind !== 'veth' || dataAt === undefined) return;
    // IFLA_INFO_DATA → VETH_INFO_PEER: struct ifinfomsg, then the peer's IFLA_* attributes.
    const data = walkPayload(this.walker, info, dataAt);
    const peerAt = parseLevel(data, {}).get(VETH_INFO_PEER);
    if (peerAt === undefined) return;
    if (data.payloadLength(peerAt) < IFINFOMSG_SIZE) fail(EINVAL, { message: 'veth peer is too short for struct ifinfomsg', offset: data.offset(peerAt) });
    const peerIndex = new DataView(data.view(peerAt).slice(0, IFINFOMSG_SIZE).buffer).getInt32(4, true);
    const peer = walkPayload(this.walker, data, peerAt, IFINFOMSG_SIZE);
    const peerFound = parseLevel(peer, LINK_POLICY);
    const nameAt = peerFound.get(IFLA_IFNAME);
    body.peer = { index: peerIndex, ...(nameAt !== undefined ? { name: peer.string(nameAt) } : {}) };
  }
}

function fail(errno: number, extack: ExtendedAck): never {
  throw new NetlinkError(errno, { operation: 'request', extack });
}

function offset(value: number | undefined): { offset?: number } {
  return value === undefined ? {} : { offset: value };
}

function checkName(name: string, at: number | undefined): void {
  // dev_valid_name: not empty, not "." or "..", no '/', ':' or whitespace, shorter than IFNAMSIZ.
  if (name.length === 0 || name === '.' || name === '..' || /[/:\s]/.test(name) || name.length >= IFNAMSIZ) {
    fail(EINVAL, { message: 'Invalid interface name', ...offset(at) });
  }
}

/** The flags user space sees: RUNNING and LOWER_UP follow the link (and a veth's peer) being up. */
function linkFlags(table: LinkTable | undefined, link: Link): number {
  let flags = link.flags;
  if (flags & IFF_UP) {
    const peer = link.peer ? table?.links.get(link.peer) : undefined;
    if (!link.peer || (peer && peer.flags & IFF_UP)) flags |= IFF_RUNNING | IFF_LOWER_UP;
  }
  return flags >>> 0;
}

function operState(flags: number, link: Link): number {
  if (!(flags & IFF_UP)) return IF_OPER_DOWN;
  if (link.kind === 'veth') return flags & IFF_LOWER_UP ? IF_OPER_UP : IF_OPER_LOWERLAYERDOWN;
  return IF_OPER_UNKNOWN;
}

/** Writes ifinfomsg and the attributes of `link` into the open message. */
function writeLink(b: MessageBuilder, link: Link, change: number, table?: LinkTable): void {
  const flags = linkFlags(table, link);
  const at = b.reserve(IFINFOMSG_SIZE);
  if (at) {
    const view = b.memory.view;
    view.setUint8(at, AF_UNSPEC);
    view.setUint16(at + 2, link.type, true);
    view.setInt32(at + 4, link.index, true);
    view.setUint32(at + 8, flags, true);
    view.setUint32(at + 12, change >>> 0, true);
  }
  b.string(IFLA_IFNAME, link.name)
    .u32(IFLA_TXQLEN, link.txqlen)
    .u8(IFLA_OPERSTATE, operState(flags, link))
    .u8(IFLA_LINKMODE, 0)
    .u32(IFLA_MTU, link.mtu)
    .u32(IFLA_MIN_MTU, link.minMtu)
    .u32(IFLA_MAX_MTU, link.maxMtu)
    .u32(IFLA_GROUP, 0)
    .u32(IFLA_PROMISCUITY, 0)
    .u8(IFLA_CARRIER, flags & IFF_LOWER_UP ? 1 : 0);
  if (link.master) b.u32(IFLA_MASTER, link.master);
  if (link.peer) b.u32(IFLA_LINK, link.peer);
  b.bytes(IFLA_ADDRESS, link.address).bytes(IFLA_BROADCAST, link.broadcast);
  if (link.kind !== undefined) {
    const kind = link.kind;
    b.nest(IFLA_LINKINFO, () => b.string(IFLA_INFO_KIND, kind), false);
  }
}

function copyLink(link: Link): Link {
  return { ...link, address: link.address.slice(), broadcast: link.broadcast.slice() };
}
