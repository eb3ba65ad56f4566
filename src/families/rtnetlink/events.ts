// rtnetlink notifications as typed events: the RTM_NEW* / RTM_DEL* messages
// the kernel multicasts to the rtnetlink groups, decoded by message type.
//
//   for await (const ev of sock.events({ groups: rtnlGroups(['link', 'ipv4-route']) })) {
//     if (ev.kind !== 'message') continue;
//     const change = decodeRtnetlinkEvent(sock, ev.message);   // { object: 'link', action: 'new', value: Link }
//   }

import type { Codec } from '../../codec/codec.js';
import type { Message } from '../../socket/received.js';
import { decodeLinkMessage, RTM_NEWLINK, RTM_DELLINK, type Link } from './links.js';
import { decodeAddressMessage, RTM_NEWADDR, RTM_DELADDR, type Address } from './addresses.js';
import { decodeRouteMessage, RTM_NEWROUTE, RTM_DELROUTE, type Route } from './routes.js';
import { decodeNeighbourMessage, RTM_NEWNEIGH, RTM_DELNEIGH, type Neighbour } from './neighbours.js';
import { decodeRuleMessage, RTM_NEWRULE, RTM_DELRULE, type Rule } from './rules.js';

export type RtnetlinkEvent =
  | { object: 'link'; action: 'new' | 'del'; value: Link }
  | { object: 'address'; action: 'new' | 'del'; value: Address }
  | { object: 'route'; action: 'new' | 'del'; value: Route }
  | { object: 'neighbour'; action: 'new' | 'del'; value: Neighbour }
  | { object: 'rule'; action: 'new' | 'del'; value: Rule };

/**
 * Decodes an rtnetlink notification; undefined for message types that are
 * not links, addresses, routes, neighbours or rules (qdiscs, nexthops, ...).
 * A malformed message throws its TruncatedError / MalformedError.
 */
export function decodeRtnetlinkEvent(sock: { codec: Codec }, message: Message | Uint8Array): RtnetlinkEvent | undefined {
  const bytes = message instanceof Uint8Array ? message : message.bytes;
  const type = bytes.length >= 6 ? bytes[4]! | (bytes[5]! << 8) : -1;
  switch (type) {
    case RTM_NEWLINK: case RTM_DELLINK:
      return { object: 'link', action: type === RTM_NEWLINK ? 'new' : 'del', value: decodeLinkMessage(sock, bytes) };
    case RTM_NEWADDR: case RTM_DELADDR:
      return { object: 'address', action: type === RTM_NEWADDR ? 'new' : 'del', value: decodeAddressMessage(sock, bytes) };
    case RTM_NEWROUTE: case RTM_DELROUTE:
      return { object: 'route', action: type === RTM_NEWROUTE ? 'new' : 'del', value: decodeRouteMessage(sock, bytes) };
    case RTM_NEWNEIGH: case RTM_DELNEIGH:
      return { object: 'neighbour', action: type === RTM_NEWNEIGH ? 'new' : 'del', value: decodeNeighbourMessage(sock, bytes) };
    case RTM_NEWRULE: case RTM_DELRULE:
      return { object: 'rule', action: type === RTM_NEWRULE ? 'new' : 'del', value: decodeRuleMessage(sock, bytes) };
    default:
      return undefined;
  }
}
