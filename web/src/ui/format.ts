// Times and numbers as the page shows them.

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** 22:13:20.001500 (UTC) from milliseconds since the epoch. */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const d = new Date(Math.floor(ms));
  const micros = Math.floor((ms - Math.floor(ms / 1000) * 1000) * 1000);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micros, 6)}`;
}

/** 2023-11-14 22:13:20.001500 UTC */
export function formatDateTime(ms: number): string {
  if (!Number.isFinite(ms)) return 'no timestamp';
  const d = new Date(Math.floor(ms));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${formatClock(ms)} UTC`;
}

/** Seconds since `origin` with microseconds: '12.000150'. */
export function formatRelative(ms: number, origin: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ((ms - origin) / 1000).toFixed(6);
}

export function formatDuration(ms: number): string {
  if (!(ms >= 0)) return '—';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
