// Event rendering: one text line per event (in the spirit of `ip monitor`)
// and the JSON Lines record documented in docs/json-monitor.md.

import type { IngestEvent } from './event.js';

/** The JSON Lines record of an event (one stable shape; see docs/json-monitor.md). */
export function eventRecord(e: IngestEvent, host?: string): Record<string, unknown> {
  const base: Record<string, unknown> = { v: 1, seq: e.seq, time: nsToIso(e.timeNs), timeNs: e.timeNs.toString() };
  if (host !== undefined) base.host = host;
  switch (e.kind) {
    case 'event':
      return { ...base, type: 'event', family: e.family, event: e.name, ...(e.resync ? { resync: true } : {}), data: e.data };
    case 'loss':
      return { ...base, type: 'loss', family: e.family, source: e.source, dropped: e.dropped, ...(e.detail ? { detail: e.detail } : {}) };
    case 'resync':
      return { ...base, type: 'resync', family: e.family, count: e.count };
    case 'malformed':
      return { ...base, type: 'malformed', family: e.family, error: e.error, offset: e.offset };
  }
}

export function jsonLine(e: IngestEvent, host?: string): string {
  return `${JSON.stringify(eventRecord(e, host))}\n`;
}

function nsToIso(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const micros = Number((ns / 1000n) % 1000n);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return /[\s"]/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',') || '-';
  return undefined;
}

/** key=value for the scalar members of `o` (nested objects are left to --json). */
function pairs(o: unknown, skip: ReadonlySet<string> = new Set()): string[] {
  if (!o || typeof o !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (skip.has(k) || k.startsWith('$')) continue;
    const s = scalar(v);
    if (s !== undefined) out.push(`${k}=${s}`);
  }
  return out;
}

const PROC_HIDDEN = new Set(['cpu', 'timestampNs', 'seq']);

/** One line per event, with a bracketed family tag first, as `ip monitor` prints. */
export function textLine(e: IngestEvent): string {
  switch (e.kind) {
    case 'loss': {
      const what = e.source === 'kernel' ? 'kernel dropped messages (ENOBUFS), count unknown'
        : e.source === 'sequence' ? `kernel dropped ${e.dropped} events (sequence gap)`
          : e.source === 'local' ? `local queue dropped ${e.dropped} events`
            : `sink failed to take ${e.dropped} records`;
      return `[OVERRUN] ${e.family}: ${what}${e.detail && e.source !== 'kernel' ? ` (${e.detail})` : ''}\n`;
    }
    case 'resync':
      return `[RESYNC] ${e.family}: state re-read, ${e.count} objects\n`;
    case 'malformed':
      return `[MALFORMED] ${e.family}: ${e.error}${e.offset !== null ? ` at offset ${e.offset}` : ''}\n`;
    case 'event': {
      const tag = `[${e.family.toUpperCase()}]${e.resync ? ' (resync)' : ''}`;
      let fields: string[];
      if (e.family === 'proc') fields = pairs(e.data, PROC_HIDDEN);
      else if (e.family === 'uevent') {
        const d = e.data as { devpath?: string; env?: Record<string, unknown> };
        fields = [d.devpath ?? '', ...pairs(d.env, new Set(['ACTION', 'DEVPATH']))];
      } else {
        const d = e.data as { header?: unknown; attributes?: unknown };
        fields = [...pairs(d.header), ...pairs(d.attributes)];
      }
      return `${tag} ${e.name}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
    }
  }
}
