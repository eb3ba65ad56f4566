// Trace decode throughput, whole process, nlkit vs tshark in the same run:
//
//   nlkit   node dist/bench/trace/decode-cli.js decode FILE --json   (what `nlkit decode` runs)
//   tshark  tshark -r FILE -T json
//
// Both read the same generated pcapng (bench/trace/capture.ts: rtnetlink link
// notifications, 100 per datagram, with request/ack pairs) and write to
// /dev/null. Timings are wall clock of the whole process (start-up
// included), median of several alternating passes. tshark is about an order
// of magnitude slower, so it gets a smaller capture (100,000 messages;
// 20,000 with --quick) and nlkit is timed on that same file for the ratio;
// nlkit alone is also timed on 1,000,000 messages (200,000 with --quick),
// --json and text, and those figures are compared with tshark's rate on the
// smaller file (scaled: messages/s, as the record's name says).
//
//   npx tsc -p tsconfig.json && node dist/bench/trace/decode.js [--quick]

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeLargeCapture } from './capture.js';
import { median } from '../report.js';

export interface TraceDecodeFigure {
  name: string;
  unit: string;
  nlkit: number;
  reference?: number;
  ratio?: number;
}


/** Runs a command with stdout to /dev/null; returns its wall-clock seconds. */
function timed(command: string, args: string[]): number {
  const sink = openSync('/dev/null', 'w');
  try {
    const start = process.hrtime.bigint();
    const r = spawnSync(command, args, { stdio: ['ignore', sink, 'pipe'], maxBuffer: 64 << 20 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}: ${r.stderr.toString().slice(0, 500)}`);
    return seconds;
  } finally {
    closeSync(sink);
  }
}

function tsharkAvailable(): boolean {
  const r = spawnSync('tshark', ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

export async function runTraceDecodeBenchmark(options: { quick?: boolean } = {}): Promise<TraceDecodeFigure[]> {
  const quick = options.quick ?? false;
  const large = quick ? 200_000 : 1_000_000;
  const small = quick ? 20_000 : 100_000;
  const passes = quick ? 1 : 3;
  const cli = join(dirname(fileURLToPath(import.meta.url)), 'decode-cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npx tsc -p tsconfig.json first`);
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-trace-bench-'));
  try {
    const largePath = join(dir, 'large.pcapng');
    const smallPath = join(dir, 'small.pcapng');
    writeLargeCapture(largePath, large);
    writeLargeCapture(smallPath, small);
    const nlkit = (file: string, json: boolean) => timed(process.execPath, [cli, 'decode', file, ...(json ? ['--json'] : [])]);
    const figures: TraceDecodeFigure[] = [];

    const tshark = tsharkAvailable();
    const nlkitSmall: number[] = [];
    const tsharkSmall: number[] = [];
    for (let pass = 0; pass < passes; pass++) {
      nlkitSmall.push(small / nlkit(smallPath, true));
      if (tshark) tsharkSmall.push(small / timed('tshark', ['-r', smallPath, '-T', 'json']));
    }
    const tsharkRate = tshark ? median(tsharkSmall) : undefined;
    const smallRate = median(nlkitSmall);
    figures.push({
      name: `trace decode --json, ${small.toLocaleString('en-US')} messages, whole process (vs tshark -T json, same file)`,
      unit: 'messages/s', nlkit: Math.round(smallRate),
      ...(tsharkRate ? { reference: Math.round(tsharkRate), ratio: smallRate / tsharkRate } : {}),
    });

    for (const json of [true, false]) {
      const rates: number[] = [];
      for (let pass = 0; pass < passes; pass++) rates.push(large / nlkit(largePath, json));
      const rate = median(rates);
      figures.push({
        name: `trace decode ${json ? '--json' : 'text'}, ${large.toLocaleString('en-US')} messages, whole process`
          + (tsharkRate ? ` (vs tshark -T json on ${small.toLocaleString('en-US')} messages, scaled)` : ''),
        unit: 'messages/s', nlkit: Math.round(rate),
        ...(tsharkRate ? { reference: Math.round(tsharkRate), ratio: rate / tsharkRate } : {}),
      });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runTraceDecodeBenchmark({ quick: process.argv.includes('--quick') });
  for (const f of figures) {
    process.stdout.write(`${f.name}\n  nlkit ${f.nlkit.toLocaleString('en-US')} ${f.unit}`
      + (f.reference ? `, tshark ${f.reference.toLocaleString('en-US')} ${f.unit}, ratio ${f.ratio!.toFixed(2)}x` : '') + '\n');
  }
}
