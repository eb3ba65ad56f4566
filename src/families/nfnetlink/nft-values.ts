// How nft prints values: addresses, ports, marks, protocol and flag names by
// data type; verdicts; durations and byte counts. Shared by the rule, set and
// object renderers.

import { MalformedError } from '../../codec/errors.js';
import { formatAddress } from './address.js';

export interface NftData {
  value?: Uint8Array;
  verdict?: { code: number; chain?: string };
}

const VERDICT_CODES: Record<string, number> = {
  continue: -1, break: -2, jump: -3, goto: -4, return: -5, drop: 0, accept: 1, stolen: 2, queue: 3, repeat: 4, stop: 5,
};

function verdictCode(v: unknown): number {
  if (typeof v === 'number') return v > 0x7fffffff ? v - 0x100000000 : v;
  if (typeof v === 'string' && v in VERDICT_CODES) return VERDICT_CODES[v]!;
  throw new MalformedError(`verdict code ${String(v)} is not a number`, 0);
}

export function dataFromObject(o: Record<string, unknown>): NftData {
  const out: NftData = {};
  if (o.value instanceof Uint8Array) out.value = o.value;
  const verdict = o.verdict as Record<string, unknown> | undefined;
  if (verdict) {
    out.verdict = { code: verdictCode(verdict.code) };
    if (verdict.chain !== undefined) out.verdict.chain = String(verdict.chain);
  }
  return out;
}

export function readBe(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

export function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return String.fromCharCode(...(end < 0 ? b : b.subarray(0, end)));
}

export const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Milliseconds as nft prints times: 1h, 59m59s996ms, 2d3h. */
export function formatDuration(ms: bigint): string {
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400_000n], ['h', 3_600_000n], ['m', 60_000n], ['s', 1000n], ['ms', 1n]] as const) {
    const n = ms / size;
    if (n > 0n) parts.push(`${n}${unit}`);
    ms %= size;
  }
  return parts.join('') || '0s';
}

export type ValueType =
  | 'ipv4' | 'ipv6' | 'ether' | 'int' | 'hex' | 'classid' | 'dscp' | 'ecn' | 'arpop' | 'arphrd' | 'mark' | 'proto' | 'nfproto' | 'ethertype' | 'ifname' | 'string'
  | 'tcpflags' | 'icmptype' | 'icmp6type' | 'ctstate' | 'ctstatus' | 'ctdir' | 'pkttype' | 'hostint' | 'addrtype' | 'exists'
  /** A mobility header type (RFC 6275 and its successors). */
  | 'mhtype'
  /** An interface index: its name when the caller can resolve it (RenderContext.ifname), else the number, as nft does. */
  | 'ifindex';

export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Protocol names as nft prints them (from /etc/protocols). */
const PROTOCOLS: Record<number, string> = {
  1: 'icmp', 2: 'igmp', 4: 'ipencap', 6: 'tcp', 17: 'udp', 33: 'dccp', 41: 'ipv6', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp',
  89: 'ospf', 103: 'pim', 108: 'comp', 112: 'vrrp', 132: 'sctp', 136: 'udplite',
};
const NFPROTO_NAMES: Record<number, string> = { 2: 'ipv4', 10: 'ipv6' };
const ETHERTYPES: Record<number, string> = { 0x0800: 'ip', 0x0806: 'arp', 0x86dd: 'ip6', 0x8100: '8021q', 0x88a8: '8021ad', 0x8035: 'rarp', 0x8847: 'mpls' };
const TCP_FLAGS = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ecn', 'cwr'];
const CT_STATES: Array<[number, string]> = [[1, 'invalid'], [2, 'established'], [4, 'related'], [8, 'new'], [64, 'untracked']];
const CT_STATUS: Array<[number, string]> = [[1, 'expected'], [2, 'seen-reply'], [4, 'assured'], [8, 'confirmed'], [16, 'snat'], [32, 'dnat'], [512, 'dying']];
const PKTTYPES: Record<number, string> = { 0: 'host', 1: 'broadcast', 2: 'multicast', 3: 'other' };
/** Route types (RTN_*), as fib ... type prints them. */
const ADDRTYPES: Record<number, string> = {
  0: 'unspec', 1: 'unicast', 2: 'local', 3: 'broadcast', 4: 'anycast', 5: 'multicast', 6: 'blackhole', 7: 'unreachable', 8: 'prohibit',
};
const ICMP_TYPES: Record<number, string> = {
  0: 'echo-reply', 3: 'destination-unreachable', 4: 'source-quench', 5: 'redirect', 8: 'echo-request', 9: 'router-advertisement',
  10: 'router-solicitation', 11: 'time-exceeded', 12: 'parameter-problem', 13: 'timestamp-request', 14: 'timestamp-reply',
  15: 'info-request', 16: 'info-reply', 17: 'address-mask-request', 18: 'address-mask-reply',
};
const ICMP6_TYPES: Record<number, string> = {
  1: 'destination-unreachable', 2: 'packet-too-big', 3: 'time-exceeded', 4: 'parameter-problem', 128: 'echo-request', 129: 'echo-reply',
  130: 'mld-listener-query', 131: 'mld-listener-report', 132: 'mld-listener-done', 133: 'nd-router-solicit', 134: 'nd-router-advert',
  135: 'nd-neighbor-solicit', 136: 'nd-neighbor-advert', 137: 'nd-redirect', 138: 'router-renumbering', 143: 'mld2-listener-report',
};

