// The nlkit WASM module: batch scan, attribute walk and builder over linear
// memory. Only numbers cross this boundary.

export { scanBatch } from "./scan";
export { walkAttributes, walkBatch } from "./attributes";
export {
  buildReset, buildEnd, buildRun, buildBase, buildLength, buildMessages, buildError,
} from "./builder";
export { alloc, realloc, free } from "./memory";
