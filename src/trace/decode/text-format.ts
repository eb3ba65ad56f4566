// The text form of `nlkit decode`: one head line per message, then its
// header and attribute tree indented, names from the schemas.
//
//   #5 r4 +0.006000 out route RTM_NEWLINK REQUEST,ACK,EXCL,CREATE seq=2 port=4242 len=52
//       ifinfomsg: ifi-family=0 ifi-type=0 ifi-index=0 ifi-flags=0 ifi-change=0
//       ifname: "br0"
//       linkinfo:
//         kind: "bridge"
//   #6 r5 +0.007500 in route NLMSG_ERROR CAPPED seq=2 port=4242 len=36 reply-to=#5
//       ack for RTM_NEWLINK seq 2

import type { DecodedTraceMessage, ErrorOut } from './trace-message-decoder.js';
import type { TraceSummary } from './summary.js';

const INDENT = '    ';

function scalar(v: unknown): string {
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': case 'boolean': return String(v);
  }
  if (Array.isArray(v)) {
    let text = '[';
    for (let i = 0; i < v.length; i++) text += (i ? ', ' : '') + scalar(v[i]);
    return `${text}]`;
  }
  if (v && typeof v === 'object') return `{${inline(v as Record<string, unknown>)}}`;
  return String(v);
}

/** key=value pairs on one line. */
function inline(o: Record<string, unknown>): string {
  let text = '';
  for (const k in o) text += (text ? ' ' : '') + k + '=' + scalar(o[k]);
  return text;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function tree(value: Record<string, unknown>, indent: string, lines: string[]): void {
  for (const key in value) {
    const v = value[key];
    if (isPlainObject(v)) {
      lines.push(`${indent}${key}:`);
      tree(v, indent + '  ', lines);
    } else if (Array.isArray(v) && v.some(isPlainObject)) {
      lines.push(`${indent}${key}:`);
      for (const item of v) {
        if (isPlainObject(item)) {
          lines.push(`${indent}  -`);
          tree(item, indent + '    ', lines);
        } else lines.push(`${indent}  - ${scalar(item)}`);
      }
    } else lines.push(`${indent}${key}: ${scalar(v)}`);
  }
}

function problemText(p: ErrorOut): string {
  return `${p.error} at byte ${p.offset}: ${p.message}`;
}

/** Seconds since the first timestamp, or '-' without one. */
function relative(time: number | null, start: number | null): string {
  if (time === null || start === null) return '-';
  return `+${(time - start).toFixed(6)}`;
}

export function formatMessageText(m: DecodedTraceMessage, start: number | null): string {
  let head = `#${m.n} r${m.record} ${relative(m.time, start)} ${m.dir} ${m.protocol} ${m.type}`;
  if (m.flags.length) head += ` ${m.flags.join(',')}`;
  head += ` seq=${m.seq} port=${m.port}`;
  if (m.pid !== m.port) head += ` pid=${m.pid}`;
  head += ` len=${m.len}`;
  if (m.request) head += ` reply-to=#${m.request}`;
  const lines = [head];
  if (m.note) lines.push(`${INDENT}note: ${problemText(m.note)}`);
  if (m.errno !== undefined) {
    const what = m.type === 'NLMSG_DONE'
      ? m.errno === 0 ? 'end of dump' : `dump failed: ${m.errno} ${m.errnoName}`
      : m.errno === 0 ? 'ack' : `error ${m.errno} ${m.errnoName}`;
    lines.push(`${INDENT}${what}${m.echo ? ` for ${m.echo.type} seq ${m.echo.seq}` : ''}`);
  }
  if (m.extack) tree({ extack: m.extack }, INDENT, lines);
  if (m.cmd !== undefined && !m.attributes) lines.push(`${INDENT}cmd: ${m.cmd}`);
  if (m.header) lines.push(`${INDENT}header: ${inline(m.header)}`);
  if (m.attributes) tree(m.attributes, INDENT, lines);
  if (m.payload) lines.push(`${INDENT}payload: ${m.payload}`);
  if (m.problem) lines.push(`${INDENT}!! ${problemText(m.problem)}`);
  return lines.join('\n') + '\n';
}

export function formatProblemText(p: Record<string, unknown>): string {
  return `!! record ${String(p.record)}: ${String(p.error)} at byte ${String(p.offset)}: ${String(p.message)}\n`;
}

export function formatSummaryText(s: TraceSummary): string {
  const lines = [
    '',
    `summary: ${s.records} records, ${s.messages} messages${s.shown !== s.messages ? ` (${s.shown} shown)` : ''}`,
    `  requests ${s.requests} (answered ${s.answered}, unanswered ${s.unanswered}), acks ${s.acks}, error replies ${s.errors}`,
    `  problem records ${s.problems}, malformed messages ${s.malformed}, decode errors ${s.decodeErrors}, overruns ${s.overruns}`,
  ];
  if (s.duration !== null) lines.push(`  span ${s.duration.toFixed(6)} s`);
  if (Object.keys(s.genl).length) lines.push(`  generic netlink ids: ${Object.entries(s.genl).map(([id, name]) => `${id}=${name}`).join(' ')}`);
  const width = Math.max(0, ...s.types.map((t) => `${t.family} ${t.type}`.length));
  for (const t of s.types) lines.push(`  ${`${t.family} ${t.type}`.padEnd(width)}  ${String(t.count).padStart(9)}${t.errors ? `  (${t.errors} failed)` : ''}`);
  return lines.join('\n') + '\n';
}
