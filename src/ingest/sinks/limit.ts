// Passes the first `limit` events (loss and other records always pass) to
// another sink, then calls `done`: for `monitor --count N` and for tests.

import type { IngestEvent } from '../event.js';
import type { Sink } from '../pipeline.js';

export class LimitSink implements Sink {
  private seen = 0;

  constructor(private readonly inner: Sink, private readonly limit: number, private readonly done: () => void) {}

  get wantsBytes(): boolean | undefined {
    return this.inner.wantsBytes;
  }

  async write(events: IngestEvent[]): Promise<void> {
    let batch = events;
    if (this.seen >= this.limit) batch = events.filter((e) => e.kind !== 'event');
    else {
      const out: IngestEvent[] = [];
      for (const e of events) {
        if (e.kind === 'event') {
          if (this.seen >= this.limit) continue;
          this.seen++;
        }
        out.push(e);
      }
      batch = out;
    }
    if (batch.length) await this.inner.write(batch);
    if (this.seen >= this.limit) this.done();
  }

  close(): Promise<void> | void {
    return this.inner.close();
  }

  interrupt(): void {
    this.inner.interrupt?.();
  }
}
