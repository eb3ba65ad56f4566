// Decoding a whole capture into text or JSON Lines: the engine of
// `nlkit decode`. Runs anywhere (chunks in, text out); the CLI feeds it a file.
//
//   chunks ─► TraceDecoder ─► records ─► MessageStream (WASM scan per batch)
//          ─► TraceMessageDecoder.observe (names, pairing, genl ids: every message)
//          ─► filter ─► decode (schemas; only what is printed) ─► text / JSON line
//          ─► summary at the end

import { loadCodec, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN, type Codec } from '../../codec/index.js';
import { TraceDecoder } from '../trace-decoder.js';
import { protocolName } from '../protocols.js';
import { emptySubject, type FilterPredicate } from './filter.js';
import { MessageStream, type TraceMessage, type TraceProblem } from './message-stream.js';
import { SummaryCounter, type TraceSummary } from './summary.js';
import { formatMessageText, formatProblemText, formatSummaryText } from './text-format.js';
import { TraceMessageDecoder } from './trace-message-decoder.js';

export interface DecodeTraceOptions {
  /** 'text' (default) or 'json' (JSON Lines). */
  output?: 'text' | 'json';
  /** Only messages (and problem records) it accepts are printed; all are counted. */
  filter?: FilterPredicate | null;
  /** Receives the output in pieces of up to about 1 MiB; may return a promise (backpressure). */
  write(text: string): void | Promise<void>;
  /** Bytes of input consumed so far, after each chunk. */
  onProgress?(bytes: number): void;
  /** Stops reading; what was read is printed and summarized. */
  signal?: AbortSignal;
  /** Print the summary at the end (default true). */
  summary?: boolean;
  codec?: Codec;
}

export interface DecodeTraceResult {
  summary: TraceSummary;
  /** True when the signal stopped the decoding before the end of the input. */
  aborted: boolean;
}

const FLUSH_CHARS = 1 << 20;

export async function decodeTrace(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: DecodeTraceOptions,
): Promise<DecodeTraceResult> {
  const codec = options.codec ?? loadCodec();
  const json = options.output === 'json';
  const filter = options.filter ?? null;
  const decoder = new TraceMessageDecoder(codec);
  const counter = new SummaryCounter();
  const subject = emptySubject();
  let current: TraceMessage | null = null;
  subject.badAttributes = () => current !== null && decoder.attributesBroken(current);
  let pieces: string[] = [];
  let pending = 0;
  let start: number | null = null;
  const emit = (text: string) => {
    pieces.push(text);
    pending += text.length;
  };

  const onMessage = (m: TraceMessage) => {
    const facts = decoder.observe(m);
    const info = facts.info;
    counter.messages++;
    if (start === null && !Number.isNaN(m.timeMs)) start = Math.round(m.timeMs * 1000) / 1e6;
    if (m.error) counter.malformed++;
    else if (m.type === NLMSG_ERROR) {
      if (facts.errno === 0) counter.acks++;
      else counter.errors++;
    } else if (m.type === NLMSG_DONE && facts.errno < 0) counter.errors++;
    else if (m.type === NLMSG_OVERRUN) counter.overruns++;
    counter.count(protocolName(m.protocol), info.family, info.name, facts.failed);
    if (filter) {
      const s = subject;
      s.problem = false;
      s.n = m.number;
      s.record = m.record;
      s.protocol = m.protocol;
      s.family = info.family;
      s.type = info.name;
      s.op = info.schema?.name ?? '';
      s.typeNumber = m.type;
      s.flags = m.flags;
      s.flagContext = info.flagContext;
      s.seq = m.seq;
      s.pid = m.pid;
      s.port = m.port;
      s.len = m.length;
      s.dir = m.direction;
      s.errno = facts.errno;
      s.failed = facts.failed;
      s.request = facts.request;
      current = m;
      const keep = filter(s);
      current = null;
      if (!keep) return;
    }
    counter.shown++;
    const decoded = decoder.decode(m);
    if (decoded.problem && !m.error) counter.decodeErrors++;
    emit(json ? `${JSON.stringify(decoded)}\n` : formatMessageText(decoded, start));
  };

  const onProblem = (p: TraceProblem) => {
    counter.problems++;
    counter.time(p.timeMs);
    if (filter) {
      const s = subject;
      s.problem = true;
      s.record = p.record;
      s.protocol = p.protocol;
      s.failed = true;
      s.request = 0;
      s.flags = 0;
      s.typeNumber = -1;
      if (!filter(s)) return;
    }
    const out = TraceMessageDecoder.problem(p);
    emit(json ? `${JSON.stringify(out)}\n` : formatProblemText(out));
  };

  const stream = new MessageStream(codec, { onMessage, onProblem });
  const traces = new TraceDecoder({ maxRecordBytes: 64 << 20 });
  const drain = async () => {
    if (pieces.length === 0) return;
    const text = pieces.join('');
    pieces = [];
    pending = 0;
    await options.write(text);
  };
  const take = async () => {
    for (let r = traces.next(); r !== null; r = traces.next()) {
      counter.records++;
      if (r.kind === 'packet') counter.time(r.timeMs ?? NaN);
      stream.push(r, traces.format);
      if (pending >= FLUSH_CHARS) await drain();
    }
  };

  let aborted = false;
  try {
    for await (const chunk of chunks) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      traces.push(chunk);
      await take();
      options.onProgress?.(traces.position);
      if (traces.done) break;
    }
    if (!aborted) {
      traces.end();
      await take();
    }
    stream.flush();
  } finally {
    stream.release();
  }
  const summary = counter.finish(
    traces.format, decoder.requests, decoder.answered, decoder.requests - decoder.answered, decoder.catalog.genl,
  );
  if (options.summary !== false) emit(json ? `${JSON.stringify(summary)}\n` : formatSummaryText(summary));
  await drain();
  return { summary, aborted };
}
