// Numbers of the two capture file formats and of the link-layer headers that
// carry netlink. Facts from the pcap and pcapng specifications and from
// Linux's if_packet.h / if_arp.h.

// ── pcap ────────────────────────────────────────────────────────────────
//
//   file header (24 bytes)                       record header (16 bytes)
//   ┌──────────┬───────┬───────┬──────────┐       ┌─────────┬──────────┐
//   │ magic u32│ major │ minor │ thiszone │       │ ts_sec  │ ts_frac  │ (µs or ns, by magic)
//   ├──────────┼───────┴───────┼──────────┤       ├─────────┼──────────┤
//   │ sigfigs  │ snaplen u32   │ linktype │       │ caplen  │ origlen  │
//   └──────────┴───────────────┴──────────┘       └─────────┴──────────┘ then caplen bytes
export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;

// ── pcapng ──────────────────────────────────────────────────────────────
//
//   every block:  ┌ type u32 ┬ total length u32 ┬ body … ┬ total length u32 ┐
//   options:      ┌ code u16 ┬ length u16 ┬ value, padded to 4 ┐ … ┌ 0 ┬ 0 ┐
export const PCAPNG_SHB = 0x0a0d0d0a; // the same read in either byte order
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const PCAPNG_IDB = 0x00000001;
export const PCAPNG_OPB = 0x00000002; // obsolete Packet Block
export const PCAPNG_SPB = 0x00000003;
export const PCAPNG_NRB = 0x00000004;
export const PCAPNG_ISB = 0x00000005;
export const PCAPNG_EPB = 0x00000006;
export const PCAPNG_BLOCK_OVERHEAD = 12; // type, length, trailing length

export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const SHB_HARDWARE = 2;
export const SHB_OS = 3;
export const SHB_USERAPPL = 4;
export const IF_NAME = 2;
export const IF_DESCRIPTION = 3;
export const IF_TSRESOL = 9;
export const IF_TSOFFSET = 14;
export const EPB_FLAGS = 2;
/** epb_flags bits 0-1: the direction. */
export const EPB_FLAG_INBOUND = 1;
export const EPB_FLAG_OUTBOUND = 2;

// ── link types ──────────────────────────────────────────────────────────
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_NETLINK = 253;
export const LINKTYPE_LINUX_SLL2 = 276;

/** ARPHRD_NETLINK: an SLL header with this hardware type carries netlink. */
export const ARPHRD_NETLINK = 824;

// sll_pkttype values (linux/if_packet.h).
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;
/** nlmon marks a message delivered to a user-space socket with this... */
export const PACKET_USER = 6;
/** ...and one delivered to a kernel socket with this. */
export const PACKET_KERNEL = 7;

/**
 *   LINKTYPE_NETLINK and LINKTYPE_LINUX_SLL (16 bytes, big-endian):
 *   ┌ packet type u16 ┬ ARPHRD u16 ┬ addr len u16 ┬ address (8) ┬ protocol u16 ┐
 *   0                 2            4              6             14             16
 */
export const SLL_HEADER_BYTES = 16;
/**
 *   LINKTYPE_LINUX_SLL2 (20 bytes, big-endian):
 *   ┌ protocol u16 ┬ reserved u16 ┬ ifindex u32 ┬ ARPHRD u16 ┬ pkt type u8 ┬ addr len u8 ┬ address (8) ┐
 *   0              2              4             8            10            11            12            20
 */
export const SLL2_HEADER_BYTES = 20;
