// A list that shows any number of fixed-height rows by drawing only those in
// view: a pool of row elements is re-filled as the view scrolls. Past the
// height a browser can scroll (about 16 million pixels in Chromium), the
// scroll position maps proportionally onto the rows.
//
//   scroller (overflow: auto)
//   └─ spacer (height = min(rows × rowHeight, MAX_SCROLL_PX))
//      └─ pool rows, absolutely placed where the view is

const MAX_SCROLL_PX = 8_000_000;

export interface ListRenderer {
  /** Fills `el` for row `index` of the view (the element is reused). */
  render(el: HTMLElement, index: number): void;
  /** Makes an empty row element. */
  create(): HTMLElement;
}

export class VirtualList {
  private count = 0;
  private readonly spacer: HTMLElement;
  private pool: HTMLElement[] = [];
  private shown: number[] = [];
  private frame = 0;
  /** Index in the view of the selected row, -1 for none. */
  selected = -1;
  onSelect: (index: number) => void = () => {};
  onRangeChange: (first: number, last: number) => void = () => {};

  constructor(private readonly scroller: HTMLElement, readonly rowHeight: number, private readonly renderer: ListRenderer) {
    this.spacer = document.createElement('div');
    this.spacer.className = 'list-spacer';
    scroller.append(this.spacer);
    scroller.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(scroller);
    scroller.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.row');
      if (row?.dataset.index) this.select(Number(row.dataset.index));
    });
    scroller.addEventListener('keydown', (e) => this.key(e));
  }

  get length(): number {
    return this.count;
  }

  setCount(count: number): void {
    this.count = count;
    this.spacer.style.height = `${Math.min(count * this.rowHeight, MAX_SCROLL_PX)}px`;
    this.shown = [];
    this.draw();
  }

  /** Redraws every visible row (their data changed). */
  refresh(): void {
    this.shown = [];
    this.schedule();
  }

  private get viewHeight(): number {
    return this.scroller.clientHeight;
  }

  /** Content pixel position at the top of the view. */
  private position(): number {
    const content = this.count * this.rowHeight - this.viewHeight;
    const scrollable = this.spacer.offsetHeight - this.viewHeight;
    if (content <= 0 || scrollable <= 0) return 0;
    return scrollable === content ? this.scroller.scrollTop : (this.scroller.scrollTop / scrollable) * content;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** The first and last view indexes drawn. */
  visibleRange(): [number, number] {
    const first = Math.floor(this.position() / this.rowHeight);
    const last = Math.min(this.count - 1, first + Math.ceil(this.viewHeight / this.rowHeight));
    return [first, last];
  }

  private draw(): void {
    const pos = this.position();
    const first = Math.floor(pos / this.rowHeight);
    const offset = this.scroller.scrollTop - (pos - first * this.rowHeight);
    const needed = Math.ceil(this.viewHeight / this.rowHeight) + 2;
    while (this.pool.length < needed) {
      const el = this.renderer.create();
      el.classList.add('row');
      el.style.height = `${this.rowHeight}px`;
      this.spacer.append(el);
      this.pool.push(el);
    }
    for (let k = 0; k < this.pool.length; k++) {
      const el = this.pool[k]!;
      const index = first + k;
      if (k >= needed || index >= this.count) {
        el.style.display = 'none';
        this.shown[k] = -1;
        continue;
      }
      el.style.display = '';
      el.style.transform = `translateY(${offset + k * this.rowHeight}px)`;
      if (this.shown[k] !== index) {
        el.dataset.index = String(index);
        this.renderer.render(el, index);
        this.shown[k] = index;
      }
      el.classList.toggle('selected', index === this.selected);
    }
    this.onRangeChange(first, Math.min(this.count - 1, first + needed - 1));
  }

  /** Scrolls so that view index `index` is visible. */
  scrollTo(index: number): void {
    if (index < 0 || index >= this.count) return;
    const [first, last] = this.visibleRange();
    if (index > first && index < last) return;
    const content = this.count * this.rowHeight - this.viewHeight;
    const scrollable = this.spacer.offsetHeight - this.viewHeight;
    const target = Math.max(0, index * this.rowHeight - this.viewHeight / 3);
    this.scroller.scrollTop = scrollable === content ? target : (Math.min(target, content) / content) * scrollable;
    this.draw();
  }

  select(index: number, scroll = false): void {
    if (index < -1 || index >= this.count) return;
    this.selected = index;
    if (scroll) this.scrollTo(index);
    for (const el of this.pool) el.classList.toggle('selected', Number(el.dataset.index) === index && el.style.display !== 'none');
    if (index >= 0) this.onSelect(index);
  }

  private key(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.viewHeight / this.rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    const move = moves[e.key];
    if (move === undefined || this.count === 0) return;
    e.preventDefault();
    const next = Math.max(0, Math.min(this.count - 1, (this.selected < 0 ? -1 : this.selected) + move));
    this.select(Number.isFinite(next) ? next : move > 0 ? this.count - 1 : 0, true);
  }
}
