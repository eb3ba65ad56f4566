// The viewer page: opens a capture (file picker, drag and drop, or the file
// the local server names in ?capture=), hands it to the worker, and shows
// the list, the timeline, the detail tree and the hex of the selected
// message. All decoding happens in the worker.

import type { Columns } from './shared/columns.js';
import { flagText } from './shared/flags.js';
import { NO_FILTER, isEmptyFilter, type FilterSpec } from './shared/filter.js';
import type { CaptureSummary, MessageDetail, RowText } from './shared/messages.js';
import { DIRECTION_LABELS, NO_PROTOCOL, ROW_OK, ROW_RECORD_PROBLEM, STATUS_LABELS } from './shared/status.js';
import { protocolName } from '../../src/trace/protocols.js';
import { errnoName } from '../../src/codec/errno.js';

import { formatBytes, formatCount, formatDateTime, formatRelative } from './ui/format.js';
import { HexView } from './ui/hex-view.js';
import { Timeline } from './ui/timeline.js';
import { TreeView } from './ui/tree-view.js';
import { VirtualList } from './ui/virtual-list.js';
import { WorkerClient } from './ui/worker-client.js';

const ROW_HEIGHT = 24;
const TEXT_CACHE_LIMIT = 50_000;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

interface Capture {
  name: string;
  size: number;
  columns: Columns;
  strings: string[];
  overview: CaptureSummary;
  origin: number;
  indexMs: number;
}

class Viewer {
  private readonly client = new WorkerClient();
  private capture: Capture | null = null;
  /** Rows shown, in order; null: all rows. */
  private view: Uint32Array | null = null;
  private selectedRow = -1;
  private detail: MessageDetail | null = null;
  private readonly texts = new Map<number, RowText>();
  private textsInFlight = false;
  private textsWanted = false;
  private filterId = 0;
  private filterTimer = 0;
  private busy = 0;
  private idleWaiters: Array<() => void> = [];
  private openId = 0;

  readonly list: VirtualList;
  readonly tree: TreeView;
  readonly hex: HexView;
  readonly timeline: Timeline;

  constructor() {
    this.list = new VirtualList($('list'), ROW_HEIGHT, {
      create: () => {
        const el = document.createElement('div');
        for (let i = 0; i < 10; i++) el.append(document.createElement('span'));
        return el;
      },
      render: (el, index) => this.renderRow(el, index),
    });
    this.list.onSelect = (index) => this.showRow(this.rowAt(index));
    this.list.onRangeChange = () => this.wantTexts();
    this.tree = new TreeView($('tree'));
    this.hex = new HexView($('hex'));
    this.tree.onSelect = (node) => (node ? this.hex.highlight(node.start, node.end) : this.hex.highlight(0, 0));
    this.hex.onByteClick = (offset) => this.tree.selectByte(offset);
    this.timeline = new Timeline($<HTMLCanvasElement>('timeline'), $('timeline-tip'));
    this.timeline.onPick = (t) => this.jumpToTime(t);
    this.client.onProgress = (p) => this.progress(p.phase, p.done, p.total);
    this.wireInputs();
    this.tree.clear('Open a capture, then select a message.');
  }

  // ── opening ────────────────────────────────────────────────────────────

