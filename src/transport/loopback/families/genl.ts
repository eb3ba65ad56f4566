// An emulated generic netlink: the family registry and its controller,
// nlctrl (family 0x10). CTRL_CMD_GETFAMILY answers by name or id and dumps
// every family; registering or removing a family multicasts
// CTRL_CMD_NEWFAMILY / DELFAMILY (and NEW/DELMCAST_GRP per group) on nlctrl's
// "notify" group in every namespace. Families registered here are reachable
// at their id with their own handlers, so tests can emulate any family.
//
//   genl message ┌──────────┬───────────────────────────┬──────────────┬──────────────┐
//                │ nlmsghdr │ genlmsghdr: cmd version 0 │ family header│ attributes   │
//                │ type = id│                           │ (hdrsize)    │              │
//                └──────────┴───────────────────────────┴──────────────┴──────────────┘

import type { MessageBuilder } from '../../../codec/builder.js';
import { NETLINK_GENERIC, NLM_F_DUMP } from '../../../codec/constants.js';
import { ArgumentError, NetlinkError } from '../../../codec/errors.js';
import type { KernelContext } from '../context.js';
import type { DumpSource } from '../dump.js';
import type { LoopbackKernel } from '../kernel.js';
import type { KernelRequest } from '../request.js';
import {
  GENL_HDRLEN, GENL_ID_CTRL, GENL_ID_VFS_DQUOT, GENL_ID_PMCRAID, GENL_START_ALLOC, GENL_MAX_ID,
  CTRL_CMD_NEWFAMILY, CTRL_CMD_DELFAMILY, CTRL_CMD_GETFAMILY, CTRL_CMD_NEWMCAST_GRP, CTRL_CMD_DELMCAST_GRP,
  CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_VERSION, CTRL_ATTR_HDRSIZE, CTRL_ATTR_MAXATTR,
  CTRL_ATTR_OPS, CTRL_ATTR_MCAST_GROUPS, CTRL_ATTR_OP_ID, CTRL_ATTR_OP_FLAGS, CTRL_ATTR_MCAST_GRP_NAME,
  CTRL_ATTR_MCAST_GRP_ID, GENL_CMD_CAP_DO, GENL_CMD_CAP_DUMP, GENL_CMD_CAP_HASPOL, GENL_CTRL_VERSION,
  GENL_CTRL_NAME, GENL_NOTIFY_GROUP_NAME, GENL_MIN_GROUPS,
} from './constants.js';
import { parseLevel, type Policy } from './policy.js';

const ENOENT = 2;
const EEXIST = 17;
const EINVAL = 22;
const ENOSPC = 28;
const EOPNOTSUPP = 95;
const GENL_NAMSIZ = 16;

/** The generic netlink header of a request. */
export interface GenlHeader {
  cmd: number;
  version: number;
}

export interface GenlOperation {
  cmd: number;
  /** GENL_ADMIN_PERM and the like, reported in CTRL_ATTR_OP_FLAGS with the CAP bits. */
  flags?: number;
  /** Declares an attribute policy (reported as GENL_CMD_CAP_HASPOL). */
  hasPolicy?: boolean;
  doit?: (request: KernelRequest, context: KernelContext, header: GenlHeader) => void | number;
  /** Returns the dump for a request with NLM_F_DUMP. */
  dumpit?: (request: KernelRequest, context: KernelContext, header: GenlHeader) => DumpSource;
}

export interface GenlFamilySpec {
  name: string;
  version?: number;
  /** Bytes of family header after genlmsghdr. */
  headerSize?: number;
  maxAttr?: number;
  ops?: GenlOperation[];
  /** Multicast group names; ids are assigned. */
  groups?: string[];
}

export interface EmulatedGenlFamily {
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly headerSize: number;
  readonly maxAttr: number;
  readonly ops: readonly GenlOperation[];
  readonly groups: readonly { name: string; id: number }[];
}

const CTRL_POLICY: Policy = {
  [CTRL_ATTR_FAMILY_ID]: { kind: 'binary' },
  [CTRL_ATTR_FAMILY_NAME]: { kind: 'string', maxLength: GENL_NAMSIZ - 1 },
};

export class GenericNetlinkEmulation {
  private readonly families = new Map<number, EmulatedGenlFamily>();
  /** Group ids in use; 0, 1 and the ids reserved with the fixed families are never handed out. */
  private readonly usedGroups = new Set<number>([0, 1, GENL_ID_CTRL, GENL_ID_VFS_DQUOT, GENL_ID_PMCRAID]);
  private nextId = GENL_START_ALLOC;

