// The hex pane: offset, 16 bytes in hex, the same as ASCII. The selected
// field's bytes are lit up in both halves; clicking a byte asks for the
// field that holds it.

const MAX_BYTES_SHOWN = 64 * 1024;

export class HexView {
  private bytes: Uint8Array = new Uint8Array(0);
  private hexCells: HTMLElement[] = [];
  private asciiCells: HTMLElement[] = [];
  private lit: [number, number] = [0, 0];
  onByteClick: (offset: number) => void = () => {};

  constructor(private readonly root: HTMLElement) {
    root.addEventListener('click', (e) => {
      const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-o]');
      if (cell) this.onByteClick(Number(cell.dataset.o));
    });
  }

  show(bytes: Uint8Array, base: number): void {
    this.bytes = bytes;
    this.hexCells = [];
    this.asciiCells = [];
    this.lit = [0, 0];
    const shown = Math.min(bytes.length, MAX_BYTES_SHOWN);
    const frag = document.createDocumentFragment();
    for (let line = 0; line < shown; line += 16) {
      const row = document.createElement('div');
      row.className = 'hex-line';
      const off = document.createElement('span');
      off.className = 'hex-off';
      off.textContent = line.toString(16).padStart(4, '0');
      off.title = `file offset ${base + line}`;
      const hex = document.createElement('span');
      hex.className = 'hex-bytes';
      const ascii = document.createElement('span');
      ascii.className = 'hex-ascii';
      for (let i = line; i < Math.min(line + 16, shown); i++) {
        const b = bytes[i]!;
        const h = document.createElement('span');
        h.textContent = b.toString(16).padStart(2, '0');
        h.dataset.o = String(i);
        if (i % 4 === 3) h.className = 'gap';
        hex.append(h);
        const a = document.createElement('span');
        a.textContent = b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·';
        a.dataset.o = String(i);
        ascii.append(a);
        this.hexCells.push(h);
        this.asciiCells.push(a);
      }
      row.append(off, hex, ascii);
      frag.append(row);
    }
    if (bytes.length > shown) {
      const more = document.createElement('div');
      more.className = 'placeholder';
      more.textContent = `… ${bytes.length - shown} more bytes not shown`;
      frag.append(more);
    }
    this.root.replaceChildren(frag);
  }

  clear(): void {
    this.bytes = new Uint8Array(0);
    this.hexCells = [];
    this.asciiCells = [];
    this.root.replaceChildren();
  }

  /** Lights up bytes [start, end) and scrolls them into view. */
  highlight(start: number, end: number): void {
    const [a, b] = this.lit;
    for (let i = a; i < b && i < this.hexCells.length; i++) {
      this.hexCells[i]!.classList.remove('hl');
      this.asciiCells[i]!.classList.remove('hl');
    }
    const s = Math.max(0, start);
    const e = Math.min(end, this.hexCells.length);
    for (let i = s; i < e; i++) {
      this.hexCells[i]!.classList.add('hl');
      this.asciiCells[i]!.classList.add('hl');
    }
    this.lit = [s, e];
    this.hexCells[s]?.scrollIntoView({ block: 'nearest' });
  }

  /** The bytes lit up, as hex (tests). */
  highlighted(): string {
    return this.hexCells.filter((c) => c.classList.contains('hl')).map((c) => c.textContent).join(' ');
  }

  get length(): number {
    return this.bytes.length;
  }
}