  private wireInputs(): void {
    const input = $<HTMLInputElement>('file-input');
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file) void this.open({ file, name: file.name });
      input.value = '';
    });
    const overlay = $('drop');
    let depth = 0;
    window.addEventListener('dragenter', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      depth++;
      overlay.hidden = false;
    });
    window.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) overlay.hidden = true;
    });
    window.addEventListener('dragover', (e) => e.preventDefault());
    window.addEventListener('drop', (e) => {
      e.preventDefault();
      depth = 0;
      overlay.hidden = true;
      const file = e.dataTransfer?.files[0];
      if (file) void this.open({ file, name: file.name });
    });
    for (const id of ['f-protocol', 'f-family', 'f-errors']) $(id).addEventListener('change', () => this.scheduleFilter(0));
    for (const id of ['f-type', 'f-seq', 'f-port', 'f-text']) $(id).addEventListener('input', () => this.scheduleFilter(180));
    $('f-clear').addEventListener('click', () => this.resetFilters(true));
    $('pairs').addEventListener('click', (e) => {
      const link = (e.target as HTMLElement).closest<HTMLElement>('[data-row]');
      if (link) this.selectRow(Number(link.dataset.row));
    });
    $('detail-notice').addEventListener('click', (e) => {
      if ((e.target as HTMLElement).matches('button')) {
        const row = this.selectedRow;
        this.resetFilters(true).then(() => this.selectRow(row), () => undefined);
      }
    });
  }

  async open(source: { file?: Blob; url?: string; name: string }): Promise<void> {
    const id = ++this.openId;
    this.track(1);
    this.setStatus(`Reading ${source.name}…`, 'busy');
    $('progress').hidden = false;
    try {
      const reply = await this.client.request<'opened'>({ kind: 'open', ...source });
      if (id !== this.openId) return;
      const c = reply.columns;
      let origin = Infinity;
      for (const t of c.time) if (t < origin) origin = t;
      this.capture = { name: reply.name, size: reply.size, columns: c, strings: reply.strings, overview: reply.overview, origin, indexMs: reply.indexMs };
      this.texts.clear();
      this.selectedRow = -1;
      this.detail = null;
      this.view = null;
      this.fillFilterChoices(reply.overview);
      await this.resetFilters(false);
      this.list.setCount(c.count);
      this.timeline.set({ time: c.time, isError: (row) => this.isError(row), filtered: null });
      document.body.classList.add('has-capture');
      const o = reply.overview;
      $('file-info').innerHTML = '';
      $('file-info').append(
        textEl('strong', reply.name),
        textEl('span', `${o.format ?? 'unknown format'} · ${formatBytes(reply.size)} · ${formatCount(o.records)} records · ${formatCount(c.count)} messages`),
      );
      this.setStatus(o.errors ? `${formatCount(o.errors)} errors` : 'No errors', o.errors ? 'warn' : 'ok');
      this.updateCount();
      if (c.count > 0) this.list.select(0, true);
      else this.tree.clear('This capture holds no messages.');
    } catch (e) {
      if (id === this.openId) this.setStatus(`Could not open ${source.name}: ${(e as Error).message}`, 'error');
    } finally {
      $('progress').hidden = true;
      this.track(-1);
    }
  }

  private progress(phase: string, done: number, total: number): void {
    const bar = $('progress-bar');
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    bar.style.width = `${(fraction * 100).toFixed(1)}%`;
    if (phase === 'filtering') this.setStatus(`Searching… ${Math.round(fraction * 100)}%`, 'busy');
    else this.setStatus(`${phase === 'reading' ? 'Reading' : 'Decoding'}… ${total ? `${Math.round(fraction * 100)}%` : formatBytes(done)}`, 'busy');
  }

  private setStatus(text: string, kind: 'ok' | 'warn' | 'error' | 'busy'): void {
    const el = $('status');
    el.textContent = text;
    el.className = `status ${kind}`;
  }

  // ── list ───────────────────────────────────────────────────────────────

  private rowAt(index: number): number {
    return this.view ? this.view[index]! : index;
  }

  private isError(row: number): boolean {
    const c = this.capture!.columns;
    return c.status[row] !== ROW_OK || c.errno[row]! < 0;
  }

  private renderRow(el: HTMLElement, index: number): void {
    const cap = this.capture!;
    const c = cap.columns;
    const row = this.rowAt(index);
    const cells = el.children as HTMLCollectionOf<HTMLElement>;
    const status = c.status[row]!;
    const protocol = c.protocol[row]!;
    const problem = status === ROW_RECORD_PROBLEM;
    cells[0]!.textContent = String(row + 1);
    cells[1]!.textContent = formatRelative(c.time[row]!, cap.origin);
    cells[2]!.textContent = DIRECTION_LABELS[c.direction[row]!] ?? '?';
    cells[3]!.textContent = protocol === NO_PROTOCOL ? '—' : protocolName(protocol);
    cells[4]!.textContent = `${cap.strings[c.name[row]!]}`;
    cells[4]!.title = `${cap.strings[c.family[row]!]} · type ${c.type[row]}`;
    cells[5]!.textContent = problem ? '' : flagText(c.flags[row]!, c.flagContext[row]!);
    cells[6]!.textContent = problem ? '' : String(c.seq[row]);
    cells[7]!.textContent = problem ? '' : String(c.port[row]);
    cells[8]!.textContent = String(c.length[row]);
    const text = this.texts.get(row);
    const error = text?.error;
    cells[9]!.textContent = error ? `${STATUS_LABELS[status]}: ${error}` : text ? text.summary : '…';
    cells[9]!.title = cells[9]!.textContent;
    el.className = 'row';
    el.classList.add(c.direction[row] === 2 ? 'dir-out' : c.direction[row] === 1 ? 'dir-in' : 'dir-unknown');
    if (status !== ROW_OK) el.classList.add('broken');
    else if (c.errno[row]! < 0) el.classList.add('failed');
    if (index === this.list.selected) el.classList.add('selected');
  }

  private wantTexts(): void {
    this.textsWanted = true;
    if (!this.textsInFlight) void this.fetchTexts();
  }

  private async fetchTexts(): Promise<void> {
    while (this.textsWanted && this.capture) {
      this.textsWanted = false;
      const [first, last] = this.list.visibleRange();
      const rows: number[] = [];
      for (let i = Math.max(0, first - 10); i <= Math.min(this.list.length - 1, last + 10); i++) {
        const row = this.rowAt(i);
        if (!this.texts.has(row)) rows.push(row);
      }
      if (rows.length === 0) continue;
      this.textsInFlight = true;
      this.track(1);
      try {
        const capture = this.capture;
        const reply = await this.client.request<'texts'>({ kind: 'texts', rows });
        if (capture !== this.capture) continue;
        if (this.texts.size > TEXT_CACHE_LIMIT) this.texts.clear();
        reply.rows.forEach((row, k) => this.texts.set(row, reply.texts[k]!));
        this.list.refresh();
      } catch {
        // The capture was replaced meanwhile; the next range change asks again.
      } finally {
        this.textsInFlight = false;
        this.track(-1);
      }
    }
  }

  // ── filters ────────────────────────────────────────────────────────────

  private fillFilterChoices(o: CaptureSummary): void {
    const protocol = $<HTMLSelectElement>('f-protocol');
    protocol.replaceChildren(option('', 'All protocols'), ...o.protocols.map((p) => option(String(p), `${protocolName(p)} (${p})`)));
    const family = $<HTMLSelectElement>('f-family');
    family.replaceChildren(option('', 'All families'), ...o.families.map((f) => option(f, f)));
  }

  private readFilter(): FilterSpec {
    const number = (id: string): number | null => {
      const el = $<HTMLInputElement>(id);
      const text = el.value.trim();
      const ok = text === '' || /^(0x[0-9a-f]+|\d+)$/i.test(text);
      el.classList.toggle('invalid', !ok);
      return text && ok ? Number(text) : null;
    };
    const protocol = $<HTMLSelectElement>('f-protocol').value;
    return {
      protocol: protocol === '' ? null : Number(protocol),
      family: $<HTMLSelectElement>('f-family').value,
      type: $<HTMLInputElement>('f-type').value,
      seq: number('f-seq'),
      port: number('f-port'),
      errorsOnly: $<HTMLInputElement>('f-errors').checked,
      text: $<HTMLInputElement>('f-text').value,
    };
  }

  private resetFilters(apply: boolean): Promise<void> {
    $<HTMLSelectElement>('f-protocol').value = '';
    $<HTMLSelectElement>('f-family').value = '';
    for (const id of ['f-type', 'f-seq', 'f-port', 'f-text']) $<HTMLInputElement>(id).value = '';
    $<HTMLInputElement>('f-errors').checked = false;
    return apply ? this.applyFilter() : Promise.resolve();
  }

  private scheduleFilter(delay: number): void {
    // A pending timer counts as work once, however often it is replaced.
    if (!this.filterTimer) this.track(1);
    clearTimeout(this.filterTimer);
    this.filterTimer = window.setTimeout(() => {
      this.filterTimer = 0;
      void this.applyFilter().finally(() => this.track(-1));
    }, delay);
  }

  async applyFilter(): Promise<void> {
    if (!this.capture) return;
    const spec = this.readFilter();
    const id = ++this.filterId;
    $('filters').classList.toggle('active', !isEmptyFilter(spec));
    if (isEmptyFilter(spec)) {
      this.setView(null);
      return;
    }
    this.track(1);
    try {
      const reply = await this.client.request<'filtered'>({ kind: 'filter', filter: spec });
      if (id === this.filterId) this.setView(reply.rows);
    } catch (e) {
      this.setStatus(`Filter failed: ${(e as Error).message}`, 'error');
    } finally {
      this.track(-1);
    }
  }

  private setView(rows: Uint32Array | null): void {
    const cap = this.capture!;
    this.view = rows;
    this.list.selected = -1;
    this.list.setCount(rows ? rows.length : cap.columns.count);
    const index = this.indexOf(this.selectedRow);
    if (index >= 0) {
      this.list.selected = index;
      this.list.scrollTo(index);
      this.list.refresh();
    }
    this.timeline.set({ time: cap.columns.time, isError: (row) => this.isError(row), filtered: rows });
    if (this.detail) this.timeline.select(cap.columns.time[this.detail.row]!);
    this.updateCount();
    this.renderNotice();
    const o = cap.overview;
    this.setStatus(o.errors ? `${formatCount(o.errors)} errors` : 'No errors', o.errors ? 'warn' : 'ok');
  }

  private updateCount(): void {
    const cap = this.capture;
    if (!cap) return;
    const total = cap.columns.count;
    const shown = this.view ? this.view.length : total;
    $('match-count').textContent = shown === total ? `${formatCount(total)} messages` : `${formatCount(shown)} of ${formatCount(total)}`;
  }

  /** View index of a row, -1 when the filter hides it. */
  private indexOf(row: number): number {
    if (row < 0) return -1;
    const v = this.view;
    if (!v) return row < this.capture!.columns.count ? row : -1;
    let lo = 0, hi = v.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid]! === row) return mid;
      if (v[mid]! < row) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private jumpToTime(t: number): void {
    const cap = this.capture;
    if (!cap) return;
    const time = cap.columns.time;
    const n = this.list.length;
    for (let i = 0; i < n; i++) {
      if (time[this.rowAt(i)]! >= t) {
        this.list.select(i, true);
        return;
      }
    }
  }

  // ── selection and details ──────────────────────────────────────────────

  /** Selects a row by number (0-based), even one the filter hides. */
  selectRow(row: number): void {
    const index = this.indexOf(row);
    if (index >= 0) this.list.select(index, true);
    else this.showRow(row);
  }

  private async showRow(row: number): Promise<void> {
    if (!this.capture) return;
    this.selectedRow = row;
    this.track(1);
    try {
      const reply = await this.client.request<'detail'>({ kind: 'detail', row });
      if (row !== this.selectedRow) return;
      this.renderDetail(reply.detail);
    } catch (e) {
      if (row === this.selectedRow) this.tree.clear(`Could not decode row ${row + 1}: ${(e as Error).message}`);
    } finally {
      this.track(-1);
    }
  }

  private renderDetail(d: MessageDetail): void {
    const cap = this.capture!;
    const c = cap.columns;
    this.detail = d;
    const head = $('detail-head');
    const direction = DIRECTION_LABELS[c.direction[d.row]!];
    const protocol = c.protocol[d.row]!;
    head.replaceChildren(
      textEl('span', `#${d.row + 1}`, 'badge'),
      textEl('strong', d.name),
      textEl('span', d.family, 'family'),
    );
    const meta = $('detail-meta');
    meta.replaceChildren(
      ...[
        ['time', formatDateTime(c.time[d.row]!)],
        ['direction', direction ?? '?'],
        ['protocol', protocol === NO_PROTOCOL ? '—' : `${protocolName(protocol)} (${protocol})${d.interfaceName ? ` · ${d.interfaceName}` : ''}`],
        ['record', `${d.record} · file offset ${d.fileOffset} (0x${d.fileOffset.toString(16)})`],
        ['length', `${d.bytes.length} bytes`],
      ].map(([k, v]) => {
        const el = document.createElement('div');
        el.append(textEl('span', k!, 'k'), textEl('span', v!, 'v'));
        return el;
      }),
    );
    const problems = $('detail-problems');
    problems.replaceChildren();
    if (d.error) problems.append(textEl('div', d.error, 'problem error'));
    if (d.note) problems.append(textEl('div', `Record: ${d.note}`, 'problem warn'));
    const errno = c.errno[d.row]!;
    if (errno < 0) problems.append(textEl('div', `The kernel answered ${errnoName(-errno)} (${errno})`, 'problem failed'));
    this.renderPairs(d);
    this.renderNotice();
    if (d.tree.length) this.tree.show(d.tree);
    else this.tree.clear('Nothing decodable: see the problem above and the bytes below.');
    this.hex.show(d.bytes, d.fileOffset);
    this.timeline.select(c.time[d.row]!);
  }

  private renderPairs(d: MessageDetail): void {
    const cap = this.capture!;
    const pairs = $('pairs');
    pairs.replaceChildren();
    const link = (row: number) => {
      const a = document.createElement('a');
      a.href = '#';
      a.dataset.row = String(row);
      a.className = 'jump';
      a.textContent = `#${row + 1} ${cap.strings[cap.columns.name[row]!]}`;
      a.addEventListener('click', (e) => e.preventDefault());
      return a;
    };
    if (d.request >= 0) pairs.append(textEl('span', 'Answers', 'k'), link(d.request));
    if (d.replies.length) {
      pairs.append(textEl('span', `${d.replies.length + d.moreReplies} ${d.replies.length + d.moreReplies === 1 ? 'reply' : 'replies'}`, 'k'));
      for (const r of d.replies) pairs.append(link(r));
      if (d.moreReplies) pairs.append(textEl('span', `and ${formatCount(d.moreReplies)} more`, 'k'));
    }
    if (!pairs.childElementCount && (cap.columns.flags[d.row]! & 1)) pairs.append(textEl('span', 'No reply in this capture', 'k'));
    pairs.hidden = pairs.childElementCount === 0;
  }

  private renderNotice(): void {
    const notice = $('detail-notice');
    const hidden = this.detail !== null && this.indexOf(this.detail.row) < 0 && this.view !== null;
    notice.hidden = !hidden;
    if (hidden) {
      notice.replaceChildren(textEl('span', 'This message is hidden by the current filter. '), textEl('button', 'Clear filters'));
    }
  }

  // ── idleness, for scripted use ─────────────────────────────────────────

  private track(delta: number): void {
    this.busy += delta;
    if (this.busy === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) setTimeout(w, 0);
    }
  }

  /** Resolves once nothing is loading, filtering or decoding. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.busy === 0 ? resolve() : this.idleWaiters.push(check));
      requestAnimationFrame(() => requestAnimationFrame(check));
    });
  }

  /** What the page shows, for tests and automation. */
  state() {
    const cap = this.capture;
    return {
      name: cap?.name ?? null,
      rows: cap?.columns.count ?? 0,
      shown: cap ? (this.view ? this.view.length : cap.columns.count) : 0,
      selectedRow: this.selectedRow,
      detailRow: this.detail?.row ?? -1,
      highlighted: this.hex.highlighted(),
      selectedNode: this.tree.selectedNode,
      renderedRows: document.querySelectorAll('#list .row:not([style*="display: none"])').length,
      status: $('status').textContent,
      indexMs: cap?.indexMs ?? 0,
    };
  }

  /** Columns and names of every row, to compare with another decoder. */
  rows() {
    const cap = this.capture;
    if (!cap) return null;
    const c = cap.columns;
    return {
      count: c.count,
      type: Array.from(c.type), flags: Array.from(c.flags), seq: Array.from(c.seq), status: Array.from(c.status),
      errno: Array.from(c.errno), protocol: Array.from(c.protocol), length: Array.from(c.length),
      name: Array.from(c.name, (id) => cap.strings[id]), family: Array.from(c.family, (id) => cap.strings[id]),
    };
  }

  /** The worker's detail of a row, without selecting it. */
  async decoded(row: number): Promise<MessageDetail> {
    return (await this.client.request<'detail'>({ kind: 'detail', row })).detail;
  }
}

function textEl(tag: string, text: string, className?: string): HTMLElement {
  const el = document.createElement(tag);
  el.textContent = text;
  if (className) el.className = className;
  return el;
}

function option(value: string, label: string): HTMLOptionElement {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  return o;
}

const viewer = new Viewer();
(window as unknown as { nlkitViewer: Viewer }).nlkitViewer = viewer;

// Opened by the local server with a capture: ?capture=<path on the same server>.
const named = new URLSearchParams(location.search).get('capture');
if (named && location.protocol !== 'file:') {
  const url = new URL(named, location.href);
  void viewer.open({ url: url.href, name: decodeURIComponent(url.pathname.split('/').pop() || 'capture') });
}

