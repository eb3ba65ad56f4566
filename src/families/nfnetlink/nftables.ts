// nftables (nfnetlink subsystem 10): listing tables, chains, rules and sets,
// and changing them through a transaction batch.
//
//   one datagram: ┌─────────────┬─────────────┬─────┬─────────────┬───────────┐
//                 │ BATCH_BEGIN │ NEWTABLE    │ ... │ NEWCHAIN    │ BATCH_END │
//                 │ res_id = 10 │ NLM_F_ACK   │     │ NLM_F_ACK   │           │
//                 └─────────────┴─────────────┴─────┴─────────────┴───────────┘
//
// The kernel applies the batch as one transaction: all of it or none. Each
// message gets its own ack (or error, with extended ack), so the result is per
// message; when one fails the whole batch is rolled back.

import { ArgumentError, NetlinkError } from '../../codec/errors.js';
import { NLM_F_CREATE, NLM_F_EXCL } from '../../codec/constants.js';
import type { NetlinkSocket, RequestSpec, Reply } from '../../socket/socket.js';
import { defaultRegistry } from '../../schema/default-registry.js';
import { decodeBatchMessage, type Attributes } from '../../schema/decode.js';
import { encodeAttributes } from '../../schema/encode.js';
import { unnameValue } from '../../schema/values.js';
import type { Family } from '../../schema/compile.js';
import { dataFromObject, type NftData } from './nft-values.js';
import { commentText } from './nft-userdata.js';
import {
  NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END, NFNL_SUBSYS_NFTABLES, nfFamilyName, nfFamilyNumber, nfgenmsg, nfnlType,
  type NfFamilyName,
} from './nfgenmsg.js';

export const NFT_MSG = {
  newtable: 0, gettable: 1, deltable: 2, newchain: 3, getchain: 4, delchain: 5,
  newrule: 6, getrule: 7, delrule: 8, newset: 9, getset: 10, delset: 11,
  newsetelem: 12, getsetelem: 13, delsetelem: 14, newgen: 15, getgen: 16,
  newobj: 18, getobj: 19, delobj: 20, newflowtable: 22, getflowtable: 23, delflowtable: 24,
  destroytable: 26, destroychain: 27, destroyrule: 28, destroyset: 29,
} as const;

/** Hook numbers by the names nft prints, per family (ip/ip6/inet/bridge share them; netdev and arp differ). */
const HOOKS = ['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress'] as const;
const NETDEV_HOOKS = ['ingress', 'egress'] as const;
/** NF_ARP_IN, NF_ARP_OUT, NF_ARP_FORWARD. */
const ARP_HOOKS = ['input', 'output', 'forward'] as const;

function hooksOf(family: number): readonly string[] {
  return family === 5 ? NETDEV_HOOKS : family === 3 ? ARP_HOOKS : HOOKS;
}

export function hookName(family: number, hook: number): string {
  return hooksOf(family)[hook] ?? String(hook);
}

export function hookNumber(family: number, hook: string | number): number {
  if (typeof hook === 'number') return hook;
  const names = hooksOf(family);
  const n = names.indexOf(hook);
  if (n < 0) throw new ArgumentError(`unknown hook '${hook}' (known: ${names.join(', ')})`);
  return n;
}

export interface NftTable {
  family: NfFamilyName | number;
  name: string;
  handle: number | bigint;
  flags: Array<string | number>;
  use: number;
  attributes: Attributes;
}

export interface NftChain {
  family: NfFamilyName | number;
  table: string;
  name: string;
  handle: number | bigint;
  /** Base chains only. */
  type?: string;
  hook?: string;
  priority?: number;
  policy?: 'accept' | 'drop' | number;
  /** netdev (and inet ingress) base chains: the devices they hook. */
  devices?: string[];
  use?: number;
  attributes: Attributes;
}

export interface NftRule {
  family: NfFamilyName | number;
  table: string;
  chain: string;
  handle: number | bigint;
  /** Expression names in order ('payload', 'cmp', 'counter', ...). */
  expressions: string[];
  attributes: Attributes;
}

export interface NftSet {
  family: NfFamilyName | number;
  table: string;
  name: string;
  handle: number | bigint;
  flags: Array<string | number>;
  keyLength: number;
  /** nft's data type id of the key (NFTA_SET_KEY_TYPE: 7 ipv4_addr, 13 inet_service, ...). */
  keyType: number;
  /** Maps: the data type id (0xffffff00 verdict, 19 mark, ...) and length (NFTA_SET_DATA_TYPE, _LEN). */
  dataType?: number;
  dataLength?: number;
  /** NFTA_SET_POLICY: 0 performance, 1 memory. */
  policy?: number;
  /** The size the set was declared with (NFTA_SET_DESC_SIZE). */
  size?: number;
  /** Default element timeout and garbage collection interval, in milliseconds. */
  timeout?: number;
  gcInterval?: number;
  attributes: Attributes;
}

