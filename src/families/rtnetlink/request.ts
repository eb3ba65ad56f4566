// What every rtnetlink operation shares: the request flags of each verb, a
// request built from the schema (fixed header struct + attributes), extended
// ack paths named through the schema, and dumps decoded in place from the
// socket's received batches.

import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_APPEND } from '../../codec/constants.js';
import type { Batch } from '../../codec/batch.js';
import {
  encodeAttributes, encodeStruct, keyOf, type AttributeSchema, type AttributeSetSchema, type MessageSchema,
} from '../../schema/index.js';
import type { NetlinkSocket, RequestOptions, DumpOptions, Reply } from '../../socket/socket.js';

/** nlmsg_flags of the verbs (NLM_F_REQUEST and NLM_F_ACK are the socket's). */
export const VERB_FLAGS = {
  /** Create; fail with EEXIST if it exists. */
  add: NLM_F_CREATE | NLM_F_EXCL,
  /** Create or overwrite. */
  replace: NLM_F_CREATE | NLM_F_REPLACE,
  /** Create, or add another one next to an existing one (routes: a further nexthop / ECMP). */
  append: NLM_F_CREATE | NLM_F_APPEND,
  /** Change an existing one only. */
  change: 0,
} as const;

export type Verb = keyof typeof VERB_FLAGS;

/** Options of the typed operations: the socket's request options. */
export type OperationOptions = Omit<RequestOptions, 'describePath'>;
export type ListOptions = Omit<DumpOptions, 'describePath'>;

/**
 * Names an attribute-type path of a request through its schema: nests go
 * into their set; a sub-message takes its format from the selector's value in
 * the request object (e.g. IFLA_INFO_KIND 'vlan' for IFLA_INFO_DATA).
 */
export function describeTypes(set: AttributeSetSchema, attributes: Record<string, unknown>, types: number[]): string[] {
  const names: string[] = [];
  let current: AttributeSetSchema | undefined = set;
  const objects: Array<Record<string, unknown> | undefined> = [attributes];
  for (const type of types) {
    const a: AttributeSchema | undefined = current?.byValue.get(type);
    if (!a) {
      names.push(String(type));
      current = undefined;
      continue;
    }
    names.push(a.cName);
    const here = objects[objects.length - 1];
    const value = here?.[a.key];
    const child = value && typeof value === 'object' && !(value instanceof Uint8Array) ? value as Record<string, unknown> : undefined;
    if (a.type === 'nest') current = a.nest;
    else if (a.type === 'sub-message' && a.subMessage) {
      let selector: unknown;
      const key = keyOf(a.selector!);
      for (let k = objects.length - 1; k >= 0 && selector === undefined; k--) selector = objects[k]?.[key];
      current = typeof selector === 'string' ? a.subMessage.formats.get(selector)?.set : undefined;
    } else current = undefined;
    objects.push(child);
  }
  return names;
}

/** Sends one message of `schema` with the header and attributes given. */
export function rtRequest(
  sock: NetlinkSocket, schema: MessageSchema, header: Record<string, unknown>, attributes: Record<string, unknown>,
  flags: number, options?: OperationOptions,
): Promise<Reply> {
  const set = schema.set!;
  // Encode the header first: a bad value is an ArgumentError before anything is sent.
  const headerBytes = encodeStruct(schema.header!, header, `${schema.name}.header`);
  return sock.request({
    type: schema.value,
    flags,
    header: headerBytes,
    attributes: (b) => encodeAttributes(b, set, attributes),
  }, { ...options, describePath: (types) => describeTypes(set, attributes, types) });
}

/**
 * Runs a dump and yields `decode(batch, i)` for each message of `type`,
 * straight from the received batches (each valid only while it is decoded).
 */
export async function* rtDump<T>(
  sock: NetlinkSocket, type: number, header: Uint8Array, replyType: number,
  decode: (batch: Batch, i: number) => T | undefined, options?: ListOptions, attributes?: RequestAttributes,
): AsyncGenerator<T, void, undefined> {
  const spec = attributes ? { type, header, attributes } : { type, header };
  for await (const part of sock.dumpBatches(spec, options)) {
    const batch = part.batch;
    for (let k = 0; k < part.count; k++) {
      const i = part.indices[k]!;
      if (batch.type(i) !== replyType) continue;
      const value = decode(batch, i);
      if (value !== undefined) yield value;
    }
  }
}

type RequestAttributes = Parameters<NetlinkSocket['request']>[0] extends infer S ? S extends { attributes?: infer A } ? A : never : never;

