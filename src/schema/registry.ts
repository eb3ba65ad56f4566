// The schema registry: from what a trace decoder or a socket sees (netlink
// protocol number, nlmsg_type, flags, and for genetlink the family id bound
// to a name) to the message schema, and from there to names and decoding.
//
//   protocol 0  (route)     type 16          → rt-link 'newlink'
//   protocol 12 (netfilter) type 0x100       → conntrack 'new'
//   protocol 16 (generic)   type = family id → genetlink family by name, cmd → message
//   any protocol            type 2 (ERROR)   → nlmsgerr 'error'
//
// Direction: a message with NLM_F_REQUEST set goes to the kernel; any other
// comes from it.

import {
  loadCodec, NLM_F_REQUEST, NLMSG_ERROR, NLMSG_HDRLEN, NETLINK_GENERIC, ArgumentError,
  type Batch, type Codec, type Scanner,
} from '../codec/index.js';
import { compileFamily, type Family, type MessageSchema } from './compile.js';
import type { MessageDirection, FamilySpec } from './types.js';
import { decodeBatchMessage, firstHeaderMember, type DecodeOptions, type DecodedMessage } from './decode.js';

/** What decode returns for a message no schema describes: its header and payload. */
export interface RawMessage {
  family: null;
  message: string | null;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Uint8Array;
}

export class SchemaRegistry {
  /** protonum → raw families on it. */
  private readonly raw = new Map<number, Family[]>();
  private readonly genl = new Map<string, Family>();
  /** genetlink family id → family name, as resolved on a socket. */
  private readonly genlIds = new Map<number, string>();
  private readonly byName = new Map<string, Family>();
  private errorFamily: Family | null = null;
  private scanner: Scanner | null = null;

  constructor(specs: readonly FamilySpec[] = [], private readonly codec: Codec = loadCodec()) {
    for (const spec of specs) this.add(spec);
  }

  add(spec: FamilySpec): Family {
    const family = compileFamily(spec);
    this.byName.set(family.name, family);
    if (family.name === 'nlmsgerr') {
      this.errorFamily = family;
    } else if (family.genetlink) {
      this.genl.set(family.name, family);
      if (spec.fixedId !== undefined) this.genlIds.set(spec.fixedId, family.name);
    } else {
      const list = this.raw.get(family.protonum) ?? [];
      list.push(family);
      this.raw.set(family.protonum, list);
    }
    return family;
  }

  /** A family by its spec name ('rt-link', 'ethtool', 'conntrack'). */
  family(name: string): Family {
    const f = this.byName.get(name);
    if (!f) throw new ArgumentError(`no schema for family ${name}`);
    return f;
  }

  get families(): readonly Family[] {
    return [...this.byName.values()];
  }

  /** Records the id the kernel gave a genetlink family (from CTRL_CMD_GETFAMILY). */
  bindGenlFamily(id: number, name: string): void {
    this.genlIds.set(id, name);
  }

  /** The genetlink family bound to `id`, if any. */
  genlFamily(id: number): Family | undefined {
    const name = this.genlIds.get(id);
    return name === undefined ? undefined : this.genl.get(name);
  }

  /**
   * The message schemas a (protocol, type, direction) can be: several only
   * where a header member decides (see `match`). For genetlink pass the cmd.
   */
  candidates(protocol: number, type: number, dir: MessageDirection, cmd?: number): readonly MessageSchema[] {
    if (type === NLMSG_ERROR && this.errorFamily) return this.errorFamily.messagesByValue(NLMSG_ERROR, 'reply');
    if (protocol === NETLINK_GENERIC) {
      const family = this.genlFamily(type);
      if (!family || cmd === undefined) return [];
      const exact = family.messagesByValue(cmd, dir);
      // Notifications often reuse a request's number.
      return exact.length ? exact : family.messagesByValue(cmd, dir === 'reply' ? 'request' : 'reply');
    }
    const families = this.raw.get(protocol) ?? [];
    // Exact direction in any family first, so that one family's fallback
    // never shadows another's exact match.
    for (const family of families) {
      const found = family.messagesByValue(type, dir);
      if (found.length) return found;
    }
    for (const family of families) {
      const found = family.messagesByValue(type, dir === 'reply' ? 'request' : 'reply');
      if (found.length) return found;
    }
    return [];
  }

  /** The schema of message i of a batch read from a socket of `protocol`. */
  lookup(batch: Batch, i: number, protocol: number): MessageSchema | undefined {
    const type = batch.type(i);
    const dir: MessageDirection = batch.flags(i) & NLM_F_REQUEST ? 'request' : 'reply';
    let cmd: number | undefined;
    if (protocol === NETLINK_GENERIC && type !== NLMSG_ERROR && batch.length(i) > NLMSG_HDRLEN) {
      cmd = batch.view(i)[NLMSG_HDRLEN];
    }
    const list = this.candidates(protocol, type, dir, cmd);
    if (list.length <= 1) return list[0];
    for (const m of list) {
      if (!m.match) return m;
      const first = firstHeaderMember(batch, i, m, this.codec);
      if (first !== undefined && m.match.includes(first)) return m;
    }
    return undefined;
  }

  /** Names of a message: family, message name and C constant, when a schema knows it. */
  names(protocol: number, type: number, dir: MessageDirection = 'reply', cmd?: number): { family: string; message: string; cName: string } | undefined {
    const m = this.candidates(protocol, type, dir, cmd)[0];
    return m && { family: m.family.name, message: m.name, cName: m.cName };
  }

  /** Decodes message i of a batch: typed when a schema describes it, raw otherwise. */
  decode(batch: Batch, i: number, protocol: number, options?: DecodeOptions): DecodedMessage | RawMessage {
    batch.check(i);
    const schema = this.lookup(batch, i, protocol);
    if (schema) return decodeBatchMessage(batch, i, schema, options, this.codec);
    return {
      family: null, message: CONTROL[batch.type(i)] ?? null, type: batch.type(i), flags: batch.flags(i), seq: batch.seq(i), pid: batch.pid(i),
      payload: batch.view(i).slice(NLMSG_HDRLEN),
    };
  }

  /** Scans `bytes` (one datagram) with the registry's own scanner and decodes every message. */
  decodeBytes(bytes: Uint8Array, protocol: number, options?: DecodeOptions): Array<DecodedMessage | RawMessage> {
    this.scanner ??= this.codec.scanner();
    const batch = this.scanner.scanBytes(bytes);
    const out: Array<DecodedMessage | RawMessage> = [];
    for (let i = 0; i < batch.count; i++) out.push(this.decode(batch, i, protocol, options));
    return out;
  }
}

/** Control messages every protocol shares, named when no schema claims them. */
const CONTROL: Record<number, string> = { 1: 'noop', 2: 'error', 3: 'done', 4: 'overrun' };
