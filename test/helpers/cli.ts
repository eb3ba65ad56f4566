// Running nlkit commands in tests: through the CLI dispatcher, with a context
// that keeps what they write.

import { runCli } from '../../src/cli/main.js';
import type { Command, CommandContext } from '../../src/cli/command.js';

export interface CapturedContext extends CommandContext {
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
}

/** A command context whose stdout and stderr are kept as text. */
export function captureContext(signal: AbortSignal = new AbortController().signal): CapturedContext {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => { out += t; } },
    stderr: { write: (t: string) => { err += t; } },
    signal,
    out: () => out,
    err: () => err,
  };
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `argv` with `commands` to completion: the exit code and what was written. */
export async function runCommands(commands: readonly Command[], argv: string[], signal?: AbortSignal): Promise<CliRun> {
  const context = captureContext(signal);
  const code = await runCli(argv, commands, context);
  return { code, out: context.out(), err: context.err() };
}
