// rtnetlink multicast groups (enum rtnetlink_groups, linux/rtnetlink.h), by
// the names nlkit uses ('link', 'ipv4-route', ...). Group n is bit n-1 of the
// 32-bit bind mask; groups above 32 are joined with NETLINK_ADD_MEMBERSHIP.

import { ArgumentError } from '../../codec/errors.js';

export const RTNL_GROUPS = {
  link: 1,
  notify: 2,
  neigh: 3,
  tc: 4,
  'ipv4-ifaddr': 5,
  'ipv4-mroute': 6,
  'ipv4-route': 7,
  'ipv4-rule': 8,
  'ipv6-ifaddr': 9,
  'ipv6-mroute': 10,
  'ipv6-route': 11,
  'ipv6-ifinfo': 12,
  'decnet-ifaddr': 13,
  'decnet-route': 15,
  'decnet-rule': 16,
  'ipv6-prefix': 18,
  'ipv6-rule': 19,
  'nd-useropt': 20,
  'phonet-ifaddr': 21,
  'phonet-route': 22,
  dcb: 23,
  'ipv4-netconf': 24,
  'ipv6-netconf': 25,
  mdb: 26,
  'mpls-route': 27,
  nsid: 28,
  'mpls-netconf': 29,
  'ipv4-mroute-r': 30,
  'ipv6-mroute-r': 31,
  nexthop: 32,
  brvlan: 33,
  'mctp-ifaddr': 34,
  tunnel: 35,
  stats: 36,
  'ipv4-mcaddr': 37,
  'ipv6-mcaddr': 38,
  'ipv6-acaddr': 39,
} as const;

export type RtnlGroupName = keyof typeof RTNL_GROUPS;

/** Group numbers for names (numbers pass through); an unknown name is an ArgumentError. */
export function rtnlGroups(names: ReadonlyArray<RtnlGroupName | number | string>): number[] {
  return names.map((n) => {
    if (typeof n === 'number') return n;
    const value = (RTNL_GROUPS as Record<string, number>)[n];
    if (value === undefined) throw new ArgumentError(`unknown rtnetlink group '${n}' (known: ${Object.keys(RTNL_GROUPS).join(', ')})`);
    return value;
  });
}

/** The bind mask of groups 1..32 (others need NETLINK_ADD_MEMBERSHIP). */
export function rtnlGroupMask(names: ReadonlyArray<RtnlGroupName | number | string>): number {
  let mask = 0;
  for (const g of rtnlGroups(names)) if (g >= 1 && g <= 32) mask |= 1 << (g - 1);
  return mask >>> 0;
}
