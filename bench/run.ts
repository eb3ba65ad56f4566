// The runner behind `npm run bench`: times every codec suite with tinybench,
// prints a table (or the JSON with --json) and writes bench/results/codec.json.
//
//   node dist/bench/run.js [--quick] [--json] [--all] [--messages N]
//
//   --quick       short warmup and measuring time (a smoke run, noisier figures)
//   --json        print the JSON report on stdout instead of the table
//   --all         also run the native receive, loopback round-trip, typed
//                 decode and trace decode suites, where their modules exist (bench/native/receive.ts,
//                 bench/loopback/roundtrip.ts, bench/typed/decode.ts, bench/trace/decode.ts): each exported async function
//                 is called with { quick } and returns one record
//                 { name, unit, nlkit, reference?, ratio? } or an array of them
//                 With --all it also runs the route dump and request/ack
//                 suites (bench/socket/) and the proc connector ingestion storm
//                 (bench/ingest/proc-storm.ts, worker-drain.ts), installs missing Debian
//                 packages first (scripts/system-deps.mjs, as root), and writes
//                 bench/results/all.json (every figure and ratio) and
//                 bench/results/ratios.svg (the ratios as a chart).
//   --messages N  dataset size (default 100,000)
//
// How it measures: every workload runs a few times first (priming), then
// each suite runs in rounds (3, or 1 with --quick) in which the reference and
// every nlkit variant take their turn, their samples pooled; ratios compare
// medians taken in the same run. A separate pass per workload counts garbage
// collections to bound the bytes allocated per message.
//
// The runner re-starts itself under NODE_FLAGS unless it already has them:
// with V8's default young generation, which grows or not depending on timing,
// the allocating suites flip between runs with and without full collections
// (2-3x apart). A fixed 16 MiB semi-space makes them repeatable; it applies
// to nlkit and the reference alike, and gives the allocation check below a
// known young-generation size.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench, type Task } from 'tinybench';
import { codecSuites, type Suite } from './codec.js';
import { ratioChart, type RatioBar } from './chart.js';
import { DEFAULT_MESSAGES } from './datasets.js';
import { packageRoot } from '../src/transport/native-addon.js';
import {
  environment, formatTable, writeReport,
  type Allocation, type BenchReport, type ExternalError, type ExternalRecord, type Figures, type SuiteResult,
} from './report.js';

interface RunOptions {
  quick: boolean;
  json: boolean;
  all: boolean;
  messages: number;
}

/** A bad command line: reported without a stack. */
class UsageError extends Error {}

