// `nlkit record -w FILE [--netns NAME] [--pcap] [--count N] [--duration S] -- WATCH...`
//
// Records netlink traffic without the nlmon module: nlkit can only see its own
// sockets, so it opens one socket per protocol named in WATCH, wraps each in a
// recording transport (teeTransport) and writes every datagram sent or
// received, with timestamp, protocol, direction and sender port id, to pcapng
// (or pcap). Group subscriptions bring the kernel's notifications; dumps are
// requests sent through the recorded socket, so that their exchange is in the
// capture too.
//
//   WATCH ─► sockets (one per protocol) ─► tee ─► FileTraceRecorder ─► FILE
//              ▲ subscribe / dump / proc listen

import { parseArgs } from 'node:util';
import { NLM_F_DUMP } from '../../codec/index.js';
import { GenlResolver } from '../../socket/genl.js';
import { NetlinkSocket } from '../../socket/socket.js';
import { openNative } from '../../transport/native.js';
import { teeTransport } from '../../transport/tee.js';
import type { Transport } from '../../transport/transport.js';
import type { NetlinkDatagram } from '../../trace/datagram.js';
import { TraceFileWriter } from '../../trace/node.js';
import type { CapturedDatagram, TraceRecorder } from '../../trace/recorder.js';
import { UsageError, type Command } from '../command.js';
import { parseWatch, type Watch } from './watch.js';
import { CN_IDX_PROC, procMulticastRequest } from '../../families/connector/cn-msg.js';

const USAGE = `usage: nlkit record -w FILE [--netns NAME] [--pcap] [--count N] [--duration S] -- WATCH...

Records what nlkit's own sockets send and receive (no nlmon module needed):
one socket per protocol named below, every datagram with its time, protocol,
direction and sender port id, to a pcapng file (pcap with --pcap) that
'nlkit decode', 'nlkit view' and Wireshark open. Stops on Ctrl-C (SIGINT) or
SIGTERM, after --count datagrams or --duration seconds, and always flushes.

WATCH (one or more):
  route:GROUP            link, ipv4-route, ipv6-route, ipv4-ifaddr, neigh, ... or a number
  generic:FAMILY/GROUP   a generic netlink group, e.g. generic:nlctrl/notify
  connector:proc         process events (sends PROC_CN_MCAST_LISTEN)
  PROTO:NUMBER           any protocol's group by number, e.g. netfilter:3
  dump:route:link        a dump through the recorded socket; also dump:route:addr,
                         dump:route:route, dump:route:neigh, dump:route:rule,
                         dump:generic:families
With only dumps, recording ends when they are done.

  -w, --write FILE   the capture to write (required)
  --netns NAME       open the sockets in network namespace NAME (/run/netns/NAME)
  --pcap             write pcap instead of pcapng
  --count N          stop after N datagrams (sent and received)
  --duration S       stop after S seconds
`;

const FLUSH_INTERVAL_MS = 1000;

/**
 * Writes every captured datagram to a capture file (pcap or pcapng) and
 * counts them; with a limit, the datagrams after the limit-th (one receive
 * call can bring several) are not written.
 */
export class FileTraceRecorder implements TraceRecorder {
  datagrams = 0;
  private readonly datagram: NetlinkDatagram = { protocol: 0, data: new Uint8Array(0) };

  constructor(
    private readonly file: TraceFileWriter,
    private readonly onRecorded: (count: number) => void = () => {},
    private readonly limit = Infinity,
  ) {}

  record(c: CapturedDatagram): void {
    if (this.datagrams >= this.limit) return;
    const d = this.datagram;
    d.protocol = c.protocol;
    d.data = c.data;
    d.timestampNs = c.timestampNs;
    d.direction = c.direction;
    d.portId = c.senderPort;
    d.originalLength = c.originalLength;
    this.file.write(d);
    this.onRecorded(++this.datagrams);
  }
}

export interface RecordDependencies {
  /** Opens a transport of `protocol` (default: a native socket, in `netns` when given). */
  open?: (protocol: number, netns: string | undefined) => Transport;
}

interface Recorded {
  transport: Transport;
  socket: NetlinkSocket;
  listening: boolean;
  procListening: boolean;
  resolver: GenlResolver | null;
}

function positiveNumber(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`${flag} needs a positive ${integer ? 'integer' : 'number'}, got '${text}'`);
  return n;
}

