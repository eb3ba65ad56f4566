// `nlkit addr [show] [dev NAME]`: links with their addresses as `ip addr
// show` prints them, or the addresses as one flat JSON array.

import { addresses, nameOf, ROUTE_SCOPES, type Address } from '../../families/rtnetlink/index.js';
import type { Command } from '../command.js';
import { COMMON_USAGE, linkTable, parseShowArgs, withRoute, writeJson } from './common.js';
import { linkAddressLine, linkHeadLine, linkJson } from './link.js';

/** The schema's IFA_F_* names → ip's words, in ip's order; v6-only ones are not shown for IPv4. */
const FLAG_WORDS: ReadonlyArray<[schema: string, ip: string, v6only: boolean]> = [
  ['secondary', 'secondary', false], ['nodad', 'nodad', true], ['optimistic', 'optimistic', true],
  ['dadfailed', 'dadfailed', true], ['homeaddress', 'home', true], ['deprecated', 'deprecated', true],
  ['tentative', 'tentative', true], ['managetempaddr', 'mngtmpaddr', true], ['noprefixroute', 'noprefixroute', false],
  ['mcautojoin', 'autojoin', false], ['stable-privacy', 'stable-privacy', true],
];

export function addressFlags(a: Address): string[] {
  const out: string[] = [];
  for (const [schema, ip, v6only] of FLAG_WORDS) {
    if (!a.flags.includes(schema) || (v6only && a.family !== 6)) continue;
    out.push(schema === 'secondary' && a.family === 6 ? 'temporary' : ip);
  }
  if (!a.flags.includes('permanent')) out.push('dynamic');
  return out;
}

export interface AddressJson {
  index: number;
  dev: string | null;
  family: 'inet' | 'inet6';
  address: string;
  prefixlen: number;
  peer: string | null;
  broadcast: string | null;
  scope: string;
  label: string | null;
  flags: string[];
  validLifetime: number | null;
  preferredLifetime: number | null;
}

export function addressJson(a: Address, dev: string | undefined): AddressJson {
  return {
    index: a.index,
    dev: dev ?? null,
    family: a.family === 6 ? 'inet6' : 'inet',
    address: a.address,
    prefixlen: a.prefixlen,
    peer: a.peer ?? null,
    broadcast: a.broadcast ?? null,
    scope: nameOf(ROUTE_SCOPES, a.scope),
    label: a.label ?? null,
    flags: addressFlags(a),
    validLifetime: a.validLifetime ?? null,
    preferredLifetime: a.preferredLifetime ?? null,
  };
}

const lifetime = (v: number | null) => (v === null || v === 0xffffffff ? 'forever' : `${v}sec`);

/** The two lines of an address as ip prints them. */
export function addressLines(j: AddressJson): string[] {
  const words = [j.family, j.peer ? `${j.address} peer ${j.peer}/${j.prefixlen}` : `${j.address}/${j.prefixlen}`];
  if (j.broadcast) words.push('brd', j.broadcast);
  words.push('scope', j.scope, ...j.flags);
  if (j.family === 'inet' && j.label) words.push(j.label);
  return [`    ${words.join(' ')}`, `       valid_lft ${lifetime(j.validLifetime)} preferred_lft ${lifetime(j.preferredLifetime)}`];
}

export const addrCommand: Command = {
  name: 'addr',
  aliases: ['a', 'address'],
  summary: 'list interface addresses (like ip addr show)',
  usage: `usage: nlkit addr [show] [[dev] NAME] [options]

Lists IPv4 and IPv6 addresses under their links. --json prints the addresses
themselves, one object each, with the link's index and name.
${COMMON_USAGE}`,
  async run(args, context) {
    const opts = parseShowArgs(args, ['dev'], 'addr', 'dev');
    return withRoute(opts.netns, async (sock) => {
      const names = await linkTable(sock);
      const dev = opts.words.get('dev');
      const only = dev === undefined ? undefined : names.byName(dev).index;
      const list: Address[] = [];
      for await (const a of addresses.dump(sock, { ...(opts.family ? { family: opts.family } : {}), ...(only !== undefined ? { index: only } : {}) })) list.push(a);
      // Addresses in link order, each link's in the kernel's order: as ip lists them.
      const rows: AddressJson[] = [];
      const text: string[] = [];
      for (const link of names.list) {
        if (only !== undefined && link.index !== only) continue;
        const mine = list.filter((a) => a.index === link.index).map((a) => addressJson(a, link.name));
        rows.push(...mine);
        // Under -4/-6, ip leaves out links without such addresses and shortens the link line.
        if (opts.family && mine.length === 0) continue;
        const j = linkJson(link, names);
        text.push(linkHeadLine(j, false, opts.family !== undefined));
        if (!opts.family) text.push(linkAddressLine(j));
        for (const r of mine) text.push(...addressLines(r));
      }
      if (opts.json) writeJson(context, rows);
      else if (text.length > 0) context.stdout.write(`${text.join('\n')}\n`);
      return 0;
    });
  },
};
