export * from './nfgenmsg.js';
export { parseAddress, parseIpv4, parseIpv6, formatAddress } from './address.js';
export * from './conntrack.js';
export * from './nftables.js';
