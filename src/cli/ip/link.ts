// `nlkit link [show] [dev NAME] [type KIND]`: links as `ip link show` prints
// them, or as JSON (docs/json-ip.md).

import type { Link } from '../../families/rtnetlink/index.js';
import { LINK_TYPES, nameOf } from '../../families/rtnetlink/index.js';
import type { Command } from '../command.js';
import { COMMON_USAGE, linkTable, parseShowArgs, withRoute, writeJson } from './common.js';

const IFF = {
  UP: 0x1, BROADCAST: 0x2, DEBUG: 0x4, LOOPBACK: 0x8, POINTOPOINT: 0x10, NOTRAILERS: 0x20, RUNNING: 0x40, NOARP: 0x80,
  PROMISC: 0x100, ALLMULTI: 0x200, MASTER: 0x400, SLAVE: 0x800, MULTICAST: 0x1000, PORTSEL: 0x2000, AUTOMEDIA: 0x4000,
  DYNAMIC: 0x8000, LOWER_UP: 0x10000, DORMANT: 0x20000, ECHO: 0x40000,
} as const;

/** The order in which ip prints interface flags. */
const FLAG_ORDER = [
  'LOOPBACK', 'BROADCAST', 'POINTOPOINT', 'MULTICAST', 'NOARP', 'ALLMULTI', 'PROMISC', 'NOTRAILERS', 'DEBUG',
  'DYNAMIC', 'AUTOMEDIA', 'PORTSEL', 'SLAVE', 'MASTER', 'UP', 'LOWER_UP', 'DORMANT', 'ECHO',
] as const;

/**
 * ip's flag list: NO-CARRIER for an up link that is not running, then the
 * flags in ip's order (RUNNING is implied), unnamed bits in hex, and M-DOWN
 * when the lower link (same namespace) is down.
 */
export function linkFlags(link: Link, lowerDown = false): string[] {
  let bits = link.flagBits;
  const out: string[] = [];
  if (bits & IFF.UP && !(bits & IFF.RUNNING)) out.push('NO-CARRIER');
  bits &= ~IFF.RUNNING;
  for (const name of FLAG_ORDER) {
    if (bits & IFF[name]) {
      out.push(name);
      bits &= ~IFF[name];
    }
  }
  if (bits) out.push(`0x${bits.toString(16)}`);
  if (lowerDown) out.push('M-DOWN');
  return out;
}

export interface LinkJson {
  index: number;
  name: string;
  flags: string[];
  mtu: number | null;
  qdisc: string | null;
  master: string | null;
  link: string | null;
  operstate: string;
  linkmode: string;
  group: string;
  txqlen: number | null;
  linkType: string;
  address: string | null;
  broadcast: string | null;
  kind: string | null;
  data: Record<string, unknown> | string | null;
}

type Names = Awaited<ReturnType<typeof linkTable>>;

function lowerName(link: Link, names: Names): string | null {
  if (link.link === undefined || link.link === link.index) return null;
  if (link.linkNetnsid !== undefined) return `if${link.link}`;
  return link.link === 0 ? 'NONE' : names.name(link.link) ?? `if${link.link}`;
}

function lowerIsDown(link: Link, names: Names): boolean {
  if (link.link === undefined || link.link === 0 || link.linkNetnsid !== undefined) return false;
  const lower = names.list.find((l) => l.index === link.link);
  return lower !== undefined && (lower.flagBits & IFF.UP) === 0;
}

export function linkJson(link: Link, names: Names): LinkJson {
  return {
    index: link.index,
    name: link.name,
    flags: linkFlags(link, lowerIsDown(link, names)),
    mtu: link.mtu ?? null,
    qdisc: link.qdisc ?? null,
    master: link.master ? names.name(link.master) ?? null : null,
    link: lowerName(link, names),
    operstate: typeof link.operstate === 'string' ? link.operstate : String(link.operstate ?? 'UNKNOWN'),
    linkmode: link.linkmode === 1 ? 'DORMANT' : 'DEFAULT',
    group: link.group === undefined || link.group === 0 ? 'default' : String(link.group),
    txqlen: link.txqlen ?? null,
    linkType: nameOf(LINK_TYPES, link.type),
    address: link.address ?? null,
    broadcast: link.broadcast ?? null,
    kind: link.kind ?? null,
    data: link.data ?? null,
  };
}

/**
 * The first line of a link as ip prints it: `mode` only in `ip link`; under a
 * family filter (`ip -6 addr`) ip prints the short form without qdisc,
 * master and group.
 */
export function linkHeadLine(j: LinkJson, withMode: boolean, short = false): string {
  let s = `${j.index}: ${j.name}${j.link ? `@${j.link}` : ''}: <${j.flags.join(',')}>`;
  if (short) return `${s}${j.mtu !== null ? ` mtu ${j.mtu}` : ''} state ${j.operstate}${j.txqlen !== null ? ` qlen ${j.txqlen}` : ''}`;
  if (j.mtu !== null) s += ` mtu ${j.mtu}`;
  if (j.qdisc !== null) s += ` qdisc ${j.qdisc}`;
  if (j.master !== null) s += ` master ${j.master}`;
  s += ` state ${j.operstate}`;
  if (withMode) s += ` mode ${j.linkmode}`;
  s += ` group ${j.group}`;
  if (j.txqlen !== null) s += ` qlen ${j.txqlen}`;
  return s;
}

export function linkAddressLine(j: LinkJson): string {
  let s = `    link/${j.linkType}`;
  if (j.address !== null) s += ` ${j.address}`;
  if (j.broadcast !== null) s += ` brd ${j.broadcast}`;
  return s;
}

export const linkCommand: Command = {
  name: 'link',
  aliases: ['l'],
  summary: 'list network interfaces (like ip link show)',
  usage: `usage: nlkit link [show] [[dev] NAME] [type KIND] [options]

Lists the links of the namespace: index, name, flags, mtu, state, link-layer address.
${COMMON_USAGE}`,
  async run(args, context) {
    const opts = parseShowArgs(args, ['dev', 'type'], 'link', 'dev');
    return withRoute(opts.netns, async (sock) => {
      const names = await linkTable(sock);
      const dev = opts.words.get('dev');
      const kind = opts.words.get('type');
      const selected = dev !== undefined ? [names.byName(dev)] : names.list.filter((l) => kind === undefined || l.kind === kind);
      const rows = selected.map((l) => linkJson(l, names));
      if (opts.json) writeJson(context, rows);
      else for (const j of rows) context.stdout.write(`${linkHeadLine(j, true)}\n${linkAddressLine(j)}\n`);
      return 0;
    });
  },
};
