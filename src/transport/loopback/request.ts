// A request message as the emulated kernel's input callback sees it: the
// header fields, who sent it (NETLINK_CB: port id and credentials), and the
// bytes, with attribute access through the kernel's own codec.

import type { AttributeList, WalkOptions } from '../../codec/attributes.js';
import type { Scanner } from '../../codec/batch.js';
import { NLMSG_HDRLEN } from '../../codec/constants.js';
import type { Credentials } from './environment.js';

export class KernelRequest {
  constructor(
    /** nlmsg_type */
    readonly type: number,
    /** nlmsg_flags */
    readonly flags: number,
    /** nlmsg_seq */
    readonly seq: number,
    /** nlmsg_pid as the sender wrote it (not necessarily its port). */
    readonly pid: number,
    /** The sender's port id, u32 (NETLINK_CB(skb).portid). */
    readonly portId: number,
    readonly credentials: Credentials,
    readonly protocol: number,
    readonly netns: string,
    /** The whole message, header included (a copy owned by the request). */
    readonly bytes: Uint8Array,
    /** The sender set strictCheck (NETLINK_GET_STRICT_CHK): validate dump headers strictly. */
    readonly strictCheck: boolean,
    private readonly scanner: Scanner,
  ) {}

  /** nlmsg_len as declared. */
  get length(): number {
    return this.bytes.length;
  }

  /** The bytes after the netlink header. */
  get payload(): Uint8Array {
    return this.bytes.subarray(NLMSG_HDRLEN);
  }

  /** A little-endian view of the payload, for reading a family header. */
  payloadView(): DataView {
    const payload = this.payload;
    return new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  }

  /**
   * The attributes after a family header of `familyHeaderLength` bytes.
   * Offsets in the list are offsets into this message, as extended ACKs
   * report them. Valid until the next attributes() call of any request.
   * Throws a TruncatedError when the message is shorter than the header.
   */
  attributes(familyHeaderLength: number, options?: WalkOptions): AttributeList {
    return this.scanner.scanBytes(this.bytes).attributes(0, familyHeaderLength, options);
  }
}