  constructor(private readonly kernel: LoopbackKernel) {
    this.families.set(GENL_ID_CTRL, {
      id: GENL_ID_CTRL, name: GENL_CTRL_NAME, version: GENL_CTRL_VERSION, headerSize: 0, maxAttr: 0,
      ops: [{
        cmd: CTRL_CMD_GETFAMILY, hasPolicy: true,
        doit: (request, context) => this.getFamily(request, context),
        dumpit: () => this.dumpFamilies(),
      }],
      groups: [{ name: GENL_NOTIFY_GROUP_NAME, id: GENL_ID_CTRL }],
    });
    kernel.register(NETLINK_GENERIC, (request, context) => this.handle(request, context), { groups: () => this.groupCount() });
  }

  /** How many groups generic sockets can join: whole longs of the group bitmap, at least two. */
  groupCount(): number {
    const highest = Math.max(0, ...this.usedGroups);
    return Math.max(GENL_MIN_GROUPS, Math.ceil((highest + 1) / 64) * 64);
  }

  /** Registers a family (genl_register_family): assigns its id and group ids and announces it. */
  registerFamily(spec: GenlFamilySpec): EmulatedGenlFamily {
    if (typeof spec?.name !== 'string' || spec.name.length === 0 || spec.name.length >= GENL_NAMSIZ) {
      throw new ArgumentError(`a family name must have 1..${GENL_NAMSIZ - 1} characters`);
    }
    if (this.family(spec.name)) throw new NetlinkError(EEXIST, { operation: 'registerFamily' });
    let id = this.nextId;
    while (this.families.has(id)) id = id >= GENL_MAX_ID ? GENL_START_ALLOC : id + 1;
    if (this.families.size > GENL_MAX_ID - GENL_START_ALLOC) throw new NetlinkError(ENOSPC, { operation: 'registerFamily' });
    this.nextId = id >= GENL_MAX_ID ? GENL_START_ALLOC : id + 1;
    const groups = (spec.groups ?? []).map((name) => {
      let group = 2;
      while (this.usedGroups.has(group)) group++;
      this.usedGroups.add(group);
      return { name, id: group };
    });
    const family: EmulatedGenlFamily = {
      id, name: spec.name, version: spec.version ?? 1, headerSize: spec.headerSize ?? 0, maxAttr: spec.maxAttr ?? 0,
      ops: [...(spec.ops ?? [])], groups,
    };
    this.families.set(id, family);
    this.announce(CTRL_CMD_NEWFAMILY, family);
    for (const group of groups) this.announceGroup(CTRL_CMD_NEWMCAST_GRP, family, group);
    return family;
  }

  /** Removes a family: its groups go first, then the family, each announced. */
  unregisterFamily(nameOrId: string | number): void {
    const family = this.family(nameOrId);
    if (!family || family.id === GENL_ID_CTRL) throw new NetlinkError(ENOENT, { operation: 'unregisterFamily' });
    for (const group of family.groups) {
      this.announceGroup(CTRL_CMD_DELMCAST_GRP, family, group);
      this.usedGroups.delete(group.id);
    }
    this.families.delete(family.id);
    this.announce(CTRL_CMD_DELFAMILY, family);
  }

  family(nameOrId: string | number): EmulatedGenlFamily | undefined {
    if (typeof nameOrId === 'number') return this.families.get(nameOrId);
    for (const family of this.families.values()) if (family.name === nameOrId) return family;
    return undefined;
  }

  list(): EmulatedGenlFamily[] {
    return [...this.families.values()].sort((a, b) => a.id - b.id);
  }

  private handle(request: KernelRequest, context: KernelContext): void | number {
    const family = this.families.get(request.type);
    if (!family) return -ENOENT;
    if (request.payload.length < GENL_HDRLEN + family.headerSize) return -EINVAL;
    const header: GenlHeader = { cmd: request.payload[0]!, version: request.payload[1]! };
    const op = family.ops.find((o) => o.cmd === header.cmd);
    if (!op) return -EOPNOTSUPP;
    if (request.flags & NLM_F_DUMP) {
      if (!op.dumpit) return -EOPNOTSUPP;
      context.dump(op.dumpit(request, context, header));
      return;
    }
    if (!op.doit) return -EOPNOTSUPP;
    return op.doit(request, context, header);
  }

