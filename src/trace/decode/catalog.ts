// Names for what a capture holds: message types, families and their
// attribute sets. Every name `nlkit decode` and the browser viewer show comes
// through a Catalog, which asks a schema registry (src/schema) built from the
// shipped family specs.
// A catalog belongs to one capture, because generic netlink family ids are
// learned from that capture's controller replies.

import {
  type AttributeList, type Codec, NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN, NLMSG_MIN_TYPE, NETLINK_GENERIC, NLM_F_REQUEST,
} from '../../codec/index.js';
import { protocolName } from '../protocols.js';
import { allFamilySpecs } from '../../families/generated/index.js';
import { SchemaRegistry, type Family, type MessageSchema } from '../../schema/index.js';
import {
  FLAG_CONTEXT_ACK, FLAG_CONTEXT_DELETE, FLAG_CONTEXT_GET, FLAG_CONTEXT_NEW, FLAG_CONTEXT_NONE, type FlagContext,
} from './flags.js';

/** struct genlmsghdr { u8 cmd; u8 version; u16 reserved; } */
export const GENL_HEADER_BYTES = 4;
/** GENL_ID_CTRL: the controller's fixed family id. */
export const GENL_ID_CTRL = 0x10;

const CONTROL_NAMES: Record<number, string> = {
  [NLMSG_NOOP]: 'NLMSG_NOOP', [NLMSG_ERROR]: 'NLMSG_ERROR', [NLMSG_DONE]: 'NLMSG_DONE', [NLMSG_OVERRUN]: 'NLMSG_OVERRUN',
};

/** CTRL_CMD_NEWFAMILY and the controller attributes that name a family id. */
export const CTRL_CMD_NEWFAMILY = 1;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;

/**
 * The (id, name) a controller message announces, from the attributes of a
 * GENL_ID_CTRL message whose command is CTRL_CMD_NEWFAMILY; null when they
 * are not both there. Replies to CTRL_CMD_GETFAMILY and the controller's
 * notifications both carry it: this is how a capture teaches its own ids.
 */
export function announcedFamily(list: AttributeList): { id: number; name: string } | null {
  const id = list.find(CTRL_ATTR_FAMILY_ID);
  const name = list.find(CTRL_ATTR_FAMILY_NAME);
  if (id < 0 || name < 0 || list.payloadLength(id) < 2) return null;
  return { id: list.u16(id), name: list.string(name) };
}

/** What a decoder knows about one message type. */
export interface MessageInfo {
  /** Family (schema name, e.g. 'rt-link'), 'netlink' for control messages, else the protocol's name. */
  family: string;
  /** RTM_NEWLINK, NLMSG_ERROR, CTRL_CMD_GETFAMILY... or 'type 0x0024'. */
  name: string;
  schema: MessageSchema | null;
  /** Bytes after nlmsghdr before the attributes (unaligned), null when unknown. */
  headerLength: number | null;
  flagContext: FlagContext;
}

function contextOf(m: MessageSchema, request: boolean): FlagContext {
  if (!request) return FLAG_CONTEXT_NONE;
  const op = m.op;
  if (m.kind === 'dump' || op.startsWith('get')) return FLAG_CONTEXT_GET;
  if (/^(new|add|set|create)/.test(op)) return FLAG_CONTEXT_NEW;
  if (/^(del|delete|destroy)/.test(op)) return FLAG_CONTEXT_DELETE;
  return FLAG_CONTEXT_NONE;
}

const hexType = (type: number) => `type 0x${type.toString(16).padStart(4, '0')}`;

export class Catalog {
  readonly registry: SchemaRegistry;
  /** Generic netlink family id → name, as seen in the capture (the controller's own included). */
  readonly genl = new Map<number, string>([[GENL_ID_CTRL, 'nlctrl']]);

  /** A fresh registry per catalog: the genetlink ids it learns belong to one capture. */
  constructor(codec: Codec) {
    this.registry = new SchemaRegistry(allFamilySpecs, codec);
  }

  /** Records a family id from a CTRL_CMD_NEWFAMILY; true when it changed anything. */
  bindGenl(id: number, name: string): boolean {
    if (this.genl.get(id) === name) return false;
    this.genl.set(id, name);
    this.registry.bindGenlFamily(id, name);
    return true;
  }

  /** The extended-ack family (NLMSGERR_ATTR_* names). */
  get errorFamily(): Family {
    return this.registry.family('nlmsgerr');
  }

  /**
   * Names message `type` of `protocol`. `firstByte` is the first payload
   * byte (genetlink: the command; sock_diag: the address family), -1 when absent.
   */
  describe(protocol: number, type: number, flags: number, firstByte: number): MessageInfo {
    if (type < NLMSG_MIN_TYPE) {
      return {
        family: 'netlink', name: CONTROL_NAMES[type] ?? `NLMSG ${type}`, schema: null, headerLength: null,
        flagContext: type === NLMSG_ERROR ? FLAG_CONTEXT_ACK : FLAG_CONTEXT_NONE,
      };
    }
    const request = (flags & NLM_F_REQUEST) !== 0;
    const genl = protocol === NETLINK_GENERIC;
    const candidates = genl && firstByte < 0 ? [] : this.registry.candidates(protocol, type, request ? 'request' : 'reply', genl ? firstByte : undefined);
    const m = candidates.find((c) => !c.match || c.match.includes(firstByte));
    if (m) return { family: m.family.name, name: m.cName, schema: m, headerLength: m.headerLength, flagContext: contextOf(m, request) };
    if (genl) {
      return {
        family: this.genl.get(type) ?? `genl 0x${type.toString(16)}`, name: firstByte >= 0 ? `cmd ${firstByte}` : hexType(type),
        schema: null, headerLength: GENL_HEADER_BYTES, flagContext: FLAG_CONTEXT_NONE,
      };
    }
    return { family: protocolName(protocol), name: hexType(type), schema: null, headerLength: null, flagContext: FLAG_CONTEXT_NONE };
  }
}
