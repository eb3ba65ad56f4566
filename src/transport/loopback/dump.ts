// Multi-part dumps, resumable like the kernel's netlink_dump: each round
// fills one datagram (a "part") of up to the allocation size, and the next
// round runs only when the receiver has read and its queue is at most half
// its receive buffer. A large dump therefore never overruns the receiver.
//
//   request ─► round 1 ─► [NEWLINK NEWLINK ...]        (queued inside send)
//   receive ─► round 2 ─► [NEWLINK ...]                (queued as the reader drains)
//   receive ─► round 3 ─► [DONE err]                   (or DONE in the last part if it fits)

import type { MessageBuilder } from '../../codec/builder.js';
import { NLM_F_MULTI, NLM_F_DUMP_INTR } from '../../codec/constants.js';

/** What a dump produces; the dump calls `fill` once per part until it says it is finished. */
export interface DumpSource {
  /**
   * Adds messages to `part` (part.message returns false when one does not
   * fit: stop there and resume from it next time). Returns true (or a
   * positive number) while there is more, false (or 0) when finished, or a
   * negative errno to end the dump with that error in NLMSG_DONE.
   */
  fill(part: DumpPart): boolean | number;
  /**
   * The data's change counter, read at the start of every part (cb->seq):
   * when it differs from what the previous message saw, that message gets
   * NLM_F_DUMP_INTR.
   */
  generation?(): number;
  /** Called once when the dump ends, finished, failed or abandoned. */
  done?(): void;
  /** The smallest part buffer (cb->min_dump_alloc). */
  minAllocation?: number;
}

/** The dump state of one socket (the netlink_callback). */
export class DumpRun {
  /** > 0 while the source has more; then 0 or the negative errno for NLMSG_DONE. */
  doneErrno = 1;
  /** The generation the last part started with. */
  seq: number | undefined = undefined;
  /** The generation the last message was checked against. */
  prevSeq: number | undefined = undefined;
  /** NLMSGERR_ATTR_MSG for NLMSG_DONE. */
  message: string | undefined = undefined;
  finished = false;

  constructor(
    readonly source: DumpSource,
    /** nlmsg_seq of the request. */
    readonly requestSeq: number,
    /** The requester's port id. */
    readonly portId: number,
  ) {}

  /** nl_dump_check_consistent: whether the message about to be added is interrupted. */
  checkConsistent(): boolean {
    const interrupted = this.prevSeq !== undefined && this.seq !== this.prevSeq;
    this.prevSeq = this.seq;
    return interrupted;
  }

  /** Ends the run, telling the source once. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.source.done?.();
  }
}

/** One datagram of a dump being filled. */
export class DumpPart {
  private readonly buffer: Uint8Array;
  private used = 0;
  private messages = 0;
  /** A message was refused for lack of room. */
  rejected = false;

  constructor(
    private readonly builder: MessageBuilder,
    private readonly run: DumpRun,
    /** The part's buffer size in bytes. */
    readonly capacity: number,
  ) {
    this.buffer = new Uint8Array(capacity);
  }

  /** Bytes used so far. */
  get length(): number {
    return this.used;
  }

  /** Messages added so far. */
  get count(): number {
    return this.messages;
  }

  /** Bytes left. */
  get room(): number {
    return this.capacity - this.used;
  }

  /**
   * Adds a message of `type` with NLM_F_MULTI (and `flags`), the request's
   * seq and the requester's port id, whose payload `fill` writes. Returns
   * false, adding nothing, when it does not fit in this part.
   */
  message(type: number, fill?: (builder: MessageBuilder) => void, flags = 0): boolean {
    const b = this.builder.reset();
    // The consistency check runs before the message is known to fit, like the
    // kernel's, which checks each message it puts.
    const prevSeq = this.run.prevSeq;
    const interrupted = this.run.checkConsistent();
    b.begin(type, NLM_F_MULTI | flags | (interrupted ? NLM_F_DUMP_INTR : 0), this.run.requestSeq, this.run.portId);
    fill?.(b);
    const bytes = b.end().finish();
    if (bytes.length > this.room) {
      this.run.prevSeq = prevSeq;
      this.rejected = true;
      return false;
    }
    this.buffer.set(bytes, this.used);
    this.used += (bytes.length + 3) & ~3;
    this.messages++;
    return true;
  }

  /** Appends already-built bytes (NLMSG_DONE); false if they do not fit. */
  append(bytes: Uint8Array): boolean {
    if (bytes.length > this.room) return false;
    this.buffer.set(bytes, this.used);
    this.used += (bytes.length + 3) & ~3;
    this.messages++;
    return true;
  }

  /** Sets the message NLMSG_DONE will carry (with extAck) when the dump fails. */
  setErrorMessage(message: string): void {
    this.run.message = message;
  }

  /** The filled bytes (a copy). */
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.used);
  }
}
