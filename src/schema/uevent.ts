// Kernel uevents (NETLINK_KOBJECT_UEVENT, group 1): not netlink messages but
// NUL-separated text, described by the 'uevent' spec as far as it fits.
//
//   "add@/devices/virtual/net/veth0\0ACTION=add\0DEVPATH=/devices/...\0SUBSYSTEM=net\0SEQNUM=4711\0..."
//
// udev's re-broadcasts (group 2) start with "libudev\0" and a binary header;
// they are reported as such (kind 'udev') with their raw bytes, not guessed at.

import { MalformedError } from '../codec/errors.js';
import type { Family } from './compile.js';
import { narrow } from './values.js';

export interface Uevent {
  kind: 'kernel';
  action: string;
  devpath: string;
  /** Every KEY=VALUE pair, values typed where the spec knows the key (SEQNUM → number). */
  env: Record<string, string | number | bigint>;
}

export interface UdevEvent {
  kind: 'udev';
  bytes: Uint8Array;
}

const UDEV_MAGIC = 'libudev';
const text = new TextDecoder('utf-8');

/** Decodes one uevent datagram by the 'uevent' family schema. */
export function decodeUevent(family: Family, bytes: Uint8Array): Uevent | UdevEvent {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) {
      if (i > start) parts.push(text.decode(bytes.subarray(start, i)));
      start = i + 1;
    }
  }
  if (parts[0] === UDEV_MAGIC) return { kind: 'udev', bytes: bytes.slice() };
  const head = parts[0] ?? '';
  const at = head.indexOf('@');
  if (at <= 0) throw new MalformedError(`uevent does not start with ACTION@DEVPATH: ${JSON.stringify(head.slice(0, 40))}`, 0);
  const keys = family.set('uevent-keys');
  const env: Record<string, string | number | bigint> = {};
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    const a = keys.byName.get(key);
    const integer = a && a.type !== 'string' && /^[0-9]+$/.test(value);
    env[key] = integer ? narrow(BigInt(value)) : value;
  }
  return { kind: 'kernel', action: head.slice(0, at), devpath: head.slice(at + 1), env };
}
