// What every `nlkit` subcommand is: a name, a one-line summary, its help
// text, and a run function that writes through the given output and returns
// an exit code. Commands parse their own flags with node:util parseArgs.

export interface Output {
  write(text: string): void;
  /** True when the output is a terminal (progress bars, colours). */
  readonly isTTY?: boolean;
}

export interface CommandContext {
  stdout: Output;
  stderr: Output;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop and flush. */
  signal: AbortSignal;
}

export interface Command {
  /** The word after `nlkit` (e.g. 'link', 'monitor'). */
  name: string;
  /** Other words that select it (e.g. 'l' for 'link'). */
  aliases?: string[];
  summary: string;
  /** The full --help text. */
  usage: string;
  run(args: string[], context: CommandContext): Promise<number>;
}

/** A failure the user can act on: printed as `nlkit: message`, exit code 1 (or the one given). */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}
