// The conversation between the page and the worker. Every request carries an
// id; the answer carries it back, so the page can drop answers it no longer
// wants (a filter typed over, a capture replaced).

import type { Columns } from './columns.js';
import type { FilterSpec } from './filter.js';
import type { CaptureSummary, MessageDetail, RowText } from '../decode/session.js';

export type WorkerRequest =
  | { kind: 'open'; id: number; name: string; file?: Blob; url?: string }
  | { kind: 'filter'; id: number; filter: FilterSpec }
  | { kind: 'detail'; id: number; row: number }
  | { kind: 'texts'; id: number; rows: number[] };

export type WorkerReply =
  | { kind: 'progress'; id: number; phase: 'reading' | 'indexing' | 'filtering'; done: number; total: number }
  | { kind: 'opened'; id: number; name: string; size: number; columns: Columns; strings: string[]; overview: CaptureSummary; indexMs: number }
  | { kind: 'filtered'; id: number; rows: Uint32Array }
  | { kind: 'detail'; id: number; detail: MessageDetail }
  | { kind: 'texts'; id: number; rows: number[]; texts: RowText[] }
  | { kind: 'failed'; id: number; message: string; code: string | null };

export type { Columns, FilterSpec, CaptureSummary, MessageDetail, RowText };
