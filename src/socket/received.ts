// What the socket engine hands out: received batches (zero-copy, valid until
// released) and detached messages (copies, kept as long as wanted).

import type { Batch } from '../codec/batch.js';
import type { AttributeList, WalkOptions } from '../codec/attributes.js';
import type { Codec } from '../codec/codec.js';
import {
  RECV_META_STRIDE, RECV_META_PORT, RECV_META_GROUPS, RECV_META_GROUP, RECV_META_PID, RECV_META_UID,
  RECV_META_GID, RECV_META_NSID, RECV_META_FLAGS, RECV_FLAG_CREDENTIALS, RECV_FLAG_NSID, RECV_FLAG_GROUP,
  RECV_FLAG_TRUNCATED, RECV_META_SIZE, type Credentials,
} from '../transport/transport.js';
import { scratch } from './scratch.js';

export type { Credentials };

/** Where a datagram came from, as the socket layer saw it. */
export interface Origin {
  /** Sender's port id (0: the kernel). */
  port: number;
  /** Destination group mask (groups 1..32), 0 for unicast. */
  groups: number;
  /** Destination group number (with packetInfo), 0 if unknown or unicast. */
  group: number;
  /** Sender credentials (with passCredentials). */
  credentials?: Credentials;
  /** Peer network namespace id (with listenAllNsid). */
  nsid?: number;
}

/** Reads the metadata row of datagram d. */
export function originOf(meta: Uint32Array, d: number): Origin {
  const row = d * RECV_META_STRIDE;
  const flags = meta[row + RECV_META_FLAGS]!;
  const origin: Origin = {
    port: meta[row + RECV_META_PORT]!,
    groups: meta[row + RECV_META_GROUPS]!,
    group: flags & RECV_FLAG_GROUP ? meta[row + RECV_META_GROUP]! : 0,
  };
  if (flags & RECV_FLAG_CREDENTIALS) {
    origin.credentials = { pid: meta[row + RECV_META_PID]!, uid: meta[row + RECV_META_UID]!, gid: meta[row + RECV_META_GID]! };
  }
  if (flags & RECV_FLAG_NSID) origin.nsid = meta[row + RECV_META_NSID]! | 0;
  return origin;
}

/** The real size of datagram d when it was truncated, else undefined. */
export function truncatedSize(meta: Uint32Array, d: number): number | undefined {
  const row = d * RECV_META_STRIDE;
  return meta[row + RECV_META_FLAGS]! & RECV_FLAG_TRUNCATED ? meta[row + RECV_META_SIZE]! : undefined;
}

/**
 * Messages of one receive, read in place: the Batch of the scan, the
 * datagram metadata, and which of the batch's messages belong to the
 * consumer. Valid until the consumer asks for the next one.
 */
export interface ReceivedBatch {
  readonly batch: Batch;
  readonly meta: Uint32Array;
  /** Indices into `batch` of the messages for this consumer, in order. */
  readonly indices: Int32Array;
  readonly count: number;
}

/** A message copied out of a batch, with its origin. */
export class Message {
  constructor(
    readonly type: number,
    readonly flags: number,
    readonly seq: number,
    readonly pid: number,
    /** The whole message, header included. */
    readonly bytes: Uint8Array,
    readonly origin: Origin,
  ) {}

  static fromBatch(batch: Batch, i: number, meta: Uint32Array): Message {
    return new Message(batch.type(i), batch.flags(i), batch.seq(i), batch.pid(i), batch.copy(i), originOf(meta, batch.datagram(i)));
  }

  /** The payload after the 16-byte header. */
  get payload(): Uint8Array {
    return this.bytes.subarray(16);
  }

  /**
   * Walks the attributes after a family header of `familyHeaderLength`
   * bytes. The list lives in a scratch region shared by all detached
   * messages: it is valid until the next such call.
   */
  attributes(codec: Codec, familyHeaderLength: number, options?: WalkOptions): AttributeList {
    return scratch(codec).scanBytes(this.bytes).attributes(0, familyHeaderLength, options);
  }
}
