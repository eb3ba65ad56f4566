// The generic netlink controller (nlctrl, id 0x10): which families the
// kernel has, their operations, multicast groups and attribute policies.
// Replies are decoded in place by the nlctrl schema.

import { NLM_F_DUMP } from '../../codec/constants.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import { GENL_ID_CTRL, genlHeader } from '../../socket/genl.js';
import { defaultRegistry } from '../../schema/default-registry.js';
import { decodeBatchMessage, type Attributes } from '../../schema/decode.js';
import { encodeAttributes } from '../../schema/encode.js';
import { scratch } from '../../socket/scratch.js';

const CTRL_CMD_GETFAMILY = 3;
const CTRL_CMD_GETPOLICY = 10;
const CTRL_VERSION = 2;

export interface GenlOperation {
  id: number;
  /** GENL_* flags by name ('admin-perm', 'cmd-cap-do', 'cmd-cap-dump', 'cmd-cap-haspol', ...). */
  flags: Array<string | number>;
}

export interface GenlFamilyInfo {
  id: number;
  name: string;
  version: number;
  headerSize: number;
  maxAttribute: number;
  operations: GenlOperation[];
  groups: Array<{ name: string; id: number }>;
}

export interface GenlPolicyAttribute {
  policy: number;
  attribute: number;
  /** 'u32', 'string', 'nested', ... */
  type: string | number;
  /** Ranges and lengths the kernel enforces (min/max value, min/max length, nested policy index...). */
  limits: Record<string, unknown>;
}

export interface GenlPolicies {
  /** Operation id → the policy indices of its do / dump requests. */
  operations: Map<number, { do?: number; dump?: number }>;
  attributes: GenlPolicyAttribute[];
}

const nlctrl = () => defaultRegistry().family('nlctrl');

function familyOf(a: Attributes): GenlFamilyInfo {
  const ops = (a.ops ?? []) as Array<{ id?: number; flags?: Array<string | number> }>;
  const groups = (a.mcastGroups ?? []) as Array<{ name?: string; id?: number }>;
  return {
    id: Number(a.familyId ?? 0), name: String(a.familyName ?? ''), version: Number(a.version ?? 0),
    headerSize: Number(a.hdrsize ?? 0), maxAttribute: Number(a.maxattr ?? 0),
    operations: ops.map((o) => ({ id: Number(o.id ?? 0), flags: o.flags ?? [] })),
    groups: groups.map((g) => ({ name: String(g.name ?? ''), id: Number(g.id ?? 0) })),
  };
}

/** Every generic netlink family the kernel has (CTRL_CMD_GETFAMILY dump). */
export async function listGenlFamilies(sock: NetlinkSocket): Promise<GenlFamilyInfo[]> {
  const schema = nlctrl().message('getfamily-reply', 'reply');
  const out: GenlFamilyInfo[] = [];
  for await (const part of sock.dumpBatches({ type: GENL_ID_CTRL, header: genlHeader(CTRL_CMD_GETFAMILY, CTRL_VERSION) })) {
    for (let k = 0; k < part.count; k++) out.push(familyOf(decodeBatchMessage(part.batch, part.indices[k]!, schema, undefined, sock.codec).attributes));
  }
  return out;
}

/** One family by name; NetlinkError ENOENT when the kernel has none. */
export async function getGenlFamily(sock: NetlinkSocket, name: string): Promise<GenlFamilyInfo> {
  const f = nlctrl();
  const schema = f.message('getfamily-reply', 'reply');
  const request = f.message('getfamily', 'request');
  const reply = await sock.request({
    type: GENL_ID_CTRL, header: genlHeader(CTRL_CMD_GETFAMILY, CTRL_VERSION),
    attributes: (b) => encodeAttributes(b, request.set!, { familyName: name }),
  });
  const message = reply.messages[0]!;
  return familyOf(decodeBatchMessage(scratch(sock.codec).scanBytes(message.bytes), 0, schema, undefined, sock.codec).attributes);
}

/**
 * The attribute policies of a family's requests (CTRL_CMD_GETPOLICY dump),
 * for every operation or one (`op`).
 */
export async function getGenlPolicies(sock: NetlinkSocket, family: string, op?: number): Promise<GenlPolicies> {
  const f = nlctrl();
  const schema = f.message('getpolicy-reply', 'reply');
  const request = f.message('getpolicy', 'request');
  const attrs: Record<string, unknown> = { familyName: family };
  if (op !== undefined) attrs.op = op;
  const result: GenlPolicies = { operations: new Map(), attributes: [] };
  const spec = {
    type: GENL_ID_CTRL, flags: NLM_F_DUMP, header: genlHeader(CTRL_CMD_GETPOLICY, CTRL_VERSION),
    attributes: (b: Parameters<typeof encodeAttributes>[0]) => encodeAttributes(b, request.set!, attrs),
  };
  for await (const part of sock.dumpBatches(spec)) {
    for (let k = 0; k < part.count; k++) {
      const a = decodeBatchMessage(part.batch, part.indices[k]!, schema, undefined, sock.codec).attributes;
      for (const p of (a.opPolicy ?? []) as Array<{ opId: number; do?: number; dump?: number }>) {
        result.operations.set(p.opId, { ...(p.do !== undefined ? { do: p.do } : {}), ...(p.dump !== undefined ? { dump: p.dump } : {}) });
      }
      for (const p of (a.policy ?? []) as Array<Record<string, unknown>>) {
        const { policyId, attrId, type, ...limits } = p;
        result.attributes.push({ policy: Number(policyId), attribute: Number(attrId), type: type as string | number, limits });
      }
    }
  }
  return result;
}
