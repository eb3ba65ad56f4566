// nlkit: the public entry point.
export * from './codec/index.js';
export * from './trace/index.js';
export * from './transport/transport.js';
export { openNative, NativeTransport } from './transport/native.js';
export { teeTransport } from './transport/tee.js';
export * from './transport/loopback/index.js';
export * from './socket/index.js';
export * from './schema/index.js';
