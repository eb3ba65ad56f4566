// Loads the embedded WASM module and keeps whole-memory views over it.
//
// Memory only grows inside alloc/realloc and the builder. Every wrapper of a
// call that may grow it calls refresh() right after, so whenever JavaScript
// runs, `memory.u8`, `memory.u32`, ... are views of the current buffer. Code
// reads them afresh through this object each time and never keeps its own.

import { WASM_BASE64 } from './wasm-bytes.generated.js';
import { NlkitError } from './errors.js';

/** The module's exports, as the assembly/ sources declare them. */
export interface WasmExports {
  memory: WebAssembly.Memory;
  scanBatch(region: number, datagrams: number, datagramCount: number, index: number, capacity: number): number;
  walkAttributes(region: number, start: number, end: number, map: number, rootSet: number,
    index: number, capacity: number, depthBound: number, descend: number): number;
  walkBatch(region: number, messages: number, messageCapacity: number, messageCount: number,
    headerLengths: number, headerTypes: number, defaultHeader: number, map: number, rootSet: number,
    index: number, capacity: number, depthBound: number, descend: number, ranges: number): number;
  buildReset(): void;
  buildEnd(): void;
  buildRun(ops: number, count: number, data: number): number;
  buildBase(): number;
  buildLength(): number;
  buildMessages(): number;
  buildError(): number;
  alloc(size: number): number;
  realloc(ptr: number, size: number): number;
  free(ptr: number): void;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const imports = {
  env: {
    abort(): never {
      throw new NlkitError('ENOMEM', 'the codec ran out of WebAssembly memory');
    },
  },
};

/** The instantiated module and its memory views. */
export class WasmMemory {
  readonly exports: WasmExports;
  u8!: Uint8Array;
  u16!: Uint16Array;
  u32!: Uint32Array;
  i32!: Int32Array;
  view!: DataView;

  constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports as unknown as WasmExports;
    this.refresh();
  }

  /**
   * Re-takes the views if the memory grew since they were taken. Growth
   * detaches the old buffer, so a zero-length view is the cheap signal
   * (`length`: reading `byteLength` costs ten times more in V8).
   */
  refresh(): void {
    if (this.u8 !== undefined && this.u8.length !== 0) return;
    const buffer = this.exports.memory.buffer as ArrayBuffer;
    this.u8 = new Uint8Array(buffer);
    this.u16 = new Uint16Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.view = new DataView(buffer);
  }

  /** Allocates `size` bytes, 16-byte aligned; may grow memory. */
  alloc(size: number): number {
    const ptr = this.exports.alloc(size);
    this.refresh();
    return ptr;
  }

  /** Resizes an allocation, keeping its contents; may move it and grow memory. */
  realloc(ptr: number, size: number): number {
    const moved = this.exports.realloc(ptr, size);
    this.refresh();
    return moved;
  }

  free(ptr: number): void {
    this.exports.free(ptr);
  }
}

let compiled: WebAssembly.Module | null = null;
let loaded: WasmMemory | null = null;
let loading: Promise<WasmMemory> | null = null;

function compileSync(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(decodeBase64(WASM_BASE64));
  return compiled;
}

async function compileAsync(): Promise<WebAssembly.Module> {
  compiled ??= await WebAssembly.compile(decodeBase64(WASM_BASE64));
  return compiled;
}

/** A new instance with a memory of its own, compiled synchronously (Node, workers). */
export function instantiateWasm(): WasmMemory {
  return new WasmMemory(new WebAssembly.Instance(compileSync(), imports));
}

/** A new instance with a memory of its own, compiled asynchronously (browsers' main thread). */
export async function instantiateWasmAsync(): Promise<WasmMemory> {
  return new WasmMemory(await WebAssembly.instantiate(await compileAsync(), imports));
}

/**
 * The shared module instance, compiled synchronously on first use. Works in
 * Node and in workers; a browser's main thread may refuse synchronous
 * compilation, so call `initWasm()` (or `initCodec()`) there first.
 */
export function loadWasm(): WasmMemory {
  loaded ??= instantiateWasm();
  return loaded;
}

/** The shared instance, compiled asynchronously; resolves to the same instance as loadWasm(). */
export function initWasm(): Promise<WasmMemory> {
  if (loaded) return Promise.resolve(loaded);
  loading ??= instantiateWasmAsync().then((memory) => {
    loaded ??= memory;
    return loaded;
  });
  return loading;
}
