// What `nlkit decode` knows about each message of a capture: its names (from
// a Catalog over the schema registry, generic netlink ids learned from the
// capture's controller messages), the request it answers, and on demand its
// full decode (header, attribute tree, error and extended ack) as plain,
// JSON-safe values. Cheap facts come first for every message (the filter and
// the summary need them); the full decode runs only for messages printed.

import {
  type Codec, DecodeError, errnoName, NLMSG_DONE, NLMSG_ERROR, NLMSG_MIN_TYPE, NLMSG_OVERRUN, NLM_F_REQUEST, NETLINK_GENERIC,
} from '../../codec/index.js';
import {
  decodeBatchMessage, decodeErrorReply, formatAttributes, formatStruct, plainValue, type MessageSchema,
} from '../../schema/index.js';
import { protocolName } from '../protocols.js';
import { announcedFamily, Catalog, CTRL_CMD_NEWFAMILY, GENL_ID_CTRL, type MessageInfo } from './catalog.js';
import { flagNames } from './flags.js';
import type { TraceMessage, TraceProblem } from './message-stream.js';
import { RequestPairer } from './pairing.js';

/** What the pairer keeps of a request: its number, and what an extended ack needs to name an attribute. */
interface OpenRequest {
  number: number;
  name: string;
  schema: MessageSchema | null;
  bytes: Uint8Array;
  replies: number;
}

/** The facts of the current message (one reused object). */
export interface MessageFacts {
  info: MessageInfo;
  /** Number of the request this message answers, 0 when none. */
  request: number;
  /** NLMSG_ERROR / NLMSG_DONE: the error code (0 = ack / complete); 0 otherwise. */
  errno: number;
  /** A broken header, or an error reply: what the `errors` filter selects. */
  failed: boolean;
}

/** An error as it appears in the output. */
export interface ErrorOut {
  error: string;
  message: string;
  offset: number;
}

export function errorOut(e: DecodeError): ErrorOut {
  return { error: e.name, message: e.message.replace(/ \(at byte \d+\)$/, ''), offset: e.offset };
}

