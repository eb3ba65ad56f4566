// `nlkit genl families`: the kernel's generic netlink families, like
// `genl ctrl list`.

import { parseArgs } from 'node:util';
import { openSocket } from '../../socket/open.js';
import { listGenlFamilies, type GenlFamilyInfo } from '../../families/genl/ctrl.js';
import { UsageError, type Command } from '../command.js';
import { toJson } from './table.js';

const USAGE = `usage: nlkit genl families [--json] [--netns NAME]

Lists the generic netlink families the kernel has (CTRL_CMD_GETFAMILY dump),
with their ids, versions, operations and multicast groups, like
'genl ctrl list'.

  --json         one JSON document (see docs/json-families.md)
  --netns NAME   ask inside the network namespace /run/netns/NAME
`;

const hex = (n: number) => `0x${n.toString(16)}`;

export function formatFamilies(families: GenlFamilyInfo[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`Name: ${f.name}`);
    lines.push(`\tID: ${hex(f.id)}  Version: ${hex(f.version)}  header size: ${f.headerSize}  max attribs: ${f.maxAttribute}`);
    if (f.operations.length) {
      lines.push('\tcommands supported:');
      f.operations.forEach((o, i) => lines.push(`\t\t#${i + 1}:  ID-${hex(o.id)}${o.flags.length ? `  ${o.flags.join(' ')}` : ''}`));
    }
    if (f.groups.length) {
      lines.push('\tmulticast groups:');
      f.groups.forEach((g, i) => lines.push(`\t\t#${i + 1}:  ID-${hex(g.id)}  name: ${g.name}`));
    }
    lines.push('');
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

export const genlCommand: Command = {
  name: 'genl',
  summary: 'generic netlink families (like genl ctrl list)',
  usage: USAGE,
  async run(args, context) {
    const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, netns: { type: 'string' } }, allowPositionals: true, strict: true });
    const [what = 'families', ...rest] = positionals;
    if (!['families', 'list'].includes(what) || rest.length) throw new UsageError(`genl: unknown subcommand '${positionals.join(' ')}' (try 'nlkit genl families')`);
    const sock = openSocket('generic', { ...(values.netns ? { netns: values.netns } : {}), timeout: 10_000 });
    try {
      const families = await listGenlFamilies(sock);
      context.stdout.write(values.json ? toJson({ families }) : formatFamilies(families));
    } finally {
      sock.close();
    }
    return 0;
  },
};
