// `nlkit decode FILE [--json] [--filter EXPR]`: every netlink message of a
// pcap/pcapng capture, named by the schemas, requests paired with their
// replies, and a summary at the end. Output shapes: docs/json-decode.md.

import { createReadStream, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ArgumentError } from '../../codec/errors.js';
import { decodeTrace } from '../../trace/decode/decode-trace.js';
import { parseFilter, type FilterPredicate } from '../../trace/decode/filter.js';
import { UsageError, type Command, type Output } from '../command.js';
import { ProgressBar } from './progress.js';

const USAGE = `usage: nlkit decode FILE [--json] [--filter EXPR] [--no-summary]

Decodes every netlink message of a pcap or pcapng capture: record number,
time, direction, protocol, type and flags by name, seq, port id and the full
attribute tree by name; extended acks; requests paired with their replies,
acks and errors; a summary at the end (counts per family and type, errors,
problems, overruns). Broken records are reported with their byte offset.

  --json          JSON Lines: one object per message, problem and summary
  --filter EXPR   print only what EXPR selects (everything is still counted), e.g.
                    proto=route type=RTM_NEWLINK
                    errors or (type=NLMSG_ERROR and seq=5)
                    not dir=in and port=1234
                  fields: proto family type seq port pid dir flag errno len record n
                  words:  errors problems requests replies acks unpaired, and, or, not, ( )
  --no-summary    leave the summary out

The JSON shape and the filter language are documented in docs/json-decode.md.
`;

/** Files at least this large get a progress bar (when stderr is a terminal). */
const PROGRESS_BYTES = 16 << 20;

/** Writes with backpressure when the output is a Node stream. */
function writer(out: Output): (text: string) => void | Promise<void> {
  const stream = out as Output & { once?(event: string, fn: () => void): unknown };
  return (text) => {
    const ok = stream.write(text) as unknown as boolean | undefined;
    if (ok === false && typeof stream.once === 'function') return new Promise<void>((resolve) => stream.once!('drain', resolve));
    return undefined;
  };
}

export const decodeCommand: Command = {
  name: 'decode',
  summary: 'decode a netlink capture (pcap/pcapng): messages by name, pairs, summary',
  usage: USAGE,
  async run(args, context) {
    const parsed = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { json: { type: 'boolean' }, filter: { type: 'string' }, 'no-summary': { type: 'boolean' } },
    });
    const [file, ...extra] = parsed.positionals;
    if (file === undefined) throw new UsageError('decode needs a capture file (nlkit decode FILE)');
    if (extra.length) throw new UsageError(`decode takes one file, got also '${extra[0]}'`);
    let filter: FilterPredicate | null = null;
    if (parsed.values.filter !== undefined) {
      try {
        filter = parseFilter(parsed.values.filter);
      } catch (e) {
        if (e instanceof ArgumentError) throw new UsageError(e.message);
        throw e;
      }
    }
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new UsageError(`${file} is not a file`, 1);
      size = stat.size;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1);
    }
    const progress = context.stderr.isTTY && size >= PROGRESS_BYTES ? new ProgressBar(context.stderr, size) : null;
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    try {
      const { aborted } = await decodeTrace(stream as AsyncIterable<Uint8Array>, {
        output: parsed.values.json ? 'json' : 'text',
        filter,
        summary: !parsed.values['no-summary'],
        write: writer(context.stdout),
        signal: context.signal,
        ...(progress ? { onProgress: (bytes: number) => progress.update(bytes) } : {}),
      });
      return aborted ? 130 : 0;
    } finally {
      progress?.done();
      stream.destroy();
    }
  },
};
