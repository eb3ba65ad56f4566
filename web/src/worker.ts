// The viewer's worker: reads the capture, indexes it with the WASM codec,
// and answers the page. The page gets columns (typed arrays, transferred)
// and, on demand, the details and summaries of the rows it shows.

import { initCodec, type Codec } from '../../src/codec/index.js';
import { copyForTransfer } from './shared/columns.js';
import type { WorkerReply, WorkerRequest } from './shared/messages.js';
import { CaptureSession } from './decode/session.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let session: CaptureSession | null = null;
let codecReady: Promise<Codec> | null = null;

function post(reply: WorkerReply, transfer: Transferable[] = []): void {
  scope.postMessage(reply, transfer);
}

async function readUrl(id: number, url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetching ${url} failed: HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length') ?? 0);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    post({ kind: 'progress', id, phase: 'reading', done: size, total });
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

async function handle(req: WorkerRequest): Promise<void> {
  switch (req.kind) {
    case 'open': {
      session = null;
      codecReady ??= initCodec();
      const codec = await codecReady;
      post({ kind: 'progress', id: req.id, phase: 'reading', done: 0, total: req.file?.size ?? 0 });
      const bytes = req.file ? new Uint8Array(await req.file.arrayBuffer()) : await readUrl(req.id, req.url!);
      const started = performance.now();
      const opened = CaptureSession.open(bytes, codec, (p) => post({ kind: 'progress', id: req.id, phase: 'indexing', done: p.bytes, total: p.total }));
      const indexMs = performance.now() - started;
      session = opened;
      const { columns, transfer } = copyForTransfer(opened.columns);
      post({ kind: 'opened', id: req.id, name: req.name, size: bytes.length, columns, strings: [...opened.strings], overview: opened.overview(), indexMs }, transfer);
      void warmSummaries(opened);
      return;
    }
    case 'filter': {
      const s = need();
      const rows = s.filter(req.filter, (done, total) => post({ kind: 'progress', id: req.id, phase: 'filtering', done, total }));
      post({ kind: 'filtered', id: req.id, rows }, [rows.buffer]);
      return;
    }
    case 'detail': {
      const detail = need().detail(req.row);
      post({ kind: 'detail', id: req.id, detail }, [detail.bytes.buffer]);
      return;
    }
    case 'texts':
      post({ kind: 'texts', id: req.id, rows: req.rows, texts: need().rowTexts(req.rows) });
  }
}

/**
 * Summaries of every row, made between requests after opening, so that the
 * first text search does not have to make them all at once. It works only
 * while the page has asked nothing for a moment, in small slices; a newly
 * opened capture stops it.
 */
const WARM_SLICE_ROWS = 1024;
const WARM_MAX_ROWS = 2_000_000;
const WARM_QUIET_MS = 400;
let lastRequestAt = 0;

async function warmSummaries(target: CaptureSession): Promise<void> {
  const count = target.columns.count;
  if (count > WARM_MAX_ROWS) return;
  for (let row = 0; row < count && session === target; ) {
    // Pause while the page is busy asking (scrolling, filtering): the machine may have few cores.
    const quiet = performance.now() - lastRequestAt;
    await new Promise((resolve) => setTimeout(resolve, quiet < WARM_QUIET_MS ? WARM_QUIET_MS - quiet : 0));
    if (performance.now() - lastRequestAt < WARM_QUIET_MS) continue;
    await queue; // let waiting requests go first
    if (session !== target) return;
    const end = Math.min(count, row + WARM_SLICE_ROWS);
    for (; row < end; row++) target.summary(row);
  }
}

function need(): CaptureSession {
  if (!session) throw new Error('no capture is open');
  return session;
}

// Requests run one at a time, in order: a detail asked during indexing waits for it.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const req = event.data;
  lastRequestAt = performance.now();
  queue = queue.then(() => handle(req)).catch((e: unknown) => {
    const err = e as { message?: string; code?: unknown };
    post({ kind: 'failed', id: req.id, message: err?.message ?? String(e), code: typeof err?.code === 'string' ? err.code : null });
  });
};
