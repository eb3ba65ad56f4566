// The emulated kernel gets a codec instance of its own, with its own WASM
// memory: like the real kernel's, its buffers are not user space's. Replies
// are built there and copied across, so a user holding a finished batch view
// (or in the middle of sending one) never has it overwritten by the kernel
// building an answer inside send().

import { createCodec, createCodecAsync, type Codec } from '../../codec/codec.js';

/** A fresh codec instance, compiled synchronously (Node, workers). */
export function createKernelCodec(): Codec {
  return createCodec();
}

/** A fresh codec instance, compiled asynchronously (a browser's main thread). */
export async function createKernelCodecAsync(): Promise<Codec> {
  return createCodecAsync();
}
