// readTrace: any byte source in, records out, pcap or pcapng told apart by
// the first bytes. Runs in browsers and workers as well as Node: sources are
// Uint8Array, ArrayBuffer, Blob/File, ReadableStream or (async) iterables of
// chunks (a Node file stream is one).

import { ArgumentError } from '../codec/errors.js';
import type { ReaderLimits } from './record-parser.js';
import type { TraceRecord } from './record.js';
import { TraceDecoder } from './trace-decoder.js';

export type TraceChunk = Uint8Array | ArrayBuffer;
export type TraceSource =
  | TraceChunk
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<TraceChunk>
  | Iterable<TraceChunk>;

export interface ReadTraceOptions extends ReaderLimits {
  /** Stops the reading (the iterator throws the signal's reason). */
  signal?: AbortSignal;
}

/**
 * The records of a capture, in file order. Problems come as records with
 * `problem` set (see TraceRecord); the iterator itself throws only for a
 * source that is not bytes, or when aborted.
 */
export async function* readTrace(source: TraceSource, options: ReadTraceOptions = {}): AsyncGenerator<TraceRecord, void, undefined> {
  const decoder = new TraceDecoder(options);
  const signal = options.signal;
  for await (const chunk of chunksOf(source)) {
    signal?.throwIfAborted();
    decoder.push(toBytes(chunk));
    for (let r = decoder.next(); r !== null; r = decoder.next()) yield r;
    if (decoder.done) return;
  }
  signal?.throwIfAborted();
  decoder.end();
  for (let r = decoder.next(); r !== null; r = decoder.next()) yield r;
}

/** The same over bytes already in memory, synchronously. */
export function* readTraceSync(source: TraceChunk | Iterable<TraceChunk>, options: ReaderLimits = {}): Generator<TraceRecord, void, undefined> {
  const decoder = new TraceDecoder(options);
  const chunks: Iterable<TraceChunk> = source instanceof Uint8Array || source instanceof ArrayBuffer ? [source] : source;
  for (const chunk of chunks) {
    decoder.push(toBytes(chunk));
    for (let r = decoder.next(); r !== null; r = decoder.next()) yield r;
    if (decoder.done) return;
  }
  decoder.end();
  for (let r = decoder.next(); r !== null; r = decoder.next()) yield r;
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new ArgumentError(`a trace source yielded ${describe(chunk)}; chunks must be Uint8Array or ArrayBuffer`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no constructor'})`;
  return `a ${typeof value}`;
}

/** The chunks of any TraceSource, as an async iterable. */
export async function* chunksOf(source: TraceSource): AsyncGenerator<TraceChunk, void, undefined> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    yield source;
    return;
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    yield* chunksOf(source.stream() as ReadableStream<Uint8Array>);
    return;
  }
  if (isReadableStream(source)) {
    // getReader works everywhere; async iteration of streams is newer in browsers.
    const reader = source.getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        yield value;
      }
    } finally {
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
  if (source !== null && typeof source === 'object' && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
    yield* source as AsyncIterable<TraceChunk> | Iterable<TraceChunk>;
    return;
  }
  throw new ArgumentError(`readTrace needs bytes, a Blob, a ReadableStream or an iterable of chunks, not ${describe(source)}`);
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return value !== null && typeof value === 'object' && typeof (value as ReadableStream).getReader === 'function';
}
