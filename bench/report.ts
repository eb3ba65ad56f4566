// Benchmark results: the JSON record written to bench/results/ and the table
// printed on a terminal. Every ratio is nlkit / reference measured in the
// same run; above 1 means nlkit is faster.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus } from 'node:os';

/** Allocation estimated from the garbage collections a workload causes (see run.ts). */
export interface Allocation {
  ops: number;
  collectionsPerOp: number;
  /** Upper bound of the bytes allocated per message. */
  bytesPerMessageAtMost: number;
}

export interface Figures {
  /** Workload name, e.g. 'nlkit', 'nlkit incl. copy-in', 'reference'. */
  name: string;
  opsPerSec: { mean: number; median: number };
  messagesPerSec: { mean: number; median: number };
  latencyMs: { mean: number; median: number; p99: number; rme: number };
  samples: number;
  allocation?: Allocation;
}

export interface NlkitFigures extends Figures {
  /** nlkit messages/s over the reference's, from the means and from the medians. */
  ratio: { mean: number; median: number };
}

export interface SuiteResult {
  suite: string;
  dataset: string;
  messagesPerOp: number;
  reference: Figures;
  nlkit: NlkitFigures[];
}

/** A figure from a suite outside this file's codec suites (native receive, loopback round trip). */
export interface ExternalRecord {
  name: string;
  unit: string;
  nlkit: number;
  reference?: number;
  ratio?: number;
}

/** An outside suite that threw. */
export interface ExternalError {
  suite: string;
  error: string;
}

export interface BenchReport {
  generatedAt: string;
  node: string;
  /** Flags node ran with (the runner sets a fixed young generation). */
  nodeFlags: string[];
  platform: string;
  cpu: string;
  cores: number;
  quick: boolean;
  messages: number;
  suites: SuiteResult[];
  external: ExternalRecord[];
  externalErrors: ExternalError[];
}

export function environment(): Pick<BenchReport, 'generatedAt' | 'node' | 'platform' | 'cpu' | 'cores'> {
  const cpuList = cpus();
  return {
    generatedAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
  };
}

/** Messages per second, compact: 1.23 M, 456 k. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return String(perSecond);
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(1);
}

function formatValue(value: number | undefined): string {
  if (value === undefined) return '-';
  return Math.abs(value) >= 1e3 ? formatRate(value) : value.toPrecision(4);
}

function formatAllocation(a: Allocation | undefined): string {
  if (!a) return '-';
  const bound = a.bytesPerMessageAtMost;
  const text = bound >= 10 ? bound.toFixed(0) : bound.toFixed(1);
  return a.collectionsPerOp === 0 ? `<${text}` : `~${text}`;
}

/** Rows as aligned columns: text columns left-aligned, figures (from `firstFigure` on) right-aligned. */
function columns(rows: string[][], firstFigure: number): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c >= firstFigure ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
}

/** Plain-text tables: one row per nlkit variant with the reference beside it (medians), then the other suites. */
export function formatTable(report: BenchReport): string {
  const rows: string[][] = [['suite', 'dataset', 'variant', 'nlkit msg/s', 'reference msg/s', 'ratio', '±%', 'nlkit B/msg', 'ref B/msg']];
  for (const s of report.suites) {
    for (const n of s.nlkit) {
      rows.push([
        s.suite, s.dataset, n.name, formatRate(n.messagesPerSec.median), formatRate(s.reference.messagesPerSec.median),
        `${n.ratio.median.toFixed(2)}x`, Math.max(n.latencyMs.rme, s.reference.latencyMs.rme).toFixed(1),
        formatAllocation(n.allocation), formatAllocation(s.reference.allocation),
      ]);
    }
  }
  const lines = [
    `nlkit codec benchmarks: ${report.messages.toLocaleString('en-US')} messages per dataset${report.quick ? ' (quick run)' : ''}`,
    `${report.node}${report.nodeFlags.length ? ` (${report.nodeFlags.join(' ')})` : ''} on ${report.platform}, ${report.cpu} x${report.cores}`,
    'msg/s are medians; ratio = nlkit / reference (above 1: nlkit faster); ±% is the larger relative margin of error of the two means;',
    'B/msg: bytes allocated per message, from the collections counted over a separate run ("<N": no collection, at most N)',
    '',
    ...columns(rows, 3),
  ];
  if (report.external.length > 0) {
    const other: string[][] = [['other suites', 'unit', 'nlkit', 'reference', 'ratio']];
    for (const e of report.external) {
      other.push([e.name, e.unit, formatValue(e.nlkit), formatValue(e.reference), e.ratio === undefined ? '-' : `${e.ratio.toFixed(2)}x`]);
    }
    lines.push('', ...columns(other, 2));
  }
  for (const e of report.externalErrors) lines.push(`FAILED ${e.suite}: ${e.error}`);
  return lines.join('\n');
}

export function writeReport(report: BenchReport, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** The median (the mean of the middle two for an even count); every suite reports medians this one way. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
