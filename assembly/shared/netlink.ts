// Netlink protocol constants: the one source shared by the WASM module
// (assembly/) and the TypeScript side (src/codec/constants.ts re-exports it).
// Only `export const NAME = <integer>;` lines belong here, so that the file is
// valid AssemblyScript and valid TypeScript at once.

// Protocol numbers (the third argument of socket(AF_NETLINK, ...)).
export const NETLINK_ROUTE = 0;
export const NETLINK_UNUSED = 1;
export const NETLINK_USERSOCK = 2;
export const NETLINK_FIREWALL = 3;
export const NETLINK_SOCK_DIAG = 4;
export const NETLINK_NFLOG = 5;
export const NETLINK_XFRM = 6;
export const NETLINK_SELINUX = 7;
export const NETLINK_ISCSI = 8;
export const NETLINK_AUDIT = 9;
export const NETLINK_FIB_LOOKUP = 10;
export const NETLINK_CONNECTOR = 11;
export const NETLINK_NETFILTER = 12;
export const NETLINK_IP6_FW = 13;
export const NETLINK_DNRTMSG = 14;
export const NETLINK_KOBJECT_UEVENT = 15;
export const NETLINK_GENERIC = 16;
export const NETLINK_SCSITRANSPORT = 18;
export const NETLINK_ECRYPTFS = 19;
export const NETLINK_RDMA = 20;
export const NETLINK_CRYPTO = 21;
export const NETLINK_SMC = 22;

// struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }
export const NLMSG_ALIGNTO = 4;
export const NLMSG_HDRLEN = 16;

// Control message types (below NLMSG_MIN_TYPE).
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
export const NLMSG_MIN_TYPE = 16;

// nlmsg_flags
export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_ECHO = 0x08;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP_FILTERED = 0x20;
// Modifiers to GET requests.
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_ATOMIC = 0x400;
export const NLM_F_DUMP = 0x300;
// Modifiers to NEW requests.
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;
// Modifiers to DELETE requests.
export const NLM_F_NONREC = 0x100;
export const NLM_F_BULK = 0x200;
// Flags for ACK messages.
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;

// struct nlmsgerr { s32 error; struct nlmsghdr msg; } followed by the echoed
// payload (unless capped) and, with NLM_F_ACK_TLVS, NLMSGERR_ATTR_* attributes.
export const NLMSGERR_SIZE = 20;
export const NLMSGERR_ATTR_UNUSED = 0;
export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;
export const NLMSGERR_ATTR_COOKIE = 3;
export const NLMSGERR_ATTR_POLICY = 4;
export const NLMSGERR_ATTR_MISS_TYPE = 5;
export const NLMSGERR_ATTR_MISS_NEST = 6;

// struct nlattr { u16 len; u16 type; }
export const NLA_ALIGNTO = 4;
export const NLA_HDRLEN = 4;
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = 0x3fff;

// Socket level and options (setsockopt(fd, SOL_NETLINK, ...)).
export const SOL_NETLINK = 270;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_DROP_MEMBERSHIP = 2;
export const NETLINK_PKTINFO = 3;
export const NETLINK_BROADCAST_ERROR = 4;
export const NETLINK_NO_ENOBUFS = 5;
export const NETLINK_RX_RING = 6;
export const NETLINK_TX_RING = 7;
export const NETLINK_LISTEN_ALL_NSID = 8;
export const NETLINK_LIST_MEMBERSHIPS = 9;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;

// Codec status of a message or attribute in an index (see assembly/scan.ts).
export const STATUS_OK = 0;
// The declared length runs past the bytes that are there (or fewer bytes than
// a header remain at the end of a datagram or attribute stream).
export const STATUS_TRUNCATED = 1;
// The declared length is smaller than the header itself (0 included).
export const STATUS_BAD_LENGTH = 2;
// The payload is too short for what the type requires (e.g. an NLMSG_ERROR
// without a complete struct nlmsgerr).
export const STATUS_BAD_PAYLOAD = 3;
// A nested attribute whose contents do not parse as attributes.
export const STATUS_BAD_NEST = 4;
// A nested attribute deeper than the walk's depth bound; not descended into.
export const STATUS_TOO_DEEP = 5;

