// The detail tree: one line per node (name, value, type, byte range),
// nested nodes open to two levels at first. Selecting a node (click or
// arrow keys) tells the hex pane which bytes to light up.

import type { DetailNode } from '../decode/detail.js';

export class TreeView {
  private nodes: DetailNode[] = [];
  private lines: HTMLElement[] = [];
  private byLine = new Map<HTMLElement, DetailNode>();
  selectedNode: DetailNode | null = null;
  onSelect: (node: DetailNode | null) => void = () => {};

  constructor(private readonly root: HTMLElement) {
    root.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const line = target.closest<HTMLElement>('.node-line');
      if (!line) return;
      if (target.classList.contains('twisty')) {
        line.parentElement!.classList.toggle('collapsed');
        return;
      }
      this.selectLine(line);
    });
    root.addEventListener('keydown', (e) => this.key(e));
  }

  show(nodes: DetailNode[]): void {
    this.nodes = nodes;
    this.lines = [];
    this.byLine.clear();
    this.selectedNode = null;
    const list = document.createElement('ul');
    list.className = 'tree-root';
    for (const n of nodes) list.append(this.item(n, 0));
    this.root.replaceChildren(list);
  }

  clear(message: string): void {
    this.nodes = [];
    this.lines = [];
    this.byLine.clear();
    this.selectedNode = null;
    const p = document.createElement('div');
    p.className = 'placeholder';
    p.textContent = message;
    this.root.replaceChildren(p);
  }

  private item(n: DetailNode, depth: number): HTMLElement {
    const li = document.createElement('li');
    const line = document.createElement('div');
    line.className = 'node-line';
    if (n.error) line.classList.add('has-error');
    if (n.attr !== undefined) line.classList.add('attr');
    const twisty = document.createElement('span');
    twisty.className = n.children?.length ? 'twisty' : 'twisty leaf';
    const label = document.createElement('span');
    label.className = 'node-label';
    label.textContent = n.label;
    line.append(twisty, label);
    if (n.attr !== undefined && !n.label.startsWith('[') && !n.label.startsWith('attr ')) {
      const num = document.createElement('span');
      num.className = 'node-num';
      num.textContent = String(n.attr);
      line.append(num);
    }
    if (n.value !== undefined) {
      const value = document.createElement('span');
      value.className = 'node-value';
      value.textContent = n.value;
      line.append(value);
    }
    if (n.type) {
      const type = document.createElement('span');
      type.className = 'node-type';
      type.textContent = n.type;
      line.append(type);
    }
    const range = document.createElement('span');
    range.className = 'node-range';
    range.textContent = `${n.start}–${n.end}`;
    line.append(range);
    li.append(line);
    this.lines.push(line);
    this.byLine.set(line, n);
    if (n.error) {
      const err = document.createElement('div');
      err.className = 'node-error';
      err.textContent = n.error;
      li.append(err);
    }
    if (n.children?.length) {
      const ul = document.createElement('ul');
      for (const c of n.children) ul.append(this.item(c, depth + 1));
      li.append(ul);
      if (depth >= 2) li.classList.add('collapsed');
    }
    return li;
  }

  private selectLine(line: HTMLElement | null): void {
    this.root.querySelectorAll('.node-line.selected').forEach((l) => l.classList.remove('selected'));
    const node = line ? this.byLine.get(line) ?? null : null;
    this.selectedNode = node;
    if (line) {
      line.classList.add('selected');
      line.scrollIntoView({ block: 'nearest' });
      // Open the path to it.
      for (let li = line.parentElement; li && li !== this.root; li = li.parentElement) li.classList?.remove('collapsed');
    }
    this.onSelect(node);
  }

  /** Selects the deepest node whose range holds byte `offset`. */
  selectByte(offset: number): void {
    let best: HTMLElement | null = null;
    let bestSize = Infinity;
    for (const line of this.lines) {
      const n = this.byLine.get(line)!;
      if (n.start <= offset && offset < n.end && n.end - n.start <= bestSize) {
        best = line;
        bestSize = n.end - n.start;
      }
    }
    this.selectLine(best);
  }

  /** Selects the first node whose label is `label` (tests, links). */
  selectLabel(label: string): boolean {
    const line = this.lines.find((l) => this.byLine.get(l)!.label === label);
    if (line) this.selectLine(line);
    return line !== undefined;
  }

  private key(e: KeyboardEvent): void {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const visible = this.lines.filter((l) => l.offsetParent !== null);
    const at = visible.findIndex((l) => this.byLine.get(l) === this.selectedNode);
    const next = visible[Math.max(0, Math.min(visible.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))];
    if (next) this.selectLine(next);
  }

  get tree(): readonly DetailNode[] {
    return this.nodes;
  }
}
