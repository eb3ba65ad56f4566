// Policy routing rules (RTM_NEWRULE / RTM_DELRULE / RTM_GETRULE), decoded
// through the rt-rule schema.
//
//   fib_rule_hdr ┌────────┬─────────┬─────────┬─────┬───────┬──────┬──────┬────────┬───────────┐
//                │ family │ dst_len │ src_len │ tos │ table │ res1 │ res2 │ action │ flags u32 │
//                └────────┴─────────┴─────────┴─────┴───────┴──────┴──────┴────────┴───────────┘

import { loadCodec, type Codec } from '../../codec/codec.js';
import type { Batch } from '../../codec/batch.js';
import { decodeBatchMessage } from '../../schema/index.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import type { Message } from '../../socket/received.js';
import { ArgumentError } from '../../codec/errors.js';
import { AF_INET, AF_INET6, familyVersion, ipText, parsePrefix } from './address.js';
import { rtSchemas } from './schema.js';
import { rtDump, rtRequest, VERB_FLAGS, type ListOptions, type OperationOptions } from './request.js';
import { scratch } from '../../socket/scratch.js';

export const RTM_NEWRULE = 32;
export const RTM_DELRULE = 33;
export const RTM_GETRULE = 34;

export interface Rule {
  /** 4, 6, or the address family number of other rule families (128: IPv4 multicast routing). */
  family: number;
  /** FRA_PRIORITY; absent for priority 0. */
  priority: number;
  /** FRA_TABLE when present, else the header's. */
  table: number;
  /** FR_ACT_* by name: 'to-tbl', 'goto', 'nop', 'blackhole', 'unreachable', 'prohibit'. */
  action: string | number;
  /** 'address/len' when the rule has a source prefix. */
  src?: string;
  dst?: string;
  tos: number;
  iif?: string;
  oif?: string;
  fwmark?: number;
  fwmask?: number;
  goto?: number;
  /** FIB_RULE_* by name: 'invert', 'unresolved', ... */
  flags: string[];
  protocol?: number;
  suppressPrefixlen?: number;
  l3mdev?: number;
}

export interface RuleSpec {
  /** 4 or 6 (default: from src/dst, else 4). */
  family?: 4 | 6;
  priority?: number;
  table?: number;
  action?: string;
  src?: string;
  dst?: string;
  tos?: number;
  iif?: string;
  oif?: string;
  fwmark?: number;
  fwmask?: number;
  invert?: boolean;
  protocol?: number;
}

export function decodeRule(batch: Batch, i: number, codec: Codec = loadCodec()): Rule {
  const m = decodeBatchMessage(batch, i, rtSchemas().rule.newMessage, undefined, codec);
  const h = m.header!;
  const a = m.attributes;
  const out: Rule = {
    family: familyVersion(h.family as number),
    priority: (a.priority as number | undefined) ?? 0,
    table: (a.table as number | undefined) ?? (h.table as number),
    action: h.action as string | number,
    tos: h.tos as number,
    flags: Array.isArray(h.flags) ? h.flags.filter((x): x is string => typeof x === 'string') : [],
  };
  if (a.src instanceof Uint8Array) out.src = `${ipText(a.src)}/${h.srcLen}`;
  if (a.dst instanceof Uint8Array) out.dst = `${ipText(a.dst)}/${h.dstLen}`;
  if (typeof a.iifname === 'string') out.iif = a.iifname;
  if (typeof a.oifname === 'string') out.oif = a.oifname;
  if (a.fwmark !== undefined) out.fwmark = a.fwmark as number;
  if (a.fwmask !== undefined) out.fwmask = a.fwmask as number;
  if (a.goto !== undefined) out.goto = a.goto as number;
  if (a.protocol !== undefined) out.protocol = a.protocol as number;
  if (a.suppressPrefixlen !== undefined) out.suppressPrefixlen = a.suppressPrefixlen as number;
  if (a.l3mdev !== undefined) out.l3mdev = a.l3mdev as number;
  return out;
}

export function decodeRuleMessage(sock: { codec: Codec }, message: Message | Uint8Array): Rule {
  const batch = scratch(sock.codec).scanBytes(message instanceof Uint8Array ? message : message.bytes);
  return decodeRule(batch, 0, sock.codec);
}

function specParts(spec: RuleSpec, forDelete: boolean) {
  const attrs: Record<string, unknown> = {};
  let family = spec.family === 6 ? AF_INET6 : spec.family === 4 ? AF_INET : 0;
  let srcLen = 0;
  let dstLen = 0;
  for (const [key, text] of [['src', spec.src], ['dst', spec.dst]] as const) {
    if (text === undefined) continue;
    const p = parsePrefix(text);
    if (family && family !== p.family) throw new ArgumentError(`rule ${key} ${text} does not match family ${spec.family}`);
    family = p.family;
    attrs[key] = p.bytes;
    if (key === 'src') srcLen = p.length; else dstLen = p.length;
  }
  family ||= AF_INET;
  if (spec.priority !== undefined) attrs.priority = spec.priority;
  if (spec.iif !== undefined) attrs.iifname = spec.iif;
  if (spec.oif !== undefined) attrs.oifname = spec.oif;
  if (spec.fwmark !== undefined) attrs.fwmark = spec.fwmark;
  if (spec.fwmask !== undefined) attrs.fwmask = spec.fwmask;
  if (spec.protocol !== undefined) attrs.protocol = spec.protocol;
  const table = spec.table ?? (forDelete ? 0 : 254);
  if (table !== 0) attrs.table = table;
  const action = spec.action ?? (forDelete && spec.table === undefined ? 'unspec' : 'to-tbl');
  const header = {
    family, dstLen, srcLen, tos: spec.tos ?? 0, table: table < 256 ? table : 252, action,
    flags: spec.invert ? ['invert'] : [],
  };
  return { header, attrs };
}

/** Typed rule operations. */
export const rules = {
  dump(sock: NetlinkSocket, filter?: { family?: 4 | 6 }, options?: ListOptions): AsyncGenerator<Rule, void, undefined> {
    const header = new Uint8Array(12);
    header[0] = filter?.family === 6 ? AF_INET6 : filter?.family === 4 ? AF_INET : 0;
    const codec = sock.codec;
    return rtDump(sock, RTM_GETRULE, header, RTM_NEWRULE, (batch, i) => decodeRule(batch, i, codec), options);
  },
  /** Adds a rule (NLM_F_CREATE | NLM_F_EXCL): EEXIST for an identical one. */
  async add(sock: NetlinkSocket, spec: RuleSpec, options?: OperationOptions): Promise<void> {
    const { header, attrs } = specParts(spec, false);
    await rtRequest(sock, rtSchemas().rule.newMessage, header, attrs, VERB_FLAGS.add, options);
  },
  /** Deletes the first rule matching the spec (unset fields match anything): ENOENT when none does. */
  async delete(sock: NetlinkSocket, spec: RuleSpec, options?: OperationOptions): Promise<void> {
    const { header, attrs } = specParts(spec, true);
    await rtRequest(sock, rtSchemas().rule.delMessage, header, attrs, 0, options);
  },
};