function parseArgs(argv: string[]): RunOptions {
  const options: RunOptions = { quick: false, json: false, all: false, messages: DEFAULT_MESSAGES };
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k]!;
    if (arg === '--quick') options.quick = true;
    else if (arg === '--json') options.json = true;
    else if (arg === '--all') options.all = true;
    else if (arg === '--messages') {
      const n = Number(argv[++k]);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--messages needs a positive integer, got ${argv[k]}`);
      options.messages = n;
    } else throw new UsageError(`unknown option ${arg} (known: --quick --json --all --messages N)`);
  }
  return options;
}

/** Progress goes to stderr so that --json output stays clean. */
function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Latency samples (ms) of a finished task. */
function samplesOf(task: Task): number[] {
  const result = task.result;
  if (result.state === 'errored') throw new Error(`${task.name} failed: ${result.error.message}`, { cause: result.error });
  if (result.state !== 'completed') throw new Error(`${task.name} did not complete (${result.state})`);
  if (!result.latency.samples) throw new Error(`${task.name} kept no samples`);
  return Array.from(result.latency.samples);
}

/** Mean, median, p99 and the relative margin of error (95%, Student's t approximated by 1.96 past 30 samples). */
function figures(name: string, samples: number[], messagesPerOp: number): Figures {
  const sorted = samples.slice().sort((a, b) => a - b);
  const n = sorted.length;
  const quantile = (q: number) => {
    const at = (n - 1) * q;
    const low = Math.floor(at);
    return sorted[low]! + (sorted[Math.min(low + 1, n - 1)]! - sorted[low]!) * (at - low);
  };
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  const t = n > 30 ? 1.96 : [12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23][Math.min(n - 2, 9)] ?? 2.1;
  const rme = n > 1 ? (100 * t * Math.sqrt(variance / n)) / mean : 0;
  const median = quantile(0.5);
  return {
    name,
    opsPerSec: { mean: 1000 / mean, median: 1000 / median },
    messagesPerSec: { mean: (1000 / mean) * messagesPerOp, median: (1000 / median) * messagesPerOp },
    latencyMs: { mean, median, p99: quantile(0.99), rme },
    samples: n,
  };
}

/**
 * Times a suite in rounds: each round runs the reference and every nlkit
 * variant one after the other, so that a change in machine load between
 * rounds touches all of them; the samples of all rounds are pooled.
 */
async function runSuite(suite: Suite, quick: boolean): Promise<SuiteResult> {
  const workloads = [suite.reference, ...suite.nlkit];
  const pooled = new Map<string, number[]>(workloads.map((w) => [w.name, []]));
  const rounds = quick ? 1 : 3;
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      name: `${suite.name} (${suite.dataset})`,
      throws: true,
      retainSamples: true,
      time: quick ? 150 : 500,
      iterations: quick ? 5 : 10,
      warmup: true,
      warmupTime: quick ? 50 : 200,
      warmupIterations: quick ? 3 : 5,
    });
    for (const w of workloads) bench.add(w.name, w.fn);
    await bench.run();
    for (const w of workloads) pooled.get(w.name)!.push(...samplesOf(bench.getTask(w.name)!));
  }
  const allocation = new Map<string, Allocation>();
  for (const w of workloads) allocation.set(w.name, await allocationOf(w.fn, suite.messagesPerOp, quick ? 100 : 400));
  const reference = { ...figures(suite.reference.name, pooled.get(suite.reference.name)!, suite.messagesPerOp), allocation: allocation.get(suite.reference.name)! };
  const nlkit = suite.nlkit.map((w) => {
    const f = figures(w.name, pooled.get(w.name)!, suite.messagesPerOp);
    return {
      ...f,
      allocation: allocation.get(w.name)!,
      ratio: {
        mean: f.messagesPerSec.mean / reference.messagesPerSec.mean,
        median: f.messagesPerSec.median / reference.messagesPerSec.median,
      },
    };
  });
  return { suite: suite.name, dataset: suite.dataset, messagesPerOp: suite.messagesPerOp, reference, nlkit };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How much a workload allocates, from the collections it causes: each young
 * collection empties the 16 MiB semi-space, so a run of `ops` operations with
 * `collections` collections allocated at most (collections + 1) x 16 MiB.
 * Coarse, but it tells "nothing per message" from "an object per message".
 */
async function allocationOf(fn: () => unknown, messagesPerOp: number, budgetMs: number): Promise<Allocation> {
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  await tick(20); // let earlier collections be reported first
  collections = 0;
  let ops = 0;
  const start = performance.now();
  while (ops < 5 || performance.now() - start < budgetMs) {
    fn();
    ops++;
  }
  await tick(20);
  observer.disconnect();
  return {
    ops,
    collectionsPerOp: collections / ops,
    bytesPerMessageAtMost: ((collections + 1) * SEMI_SPACE_BYTES) / (ops * messagesPerOp),
  };
}

/** Runs every workload a few times first, so that no suite pays for compiling code the others share. */
function prime(suites: Suite[], times: number): void {
  for (let k = 0; k < times; k++) for (const suite of suites) for (const w of [suite.reference, ...suite.nlkit]) w.fn();
}

function isRecord(value: unknown): value is ExternalRecord {
  const r = value as ExternalRecord;
  return typeof r === 'object' && r !== null && typeof r.name === 'string' && typeof r.unit === 'string' && typeof r.nlkit === 'number'
    && (r.reference === undefined || typeof r.reference === 'number') && (r.ratio === undefined || typeof r.ratio === 'number');
}

const AsyncFunction = (async () => {}).constructor;

/**
 * Runs the async functions a suite module exports (or only the export named
 * `only`, for modules that export other async helpers); a module that is not
 * there is skipped.
 */
async function runExternal(here: string, relative: string, quick: boolean, errors: ExternalError[], only?: string): Promise<ExternalRecord[]> {
  const path = join(here, relative);
  if (!existsSync(path)) {
    progress(`(${relative} is not there: skipped)`);
    return [];
  }
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const records: ExternalRecord[] = [];
  const seen = new Set<unknown>(); // a default export is often a named one too
  for (const [name, fn] of Object.entries(module)) {
    if (only !== undefined ? name !== only || typeof fn !== 'function' : typeof fn !== 'function' || !(fn instanceof AsyncFunction) || seen.has(fn)) continue;
    seen.add(fn);
    progress(`running ${relative} ${name}`);
    try {
      const result: unknown = await (fn as (o: { quick: boolean }) => Promise<unknown>)({ quick });
      for (const record of Array.isArray(result) ? result : [result]) {
        if (!isRecord(record)) throw new Error(`returned ${JSON.stringify(record)}, not a { name, unit, nlkit, reference?, ratio? } record`);
        records.push(record);
      }
    } catch (error) {
      // One failing suite must not lose the others' figures; the run still fails at the end.
      errors.push({ suite: `${relative} ${name}`, error: error instanceof Error ? error.message : String(error) });
      progress(`${relative} ${name} failed: ${errors[errors.length - 1]!.error}`);
    }
  }
  return records;
}

/** V8 flags the measurements run under (see the top of this file). */
export const NODE_FLAGS = ['--min-semi-space-size=16', '--max-semi-space-size=16'];
const SEMI_SPACE_BYTES = 16 * 1024 * 1024;

/** Runs this script again under NODE_FLAGS; returns false if it already runs under them. */
function restartWithFlags(): boolean {
  if (NODE_FLAGS.every((flag) => process.execArgv.includes(flag))) return false;
  const child = spawnSync(process.execPath, [...NODE_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (child.error) throw child.error;
  process.exitCode = child.status ?? 1;
  return true;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (restartWithFlags()) return;
  const here = dirname(fileURLToPath(import.meta.url));
  progress(`preparing datasets (${options.messages.toLocaleString('en-US')} messages each)`);
  const suites = codecSuites({ messages: options.messages });
  progress('priming');
  prime(suites, options.quick ? 1 : 3);
  const results: SuiteResult[] = [];
  for (const suite of suites) {
    progress(`running ${suite.name} (${suite.dataset})`);
    results.push(await runSuite(suite, options.quick));
  }
  const external: ExternalRecord[] = [];
  const externalErrors: ExternalError[] = [];
  const root = packageRoot(here);
  // --all needs the reference programs' packages (libmnl-dev, nats-server, ...): installed here, once.
  if (options.all) installSystemPackages(root);
  if (options.all) {
    external.push(...await runExternal(here, 'native/receive.js', options.quick, externalErrors));
    external.push(...await runExternal(here, 'loopback/roundtrip.js', options.quick, externalErrors));
    external.push(...await runExternal(here, 'typed/decode.js', options.quick, externalErrors));
    external.push(...await runExternal(here, 'trace/decode.js', options.quick, externalErrors));
    external.push(...await runExternal(here, 'socket/route-dump.js', options.quick, externalErrors, 'routeDumpBenchmark'));
    external.push(...await runExternal(here, 'socket/request-ack.js', options.quick, externalErrors, 'requestAckBenchmark'));
    external.push(...await runExternal(here, 'ingest/proc-storm.js', options.quick, externalErrors, 'procStormBenchmark'));
    external.push(...await runExternal(here, 'ingest/worker-drain.js', options.quick, externalErrors, 'workerDrainBenchmark'));
  }
  const report: BenchReport = {
    ...environment(), nodeFlags: process.execArgv, quick: options.quick, messages: options.messages, suites: results, external, externalErrors,
  };
  const path = join(root, 'bench', 'results', 'codec.json');
  writeReport(report, path);
  const written = [path];
  if (options.all) written.push(...writeAllResults(report, join(root, 'bench', 'results')));
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${formatTable(report)}\n${externalDetails(report.external)}\nwritten to ${written.join(', ')}\n`);
  if (externalErrors.length > 0) process.exitCode = 1;
}

