// Every nlkit command answers an unknown flag the same way: a usage error
// (exit status 2) naming the flag, before it opens any socket or file.

import { describe, expect, test } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { runCommands } from '../helpers/cli.js';

describe('unknown flags', () => {
  for (const command of commands) {
    test(`nlkit ${command.name} --no-such-flag is a usage error`, async () => {
      const run = await runCommands(commands, [command.name, '--no-such-flag']);
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/--no-such-flag/);
    });
  }
});
