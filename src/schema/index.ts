// The schema layer: family specs (types.ts, data generated into
// src/families/generated/) compiled into lookup tables, and the typed decode /
// encode, names and paths built on them. Browser-safe: no Node built-ins.

export type * from './types.js';
export {
  compileFamily, Family, EnumSchema, StructSchema, AttributeSetSchema, SubMessageSchema, GENL_HDRLEN,
  type AttributeSchema, type MemberSchema, type MessageSchema, type SubMessageFormat,
} from './compile.js';
export { keyOf, cNameOf } from './names.js';
export { narrow, nameValue, unnameValue } from './values.js';
export { decodeStruct, decodeStructBytes, encodeStruct, TAIL_KEY } from './struct.js';
export {
  decodeAttributeList, decodeBatchMessage, decodeBatchMessages, forEachBatchMessage, UNKNOWN_KEY,
  type DecodeOptions, type SchemaSelector, type DecodedMessage, type Attributes, type UnknownAttribute,
} from './decode.js';
export { encodeAttributes, encodeMessage, encodeMessageInto, type EncodeMessageInput, type EncodeOptions } from './encode.js';
export { attributePath, type PathOptions } from './path.js';
export { SchemaRegistry, type RawMessage } from './registry.js';
export { defaultRegistry } from './default-registry.js';
export { decodeErrorReply, type ErrorReply } from './extack.js';
export { decodeUevent, type Uevent, type UdevEvent } from './uevent.js';
export { formatAttributes, formatStruct, formatBytes, plainValue } from './format.js';
export { sampleAttributes, sampleMessage, sampleStruct, type SampleOptions } from './sample.js';