/** A named stateful object (counter, quota, ...), as NFT_MSG_GETOBJ dumps it. */
export interface NftObject {
  family: NfFamilyName | number;
  table: string;
  name: string;
  handle: number | bigint;
  /** The spec's name of its type ('counter', 'quota', ...), or the number of one it has no name for. */
  type: string | number;
  /** Its state decoded by the spec (counter: bytes, packets; quota: bytes, flags, consumed), or bytes for other types. */
  data?: unknown;
  use?: number;
  attributes: Attributes;
}

/** A flowtable (fast path for established flows), as NFT_MSG_GETFLOWTABLE dumps it. */
export interface NftFlowtable {
  family: NfFamilyName | number;
  table: string;
  name: string;
  handle: number | bigint;
  hook?: string;
  priority?: number;
  devices: string[];
  attributes: Attributes;
}

/** One element of a set, as NFT_MSG_GETSETELEM dumps it. */
export interface NftSetElement {
  key?: NftData;
  /** Inclusive end of an interval (sets that store both ends in one element). */
  keyEnd?: NftData;
  /** NFT_SET_ELEM_* flags: 1 = interval end. */
  flags: number;
  /** Map data (verdict or value), for maps. */
  data?: NftData;
  /** The element's timeout and the time it has left, in milliseconds. */
  timeout?: number;
  expiration?: number;
  /** The element's expressions (counters ...), decoded like a rule's. */
  expressions?: unknown[];
  /** Its comment (nft's element userdata), or a marker when that userdata does not parse. */
  comment?: string;
  attributes: Attributes;
}

function family(): Family {
  return defaultRegistry().family('nftables');
}

type Obj = Record<string, unknown>;

async function* dumpObjects(sock: NetlinkSocket, msg: number, replyName: string, nfFamily: NfFamilyName | number | undefined, filter?: Obj): AsyncGenerator<{ family: number; attributes: Attributes }> {
  const f = family();
  const schema = f.message(replyName, 'reply');
  const spec: RequestSpec = { type: nfnlType(NFNL_SUBSYS_NFTABLES, msg), header: nfgenmsg(nfFamily === undefined ? 0 : nfFamilyNumber(nfFamily)) };
  const wanted = Object.entries(filter ?? {}).filter(([, v]) => v !== undefined);
  // The kernel looks a filter's table up in the request's family: without a
  // family there is no table to find, so the whole dump is filtered here.
  if (nfFamily !== undefined && wanted.length > 0) spec.attributes = (b) => encodeAttributes(b, schema.set!, Object.fromEntries(wanted));
  for await (const part of sock.dumpBatches(spec)) {
    for (let k = 0; k < part.count; k++) {
      const d = decodeBatchMessage(part.batch, part.indices[k]!, schema, undefined, sock.codec);
      if (wanted.some(([key, v]) => d.attributes[key] !== v)) continue;
      yield { family: Number(d.header?.nfgenFamily ?? 0), attributes: d.attributes };
    }
  }
}

const num = (v: unknown) => (v === undefined ? 0 : typeof v === 'bigint' ? v : Number(v));

export async function listTables(sock: NetlinkSocket, options: { family?: NfFamilyName } = {}): Promise<NftTable[]> {
  const out: NftTable[] = [];
  for await (const { family: fam, attributes: a } of dumpObjects(sock, NFT_MSG.gettable, 'newtable', options.family)) {
    out.push({ family: nfFamilyName(fam), name: String(a.name ?? ''), handle: num(a.handle), flags: (a.flags ?? []) as Array<string | number>, use: Number(a.use ?? 0), attributes: a });
  }
  return out;
}

export async function listChains(sock: NetlinkSocket, options: { family?: NfFamilyName; table?: string } = {}): Promise<NftChain[]> {
  const out: NftChain[] = [];
  for await (const { family: fam, attributes: a } of dumpObjects(sock, NFT_MSG.getchain, 'newchain', options.family, options.table ? { table: options.table } : undefined)) {
    const chain: NftChain = { family: nfFamilyName(fam), table: String(a.table ?? ''), name: String(a.name ?? ''), handle: num(a.handle), attributes: a };
    const hook = a.hook as Obj | undefined;
    if (a.type !== undefined) chain.type = String(a.type);
    if (hook?.num !== undefined) chain.hook = hookName(fam, Number(hook.num));
    if (hook?.priority !== undefined) chain.priority = Number(hook.priority);
    // One device comes as NFTA_HOOK_DEV, several as a NFTA_HOOK_DEVS list.
    const devs = (hook?.devs as Obj | undefined)?.name;
    if (hook?.dev !== undefined) chain.devices = [String(hook.dev)];
    else if (devs !== undefined) chain.devices = (Array.isArray(devs) ? devs : [devs]).map(String);
    if (a.policy !== undefined) chain.policy = a.policy === 0 ? 'drop' : a.policy === 1 ? 'accept' : Number(a.policy);
    if (a.use !== undefined) chain.use = Number(a.use);
    out.push(chain);
  }
  return out;
}

