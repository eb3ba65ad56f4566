// `nlkit nft list tables|chains|ruleset`: the nftables objects, printed like
// `nft -y list ...` (numeric priorities). Rules are shown as their expression
// lists in a comment, not re-assembled into nft's rule syntax.

import { parseArgs } from 'node:util';
import { openSocket } from '../../socket/open.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import { listChains, listRules, listSets, listTables, type NftChain, type NftRule, type NftSet, type NftTable } from '../../families/nfnetlink/nftables.js';
import { NFPROTO, type NfFamilyName } from '../../families/nfnetlink/nfgenmsg.js';
import { UsageError, type Command } from '../command.js';
import { toJson } from './table.js';

const USAGE = `usage: nlkit nft list tables|chains|ruleset [FAMILY] [--json] [--netns NAME]

Lists nftables objects over nfnetlink, in the layout of 'nft -y list'.

  tables     the tables
  chains     the tables with their chains
  ruleset    tables, chains, sets and rules (rules as expression lists)
  FAMILY     only this family: ip, ip6, inet, arp, bridge, netdev
  --json     one JSON document (see docs/json-families.md)
  --netns    look inside the network namespace /run/netns/NAME
`;

export interface Ruleset {
  tables: NftTable[];
  chains: NftChain[];
  sets: NftSet[];
  rules: NftRule[];
}

export async function readRuleset(sock: NetlinkSocket, family: NfFamilyName | undefined, what: 'tables' | 'chains' | 'ruleset'): Promise<Ruleset> {
  const f = family ? { family } : {};
  const tables = await listTables(sock, f);
  const chains = what === 'tables' ? [] : await listChains(sock, f);
  const sets = what === 'ruleset' ? await listSets(sock, f) : [];
  const rules = what === 'ruleset' ? await listRules(sock, f) : [];
  return { tables, chains, sets, rules };
}

const same = (a: { family: unknown; table?: string; name?: string }, t: NftTable) => a.family === t.family && a.table === t.name;

export function formatRuleset(r: Ruleset, what: 'tables' | 'chains' | 'ruleset'): string {
  const out: string[] = [];
  for (const t of r.tables) {
    if (what === 'tables') {
      out.push(`table ${t.family} ${t.name}`);
      continue;
    }
    out.push(`table ${t.family} ${t.name} {`);
    const body: string[] = [];
    for (const s of r.sets.filter((x) => same(x, t))) {
      body.push(`\tset ${s.name} {`, `\t\t# key length ${s.keyLength}${s.flags.length ? `, flags ${s.flags.join(',')}` : ''}`, '\t}');
    }
    for (const c of r.chains.filter((x) => same(x, t))) {
      body.push(`\tchain ${c.name} {`);
      if (c.hook !== undefined) {
        body.push(`\t\ttype ${c.type ?? 'filter'} hook ${c.hook} priority ${c.priority ?? 0}; policy ${c.policy ?? 'accept'};`);
      }
      for (const rule of r.rules.filter((x) => x.family === t.family && x.table === t.name && x.chain === c.name)) {
        body.push(`\t\t# handle ${rule.handle}: ${rule.expressions.join(' ')}`);
      }
      body.push('\t}');
    }
    out.push(...body, '}');
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function strip<T extends { attributes: unknown }>(x: T): Omit<T, 'attributes'> {
  const { attributes: _a, ...rest } = x;
  return rest;
}

export const nftCommand: Command = {
  name: 'nft',
  summary: 'nftables tables, chains and rules (like nft list)',
  usage: USAGE,
  async run(args, context) {
    const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { json: { type: 'boolean' }, netns: { type: 'string' } } });
    const [verb, what, family, ...rest] = positionals;
    if (verb !== 'list' || (what !== 'tables' && what !== 'chains' && what !== 'ruleset') || rest.length) {
      throw new UsageError(`nft: expected 'list tables|chains|ruleset [FAMILY]', got '${positionals.join(' ')}'`);
    }
    if (family !== undefined && !(family in NFPROTO && family !== 'unspec')) throw new UsageError(`nft: unknown family '${family}' (ip, ip6, inet, arp, bridge, netdev)`);
    const sock = openSocket('netfilter', { ...(values.netns ? { netns: values.netns } : {}), timeout: 10_000 });
    try {
      const r = await readRuleset(sock, family as NfFamilyName | undefined, what);
      if (values.json) {
        context.stdout.write(toJson({ tables: r.tables.map(strip), chains: r.chains.map(strip), sets: r.sets.map(strip), rules: r.rules.map(strip) }));
      } else {
        context.stdout.write(formatRuleset(r, what));
      }
    } finally {
      sock.close();
    }
    return 0;
  },
};
