// `nlkit neigh [show] [dev NAME] [nud STATE|all]`: ARP / NDP entries as `ip
// neigh show` prints them (NOARP entries only with `nud all`, as ip does).

import { neighbours, type Neighbour } from '../../families/rtnetlink/index.js';
import type { Command } from '../command.js';
import { COMMON_USAGE, linkTable, parseShowArgs, withRoute, writeJson } from './common.js';

export interface NeighbourJson {
  family: string;
  dst: string | null;
  dev: string | null;
  lladdr: string | null;
  state: string[];
  flags: string[];
}

const STATE_ORDER = ['incomplete', 'reachable', 'stale', 'delay', 'probe', 'failed', 'noarp', 'permanent'];

export function neighbourJson(n: Neighbour, dev: string | undefined): NeighbourJson {
  return {
    family: n.family === 4 ? 'inet' : n.family === 6 ? 'inet6' : String(n.family),
    dst: n.dst ?? null,
    dev: dev ?? null,
    lladdr: n.lladdr ?? null,
    state: STATE_ORDER.filter((s) => n.state.includes(s)).map((s) => s.toUpperCase()),
    flags: n.flags.filter((f) => f === 'router' || f === 'proxy' || f === 'ext-learned' || f === 'offloaded'),
  };
}

export function neighbourLine(j: NeighbourJson): string {
  const w = [j.dst ?? '?'];
  if (j.dev) w.push('dev', j.dev);
  if (j.lladdr) w.push('lladdr', j.lladdr);
  w.push(...j.flags.map((f) => (f === 'ext-learned' ? 'extern_learn' : f === 'offloaded' ? 'offload' : f)));
  w.push(...j.state);
  return w.join(' ');
}

export const neighCommand: Command = {
  name: 'neigh',
  aliases: ['n', 'neighbour', 'neighbor'],
  summary: 'list ARP / NDP neighbour entries (like ip neigh show)',
  usage: `usage: nlkit neigh [show] [dev NAME] [nud STATE|all] [options]
${COMMON_USAGE}`,
  async run(args, context) {
    const opts = parseShowArgs(args, ['dev', 'nud'], 'neigh');
    return withRoute(opts.netns, async (sock) => {
      const names = await linkTable(sock);
      const dev = opts.words.get('dev');
      const index = dev === undefined ? undefined : names.byName(dev).index;
      const nud = opts.words.get('nud')?.toLowerCase();
      const rows: NeighbourJson[] = [];
      for await (const n of neighbours.dump(sock, { ...(opts.family ? { family: opts.family } : {}), ...(index !== undefined ? { index } : {}) })) {
        if (n.family !== 4 && n.family !== 6) continue;
        if (nud === undefined ? n.state.includes('noarp') : nud !== 'all' && !n.state.includes(nud)) continue;
        rows.push(neighbourJson(n, names.name(n.index)));
      }
      if (opts.json) writeJson(context, rows);
      else for (const j of rows) context.stdout.write(`${neighbourLine(j)}\n`);
      return 0;
    });
  },
};
