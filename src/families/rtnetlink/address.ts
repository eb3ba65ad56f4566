// Addresses between text and bytes: IPv4 dotted quads, IPv6 in the canonical
// form of RFC 5952 (lower case, longest zero run of two or more groups as
// "::", leftmost on ties, IPv4-mapped as ::ffff:a.b.c.d), MACs as aa:bb:...,
// and prefixes as "addr/len".

import { ArgumentError } from '../../codec/errors.js';

export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_BRIDGE = 7;

/** Four bytes at `at` as a dotted quad. */
export function ipv4Text(u8: Uint8Array, at: number): string {
  return `${u8[at]}.${u8[at + 1]}.${u8[at + 2]}.${u8[at + 3]}`;
}

/** Sixteen bytes at `at` in RFC 5952 form. */
export function ipv6Text(u8: Uint8Array, at: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((u8[at + 2 * i]! << 8) | u8[at + 2 * i + 1]!);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipv4Text(u8, at + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

/** An address of 4 or 16 bytes as text; other lengths as hex bytes. */
export function ipText(bytes: Uint8Array, at = 0, length = bytes.length - at): string {
  if (length === 4) return ipv4Text(bytes, at);
  if (length === 16) return ipv6Text(bytes, at);
  return hexText(bytes, at, length);
}

/** Bytes as aa:bb:cc... (MACs and other link-layer addresses). */
export function hexText(bytes: Uint8Array, at = 0, length = bytes.length - at): string {
  let s = '';
  for (let i = 0; i < length; i++) s += (i ? ':' : '') + bytes[at + i]!.toString(16).padStart(2, '0');
  return s;
}

export const macText = hexText;

/** Parses aa:bb:cc:dd:ee:ff (or any colon-separated hex bytes). */
export function parseMac(text: string): Uint8Array {
  const parts = text.split(':');
  if (parts.length < 1 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new ArgumentError(`'${text}' is not a link-layer address (expected hex bytes like 02:00:00:00:00:01)`);
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

function parseIpv4(text: string): Uint8Array | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(m[i + 1]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  let s = text;
  // A trailing dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  const v4 = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const b = parseIpv4(v4[2]!);
    if (!b) return null;
    s = `${v4[1]}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (p: string) => (p === '' ? [] : p.split(':'));
  const head = groupsOf(halves[0]!);
  const rest = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if ([...head, ...rest].some((p) => !/^[0-9a-fA-F]{1,4}$/.test(p))) return null;
  const given = head.length + rest.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const groups = [...head, ...new Array<string>(8 - given).fill('0'), ...rest].map((p) => parseInt(p, 16));
  const out = new Uint8Array(16);
  groups.forEach((x, i) => { out[2 * i] = x >> 8; out[2 * i + 1] = x & 0xff; });
  return out;
}

/** Parses an IPv4 or IPv6 address; the family is 2 (AF_INET) or 10 (AF_INET6). */
export function parseIp(text: string): { family: 2 | 10; bytes: Uint8Array } {
  const v4 = parseIpv4(text);
  if (v4) return { family: AF_INET, bytes: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : null;
  if (v6) return { family: AF_INET6, bytes: v6 };
  throw new ArgumentError(`'${text}' is not an IPv4 or IPv6 address`);
}

export interface Prefix {
  family: 2 | 10;
  bytes: Uint8Array;
  length: number;
}

/** Parses "addr/len" (or a bare address: a host prefix). */
export function parsePrefix(text: string): Prefix {
  const slash = text.indexOf('/');
  const { family, bytes } = parseIp(slash < 0 ? text : text.slice(0, slash));
  const max = family === AF_INET ? 32 : 128;
  if (slash < 0) return { family, bytes, length: max };
  const lenText = text.slice(slash + 1);
  const length = Number(lenText);
  if (!/^\d{1,3}$/.test(lenText) || length > max) throw new ArgumentError(`'${text}': the prefix length must be 0..${max}`);
  return { family, bytes, length };
}

/** 4 (IPv4) or 6 (IPv6) for an address family number; the number otherwise. */
export function familyVersion(family: number): number {
  return family === AF_INET ? 4 : family === AF_INET6 ? 6 : family;
}
