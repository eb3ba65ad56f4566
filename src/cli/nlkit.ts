#!/usr/bin/env node
// The `nlkit` command.
import { runDemo } from './demo.js';

const USAGE = `usage: nlkit <command>

commands:
  demo      build a netlink batch, scan it with the WASM codec and print it
  help      this text
`;

function main(argv: string[]): number {
  const [command] = argv;
  switch (command) {
    case 'demo':
      runDemo();
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`nlkit: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
