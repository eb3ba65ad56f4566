// Dispatches `nlkit <command> [args]` to a command, with --help everywhere
// and errors that name the problem (permission, missing namespace, unknown
// family) and exit non-zero.

import { NlkitError, NetlinkError } from '../codec/errors.js';
import { UsageError, type Command, type CommandContext } from './command.js';

export function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: nlkit <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'nlkit <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/** Explains an error for a person: what went wrong and, where it is clear, what to do. */
export function explain(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  if (error instanceof NetlinkError) {
    const hint = error.code === 'EPERM' || error.code === 'EACCES'
      ? ' (this needs root or CAP_NET_ADMIN)'
      : error.code === 'ENOENT' && error.operation.startsWith('genl') ? ' (the kernel has no such family)' : '';
    return `${error.message}${hint}`;
  }
  if (error instanceof NlkitError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

export async function runCli(argv: string[], commands: readonly Command[], context: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    context.stdout.write(topic ? topic.usage : usage(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (!command) {
    context.stderr.write(`nlkit: unknown command '${name}'\n${usage(commands)}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    context.stdout.write(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, context);
  } catch (error) {
    context.stderr.write(`nlkit ${command.name}: ${explain(error)}\n`);
    if (error instanceof UsageError) return error.exitCode;
    // node:util parseArgs rejects unknown or malformed flags: a usage error, whichever command parsed them.
    return isParseArgsError(error) ? 2 : 1;
  }
}
