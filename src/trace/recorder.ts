// What a recording transport (src/transport/tee.ts) reports, and a recorder
// that writes it to pcapng.

import type { NetlinkDatagram } from './datagram.js';
import type { ChunkSink } from './output-buffer.js';
import { PcapngWriter, type PcapngWriterOptions } from './pcapng-writer.js';

/** One datagram that went through a transport. */
export interface CapturedDatagram {
  /** 'out': sent through the transport; 'in': received from it. */
  direction: 'in' | 'out';
  /** The transport's netlink protocol. */
  protocol: number;
  /** Nanoseconds since the epoch, taken when the call returned. */
  timestampNs: bigint;
  /** Port id of the sender: the transport's own for 'out', the peer's (0: the kernel) for 'in'. */
  senderPort: number;
  /** Port id it went to: `to.portId` (0: the kernel) for 'out', the transport's own for 'in'. */
  destinationPort: number;
  /** Group mask: `to.groups` for 'out', the sender address's groups for 'in'. */
  groups: number;
  /**
   * The bytes. A view into the caller's buffer or the receive region, valid
   * only during the record() call: copy what you keep.
   */
  data: Uint8Array;
  /** The datagram's real length; larger than data.length when receiving truncated it. */
  originalLength: number;
}

export interface TraceRecorder {
  record(datagram: CapturedDatagram): void;
}

/**
 * Writes every captured datagram to pcapng: one interface per protocol, the
 * sender's port id in the cooked header's address, the direction in its
 * packet type and in epb_flags.
 */
export class PcapngRecorder implements TraceRecorder {
  readonly writer: PcapngWriter;
  private readonly datagram: NetlinkDatagram = { protocol: 0, data: new Uint8Array(0) };

  constructor(sink: ChunkSink | PcapngWriter, options: PcapngWriterOptions = {}) {
    this.writer = sink instanceof PcapngWriter ? sink : new PcapngWriter(sink, options);
  }

  record(c: CapturedDatagram): void {
    // One reused object: the writer copies the bytes before returning.
    const d = this.datagram;
    d.protocol = c.protocol;
    d.data = c.data;
    d.timestampNs = c.timestampNs;
    d.direction = c.direction;
    d.portId = c.senderPort;
    d.originalLength = c.originalLength;
    this.writer.write(d);
  }

  flush(): void {
    this.writer.flush();
  }

  close(): void {
    this.writer.close();
  }
}
