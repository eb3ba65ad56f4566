// One line per message for the list's summary column and the text filter:
// the outcome of errors and acks, else the first few named values.

import type { DetailNode, DecodedMessage } from './detail.js';

const MAX = 140;

function shortValue(n: DetailNode): string | null {
  if (n.value === undefined || n.children?.length) return null;
  if (n.value === '{…}') return n.value;
  return n.value.length > 40 ? `${n.value.slice(0, 39)}…` : n.value;
}

export function summarize(m: DecodedMessage): string {
  const tree = m.tree;
  const name = m.info?.name;
  if (name === 'NLMSG_ERROR') {
    const error = tree.find((n) => n.key === 'error');
    const original = tree.find((n) => n.label === 'original message');
    const extack = tree.find((n) => n.label === 'extended ack');
    const message = extack?.children?.find((n) => n.key === 'msg')?.value;
    const code = error?.value ?? '';
    const what = code.startsWith('0 ') ? 'ack' : code.replace(/^-?\d+ /, '');
    return clip(`${what}${original?.value ? ` for ${original.value}` : ''}${message ? `: ${message}` : ''}`);
  }
  if (name === 'NLMSG_DONE') {
    const error = tree.find((n) => n.key === 'error');
    return error && !error.value!.startsWith('0 ') ? clip(`done with ${error.value}`) : 'end of dump';
  }
  const parts: string[] = [];
  for (const n of tree) {
    if (n.label === 'nlmsghdr' || n.label === 'genlmsghdr') continue;
    if (n.type === 'struct' && n.children) continue;
    const v = shortValue(n);
    if (v === '{…}') parts.push(`${n.key ?? n.label}{…}`);
    else if (v !== null) parts.push(`${n.key ?? n.label}=${v}`);
    else if (n.children) parts.push(`${n.key ?? n.label}{${n.children.length}}`);
    if (parts.join(' ').length > MAX) break;
  }
  if (parts.length === 0) {
    const header = tree.find((n) => n.type === 'struct' && n.label !== 'nlmsghdr' && n.label !== 'genlmsghdr');
    for (const c of header?.children ?? []) {
      const v = shortValue(c);
      if (v !== null && v !== '0') parts.push(`${c.key ?? c.label}=${v}`);
    }
  }
  const error = firstError(tree);
  return clip(error ? `${parts.join(' ')} ⚠ ${error}`.trim() : parts.join(' '));
}

function firstError(nodes: readonly DetailNode[]): string | null {
  for (const n of nodes) {
    if (n.error) return n.error;
    if (n.children) {
      const e = firstError(n.children);
      if (e) return e;
    }
  }
  return null;
}

function clip(text: string): string {
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}
