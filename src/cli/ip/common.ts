// What the ip-like commands share: their argument grammar (flags, then ip's
// words: `[show] [dev NAME] [table N|all] ...`), opening the route socket in
// a namespace with errors that say what is wrong, and the link-name lookup
// every listing needs.

import { parseArgs } from 'node:util';
import { NetlinkError } from '../../codec/errors.js';
import { openSocket } from '../../socket/open.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import { links, type Link } from '../../families/rtnetlink/index.js';
import { UsageError, type CommandContext } from '../command.js';

export interface ShowArgs {
  json: boolean;
  netns?: string;
  family?: 4 | 6;
  /** The ip words after the optional 'show', as key → value. */
  words: Map<string, string>;
}

export const COMMON_USAGE = `options:
  -j, --json          print one JSON array (shape: docs/json-ip.md)
  -n, --netns NAME    run in the network namespace /run/netns/NAME
  -4, -6              IPv4 or IPv6 only
`;

/**
 * Parses flags anywhere and the words `[show|list|ls] key value ...`; `keys`
 * are the words the command accepts. With `bare`, a word that is no key
 * stands for `bare WORD`, as ip reads `ip link show lo` as `dev lo`.
 */
export function parseShowArgs(args: string[], keys: readonly string[], command: string, bare?: string): ShowArgs {
  const parsed = parseArgs({
    args,
    options: {
      json: { type: 'boolean', short: 'j' },
      netns: { type: 'string', short: 'n' },
      4: { type: 'boolean', short: '4' },
      6: { type: 'boolean', short: '6' },
    },
    allowPositionals: true,
    strict: true,
  });
  const { values, positionals } = parsed;
  if (values[4] && values[6]) throw new UsageError('-4 and -6 exclude each other');
  const words = new Map<string, string>();
  let rest = positionals;
  if (rest.length > 0 && ['show', 'list', 'ls', 'lst'].includes(rest[0]!)) rest = rest.slice(1);
  else if (rest.length > 0 && !keys.includes(rest[0]!)) {
    throw new UsageError(`'${rest[0]}' is not a ${command} subcommand here (only 'show' lists; see --help)`);
  }
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i]!;
    if (!keys.includes(key) && bare !== undefined && !words.has(bare)) {
      words.set(bare, key);
      i--;
      continue;
    }
    if (!keys.includes(key)) throw new UsageError(`unknown word '${key}' (known: ${keys.join(', ')})`);
    if (words.has(key)) throw new UsageError(`'${key}' is given twice`);
    const value = rest[i + 1];
    if (value === undefined) throw new UsageError(`'${key}' needs a value`);
    words.set(key, value);
  }
  const out: ShowArgs = { json: values.json === true, words };
  if (values.netns !== undefined) out.netns = values.netns;
  if (values[4]) out.family = 4;
  if (values[6]) out.family = 6;
  return out;
}

/** Opens a route socket (in the namespace), naming the problem when it cannot. */
export function openRoute(netns: string | undefined): NetlinkSocket {
  try {
    return openSocket('route', netns === undefined ? {} : { netns });
  } catch (e) {
    if (netns !== undefined && e instanceof NetlinkError && e.code === 'ENOENT') {
      throw new UsageError(`network namespace '${netns}' does not exist (no /run/netns/${netns})`, 1);
    }
    if (netns !== undefined && e instanceof NetlinkError && (e.code === 'EPERM' || e.code === 'EACCES')) {
      throw new UsageError(`entering network namespace '${netns}' needs root or CAP_SYS_ADMIN (${e.code})`, 1);
    }
    throw e;
  }
}

/** Runs `fn` with a route socket and closes it after. */
export async function withRoute<T>(netns: string | undefined, fn: (sock: NetlinkSocket) => Promise<T>): Promise<T> {
  const sock = openRoute(netns);
  try {
    return await fn(sock);
  } finally {
    sock.close();
  }
}

/** Every link, and a name lookup by ifindex. */
export async function linkTable(sock: NetlinkSocket): Promise<{ list: Link[]; name(index: number | undefined): string | undefined; byName(name: string): Link }> {
  const list: Link[] = [];
  for await (const link of links.dump(sock)) list.push(link);
  const byIndex = new Map(list.map((l) => [l.index, l]));
  return {
    list,
    name: (index) => (index === undefined || index === 0 ? undefined : byIndex.get(index)?.name ?? `if${index}`),
    byName(name) {
      const link = list.find((l) => l.name === name || l.altNames?.includes(name));
      if (!link) throw new UsageError(`cannot find device '${name}'`, 1);
      return link;
    },
  };
}

export function writeJson(context: CommandContext, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value)}\n`);
}
