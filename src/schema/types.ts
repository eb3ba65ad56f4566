// The family schema format: what scripts/gen-schemas.mjs emits into
// src/families/generated/ and what the runtime (compile.ts) turns into lookup
// tables. It is the kernel's YAML netlink spec (netlink-raw, genetlink,
// genetlink-legacy) with every implicit rule already applied:
//
//   - attribute and message values are explicit (no "previous + 1");
//   - subsets (`subset-of`) are resolved into complete sets of their own;
//   - enum entries carry their values, flags their masks (1 << bit);
//   - struct member lengths that named a constant are numbers;
//   - operations are flattened into messages, one per (value, direction).
//
// Names stay the spec's kebab-case names; the runtime derives the object keys
// (camelCase) and the C names (name-prefix + name, upper case) from them.

/** Scalar attribute and struct member types. */
export type IntType = 'u8' | 'u16' | 'u32' | 'u64' | 's8' | 's16' | 's32' | 's64';
/** Variable-width integers of the newer specs: 4 or 8 bytes on the wire. */
export type VarIntType = 'uint' | 'sint';

export type AttrType =
  | IntType | VarIntType
  | 'flag' | 'string' | 'binary' | 'bitfield32'
  | 'nest' | 'indexed-array' | 'nest-type-value' | 'sub-message'
  | 'pad' | 'unused';

export type MemberType = IntType | 'string' | 'binary' | 'pad';

/** How a value is meant to be shown (the spec's display-hint). */
export type DisplayHint = 'hex' | 'mac' | 'fddi' | 'ipv4' | 'ipv6' | 'uuid';

export interface EnumSpec {
  /** A flags set: values are bit masks and combine. */
  flags?: true;
  /** Entry name → value (for flags: the mask, 1 << bit). */
  entries: Record<string, number>;
}

export interface MemberOptions {
  /** Length in bytes of a binary, string or pad member; a binary member without one takes the rest. */
  len?: number;
  /** Big-endian integer (network byte order). */
  be?: true;
  enum?: string;
  /** Show the enum as a flag set. */
  flags?: true;
  /** A binary member laid out as another struct. */
  struct?: string;
  /** A trailing binary member whose layout another member selects (project extension). */
  subMessage?: string;
  selector?: string;
  hint?: DisplayHint;
}

/** [name, type, options]: members are packed in order, C alignment made explicit with pad members. */
export type MemberSpec = [name: string, type: MemberType, options?: MemberOptions];

export interface StructSpec {
  members: MemberSpec[];
}

export interface AttrOptions {
  /** Attribute set of a nest, an indexed array of nests or a nest-type-value. */
  nest?: string;
  /** The attribute may repeat; decoded as an array. */
  multi?: true;
  enum?: string;
  flags?: true;
  be?: true;
  /** A binary attribute laid out as this struct. */
  struct?: string;
  /** Element type of a binary C array or of an indexed array. */
  subType?: AttrType;
  /** For sub-message attributes: which sub-message, selected by which attribute's value. */
  subMessage?: string;
  selector?: string;
  /** For nest-type-value: what the attribute types of each nesting level mean. */
  typeValue?: string[];
  hint?: DisplayHint;
  /** Length checks of strings and binaries (without a string's NUL). */
  maxLen?: number;
  minLen?: number;
  exactLen?: number;
}

/** [value, name, type, options] */
export type AttrSpec = [value: number, name: string, type: AttrType, options?: AttrOptions];

export interface AttrSetSpec {
  /** C name prefix of the set's attributes, e.g. 'ifla-' (IFLA_MTU). */
  prefix?: string;
  /** The set this one narrows (informational; its attributes are complete). */
  subsetOf?: string;
  attrs: AttrSpec[];
}

export interface SubMessageFormat {
  header?: string;
  set?: string;
}

/** Selector value (as a string, like the kernel's specs) → format. */
export type SubMessageSpec = Record<string, SubMessageFormat>;

/** Which way a message travels. */
export type MessageDirection = 'request' | 'reply';

export interface MessageSpec {
  /** Message name: the operation's, or e.g. 'getfamily-reply' where replies are numbered apart. */
  name: string;
  /** The operation it belongs to. */
  op: string;
  /** nlmsg_type (raw families) or genlmsghdr.cmd (genetlink). */
  value: number;
  /** 'request': user space to kernel; 'reply': kernel to user space (replies, notifications, events). */
  dir: MessageDirection;
  /** How the kernel's spec lists it. */
  kind: 'do' | 'dump' | 'notify' | 'event';
  set?: string;
  header?: string;
  /** Multicast group a notification or event goes to. */
  mcgrp?: string;
  /**
   * Project extension: the message applies only when the first member of its
   * fixed header has one of these values (sock_diag shares one message type
   * among address families with different headers).
   */
  match?: number[];
}

export interface McastGroupSpec {
  name: string;
  /** Group number for raw families; genetlink groups are resolved by name at run time. */
  value?: number;
}

export type Protocol = 'netlink-raw' | 'genetlink' | 'genetlink-c' | 'genetlink-legacy';

export interface FamilySpec {
  /** The spec's name: 'rt-link', 'ethtool', 'conntrack', ... (genetlink: the family name to resolve). */
  name: string;
  protocol: Protocol;
  /** Netlink protocol number (socket(AF_NETLINK, SOCK_RAW, protonum)); 16 for genetlink. */
  protonum: number;
  /** Generic netlink family version (genlmsghdr.version). */
  version?: number;
  /** A genetlink family with a fixed id (nlctrl: 0x10). */
  fixedId?: number;
  doc?: string;
  /** Where the spec came from. */
  source: string;
  /** C name prefix of message types, e.g. 'rtm-' (RTM_NEWLINK). */
  opPrefix?: string;
  consts?: Record<string, number>;
  enums: Record<string, EnumSpec>;
  structs: Record<string, StructSpec>;
  sets: Record<string, AttrSetSpec>;
  subMessages: Record<string, SubMessageSpec>;
  messages: MessageSpec[];
  mcastGroups: McastGroupSpec[];
}
