// Names of rtnetlink numbers as iproute2 prints them (its built-in tables:
// rt_tables, rt_protos, rt_scopes, rtn types), both ways.

export const ROUTE_TABLES: Record<number, string> = { 0: 'unspec', 253: 'default', 254: 'main', 255: 'local' };
export const ROUTE_PROTOCOLS: Record<number, string> = {
  0: 'unspec', 1: 'redirect', 2: 'kernel', 3: 'boot', 4: 'static', 8: 'gated', 9: 'ra', 10: 'mrt', 11: 'zebra',
  12: 'bird', 13: 'dnrouted', 14: 'xorp', 15: 'ntk', 16: 'dhcp', 17: 'mrouted', 18: 'keepalived', 42: 'babel',
  99: 'openr', 186: 'bgp', 187: 'isis', 188: 'ospf', 189: 'rip', 192: 'eigrp',
};
export const ROUTE_SCOPES: Record<number, string> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };
export const ROUTE_TYPES: Record<number, string> = {
  0: 'none', 1: 'unicast', 2: 'local', 3: 'broadcast', 4: 'anycast', 5: 'multicast', 6: 'blackhole',
  7: 'unreachable', 8: 'prohibit', 9: 'throw', 10: 'nat', 11: 'xresolve',
};
/** ARPHRD_* as ip's link/<type>. */
export const LINK_TYPES: Record<number, string> = {
  1: 'ether', 24: 'ieee1394', 32: 'infiniband', 512: 'ppp', 768: 'ipip', 769: 'tunnel6', 772: 'loopback',
  776: 'sit', 778: 'gre', 823: 'ip6gre', 65534: 'none', 65535: 'void',
};

export function nameOf(table: Record<number, string>, value: number): string {
  return table[value] ?? String(value);
}

/** A name or decimal number back to its number; undefined when neither. */
export function numberOf(table: Record<number, string>, text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  for (const [k, v] of Object.entries(table)) if (v === text) return Number(k);
  return undefined;
}
