// `nlkit conntrack -L`: the connection tracking table, like `conntrack -L`.

import { parseArgs } from 'node:util';
import { openSocket } from '../../socket/open.js';
import { listConntrack, type ConntrackEntry, type ConntrackTuple } from '../../families/nfnetlink/conntrack.js';
import { UsageError, type Command } from '../command.js';
import { toJson } from './table.js';

const USAGE = `usage: nlkit conntrack [-L] [-f ipv4|ipv6] [--json] [--netns NAME]

Lists the connection tracking entries (ctnetlink dump), one per line in the
format of 'conntrack -L'.

  -L, --dump     list the table (the default)
  -f, --family   only ipv4 or ipv6 entries
  --json         one JSON document (see docs/json-families.md)
  --netns NAME   read the table of the network namespace /run/netns/NAME
`;

function tuple(t: ConntrackTuple): string {
  const parts = [`src=${t.src}`, `dst=${t.dst}`];
  if (t.sport !== undefined) parts.push(`sport=${t.sport}`, `dport=${t.dport}`);
  if (t.icmp) parts.push(`type=${t.icmp.type}`, `code=${t.icmp.code}`, `id=${t.icmp.id}`);
  return parts.join(' ');
}

export function formatEntry(e: ConntrackEntry): string {
  const fields: string[] = [e.protocol.padEnd(8), String(e.original.protocol)];
  if (e.timeout !== undefined) fields.push(String(e.timeout));
  if (typeof e.tcpState === 'string') fields.push(e.tcpState.toUpperCase().replace(/-/g, '_'));
  fields.push(tuple(e.original));
  if (!e.status.includes('seen-reply')) fields.push('[UNREPLIED]');
  fields.push(tuple(e.reply));
  if (e.status.includes('assured')) fields.push('[ASSURED]');
  fields.push(`mark=${e.mark ?? 0}`);
  if (e.zone) fields.push(`zone=${e.zone}`);
  fields.push(`use=${e.use ?? 0}`);
  return fields.join(' ');
}

export function conntrackJson(e: ConntrackEntry): Record<string, unknown> {
  const { attributes: _a, ...rest } = e;
  return rest;
}

export const conntrackCommand: Command = {
  name: 'conntrack',
  summary: 'connection tracking table (like conntrack -L)',
  usage: USAGE,
  async run(args, context) {
    const { values } = parseArgs({
      args, strict: true, allowPositionals: false,
      options: { dump: { type: 'boolean', short: 'L' }, family: { type: 'string', short: 'f' }, json: { type: 'boolean' }, netns: { type: 'string' } },
    });
    const family = values.family;
    if (family !== undefined && family !== 'ipv4' && family !== 'ipv6') throw new UsageError(`conntrack: --family must be ipv4 or ipv6, got '${family}'`);
    const sock = openSocket('netfilter', { ...(values.netns ? { netns: values.netns } : {}), timeout: 10_000 });
    try {
      const entries = await listConntrack(sock, family ? { family } : {});
      if (values.json) context.stdout.write(toJson({ entries: entries.map(conntrackJson) }));
      else {
        for (const e of entries) context.stdout.write(`${formatEntry(e)}\n`);
        context.stderr.write(`nlkit conntrack: ${entries.length} flow entries have been shown.\n`);
      }
    } finally {
      sock.close();
    }
    return 0;
  },
};
