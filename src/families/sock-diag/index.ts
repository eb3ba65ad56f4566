export * from './sockets.js';
export { decodeTcpInfo, type TcpInfo } from './tcp-info.js';
