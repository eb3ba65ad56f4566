// The codec suites: each pairs nlkit workloads with their plain-JavaScript
// counterpart over the same dataset, so one run gives both figures and their
// ratio. The suites only prepare state and return closures; run.ts times them.
//
//   suite              nlkit                                   reference
//   header scan        Scanner.scan + Batch getters            DataView walk → typed arrays
//   attribute walk     scan + Batch.attributes per message,    DataView walk → typed arrays
//                      or attributesAll for the whole batch
//   full decode        scan + attributes + getters → objects   one-pass DataView decoder
//   build              MessageBuilder                          DataView builder

import { loadCodec, MalformedError, NestMap, NLM_F_MULTI, STATUS_OK, type Batch, type Codec, type Scanner } from '../src/codec/index.js';
import { linkDataset, routeDataset, DEFAULT_MESSAGES, DUMP_SEQ, DUMP_PID, type Dump, type LinkDataset } from './datasets.js';
import { RTM_NEWLINK, RTM_NEWROUTE, IFINFOMSG_SIZE, RTMSG_SIZE, LINK_NESTS, ROUTE_NESTS } from './rtnl.js';
import { HeaderIndex, scanHeaders } from './reference/header-scan.js';
import { ReferenceAttributeWalker, nestTable, type ReferenceWalkOptions } from './reference/attribute-walk.js';
import { decodeLinkDump, decodeRouteDump } from './reference/decode.js';
import { ReferenceLinkBuilder } from './reference/link-builder.js';
import {
  decodeLinksWithList, decodeLinksWithDecoder, decodeLinksBatched, decodeRoutesWithList, decodeRoutesWithDecoder, decodeRoutesBatched, walkOptions,
} from './nlkit/decode.js';
import { buildLinks } from './nlkit/build.js';
import type { LinkSummary, RouteSummary } from './summaries.js';

/** One timed function; it returns something derived from its work so that nothing is optimised away. */
export interface Workload {
  name: string;
  fn: () => unknown;
}

export interface Suite {
  /** e.g. 'header scan' */
  name: string;
  /** e.g. 'link' */
  dataset: string;
  messagesPerOp: number;
  /** nlkit variants; each is compared with the reference. */
  nlkit: Workload[];
  reference: Workload;
}

/** A dump loaded into a scanner's input region once, as a transport would have received it. */
export class LoadedDump {
  readonly offsets: Uint32Array;
  readonly scanner: Scanner;

  constructor(codec: Codec, readonly dump: Dump) {
    this.scanner = codec.scanner();
    this.scanner.input(dump.bytes.length).set(dump.bytes);
    this.offsets = new Uint32Array(dump.datagramLengths.length);
    for (let d = 1; d < this.offsets.length; d++) this.offsets[d] = this.offsets[d - 1]! + dump.datagramLengths[d - 1]!;
  }

  /** Describes the datagrams (as a transport does after each receive) and scans them. */
  scan(): Batch {
    const { scanner, offsets } = this;
    const lengths = this.dump.datagramLengths;
    for (let d = 0; d < offsets.length; d++) scanner.setDatagram(d, offsets[d]!, lengths[d]!);
    return scanner.scan(offsets.length);
  }

  /** The same after copying the bytes into the input region. */
  copyAndScan(): Batch {
    this.scanner.input(this.dump.bytes.length).set(this.dump.bytes);
    return this.scan();
  }
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function headerScanSuite(name: string, loaded: LoadedDump): Suite {
  const dump = loaded.dump;
  const index = new HeaderIndex();
  const view = viewOf(dump.bytes);
  const readAll = (batch: Batch) => {
    let sum = 0;
    for (let i = 0; i < batch.count; i++) sum += batch.type(i) + batch.seq(i);
    return sum;
  };
  return {
    name: 'header scan',
    dataset: name,
    messagesPerOp: dump.messages,
    nlkit: [
      { name: 'nlkit', fn: () => readAll(loaded.scan()) },
      { name: 'nlkit incl. copy-in', fn: () => readAll(loaded.copyAndScan()) },
    ],
    reference: {
      name: 'reference',
      fn: () => {
        const count = scanHeaders(view, dump.datagramLengths, index);
        const { type, seq } = index;
        let sum = 0;
        for (let i = 0; i < count; i++) sum += type[i]! + seq[i]!;
        return sum;
      },
    },
  };
}

function attributeWalkSuite(name: string, loaded: LoadedDump, type: number, familyHeader: number, nests: typeof LINK_NESTS): Suite {
  const dump = loaded.dump;
  const options = walkOptions(new NestMap(nests));
  const index = new HeaderIndex();
  const walker = new ReferenceAttributeWalker();
  const referenceOptions: ReferenceWalkOptions = { nests: nestTable(nests), rootSet: 0 };
  const view = viewOf(dump.bytes);
  const skip = 16 + ((familyHeader + 3) & ~3);
  const headers = { byType: { [type]: familyHeader } };
  return {
    name: 'attribute walk',
    dataset: name,
    messagesPerOp: dump.messages,
    nlkit: [{
      name: 'nlkit per message',
      fn: () => {
        const batch = loaded.scan();
        let entries = 0;
        for (let i = 0; i < batch.count; i++) {
          if (batch.type(i) === type) entries += batch.attributes(i, familyHeader, options).count;
        }
        return entries;
      },
    }, {
      name: 'nlkit whole batch',
      fn: () => loaded.scan().attributesAll(headers, options).count,
    }],
    reference: {
      name: 'reference',
      fn: () => {
        const count = scanHeaders(view, dump.datagramLengths, index);
        let entries = 0;
        for (let i = 0; i < count; i++) {
          if (index.type[i] !== type) continue;
          if (index.status[i] !== STATUS_OK || index.length[i]! < skip) throw new MalformedError(`message ${i} has status ${index.status[i]} or no room for its family header`, index.offset[i]!);
          const at = index.offset[i]!;
          entries += walker.walk(view, at + skip, at + index.length[i]!, referenceOptions);
        }
        return entries;
      },
    },
  };
}

/**
 * Where decoded records go: a consumer that looks at each one and lets it go
 * (as an ingestion pipeline forwards them), the same for both sides.
 */
class Sink<T extends { mtu: number }> {
  last: T | null = null;
  sum = 0;
  readonly take = (record: T): void => {
    this.last = record;
    this.sum += record.mtu;
  };

