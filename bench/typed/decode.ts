// Typed decode (messages to plain objects), nlkit vs the `netlink` package
// (0.3.0), on the same bytes in the same run.
//
//   dataset   the 100,000-link dump of bench/datasets.ts: datagrams of at
//             most 32 KiB of RTM_NEWLINK messages, NLMSG_DONE at the end
//   netlink   per datagram parseMessages, then rt.parseMessage per
//             RTM_NEWLINK: what its RtNetlinkSocket does with a receive
//   nlkit     one scan of the loaded dump, then forEachBatchMessage with the
//             rt-link schema: every attribute, nests and sub-messages too,
//             by the decoders generated from the specs (src/families/decoders/),
//             which read the attribute bytes directly (no WASM attribute
//             index); the run fails if any message fell back to the index
//   nlkit table  the same by the table-driven decoder alone ({ decoders: 'table' })
//   nlkit only  the same with only: ['ifname', 'mtu']
//   nlkit lazy  the same with lazy: true (nests and structs deferred; the
//             consumer reads none of them)
//   hand-written  a decoder written by hand for exactly this dataset's
//             messages (handwritten-link.ts), building the same objects: what
//             plain JS reaches here, to read the other figures against
//
// Both sides read ifname and mtu of every message and let the objects go, so
// neither keeps 100,000 objects alive. Before timing, a few messages are
// decoded by both and compared field by field (ifname, mtu, txqlen,
// operstate, index, rx_bytes, address): the comparison is only honest if both
// produce the same values; the hand-written decoder's objects must equal
// nlkit's whole (every message of the dump, deep strict equality). The
// figures are medians of alternating passes.
//
//   npx tsc -p tsconfig.json && node dist/bench/typed/decode.js [--quick]

import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadCodec, type Batch } from '../../src/codec/index.js';
import { defaultRegistry, forEachBatchMessage, type DecodedMessage, type DecodeOptions, type MessageSchema } from '../../src/schema/index.js';
import { directStats } from '../../src/families/decoders/runtime.js';
import { LoadedDump } from '../codec.js';
import { DEFAULT_MESSAGES, linkDataset, type Dump } from '../datasets.js';
import { RTM_NEWLINK } from '../rtnl.js';
import { HandwrittenLinkDecoder } from './handwritten-link.js';
import { median } from '../report.js';

type NetlinkPackage = typeof import('netlink');

export interface TypedDecodeFigure {
  name: string;
  unit: string;
  nlkit: number;
  reference: number;
  ratio: number;
}

