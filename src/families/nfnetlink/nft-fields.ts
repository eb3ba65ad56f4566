// What nft calls the fields a rule loads: packet header fields by offset,
// meta and ct keys, TCP and IPv4 options and IPv6 extension headers, with the
// value type each prints as.

import type { ValueType } from './nft-values.js';

export type PayloadField = [name: string, offset: number, length: number, type: ValueType, bits?: { mask: number; shift: number }];

/**
 * Payload fields: [name, offset, length, type] per protocol header, or a bit
 * field inside those bytes with its mask and shift (read through a bitwise
 * with exactly that mask, as nft writes them).
 */
export const HEADERS: Record<string, PayloadField[]> = {
  ip: [
    ['version', 0, 1, 'int', { mask: 0xf0, shift: 4 }], ['hdrlength', 0, 1, 'int', { mask: 0x0f, shift: 0 }],
    ['dscp', 1, 1, 'dscp', { mask: 0xfc, shift: 2 }], ['ecn', 1, 1, 'ecn', { mask: 0x03, shift: 0 }],
    ['length', 2, 2, 'int'], ['id', 4, 2, 'int'], ['ttl', 8, 1, 'int'], ['protocol', 9, 1, 'proto'], ['checksum', 10, 2, 'int'], ['saddr', 12, 4, 'ipv4'], ['daddr', 16, 4, 'ipv4'],
  ],
  ip6: [
    ['version', 0, 1, 'int', { mask: 0xf0, shift: 4 }], ['dscp', 0, 2, 'dscp', { mask: 0x0fc0, shift: 6 }],
    ['ecn', 1, 1, 'ecn', { mask: 0x30, shift: 4 }], ['flowlabel', 1, 3, 'int', { mask: 0x0fffff, shift: 0 }],
    ['length', 4, 2, 'int'], ['nexthdr', 6, 1, 'proto'], ['hoplimit', 7, 1, 'int'], ['saddr', 8, 16, 'ipv6'], ['daddr', 24, 16, 'ipv6'],
  ],
  // 802.1Q after the Ethernet header (link-layer offsets), once `ether type 8021q` selected it.
  vlan: [
    ['pcp', 14, 1, 'int', { mask: 0xe0, shift: 5 }], ['dei', 14, 1, 'int', { mask: 0x10, shift: 4 }],
    ['id', 14, 2, 'int', { mask: 0x0fff, shift: 0 }], ['type', 16, 2, 'ethertype'],
  ],
  arp: [
    ['htype', 0, 2, 'int'], ['ptype', 2, 2, 'ethertype'], ['hlen', 4, 1, 'int'], ['plen', 5, 1, 'int'], ['operation', 6, 2, 'arpop'],
    ['saddr ether', 8, 6, 'ether'], ['saddr ip', 14, 4, 'ipv4'], ['daddr ether', 18, 6, 'ether'], ['daddr ip', 24, 4, 'ipv4'],
  ],
  tcp: [['sport', 0, 2, 'int'], ['dport', 2, 2, 'int'], ['sequence', 4, 4, 'int'], ['ackseq', 8, 4, 'int'], ['flags', 13, 1, 'tcpflags'], ['window', 14, 2, 'int'], ['checksum', 16, 2, 'int'], ['urgptr', 18, 2, 'int']],
  udp: [['sport', 0, 2, 'int'], ['dport', 2, 2, 'int'], ['length', 4, 2, 'int'], ['checksum', 6, 2, 'int']],
  udplite: [['sport', 0, 2, 'int'], ['dport', 2, 2, 'int'], ['checksum', 6, 2, 'int']],
  sctp: [['sport', 0, 2, 'int'], ['dport', 2, 2, 'int'], ['vtag', 4, 4, 'int'], ['checksum', 8, 4, 'int']],
  dccp: [['sport', 0, 2, 'int'], ['dport', 2, 2, 'int']],
  icmp: [['type', 0, 1, 'icmptype'], ['code', 1, 1, 'int'], ['checksum', 2, 2, 'int'], ['id', 4, 2, 'int'], ['sequence', 6, 2, 'int']],
  icmpv6: [['type', 0, 1, 'icmp6type'], ['code', 1, 1, 'int'], ['checksum', 2, 2, 'int'], ['id', 4, 2, 'int'], ['sequence', 6, 2, 'int']],
  ether: [['daddr', 0, 6, 'ether'], ['saddr', 6, 6, 'ether'], ['type', 12, 2, 'ethertype']],
};
/** Transport header names by protocol number (icmpv6's header is 'icmpv6', its protocol 'ipv6-icmp'). */
export const L4_HEADERS: Record<number, string> = { 6: 'tcp', 17: 'udp', 136: 'udplite', 132: 'sctp', 33: 'dccp', 1: 'icmp', 58: 'icmpv6' };

