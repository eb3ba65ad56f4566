// Schema-shaped attribute objects between their wire form and text: binary
// attributes whose spec hints an address (ipv4, ipv6, mac) are given and
// shown as text; everything else is the schema runtime's plain value.

import { ArgumentError } from '../../codec/errors.js';
import type { AttributeSetSchema } from '../../schema/index.js';
import { parseIp, parseMac } from './address.js';

/**
 * Turns text given for address-hinted binary attributes into bytes, through
 * nests and sub-messages (the sub-message format picked by `selector`).
 */
export function attributesFromText(set: AttributeSetSchema, value: Record<string, unknown>, selector?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const a = set.byKey.get(key);
    if (!a || v === undefined) { out[key] = v; continue; }
    if (typeof v === 'string' && a.type === 'binary') {
      if (a.hint === 'mac') out[key] = parseMac(v);
      else if (a.hint === 'ipv4' || a.hint === 'ipv6') out[key] = parseIp(v).bytes;
      else throw new ArgumentError(`${set.name}.${key}: expected bytes, got the string '${v}'`);
    } else if (a.type === 'nest' && a.nest && v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) {
      out[key] = attributesFromText(a.nest, v as Record<string, unknown>, selector);
    } else if (a.type === 'sub-message' && a.subMessage && v && typeof v === 'object' && !(v instanceof Uint8Array)) {
      const sel = (value[a.selectorKey ?? ''] as string | undefined) ?? selector;
      const format = sel === undefined ? undefined : a.subMessage.formats.get(sel);
      out[key] = format?.set ? attributesFromText(format.set, v as Record<string, unknown>, sel) : v;
    } else {
      out[key] = v;
    }
  }
  return out;
}

