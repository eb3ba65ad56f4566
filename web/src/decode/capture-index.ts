// Indexing a capture: every record read, every datagram scanned by the WASM
// codec (many datagrams per scan call), one row per netlink message in the
// columns. Broken input becomes rows with a status and an error that names
// the byte offset in the file; nothing is dropped silently.
//
//   file bytes ─► TraceDecoder ─► records ─► scanner region (batched) ─► scan ─► rows
//                                     └─ problem records ─────────────────────► rows

import {
  type Codec, type Scanner, DecodeError, MalformedError, TruncatedError,
  NLM_F_REQUEST, NLMSG_MIN_TYPE, NETLINK_GENERIC, STATUS_OK, STATUS_TRUNCATED,
} from '../../../src/codec/index.js';
import { TraceDecoder, type TraceFormat } from '../../../src/trace/index.js';
import { ColumnBuilder, type Columns } from '../shared/columns.js';
import {
  DIR_IN, DIR_OUT, DIR_UNKNOWN, NO_PROTOCOL, ROW_BAD_ATTRIBUTES, ROW_MALFORMED, ROW_RECORD_PROBLEM, ROW_TRUNCATED,
} from '../shared/status.js';
import { Catalog, CTRL_CMD_NEWFAMILY, GENL_ID_CTRL, announcedFamily, type MessageInfo } from './catalog.js';
import { StringTable } from './string-table.js';

/** Datagrams are copied into the scanner region and scanned together up to these bounds. */
const BATCH_BYTES = 1 << 20;
const BATCH_DATAGRAMS = 8192;

export interface IndexProgress {
  bytes: number;
  total: number;
  rows: number;
}

export interface CaptureIndex {
  format: TraceFormat | null;
  records: number;
  columns: Columns;
  strings: StringTable;
  /** The whole file; rows point into it by fileOffset. */
  bytes: Uint8Array;
  /** Error text of the rows that have one. */
  errors: Map<number, string>;
  /** Problem of a record whose messages are still listed (e.g. cut by the snap length). */
  recordNotes: Map<number, string>;
  /** Names, with the generic netlink family ids learned from the controller's replies. */
  catalog: Catalog;
  /** The capture interface name (pcapng if_name) first seen for each protocol. */
  interfaces: Map<number, string>;
}

/** A decoding error moved to a file offset, with batch-relative wording replaced. */
export function relocate(e: DecodeError, fileOffset: number, record: number): DecodeError {
  const text = e.message.replace(/ \(at byte \d+\)$/, '').replace(/datagram \d+/g, `record ${record}`);
  return e instanceof TruncatedError ? new TruncatedError(text, fileOffset) : new MalformedError(text, fileOffset);
}

export function errorText(e: { name: string; message: string }): string {
  return `${e.name}: ${e.message}`;
}

interface Pending {
  record: number;
  fileOffset: number;
  length: number;
  time: number;
  direction: number;
  protocol: number;
  /** Port id from the cooked header's address, -1 when it has none. */
  sender: number;
}

