// nlkit: the public entry point.
export * from './codec/index.js';
export * from './trace/index.js';
export * from './transport/transport.js';
export { openNative, NativeTransport } from './transport/native.js';
export { teeTransport } from './transport/tee.js';
export * from './transport/loopback/index.js';
export * from './socket/index.js';
export * from './schema/index.js';
export * as rtnl from './families/rtnetlink/index.js';
export * as genl from './families/genl/index.js';
export * as nfnetlink from './families/nfnetlink/index.js';
export * as sockDiag from './families/sock-diag/index.js';
export * as uevent from './families/uevent/index.js';
export * as connector from './families/connector/index.js';
