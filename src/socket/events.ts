// EventStream: the async iterable behind NetlinkSocket.events(). A bounded
// queue between the socket's pump and a consumer that may be slower than the
// kernel. Nothing is dropped silently: kernel drops (ENOBUFS) and drops from
// a full local queue both appear in the stream as overrun events with counts.

import { NetlinkError } from '../codec/errors.js';
import type { Message, Origin } from './received.js';
import type { DecodeError } from '../codec/errors.js';

export type SocketEvent =
  | { kind: 'message'; message: Message }
  /**
   * Messages were lost. 'kernel': the socket's receive buffer overflowed
   * (ENOBUFS; the kernel does not say how many); 'local': the stream's queue
   * was full and `dropped` messages were discarded.
   */
  | { kind: 'overrun'; source: 'kernel' | 'local'; dropped?: number }
  /** The state was re-read after an overrun (onOverrun: 'resync'); `value` is what resync returned. */
  | { kind: 'resync'; value: unknown }
  /** A message that could not be decoded; the error has the byte offset. */
  | { kind: 'malformed'; origin: Origin; error: DecodeError; datagramSize?: number }
  /** A message from a sender other than the kernel, with kernelOnly: 'report'. */
  | { kind: 'spoofed'; origin: Origin; message: Message };

export interface EventStreamOptions {
  /** Only multicast messages to these groups (unicast ones still come unless `unicast` is false). */
  groups?: number[];
  /** Deliver unicast (user-to-user) messages too; default true. */
  unicast?: boolean;
  /** Most events held for the consumer (default 4096). */
  queue?: number;
  /** 'continue' (default) yields overrun events; 'fail' ends the stream with ENOBUFS; 'resync' also calls resync. */
  onOverrun?: 'continue' | 'fail' | 'resync';
  /** Re-reads the state the stream mirrors (e.g. a link dump) after an overrun. */
  resync?: () => unknown;
}

export class EventStream implements AsyncIterable<SocketEvent> {
  private readonly queue: SocketEvent[] = [];
  private readonly bound: number;
  private localDropped = 0;
  private ended = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private resyncPending = false;

  constructor(
    private readonly options: EventStreamOptions,
    private readonly pull: () => void,
    private readonly detach: () => void,
  ) {
    this.bound = options.queue ?? 4096;
  }

  /** Whether the pump should read on this stream's behalf. */
  get wantsMore(): boolean {
    return !this.ended && this.queue.length < this.bound;
  }

  private accepts(event: SocketEvent): boolean {
    if (event.kind !== 'message') return true;
    const origin = event.message.origin;
    const multicast = origin.groups !== 0 || origin.group !== 0;
    if (!multicast) return this.options.unicast !== false;
    const groups = this.options.groups;
    if (!groups) return true;
    return groups.some((g) => g === origin.group || (g >= 1 && g <= 32 && (origin.groups & (1 << (g - 1))) !== 0));
  }

  /** Called by the socket for every event. */
  push(event: SocketEvent): void {
    if (this.ended || !this.accepts(event)) return;
    if (this.queue.length >= this.bound) {
      this.localDropped++;
      return;
    }
    this.queue.push(event);
    this.wake?.();
  }

  /** The kernel reported ENOBUFS for the socket. */
  overrun(source: 'kernel'): void {
    if (this.ended) return;
    if (this.options.onOverrun === 'fail') {
      this.end(new NetlinkError(105, { operation: 'recvmsg' }));
      return;
    }
    // Overrun events bypass the bound: they are what tells of the loss.
    this.queue.push({ kind: 'overrun', source });
    if (this.options.onOverrun === 'resync') this.resyncPending = true;
    this.wake?.();
  }

  end(error: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.detach();
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SocketEvent, void, undefined> {
    try {
      for (;;) {
        if (this.localDropped > 0 && this.queue.length < this.bound) {
          const dropped = this.localDropped;
          this.localDropped = 0;
          if (this.options.onOverrun === 'fail') throw new NetlinkError(105, { operation: 'events' });
          yield { kind: 'overrun', source: 'local', dropped };
          if (this.options.onOverrun === 'resync') this.resyncPending = true;
        }
        const event = this.queue.shift();
        if (event) {
          yield event;
          if (event.kind === 'overrun' && this.resyncPending && this.options.resync) {
            this.resyncPending = false;
            yield { kind: 'resync', value: await this.options.resync() };
          }
          continue;
        }
        if (this.ended) {
          if (this.error) throw this.error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.pull();
        });
        this.wake = null;
      }
    } finally {
      this.end(null);
    }
  }
}