/** meta keys: [name, type, printed without the `meta` word]. */
export const META_KEYS: Record<number, [string, ValueType, boolean?]> = {
  0: ['length', 'hostint'], 1: ['protocol', 'ethertype'], 2: ['priority', 'classid'], 3: ['mark', 'mark'], 4: ['iif', 'ifindex', true],
  5: ['oif', 'ifindex', true], 6: ['iifname', 'ifname', true], 7: ['oifname', 'ifname', true], 8: ['iiftype', 'arphrd'], 9: ['oiftype', 'arphrd'],
  10: ['skuid', 'hostint'], 11: ['skgid', 'hostint'], 12: ['nftrace', 'hostint'], 13: ['rtclassid', 'hostint'], 14: ['secmark', 'hostint'],
  15: ['nfproto', 'nfproto'], 16: ['l4proto', 'proto'], 17: ['ibrname', 'ifname'], 18: ['obrname', 'ifname'], 19: ['pkttype', 'pkttype'],
  20: ['cpu', 'hostint'], 21: ['iifgroup', 'hostint', true], 22: ['oifgroup', 'hostint', true], 23: ['cgroup', 'hostint'], 24: ['random', 'hostint'],
};

/** ct keys: [name, type]. */
export const CT_KEYS: Record<number, [string, ValueType]> = {
  0: ['state', 'ctstate'], 1: ['direction', 'ctdir'], 2: ['status', 'ctstatus'], 3: ['mark', 'mark'], 5: ['expiration', 'hostint'],
  6: ['helper', 'string'], 7: ['l3proto', 'nfproto'], 10: ['protocol', 'proto'], 14: ['packets', 'hostint'], 15: ['bytes', 'hostint'],
  17: ['zone', 'hostint'], 11: ['proto-src', 'int'], 12: ['proto-dst', 'int'],
  19: ['ip saddr', 'ipv4'], 20: ['ip daddr', 'ipv4'], 21: ['ip6 saddr', 'ipv6'], 22: ['ip6 daddr', 'ipv6'],
};

/**
 * Extension header and option fields as nft prints them: [name, offset,
 * length, type], or a bit field inside those bytes with its mask (the load
 * is then refined by a bitwise with exactly that mask, and the value is
 * printed shifted down):
 *
 *   frag  ┌ nexthdr ┬ reserved ┬ frag-off:13 res2:2 M:1 ┬ id ──────┐
 *         0         1          2      0xfff8 (0x06)(0x01) 4          8
 */
export type ExtField = [name: string, offset: number, length: number, type: ValueType, bits?: { mask: number; shift: number }];

export interface ExtHeader {
  /** Presence, as nft words it: `tcp option sack`, `ip option rr`, `exthdr frag` (then `exists`/`missing`). */
  present: string;
  fields: ExtField[];
}

const fieldsOf = (prefix: string, fields: Array<[string, number, number, ValueType, { mask: number; shift: number }?]>): ExtField[] =>
  fields.map(([name, ...rest]) => [`${prefix} ${name}`, ...rest] as ExtField);

const tcpOption = (name: string, ...fields: Array<[string, number, number, ValueType, { mask: number; shift: number }?]>): ExtHeader =>
  ({ present: `tcp option ${name}`, fields: fieldsOf(`tcp option ${name}`, [['length', 1, 1, 'int'], ...fields]) });

