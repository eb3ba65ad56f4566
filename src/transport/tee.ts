// A recording transport: wraps another Transport, passes every call through
// unchanged, and hands each datagram sent or received to a TraceRecorder
// (PcapngRecorder writes them to a capture that Wireshark opens).
//
//   caller ─► tee.send ─► inner.send ─► (recorded 'out')
//   caller ◄─ tee.receive ◄─ inner.receive ◄─ (recorded 'in', one per datagram)

import type { CapturedDatagram, TraceRecorder } from '../trace/recorder.js';
import { nowNs } from '../trace/clock.js';
import {
  RECV_META_GROUPS, RECV_META_LENGTH, RECV_META_PORT, RECV_META_SIZE, RECV_META_STRIDE,
  type NetlinkAddress, type ReceiveRegion, type ReceiveResult, type SocketOption, type Transport,
} from './transport.js';

export interface TeeOptions {
  /**
   * Called when the recorder throws. The transport call has succeeded by
   * then, so its result still goes to the caller; by default the error is
   * rethrown from a microtask (an uncaught error, not a silent loss).
   */
  onRecorderError?: (error: unknown) => void;
}

export function teeTransport(inner: Transport, recorder: TraceRecorder, options: TeeOptions = {}): Transport {
  return new TeeTransport(inner, recorder, options);
}

class TeeTransport implements Transport {
  private ownPort = -1;
  // One object reused for every datagram: recorders copy what they keep.
  private readonly captured: CapturedDatagram = {
    direction: 'out', protocol: 0, timestampNs: 0n, senderPort: 0, destinationPort: 0, groups: 0,
    data: new Uint8Array(0), originalLength: 0,
  };

  constructor(private readonly inner: Transport, private readonly recorder: TraceRecorder, private readonly options: TeeOptions) {
    this.captured.protocol = inner.protocol;
  }

  get protocol(): number { return this.inner.protocol; }
  get closed(): boolean { return this.inner.closed; }

  address(): NetlinkAddress {
    return this.inner.address();
  }

  send(datagram: Uint8Array, to?: NetlinkAddress): void {
    this.inner.send(datagram, to);
    this.recordSent(datagram, to, nowNs());
  }

  sendBatch(data: Uint8Array, lengths: ArrayLike<number>, to?: NetlinkAddress): number {
    const sent = this.inner.sendBatch(data, lengths, to);
    const ts = nowNs();
    let offset = 0;
    for (let i = 0; i < sent; i++) {
      const length = lengths[i]!;
      this.recordSent(data.subarray(offset, offset + length), to, ts);
      offset += length;
    }
    return sent;
  }

  receive(into: ReceiveRegion): ReceiveResult {
    const result = this.inner.receive(into);
    if (result.datagrams === 0) return result;
    const ts = nowNs();
    const c = this.captured;
    c.direction = 'in';
    c.timestampNs = ts;
    c.destinationPort = this.port();
    for (let i = 0; i < result.datagrams; i++) {
      const row = i * RECV_META_STRIDE;
      const length = into.meta[row + RECV_META_LENGTH]!;
      const start = i * into.slotSize;
      c.data = into.region.subarray(start, start + length);
      c.originalLength = Math.max(length, into.meta[row + RECV_META_SIZE]!);
      c.senderPort = into.meta[row + RECV_META_PORT]!;
      c.groups = into.meta[row + RECV_META_GROUPS]!;
      this.emit(c);
    }
    return result;
  }

  setReadableHandler(handler: (() => void) | null): void {
    this.inner.setReadableHandler(handler);
  }

  setOption(option: SocketOption, value: number | boolean): void {
    this.inner.setOption(option, value);
  }

  getOption(option: SocketOption): number {
    return this.inner.getOption(option);
  }

  addMembership(group: number): void {
    this.inner.addMembership(group);
  }

  dropMembership(group: number): void {
    this.inner.dropMembership(group);
  }

  memberships(): number[] {
    return this.inner.memberships();
  }

  close(): void {
    this.inner.close();
  }

  private recordSent(data: Uint8Array, to: NetlinkAddress | undefined, ts: bigint): void {
    const c = this.captured;
    c.direction = 'out';
    c.timestampNs = ts;
    c.senderPort = this.port();
    c.destinationPort = to?.portId ?? 0;
    c.groups = to?.groups ?? 0;
    c.data = data;
    c.originalLength = data.length;
    this.emit(c);
  }

  /** Our bound port id, asked once (after the first call, when it is surely bound). */
  private port(): number {
    if (this.ownPort < 0) this.ownPort = this.inner.address().portId >>> 0;
    return this.ownPort;
  }

  private emit(c: CapturedDatagram): void {
    try {
      this.recorder.record(c);
    } catch (error) {
      const handler = this.options.onRecorderError;
      if (handler) handler(error);
      else queueMicrotask(() => { throw error; });
    } finally {
      c.data = EMPTY;
    }
  }
}

const EMPTY = new Uint8Array(0);
