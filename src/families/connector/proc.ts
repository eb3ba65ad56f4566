// Process events (linux/cn_proc.h) on the kernel connector: subscribing,
// decoding through the connector spec, and spotting lost events.
//
//   cn_msg.data = struct proc_event
//   ┌──────┬──────┬──────────────┬───────────────────────────────────────┐
//   │ what │ cpu  │ timestamp_ns │ event_data (union chosen by `what`)   │
//   └──────┴──────┴──────────────┴───────────────────────────────────────┘
//    0      4      8              16
//
// Reliability: the connector multicasts with GFP_NOWAIT-style allocations, so
// under memory pressure or with a full receive buffer events are dropped.
// A full buffer shows as ENOBUFS on the socket; every other loss shows as a
// gap in cn_msg.seq, which the kernel counts per CPU (proc_event_counts).

import { NLMSG_HDRLEN, loadCodec, type Batch, type Codec } from '../../codec/index.js';
import { MalformedError } from '../../codec/errors.js';
import { decodeString } from '../../codec/text.js';
import { formatBytes } from '../../schema/format.js';
import { compileFamily, type Family, type MessageSchema, type StructSchema } from '../../schema/compile.js';
import { decodeBatchMessage } from '../../schema/decode.js';
import { connector as connectorSpec } from '../generated/connector.js';
import { CN_IDX_PROC, CN_MSG_BYTES, readCnMsg } from './cn-msg.js';

export type ProcEventKind =
  | 'none' | 'fork' | 'exec' | 'uid' | 'gid' | 'sid' | 'ptrace' | 'comm' | 'nonzero-exit' | 'coredump' | 'exit';

/** A decoded process event: the proc_event head, the cn_msg seq and the union's members (camelCase, as the spec names them). */
export interface ProcEvent {
  what: ProcEventKind | number;
  cpu: number;
  timestampNs: bigint;
  /** cn_msg.seq: per-CPU event counter. */
  seq: number;
  /** Members of the event's struct: processPid, processTgid, parentTgid, childTgid, exitCode, comm, ... */
  [member: string]: unknown;
}

let family: Family | null = null;
let replySchema: MessageSchema | null = null;

/** The compiled connector family (spec data from src/families/generated/connector.ts). */
export function connectorFamily(): Family {
  family ??= compileFamily(connectorSpec);
  return family;
}

function reply(): MessageSchema {
  replySchema ??= connectorFamily().messagesByValue(3, 'reply')[0]!;
  return replySchema;
}

/**
 * Decodes message i of a batch from a NETLINK_CONNECTOR socket as a process
 * event. Returns null for other connector users (idx != CN_IDX_PROC);
 * throws TruncatedError / MalformedError when the bytes do not hold one.
 */
export function decodeProcEvent(batch: Batch, i: number, codec: Codec = loadCodec()): ProcEvent | null {
  batch.check(i);
  const offset = batch.offset(i);
  const cn = readCnMsg(codec.memory.view, batch.regionAddress + offset + NLMSG_HDRLEN, batch.length(i), offset);
  if (cn.idx !== CN_IDX_PROC) return null;
  const head = connectorFamily().struct('proc-event');
  if (cn.len < head.size) throw new MalformedError(`process event of ${cn.len} bytes is shorter than struct proc_event's head (${head.size})`, offset + NLMSG_HDRLEN + CN_MSG_BYTES);
  const decoded = decodeBatchMessage(batch, i, reply(), undefined, codec);
  const data = decoded.header!.data as Record<string, unknown>;
  const event: ProcEvent = { what: data.what as ProcEventKind, cpu: data.cpu as number, timestampNs: BigInt(data.timestampNs as number | bigint), seq: cn.seq };
  const members = data.eventData;
  if (members && typeof members === 'object' && !(members instanceof Uint8Array)) {
    for (const [k, v] of Object.entries(members)) if (k !== '$tail') event[k] = v;
  } else if (members instanceof Uint8Array) {
    event.data = members;
  }
  return event;
}

