// The codec: one WASM instance per JavaScript realm, with a default scanner
// and the builder. Runs unchanged in Node, browsers and workers.

import { loadWasm, initWasm, instantiateWasm, instantiateWasmAsync, type WasmMemory } from './wasm.js';
import { Scanner, type Batch } from './batch.js';
import { MessageBuilder } from './builder.js';
import { AttributeWalker } from './attributes.js';

export class Codec {
  private defaultScanner: Scanner | null = null;
  private sharedBuilder: MessageBuilder | null = null;

  constructor(readonly memory: WasmMemory) {}

  /** A scanner with regions of its own (one per socket or stream). */
  scanner(): Scanner {
    return new Scanner(this.memory);
  }

  /** Scans a copy of `bytes` with the default scanner: one datagram, or several of the given lengths. */
  scan(bytes: Uint8Array, datagramLengths?: ArrayLike<number>): Batch {
    this.defaultScanner ??= new Scanner(this.memory);
    return this.defaultScanner.scanBytes(bytes, datagramLengths);
  }

  /** The builder. There is one per codec: a batch is built, finished and sent before the next starts. */
  builder(): MessageBuilder {
    this.sharedBuilder ??= new MessageBuilder(this.memory);
    return this.sharedBuilder;
  }

  /** An attribute walker with an index of its own. */
  walker(): AttributeWalker {
    return new AttributeWalker(this.memory);
  }
}

let codec: Codec | null = null;

/** The codec, compiled synchronously on first use (Node, workers). */
export function loadCodec(): Codec {
  codec ??= new Codec(loadWasm());
  return codec;
}

/** The codec, compiled asynchronously (browsers' main thread); the same instance as loadCodec(). */
export async function initCodec(): Promise<Codec> {
  const memory = await initWasm();
  codec ??= new Codec(memory);
  return codec;
}

/**
 * A separate codec with a WASM memory of its own (synchronous compile), for
 * a component whose buffers must never share memory with the caller's, such
 * as an emulated kernel.
 */
export function createCodec(): Codec {
  return new Codec(instantiateWasm());
}

/** createCodec() with asynchronous compilation. */
export async function createCodecAsync(): Promise<Codec> {
  return new Codec(await instantiateWasmAsync());
}
