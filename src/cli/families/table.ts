// Column layout for the ss-like and list outputs: left-aligned columns
// separated by spaces, the last one unpadded.

export function formatTable(rows: string[][], rightAlign: ReadonlySet<number> = new Set()): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row) => row.map((cell, i) => {
    if (i === row.length - 1) return cell;
    return rightAlign.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
  }).join(' ').trimEnd()).join('\n') + '\n';
}

/** JSON with bigints as decimal strings and bytes as hex. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Array.from(v, (x) => x.toString(16).padStart(2, '0')).join('');
    return v;
  }, 2) + '\n';
}
