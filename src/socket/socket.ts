// NetlinkSocket: the engine between a Transport and the API. It assigns
// sequence numbers, correlates replies, runs dumps and event streams, and
// turns NLMSG_ERROR into NetlinkError with the decoded extended ack.
//
// One pump reads the transport while anyone is waiting: each receive fills a
// pooled Scanner's region with up to `slots` datagrams, one WASM call indexes
// them, and dispatch hands every message to its consumer:
//
//   transport ─► slot (scanner + meta) ─► dispatch ─┬─► request  (copies its few replies)
//                                                   ├─► dump     (keeps the slot until it moves on)
//                                                   └─► events   (copies into a bounded queue)
//
// A dump holds its slot zero-copy until its consumer asks for more; the pump
// then uses another slot, so slow consumers cost memory, never correctness.

import {
  NLMSG_ERROR, NLMSG_DONE, NLMSG_NOOP, NLMSG_OVERRUN, NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP, NLM_F_MULTI,
  NLM_F_DUMP_INTR, NLMSG_HDRLEN, STATUS_OK, NETLINK_USERSOCK,
} from '../codec/constants.js';
import { loadCodec, type Codec } from '../codec/codec.js';
import type { Scanner, Batch } from '../codec/batch.js';
import type { MessageBuilder } from '../codec/builder.js';
import { ArgumentError, NetlinkError, NlkitError, type ExtendedAck } from '../codec/errors.js';
import {
  RECV_META_STRIDE, RECV_META_FLAGS, RECV_META_PORT, RECV_META_GROUPS, RECV_META_GROUP, RECV_FLAG_GROUP, type Transport,
} from '../transport/transport.js';
import { attributePathAt } from './extack.js';
import { decodeErrorMessage } from '../codec/nlmsgerr.js';
import { scratch } from './scratch.js';
import { Message, originOf, truncatedSize, type ReceivedBatch, type Origin } from './received.js';
import { EventStream, type EventStreamOptions, type SocketEvent } from './events.js';

/** A request described by its parts; the socket assigns seq and sets NLM_F_REQUEST. */
export interface RequestSpec {
  type: number;
  /** Flags besides NLM_F_REQUEST (and NLM_F_ACK, which `ack` controls). */
  flags?: number;
  /** The fixed family header (ifinfomsg, genlmsghdr, ...). */
  header?: Uint8Array;
  /** Adds the attributes. */
  attributes?: (builder: MessageBuilder) => void;
  /**
   * In requestBatch: ask for this message's acknowledgement (default true).
   * Batch delimiters that the kernel answers only on success (nfnetlink's
   * BATCH_END) are sent without, and their result is { acked: false } at once.
   */
  ack?: boolean;
}

export interface RequestOptions {
  /** Ask for an acknowledgement (NLM_F_ACK); default true for requests, false for dumps. */
  ack?: boolean;
  /** Milliseconds before the request fails with ETIMEDOUT (default: the socket's). */
  timeout?: number;
  signal?: AbortSignal;
  /** Turns an attribute-type path of the request into names, for extended-ack offsets. */
  describePath?: (types: number[]) => string[];
}

export interface DumpOptions extends RequestOptions {
  /**
   * What to do when the kernel flags a part NLM_F_DUMP_INTR (the data changed
   * during the dump): 'restart' buffers each attempt and restarts, up to
   * maxRestarts, so only a consistent snapshot is yielded; 'fail' streams and
   * throws DumpInterruptedError where it happens; 'ignore' streams and leaves
   * the flag on the messages.
   */
  onInterrupted?: 'restart' | 'fail' | 'ignore';
  maxRestarts?: number;
}

export interface Reply {
  /** Replies other than the final ack, in order (copies). */
  messages: Message[];
  /** Whether an acknowledgement (NLMSG_ERROR with error 0) ended the request. */
  acked: boolean;
}

