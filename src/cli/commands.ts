// The commands of `nlkit`, in the order `nlkit --help` lists them.
import type { Command } from './command.js';
import { demoCommand } from './demo.js';

export const commands: readonly Command[] = [
  demoCommand,
];