/** What both sides' consumers read: enough to keep every decode honest. */
interface Checked {
  ifname: string;
  mtu: number;
  txqlen: number;
  operstate: number;
  index: number;
  rxBytes: bigint;
  address: string;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The netlink package's decode of a whole dump, message by message, as its socket does it per datagram. */
function referenceDecode(netlink: NetlinkPackage, dump: Dump, visit: (link: ReturnType<NetlinkPackage['rt']['parseLinkMessage']>) => void): number {
  const buffer = Buffer.from(dump.bytes.buffer, dump.bytes.byteOffset, dump.bytes.byteLength);
  let offset = 0;
  let count = 0;
  for (const length of dump.datagramLengths) {
    const messages = netlink.parseMessages(buffer.subarray(offset, offset + length));
    offset += length;
    for (const m of messages) {
      if (m.type !== RTM_NEWLINK) continue;
      const parsed = netlink.rt.parseMessage(m.type, m.data);
      if (parsed.kind !== 'link') throw new Error(`the netlink package read message type ${m.type} as ${parsed.kind}`);
      visit(parsed);
      count++;
    }
  }
  return count;
}

function fromReference(link: ReturnType<NetlinkPackage['rt']['parseLinkMessage']>): Checked {
  const a = link.attrs;
  return {
    ifname: a.ifname ?? '', mtu: a.mtu ?? -1, txqlen: a.txqlen ?? -1, operstate: a.operstate ?? -1, index: link.data.index ?? -1,
    rxBytes: a.stats64?.rxBytes ?? -1n, address: a.address ? hex(a.address) : '',
  };
}

function fromNlkit(m: DecodedMessage): Checked {
  const a = m.attributes as Record<string, unknown>;
  const stats = a.stats64 as Record<string, number | bigint> | undefined;
  return {
    ifname: a.ifname as string, mtu: a.mtu as number, txqlen: a.txqlen as number, operstate: a.operstate as number,
    index: (m.header as Record<string, number>).ifiIndex!, rxBytes: BigInt(stats?.rxBytes ?? -1),
    address: a.address instanceof Uint8Array ? hex(a.address) : '',
  };
}

/** Decodes the dump with both and compares the checked fields of a spread of messages (the non-ASCII names included). */
function checkEquivalent(netlink: NetlinkPackage, dump: Dump, loaded: LoadedDump, select: (batch: Batch, i: number) => MessageSchema | undefined): void {
  const picks = new Set<number>([0, 1, 998, 999, 1000, 4242]);
  const reference = new Map<number, Checked>();
  let n = 0;
  referenceDecode(netlink, dump, (link) => {
    if (picks.has(n) || n === dump.messages - 2) reference.set(n, fromReference(link));
    n++;
  });
  const last = n - 1;
  picks.add(last);
  let k = 0;
  let compared = 0;
  forEachBatchMessage(loaded.scan(), select, (m) => {
    const theirs = reference.get(k);
    if (theirs) {
      const ours = fromNlkit(m);
      for (const field of Object.keys(ours) as Array<keyof Checked>) {
        if (ours[field] !== theirs[field]) {
          throw new Error(`message ${k}: nlkit decodes ${field} as ${String(ours[field])}, the netlink package as ${String(theirs[field])}`);
        }
      }
      compared++;
    }
    k++;
  });
  if (k !== n) throw new Error(`nlkit decoded ${k} links, the netlink package ${n}`);
  if (compared !== reference.size) throw new Error(`compared ${compared} of ${reference.size} messages`);
}

/** The hand-written decoder must build exactly nlkit's objects, message for message. */
function checkHandwritten(handwritten: HandwrittenLinkDecoder, loaded: LoadedDump, select: (batch: Batch, i: number) => MessageSchema | undefined): void {
  const ours: DecodedMessage[] = [];
  forEachBatchMessage(loaded.scan(), select, (m) => { ours.push(m); });
  let k = 0;
  handwritten.forEach((theirs) => {
    if (!isDeepStrictEqual(theirs, ours[k])) {
      throw new Error(`message ${k}: the hand-written decoder gives ${JSON.stringify(theirs, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
    }
    k++;
  });
  if (k !== ours.length) throw new Error(`the hand-written decoder decoded ${k} links, nlkit ${ours.length}`);
}

/** The link dataset's bytes only: its records would add 100,000 live objects to every collection of the timed passes. */
function linkDump(messages: number): Dump {
  const { bytes, datagramLengths, messages: count } = linkDataset(messages);
  return { bytes, datagramLengths, messages: count };
}


/** The suite run by bench/run.ts --all: full and selective typed decode against the netlink package. */
export async function typedDecodeSuite(options: { quick?: boolean; messages?: number } = {}): Promise<TypedDecodeFigure[]> {
  const netlink = createRequire(import.meta.url)('netlink') as NetlinkPackage;
  const messages = options.messages ?? DEFAULT_MESSAGES;
  const dump = linkDump(messages);
  const codec = loadCodec();
  const loaded = new LoadedDump(codec, dump);
  const newlink = defaultRegistry().family('rt-link').message('newlink', 'reply');
  const select = (batch: Batch, i: number) => (batch.type(i) === RTM_NEWLINK ? newlink : undefined);
  checkEquivalent(netlink, dump, loaded, select);
  const handwritten = new HandwrittenLinkDecoder(dump);
  checkHandwritten(handwritten, loaded, select);

  let sink = 0;
  const fallbacksBefore = directStats.fallbacks;
  const nlkitWith = (decodeOptions: DecodeOptions | undefined) => () => {
    let sum = 0;
    const n = forEachBatchMessage(loaded.scan(), select, (m) => {
      sum += (m.attributes.mtu as number) + (m.attributes.ifname as string).length;
    }, decodeOptions, codec);
    sink += sum;
    return n;
  };
  const workloads: Array<{ name: string; fn: () => number }> = [
    {
      name: 'reference',
      fn: () => {
        let sum = 0;
        const n = referenceDecode(netlink, dump, (link) => { sum += link.attrs.mtu! + link.attrs.ifname!.length; });
        sink += sum;
        return n;
      },
    },
    { name: 'full', fn: nlkitWith(undefined) },
    { name: 'table', fn: nlkitWith({ decoders: 'table' }) },
    { name: 'only', fn: nlkitWith({ only: ['ifname', 'mtu'] }) },
    { name: 'lazy', fn: nlkitWith({ lazy: true }) },
    {
      name: 'handwritten',
      fn: () => {
        let sum = 0;
        const n = handwritten.forEach((m) => {
          const a = m.attributes as Record<string, unknown>;
          sum += (a.mtu as number) + (a.ifname as string).length;
        });
        sink += sum;
        return n;
      },
    },
  ];
  const seconds = new Map<string, number[]>(workloads.map((w) => [w.name, []]));
  const passes = options.quick ? 3 : 9;
  for (let pass = -2; pass < passes; pass++) {
    for (const w of workloads) {
      const start = process.hrtime.bigint();
      const n = w.fn();
      const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
      if (n !== messages) throw new Error(`${w.name} decoded ${n} of ${messages} links`);
      if (pass >= 0) seconds.get(w.name)!.push(elapsed); // the first two passes warm up
    }
  }
  if (!Number.isFinite(sink)) throw new Error('unreachable: keeps the consumers live');
  // The generated workloads must have measured the direct decoders, not the fallback to the index.
  if (directStats.fallbacks !== fallbacksBefore) throw new Error(`${directStats.fallbacks - fallbacksBefore} messages fell back to the attribute index`);
  const rate = (name: string) => messages / median(seconds.get(name)!);
  const reference = rate('reference');
  const figure = (name: string, label: string): TypedDecodeFigure => {
    const nlkit = rate(name);
    return { name: `typed decode, link dump: ${label} vs the netlink package`, unit: 'messages/s', nlkit, reference, ratio: nlkit / reference };
  };
  return [
    figure('full', 'nlkit full objects (generated decoders)'), figure('table', 'nlkit full objects (table-driven)'),
    figure('only', "nlkit only ['ifname', 'mtu']"), figure('lazy', 'nlkit lazy (deferred nests and structs, unread)'),
    figure('handwritten', 'plain JS written by hand for this dataset, same objects'),
  ];
}

export default typedDecodeSuite;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await typedDecodeSuite({ quick: process.argv.includes('--quick') });
  for (const f of figures) {
    process.stdout.write(`${f.name}: ${Math.round(f.nlkit).toLocaleString('en-US')} vs ${Math.round(f.reference).toLocaleString('en-US')} ${f.unit}, ${f.ratio.toFixed(2)}x\n`);
  }
}
