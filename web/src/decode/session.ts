// One opened capture in the worker: the index, the pairing, and the answers
// to the page's questions (filter, details, summaries). Free of DOM and
// worker APIs, so that Node runs the very same code in the tests.

import { type Codec, errnoName } from '../../../src/codec/index.js';
import { protocolName } from '../../../src/trace/protocols.js';
import type { Columns } from '../shared/columns.js';
import type { FilterSpec } from '../shared/filter.js';
import { NO_PROTOCOL, ROW_OK, ROW_RECORD_PROBLEM } from '../shared/status.js';
import { indexCapture, type CaptureIndex, type IndexProgress } from './capture-index.js';
import { decodeMessage, type DecodedMessage, type DetailNode } from './detail.js';
import { pairMessages, type Pairing } from './pairing.js';
import { summarize } from './summary.js';

/** Replies listed in a request's detail; the rest are counted. */
const MAX_REPLIES_LISTED = 200;
/** Bytes of a broken record shown in the hex pane. */
const PROBLEM_BYTES_SHOWN = 512;

export interface MessageDetail {
  row: number;
  record: number;
  fileOffset: number;
  /** The message's bytes (header included), or the start of a broken record. */
  bytes: Uint8Array;
  family: string;
  name: string;
  tree: DetailNode[];
  /** The row's error, with its file offset. */
  error: string | null;
  /** A problem of the record the message came in (e.g. cut by the snap length). */
  note: string | null;
  /** The request this row answers, -1 when none. */
  request: number;
  /** This row's replies when it is a request. */
  replies: number[];
  moreReplies: number;
  /** Capture interface name of the protocol, when the file has one. */
  interfaceName: string | null;
}

export interface RowText {
  summary: string;
  error: string | null;
}

export interface CaptureSummary {
  format: string | null;
  records: number;
  rows: number;
  errors: number;
  protocols: number[];
  families: string[];
  genl: Array<[number, string]>;
}

export class CaptureSession {
  readonly index: CaptureIndex;
  readonly pairing: Pairing;
  private readonly summaries: Array<string | undefined>;

  private constructor(private readonly codec: Codec, index: CaptureIndex) {
    this.index = index;
    this.pairing = pairMessages(index.columns);
    this.summaries = new Array<string | undefined>(index.columns.count);
  }

  static open(bytes: Uint8Array, codec: Codec, onProgress?: (p: IndexProgress) => void): CaptureSession {
    return new CaptureSession(codec, indexCapture(bytes, codec, onProgress));
  }

  get columns(): Columns {
    return this.index.columns;
  }

  get strings(): readonly string[] {
    return this.index.strings.list;
  }

  overview(): CaptureSummary {
    const c = this.columns;
    const protocols = new Set<number>();
    const families = new Set<string>();
    let errors = 0;
    for (let row = 0; row < c.count; row++) {
      if (c.protocol[row] !== NO_PROTOCOL) protocols.add(c.protocol[row]!);
      families.add(this.strings[c.family[row]!]!);
      if (c.status[row] !== ROW_OK || c.errno[row]! < 0) errors++;
    }
    return {
      format: this.index.format, records: this.index.records, rows: c.count, errors,
      protocols: [...protocols].sort((a, b) => a - b), families: [...families].sort(), genl: [...this.index.catalog.genl],
    };
  }

  /** The decoded tree of a row. */
  decode(row: number, shallow = false): DecodedMessage {
    const c = this.columns;
    const bytes = this.messageBytes(row);
    if (c.status[row] === ROW_RECORD_PROBLEM) return { info: null, tree: [] };
    const request = this.pairing.requestOf[row]!;
    return decodeMessage(this.codec, bytes, c.protocol[row]!, {
      catalog: this.index.catalog, fileOffset: c.fileOffset[row]!, shallow,
      ...(request >= 0 && !shallow ? { request: this.messageBytes(request) } : {}),
    });
  }

  private messageBytes(row: number): Uint8Array {
    const c = this.columns;
    const at = c.fileOffset[row]!;
    const length = c.status[row] === ROW_RECORD_PROBLEM ? Math.min(PROBLEM_BYTES_SHOWN, this.index.bytes.length - at) : c.length[row]!;
    return this.index.bytes.subarray(at, at + Math.max(0, length));
  }

