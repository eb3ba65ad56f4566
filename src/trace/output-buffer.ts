// The output side of the writers: blocks are written straight into a buffer
// that goes to the sink in chunks of about `chunkBytes`. Each chunk handed
// over is the sink's to keep; the writer never touches it again.

import { ArgumentError } from '../codec/errors.js';

export type ChunkSink = (chunk: Uint8Array) => void;

export const DEFAULT_CHUNK_BYTES = 64 * 1024;

export class OutputBuffer {
  private buf: Uint8Array;
  private used = 0;

  constructor(private readonly sink: ChunkSink, private readonly chunkBytes = DEFAULT_CHUNK_BYTES) {
    if (typeof sink !== 'function') throw new ArgumentError('a trace writer needs a sink function');
    if (!(chunkBytes >= 64 && chunkBytes <= 0x40000000)) throw new ArgumentError(`chunkBytes ${chunkBytes} is out of range (64 .. 1 GiB)`);
    this.buf = new Uint8Array(chunkBytes);
  }

  /**
   * Room for `n` bytes: returns the offset in `bytes` to write them at. The
   * room is zeroed (buffers are fresh and never reused).
   */
  reserve(n: number): number {
    if (this.used + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = new Uint8Array(n);
    }
    const at = this.used;
    this.used += n;
    return at;
  }

  /** The buffer that the last reserve() made room in. */
  get bytes(): Uint8Array {
    return this.buf;
  }

  /** Whether a chunk is full enough to hand over. */
  get full(): boolean {
    return this.used >= this.chunkBytes;
  }

  /** Bytes written and not yet handed to the sink. */
  get pending(): number {
    return this.used;
  }

  flush(): void {
    if (this.used === 0) return;
    const chunk = this.buf.subarray(0, this.used);
    this.buf = new Uint8Array(Math.max(this.chunkBytes, 64));
    this.used = 0;
    this.sink(chunk);
  }
}
