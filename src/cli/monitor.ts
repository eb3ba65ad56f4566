// `nlkit monitor`: kernel events, one line each (like `ip monitor`) or JSON
// Lines, to stdout, a file, a pcapng capture or a NATS JetStream stream, with
// every loss reported as it happens and counted in a summary at the end.

import { parseArgs } from 'node:util';
import { hostname } from 'node:os';
import { ArgumentError } from '../codec/errors.js';
import { MONITOR_FAMILIES, openSource } from '../ingest/sources.js';
import { runPipeline, type Sink } from '../ingest/pipeline.js';
import { OutputSink, FileSink } from '../ingest/sinks/stream.js';
import { PcapngSink } from '../ingest/sinks/pcapng.js';
import { LimitSink } from '../ingest/sinks/limit.js';
import type { PipelineSummary } from '../ingest/event.js';
import type { LoopbackKernel } from '../transport/loopback/kernel.js';
import { UsageError, type Command, type CommandContext } from './command.js';

const USAGE = `usage: nlkit monitor [${MONITOR_FAMILIES.join('|')}] [options]

Prints kernel events as they happen, one line each; lines starting with
[OVERRUN] say that events were lost, and where (kernel, local queue, sink).

options:
  --json              JSON Lines (one object per line; see docs/json-monitor.md)
  --sink SINK         where events go (default stdout):
                        stdout
                        file:PATH        JSON Lines appended to PATH (text with --text)
                        pcapng:PATH      a capture of the messages
                        nats://HOST:PORT a NATS JetStream stream (needs --state-dir)
  --netns NAME        listen in network namespace NAME (not for proc)
  --resync            after a kernel overrun, re-dump the state (link/addr/route/neigh/all)
  --drop              when the queue is full, drop and count instead of pausing reads
  --count N           stop after N events
  --state-dir DIR     NATS: spool and sequence directory (makes restarts lossless)
  --host NAME         NATS: host name in subjects and ids (default: this host's)
  --stream NAME       NATS: stream name (default NLKIT)
  --summary           print the loss summary to stderr at the end (always with a sink)
`;

export interface MonitorDependencies {
  /** Run on this emulated kernel instead of real sockets (tests). */
  loopback?: LoopbackKernel;
}

function positiveInteger(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} needs a positive integer, got '${text}'`);
  return n;
}

async function openSink(spec: string, json: boolean, values: Record<string, string | boolean | undefined>, context: CommandContext): Promise<Sink> {
  if (spec === 'stdout') return new OutputSink(context.stdout, json ? 'json' : 'text');
  if (spec.startsWith('file:')) {
    const path = spec.slice(5);
    if (!path) throw new UsageError('file: needs a path');
    return new FileSink(path, values.text ? 'text' : 'json', values.host as string | undefined ?? hostname());
  }
  if (spec.startsWith('pcapng:')) {
    const path = spec.slice(7);
    if (!path) throw new UsageError('pcapng: needs a path');
    return new PcapngSink(path);
  }
  if (spec.startsWith('nats://')) {
    const stateDir = values['state-dir'] as string | undefined;
    if (!stateDir) throw new UsageError('a nats:// sink needs --state-dir DIR (its spool makes restarts lossless)');
    // Loaded only for this sink: the NATS client is not needed otherwise.
    const { JetStreamSink } = await import('../ingest/sinks/nats.js');
    return JetStreamSink.open({
      servers: spec.slice(7),
      stateDir,
      ...(values.host ? { host: values.host as string } : {}),
      ...(values.stream ? { stream: values.stream as string } : {}),
    });
  }
  throw new UsageError(`unknown sink '${spec}' (stdout, file:PATH, pcapng:PATH, nats://HOST:PORT)`);
}

export function summaryLine(s: PipelineSummary): string {
  return `nlkit monitor: ${s.received} events received, ${s.delivered} records delivered; `
    + `losses: kernel overruns ${s.kernelOverruns}, sequence gaps ${s.sequenceGaps}, local drops ${s.localDropped}, sink failures ${s.sinkFailed}; `
    + `malformed ${s.malformed}, not from the kernel ${s.spoofed}, resyncs ${s.resyncs}\n`;
}

export function monitorCommand(deps: MonitorDependencies = {}): Command {
  return {
    name: 'monitor',
    aliases: ['mon'],
    summary: 'print or forward kernel events (link, addr, route, neigh, proc, uevent, conntrack)',
    usage: USAGE,
    async run(args, context) {
      const parsed = parseArgs({
        args, allowPositionals: true, strict: true,
        options: {
          json: { type: 'boolean' }, text: { type: 'boolean' }, sink: { type: 'string' }, netns: { type: 'string' },
          resync: { type: 'boolean' }, drop: { type: 'boolean' }, count: { type: 'string' }, 'state-dir': { type: 'string' },
          host: { type: 'string' }, stream: { type: 'string' }, summary: { type: 'boolean' },
        },
      });
      const { values, positionals } = parsed;
      if (positionals.length > 1) throw new UsageError(`one family at a time, got ${positionals.join(' ')}`);
      const family = positionals[0] ?? 'all';
      if (!(MONITOR_FAMILIES as readonly string[]).includes(family)) throw new UsageError(`unknown family '${family}' (known: ${MONITOR_FAMILIES.join(', ')})`);
      const count = positiveInteger(values.count, '--count');
      const sinkSpec = values.sink ?? 'stdout';
      let source;
      try {
        source = openSource(family, {
          ...(values.netns !== undefined ? { netns: values.netns } : {}),
          ...(deps.loopback ? { loopback: deps.loopback } : {}),
        });
      } catch (e) {
        if (e instanceof ArgumentError) throw new UsageError(e.message);
        throw e;
      }
      let sink: Sink;
      try {
        sink = await openSink(sinkSpec, values.json === true, values, context);
      } catch (e) {
        source.close();
        throw e;
      }
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      context.signal.addEventListener('abort', onAbort, { once: true });
      if (context.signal.aborted) stop.abort();
      if (count !== undefined) sink = new LimitSink(sink, count, () => stop.abort());
      try {
        const summary = await runPipeline(source, sink, {
          signal: stop.signal,
          onOverrun: values.resync ? 'resync' : 'continue',
          whenFull: values.drop ? 'drop' : 'pause',
        });
        if (values.summary || sinkSpec !== 'stdout') context.stderr.write(summaryLine(summary));
        return 0;
      } finally {
        context.signal.removeEventListener('abort', onAbort);
      }
    },
  };
}

/** The command as `nlkit` lists it (real sockets). */
export const monitor: Command = monitorCommand();