const MH_TYPES = [
  'binding-refresh-request', 'home-test-init', 'care-of-test-init', 'home-test', 'care-of-test', 'binding-update',
  'binding-acknowledgement', 'binding-error', 'fast-binding-update', 'fast-binding-acknowledgement',
  'fast-binding-advertisement', 'experimental-mobility-header', 'home-agent-switch-message',
];

function bitNames(v: number, table: Array<[number, string]>): string | undefined {
  const names: string[] = [];
  let left = v;
  for (const [bit, name] of table) if (v & bit) { names.push(name); left &= ~bit; }
  return left === 0 && names.length ? names.join(',') : undefined;
}

/** An integer from a register's bytes: payload is network order, meta and ct host order. */
export function intOf(b: Uint8Array, hostOrder: boolean): bigint {
  return hostOrder && LITTLE_ENDIAN_HOST ? readBe(Uint8Array.from(b).reverse()) : readBe(b);
}

/** Device types (ARPHRD_*) nft names. */
const ARPHRD_NAMES: Record<number, string> = { 1: 'ether', 772: 'loopback' };
/** ARP operations (ARPOP_*), as nft names them. */
const ARP_OPS: Record<number, string> = { 1: 'request', 2: 'reply', 3: 'rrequest', 4: 'rreply', 8: 'inrequest', 9: 'inreply', 10: 'nak' };
/** DSCP code points nft names (RFC 2474, 2597, 3246, 5865, 8622). */
const DSCP_NAMES: Record<number, string> = {
  0: 'cs0', 8: 'cs1', 16: 'cs2', 24: 'cs3', 32: 'cs4', 40: 'cs5', 48: 'cs6', 56: 'cs7', 1: 'lephb', 10: 'af11', 12: 'af12', 14: 'af13',
  18: 'af21', 20: 'af22', 22: 'af23', 26: 'af31', 28: 'af32', 30: 'af33', 34: 'af41', 36: 'af42', 38: 'af43', 44: 'va', 46: 'ef',
};
const ECN_NAMES = ['not-ect', 'ect1', 'ect0', 'ce'];

/** The value of a bit field (already shifted down) as nft prints it. */
export function bitFieldText(n: number, type: ValueType): string {
  if (type === 'dscp') return DSCP_NAMES[n] ?? `0x${n.toString(16).padStart(2, '0')}`;
  if (type === 'ecn') return ECN_NAMES[n] ?? String(n);
  return String(n);
}

