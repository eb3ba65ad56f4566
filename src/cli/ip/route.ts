// `nlkit route [show] [table N|all] [dev NAME] [type T] [proto P]`: routes as
// `ip route show` prints them (IPv4 unless -6, table main unless told), or
// as JSON (docs/json-ip.md).

import {
  routes, routePrefix, nameOf, numberOf, ROUTE_PROTOCOLS, ROUTE_SCOPES, ROUTE_TABLES, ROUTE_TYPES, type Route, type RouteFilter,
} from '../../families/rtnetlink/index.js';
import { UsageError, type Command } from '../command.js';
import { COMMON_USAGE, linkTable, parseShowArgs, withRoute, writeJson } from './common.js';

/** RTNH_F_* as ip names them, in its order. */
const NEXTHOP_FLAGS: ReadonlyArray<[number, string]> = [
  [1, 'dead'], [4, 'onlink'], [2, 'pervasive'], [8, 'offload'], [64, 'trap'], [32, 'unresolved'], [16, 'linkdown'],
];
const PREFS: Record<number, string> = { 0: 'medium', 1: 'high', 3: 'low' };

export function nexthopFlags(bits: number): string[] {
  return NEXTHOP_FLAGS.filter(([bit]) => bits & bit).map(([, name]) => name);
}

export interface NexthopJson {
  gateway: string | null;
  dev: string | null;
  weight: number;
  flags: string[];
}

export interface RouteJson {
  family: 'inet' | 'inet6';
  type: string;
  dst: string;
  src: string | null;
  gateway: string | null;
  dev: string | null;
  table: string;
  protocol: string;
  scope: string;
  prefsrc: string | null;
  metric: number | null;
  flags: string[];
  pref: string | null;
  nexthops: NexthopJson[] | null;
}

/** A prefix as ip writes it: host prefixes without their length. */
function prefixText(prefix: string, family: number): string {
  const host = family === 4 ? '/32' : '/128';
  return prefix.endsWith(host) ? prefix.slice(0, -host.length) : prefix;
}

export function routeJson(r: Route, name: (index: number | undefined) => string | undefined): RouteJson {
  return {
    family: r.family === 6 ? 'inet6' : 'inet',
    type: nameOf(ROUTE_TYPES, r.type),
    dst: prefixText(routePrefix(r), r.family),
    src: r.src ? prefixText(`${r.src}/${r.srcLen}`, r.family) : null,
    gateway: r.gateway ?? null,
    dev: name(r.oif) ?? null,
    table: nameOf(ROUTE_TABLES, r.table),
    protocol: nameOf(ROUTE_PROTOCOLS, r.protocol),
    scope: nameOf(ROUTE_SCOPES, r.scope),
    prefsrc: r.prefsrc ?? null,
    metric: r.priority ?? null,
    flags: nexthopFlags(r.flags & 0xff),
    pref: r.pref === undefined ? null : PREFS[r.pref] ?? String(r.pref),
    nexthops: r.multipath
      ? r.multipath.map((h) => ({ gateway: h.gateway ?? null, dev: name(h.oif) ?? null, weight: h.weight, flags: nexthopFlags(h.flags) }))
      : null,
  };
}

/**
 * A route as ip prints it: one line, plus a line per nexthop of a multipath
 * route. Like ip, it leaves out what the listing was filtered by (the table
 * when one was asked for, the device).
 */
export function routeLines(j: RouteJson, omit: { table?: boolean; dev?: boolean } = {}): string[] {
  const w: string[] = [];
  if (j.type !== 'unicast') w.push(j.type);
  w.push(j.dst);
  if (j.src) w.push('from', j.src);
  if (j.gateway) w.push('via', j.gateway);
  if (j.dev && !omit.dev) w.push('dev', j.dev);
  if (j.table !== 'main' && !omit.table) w.push('table', j.table);
  if (j.protocol !== 'boot') w.push('proto', j.protocol);
  if (j.scope !== 'global') w.push('scope', j.scope);
  if (j.prefsrc) w.push('src', j.prefsrc);
  if (j.metric !== null) w.push('metric', String(j.metric));
  w.push(...j.flags);
  if (j.pref) w.push('pref', j.pref);
  const lines = [w.join(' ')];
  for (const h of j.nexthops ?? []) {
    const n = ['nexthop'];
    if (h.gateway) n.push('via', h.gateway);
    if (h.dev) n.push('dev', h.dev);
    n.push('weight', String(h.weight), ...h.flags);
    lines.push(`\t${n.join(' ')}`);
  }
  return lines;
}

export const routeCommand: Command = {
  name: 'route',
  aliases: ['r'],
  summary: 'list routes (like ip route show)',
  usage: `usage: nlkit route [show] [table N|NAME|all] [dev NAME] [type TYPE] [proto PROTO] [options]

Lists the routes of one table (main unless told), IPv4 unless -6 is given;
'table all' lists every table of both families, as ip route show does.
${COMMON_USAGE}`,
  async run(args, context) {
    const opts = parseShowArgs(args, ['table', 'dev', 'type', 'proto'], 'route');
    return withRoute(opts.netns, async (sock) => {
      const names = await linkTable(sock);
      const table = opts.words.get('table');
      // As ip: one table means IPv4 unless -6; 'table all' means both families.
      const filter: RouteFilter = {};
      const family = opts.family ?? (table === 'all' ? undefined : 4);
      if (family) filter.family = family;
      if (table === 'all') filter.table = 'all';
      else if (table !== undefined) {
        const n = numberOf(ROUTE_TABLES, table);
        if (n === undefined) throw new UsageError(`unknown table '${table}'`);
        filter.table = n;
      } else filter.table = 254;
      const dev = opts.words.get('dev');
      // ip matches the device against RTA_OIF only (multipath routes have none).
      const oif = dev === undefined ? undefined : names.byName(dev).index;
      for (const [word, key, names_] of [['type', 'type', ROUTE_TYPES], ['proto', 'protocol', ROUTE_PROTOCOLS]] as const) {
        const v = opts.words.get(word);
        if (v === undefined) continue;
        const n = numberOf(names_, v);
        if (n === undefined) throw new UsageError(`unknown ${word} '${v}'`);
        filter[key] = n;
      }
      const list = (await routes.list(sock, filter)).filter((r) => oif === undefined || r.oif === oif);
      const rows = list.map((r) => routeJson(r, names.name));
      const omit = { table: table !== undefined && table !== 'all', dev: oif !== undefined };
      if (opts.json) writeJson(context, rows);
      else for (const j of rows) context.stdout.write(`${routeLines(j, omit).join('\n')}\n`);
      return 0;
    });
  },
};
