// What `nlkit record` watches, from the words after `--`:
//
//   PROTO:GROUP          join a multicast group       route:link  route:ipv4-route  route:7  netfilter:3
//   generic:FAMILY/GROUP join a genetlink group        generic:nlctrl/notify  (resolved on the recorded socket)
//   connector:proc       proc events (group CN_IDX_PROC, and the PROC_CN_MCAST_LISTEN it needs)
//   dump:PROTO:WHAT      a dump through the recorded socket: dump:route:link|addr|route|neigh|rule, dump:generic:families
//
// Numbers are facts from linux/rtnetlink.h (RTNLGRP_*), linux/connector.h and
// linux/cn_proc.h.

import { PROTOCOLS, protocolNumber, type ProtocolName } from '../../socket/open.js';
import { UsageError } from '../command.js';
import { RTNL_GROUPS } from '../../families/rtnetlink/groups.js';
import { RTM_GETLINK } from '../../families/rtnetlink/links.js';
import { RTM_GETADDR } from '../../families/rtnetlink/addresses.js';
import { RTM_GETROUTE } from '../../families/rtnetlink/routes.js';
import { RTM_GETNEIGH } from '../../families/rtnetlink/neighbours.js';
import { RTM_GETRULE } from '../../families/rtnetlink/rules.js';

/** Dumps by name: message type, family header size and, for rtnetlink, the header's first byte (family: AF_UNSPEC). */
export const DUMPS: Record<string, { protocol: number; type: number; header: Uint8Array }> = {
  'route:link': { protocol: PROTOCOLS.route, type: RTM_GETLINK, header: new Uint8Array(16) }, // ifinfomsg
  'route:addr': { protocol: PROTOCOLS.route, type: RTM_GETADDR, header: new Uint8Array(8) }, // ifaddrmsg
  'route:route': { protocol: PROTOCOLS.route, type: RTM_GETROUTE, header: new Uint8Array(12) }, // rtmsg
  'route:neigh': { protocol: PROTOCOLS.route, type: RTM_GETNEIGH, header: new Uint8Array(12) }, // ndmsg
  'route:rule': { protocol: PROTOCOLS.route, type: RTM_GETRULE, header: new Uint8Array(12) }, // fib_rule_hdr
  // CTRL_CMD_GETFAMILY (3), version 2, to GENL_ID_CTRL: every family, which also teaches the decoder their ids.
  'generic:families': { protocol: PROTOCOLS.generic, type: 0x10, header: Uint8Array.of(3, 2, 0, 0) },
};

export type Watch =
  | { kind: 'group'; protocol: number; group: number; text: string }
  | { kind: 'genl-group'; protocol: number; family: string; group: string; text: string }
  | { kind: 'proc-connector'; protocol: number; text: string }
  | { kind: 'dump'; protocol: number; type: number; header: Uint8Array; text: string };

function protocolOf(name: string, text: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  if (!(name in PROTOCOLS)) throw new UsageError(`'${text}': unknown protocol '${name}' (known: ${Object.keys(PROTOCOLS).join(', ')})`);
  return protocolNumber(name as ProtocolName);
}

export function parseWatch(text: string): Watch {
  if (text.startsWith('dump:')) {
    const what = text.slice(5);
    const dump = DUMPS[what];
    if (!dump) throw new UsageError(`'${text}': unknown dump (known: ${Object.keys(DUMPS).map((d) => `dump:${d}`).join(', ')})`);
    return { kind: 'dump', ...dump, text };
  }
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new UsageError(`'${text}' is not PROTO:GROUP or dump:PROTO:WHAT`);
  const name = text.slice(0, colon);
  const group = text.slice(colon + 1);
  const protocol = protocolOf(name, text);
  if (/^\d+$/.test(group)) {
    const n = Number(group);
    if (n < 1 || n > 0xffffffff) throw new UsageError(`'${text}': group numbers start at 1`);
    return { kind: 'group', protocol, group: n, text };
  }
  if (protocol === PROTOCOLS.route) {
    const n = (RTNL_GROUPS as Record<string, number>)[group];
    if (n === undefined) throw new UsageError(`'${text}': unknown rtnetlink group (known: ${Object.keys(RTNL_GROUPS).join(', ')})`);
    return { kind: 'group', protocol, group: n, text };
  }
  if (protocol === PROTOCOLS.generic) {
    const slash = group.indexOf('/');
    if (slash <= 0 || slash === group.length - 1) throw new UsageError(`'${text}': generic groups are FAMILY/GROUP (e.g. generic:nlctrl/notify)`);
    return { kind: 'genl-group', protocol, family: group.slice(0, slash), group: group.slice(slash + 1), text };
  }
  if (protocol === PROTOCOLS.connector && group === 'proc') return { kind: 'proc-connector', protocol, text };
  throw new UsageError(`'${text}': name the group by number for this protocol (e.g. ${name}:1)`);
}