export function formatValue(b: Uint8Array, type: ValueType): string {
  switch (type) {
    case 'ipv4': case 'ipv6':
      return b.length === 4 || b.length === 16 ? formatAddress(b) : `0x${hex(b)}`;
    case 'ether':
      return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
    case 'ifname': case 'string': {
      const end = b.indexOf(0);
      // A comparison shorter than the field, without its NUL, is a prefix match.
      return end < 0 ? `"${cString(b)}*"` : `"${cString(b)}"`;
    }
    case 'mark':
      return `0x${intOf(b, true).toString(16).padStart(8, '0')}`;
    case 'classid': {
      // A tc class handle in host order: `major:minor` in hex, as tc and nft print it.
      const v = Number(intOf(b, true));
      if (v === 0xffffffff) return 'root';
      if (v === 0) return 'none';
      return `${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
    }
    case 'hex':
      return `0x${hex(b)}`;
    case 'int':
      return intOf(b, false).toString();
    case 'hostint': case 'ifindex':
      return intOf(b, true).toString();
    case 'proto': {
      const n = Number(intOf(b, true));
      return PROTOCOLS[n] ?? String(n);
    }
    case 'nfproto': {
      const n = Number(intOf(b, true));
      return NFPROTO_NAMES[n] ?? String(n);
    }
    case 'ethertype': {
      const n = Number(intOf(b, false));
      return ETHERTYPES[n] ?? `0x${n.toString(16).padStart(4, '0')}`;
    }
    case 'tcpflags': {
      const n = Number(intOf(b, false));
      return TCP_FLAGS.filter((_, i) => n & (1 << i)).join(' | ') || '0x0';
    }
    case 'icmptype': {
      const n = Number(intOf(b, false));
      return ICMP_TYPES[n] ?? String(n);
    }
    case 'icmp6type': {
      const n = Number(intOf(b, false));
      return ICMP6_TYPES[n] ?? String(n);
    }
    case 'ctstate': {
      const n = Number(intOf(b, true));
      return bitNames(n, CT_STATES) ?? `0x${n.toString(16).padStart(8, '0')}`;
    }
    case 'ctstatus': {
      const n = Number(intOf(b, true));
      return bitNames(n, CT_STATUS) ?? `0x${n.toString(16).padStart(8, '0')}`;
    }
    case 'ctdir': {
      const n = Number(intOf(b, true));
      return n === 0 ? 'original' : n === 1 ? 'reply' : String(n);
    }
    case 'dscp': case 'ecn':
      return bitFieldText(Number(intOf(b, false)), type);
    case 'arphrd': {
      const n = Number(intOf(b, true));
      return ARPHRD_NAMES[n] ?? String(n);
    }
    case 'arpop': {
      const n = Number(intOf(b, false));
      return ARP_OPS[n] ?? String(n);
    }
    case 'pkttype': {
      const n = Number(intOf(b, true));
      return PKTTYPES[n] ?? String(n);
    }
    case 'addrtype': {
      const n = Number(intOf(b, true));
      return ADDRTYPES[n] ?? String(n);
    }
    case 'mhtype': {
      const n = Number(intOf(b, false));
      return MH_TYPES[n] ?? String(n);
    }
    case 'exists': {
      const n = Number(intOf(b, true));
      return n === 1 ? 'exists' : n === 0 ? 'missing' : String(n);
    }
  }
}

export function verdictText(v: { code: number; chain?: string }): string | undefined {
  switch (v.code) {
    case 1: return 'accept';
    case 0: return 'drop';
    case -1: return 'continue';
    case -5: return 'return';
    case -3: return v.chain === undefined ? undefined : `jump ${v.chain}`;
    case -4: return v.chain === undefined ? undefined : `goto ${v.chain}`;
    case 3: return 'queue';
    default: return undefined;
  }
}

/** A byte count in the largest unit that divides it evenly, as nft prints rates and quotas. */
export function byteRate(n: bigint): string {
  const units = ['bytes', 'kbytes', 'mbytes', 'gbytes'];
  let i = 0;
  while (i < units.length - 1 && n >= 1024n && n % 1024n === 0n) {
    n /= 1024n;
    i++;
  }
  return `${n} ${units[i]}`;
}

/** A decoded object as `key=value` text, for markers of what is not rendered. */
export function describeObject(o: Record<string, unknown>): string {
  return Object.entries(o).map(([k, v]) => {
    // Attributes the schema kept undecoded, by their kernel number: `5=0x7300`.
    if (k === '$unknown' && Array.isArray(v)) return (v as Array<{ type: number; bytes: Uint8Array }>).map((u) => `${u.type}=0x${hex(u.bytes)}`).join(' ');
    return `${k}=${describeValue(v)}`;
  }).join(' ');
}

function describeValue(v: unknown): string {
  if (v instanceof Uint8Array) return `0x${hex(v)}`;
  if (Array.isArray(v)) return v.map(describeValue).join(',');
  if (v && typeof v === 'object') return `{ ${describeObject(v as Record<string, unknown>)} }`;
  return String(v);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