/**
 * Installs the Debian packages the reference programs and services need
 * (libmnl-dev, nats-server, ...) when missing and running as root; says what
 * is missing otherwise. Suites that still lack something fail with a reason.
 */
function installSystemPackages(root: string): void {
  const script = join(root, 'scripts', 'system-deps.mjs');
  if (!existsSync(script)) return;
  progress('checking system packages');
  const child = spawnSync(process.execPath, [script], { stdio: ['ignore', 2, 2] });
  if (child.status !== 0) progress(`scripts/system-deps.mjs exited with ${child.status}: suites needing those packages may fail`);
}

/** Every comparison with a ratio, from the codec suites and the other suites alike. */
export function collectRatios(report: BenchReport): RatioBar[] {
  const bars: RatioBar[] = [];
  for (const s of report.suites) {
    // The codec suites' references are plain JavaScript doing the same work.
    for (const n of s.nlkit) bars.push({ label: `${s.suite} (${s.dataset}): ${n.name}`, ratio: n.ratio.median, group: 'plain JS' });
  }
  for (const e of report.external) if (typeof e.ratio === 'number') bars.push({ label: e.name, ratio: e.ratio });
  return bars;
}

/** bench/results/all.json (the report plus the list of ratios) and bench/results/ratios.svg. */
function writeAllResults(report: BenchReport, dir: string): string[] {
  const ratios = collectRatios(report);
  const json = join(dir, 'all.json');
  const svg = join(dir, 'ratios.svg');
  mkdirSync(dir, { recursive: true });
  writeFileSync(json, `${JSON.stringify({ ...report, ratios }, null, 2)}\n`);
  writeFileSync(svg, ratioChart(ratios, `nlkit vs references, ${report.generatedAt.slice(0, 10)}${report.quick ? ' (quick run)' : ''}`));
  return [json, svg];
}

/** Loss counts and notes that suites attach to their records (the ingestion storm). */
function externalDetails(records: ExternalRecord[]): string {
  const lines: string[] = [];
  for (const r of records as Array<ExternalRecord & { loss?: unknown; detail?: unknown }>) {
    if (r.loss !== undefined) lines.push(`${r.name}\n  loss: ${JSON.stringify(r.loss)}`);
    if (typeof r.detail === 'string') lines.push(`  ${r.detail}`);
  }
  return lines.length ? `\n${lines.join('\n')}\n` : '';
}

main().catch((error: unknown) => {
  const text = error instanceof UsageError ? error.message : error instanceof Error ? error.stack ?? error.message : String(error);
  process.stderr.write(`${text}\n`);
  process.exitCode = 1;
});
