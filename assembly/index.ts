// The nlkit WASM module: batch scan, attribute walk and builder over linear
// memory. Only numbers cross this boundary.

export { scanBatch } from "./scan";
export { walkAttributes, walkBatch } from "./attributes";
export {
  buildReset, buildBegin, buildEnd, buildReserve, buildAttr, buildTrim, buildFlag,
  buildU8, buildU16, buildU32, buildU64, buildBe16, buildBe32, buildBe64,
  buildNestBegin, buildNestEnd, buildBase, buildLength, buildMessages, buildError, buildDepth,
} from "./builder";
export { alloc, realloc, free } from "./memory";
