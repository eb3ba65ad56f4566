// rtnetlink and generic netlink constants the emulated families use
// (linux/rtnetlink.h, linux/if_link.h, linux/if.h, linux/genetlink.h,
// linux/netlink.h). Kept in this one file until schema-generated constants
// replace them.

// Message types (linux/rtnetlink.h).
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_SETLINK = 19;

// Multicast groups (enum rtnetlink_groups). RTNLGRP_MAX as of Linux 6.18.
export const RTNLGRP_NONE = 0;
export const RTNLGRP_LINK = 1;
export const RTNLGRP_MAX = 39;

// struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }
export const IFINFOMSG_SIZE = 16;
export const AF_UNSPEC = 0;

// IFLA_* attributes (linux/if_link.h).
export const IFLA_ADDRESS = 1;
export const IFLA_BROADCAST = 2;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_MASTER = 10;
export const IFLA_TXQLEN = 13;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKMODE = 17;
export const IFLA_LINKINFO = 18;
export const IFLA_GROUP = 27;
export const IFLA_PROMISCUITY = 30;
export const IFLA_CARRIER = 33;
export const IFLA_MIN_MTU = 50;
export const IFLA_MAX_MTU = 51;
export const IFLA_ALT_IFNAME = 53;

// IFLA_LINKINFO nest.
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
// IFLA_INFO_DATA of a veth: the peer as struct ifinfomsg + IFLA_* attributes.
export const VETH_INFO_PEER = 1;

// Device flags (linux/if.h).
export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_MULTICAST = 0x1000;
export const IFF_LOWER_UP = 0x10000;
/** Flags user space may change with ifi_flags/ifi_change (dev_change_flags). */
export const IFF_USER_SETTABLE = IFF_UP | IFF_NOARP | IFF_PROMISC | IFF_ALLMULTI | IFF_MULTICAST;

// RFC 2863 operational states (IF_OPER_*).
export const IF_OPER_UNKNOWN = 0;
export const IF_OPER_DOWN = 2;
export const IF_OPER_UP = 6;

// Hardware types (linux/if_arp.h).
export const ARPHRD_ETHER = 1;
export const ARPHRD_LOOPBACK = 772;

export const IFNAMSIZ = 16;
export const ETH_ALEN = 6;
export const ETH_MIN_MTU = 68;
export const ETH_MAX_MTU = 0xffff;

// Generic netlink (linux/genetlink.h).
export const GENL_HDRLEN = 4; // struct genlmsghdr { u8 cmd; u8 version; u16 reserved; }
export const GENL_ID_CTRL = 0x10;
export const GENL_ID_VFS_DQUOT = 0x11;
export const GENL_ID_PMCRAID = 0x12;
/** First dynamically allocated family id. */
export const GENL_START_ALLOC = 0x13;
export const GENL_MAX_ID = 1023;

export const CTRL_CMD_UNSPEC = 0;
export const CTRL_CMD_NEWFAMILY = 1;
export const CTRL_CMD_DELFAMILY = 2;
export const CTRL_CMD_GETFAMILY = 3;
export const CTRL_CMD_NEWOPS = 4;
export const CTRL_CMD_DELOPS = 5;
export const CTRL_CMD_GETOPS = 6;
export const CTRL_CMD_NEWMCAST_GRP = 7;
export const CTRL_CMD_DELMCAST_GRP = 8;
export const CTRL_CMD_GETMCAST_GRP = 9;
export const CTRL_CMD_GETPOLICY = 10;

export const CTRL_ATTR_FAMILY_ID = 1;
export const CTRL_ATTR_FAMILY_NAME = 2;
export const CTRL_ATTR_VERSION = 3;
export const CTRL_ATTR_HDRSIZE = 4;
export const CTRL_ATTR_MAXATTR = 5;
export const CTRL_ATTR_OPS = 6;
export const CTRL_ATTR_MCAST_GROUPS = 7;

export const CTRL_ATTR_OP_ID = 1;
export const CTRL_ATTR_OP_FLAGS = 2;

export const CTRL_ATTR_MCAST_GRP_NAME = 1;
export const CTRL_ATTR_MCAST_GRP_ID = 2;

// Operation flags reported in CTRL_ATTR_OP_FLAGS.
export const GENL_ADMIN_PERM = 0x01;
export const GENL_CMD_CAP_DO = 0x02;
export const GENL_CMD_CAP_DUMP = 0x04;
export const GENL_CMD_CAP_HASPOL = 0x08;
export const GENL_UNS_ADMIN_PERM = 0x10;

/** The version nlctrl reports. */
export const GENL_CTRL_VERSION = 2;
export const GENL_CTRL_NAME = 'nlctrl';
export const GENL_NOTIFY_GROUP_NAME = 'notify';
/** Generic netlink sockets can join at least this many groups (two longs of the group bitmap). */
export const GENL_MIN_GROUPS = 64;

// Attribute policies in extended ACKs (enum netlink_attribute_type and
// NL_POLICY_TYPE_ATTR_*), used by NLMSGERR_ATTR_POLICY.
export const NL_ATTR_TYPE_U8 = 2;
export const NL_ATTR_TYPE_U16 = 3;
export const NL_ATTR_TYPE_U32 = 4;
export const NL_ATTR_TYPE_BINARY = 10;
export const NL_ATTR_TYPE_STRING = 11;
export const NL_ATTR_TYPE_NESTED = 13;

export const NL_POLICY_TYPE_ATTR_TYPE = 1;
export const NL_POLICY_TYPE_ATTR_MIN_VALUE_S = 2;
export const NL_POLICY_TYPE_ATTR_MAX_VALUE_S = 3;
export const NL_POLICY_TYPE_ATTR_MIN_VALUE_U = 4;
export const NL_POLICY_TYPE_ATTR_MAX_VALUE_U = 5;
export const NL_POLICY_TYPE_ATTR_MIN_LENGTH = 6;
export const NL_POLICY_TYPE_ATTR_MAX_LENGTH = 7;
export const NL_POLICY_TYPE_ATTR_POLICY_IDX = 8;
export const NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE = 9;
export const NL_POLICY_TYPE_ATTR_BITFIELD32_MASK = 10;
export const NL_POLICY_TYPE_ATTR_PAD = 11;
export const NL_POLICY_TYPE_ATTR_MASK = 12;
