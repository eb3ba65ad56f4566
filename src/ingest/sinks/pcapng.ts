// A pcapng sink: every event's message bytes as a received datagram on the
// interface of its protocol, readable by `nlkit` trace tools and Wireshark.
// Loss, resync and malformed records have no packet; they are counted here
// (and stay in the pipeline summary) so the capture's gaps can be explained.

import { TraceFileWriter } from '../../trace/node.js';
import type { IngestEvent } from '../event.js';
import type { Sink } from '../pipeline.js';

export class PcapngSink implements Sink {
  readonly wantsBytes = true;
  private readonly file: TraceFileWriter;
  /** Records that had no bytes to write (loss, resync, malformed). */
  notWritten = 0;
  written = 0;

  constructor(readonly path: string) {
    this.file = new TraceFileWriter(path, 'pcapng', { application: 'nlkit monitor' });
  }

  write(events: IngestEvent[]): void {
    for (const e of events) {
      if (e.kind !== 'event' || !e.bytes) {
        this.notWritten++;
        continue;
      }
      this.file.write({ protocol: e.protocol, data: e.bytes, timestampNs: e.timeNs, direction: 'in', portId: 0 });
      this.written++;
    }
    this.file.flush();
  }

  close(): void {
    this.file.close();
  }
}
