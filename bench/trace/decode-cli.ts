// The trace commands as a process of their own (what `nlkit decode` runs),
// for whole-process timings: node dist/bench/trace/decode-cli.js decode FILE --json

import { runCli } from '../../src/cli/main.js';
import { traceCommands } from '../../src/cli/trace/index.js';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('SIGINT')));
process.exitCode = await runCli(process.argv.slice(2), traceCommands, {
  stdout: process.stdout, stderr: process.stderr, signal: controller.signal,
});
