// A one-line progress bar on a terminal, redrawn at most every 200 ms:
//
//   decoding [##########..........]  50%  64.0 / 128.0 MiB

import type { Output } from '../command.js';

const WIDTH = 20;
const INTERVAL_MS = 200;

export class ProgressBar {
  private last = 0;
  private shown = false;

  constructor(private readonly out: Output, private readonly total: number, private readonly label = 'decoding') {}

  update(done: number): void {
    const now = Date.now();
    if (now - this.last < INTERVAL_MS) return;
    this.last = now;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(fraction * WIDTH);
    const mib = (n: number) => (n / (1 << 20)).toFixed(1);
    this.out.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${mib(done)} / ${mib(this.total)} MiB`);
    this.shown = true;
  }

  /** Clears the line. */
  done(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}