/** TCP options by kind: NFT_EXTHDR_OP_TCPOPT. Kinds nft has no name for print as numbers, presence only. */
export const TCP_OPTIONS: Record<number, ExtHeader> = {
  0: tcpOption('eol'),
  1: tcpOption('nop'),
  2: tcpOption('maxseg', ['size', 2, 2, 'int']),
  3: tcpOption('window', ['count', 2, 1, 'int']),
  4: tcpOption('sack-perm'),
  // SACK blocks 0-3 in one option: nft prints the first as `sack` (its parser also takes `sack0`).
  5: {
    present: 'tcp option sack',
    fields: [
      ...fieldsOf('tcp option sack', [['length', 1, 1, 'int'], ['left', 2, 4, 'int'], ['right', 6, 4, 'int']]),
      ...[1, 2, 3].flatMap((n) => fieldsOf(`tcp option sack${n}`, [['left', 2 + 8 * n, 4, 'int'], ['right', 6 + 8 * n, 4, 'int']])),
    ],
  },
  8: tcpOption('timestamp', ['tsval', 2, 4, 'int'], ['tsecr', 6, 4, 'int']),
  19: tcpOption('md5sig'),
  30: tcpOption('mptcp', ['subtype', 2, 1, 'int', { mask: 0xf0, shift: 4 }]),
  34: tcpOption('fastopen'),
};

/** IPv4 options by type: NFT_EXTHDR_OP_IPV4. */
const ipOption = (name: string, last: [string, number, number, ValueType]): ExtHeader =>
  ({ present: `ip option ${name}`, fields: fieldsOf(`ip option ${name}`, [['type', 0, 1, 'int'], ['length', 1, 1, 'int'], last]) });
export const IP_OPTIONS: Record<number, ExtHeader> = {
  7: ipOption('rr', ['ptr', 2, 1, 'int']),
  131: ipOption('lsrr', ['ptr', 2, 1, 'int']),
  137: ipOption('ssrr', ['ptr', 2, 1, 'int']),
  148: ipOption('ra', ['value', 2, 2, 'int']),
};

/** IPv6 extension headers by next-header number: NFT_EXTHDR_OP_IPV6. */
export const IPV6_EXTHDRS: Record<number, ExtHeader> = {
  0: { present: 'exthdr hbh', fields: fieldsOf('hbh', [['nexthdr', 0, 1, 'proto'], ['hdrlength', 1, 1, 'int']]) },
  // Routing headers: nft prints the common fields as `rt` and the segment
  // routing header's as `srh` (its sids overlap type 0's addresses).
  43: {
    present: 'exthdr rt',
    fields: [
      ...fieldsOf('rt', [['nexthdr', 0, 1, 'proto'], ['hdrlength', 1, 1, 'int'], ['type', 2, 1, 'int'], ['seg-left', 3, 1, 'int']]),
      ...fieldsOf('srh', [['last-entry', 4, 1, 'int'], ['flags', 5, 1, 'int'], ['tag', 6, 2, 'int']]),
      ...Array.from({ length: 16 }, (_, i): ExtField => [`srh sid[${i + 1}]`, 8 + 16 * i, 16, 'ipv6']),
    ],
  },
  44: {
    present: 'exthdr frag',
    fields: fieldsOf('frag', [
      ['nexthdr', 0, 1, 'proto'], ['reserved', 1, 1, 'int'], ['frag-off', 2, 2, 'int', { mask: 0xfff8, shift: 3 }],
      ['reserved2', 3, 1, 'int', { mask: 0x06, shift: 1 }], ['more-fragments', 3, 1, 'int', { mask: 0x01, shift: 0 }], ['id', 4, 4, 'int'],
    ]),
  },
  60: { present: 'exthdr dst', fields: fieldsOf('dst', [['nexthdr', 0, 1, 'proto'], ['hdrlength', 1, 1, 'int']]) },
  135: {
    present: 'exthdr mh',
    fields: fieldsOf('mh', [['nexthdr', 0, 1, 'proto'], ['hdrlength', 1, 1, 'int'], ['type', 2, 1, 'mhtype'], ['reserved', 3, 1, 'int'], ['checksum', 4, 2, 'int']]),
  },
};
