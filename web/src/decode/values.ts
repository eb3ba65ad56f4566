// Attribute and struct member values as display text, typed by the schema:
// integers (with enum and flag names), strings, addresses by display hint,
// hex for the rest. A payload that does not fit its declared type says so
// instead of being read past its end.

import { errnoName } from '../../../src/codec/index.js';
import type { EnumSchema } from '../../../src/schema/compile.js';
import { nameValue, narrow } from '../../../src/schema/values.js';
import type { DisplayHint } from '../../../src/schema/types.js';

const INT_BYTES: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

export function intBytes(type: string): number | undefined {
  return INT_BYTES[type];
}

/** Reads an integer of `type` at `at`; null when the bytes are not there. */
export function readInteger(p: Uint8Array, at: number, type: string, bigEndian = false): number | bigint | null {
  const size = INT_BYTES[type];
  if (size === undefined || at + size > p.length) return null;
  const v = new DataView(p.buffer, p.byteOffset + at, size);
  const le = !bigEndian;
  switch (type) {
    case 'u8': return v.getUint8(0);
    case 's8': return v.getInt8(0);
    case 'u16': return v.getUint16(0, le);
    case 's16': return v.getInt16(0, le);
    case 'u32': return v.getUint32(0, le);
    case 's32': return v.getInt32(0, le);
    case 'u64': return narrow(v.getBigUint64(0, le));
    default: return narrow(v.getBigInt64(0, le));
  }
}

/** An integer with its enum or flag names: 'up|running (0x41)', 'ipv4 (2)', '1500'. */
export function formatInteger(v: number | bigint, e?: EnumSchema, asFlags = false, hint?: DisplayHint): string {
  const hex = `0x${v.toString(16)}`;
  if (e) {
    const named = nameValue(e, asFlags, v);
    if (Array.isArray(named)) {
      const parts = named.map((x) => (typeof x === 'string' ? x : `0x${x.toString(16)}`));
      return parts.length ? `${parts.join('|')} (${hex})` : '0';
    }
    if (typeof named === 'string') return `${named} (${v})`;
  }
  return hint === 'hex' ? hex : String(v);
}

export function hexBytes(p: Uint8Array, max = 32): string {
  let text = '';
  const n = Math.min(p.length, max);
  for (let i = 0; i < n; i++) text += (i ? ' ' : '') + p[i]!.toString(16).padStart(2, '0');
  return p.length > max ? `${text} … (${p.length} bytes)` : text;
}

function ipv6(p: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((p[i]! << 8) | p[i + 1]!).toString(16));
  // Collapse the longest run of zero groups (RFC 5952).
  let best = -1, bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) { best = i; bestLength = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

/** Bytes shown by display hint; null when the hint does not fit the length. */
export function formatByHint(p: Uint8Array, hint: DisplayHint | undefined): string | null {
  switch (hint) {
    case 'mac':
      return p.length > 0 && p.length <= 16 ? [...p].map((b) => b.toString(16).padStart(2, '0')).join(':') : null;
    case 'ipv4':
      return p.length === 4 ? [...p].join('.') : null;
    case 'ipv6':
      return p.length === 16 ? ipv6(p) : null;
    case 'uuid': {
      if (p.length !== 16) return null;
      const h = [...p].map((b) => b.toString(16).padStart(2, '0')).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case 'hex':
      return hexBytes(p, 64);
    default:
      return null;
  }
}

/** A string payload: up to its NUL, quoted; non-UTF-8 bytes shown as replacement characters. */
export function formatString(p: Uint8Array): string {
  let end = p.indexOf(0);
  if (end < 0) end = p.length;
  return JSON.stringify(new TextDecoder('utf-8').decode(p.subarray(0, end)));
}

function printable(p: Uint8Array): boolean {
  let end = p.length;
  if (end === 0) return false;
  if (p[end - 1] === 0) end--;
  if (end < 2) return false;
  for (let i = 0; i < end; i++) if (p[i]! < 0x20 || p[i]! > 0x7e) return false;
  return true;
}

/** A payload without a schema: its likely type and value. */
export function guessValue(p: Uint8Array): { type: string; value: string } {
  if (printable(p) && p[p.length - 1] === 0) return { type: 'string?', value: formatString(p) };
  switch (p.length) {
    case 0: return { type: 'flag?', value: '(empty)' };
    case 1: return { type: 'u8?', value: String(p[0]) };
    case 2: return { type: 'u16?', value: String(readInteger(p, 0, 'u16')) };
    case 4: return { type: 'u32?', value: `${readInteger(p, 0, 'u32')} (${hexBytes(p)})` };
    case 8: return { type: 'u64?', value: String(readInteger(p, 0, 'u64')) };
    default: return { type: 'binary', value: hexBytes(p) };
  }
}

/** '-17 EEXIST', '0 (ack)'. */
export function formatErrno(code: number, ackWord = 'ack'): string {
  return code === 0 ? `0 (${ackWord})` : `${code} ${errnoName(-code)}`;
}
