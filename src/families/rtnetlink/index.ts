// Typed rtnetlink: links, addresses, routes, neighbours and rules over the
// rt-* schemas and the socket engine, their notifications, and the
// multicast groups.
//
//   import { rtnl } from 'nlkit';
//   for await (const link of rtnl.links.dump(sock)) console.log(link.name, link.mtu);
//   await rtnl.routes.add(sock, { dst: '10.0.0.0/24', gateway: '10.0.0.1' });

export { links, linkIndex, decodeLink, decodeLinkMessage, OPERSTATES, RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, type Link, type LinkSpec, type LinkFilter } from './links.js';
export { addresses, decodeAddress, decodeAddressMessage, RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR, type Address, type AddressSpec, type AddressFilter } from './addresses.js';
export {
  routes, routePrefix, decodeRoute, decodeRouteMessage, RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE, RT_TABLE_MAIN, RT_TABLE_LOCAL,
  RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, RT_SCOPE_HOST, type Route, type RouteSpec, type RouteFilter, type Nexthop, type NexthopSpec,
} from './routes.js';
export { neighbours, decodeNeighbour, decodeNeighbourMessage, RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH, type Neighbour, type NeighbourSpec, type NeighbourFilter } from './neighbours.js';
export { rules, decodeRule, decodeRuleMessage, RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE, type Rule, type RuleSpec } from './rules.js';
export { decodeRtnetlinkEvent, type RtnetlinkEvent } from './events.js';
export { RTNL_GROUPS, rtnlGroups, rtnlGroupMask, type RtnlGroupName } from './groups.js';
export { rtSchemas, type RtSchema } from './schema.js';
export { VERB_FLAGS, describeTypes, type Verb, type OperationOptions, type ListOptions } from './request.js';
export { ipText, ipv4Text, ipv6Text, hexText, macText, parseIp, parsePrefix, parseMac, type Prefix } from './address.js';
export { ROUTE_TABLES, ROUTE_PROTOCOLS, ROUTE_SCOPES, ROUTE_TYPES, LINK_TYPES, nameOf, numberOf } from './names.js';
