// The udev monitor flavour of uevents (group 2): udevd re-broadcasts each
// event, after its rules ran, with a binary header before the properties.
//
//   0        8           12            16              20              24
//   ┌────────┬───────────┬─────────────┬───────────────┬───────────────┬──────────────────────┬───────────────────┐
//   │libudev\0│ magic BE  │ header_size │ properties_off│ properties_len│ subsystem/devtype    │ tag bloom hi / lo │
//   │        │ 0xfeedcafe│ (host order)│               │               │ hashes (BE)          │ (BE)              │
//   └────────┴───────────┴─────────────┴───────────────┴───────────────┴──────────────────────┴───────────────────┘
//   then at properties_off: "KEY=VALUE\0KEY=VALUE\0..." (ACTION, DEVPATH, SUBSYSTEM, SEQNUM, ...)

import { MalformedError, TruncatedError } from '../../codec/errors.js';

export const UDEV_MONITOR_MAGIC = 0xfeedcafe;
const PREFIX = 'libudev\0';
const HEADER_SIZE = 40;

export interface UdevMonitorEvent {
  kind: 'udev';
  action: string;
  devpath: string;
  /** Every property, as text. */
  env: Record<string, string>;
  /** MurmurHash2 of SUBSYSTEM and DEVTYPE, as udev filters by them. */
  subsystemHash: number;
  devtypeHash: number;
}

export function isUdevMonitor(bytes: Uint8Array): boolean {
  if (bytes.length < PREFIX.length) return false;
  for (let i = 0; i < PREFIX.length; i++) if (bytes[i] !== PREFIX.charCodeAt(i)) return false;
  return true;
}

/** Decodes a udev monitor datagram; TruncatedError / MalformedError say where it is wrong. */
export function decodeUdevMonitor(bytes: Uint8Array): UdevMonitorEvent {
  if (!isUdevMonitor(bytes)) throw new MalformedError('not a udev monitor message (no "libudev" prefix)', 0);
  if (bytes.length < HEADER_SIZE) throw new TruncatedError(`udev monitor header needs ${HEADER_SIZE} bytes, got ${bytes.length}`, bytes.length);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = v.getUint32(8, false);
  if (magic !== UDEV_MONITOR_MAGIC) throw new MalformedError(`udev monitor magic is 0x${magic.toString(16)}, expected 0xfeedcafe`, 8);
  const headerSize = v.getUint32(12, true);
  const off = v.getUint32(16, true);
  const len = v.getUint32(20, true);
  if (headerSize < HEADER_SIZE || off < headerSize) throw new MalformedError(`udev monitor properties at ${off} overlap its ${headerSize}-byte header`, 12);
  if (off + len > bytes.length) throw new TruncatedError(`udev monitor properties end at ${off + len}, past the ${bytes.length}-byte message`, bytes.length);
  const env: Record<string, string> = {};
  const text = new TextDecoder();
  let start = off;
  for (let i = off; i <= off + len; i++) {
    if (i === off + len || bytes[i] === 0) {
      if (i > start) {
        const part = text.decode(bytes.subarray(start, i));
        const eq = part.indexOf('=');
        if (eq <= 0) throw new MalformedError(`udev property without '=': ${JSON.stringify(part.slice(0, 40))}`, start);
        env[part.slice(0, eq)] = part.slice(eq + 1);
      }
      start = i + 1;
    }
  }
  return {
    kind: 'udev', action: env.ACTION ?? '', devpath: env.DEVPATH ?? '', env,
    subsystemHash: v.getUint32(24, false), devtypeHash: v.getUint32(28, false),
  };
}
