// Messages over time on a canvas: all rows in grey, the filtered ones in the
// accent colour, errors in red, the selected message as a marker. A click
// picks a moment; the page jumps to the first shown message from then on.

import { formatDuration, formatClock } from './format.js';

export interface TimelineData {
  time: Float64Array;
  /** 1 for rows that are errors. */
  isError: (row: number) => boolean;
  /** Rows shown by the filter, null for all. */
  filtered: Uint32Array | null;
}

const BAR_PX = 3;
const AXIS_PX = 16;

export class Timeline {
  private data: TimelineData | null = null;
  private start = 0;
  private end = 0;
  private selectedTime = NaN;
  private bins: { all: Uint32Array; shown: Uint32Array; errors: Uint32Array } | null = null;
  onPick: (timeMs: number) => void = () => {};

  constructor(private readonly canvas: HTMLCanvasElement, private readonly tip: HTMLElement) {
    new ResizeObserver(() => this.draw(true)).observe(canvas);
    canvas.addEventListener('click', (e) => {
      const t = this.timeAt(e.offsetX);
      if (t !== null) this.onPick(t);
    });
    canvas.addEventListener('mousemove', (e) => this.hover(e.offsetX));
    canvas.addEventListener('mouseleave', () => (this.tip.hidden = true));
  }

  set(data: TimelineData | null): void {
    this.data = data;
    if (data) {
      let lo = Infinity, hi = -Infinity;
      for (const t of data.time) {
        if (t < lo) lo = t;
        if (t > hi) hi = t;
      }
      this.start = lo;
      this.end = hi;
    }
    this.draw(true);
  }

  select(timeMs: number): void {
    this.selectedTime = timeMs;
    this.draw(false);
  }

  private binCount(): number {
    return Math.max(1, Math.floor(this.canvas.clientWidth / BAR_PX));
  }

  private timeAt(x: number): number | null {
    if (!this.data || !Number.isFinite(this.start)) return null;
    const span = Math.max(this.end - this.start, 1e-6);
    const bin = Math.floor(x / BAR_PX);
    return this.start + (bin / this.binCount()) * span;
  }

  private compute(): void {
    const d = this.data!;
    const n = this.binCount();
    const all = new Uint32Array(n), shown = new Uint32Array(n), errors = new Uint32Array(n);
    const span = Math.max(this.end - this.start, 1e-6);
    const scale = n / span;
    const binOf = (t: number) => Math.min(n - 1, Math.floor((t - this.start) * scale));
    const time = d.time;
    for (let row = 0; row < time.length; row++) {
      const t = time[row]!;
      if (t === t) all[binOf(t)]!++;
    }
    const rows = d.filtered;
    const count = rows ? rows.length : time.length;
    for (let k = 0; k < count; k++) {
      const row = rows ? rows[k]! : k;
      const t = time[row]!;
      if (t !== t) continue;
      const b = binOf(t);
      shown[b]!++;
      if (d.isError(row)) errors[b]!++;
    }
    this.bins = { all, shown, errors };
  }

  draw(recompute: boolean): void {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth, h = c.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      recompute = true;
    }
    const g = c.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const style = getComputedStyle(c);
    const color = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    g.font = '11px system-ui, sans-serif';
    if (!this.data || !Number.isFinite(this.start)) {
      g.fillStyle = color('--muted', '#888');
      g.fillText(this.data ? 'no timestamps in this capture' : 'messages over time', 8, h / 2 + 4);
      return;
    }
    if (recompute || !this.bins) this.compute();
    const { all, shown, errors } = this.bins!;
    let max = 1;
    for (const v of all) if (v > max) max = v;
    const plot = h - AXIS_PX - 4;
    const y = (v: number) => (v === 0 ? 0 : Math.max(1.5, (Math.log1p(v) / Math.log1p(max)) * plot));
    const bars = (counts: Uint32Array, fill: string) => {
      g.fillStyle = fill;
      for (let i = 0; i < counts.length; i++) {
        const v = y(counts[i]!);
        if (v) g.fillRect(i * BAR_PX, 4 + plot - v, BAR_PX - 1, v);
      }
    };
    bars(all, color('--timeline-all', '#d5dae1'));
    bars(shown, color('--accent', '#2563eb'));
    bars(errors, color('--error', '#dc2626'));
    g.fillStyle = color('--muted', '#6b7280');
    g.fillText(formatClock(this.start), 4, h - 4);
    const right = `${formatDuration(this.end - this.start)} · max ${max}/bin`;
    g.fillText(right, w - g.measureText(right).width - 4, h - 4);
    if (Number.isFinite(this.selectedTime)) {
      const x = ((this.selectedTime - this.start) / Math.max(this.end - this.start, 1e-6)) * all.length * BAR_PX;
      g.fillStyle = color('--marker', '#f59e0b');
      g.fillRect(Math.min(w - 2, Math.max(0, x)), 0, 2, plot + 4);
    }
  }

  private hover(x: number): void {
    if (!this.bins || !this.data) return;
    const bin = Math.floor(x / BAR_PX);
    if (bin >= this.bins.all.length) {
      this.tip.hidden = true;
      return;
    }
    const t = this.timeAt(x)!;
    this.tip.hidden = false;
    this.tip.textContent = `${formatClock(t)} · ${this.bins.shown[bin]} shown of ${this.bins.all[bin]}${this.bins.errors[bin] ? ` · ${this.bins.errors[bin]} errors` : ''}`;
    this.tip.style.left = `${Math.min(x + 12, this.canvas.clientWidth - 260)}px`;
  }
}