export async function listRules(sock: NetlinkSocket, options: { family?: NfFamilyName; table?: string; chain?: string } = {}): Promise<NftRule[]> {
  const filter: Obj = {};
  if (options.table) filter.table = options.table;
  if (options.chain) filter.chain = options.chain;
  const out: NftRule[] = [];
  for await (const { family: fam, attributes: a } of dumpObjects(sock, NFT_MSG.getrule, 'newrule', options.family, filter)) {
    const elems = ((a.expressions as Obj | undefined)?.elem ?? []) as Obj[];
    out.push({
      family: nfFamilyName(fam), table: String(a.table ?? ''), chain: String(a.chain ?? ''), handle: num(a.handle),
      expressions: elems.map((e) => String(e.name ?? '?')), attributes: a,
    });
  }
  return out;
}

export async function listSets(sock: NetlinkSocket, options: { family?: NfFamilyName; table?: string } = {}): Promise<NftSet[]> {
  const out: NftSet[] = [];
  for await (const { family: fam, attributes: a } of dumpObjects(sock, NFT_MSG.getset, 'newset', options.family, options.table ? { table: options.table } : undefined)) {
    const flags = a.flags;
    const set: NftSet = {
      family: nfFamilyName(fam), table: String(a.table ?? ''), name: String(a.name ?? ''), handle: num(a.handle),
      flags: Array.isArray(flags) ? flags : flags === undefined ? [] : [flags as string | number],
      keyLength: Number(a.keyLen ?? 0), keyType: Number(a.keyType ?? 0), attributes: a,
    };
    if (a.dataType !== undefined) set.dataType = Number(a.dataType);
    if (a.dataLen !== undefined) set.dataLength = Number(a.dataLen);
    if (a.policy !== undefined) set.policy = Number(a.policy);
    const size = (a.desc as Obj | undefined)?.size;
    if (size !== undefined) set.size = Number(size);
    if (a.timeout !== undefined) set.timeout = Number(a.timeout);
    if (a.gcInterval !== undefined) set.gcInterval = Number(a.gcInterval);
    out.push(set);
  }
  return out;
}

/** The named objects (counters, quotas, ...) of every table, or of one. */
export async function listObjects(sock: NetlinkSocket, options: { family?: NfFamilyName; table?: string } = {}): Promise<NftObject[]> {
  const out: NftObject[] = [];
  for await (const { family: fam, attributes: a } of dumpObjects(sock, NFT_MSG.getobj, 'newobj', options.family, options.table ? { table: options.table } : undefined)) {
    const obj: NftObject = {
      family: nfFamilyName(fam), table: String(a.table ?? ''), name: String(a.name ?? ''), handle: num(a.handle),
      type: typeof a.type === 'string' ? a.type : Number(a.type ?? 0), attributes: a,
    };
    if (a.data !== undefined) obj.data = a.data;
    if (a.use !== undefined) obj.use = Number(a.use);
    out.push(obj);
  }
  return out;
}

export async function listFlowtables(sock: NetlinkSocket, options: { family?: NfFamilyName; table?: string } = {}): Promise<NftFlowtable[]> {
  const out: NftFlowtable[] = [];
  for await (const { family: fam, attributes: a } of dumpObjects(sock, NFT_MSG.getflowtable, 'newflowtable', options.family, options.table ? { table: options.table } : undefined)) {
    const hook = a.hook as Obj | undefined;
    const devs = ((hook?.devs as Obj | undefined)?.name ?? []) as unknown;
    const ft: NftFlowtable = {
      family: nfFamilyName(fam), table: String(a.table ?? ''), name: String(a.name ?? ''), handle: num(a.handle),
      devices: (Array.isArray(devs) ? devs : [devs]).map(String), attributes: a,
    };
    // A flowtable hooks the devices' ingress whatever the table's family: netdev hook numbers.
    if (hook?.num !== undefined) ft.hook = hookName(5, Number(hook.num));
    if (hook?.priority !== undefined) ft.priority = Number(hook.priority) | 0;
    out.push(ft);
  }
  return out;
}

/** A decoded NFTA_DATA nest (value or verdict), as nft-values reads it. */
function nftData(v: unknown): NftData | undefined {
  return v && typeof v === 'object' ? dataFromObject(v as Obj) : undefined;
}