export interface SocketOptions {
  /** Datagrams per receive call (recvmmsg). */
  slots?: number;
  /** Bytes per datagram slot; the kernel's dump datagrams are at most 32 KiB. */
  slotSize?: number;
  /** Default request timeout in milliseconds (0: none). */
  timeout?: number;
  /**
   * Accept messages only from the kernel (sender port 0) — the default except
   * on NETLINK_USERSOCK. Others are dropped and counted (`stats.spoofed`), or
   * raised as events with 'report'.
   */
  kernelOnly?: boolean | 'report';
  /** Require kernel credentials (pid 0) on every message; needs passCredentials. */
  requireKernelCredentials?: boolean;
  /** Ask the kernel for extended acks (NETLINK_EXT_ACK); default true. */
  extendedAck?: boolean;
  /** Strict checking of dump requests (NETLINK_GET_STRICT_CHK); default false. */
  strictCheck?: boolean;
  codec?: Codec;
}

export class DumpInterruptedError extends NlkitError {
  constructor(readonly restarts: number) {
    super('ERR_NLKIT_DUMP_INTERRUPTED', restarts > 0
      ? `the dump was interrupted by concurrent changes ${restarts + 1} times; no consistent snapshot was obtained`
      : 'the dump was interrupted by concurrent changes (NLM_F_DUMP_INTR)');
  }
}

export class ClosedError extends NlkitError {
  constructor() {
    super('ERR_NLKIT_CLOSED', 'the socket was closed');
  }
}

export interface SocketStats {
  /** Messages dropped because they did not come from the kernel. */
  spoofed: number;
  /** Messages dropped for lacking kernel credentials. */
  uncredentialed: number;
  /** Replies that arrived after their request timed out or was aborted. */
  late: number;
  /** Receive overruns reported by the transport (ENOBUFS). */
  overruns: number;
  /** Datagrams larger than their slot. */
  truncated: number;
}

/** A pooled receive target: a scanner region with its metadata rows. */
interface Slot {
  scanner: Scanner;
  meta: Uint32Array;
  holders: number;
}

/**
 * A request waiting for its answer. A class rather than a bundle of closures:
 * most requests carry no timeout and no signal, and then tracking one costs
 * an object and a map entry, no timer and no listener.
 */