// Message index: struct of arrays in one region of `capacity` entries. Column
// k starts at base + MSG_COL_k * capacity. Offsets are relative to the scanned
// region's start; the status says whether the entry is usable.
//
//   base ──► offset[u32 × cap] length[u32 × cap] seq[u32 × cap] pid[u32 × cap]
//            datagram[u32 × cap] type[u16 × cap] flags[u16 × cap] status[u8 × cap]
export const MSG_COL_OFFSET = 0;
export const MSG_COL_LENGTH = 4;
export const MSG_COL_SEQ = 8;
export const MSG_COL_PID = 12;
export const MSG_COL_DATAGRAM = 16;
export const MSG_COL_TYPE = 20;
export const MSG_COL_FLAGS = 22;
export const MSG_COL_STATUS = 24;
export const MSG_ENTRY_BYTES = 25;

// Attribute index: the same shape. `next` is the index just past the entry's
// subtree, so the children of entry j are j+1, next[j+1], ... up to next[j].
//
//   base ──► offset[u32] length[u32] parent[i32] next[u32] type[u16] bits[u8]
//            status[u8] depth[u8]
export const ATTR_COL_OFFSET = 0;
export const ATTR_COL_LENGTH = 4;
export const ATTR_COL_PARENT = 8;
export const ATTR_COL_NEXT = 12;
export const ATTR_COL_TYPE = 16;
export const ATTR_COL_BITS = 18;
export const ATTR_COL_STATUS = 19;
export const ATTR_COL_DEPTH = 20;
export const ATTR_ENTRY_BYTES = 21;
// bits column
export const ATTR_BIT_NESTED = 1;
export const ATTR_BIT_NET_BYTEORDER = 2;

// Datagram table given to scanBatch: pairs of u32 (offset, length) relative to
// the region's start.
export const DGRAM_ENTRY_BYTES = 8;

// Nest map given to walkAttributes (u16 words):
//   [setCount] then per set s: [start_s, size_s] then the descriptors.
// descriptor = 0 for a leaf, else (childSet + 1) | NEST_MAP_ARRAY when the
// attribute is an indexed array whose every element is a nest of childSet.
export const NEST_MAP_ARRAY = 0x8000;
export const NEST_MAP_SET_MASK = 0x7fff;

// Header-length table given to walkBatch: u16 per message type; this value
// means "do not walk this type" (control messages, types without attributes).
export const HEADER_SKIP = 0xffff;

// Builder errors (sticky until buildReset).
export const BUILD_OK = 0;
export const BUILD_NO_MESSAGE = 1;
export const BUILD_NEST_DEPTH = 2;
export const BUILD_NEST_UNDERFLOW = 3;
export const BUILD_TOO_LONG = 4;
export const BUILD_NO_MEMORY = 5;
export const BUILD_NEST_OPEN = 6;
export const BUILD_MAX_NEST = 32;

// Operations of buildRun: JavaScript queues them as u32 words in an op list
// and one call executes the whole list. The first word of each is
// (type << 16) | op, where type is the message or attribute type (with
// NLA_F_NESTED for a flagged nest); the arguments follow:
//   BEGIN flags seq pid | END | HEADER length dataOffset | FLAG
//   U8/U16/U32/BE16/BE32 value | U64/BE64 low high
//   BYTES length dataOffset | STRING length dataOffset (NUL added) | NEST_BEGIN | NEST_END
// dataOffset indexes the data area passed with the list.
export const BUILD_OP_BEGIN = 1;
export const BUILD_OP_END = 2;
export const BUILD_OP_HEADER = 3;
export const BUILD_OP_FLAG = 4;
export const BUILD_OP_U8 = 5;
export const BUILD_OP_U16 = 6;
export const BUILD_OP_U32 = 7;
export const BUILD_OP_U64 = 8;
export const BUILD_OP_BE16 = 9;
export const BUILD_OP_BE32 = 10;
export const BUILD_OP_BE64 = 11;
export const BUILD_OP_BYTES = 12;
export const BUILD_OP_STRING = 13;
export const BUILD_OP_NEST_BEGIN = 14;
export const BUILD_OP_NEST_END = 15;
export const BUILD_BAD_OP = 7;
