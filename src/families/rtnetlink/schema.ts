// The rtnetlink schemas the typed operations use: the shipped rt-* specs, with
// the link kinds the kernel's rt-link spec (6.12) does not describe yet added
// as data (linux/if_link.h, linux/veth.h): veth, vxlan and macvlan
// IFLA_INFO_DATA. Nothing here is code about families; it is spec data plus
// the compiled lookups.

import { compileFamily, type Family, type AttributeSetSchema, type MessageSchema, type FamilySpec } from '../../schema/index.js';
import { rtLink } from '../generated/rt_link.js';
import { rtAddr } from '../generated/rt_addr.js';
import { rtRoute } from '../generated/rt_route.js';
import { rtNeigh } from '../generated/rt_neigh.js';
import { rtRule } from '../generated/rt_rule.js';

/**
 * rt-link plus veth / vxlan / macvlan data. The veth peer (VETH_INFO_PEER) is
 * a whole ifinfomsg + IFLA_* message inside the nest; it is a sub-message
 * selected by IFLA_INFO_KIND, found one level up.
 */
export const rtLinkKinds: FamilySpec = {
  ...rtLink,
  enums: {
    ...rtLink.enums,
    'macvlan-mode': { entries: { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 } },
  },
  structs: {
    ...rtLink.structs,
    'ifla-vxlan-port-range': { members: [['low', 'u16', { be: true }], ['high', 'u16', { be: true }]] },
  },
  sets: {
    ...rtLink.sets,
    'linkinfo-veth-attrs': {
      prefix: 'veth-info-',
      attrs: [[1, 'peer', 'sub-message', { subMessage: 'linkinfo-veth-peer-msg', selector: 'kind' }]],
    },
    'linkinfo-vxlan-attrs': {
      prefix: 'ifla-vxlan-',
      attrs: [
        [1, 'id', 'u32'], [2, 'group', 'binary', { hint: 'ipv4' }], [3, 'link', 'u32'], [4, 'local', 'binary', { hint: 'ipv4' }],
        [5, 'ttl', 'u8'], [6, 'tos', 'u8'], [7, 'learning', 'u8'], [8, 'ageing', 'u32'], [9, 'limit', 'u32'],
        [10, 'port-range', 'binary', { struct: 'ifla-vxlan-port-range' }], [11, 'proxy', 'u8'], [12, 'rsc', 'u8'],
        [13, 'l2miss', 'u8'], [14, 'l3miss', 'u8'], [15, 'port', 'u16', { be: true }], [16, 'group6', 'binary', { hint: 'ipv6' }],
        [17, 'local6', 'binary', { hint: 'ipv6' }], [18, 'udp-csum', 'u8'], [19, 'udp-zero-csum6-tx', 'u8'],
        [20, 'udp-zero-csum6-rx', 'u8'], [21, 'remcsum-tx', 'u8'], [22, 'remcsum-rx', 'u8'], [23, 'gbp', 'flag'],
        [24, 'remcsum-nopartial', 'flag'], [25, 'collect-metadata', 'u8'], [26, 'label', 'u32', { be: true }],
        [27, 'gpe', 'flag'], [28, 'ttl-inherit', 'flag'], [29, 'df', 'u8'], [30, 'vnifilter', 'u8'],
        [31, 'localbypass', 'u8'], [32, 'label-policy', 'u32'], [33, 'reserved-bits', 'binary'],
      ],
    },
    'linkinfo-macvlan-attrs': {
      prefix: 'ifla-macvlan-',
      attrs: [
        [1, 'mode', 'u32', { enum: 'macvlan-mode' }], [2, 'flags', 'u16'], [3, 'macaddr-mode', 'u32'],
        [4, 'macaddr', 'binary', { hint: 'mac' }], [5, 'macaddr-data', 'nest', { nest: 'macvlan-macaddr-attrs' }],
        [6, 'macaddr-count', 'u32'], [7, 'bc-queue-len', 'u32'], [8, 'bc-queue-len-used', 'u32'], [9, 'bc-cutoff', 's32'],
      ],
    },
    'macvlan-macaddr-attrs': {
      prefix: 'ifla-macvlan-',
      attrs: [[4, 'macaddr', 'binary', { hint: 'mac', multi: true }]],
    },
  },
  subMessages: {
    ...rtLink.subMessages,
    'linkinfo-data-msg': {
      ...rtLink.subMessages['linkinfo-data-msg'],
      veth: { set: 'linkinfo-veth-attrs' },
      vxlan: { set: 'linkinfo-vxlan-attrs' },
      macvlan: { set: 'linkinfo-macvlan-attrs' },
      macvtap: { set: 'linkinfo-macvlan-attrs' },
    },
    'linkinfo-veth-peer-msg': { veth: { header: 'ifinfomsg', set: 'link-attrs' } },
  },
};

/** One rtnetlink object kind: its family, fixed header, attribute set and messages. */
export interface RtSchema {
  family: Family;
  set: AttributeSetSchema;
  /** The request messages by operation: new, del, get. */
  newMessage: MessageSchema;
  delMessage: MessageSchema;
  getMessage: MessageSchema;
  /** Attribute number by spec name. */
  attr(name: string): number;
}

function rtSchema(spec: FamilySpec, setName: string, op: string): RtSchema {
  const family = compileFamily(spec);
  const set = family.set(setName);
  return {
    family, set,
    newMessage: family.message(`new${op}`, 'request'),
    delMessage: family.message(`del${op}`, 'request'),
    getMessage: family.message(`get${op}`, 'request'),
    attr(name) {
      const a = set.byName.get(name);
      if (!a) throw new Error(`${family.name}: no attribute ${name} in ${setName}`);
      return a.value;
    },
  };
}

let cache: Record<'link' | 'addr' | 'route' | 'neigh' | 'rule', RtSchema> | null = null;

/** The compiled schemas (on first use). */
export function rtSchemas(): Record<'link' | 'addr' | 'route' | 'neigh' | 'rule', RtSchema> {
  cache ??= {
    link: rtSchema(rtLinkKinds, 'link-attrs', 'link'),
    addr: rtSchema(rtAddr, 'addr-attrs', 'addr'),
    route: rtSchema(rtRoute, 'route-attrs', 'route'),
    neigh: rtSchema(rtNeigh, 'neigh-attrs', 'neigh'),
    rule: rtSchema(rtRule, 'rule-attrs', 'rule'),
  };
  return cache;
}