class PendingRequest {
  readonly messages: Message[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private onAbort: (() => void) | undefined = undefined;
  private released = false;

  constructor(
    private readonly owner: Map<number, PendingRequest>,
    readonly seq: number,
    readonly bytes: Uint8Array,
    readonly headerLength: number,
    readonly ack: boolean,
    readonly options: RequestOptions | undefined,
    private readonly settleResolve: (reply: Reply) => void,
    private readonly settleReject: (error: Error) => void,
  ) {}

  /** Arms the timeout and the abort listener, when there are any. */
  arm(timeout: number, signal: AbortSignal | undefined): void {
    if (timeout > 0) this.timer = setTimeout(() => this.reject(new NetlinkError(110, { operation: 'request' })), timeout);
    if (signal) {
      const onAbort = () => this.reject(abortError(signal));
      this.onAbort = onAbort;
      signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  cleanup(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.onAbort !== undefined) {
      this.options?.signal?.removeEventListener('abort', this.onAbort);
      this.onAbort = undefined;
    }
    // Once only: after settling, the seq may belong to a newer request.
    if (!this.released) {
      this.released = true;
      this.owner.delete(this.seq);
    }
  }

  resolve(reply: Reply): void {
    this.cleanup();
    this.settleResolve(reply);
  }

  reject(error: Error): void {
    this.cleanup();
    this.settleReject(error);
  }
}

/** A dump in progress: batches of its messages, held until consumed. */
interface PendingDump {
  queue: ReceivedBatch[];
  slots: Slot[];
  done: boolean;
  error: Error | null;
  /** Abandoned by its consumer: read to its end and discarded. */
  draining: boolean;
  waiting: boolean;
  wake: (() => void) | null;
  request: PendingRequest;
}

export class NetlinkSocket {
  readonly transport: Transport;
  readonly codec: Codec;
  readonly stats: SocketStats = { spoofed: 0, uncredentialed: 0, late: 0, overruns: 0, truncated: 0 };
  private nextSeq: number;
  private readonly slotsPerReceive: number;
  private readonly slotSize: number;
  private readonly timeout: number;
  private readonly kernelOnly: boolean | 'report';
  private readonly requireKernelCredentials: boolean;
  private readonly pool: Slot[] = [];
  private readonly requests = new Map<number, PendingRequest>();
  private readonly dumps = new Map<number, PendingDump>();
  private readonly streams = new Set<EventStream>();
  private readonly observers = new Set<(message: Message) => void>();
  private pumping = false;
  private dumpChain: Promise<void> = Promise.resolve();
  private closedError: ClosedError | null = null;

  constructor(transport: Transport, options: SocketOptions = {}) {
    this.transport = transport;
    this.codec = options.codec ?? loadCodec();
    this.slotsPerReceive = options.slots ?? 16;
    this.slotSize = options.slotSize ?? 32768;
    this.timeout = options.timeout ?? 0;
    this.kernelOnly = options.kernelOnly ?? transport.protocol !== NETLINK_USERSOCK;
    this.requireKernelCredentials = options.requireKernelCredentials ?? false;
    if (!(this.slotsPerReceive >= 1 && this.slotSize >= 16)) throw new ArgumentError('slots must be >= 1 and slotSize >= 16');
    if (options.extendedAck !== false) transport.setOption('extAck', true);
    if (options.strictCheck) transport.setOption('strictCheck', true);
    // Sequence numbers start from the clock, as iproute2 does, so that replies
    // meant for an earlier socket with the same port are not mistaken for ours.
    this.nextSeq = (Math.floor(Date.now() / 1000) & 0x7fffffff) || 1;
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** The socket's port id. */
  get portId(): number {
    return this.transport.address().portId;
  }

  /** Reserves a sequence number (for callers that build their own bytes). */
  allocateSeq(): number {
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq + 1) >>> 0 || 1;
    return seq;
  }

  /**
   * Builds a request; returns the builder's view in WASM memory (valid until
   * the builder is used again). The view is what goes out: sending from the
   * module's memory costs nothing extra, while a fresh small copy would have
   * to be moved off the JS heap first. The socket keeps a copy for errors.
   */
  private build(spec: RequestSpec, flags: number, seq: number): Uint8Array {
    const b = this.codec.builder().reset();
    b.begin(spec.type, flags, seq, 0);
    if (spec.header) b.header(spec.header);
    spec.attributes?.(b);
    b.end();
    return b.finish();
  }

  /**
   * Sends a request and resolves with its replies: at the ack when `ack` is
   * on (the default), else at the first complete reply. An NLMSG_ERROR with a
   * negative errno rejects with a NetlinkError carrying the extended ack.
   */
  request(spec: RequestSpec | Uint8Array, options?: RequestOptions): Promise<Reply> {
    if (this.closedError) return Promise.reject(this.closedError);
    const ack = options?.ack ?? true;
    let bytes: Uint8Array;
    let wire: Uint8Array;
    let seq: number;
    let headerLength: number;
    if (spec instanceof Uint8Array) {
      if (spec.length < NLMSG_HDRLEN) return Promise.reject(new ArgumentError('a request needs at least a 16-byte header'));
      bytes = spec.slice();
      const view = new DataView(bytes.buffer);
      seq = view.getUint32(8, true);
      if (ack) view.setUint16(6, view.getUint16(6, true) | NLM_F_ACK, true);
      headerLength = 0;
      wire = bytes;
    } else {
      seq = this.allocateSeq();
      wire = this.build(spec, (spec.flags ?? 0) | NLM_F_REQUEST | (ack ? NLM_F_ACK : 0), seq);
      bytes = wire.slice();
      headerLength = spec.header?.length ?? 0;
    }
    if (this.requests.has(seq) || this.dumps.has(seq)) return Promise.reject(new ArgumentError(`sequence number ${seq} is already in flight`));
    return new Promise<Reply>((resolve, reject) => {
      const pending = this.track(seq, bytes, headerLength, ack, options, resolve, reject);
      if (!pending) return;
      this.requests.set(seq, pending);
      // Nothing has used the builder since `wire` was built.
      this.sendOrFail(wire, pending);
    });
  }

  /** Sends several requests in one datagram (as nfnetlink batches need); one result per request. */
  async requestBatch(specs: RequestSpec[], options?: RequestOptions): Promise<Array<Reply | NetlinkError>> {
    if (this.closedError) throw this.closedError;
    const b = this.codec.builder().reset();
    const seqs: number[] = [];
    for (const spec of specs) {
      const seq = this.allocateSeq();
      seqs.push(seq);
      b.begin(spec.type, (spec.flags ?? 0) | NLM_F_REQUEST | (spec.ack === false ? 0 : NLM_F_ACK), seq, 0);
      if (spec.header) b.header(spec.header);
      spec.attributes?.(b);
      b.end();
    }
    const all = b.finish().slice();
    // Split in the scratch scanner: every copy below is taken before anything else scans.
    const scanned = scratch(this.codec).scanBytes(all);
    const promises = seqs.map((seq, i) => new Promise<Reply>((resolve, reject) => {
      if (specs[i]!.ack === false) {
        resolve({ messages: [], acked: false });
        return;
      }
      const bytes = scanned.copy(i);
      const pending = this.track(seq, bytes, specs[i]!.header?.length ?? 0, true, options, resolve, reject);
      if (pending) this.requests.set(seq, pending);
    }));
    try {
      this.transport.send(all);
    } catch (e) {
      for (const seq of seqs) this.requests.get(seq)?.reject(e as Error);
    }
    this.pump();
    const settled = await Promise.allSettled(promises);
    return settled.map((s) => {
      if (s.status === 'fulfilled') return s.value;
      if (s.reason instanceof NetlinkError) return s.reason;
      throw s.reason;
    });
  }

  /**
   * Dumps: sends a request with NLM_F_DUMP and yields the received batches of
   * its reply, zero-copy; each is valid until the next is asked for.
   */
  async *dumpBatches(spec: RequestSpec, options?: DumpOptions): AsyncGenerator<ReceivedBatch, void, undefined> {
    const policy = options?.onInterrupted ?? 'restart';
    const maxRestarts = options?.maxRestarts ?? 3;
    if (policy !== 'restart') {
      yield* this.dumpAttempt(spec, options, policy === 'fail');
      return;
    }
    for (let attempt = 0; ; attempt++) {
      // Buffer the attempt inside WASM memory (each message copied, padded to
      // 4, into one region) and yield it only once the attempt has ended
      // without NLM_F_DUMP_INTR: no allocation per message.
      const buffer = this.codec.scanner();
      try {
        let capacity = 0;
        let used = 0;
        let count = 0;
        let interrupted = false;
        for await (const part of this.dumpAttempt(spec, options, false)) {
          const batch = part.batch;
          for (let k = 0; k < part.count; k++) {
            const i = part.indices[k]!;
            if (batch.flags(i) & NLM_F_DUMP_INTR) interrupted = true;
            const length = batch.length(i);
            const padded = (length + 3) & ~3;
            if (used + padded > capacity) {
              capacity = Math.max(used + padded, capacity * 2, 65536);
              buffer.input(capacity); // grows in place, keeping what is there
            }
            const u8 = this.codec.memory.u8;
            const from = batch.regionAddress + batch.offset(i);
            const to = buffer.regionAddress + used;
            u8.copyWithin(to, from, from + length);
            u8.fill(0, to + length, to + padded);
            used += padded;
            count++;
          }
        }
        if (!interrupted) {
          if (count > 0) yield this.buffered(buffer, used, count);
          return;
        }
        if (attempt >= maxRestarts) throw new DumpInterruptedError(attempt);
      } finally {
        buffer.release();
      }
    }
  }

  /** The buffered messages of a consistent attempt as one received batch (kernel origin). */
  private buffered(scanner: Scanner, bytes: number, count: number): ReceivedBatch {
    // Every message is padded to 4, so they scan as one datagram.
    scanner.setDatagram(0, 0, bytes);
    const batch = scanner.scan(1);
    if (batch.count !== count) throw new Error(`buffered dump rescanned as ${batch.count} messages, not ${count}`);
    const indices = new Int32Array(count);
    for (let k = 0; k < count; k++) indices[k] = k;
    return { batch, meta: new Uint32Array(RECV_META_STRIDE), indices, count };
  }

  private async *dumpAttempt(spec: RequestSpec, options: DumpOptions | undefined, failOnInterrupt: boolean): AsyncGenerator<ReceivedBatch, void, undefined> {
    if (this.closedError) throw this.closedError;
    // The kernel runs one dump per socket at a time (EBUSY otherwise): wait
    // for the previous one, including the drain of an abandoned one.
    const previous = this.dumpChain;
    let release!: () => void;
    this.dumpChain = new Promise<void>((resolve) => (release = resolve));
    await previous;
    const seq = this.allocateSeq();
    const bytes = this.build(spec, (spec.flags ?? 0) | NLM_F_REQUEST | NLM_F_DUMP | (options?.ack ? NLM_F_ACK : 0), seq).slice();
    const dump: PendingDump = {
      queue: [], slots: [], done: false, error: null, draining: false, waiting: false, wake: null,
      request: null as unknown as PendingRequest,
    };
    const finished = new Promise<Reply>((resolve, reject) => {
      const pending = this.track(seq, bytes, spec.header?.length ?? 0, false, options, resolve, reject);
      if (!pending) return;
      dump.request = pending;
    });
    const settle = () => {
      this.dumps.delete(seq);
      release();
    };
    finished.then(() => { dump.done = true; dump.wake?.(); }, (e: Error) => { dump.error = e; dump.wake?.(); })
      .finally(() => { if (dump.draining) settle(); });
    if (!dump.request) {
      release();
      await finished; // rejects: aborted already
      return;
    }
    this.dumps.set(seq, dump);
    this.requests.set(seq, dump.request);
    this.sendOrFail(bytes, dump.request);
    try {
      for (;;) {
        if (dump.error) throw dump.error;
        const part = dump.queue.shift();
        if (part) {
          if (failOnInterrupt) {
            for (let k = 0; k < part.count; k++) {
              if (part.batch.flags(part.indices[k]!) & NLM_F_DUMP_INTR) throw new DumpInterruptedError(0);
            }
          }
          yield part;
          this.releaseSlot(dump.slots.shift()!);
          continue;
        }
        if (dump.done) return;
        await new Promise<void>((resolve) => {
          dump.wake = resolve;
          dump.waiting = true;
          this.pump();
        });
        dump.wake = null;
        dump.waiting = false;
      }
    } finally {
      for (const slot of dump.slots) this.releaseSlot(slot);
      dump.slots.length = 0;
      dump.queue.length = 0;
      if (dump.done || dump.error || this.closedError) {
        dump.request.cleanup();
        settle();
      } else {
        // Left early: the kernel goes on with the dump as the socket reads,
        // so read it to its end, discarding, before the next dump starts.
        dump.draining = true;
        dump.waiting = true;
        this.pump();
      }
    }
  }

  /** Dumps and yields each message copied out (simple, allocates per message). */
  async *dump(spec: RequestSpec, options?: DumpOptions): AsyncGenerator<Message, void, undefined> {
    for await (const part of this.dumpBatches(spec, options)) {
      for (let k = 0; k < part.count; k++) yield Message.fromBatch(part.batch, part.indices[k]!, part.meta);
    }
  }

  /** Joins multicast groups (numbers; above 32 too). */
  subscribe(groups: Iterable<number>): void {
    for (const g of groups) this.transport.addMembership(g);
  }

  unsubscribe(groups: Iterable<number>): void {
    for (const g of groups) this.transport.dropMembership(g);
  }

  /**
   * Messages that are not replies to this socket's requests: multicast
   * notifications and user-to-user messages, plus explicit overrun events.
   */
  events(options?: EventStreamOptions): AsyncIterable<SocketEvent> {
    if (this.closedError) throw this.closedError;
    const stream = new EventStream(options ?? {}, () => this.pump(), () => this.streams.delete(stream));
    this.streams.add(stream);
    return stream;
  }

  /**
   * Calls `fn` with every message that is not a reply to this socket's
   * requests (as events() would see it), for caches that must follow changes.
   * Returns a function that removes it.
   */
  observe(fn: (message: Message) => void): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }

  /** Closes the socket: every pending request, dump and stream ends with ClosedError. */
  close(): void {
    if (this.closedError) return;
    this.closedError = new ClosedError();
    this.transport.setReadableHandler(null);
    this.transport.close();
    for (const request of [...this.requests.values()]) request.reject(this.closedError);
    for (const dump of this.dumps.values()) {
      dump.error = this.closedError;
      dump.wake?.();
    }
    for (const stream of this.streams) stream.end(this.closedError);
    this.pumping = false;
    // Give the receive regions back to the codec; batches from them are over.
    for (const slot of this.pool) slot.scanner.release();
    this.pool.length = 0;
  }

  // ── requests ────────────────────────────────────────────────────────────

  private track(
    seq: number, bytes: Uint8Array, headerLength: number, ack: boolean, options: RequestOptions | undefined,
    resolve: (reply: Reply) => void, reject: (error: Error) => void,
  ): PendingRequest | null {
    const signal = options?.signal;
    if (signal?.aborted) {
      reject(abortError(signal));
      return null;
    }
    const pending = new PendingRequest(this.requests, seq, bytes, headerLength, ack, options, resolve, reject);
    pending.arm(options?.timeout ?? this.timeout, signal);
    return pending;
  }

  private sendOrFail(bytes: Uint8Array, pending: PendingRequest): void {
    try {
      this.transport.send(bytes);
    } catch (e) {
      pending.reject(e as Error);
      return;
    }
    this.pump();
  }

  private failRequest(pending: PendingRequest, batch: Batch, i: number): void {
    const decoded = decodeErrorMessage(batch, i, scratch(this.codec).attributeWalker());
    const extack: ExtendedAck | undefined = decoded.extack;
    if (extack?.offset !== undefined) {
      const path = attributePathAt(this.codec, pending.bytes, pending.headerLength, extack.offset);
      if (path) extack.attributePath = pending.options?.describePath?.(path) ?? path.map(String);
    }
    const view = new DataView(pending.bytes.buffer, pending.bytes.byteOffset);
    pending.reject(new NetlinkError(decoded.error, {
      operation: 'request',
      ...(extack ? { extack } : {}),
      request: { type: view.getUint16(4, true), flags: view.getUint16(6, true), seq: pending.seq, bytes: pending.bytes },
    }));
  }

  // ── receiving ───────────────────────────────────────────────────────────

  private hasDemand(): boolean {
    if (this.requests.size > 0) {
      if (this.dumps.size === 0) return true;
      // A dump whose consumer is busy with a batch is not demand by itself.
      for (const seq of this.requests.keys()) {
        const dump = this.dumps.get(seq);
        if (!dump || dump.waiting) return true;
      }
    }
    return this.streamsWantMore();
  }

  private acquireSlot(): Slot {
    for (const slot of this.pool) if (slot.holders === 0) return slot;
    const slot: Slot = { scanner: this.codec.scanner(), meta: new Uint32Array(this.slotsPerReceive * RECV_META_STRIDE), holders: 0 };
    this.pool.push(slot);
    return slot;
  }

  private releaseSlot(slot: Slot): void {
    slot.holders--;
  }

  /**
   * Reads while anyone is waiting. Never runs twice at once: `pumping` stays
   * set while a step is scheduled or the socket waits to become readable.
   *
   *   pump ─► step ─┬─ no demand ─────────────► idle
   *                 ├─ nothing waiting ───────► readable handler ─► step
   *                 └─ dispatched, demand left ► microtask ─► step
   *
   * A step is synchronous: when the answer is already queued (the kernel acks
   * most requests before sendmsg returns) the request settles inside the call
   * that sent it, with no promise hop of the pump's own.
   */
  private pump(): void {
    if (this.pumping || this.closedError) return;
    this.pumping = true;
    this.pumpStep();
  }

  private readonly continuePump = (): void => this.pumpStep();

  /**
   * Receive width prediction for when only requests are waiting. recvmmsg
   * asked for many datagrams tries once more after the last one waiting, and
   * that empty try costs about as much as a receive; a lone ack (the answer
   * to most requests) is better read with room for exactly one. This counts
   * the receives in a row where one datagram left nothing waiting; from
   * NARROW_AFTER on, requests read narrow, and the first time one datagram
   * is not enough it drops to 0 (so requests with replies, alone or mixed
   * with ack-only ones, keep reading wide). Dumps and streams read wide.
   */
  private singleReplies = 0;

  private streamsWantMore(): boolean {
    for (const stream of this.streams) if (stream.wantsMore) return true;
    return false;
  }

  private readonly onReadable = (): void => {
    if (this.closedError) return;
    this.transport.setReadableHandler(null);
    this.pumpStep();
  };

  private pumpStep(): void {
    try {
      for (;;) {
        if (this.closedError || !this.hasDemand()) {
          this.pumping = false;
          return;
        }
        const requestsOnly = this.dumps.size === 0 && !this.streamsWantMore();
        const slots = requestsOnly && this.singleReplies >= NARROW_AFTER ? 1 : this.slotsPerReceive;
        const slot = this.acquireSlot();
        const region = slot.scanner.input(this.slotsPerReceive * this.slotSize);
        const result = this.transport.receive({ region, slotSize: this.slotSize, slots, meta: slot.meta });
        if (result.overrun) this.onOverrun();
        if (result.datagrams === 0) {
          if (result.overrun) continue;
          // Level-triggered: the handler fires at once if data came meanwhile.
          this.transport.setReadableHandler(this.onReadable);
          return;
        }
        for (let d = 0; d < result.datagrams; d++) {
          const row = d * RECV_META_STRIDE;
          slot.scanner.setDatagram(d, d * this.slotSize, slot.meta[row]!);
          if (truncatedSize(slot.meta, d) !== undefined) this.stats.truncated++;
        }
        this.dispatch(slot, slot.scanner.scan(result.datagrams));
        const demand = !this.closedError && this.hasDemand();
        // One datagram settled everything: count it towards reading narrow.
        // Anything else (more datagrams, or demand left): read wide again.
        if (requestsOnly) this.singleReplies = result.datagrams === 1 && !demand ? this.singleReplies + 1 : 0;
        if (!demand) {
          this.pumping = false;
          return;
        }
        // Let consumers run before reading on (a dump's consumer takes its
        // batch, so the next read does not need another slot).
        queueMicrotask(this.continuePump);
        return;
      }
    } catch (e) {
      this.pumping = false;
      if (this.closedError) return;
      // A transport failure ends everything waiting on this socket.
      for (const request of [...this.requests.values()]) request.reject(e as Error);
      for (const stream of this.streams) stream.end(e as Error);
    }
  }

  private onOverrun(): void {
    this.stats.overruns++;
    for (const stream of this.streams) stream.overrun('kernel');
    // An ack or a dump part may have been among the dropped messages; no
    // request can be sure of its answer any more.
    for (const request of [...this.requests.values()]) request.reject(new NetlinkError(105, { operation: 'recvmsg' }));
  }

  /** The sender checks for a message that is not a plain kernel unicast; false drops it. */
  private admit(batch: Batch, i: number, meta: Uint32Array, d: number): boolean {
    const origin = originOf(meta, d);
    if (origin.port !== 0 && this.kernelOnly) {
      this.stats.spoofed++;
      if (this.kernelOnly === 'report') for (const s of this.streams) s.push({ kind: 'spoofed', origin, message: Message.fromBatch(batch, i, meta) });
      return false;
    }
    if (this.requireKernelCredentials && (!origin.credentials || origin.credentials.pid !== 0)) {
      this.stats.uncredentialed++;
      return false;
    }
    return true;
  }

  private dispatch(slot: Slot, batch: Batch): void {
    const meta = slot.meta;
    // Made on the first dump part: an ack alone allocates nothing here.
    let parts: Map<number, { dump: PendingDump; indices: number[] }> | null = null;
    for (let i = 0; i < batch.count; i++) {
      const d = batch.datagram(i);
      const row = d * RECV_META_STRIDE;
      // The common case, a unicast from the kernel without credentials to
      // check, needs no Origin object; everything else takes the full one.
      const plain = meta[row + RECV_META_PORT] === 0 && meta[row + RECV_META_GROUPS] === 0 &&
        (meta[row + RECV_META_FLAGS]! & RECV_FLAG_GROUP) === 0 && !this.requireKernelCredentials;
      if (!plain) {
        if (!this.admit(batch, i, meta, d)) continue;
      }
      const unicast = plain || isUnicast(meta, row);
      const type = batch.type(i);
      if (type === NLMSG_NOOP) continue;
      if (type === NLMSG_OVERRUN) {
        this.onOverrun();
        continue;
      }
      const status = batch.status(i);
      const seq = batch.seq(i);
      const request = status === STATUS_OK || type === NLMSG_ERROR ? this.requests.get(seq) : undefined;
      if (request && unicast) {
        const dump = this.dumps.get(seq);
        if (status !== STATUS_OK) {
          request.reject(batch.error(i)!);
        } else if (type === NLMSG_ERROR) {
          const code = batch.errorCode(i);
          if (code < 0) this.failRequest(request, batch, i);
          else if (dump) request.resolve({ messages: [], acked: true });
          else request.resolve({ messages: request.messages, acked: true });
        } else if (dump) {
          if (type === NLMSG_DONE) {
            const code = batch.errorCode(i);
            if (code < 0) this.failRequest(request, batch, i);
            else if (!request.ack) request.resolve({ messages: [], acked: false });
          } else if (!dump.draining) {
            parts ??= new Map();
            let part = parts.get(seq);
            if (!part) parts.set(seq, (part = { dump, indices: [] }));
            part.indices.push(i);
          }
        } else {
          request.messages.push(Message.fromBatch(batch, i, meta));
          const multi = (batch.flags(i) & NLM_F_MULTI) !== 0;
          if (type === NLMSG_DONE || (!multi && !request.ack)) request.resolve({ messages: request.messages, acked: false });
        }
        continue;
      }
      if (status !== STATUS_OK) {
        const size = truncatedSize(meta, d);
        const origin = originOf(meta, d);
        for (const s of this.streams) s.push({ kind: 'malformed', origin, error: batch.error(i)!, ...(size !== undefined ? { datagramSize: size } : {}) });
        continue;
      }
      if (unicast && seq !== 0 && meta[row + RECV_META_PORT] === 0 && !this.requests.has(seq)) {
        // A kernel reply to a request that timed out or was aborted.
        this.stats.late++;
        continue;
      }
      if (this.streams.size > 0 || this.observers.size > 0) {
        const message = Message.fromBatch(batch, i, meta);
        for (const fn of this.observers) fn(message);
        for (const s of this.streams) s.push({ kind: 'message', message });
      }
    }
    if (parts === null) return;
    for (const [, { dump, indices }] of parts) {
      slot.holders++;
      dump.slots.push(slot);
      dump.queue.push({ batch, meta, indices: Int32Array.from(indices), count: indices.length });
      dump.wake?.();
    }
  }
}

/** Receives in a row settled by a single datagram before requests read one at a time. */
const NARROW_AFTER = 2;

/** Sent to this socket alone, not to a multicast group (RECV_META_GROUP counts only when present). */
function isUnicast(meta: Uint32Array, row: number): boolean {
  return meta[row + RECV_META_GROUPS] === 0 && ((meta[row + RECV_META_FLAGS]! & RECV_FLAG_GROUP) === 0 || meta[row + RECV_META_GROUP] === 0);
}

function abortError(signal: AbortSignal): NlkitError {
  return new NlkitError('ERR_NLKIT_ABORTED', 'the request was aborted', { cause: signal.reason });
}

export type { Origin };