/** One decoded message: the stable JSON Lines shape documented in docs/json-decode.md. */
export interface DecodedTraceMessage {
  kind: 'message';
  n: number;
  record: number;
  time: number | null;
  dir: 'in' | 'out';
  protocol: string;
  family: string;
  type: string;
  typeNumber: number;
  flags: string[];
  seq: number;
  pid: number;
  port: number;
  len: number;
  offset: number;
  request?: number;
  cmd?: number;
  header?: Record<string, unknown>;
  attributes?: Record<string, unknown>;
  errno?: number;
  errnoName?: string;
  echo?: { type: string; seq: number; pid: number };
  extack?: Record<string, unknown>;
  payload?: string;
  problem?: ErrorOut;
  note?: ErrorOut;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export class TraceMessageDecoder {
  readonly catalog: Catalog;
  readonly pairer = new RequestPairer<OpenRequest>();
  private readonly cache = new Map<number, MessageInfo>();
  readonly facts: MessageFacts;
  private pendingRequest: OpenRequest | null = null;
  /** Requests seen, and how many of them got any answer. */
  requests = 0;
  answered = 0;

  constructor(private readonly codec: Codec) {
    this.catalog = new Catalog(codec);
    this.facts = { info: null as unknown as MessageInfo, request: 0, errno: 0, failed: false };
  }

  private describe(protocol: number, type: number, flags: number, firstByte: number): MessageInfo {
    const key = ((protocol * 0x10000 + type) * 2 + (flags & NLM_F_REQUEST ? 1 : 0)) * 512 + (firstByte + 1);
    let info = this.cache.get(key);
    if (!info) {
      info = this.catalog.describe(protocol, type, flags, firstByte);
      this.cache.set(key, info);
    }
    return info;
  }

  /**
   * Names, pairs and learns from one message; every message of the capture
   * goes through here, in order, whether it is printed or not.
   */
  observe(m: TraceMessage): MessageFacts {
    const f = this.facts;
    const batch = m.batch;
    const i = m.index;
    const firstByte = m.length > 16 && m.error === null ? this.codec.memory.u8[batch.regionAddress + batch.offset(i) + 16]! : -1;
    const info = this.describe(m.protocol, m.type, m.flags, firstByte);
    f.info = info;
    f.errno = m.error === null && (m.type === NLMSG_ERROR || m.type === NLMSG_DONE) && m.length >= 20 ? batch.errorCode(i) : 0;
    f.failed = m.error !== null || f.errno < 0;
    f.request = 0;
    this.pendingRequest = null;
    if (m.error === null) {
      if (m.flags & NLM_F_REQUEST) {
        const open: OpenRequest = { number: m.number, name: info.name, schema: info.schema, bytes: batch.view(i).slice(), replies: 0 };
        this.requests++;
        this.pairer.observe(m.protocol, m.type, m.flags, m.seq, m.port, open);
      } else {
        const open = this.pairer.observe(m.protocol, m.type, m.flags, m.seq, m.port, null);
        if (open) {
          if (open.replies++ === 0) this.answered++;
          f.request = open.number;
          this.pendingRequest = open;
        }
      }
      if (m.protocol === NETLINK_GENERIC && m.type === GENL_ID_CTRL && firstByte === CTRL_CMD_NEWFAMILY) this.learn(m);
    }
    return f;
  }

  private learn(m: TraceMessage): void {
    try {
      const list = m.batch.attributes(m.index, 4);
      if (list.firstError()) return;
      const announced = announcedFamily(list);
      if (announced && this.catalog.bindGenl(announced.id, announced.name)) this.cache.clear(); // that id's names change from here on
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
  }

  /** True when the attributes of the message just observed do not walk cleanly. */
  attributesBroken(m: TraceMessage): boolean {
    const info = this.facts.info;
    if (m.error !== null || m.type < NLMSG_MIN_TYPE || info.headerLength === null) return false;
    const set = info.schema?.set;
    try {
      const list = m.batch.attributes(m.index, info.headerLength, set ? { nestMap: set.family.nestMap, rootSet: set.index } : undefined);
      return list.firstError() !== null;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return true;
    }
  }

  /** The full decode of the message just observed. */
  decode(m: TraceMessage): DecodedTraceMessage {
    const f = this.facts;
    const info = f.info;
    const out: DecodedTraceMessage = {
      kind: 'message', n: m.number, record: m.record, time: Number.isNaN(m.timeMs) ? null : Math.round(m.timeMs * 1000) / 1e6,
      dir: m.direction, protocol: protocolName(m.protocol), family: info.family, type: info.name, typeNumber: m.type,
      flags: flagNames(m.flags, info.flagContext), seq: m.seq, pid: m.pid, port: m.port, len: m.length, offset: m.fileOffset,
    };
    if (f.request) out.request = f.request;
    if (m.note) out.note = errorOut(m.note);
    if (m.error) {
      out.problem = errorOut(m.error);
      return out;
    }
    try {
      if (m.type === NLMSG_ERROR) this.errorReply(m, out);
      else if (m.type === NLMSG_DONE) {
        if (m.length >= 20) {
          out.errno = f.errno;
          out.errnoName = f.errno === 0 ? 'OK' : errnoName(f.errno);
        }
      } else if (m.type >= NLMSG_MIN_TYPE && info.schema) this.typed(m, info.schema, out);
      else if (m.type !== NLMSG_OVERRUN && m.length > 16) {
        const view = m.batch.view(m.index);
        let at = 16;
        if (m.protocol === NETLINK_GENERIC && m.type >= NLMSG_MIN_TYPE) {
          out.cmd = view[16]!;
          at = 20;
        }
        if (view.length > at) out.payload = hex(view.subarray(at));
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      out.problem = errorOut(m.relocate(e));
    }
    return out;
  }

  private typed(m: TraceMessage, schema: MessageSchema, out: DecodedTraceMessage): void {
    const d = decodeBatchMessage(m.batch, m.index, schema, { enums: 'names' }, this.codec);
    if (d.cmd !== undefined) out.cmd = d.cmd;
    if (d.header && schema.header) out.header = formatStruct(schema.header, d.header);
    out.attributes = schema.set ? formatAttributes(schema.set, d.attributes) : (plainValue(d.attributes) as Record<string, unknown>);
  }

  private errorReply(m: TraceMessage, out: DecodedTraceMessage): void {
    const request = this.pendingRequest;
    const withRequest = request?.schema ? { schema: request.schema, bytes: request.bytes } : undefined;
    const reply = decodeErrorReply(m.batch, m.index, withRequest, undefined, this.codec);
    out.errno = reply.error;
    out.errnoName = reply.error === 0 ? 'OK' : errnoName(reply.error);
    const echoed = this.describe(m.protocol, reply.request.type, reply.request.flags, -1);
    out.echo = { type: request && request.number && reply.request.type >= NLMSG_MIN_TYPE ? request.name : echoed.name, seq: reply.request.seq, pid: reply.request.pid };
    const x = reply.extack;
    if (x) {
      const extack: Record<string, unknown> = {};
      if (x.message !== undefined) extack.message = x.message;
      if (x.offset !== undefined) extack.offset = x.offset;
      if (x.attributePath) extack.attributePath = x.attributePath;
      if (x.cookie) extack.cookie = hex(x.cookie);
      if (x.policy) extack.policy = plainValue(x.policy);
      if (x.missingType !== undefined) extack.missingType = x.missingType;
      if (x.missingNest !== undefined) extack.missingNest = x.missingNest;
      out.extack = extack;
    }
  }

  /** A problem record in the output shape. */
  static problem(p: TraceProblem): Record<string, unknown> {
    return {
      kind: 'problem', record: p.record, time: Number.isNaN(p.timeMs) ? null : Math.round(p.timeMs * 1000) / 1e6,
      protocol: p.protocol < 0 ? null : protocolName(p.protocol), ...errorOut(p.error),
    };
  }
}
