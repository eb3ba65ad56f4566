export {
  NetlinkSocket, DumpInterruptedError, ClosedError,
  type RequestSpec, type RequestOptions, type DumpOptions, type Reply, type SocketOptions, type SocketStats,
} from './socket.js';
export { EventStream, type SocketEvent, type EventStreamOptions } from './events.js';
export { Message, originOf, type Origin, type Credentials, type ReceivedBatch } from './received.js';
export { attributePathAt, POLICY_TYPES } from './extack.js';
export * from './genl.js';
export { openSocket, protocolNumber, PROTOCOLS, type ProtocolName, type OpenSocketOptions } from './open.js';
