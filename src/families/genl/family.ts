// Any generic netlink family with a spec, by name: the id and groups are
// resolved through nlctrl (GenlResolver), operations and attributes come from
// the family's schema.
//
//   const ethtool = await genlFamily(sock, 'ethtool');
//   const info = await ethtool.do('linkinfo-get', { header: { devName: 'veth0' } });
//   for await (const link of ethtool.dump('linkinfo-get', { header: {} })) ...
//   for await (const ev of ethtool.events(['monitor'])) ...

import { ArgumentError } from '../../codec/errors.js';
import { NLM_F_DUMP } from '../../codec/constants.js';
import type { NetlinkSocket, RequestSpec } from '../../socket/socket.js';
import { GenlResolver, genlHeader, type GenlFamily } from '../../socket/genl.js';
import type { Message } from '../../socket/received.js';
import type { SocketEvent } from '../../socket/events.js';
import { defaultRegistry } from '../../schema/default-registry.js';
import { decodeBatchMessage, type DecodedMessage, type DecodeOptions } from '../../schema/decode.js';
import { encodeAttributes } from '../../schema/encode.js';
import type { Family, MessageSchema } from '../../schema/compile.js';
import type { SchemaRegistry } from '../../schema/registry.js';
import { scratch } from '../../socket/scratch.js';

export type GenlEvent = { kind: 'message'; message: DecodedMessage; raw: Message } | Exclude<SocketEvent, { kind: 'message' }>;

const resolvers = new WeakMap<NetlinkSocket, GenlResolver>();

/** The socket's family resolver (one per socket, so its cache is shared). */
export function resolverOf(sock: NetlinkSocket): GenlResolver {
  let r = resolvers.get(sock);
  if (!r) {
    r = new GenlResolver(sock);
    resolvers.set(sock, r);
  }
  return r;
}

export class GenericFamily {
  constructor(
    readonly socket: NetlinkSocket,
    /** What the kernel says about the family (id, version, groups). */
    readonly kernel: GenlFamily,
    /** The family's schema. */
    readonly schema: Family,
    private readonly decodeOptions?: DecodeOptions,
  ) {}

  get id(): number {
    return this.kernel.id;
  }

  /** Operation names of the spec ('linkinfo-get', ...). */
  get operations(): string[] {
    return [...new Set(this.schema.messages.filter((m) => m.dir === 'request').map((m) => m.op))];
  }

  private request(op: string): MessageSchema {
    const m = this.schema.messages.find((x) => x.op === op && x.dir === 'request');
    if (!m) throw new ArgumentError(`family ${this.schema.name} has no operation '${op}' (known: ${this.operations.join(', ')})`);
    return m;
  }

  private spec(op: string, attributes: Record<string, unknown>, flags = 0): RequestSpec {
    const m = this.request(op);
    if (!m.set && Object.keys(attributes).length > 0) throw new ArgumentError(`operation ${op} takes no attributes`);
    return {
      type: this.kernel.id, flags, header: genlHeader(m.value, this.schema.version),
      ...(m.set ? { attributes: (b) => encodeAttributes(b, m.set!, attributes) } : {}),
    };
  }

  /** Decodes a copied message of this family by its cmd (reply direction). */
  decode(message: Message): DecodedMessage {
    const cmd = message.bytes[16] ?? 0;
    const candidates = this.schema.messagesByValue(cmd, 'reply');
    const schema = candidates[0] ?? this.schema.messagesByValue(cmd, 'request')[0];
    if (!schema) throw new ArgumentError(`family ${this.schema.name} has no message with cmd ${cmd}`);
    return decodeBatchMessage(scratch(this.socket.codec).scanBytes(message.bytes), 0, schema, this.decodeOptions, this.socket.codec);
  }

  private replySchema(op: string, cmd: number): MessageSchema | undefined {
    return this.schema.messages.find((x) => x.op === op && x.dir === 'reply') ?? this.schema.messagesByValue(cmd, 'reply')[0];
  }

  /** Runs a 'do' operation; resolves with its decoded replies (often one, none for a plain ack). */
  async do(op: string, attributes: Record<string, unknown> = {}): Promise<DecodedMessage[]> {
    const reply = await this.socket.request(this.spec(op, attributes));
    return reply.messages.map((m) => this.decode(m));
  }

  /** Runs a dump, decoding each reply in place from the received batches. */
  async *dump(op: string, attributes: Record<string, unknown> = {}): AsyncGenerator<DecodedMessage, void, undefined> {
    const spec = this.spec(op, attributes, NLM_F_DUMP);
    let schema: MessageSchema | undefined;
    for await (const part of this.socket.dumpBatches(spec)) {
      for (let k = 0; k < part.count; k++) {
        const i = part.indices[k]!;
        schema ??= this.replySchema(op, part.batch.view(i)[16] ?? 0);
        if (!schema) throw new ArgumentError(`family ${this.schema.name} has no reply for operation ${op}`);
        yield decodeBatchMessage(part.batch, i, schema, this.decodeOptions, this.socket.codec);
      }
    }
  }

  /** Joins multicast groups by name (as the kernel names them) and yields their messages decoded. */
  async *events(groups: string[], options: { queue?: number; onOverrun?: 'continue' | 'fail' } = {}): AsyncGenerator<GenlEvent, void, undefined> {
    const ids = groups.map((g) => {
      const id = this.kernel.groups.get(g);
      if (id === undefined) throw new ArgumentError(`family ${this.kernel.name} has no multicast group '${g}' (known: ${[...this.kernel.groups.keys()].join(', ') || 'none'})`);
      return id;
    });
    this.socket.subscribe(ids);
    try {
      for await (const ev of this.socket.events({ groups: ids, unicast: false, ...options })) {
        if (ev.kind !== 'message') yield ev;
        else if (ev.message.type === this.kernel.id) yield { kind: 'message', message: this.decode(ev.message), raw: ev.message };
      }
    } finally {
      if (!this.socket.closed) this.socket.unsubscribe(ids);
    }
  }
}

/**
 * The generic netlink family `name` on a NETLINK_GENERIC socket: resolved
 * through nlctrl (NetlinkError ENOENT when the kernel lacks it) and typed by
 * its spec (ArgumentError when nlkit has none).
 */
export async function genlFamily(sock: NetlinkSocket, name: string, options: { registry?: SchemaRegistry; decode?: DecodeOptions } = {}): Promise<GenericFamily> {
  const registry = options.registry ?? defaultRegistry();
  const schema = registry.family(name);
  if (!schema.genetlink) throw new ArgumentError(`${name} is not a generic netlink family`);
  const kernel = await resolverOf(sock).resolve(name);
  registry.bindGenlFamily(kernel.id, name);
  return new GenericFamily(sock, kernel, schema, options.decode);
}
