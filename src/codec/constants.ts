// Protocol constants, status codes and index layouts: re-exported from the one
// file that the WASM module compiles too.
export * from '../../assembly/shared/netlink.js';