/** Offsets of the members the fast reader needs, taken from the spec's structs. */
interface Layout {
  what: number;
  cpu: number;
  data: number;
  forkParentTgid: number;
  forkChildTgid: number;
  exitTgid: number;
  exitParentTgid: number;
  exitCode: number;
  tgid: number;
}

function memberOffset(struct: StructSchema, name: string): number {
  const m = struct.members.find((x) => x.name === name);
  if (!m) throw new Error(`connector spec: ${struct.name} has no member ${name}`);
  return m.offset;
}

let layout: Layout | null = null;
function layoutOf(): Layout {
  if (layout) return layout;
  const f = connectorFamily();
  const event = f.struct('proc-event');
  const fork = f.struct('proc-fork');
  const exit = f.struct('proc-exit');
  layout = {
    what: memberOffset(event, 'what'),
    cpu: memberOffset(event, 'cpu'),
    data: memberOffset(event, 'event-data'),
    forkParentTgid: memberOffset(fork, 'parent-tgid'),
    forkChildTgid: memberOffset(fork, 'child-tgid'),
    exitTgid: memberOffset(exit, 'process-tgid'),
    exitParentTgid: memberOffset(exit, 'parent-tgid'),
    exitCode: memberOffset(exit, 'exit-code'),
    // Every other event's struct starts with process-pid, process-tgid.
    tgid: memberOffset(f.struct('proc-exec'), 'process-tgid'),
  };
  return layout;
}

export const PROC_EVENT_FORK = 0x1;
export const PROC_EVENT_EXEC = 0x2;
export const PROC_EVENT_EXIT = 0x80000000;

/**
 * Reads process events in place, allocating nothing: for ingestion at storm
 * rates, where only a few fields of each event matter. Offsets come from the
 * connector spec. Call `at(batch, i)` first; it returns false when message i
 * is not a whole process event.
 */
export class ProcEventReader {
  private readonly layout = layoutOf();
  private readonly minLength = NLMSG_HDRLEN + CN_MSG_BYTES + this.layout.data;
  private base = 0;
  private view: DataView;

  constructor(private readonly codec: Codec = loadCodec()) {
    this.view = codec.memory.view;
  }

  at(batch: Batch, i: number): boolean {
    if (batch.status(i) !== 0 || batch.length(i) < this.minLength) return false;
    this.view = this.codec.memory.view;
    const start = batch.regionAddress + batch.offset(i);
    if (this.view.getUint32(start + NLMSG_HDRLEN, true) !== CN_IDX_PROC) return false;
    this.base = start + NLMSG_HDRLEN + CN_MSG_BYTES;
    return true;
  }

  get seq(): number { return this.view.getUint32(this.base - CN_MSG_BYTES + 8, true); }
  get what(): number { return this.view.getUint32(this.base + this.layout.what, true); }
  get cpu(): number { return this.view.getUint32(this.base + this.layout.cpu, true); }
  /** The process the event is about: the child for fork, else process_tgid. */
  get tgid(): number {
    const what = this.what;
    const d = this.base + this.layout.data;
    if (what === PROC_EVENT_FORK) return this.view.getInt32(d + this.layout.forkChildTgid, true);
    if (what === PROC_EVENT_EXIT) return this.view.getInt32(d + this.layout.exitTgid, true);
    return this.view.getInt32(d + this.layout.tgid, true);
  }
  /** The parent's tgid for fork and exit events, else -1. */
  get parentTgid(): number {
    const what = this.what;
    const d = this.base + this.layout.data;
    if (what === PROC_EVENT_FORK) return this.view.getInt32(d + this.layout.forkParentTgid, true);
    if (what === PROC_EVENT_EXIT) return this.view.getInt32(d + this.layout.exitParentTgid, true);
    return -1;
  }
}

/**
 * Counts events missing from the per-CPU cn_msg.seq runs. The first event
 * seen on a CPU only sets where that CPU's run starts.
 */
