// Text addresses to bytes and back, without Node built-ins (the families run
// in browsers too). Formatting reuses the schema's display rules.

import { ArgumentError } from '../../codec/errors.js';
import { formatBytes } from '../../schema/format.js';

/** "192.0.2.1" → 4 bytes, or null when it is not a dotted quad. */
export function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return null;
    out[i] = Number(p);
  }
  return out;
}

/** "2001:db8::1" (and "::ffff:192.0.2.1") → 16 bytes, or null. */
export function parseIpv6(text: string): Uint8Array | null {
  let groups: number[] = [];
  let tail = text;
  const v4At = text.lastIndexOf(':');
  const v4 = text.includes('.') && v4At >= 0 ? parseIpv4(text.slice(v4At + 1)) : null;
  if (text.includes('.')) {
    if (!v4) return null;
    tail = `${text.slice(0, v4At + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = tail.split('::');
  if (halves.length > 2) return null;
  const read = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = read(halves[0]!);
  const rest = halves.length === 2 ? read(halves[1]!) : [];
  if (!head || !rest) return null;
  if (halves.length === 2) {
    if (head.length + rest.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
  } else {
    if (head.length !== 8) return null;
    groups = head;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  return out;
}

/** An IPv4 or IPv6 address in text; ArgumentError when it is neither. */
export function parseAddress(text: string): { family: 4 | 6; bytes: Uint8Array } {
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(text);
  if (v6) return { family: 6, bytes: v6 };
  throw new ArgumentError(`'${text}' is not an IPv4 or IPv6 address`);
}

/** 4 bytes as a dotted quad, 16 as RFC 5952 text. */
export function formatAddress(bytes: Uint8Array): string {
  return formatBytes(bytes, bytes.length === 4 ? 'ipv4' : 'ipv6');
}
