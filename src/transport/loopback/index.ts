// The loopback transport: an in-memory netlink bus that behaves like the kernel.
export {
  LoopbackKernel, MAX_PROTOCOLS,
  type LoopbackKernelOptions, type LoopbackOpenOptions, type ProtocolOptions, type TapRecord, type SocketInfo, type EmulatedFamily,
} from './kernel.js';
export { LoopbackTransport } from './transport.js';
export { KernelContext, type KernelHandler } from './context.js';
export { KernelRequest } from './request.js';
export { DumpPart, type DumpSource } from './dump.js';
export { POLICY_KEYS } from './ack.js';
export {
  RMEM_DEFAULT, RMEM_MAX, WMEM_DEFAULT, WMEM_MAX, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF, NLMSG_GOODSIZE, MAX_DUMP_ALLOC,
  kernelTruesize, userTruesize, bufferSize,
} from './accounting.js';
export { RtnetlinkEmulation, type Link, type LinkSpec, type LinkChange } from './families/rtnetlink.js';
export { GenericNetlinkEmulation, type EmulatedGenlFamily, type GenlFamilySpec, type GenlOperation, type GenlHeader } from './families/genl.js';