  detail(row: number): MessageDetail {
    const c = this.columns;
    if (!(row >= 0 && row < c.count)) throw new RangeError(`row ${row} is not in the capture (0..${c.count - 1})`);
    const decoded = this.decode(row);
    const start = this.pairing.replyStart[row]!;
    const end = this.pairing.replyStart[row + 1]!;
    const replies = Array.from(this.pairing.replyList.subarray(start, Math.min(end, start + MAX_REPLIES_LISTED)));
    return {
      row, record: c.record[row]!, fileOffset: c.fileOffset[row]!, bytes: this.messageBytes(row).slice(),
      family: this.strings[c.family[row]!]!, name: this.strings[c.name[row]!]!, tree: decoded.tree,
      error: this.index.errors.get(row) ?? null, note: this.index.recordNotes.get(c.record[row]!) ?? null,
      request: this.pairing.requestOf[row]!, replies, moreReplies: end - start - replies.length,
      interfaceName: this.index.interfaces.get(c.protocol[row]!) ?? null,
    };
  }

  summary(row: number): string {
    let s = this.summaries[row];
    if (s === undefined) {
      const c = this.columns;
      s = c.status[row] === ROW_RECORD_PROBLEM ? '' : summarize(this.decode(row, true));
      this.summaries[row] = s;
    }
    return s;
  }

  rowTexts(rows: readonly number[]): RowText[] {
    return rows.map((row) => ({ summary: this.summary(row), error: this.index.errors.get(row) ?? null }));
  }

  /** Rows matching `f`, in order. */
  filter(f: FilterSpec, onProgress?: (done: number, total: number) => void): Uint32Array {
    const c = this.columns;
    const n = c.count;
    const strings = this.strings;
    const typeText = f.type.trim().toLowerCase();
    const typeNumber = /^(0x[0-9a-f]+|\d+)$/.test(typeText) ? Number(typeText) : null;
    const nameMatches = typeText && typeNumber === null ? strings.map((s) => s.toLowerCase().includes(typeText)) : null;
    const familyId = f.family ? strings.indexOf(f.family) : -2;
    if (familyId === -1) return new Uint32Array(0);
    const text = f.text.trim().toLowerCase();
    const textInString = text ? strings.map((s) => s.toLowerCase().includes(text)) : null;
    const protocolMatches = text ? new Map<number, boolean>() : null;
    const out = new Uint32Array(n);
    let count = 0;
    for (let row = 0; row < n; row++) {
      if (onProgress && (row & 0xffff) === 0 && text) onProgress(row, n);
      if (f.protocol !== null && c.protocol[row] !== f.protocol) continue;
      if (familyId >= 0 && c.family[row] !== familyId) continue;
      if (typeNumber !== null && (c.type[row] !== typeNumber || c.status[row] === ROW_RECORD_PROBLEM)) continue;
      if (nameMatches && !nameMatches[c.name[row]!]) continue;
      if (f.seq !== null && c.seq[row] !== f.seq) continue;
      if (f.port !== null && c.port[row] !== f.port) continue;
      if (f.errorsOnly && c.status[row] === ROW_OK && c.errno[row]! >= 0) continue;
      if (text) {
        let hit = textInString![c.name[row]!]! || textInString![c.family[row]!]!;
        if (!hit) {
          const p = c.protocol[row]!;
          let ph = protocolMatches!.get(p);
          if (ph === undefined) protocolMatches!.set(p, (ph = p !== NO_PROTOCOL && protocolName(p).toLowerCase().includes(text)));
          hit = ph;
        }
        if (!hit && c.errno[row]! < 0) hit = errnoName(-c.errno[row]!).toLowerCase().includes(text);
        if (!hit) hit = (this.index.errors.get(row) ?? '').toLowerCase().includes(text);
        if (!hit) hit = this.summary(row).toLowerCase().includes(text);
        if (!hit) continue;
      }
      out[count++] = row;
    }
    return out.slice(0, count);
  }
}