export class ProcSequenceTracker {
  private readonly next = new Map<number, number>();
  /** Events known lost so far. */
  missing = 0;

  /** Notes an event; returns how many were lost just before it on its CPU. */
  observe(cpu: number, seq: number): number {
    const expected = this.next.get(cpu);
    this.next.set(cpu, (seq + 1) >>> 0);
    if (expected === undefined || seq === expected) return 0;
    const gap = (seq - expected) >>> 0;
    // A seq from the past (wrapped or reordered) is not counted as loss.
    if (gap > 0x7fffffff) return 0;
    this.missing += gap;
    return gap;
  }
}

/** One member of an event's union struct, as the plan reads it. */
interface PlannedMember {
  key: string;
  offset: number;
  type: string;
  size: number;
}

/**
 * Decodes process events straight to JSON-safe records, from plans compiled
 * once out of the connector spec (the union's struct per `what`): the same
 * names and values as decodeProcEvent, without the generic decoder's
 * intermediate objects. For pipelines at storm rates.
 */
export class ProcEventDecoder {
  private readonly plans = new Map<number, { name: string; members: PlannedMember[]; size: number }>();
  private readonly layout = layoutOf();
  private readonly minLength = NLMSG_HDRLEN + CN_MSG_BYTES + this.layout.data;

  constructor(private readonly codec: Codec = loadCodec()) {
    const f = connectorFamily();
    const whatEnum = f.struct('proc-event').members.find((m) => m.name === 'what')!.enum!;
    const union = f.subMessages.get('proc-event-data')!;
    for (const [name, format] of union.formats) {
      const value = whatEnum.byName.get(name);
      if (value === undefined || !format.header) continue;
      this.plans.set(Number(value), {
        name,
        size: format.header.size,
        members: format.header.members.map((m) => ({ key: m.key, offset: m.offset, type: m.type, size: m.size })),
      });
    }
  }

  /**
   * Message i as { name, seq, cpu, record }, or null when it is not a process
   * event (another connector user). Throws TruncatedError / MalformedError
   * for bytes that do not hold what they claim.
   */
  decode(batch: Batch, i: number): { name: string; seq: number; cpu: number; record: Record<string, unknown> } | null {
    batch.check(i);
    const view = this.codec.memory.view;
    const offset = batch.offset(i);
    const start = batch.regionAddress + offset;
    const length = batch.length(i);
    const cn = readCnMsg(view, start + NLMSG_HDRLEN, length, offset);
    if (cn.idx !== CN_IDX_PROC) return null;
    const base = start + NLMSG_HDRLEN + CN_MSG_BYTES;
    if (length < this.minLength || cn.len < this.layout.data) {
      throw new MalformedError(`process event of ${cn.len} bytes is shorter than struct proc_event's head (${this.layout.data})`, offset + NLMSG_HDRLEN + CN_MSG_BYTES);
    }
    const what = view.getUint32(base + this.layout.what, true);
    const cpu = view.getUint32(base + this.layout.cpu, true);
    const record: Record<string, unknown> = { cpu, timestampNs: view.getBigUint64(base + 8, true).toString(), seq: cn.seq };
    const plan = this.plans.get(what);
    const data = base + this.layout.data;
    const available = cn.len - this.layout.data;
    if (!plan) {
      record.data = formatBytes(this.codec.memory.u8.subarray(data, data + available));
      return { name: String(what), seq: cn.seq, cpu, record };
    }
    for (const m of plan.members) {
      // Older kernels send shorter unions: only whole members are read.
      if (m.offset + m.size > available) break;
      const at = data + m.offset;
      switch (m.type) {
        case 's32': record[m.key] = view.getInt32(at, true); break;
        case 'u32': record[m.key] = view.getUint32(at, true); break;
        case 'string': record[m.key] = decodeString(this.codec.memory.u8, at, at + m.size); break;
        default: throw new Error(`connector spec: member ${m.key} of type ${m.type} has no reader`);
      }
    }
    return { name: plan.name, seq: cn.seq, cpu, record };
  }
}