export function indexCapture(bytes: Uint8Array, codec: Codec, onProgress?: (p: IndexProgress) => void): CaptureIndex {
  const builder = new ColumnBuilder(Math.max(1024, Math.min(1 << 20, bytes.length >>> 6)));
  const strings = new StringTable();
  const errors = new Map<number, string>();
  const recordNotes = new Map<number, string>();
  const catalog = new Catalog(codec);
  const interfaces = new Map<number, string>();
  const scanner: Scanner = codec.scanner();
  const infoCache = new Map<number, { info: MessageInfo; family: number; name: number }>();
  const pending: Pending[] = [];
  let pendingBytes = 0;
  let records = 0;

  const decoder = new TraceDecoder({ maxRecordBytes: Math.max(16 << 20, bytes.length) });
  decoder.push(bytes);
  decoder.end();

  const infoOf = (protocol: number, type: number, flags: number, firstByte: number) => {
    const request = (flags & NLM_F_REQUEST) !== 0 ? 1 : 0;
    const key = ((protocol * 0x10000 + type) * 2 + request) * 512 + (firstByte + 1);
    let hit = infoCache.get(key);
    if (!hit) {
      const info = catalog.describe(protocol, type, flags, firstByte);
      hit = { info, family: strings.id(info.family), name: strings.id(info.name) };
      infoCache.set(key, hit);
    }
    return hit;
  };

  const problemRow = (record: number, fileOffset: number, time: number, length: number, text: string, protocol: number, direction: number) => {
    const row = builder.add();
    const c = builder.columns;
    c.record[row] = record;
    c.time[row] = time;
    c.fileOffset[row] = fileOffset;
    c.length[row] = length;
    c.protocol[row] = protocol;
    c.direction[row] = direction;
    c.status[row] = ROW_RECORD_PROBLEM;
    c.family[row] = strings.id(protocol === NO_PROTOCOL ? 'capture' : catalog.describe(protocol, NLMSG_MIN_TYPE, 0, -1).family);
    c.name[row] = strings.id('record problem');
    errors.set(row, text);
  };

  const flush = () => {
    if (pending.length === 0) return;
    // Table first, region second: table growth may move memory, the region view must be taken last.
    let at = 0;
    for (let k = 0; k < pending.length; k++) {
      scanner.setDatagram(k, at, pending[k]!.length);
      at += pending[k]!.length;
    }
    const region = scanner.input(at);
    at = 0;
    for (const p of pending) {
      region.set(bytes.subarray(p.fileOffset, p.fileOffset + p.length), at);
      at += p.length;
    }
    const starts = new Float64Array(pending.length);
    for (let k = 0, s = 0; k < pending.length; k++) {
      starts[k] = s;
      s += pending[k]!.length;
    }
    const batch = scanner.scan(pending.length);
    const seen = new Uint8Array(pending.length);
    const mem = codec.memory;
    for (let i = 0; i < batch.count; i++) {
      const d = batch.datagram(i);
      const p = pending[d]!;
      seen[d] = 1;
      const offset = batch.offset(i);
      const fileOffset = p.fileOffset + (offset - starts[d]!);
      const type = batch.type(i);
      const flags = batch.flags(i);
      const pid = batch.pid(i);
      const length = batch.length(i);
      const status = batch.status(i);
      const row = builder.add();
      const c = builder.columns;
      c.record[row] = p.record;
      c.time[row] = p.time;
      c.fileOffset[row] = fileOffset;
      c.length[row] = length;
      c.type[row] = type;
      c.flags[row] = flags;
      c.seq[row] = batch.seq(i);
      c.pid[row] = pid;
      c.protocol[row] = p.protocol;
      c.direction[row] = p.direction;
      const outgoing = p.direction === DIR_OUT || (p.direction === DIR_UNKNOWN && (flags & NLM_F_REQUEST) !== 0);
      c.port[row] = outgoing && p.sender > 0 ? p.sender : pid;
      if (status !== STATUS_OK) {
        c.status[row] = status === STATUS_TRUNCATED ? ROW_TRUNCATED : ROW_MALFORMED;
        const e = batch.error(i)!;
        errors.set(row, errorText(relocate(e, p.fileOffset + (e.offset - starts[d]!), p.record)));
        c.family[row] = strings.id(catalog.describe(p.protocol, NLMSG_MIN_TYPE, 0, -1).family);
        c.name[row] = strings.id(length >= 16 ? catalog.describe(p.protocol, type, flags, -1).name : 'broken header');
        continue;
      }
      c.errno[row] = batch.errorCode(i);
      const firstByte = length > 16 ? mem.u8[batch.regionAddress + offset + 16]! : -1;
      const hit = infoOf(p.protocol, type, flags, firstByte);
      c.family[row] = hit.family;
      c.name[row] = hit.name;
      c.flagContext[row] = hit.info.flagContext;
      const info = hit.info;
      if (type < NLMSG_MIN_TYPE || info.headerLength === null) continue;
      const set = info.schema?.set;
      try {
        const list = batch.attributes(i, info.headerLength, set ? { nestMap: set.family.nestMap, rootSet: set.index } : undefined);
        const e = list.firstError();
        if (e) {
          c.status[row] = ROW_BAD_ATTRIBUTES;
          errors.set(row, errorText(relocate(e, p.fileOffset + (e.offset - starts[d]!), p.record)));
        } else if (p.protocol === NETLINK_GENERIC && type === GENL_ID_CTRL && firstByte === CTRL_CMD_NEWFAMILY) {
          const announced = announcedFamily(list);
          if (announced && catalog.bindGenl(announced.id, announced.name)) infoCache.clear(); // names of that id change from here on
        }
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        c.status[row] = e instanceof TruncatedError ? ROW_TRUNCATED : ROW_MALFORMED;
        errors.set(row, errorText(relocate(e, p.fileOffset + (e.offset - starts[d]!), p.record)));
      }
    }
    // A datagram with no message at all (zero bytes) still gets a row: nothing is dropped silently.
    for (let k = 0; k < pending.length; k++) {
      if (seen[k]) continue;
      const p = pending[k]!;
      problemRow(p.record, p.fileOffset, p.time, 0, `MalformedError: record ${p.record} carries an empty netlink datagram (at byte ${p.fileOffset})`, p.protocol, p.direction);
    }
    pending.length = 0;
    pendingBytes = 0;
  };

  for (let r = decoder.next(); r !== null; r = decoder.next()) {
    records++;
    const time = r.timeMs ?? NaN;
    const direction = r.direction === 'in' ? DIR_IN : r.direction === 'out' ? DIR_OUT : DIR_UNKNOWN;
    const protocol = r.netlink ? r.protocol : NO_PROTOCOL;
    if (r.iface?.name && r.netlink && !interfaces.has(protocol)) interfaces.set(protocol, r.iface.name);
    const payloadOffset = r.payload.buffer === bytes.buffer ? r.payload.byteOffset - bytes.byteOffset : -1;
    if (r.kind === 'problem' || !r.netlink || r.payload.length === 0 || payloadOffset < 0) {
      flush();
      const text = r.problem ? errorText(r.problem)
        : payloadOffset < 0 && r.payload.length > 0 ? `MalformedError: record ${r.number} could not be located in the file (at byte ${r.fileOffset})`
          : !r.netlink ? `MalformedError: record ${r.number} does not carry netlink (link type ${r.linkType}) (at byte ${r.fileOffset})`
            : `MalformedError: record ${r.number} carries an empty netlink datagram (at byte ${r.fileOffset})`;
      problemRow(r.number, r.fileOffset, time, r.capturedLength, text, protocol, direction);
      continue;
    }
    if (r.problem) recordNotes.set(r.number, errorText(r.problem));
    const address = r.address;
    const sender = address.length === 4 ? ((address[0]! << 24) | (address[1]! << 16) | (address[2]! << 8) | address[3]!) >>> 0 : -1;
    pending.push({ record: r.number, fileOffset: payloadOffset, length: r.payload.length, time, direction, protocol, sender });
    pendingBytes += r.payload.length;
    if (pendingBytes >= BATCH_BYTES || pending.length >= BATCH_DATAGRAMS) {
      flush();
      onProgress?.({ bytes: decoder.position, total: bytes.length, rows: builder.columns.count });
    }
  }
  flush();
  scanner.release();
  onProgress?.({ bytes: bytes.length, total: bytes.length, rows: builder.columns.count });
  return {
    format: decoder.format, records, columns: builder.finish(), strings, bytes, errors, recordNotes, catalog, interfaces,
  };
}
