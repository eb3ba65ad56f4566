// Receive- and send-buffer accounting, modelled on what Linux charges a
// netlink socket (measured on 6.x through the Rmem column of
// /proc/net/netlink, x86_64, 4 KiB pages).
//
// Every queued datagram is charged its skb "truesize", not its length:
//
//   truesize = head + 256                     256: struct sk_buff, cache aligned
//   head     = align64(len) + 320             320: struct skb_shared_info
//              ≤ 576 → 576                     small-head cache
//              else  → next power of two       kmalloc bucket
//
// so a 16..200-byte datagram costs 832 bytes and a 1000-byte one 2304.
// Datagrams a user socket sends larger than NLMSG_GOODSIZE (unicast only) are
// vmalloc'ed instead and cost align64(len) + 576. A dump part costs the
// truesize of the buffer the kernel allocated for it, however full it is.
//
// A datagram is admitted when the queue is empty or it still fits under the
// limit afterwards, and never while the socket is congested (an overrun was
// reported and the queue has not been drained since): that is
// netlink_attachskb / netlink_broadcast_deliver.

/** net.core.rmem_default and rmem_max as Linux ships them. */
export const RMEM_DEFAULT = 212992;
export const RMEM_MAX = 212992;
/** net.core.wmem_default and wmem_max. */
export const WMEM_DEFAULT = 212992;
export const WMEM_MAX = 212992;
/** The floor of SO_RCVBUF and SO_SNDBUF (SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF). */
export const SOCK_MIN_RCVBUF = 2304;
export const SOCK_MIN_SNDBUF = 4608;

/** NLMSG_GOODSIZE: a page minus skb_shared_info; the smallest dump part buffer. */
export const NLMSG_GOODSIZE = 3776;
/** Dump parts grow to the receiver's largest recvmsg buffer, up to this. */
export const MAX_DUMP_ALLOC = 32768 - 320;

const SKB_STRUCT = 256;
const SKB_SHARED_INFO = 320;
const SMALL_HEAD = 576;

const align64 = (n: number) => (n + 63) & ~63;

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** The truesize of an skb the kernel allocates with alloc_skb(len). */
export function kernelTruesize(len: number): number {
  const head = align64(len) + SKB_SHARED_INFO;
  return (head <= SMALL_HEAD ? SMALL_HEAD : nextPowerOfTwo(head)) + SKB_STRUCT;
}

/** The truesize of a datagram a user socket sent (netlink_alloc_large_skb). */
export function userTruesize(len: number, multicast: boolean): number {
  if (len > NLMSG_GOODSIZE && !multicast) return align64(len) + SKB_SHARED_INFO + SKB_STRUCT;
  return kernelTruesize(len);
}

/** What SO_RCVBUF / SO_SNDBUF store for `value`: doubled for overhead, capped, floored. */
export function bufferSize(value: number, max: number, floor: number): number {
  return Math.max(Math.min(value, max) * 2, floor);
}
