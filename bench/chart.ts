// The ratios of a benchmark run as one SVG bar chart: a bar per comparison,
// on a log scale centred on parity (1x), green where nlkit is faster than its
// reference, red where slower, so where nlkit stands shows at a glance.
//
//        0.1x        0.5x    1x    2x          10x
//   codec scan  ─────────────┼██████                    2.31x
//   C receive   ──────  █████┤                          0.82x

export interface RatioBar {
  /** What was compared, e.g. 'header scan: nlkit wasm vs plain JS'. */
  label: string;
  /** nlkit / reference (above 1: nlkit faster, or more of what the unit counts). */
  ratio: number;
  /** What the reference is ('plain JS', 'C recvmmsg', 'netlink package'). */
  group?: string;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Renders the bars as a standalone SVG document. */
export function ratioChart(bars: RatioBar[], title: string): string {
  const usable = bars.filter((b) => Number.isFinite(b.ratio) && b.ratio > 0);
  const rowHeight = 22;
  const labelWidth = 560;
  const plotWidth = 520;
  const valueWidth = 80;
  const top = 64;
  const width = labelWidth + plotWidth + valueWidth + 20;
  const height = top + usable.length * rowHeight + 40;
  // log10 axis from 1/extent to extent, extent at least 10x.
  const extreme = Math.max(10, ...usable.map((b) => Math.max(b.ratio, 1 / b.ratio)));
  const decades = Math.ceil(Math.log10(extreme));
  const x = (r: number) => labelWidth + ((Math.log10(Math.min(Math.max(r, 10 ** -decades), 10 ** decades)) + decades) / (2 * decades)) * plotWidth;
  const parity = x(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="10" y="22" font-size="16" font-weight="bold">${escape(title)}</text>`);
  out.push(`<text x="10" y="42" fill="#555">ratio = nlkit / reference, log scale; right of 1x (green): nlkit ahead; left (red): behind</text>`);
  // Grid: 1, 2, 5 per decade.
  for (let d = -decades; d <= decades; d++) {
    for (const m of [1, 2, 5]) {
      const r = m * 10 ** d;
      if (r > 10 ** decades || r < 10 ** -decades) continue;
      const gx = x(r).toFixed(1);
      const label = r >= 1 ? `${r}x` : `${Number(r.toPrecision(1))}x`;
      out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + usable.length * rowHeight}" stroke="${m === 1 ? '#bbb' : '#eee'}"/>`);
      if (m === 1 || decades <= 2) out.push(`<text x="${gx}" y="${top - 10}" text-anchor="middle" fill="#777">${label}</text>`);
    }
  }
  usable.forEach((b, k) => {
    const y = top + k * rowHeight;
    const bx = x(b.ratio);
    const left = Math.min(bx, parity);
    const w = Math.max(1, Math.abs(bx - parity));
    const colour = b.ratio >= 1 ? '#2e9d4a' : b.ratio >= 0.8 ? '#e0a000' : '#d0413b';
    const label = b.group ? `${b.label} (vs ${b.group})` : b.label;
    out.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(label.length > 84 ? `${label.slice(0, 81)}...` : label)}</text>`);
    out.push(`<rect x="${left.toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${colour}"><title>${escape(label)}: ${b.ratio.toFixed(3)}x</title></rect>`);
    out.push(`<text x="${labelWidth + plotWidth + 8}" y="${y + 15}">${b.ratio >= 10 ? b.ratio.toFixed(1) : b.ratio.toFixed(2)}x</text>`);
  });
  out.push(`<line x1="${parity.toFixed(1)}" y1="${top - 6}" x2="${parity.toFixed(1)}" y2="${top + usable.length * rowHeight}" stroke="#333" stroke-width="1.5"/>`);
  out.push(`<text x="10" y="${height - 14}" fill="#777">amber: within 80% of the reference. ${bars.length - usable.length ? `${bars.length - usable.length} comparisons without a ratio are not drawn.` : ''}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
