// Line sinks: text (one line per event) or JSON Lines, to the command's
// output or to a file. Files are written through a stream whose 'drain' is
// awaited, so a slow disk slows the pipeline instead of growing memory.

import { createWriteStream, type WriteStream } from 'node:fs';
import type { Output } from '../../cli/command.js';
import type { IngestEvent } from '../event.js';
import { jsonLine, textLine } from '../format.js';
import type { Sink } from '../pipeline.js';

export type LineFormat = 'text' | 'json';

function render(events: IngestEvent[], format: LineFormat, host: string | undefined): string {
  let text = '';
  for (const e of events) text += format === 'json' ? jsonLine(e, host) : textLine(e);
  return text;
}

/** Lines to an Output (stdout); the output is synchronous. */
export class OutputSink implements Sink {
  constructor(private readonly out: Output, private readonly format: LineFormat, private readonly host?: string) {}

  write(events: IngestEvent[]): void {
    this.out.write(render(events, this.format, this.host));
  }

  close(): void {}
}

/** Lines appended to a file. */
export class FileSink implements Sink {
  private readonly stream: WriteStream;
  private error: Error | null = null;

  constructor(readonly path: string, private readonly format: LineFormat = 'json', private readonly host?: string) {
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', (e) => {
      this.error = e;
    });
  }

  async write(events: IngestEvent[]): Promise<void> {
    if (this.error) throw this.error;
    if (!this.stream.write(render(events, this.format, this.host))) {
      await new Promise<void>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        this.stream.once('error', onError);
        this.stream.once('drain', () => {
          this.stream.off('error', onError);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.stream.end((e?: Error | null) => (e ? reject(e) : resolve()));
    });
    if (this.error) throw this.error;
  }
}
