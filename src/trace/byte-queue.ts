// The input side of the streaming readers: chunks of any size go in, the
// parsers look at and take byte ranges out. Memory holds only what is not yet
// consumed (the current record, in practice); bytes of a block being skipped
// are dropped as they arrive, never buffered.
//
//   chunks:  [ consumed | head ─► unread ] [ unread ] [ unread ]
//                        ▲ position (absolute offset in the stream)

import { ArgumentError } from '../codec/errors.js';

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private first = 0; // index of the chunk holding the read position
  private head = 0; // read position inside chunks[first]
  private pendingDiscard = 0; // bytes still to drop from future input
  /** Unread bytes held. */
  available = 0;
  /** Absolute offset of the read position in the stream. */
  position = 0;
  /** No more input will come. */
  ended = false;

  push(chunk: Uint8Array): void {
    if (!(chunk instanceof Uint8Array)) throw new ArgumentError('trace input chunks must be Uint8Array');
    if (this.ended) throw new ArgumentError('input pushed after the end of the stream');
    let c = chunk;
    if (this.pendingDiscard > 0) {
      const drop = Math.min(this.pendingDiscard, c.length);
      this.pendingDiscard -= drop;
      this.position += drop;
      c = c.subarray(drop);
    }
    if (c.length === 0) return;
    this.chunks.push(c);
    this.available += c.length;
  }

  end(): void {
    this.ended = true;
  }

  /** Whether `n` unread bytes are held. */
  has(n: number): boolean {
    return this.available >= n;
  }

  /** Unread byte `i` (i < available). */
  byte(i: number): number {
    let c = this.chunks[this.first]!;
    let at = this.head + i;
    let k = this.first;
    while (at >= c.length) {
      at -= c.length;
      c = this.chunks[++k]!;
    }
    return c[at]!;
  }

  u16(i: number, littleEndian: boolean): number {
    const c = this.chunks[this.first]!;
    const at = this.head + i;
    const a = at + 1 < c.length ? c[at]! : this.byte(i);
    const b = at + 1 < c.length ? c[at + 1]! : this.byte(i + 1);
    return littleEndian ? a | (b << 8) : (a << 8) | b;
  }

  u32(i: number, littleEndian: boolean): number {
    const c = this.chunks[this.first]!;
    const at = this.head + i;
    let b0: number, b1: number, b2: number, b3: number;
    if (at + 3 < c.length) {
      b0 = c[at]!; b1 = c[at + 1]!; b2 = c[at + 2]!; b3 = c[at + 3]!;
    } else {
      b0 = this.byte(i); b1 = this.byte(i + 1); b2 = this.byte(i + 2); b3 = this.byte(i + 3);
    }
    return littleEndian
      ? (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0
      : ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  }

  /**
   * The next `n` unread bytes as one contiguous view (n <= available), not
   * consumed. A view into an input chunk when they lie in one; otherwise the
   * pieces are joined once into a new array that replaces them.
   */
  peek(n: number): Uint8Array {
    if (n === 0) return EMPTY;
    const c = this.chunks[this.first]!;
    if (this.head + n <= c.length) return c.subarray(this.head, this.head + n);
    const joined = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const piece = this.chunks[this.first]!;
      const take = Math.min(piece.length - this.head, n - filled);
      joined.set(piece.subarray(this.head, this.head + take), filled);
      filled += take;
      if (this.head + take === piece.length) {
        this.chunks[this.first] = EMPTY;
        this.first++;
        this.head = 0;
      } else {
        this.chunks[this.first] = piece.subarray(this.head + take);
        this.head = 0;
      }
    }
    // The joined bytes take the slot of the first piece (always used up whole).
    this.first--;
    this.chunks[this.first] = joined;
    this.head = 0;
    return joined;
  }

  /** peek(n), then consume those bytes. */
  take(n: number): Uint8Array {
    const view = this.peek(n);
    this.skip(n);
    return view;
  }

  /**
   * Consumes `n` bytes. Beyond what is held, the rest is dropped from input
   * still to come: a skipped block is never buffered.
   */
  skip(n: number): void {
    let left = n;
    while (left > 0 && this.available > 0) {
      const c = this.chunks[this.first]!;
      const step = Math.min(c.length - this.head, left);
      this.head += step;
      left -= step;
      this.available -= step;
      this.position += step;
      if (this.head === c.length) {
        this.chunks[this.first] = EMPTY;
        this.first++;
        this.head = 0;
      }
    }
    this.pendingDiscard += left;
    this.compact();
  }

  /** Bytes still to drop before the next unread byte arrives. */
  get discarding(): number {
    return this.pendingDiscard;
  }

  private compact(): void {
    if (this.first === this.chunks.length) {
      this.chunks.length = 0;
      this.first = 0;
    } else if (this.first > 32 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}

const EMPTY: Uint8Array = new Uint8Array(0);