export function createRecordCommand(deps: RecordDependencies = {}): Command {
  const open = deps.open ?? ((protocol, netns) => openNative(protocol, netns === undefined ? {} : { netns }));
  return {
    name: 'record',
    summary: "record nlkit's netlink traffic and group notifications to pcapng",
    usage: USAGE,
    async run(args, context) {
      const parsed = parseArgs({
        args, allowPositionals: true, strict: true,
        options: {
          write: { type: 'string', short: 'w' }, netns: { type: 'string' }, pcap: { type: 'boolean' },
          count: { type: 'string' }, duration: { type: 'string' },
        },
      });
      const path = parsed.values.write;
      if (!path) throw new UsageError('record needs -w FILE');
      const count = positiveNumber('--count', parsed.values.count, true);
      const duration = positiveNumber('--duration', parsed.values.duration, false);
      if (parsed.positionals.length === 0) throw new UsageError('record needs something to watch after -- (e.g. route:link dump:route:link)');
      const watches: Watch[] = parsed.positionals.map(parseWatch);
      const netns = parsed.values.netns;

      const stop = new AbortController();
      const onAbort = () => stop.abort();
      if (context.signal.aborted) stop.abort();
      context.signal.addEventListener('abort', onAbort, { once: true });
      const timer = duration === undefined ? null : setTimeout(() => stop.abort(), duration * 1000);

      const file = new TraceFileWriter(path, parsed.values.pcap ? 'pcap' : 'pcapng');
      const recorder = new FileTraceRecorder(file, (n) => {
        if (count !== undefined && n >= count) stop.abort();
      }, count);
      // What is recorded reaches the disk within a second, even if the process is killed later.
      const flusher = setInterval(() => file.flush(), FLUSH_INTERVAL_MS);
      const sockets = new Map<number, Recorded>();
      let overruns = 0;
      let failure: unknown = null;
      const pumps: Array<Promise<void>> = [];

      const socketFor = (protocol: number): Recorded => {
        let r = sockets.get(protocol);
        if (!r) {
          const transport = teeTransport(open(protocol, netns), recorder);
          // Record everything; the engine's kernel-only check would only hide user messages from us, not from the file.
          const socket = new NetlinkSocket(transport, { kernelOnly: false });
          r = { transport, socket, listening: false, procListening: false, resolver: null };
          sockets.set(protocol, r);
        }
        return r;
      };
      const listen = (r: Recorded) => {
        if (r.listening) return;
        r.listening = true;
        pumps.push((async () => {
          try {
            for await (const event of r.socket.events({ onOverrun: 'continue' })) {
              if (event.kind === 'overrun') {
                overruns++;
                context.stderr.write(`nlkit record: the kernel dropped messages (receive queue overrun on protocol ${r.transport.protocol})\n`);
              }
              if (stop.signal.aborted) break;
            }
          } catch (e) {
            // A socket that fails while recording ends the recording, and the command reports why.
            if (!stop.signal.aborted) {
              failure ??= e;
              stop.abort();
            }
          }
        })());
      };

      try {
        for (const w of watches) {
          if (w.kind === 'dump') continue;
          const r = socketFor(w.protocol);
          if (w.kind === 'group') r.socket.subscribe([w.group]);
          else if (w.kind === 'genl-group') {
            r.resolver ??= new GenlResolver(r.socket);
            r.socket.subscribe([await r.resolver.group(w.family, w.group)]);
          } else {
            r.socket.subscribe([CN_IDX_PROC]);
            r.transport.send(procMulticastRequest('listen', r.socket.portId, r.socket.allocateSeq()));
            r.procListening = true;
          }
          listen(r);
        }
        for (const w of watches) {
          if (w.kind !== 'dump' || stop.signal.aborted) continue;
          const r = socketFor(w.protocol);
          for await (const batch of r.socket.dumpBatches({ type: w.type, flags: NLM_F_DUMP, header: w.header }, { signal: stop.signal })) {
            void batch; // the tee has recorded it
          }
        }
        const waiting = [...sockets.values()].some((r) => r.listening);
        if (waiting && !stop.signal.aborted) await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
      } catch (e) {
        // A stop in the middle of a dump is a normal end; anything else is reported after the file is closed.
        if (!stop.signal.aborted) failure ??= e;
      } finally {
        if (timer) clearTimeout(timer);
        clearInterval(flusher);
        context.signal.removeEventListener('abort', onAbort);
        stop.abort();
        for (const r of sockets.values()) {
          if (r.procListening && !r.transport.closed) {
            try {
              r.transport.send(procMulticastRequest('ignore', r.socket.portId, r.socket.allocateSeq()));
            } catch {
              // closing anyway: the kernel stops sending when the socket goes
            }
          }
          r.socket.close();
        }
        await Promise.allSettled(pumps);
        file.close();
      }
      if (failure) throw failure;
      context.stderr.write(`nlkit record: ${recorder.datagrams} datagrams written to ${path}${overruns ? `; ${overruns} overruns` : ''}\n`);
      return 0;
    },
  };
}

export const recordCommand: Command = createRecordCommand();
