// The message list as columns: one typed array per field, one entry per row
// (a netlink message, or a capture record that yielded none). The worker
// builds them and sends copies to the page, transferred, never as objects.

export interface Columns {
  count: number;
  /** 1-based record number in the capture. */
  record: Uint32Array;
  /** Milliseconds since the epoch (fractional); NaN when the record has no time. */
  time: Float64Array;
  /** Offset of the message (or record) in the file. */
  fileOffset: Float64Array;
  /** nlmsg_len, or the bytes that were there for a broken message. */
  length: Uint32Array;
  type: Uint16Array;
  flags: Uint16Array;
  seq: Uint32Array;
  /** nlmsg_pid as written in the header. */
  pid: Uint32Array;
  /** The user-space socket's port id: the sender's for outgoing messages, nlmsg_pid for incoming. */
  port: Uint32Array;
  /** Netlink protocol, NO_PROTOCOL for none. */
  protocol: Uint16Array;
  /** DIR_UNKNOWN / DIR_IN / DIR_OUT. */
  direction: Uint8Array;
  /** ROW_* status. */
  status: Uint8Array;
  /** Errno of an NLMSG_ERROR or NLMSG_DONE (negative), else 0. */
  errno: Int32Array;
  /** String table ids of the family and of the message name. */
  family: Uint16Array;
  name: Uint16Array;
  /** FLAG_CONTEXT_* for naming the flags. */
  flagContext: Uint8Array;
}

export const COLUMN_KEYS = [
  'record', 'time', 'fileOffset', 'length', 'type', 'flags', 'seq', 'pid', 'port', 'protocol', 'direction', 'status',
  'errno', 'family', 'name', 'flagContext',
] as const;

export type ColumnKey = (typeof COLUMN_KEYS)[number];

type ArrayCtor = { new (n: number): Columns[ColumnKey] };

const CTORS: Record<ColumnKey, ArrayCtor> = {
  record: Uint32Array, time: Float64Array, fileOffset: Float64Array, length: Uint32Array, type: Uint16Array,
  flags: Uint16Array, seq: Uint32Array, pid: Uint32Array, port: Uint32Array, protocol: Uint16Array,
  direction: Uint8Array, status: Uint8Array, errno: Int32Array, family: Uint16Array, name: Uint16Array,
  flagContext: Uint8Array,
};

/** Columns that grow by doubling while rows are appended. */
export class ColumnBuilder {
  columns: Columns;
  private capacity: number;

  constructor(initial = 4096) {
    this.capacity = initial;
    this.columns = allocate(initial, 0);
  }

  /** Index of a new row (its fields are zero until set). */
  add(): number {
    const c = this.columns;
    if (c.count === this.capacity) {
      this.capacity *= 2;
      const grown = allocate(this.capacity, c.count);
      for (const key of COLUMN_KEYS) (grown[key] as Uint8Array).set(c[key] as Uint8Array);
      this.columns = grown;
    }
    return this.columns.count++;
  }

  /** The columns trimmed to their rows. */
  finish(): Columns {
    const c = this.columns;
    const out = { count: c.count } as Columns;
    for (const key of COLUMN_KEYS) (out as unknown as Record<string, unknown>)[key] = (c[key] as Uint8Array).slice(0, c.count);
    return out;
  }
}

function allocate(capacity: number, count: number): Columns {
  const out = { count } as Columns;
  for (const key of COLUMN_KEYS) (out as unknown as Record<string, unknown>)[key] = new CTORS[key](capacity);
  return out;
}

/** Copies of the columns and the list of their buffers, for postMessage transfer. */
export function copyForTransfer(c: Columns): { columns: Columns; transfer: ArrayBuffer[] } {
  const out = { count: c.count } as Columns;
  const transfer: ArrayBuffer[] = [];
  for (const key of COLUMN_KEYS) {
    const copy = (c[key] as Uint8Array).slice();
    (out as unknown as Record<string, unknown>)[key] = copy;
    transfer.push(copy.buffer as ArrayBuffer);
  }
  return { columns: out, transfer };
}
