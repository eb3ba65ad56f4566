// Generic netlink family resolution through the ctrl family (nlctrl, id
// 0x10), cached per socket. The cache forgets a family when the socket sees
// CTRL_CMD_DELFAMILY for it (subscribe to nlctrl's "notify" group to see
// them) and can be cleared by hand.
//
//   genlmsghdr: ┌─────┬─────────┬──────────┐
//               │ cmd │ version │ reserved │   u8 u8 u16
//               └─────┴─────────┴──────────┘

import { NETLINK_GENERIC } from '../codec/constants.js';
import { ArgumentError, NetlinkError } from '../codec/errors.js';
import type { AttributeDecoder } from '../codec/attributes.js';
import type { NetlinkSocket } from './socket.js';
import { GENL_HDRLEN } from '../schema/compile.js';
import type { Message } from './received.js';

export const GENL_ID_CTRL = 0x10;
export const CTRL_CMD_NEWFAMILY = 1;
export const CTRL_CMD_DELFAMILY = 2;
export const CTRL_CMD_GETFAMILY = 3;
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

export interface GenlFamily {
  id: number;
  name: string;
  version: number;
  headerSize: number;
  maxAttribute: number;
  /** Operations: command number → GENL_* flags. */
  operations: Map<number, number>;
  /** Multicast groups: name → group id. */
  groups: Map<string, number>;
}

export function genlHeader(cmd: number, version: number): Uint8Array {
  return Uint8Array.of(cmd, version, 0, 0);
}

/** Decodes the attributes of a CTRL_CMD_NEWFAMILY message. */
export function readFamily(d: AttributeDecoder): GenlFamily {
  const family: GenlFamily = { id: 0, name: '', version: 0, headerSize: 0, maxAttribute: 0, operations: new Map(), groups: new Map() };
  while (d.next()) {
    switch (d.type) {
      case CTRL_ATTR_FAMILY_ID: family.id = d.u16(); break;
      case CTRL_ATTR_FAMILY_NAME: family.name = d.string(); break;
      case CTRL_ATTR_VERSION: family.version = d.u32(); break;
      case CTRL_ATTR_HDRSIZE: family.headerSize = d.u32(); break;
      case CTRL_ATTR_MAXATTR: family.maxAttribute = d.u32(); break;
      case CTRL_ATTR_OPS:
        d.nested((ops) => {
          while (ops.next()) {
            let id = 0;
            let flags = 0;
            ops.nested((op) => {
              while (op.next()) {
                if (op.type === CTRL_ATTR_OP_ID) id = op.u32();
                else if (op.type === CTRL_ATTR_OP_FLAGS) flags = op.u32();
              }
            });
            family.operations.set(id, flags);
          }
        });
        break;
      case CTRL_ATTR_MCAST_GROUPS:
        d.nested((groups) => {
          while (groups.next()) {
            let name = '';
            let id = 0;
            groups.nested((g) => {
              while (g.next()) {
                if (g.type === CTRL_ATTR_MCAST_GRP_NAME) name = g.string();
                else if (g.type === CTRL_ATTR_MCAST_GRP_ID) id = g.u32();
              }
            });
            family.groups.set(name, id);
          }
        });
        break;
    }
  }
  d.finish();
  return family;
}

export class GenlResolver {
  private readonly cache = new Map<string, Promise<GenlFamily>>();

  constructor(private readonly socket: NetlinkSocket) {
    if (socket.transport.protocol !== NETLINK_GENERIC) throw new ArgumentError('generic netlink families resolve on a NETLINK_GENERIC socket');
    socket.observe((message) => this.observe(message));
  }

  /** The family named `name` (e.g. "nlctrl", "ethtool"); ENOENT if the kernel has none. */
  resolve(name: string): Promise<GenlFamily> {
    let family = this.cache.get(name);
    if (!family) {
      family = this.fetch(name);
      this.cache.set(name, family);
      family.catch(() => this.cache.delete(name));
    }
    return family;
  }

  /** The multicast group id of `group` in family `name`. */
  async group(name: string, group: string): Promise<number> {
    const family = await this.resolve(name);
    const id = family.groups.get(group);
    if (id === undefined) throw new NetlinkError(2, { operation: `genl group ${name}/${group}` });
    return id;
  }

  /** Forgets cached families (all, or the one named). */
  invalidate(name?: string): void {
    if (name === undefined) this.cache.clear();
    else this.cache.delete(name);
  }

  /** Feeds a message seen on the socket: CTRL_CMD_DELFAMILY invalidates that family. */
  observe(message: Message): void {
    if (message.type !== GENL_ID_CTRL || message.bytes.length < 20) return;
    const cmd = message.bytes[16];
    if (cmd !== CTRL_CMD_DELFAMILY && cmd !== CTRL_CMD_NEWFAMILY) return;
    const list = message.attributes(this.socket.codec, GENL_HDRLEN);
    const at = list.find(CTRL_ATTR_FAMILY_NAME);
    if (at >= 0) this.invalidate(list.string(at));
  }

  private async fetch(name: string): Promise<GenlFamily> {
    const reply = await this.socket.request({
      type: GENL_ID_CTRL,
      header: genlHeader(CTRL_CMD_GETFAMILY, 1),
      attributes: (b) => b.string(CTRL_ATTR_FAMILY_NAME, name),
    }, { ack: false });
    const message = reply.messages[0];
    if (!message) throw new NetlinkError(2, { operation: `genl resolve ${name}` });
    return readFamily(message.attributes(this.socket.codec, GENL_HDRLEN).decoder());
  }
}
