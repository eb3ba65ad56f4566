// The kernel connector (NETLINK_CONNECTOR): cn_msg framing and process events.
export * from './cn-msg.js';
export * from './proc.js';
export { openProcConnector, type ProcConnectorOptions } from './open.js';
