// nfnetlink framing shared by its subsystems (linux/netfilter/nfnetlink.h).
//
//   nlmsg_type: ┌───────────────┬───────────────┐
//               │ subsystem id  │ message (cmd) │   (subsys << 8) | msg
//               └───────────────┴───────────────┘
//   nfgenmsg:   ┌────────┬─────────┬──────────────────┐
//               │ family │ version │ res_id (big end.) │   u8 u8 be16
//               └────────┴─────────┴──────────────────┘

import { ArgumentError } from '../../codec/errors.js';

export const NFNL_SUBSYS_CTNETLINK = 1;
export const NFNL_SUBSYS_NFTABLES = 10;
export const NFNL_MSG_BATCH_BEGIN = 0x10;
export const NFNL_MSG_BATCH_END = 0x11;
export const NFNETLINK_V0 = 0;
export const NFGENMSG_LEN = 4;

/** Netfilter protocol families (NFPROTO_*), by the names nft uses. */
export const NFPROTO = { unspec: 0, inet: 1, ip: 2, arp: 3, netdev: 5, bridge: 7, ip6: 10 } as const;
export type NfFamilyName = keyof typeof NFPROTO;

const NFPROTO_NAMES = new Map<number, NfFamilyName>(Object.entries(NFPROTO).map(([k, v]) => [v, k as NfFamilyName]));

export function nfFamilyName(value: number): NfFamilyName | number {
  return NFPROTO_NAMES.get(value) ?? value;
}

export function nfFamilyNumber(family: NfFamilyName | number): number {
  if (typeof family === 'number') {
    if (!Number.isInteger(family) || family < 0 || family > 255) throw new ArgumentError(`netfilter family ${family} is not a u8`);
    return family;
  }
  const n = NFPROTO[family];
  if (n === undefined) throw new ArgumentError(`unknown netfilter family '${family}' (known: ${Object.keys(NFPROTO).join(', ')})`);
  return n;
}

/** The 4-byte nfgenmsg header. */
export function nfgenmsg(family: number, resId = 0): Uint8Array {
  return Uint8Array.of(family, NFNETLINK_V0, (resId >> 8) & 0xff, resId & 0xff);
}

export function nfnlType(subsystem: number, message: number): number {
  return (subsystem << 8) | message;
}