  /** Runs one decode; the result depends on every record it produced. */
  run(decode: (take: (record: T) => void) => number): number {
    this.sum = 0;
    return decode(this.take) + this.sum;
  }
}

function linkDecodeSuite(codec: Codec, loaded: LoadedDump): Suite {
  const dump = loaded.dump;
  const options = walkOptions(new NestMap(LINK_NESTS));
  const sink = new Sink<LinkSummary>();
  return {
    name: 'full decode',
    dataset: 'link',
    messagesPerOp: dump.messages,
    nlkit: [
      { name: 'nlkit list getters', fn: () => sink.run((take) => decodeLinksWithList(codec.memory, loaded.scan(), options, take)) },
      { name: 'nlkit decoder', fn: () => sink.run((take) => decodeLinksWithDecoder(codec.memory, loaded.scan(), options, take)) },
      { name: 'nlkit whole batch', fn: () => sink.run((take) => decodeLinksBatched(codec.memory, loaded.scan(), options, take)) },
    ],
    reference: { name: 'reference', fn: () => sink.run((take) => decodeLinkDump(dump.bytes, dump.datagramLengths, take)) },
  };
}

function routeDecodeSuite(codec: Codec, loaded: LoadedDump): Suite {
  const dump = loaded.dump;
  const options = walkOptions(new NestMap(ROUTE_NESTS));
  const sink = new Sink<RouteSummary>();
  return {
    name: 'full decode',
    dataset: 'route',
    messagesPerOp: dump.messages,
    nlkit: [
      { name: 'nlkit list getters', fn: () => sink.run((take) => decodeRoutesWithList(codec.memory, loaded.scan(), options, take)) },
      { name: 'nlkit decoder', fn: () => sink.run((take) => decodeRoutesWithDecoder(codec.memory, loaded.scan(), options, take)) },
      { name: 'nlkit whole batch', fn: () => sink.run((take) => decodeRoutesBatched(codec.memory, loaded.scan(), options, take)) },
    ],
    reference: { name: 'reference', fn: () => sink.run((take) => decodeRouteDump(dump.bytes, dump.datagramLengths, take)) },
  };
}

function buildSuite(codec: Codec, dataset: LinkDataset): Suite {
  const reference = new ReferenceLinkBuilder();
  const builder = codec.builder();
  return {
    name: 'build',
    dataset: 'link',
    messagesPerOp: dataset.records.length,
    nlkit: [{ name: 'nlkit', fn: () => buildLinks(builder, dataset.records, RTM_NEWLINK, NLM_F_MULTI, DUMP_SEQ, DUMP_PID).length }],
    reference: { name: 'reference', fn: () => reference.build(dataset.records, RTM_NEWLINK, NLM_F_MULTI, DUMP_SEQ, DUMP_PID).length },
  };
}

export interface CodecSuiteOptions {
  /** Messages per dataset (default 100,000). */
  messages?: number;
  codec?: Codec;
}

/** Every codec suite over fresh link and route datasets. */
export function codecSuites(options: CodecSuiteOptions = {}): Suite[] {
  const codec = options.codec ?? loadCodec();
  const messages = options.messages ?? DEFAULT_MESSAGES;
  const links = linkDataset(messages);
  const routes = routeDataset(messages);
  // One scanner per dataset, shared by its suites: they run one at a time.
  const loadedLinks = new LoadedDump(codec, links);
  const loadedRoutes = new LoadedDump(codec, routes);
  return [
    headerScanSuite('link', loadedLinks),
    headerScanSuite('route', loadedRoutes),
    attributeWalkSuite('link', loadedLinks, RTM_NEWLINK, IFINFOMSG_SIZE, LINK_NESTS),
    attributeWalkSuite('route', loadedRoutes, RTM_NEWROUTE, RTMSG_SIZE, ROUTE_NESTS),
    linkDecodeSuite(codec, loadedLinks),
    routeDecodeSuite(codec, loadedRoutes),
    buildSuite(codec, links),
  ];
}
