// `nlkit rule [show]`: policy routing rules as `ip rule show` prints them
// (IPv4 unless -6), or as JSON (docs/json-ip.md).

import { rules, nameOf, ROUTE_TABLES, type Rule } from '../../families/rtnetlink/index.js';
import type { Command } from '../command.js';
import { COMMON_USAGE, parseShowArgs, withRoute, writeJson } from './common.js';

export interface RuleJson {
  family: 'inet' | 'inet6';
  priority: number;
  not: boolean;
  src: string;
  dst: string | null;
  tos: number;
  fwmark: string | null;
  iif: string | null;
  oif: string | null;
  /** 'lookup', 'goto', 'nop', 'blackhole', 'unreachable', 'prohibit'. */
  action: string;
  table: string | null;
  goto: number | null;
}

const ACTIONS: Record<string, string> = { 'to-tbl': 'lookup', goto: 'goto', nop: 'nop', blackhole: 'blackhole', unreachable: 'unreachable', prohibit: 'prohibit' };

function prefix(text: string | undefined, family: number): string | undefined {
  if (!text) return undefined;
  const host = family === 4 ? '/32' : '/128';
  return text.endsWith(host) ? text.slice(0, -host.length) : text;
}

export function ruleJson(r: Rule): RuleJson {
  const action = typeof r.action === 'string' ? ACTIONS[r.action] ?? r.action : String(r.action);
  return {
    family: r.family === 6 ? 'inet6' : 'inet',
    priority: r.priority,
    not: r.flags.includes('invert'),
    src: prefix(r.src, r.family) ?? 'all',
    dst: prefix(r.dst, r.family) ?? null,
    tos: r.tos,
    fwmark: r.fwmark === undefined ? null : `0x${r.fwmark.toString(16)}${r.fwmask !== undefined && r.fwmask !== 0xffffffff ? `/0x${r.fwmask.toString(16)}` : ''}`,
    iif: r.iif ?? null,
    oif: r.oif ?? null,
    action,
    table: action === 'lookup' ? nameOf(ROUTE_TABLES, r.table) : null,
    goto: r.goto ?? null,
  };
}

export function ruleLine(j: RuleJson): string {
  const w: string[] = [];
  if (j.not) w.push('not');
  w.push('from', j.src);
  if (j.dst) w.push('to', j.dst);
  if (j.tos) w.push('tos', `0x${j.tos.toString(16)}`);
  if (j.fwmark) w.push('fwmark', j.fwmark);
  if (j.iif) w.push('iif', j.iif);
  if (j.oif) w.push('oif', j.oif);
  if (j.action === 'lookup') w.push('lookup', j.table ?? '');
  else if (j.action === 'goto') w.push('goto', String(j.goto));
  else w.push(j.action);
  return `${j.priority}:\t${w.join(' ')}`;
}

export const ruleCommand: Command = {
  name: 'rule',
  aliases: ['ru'],
  summary: 'list policy routing rules (like ip rule show)',
  usage: `usage: nlkit rule [show] [options]

Lists the rules of IPv4 (or IPv6 with -6) in priority order.
${COMMON_USAGE}`,
  async run(args, context) {
    const opts = parseShowArgs(args, [], 'rule');
    return withRoute(opts.netns, async (sock) => {
      const rows: RuleJson[] = [];
      for await (const r of rules.dump(sock, { family: opts.family ?? 4 })) rows.push(ruleJson(r));
      if (opts.json) writeJson(context, rows);
      else for (const j of rows) context.stdout.write(`${ruleLine(j)}\n`);
      return 0;
    });
  },
};
