export * from './constants.js';
export { errnoName, errnoNumber } from './errno.js';
export {
  NlkitError, DecodeError, TruncatedError, MalformedError, StaleError, BuildError, ArgumentError,
  NetlinkError, type ExtendedAck, type NetlinkErrorDetails,
} from './errors.js';
export { Codec, loadCodec, initCodec, createCodec, createCodecAsync } from './codec.js';
export { Scanner, Batch, type MessageRecord } from './batch.js';
export {
  AttributeWalker, AttributeList, BatchAttributes, AttributeDecoder, DEFAULT_MAX_DEPTH, type WalkOptions, type HeaderLengths,
} from './attributes.js';
export { NestMap, type NestSpec } from './nest-map.js';
export { MessageBuilder } from './builder.js';
export { decodeString, encodeString, utf8 } from './text.js';
export type { WasmMemory } from './wasm.js';
export { decodeErrorMessage, type ErrorMessage } from './nlmsgerr.js';
