// Short names of the netlink protocol numbers, for interface names in the
// captures nlkit writes. The numbers come from the codec's constants.

import {
  NETLINK_ROUTE, NETLINK_USERSOCK, NETLINK_FIREWALL, NETLINK_SOCK_DIAG, NETLINK_NFLOG, NETLINK_XFRM, NETLINK_SELINUX,
  NETLINK_ISCSI, NETLINK_AUDIT, NETLINK_FIB_LOOKUP, NETLINK_CONNECTOR, NETLINK_NETFILTER, NETLINK_IP6_FW,
  NETLINK_DNRTMSG, NETLINK_KOBJECT_UEVENT, NETLINK_GENERIC, NETLINK_SCSITRANSPORT, NETLINK_ECRYPTFS, NETLINK_RDMA,
  NETLINK_CRYPTO, NETLINK_SMC,
} from '../codec/constants.js';

const NAMES = new Map<number, string>([
  [NETLINK_ROUTE, 'route'], [NETLINK_USERSOCK, 'usersock'], [NETLINK_FIREWALL, 'firewall'],
  [NETLINK_SOCK_DIAG, 'sock_diag'], [NETLINK_NFLOG, 'nflog'], [NETLINK_XFRM, 'xfrm'], [NETLINK_SELINUX, 'selinux'],
  [NETLINK_ISCSI, 'iscsi'], [NETLINK_AUDIT, 'audit'], [NETLINK_FIB_LOOKUP, 'fib_lookup'],
  [NETLINK_CONNECTOR, 'connector'], [NETLINK_NETFILTER, 'netfilter'], [NETLINK_IP6_FW, 'ip6_fw'],
  [NETLINK_DNRTMSG, 'dnrtmsg'], [NETLINK_KOBJECT_UEVENT, 'kobject_uevent'], [NETLINK_GENERIC, 'generic'],
  [NETLINK_SCSITRANSPORT, 'scsitransport'], [NETLINK_ECRYPTFS, 'ecryptfs'], [NETLINK_RDMA, 'rdma'],
  [NETLINK_CRYPTO, 'crypto'], [NETLINK_SMC, 'smc'],
]);

/** 'route', 'generic', ... or the number as text. */
export function protocolName(protocol: number): string {
  return NAMES.get(protocol) ?? String(protocol);
}