  private getFamily(request: KernelRequest, context: KernelContext): void {
    const list = request.attributes(GENL_HDRLEN, { descend: false });
    const found = parseLevel(list, CTRL_POLICY);
    let family: EmulatedGenlFamily | undefined;
    const idAt = found.get(CTRL_ATTR_FAMILY_ID);
    const nameAt = found.get(CTRL_ATTR_FAMILY_NAME);
    if (idAt !== undefined) family = this.families.get(list.u16(idAt));
    else if (nameAt !== undefined) family = this.family(list.string(nameAt));
    else context.fail(EINVAL);
    if (!family) context.fail(ENOENT);
    context.reply(GENL_ID_CTRL, 0, (b) => writeFamily(b, CTRL_CMD_NEWFAMILY, family!));
  }

  private dumpFamilies(): DumpSource {
    let cursor = 0;
    return {
      fill: (part) => {
        let added = 0;
        for (const family of this.list()) {
          if (family.id <= cursor) continue;
          if (!part.message(GENL_ID_CTRL, (b) => writeFamily(b, CTRL_CMD_NEWFAMILY, family))) return true;
          cursor = family.id;
          added++;
        }
        return added > 0;
      },
    };
  }

  private announce(cmd: number, family: EmulatedGenlFamily): void {
    this.multicastAll(this.build((b) => writeFamily(b, cmd, family)));
  }

  private announceGroup(cmd: number, family: EmulatedGenlFamily, group: { name: string; id: number }): void {
    this.multicastAll(this.build((b) => {
      writeGenlHeader(b, cmd);
      b.string(CTRL_ATTR_FAMILY_NAME, family.name).u16(CTRL_ATTR_FAMILY_ID, family.id);
      b.nest(CTRL_ATTR_MCAST_GROUPS, () => {
        b.nest(1, () => b.u32(CTRL_ATTR_MCAST_GRP_ID, group.id).string(CTRL_ATTR_MCAST_GRP_NAME, group.name), false);
      }, false);
    }));
  }

  private build(fill: (b: MessageBuilder) => void): Uint8Array {
    const b = this.kernel.codec.builder().reset();
    b.begin(GENL_ID_CTRL, 0, 0, 0);
    fill(b);
    return b.end().finish().slice();
  }

  /** genlmsg_multicast_allns: the notify group in every namespace. */
  private multicastAll(bytes: Uint8Array): void {
    for (const netns of this.kernel.namespaceNames()) {
      this.kernel.broadcast(NETLINK_GENERIC, GENL_ID_CTRL, bytes, { netns });
    }
  }
}

function writeGenlHeader(b: MessageBuilder, cmd: number): void {
  const at = b.reserve(GENL_HDRLEN);
  if (at) {
    b.memory.u8[at] = cmd;
    b.memory.u8[at + 1] = GENL_CTRL_VERSION;
  }
}

/** ctrl_fill_info: the family's name, id, version, sizes, operations and groups. */
function writeFamily(b: MessageBuilder, cmd: number, family: EmulatedGenlFamily): void {
  writeGenlHeader(b, cmd);
  b.string(CTRL_ATTR_FAMILY_NAME, family.name)
    .u16(CTRL_ATTR_FAMILY_ID, family.id)
    .u32(CTRL_ATTR_VERSION, family.version)
    .u32(CTRL_ATTR_HDRSIZE, family.headerSize)
    .u32(CTRL_ATTR_MAXATTR, family.maxAttr);
  if (family.ops.length > 0) {
    b.nest(CTRL_ATTR_OPS, () => {
      family.ops.forEach((op, i) => {
        const flags = (op.flags ?? 0) | (op.doit ? GENL_CMD_CAP_DO : 0) | (op.dumpit ? GENL_CMD_CAP_DUMP : 0)
          | (op.hasPolicy ? GENL_CMD_CAP_HASPOL : 0);
        b.nest(i + 1, () => b.u32(CTRL_ATTR_OP_ID, op.cmd).u32(CTRL_ATTR_OP_FLAGS, flags), false);
      });
    }, false);
  }
  if (family.groups.length > 0) {
    b.nest(CTRL_ATTR_MCAST_GROUPS, () => {
      family.groups.forEach((group, i) => {
        b.nest(i + 1, () => b.u32(CTRL_ATTR_MCAST_GRP_ID, group.id).string(CTRL_ATTR_MCAST_GRP_NAME, group.name), false);
      });
    }, false);
  }
}