/**
 * The elements of one set (NFT_MSG_GETSETELEM). The kernel needs the family,
 * table and set to find it; the order is the kernel's (nft sorts on output).
 */
/** NFTA_SET_ELEM_FLAGS as its number (the schema gives flag names, or numbers for unnamed bits). */
function elementFlags(v: unknown): number {
  if (v === undefined) return 0;
  const e = family().enums.get('set-elem-flags');
  return Number(unnameValue(e, true, v, 'set element flags'));
}

export async function listSetElements(sock: NetlinkSocket, options: { family: NfFamilyName | number; table: string; set: string }): Promise<NftSetElement[]> {
  const out: NftSetElement[] = [];
  for await (const { attributes: a } of dumpObjects(sock, NFT_MSG.getsetelem, 'newsetelem', options.family, { table: options.table, set: options.set })) {
    const elems = ((a.elements as Obj | undefined)?.elem ?? []) as Obj[];
    for (const e of elems) {
      const el: NftSetElement = { flags: elementFlags(e.flags), attributes: e as Attributes };
      const comment = commentText(e.userdata);
      if (comment) el.comment = comment.text;
      const key = nftData(e.key);
      if (key) el.key = key;
      const keyEnd = nftData(e.keyEnd);
      if (keyEnd) el.keyEnd = keyEnd;
      const data = nftData(e.data);
      if (data) el.data = data;
      if (e.timeout !== undefined) el.timeout = Number(e.timeout);
      if (e.expiration !== undefined) el.expiration = Number(e.expiration);
      // One expression (NFTA_SET_ELEM_EXPR) or a list of them (_EXPRESSIONS).
      const exprs = [...(e.expr ? [e.expr] : []), ...(((e.expressions as Obj | undefined)?.elem ?? []) as unknown[])];
      if (exprs.length) el.expressions = exprs;
      out.push(el);
    }
  }
  return out;
}

/** One change of a batch: a message of the nftables spec by name, its family and attributes. */
export interface NftOperation {
  /** 'newtable', 'deltable', 'newchain', 'delchain', 'newrule', 'newset', ... */
  op: string;
  family: NfFamilyName | number;
  attributes: Obj;
  /** Extra nlmsg flags; 'new*' operations get NLM_F_CREATE by default. */
  flags?: number;
  /** 'new*' only: fail with EEXIST when the object exists (NLM_F_EXCL). */
  exclusive?: boolean;
}

export interface NftBatchResult {
  /** Per operation, in order: its ack, or the error the kernel gave it. */
  results: Array<Reply | NetlinkError>;
  /** Whether the transaction was committed (every operation succeeded). */
  committed: boolean;
}

/**
 * Sends the operations as one nfnetlink transaction. The kernel commits all
 * or none; `results` says which operation failed, with its extended ack.
 */
export async function nftBatch(sock: NetlinkSocket, operations: NftOperation[], options?: { timeout?: number; signal?: AbortSignal }): Promise<NftBatchResult> {
  if (operations.length === 0) throw new ArgumentError('an nftables batch needs at least one operation');
  const f = family();
  // The delimiters go without NLM_F_ACK: the kernel answers BATCH_END only
  // when the transaction commits, so an ack for it is never to be awaited.
  const specs: RequestSpec[] = [{ type: NFNL_MSG_BATCH_BEGIN, header: nfgenmsg(0, NFNL_SUBSYS_NFTABLES), ack: false }];
  for (const [i, op] of operations.entries()) {
    const msg = (NFT_MSG as Record<string, number>)[op.op];
    if (msg === undefined) throw new ArgumentError(`operation ${i}: unknown nftables message '${op.op}'`);
    const schema = f.message(op.op, 'request');
    const create = op.op.startsWith('new') ? NLM_F_CREATE | (op.exclusive ? NLM_F_EXCL : 0) : 0;
    const attributes = { ...op.attributes };
    if (op.op === 'newchain' && attributes.hook && typeof (attributes.hook as Obj).num === 'string') {
      attributes.hook = { ...(attributes.hook as Obj), num: hookNumber(nfFamilyNumber(op.family), (attributes.hook as Obj).num as string) };
    }
    specs.push({
      type: nfnlType(NFNL_SUBSYS_NFTABLES, msg),
      flags: (op.flags ?? 0) | create,
      header: nfgenmsg(nfFamilyNumber(op.family)),
      attributes: (b) => encodeAttributes(b, schema.set!, attributes),
    });
  }
  specs.push({ type: NFNL_MSG_BATCH_END, header: nfgenmsg(0, NFNL_SUBSYS_NFTABLES), ack: false });
  const all = await sock.requestBatch(specs, {
    ...(options?.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options?.signal ? { signal: options.signal } : {}),
  });
  const results = all.slice(1, -1);
  return { results, committed: all.every((r) => !(r instanceof NetlinkError)) };
}
