// pcapng, streaming. Blocks are framed by their total length, which appears
// at both ends; the reader checks that the two agree. Packet blocks (EPB, SPB,
// the obsolete PB), section headers and interface descriptions are parsed;
// every other block (name resolution, statistics, custom, ...) is skipped by
// its length without being buffered.
//
//   SHB  ┌ 0x0A0D0D0A ┬ len ┬ 0x1A2B3C4D ┬ major u16 ┬ minor u16 ┬ section length i64 ┬ options ┬ len ┐
//   IDB  ┌ 1 ┬ len ┬ link type u16 ┬ reserved u16 ┬ snaplen u32 ┬ options ┬ len ┐
//   EPB  ┌ 6 ┬ len ┬ interface u32 ┬ ts high ┬ ts low ┬ caplen ┬ origlen ┬ data (padded) ┬ options ┬ len ┐
//   SPB  ┌ 3 ┬ len ┬ origlen ┬ data (padded) ┬ len ┐
//   PB   ┌ 2 ┬ len ┬ interface u16 ┬ drops u16 ┬ ts high ┬ ts low ┬ caplen ┬ origlen ┬ data ┬ options ┬ len ┐

import { DecodeError, MalformedError, TruncatedError } from '../codec/errors.js';
import { decodeString } from '../codec/text.js';
import type { ByteQueue } from './byte-queue.js';
import { i64, pad4, u16, u32 } from './byte-order.js';
import {
  EPB_FLAGS, IF_DESCRIPTION, IF_NAME, IF_TSOFFSET, IF_TSRESOL, OPT_ENDOFOPT, PCAPNG_BLOCK_OVERHEAD,
  PCAPNG_BYTE_ORDER_MAGIC, PCAPNG_EPB, PCAPNG_IDB, PCAPNG_OPB, PCAPNG_SHB, PCAPNG_SPB, SHB_HARDWARE, SHB_OS, SHB_USERAPPL,
} from './format.js';
import { RecordParser, type ReaderLimits } from './record-parser.js';
import type { TraceInterface, TraceRecord } from './record.js';
import { MICROSECONDS, TimestampScale } from './timestamps.js';

/** A section (one SHB and what follows it up to the next). */
export interface PcapngSection {
  readonly index: number;
  readonly fileOffset: number;
  readonly littleEndian: boolean;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly hardware: string | null;
  readonly os: string | null;
  readonly application: string | null;
}

export class PcapngInterface implements TraceInterface {
  constructor(
    readonly section: number,
    readonly id: number,
    readonly linkType: number,
    readonly snapLength: number,
    readonly name: string | null,
    readonly description: string | null,
    readonly scale: TimestampScale,
  ) {}
  get unitsPerSecond(): number { return this.scale.unitsPerSecond; }
  get offsetSeconds(): bigint { return this.scale.offsetSeconds; }
}

const NAMES: Record<number, string> = {
  [PCAPNG_SHB]: 'Section Header Block',
  [PCAPNG_IDB]: 'Interface Description Block',
  [PCAPNG_EPB]: 'Enhanced Packet Block',
  [PCAPNG_SPB]: 'Simple Packet Block',
  [PCAPNG_OPB]: 'Packet Block',
};
const blockName = (type: number) => NAMES[type] ?? `block of type 0x${type.toString(16)}`;
const isPacketBlock = (type: number) => type === PCAPNG_EPB || type === PCAPNG_SPB || type === PCAPNG_OPB;

/** One option of a block: `code`, and the value at [start, end) of the block. */
type OptionVisitor = (code: number, start: number, end: number) => void;

export class PcapngParser extends RecordParser {
  readonly sections: PcapngSection[] = [];
  private le = true;
  private interfaces: PcapngInterface[] = [];
  /** A block being skipped: its length and offset, while its bytes are dropped. */
  private skipping: { type: number; length: number; offset: number } | null = null;
  /** A record made while reading a block that does not yield one (a problem in an IDB's options). */
  private pending: TraceRecord | null = null;

  constructor(queue: ByteQueue, limits: ReaderLimits = {}) {
    super(queue, limits);
  }

  next(): TraceRecord | null {
    const q = this.queue;
    for (;;) {
      if (this.pending) {
        const r = this.pending;
        this.pending = null;
        return r;
      }
      if (this.done) return null;
      if (this.skipping) {
        const s = this.skipping;
        if (q.discarding > 0 || !q.has(4)) {
          if (!q.ended) return null;
          return this.problem(new TruncatedError(`the file ends inside a ${blockName(s.type)} of ${s.length} bytes`, s.offset), true);
        }
        const trailer = q.u32(0, this.le);
        q.skip(4);
        this.skipping = null;
        if (trailer !== s.length) return this.badTrailer(s.type, s.length, trailer, s.offset);
        continue;
      }
      if (this.atCleanEnd()) return null;
      const at = q.position;
      if (!q.has(8)) return this.missing(8, 'a block header', at);
      const type = q.u32(0, this.le);
      let length: number;
      if (type === PCAPNG_SHB) {
        if (!q.has(12)) return this.missing(12, 'a Section Header Block', at);
        const bom = q.u32(8, true);
        if (bom === PCAPNG_BYTE_ORDER_MAGIC) this.le = true;
        else if (q.u32(8, false) === PCAPNG_BYTE_ORDER_MAGIC) this.le = false;
        else return this.problem(new MalformedError(`unknown byte-order magic 0x${bom.toString(16)} in a Section Header Block`, at + 8), true);
        length = q.u32(4, this.le);
      } else if (this.sections.length === 0) {
        return this.problem(new MalformedError('not a pcapng file: it does not start with a Section Header Block', at), true);
      } else {
        length = q.u32(4, this.le);
      }
      if (length < PCAPNG_BLOCK_OVERHEAD || length % 4 !== 0) {
        return this.problem(new MalformedError(`${blockName(type)} declares a total length of ${length} bytes (at least 12 and a multiple of 4 are required)`, at + 4), true);
      }
      const parsed = type === PCAPNG_SHB || type === PCAPNG_IDB || isPacketBlock(type);
      if (!parsed || (length > this.maxRecordBytes && isPacketBlock(type))) {
        // Skipped whole: dropped as it streams in, then its trailer is checked.
        q.skip(length - 4);
        this.skipping = { type, length, offset: at };
        if (parsed) return this.problem(new MalformedError(`${blockName(type)} of ${length} bytes is larger than the ${this.maxRecordBytes}-byte limit; skipped`, at), false);
        continue;
      }
      if (length > this.maxRecordBytes) {
        return this.problem(new MalformedError(`${blockName(type)} of ${length} bytes is larger than the ${this.maxRecordBytes}-byte limit`, at), true);
      }
      if (!q.has(length)) return this.missing(length, `a ${blockName(type)}`, at);
      const block = q.take(length);
      const trailer = u32(block, length - 4, this.le);
      if (trailer !== length) return this.badTrailer(type, length, trailer, at);
      switch (type) {
        case PCAPNG_SHB: {
          const stop = this.readSection(block, at);
          if (stop) return stop;
          continue;
        }
        case PCAPNG_IDB: {
          const stop = this.readInterface(block, at);
          if (stop) return stop;
          continue;
        }
        case PCAPNG_SPB:
          return this.simplePacket(block, at);
        default:
          return this.enhancedPacket(block, at, type === PCAPNG_OPB);
      }
    }
  }

  private badTrailer(type: number, length: number, trailer: number, at: number): TraceRecord {
    return this.problem(new MalformedError(`${blockName(type)} declares ${length} bytes at its start and ${trailer} at its end`, at + length - 4), true);
  }

  /** A new section: its own byte order and interfaces. Returns a record only when reading must stop. */
  private readSection(block: Uint8Array, at: number): TraceRecord | null {
    const le = this.le;
    if (block.length < 28) {
      return this.problem(new MalformedError(`Section Header Block of ${block.length} bytes is shorter than its 28-byte minimum`, at + 4), true);
    }
    const versionMajor = u16(block, 12, le);
    const versionMinor = u16(block, 14, le);
    if (versionMajor !== 1) {
      return this.problem(new MalformedError(`pcapng version ${versionMajor}.${versionMinor} is not supported (only 1.x)`, at + 12), true);
    }
    let hardware: string | null = null;
    let os: string | null = null;
    let application: string | null = null;
    const error = this.walkOptions(block, 24, at, (code, start, end) => {
      if (code === SHB_HARDWARE) hardware = decodeString(block, start, end);
      else if (code === SHB_OS) os = decodeString(block, start, end);
      else if (code === SHB_USERAPPL) application = decodeString(block, start, end);
    });
    this.sections.push({ index: this.sections.length, fileOffset: at, littleEndian: le, versionMajor, versionMinor, hardware, os, application });
    this.interfaces = [];
    if (error) this.pending = this.problem(error, false);
    return null;
  }

  private readInterface(block: Uint8Array, at: number): TraceRecord | null {
    const le = this.le;
    if (block.length < 20) {
      // Without it every later interface id would be off by one: stop.
      return this.problem(new MalformedError(`Interface Description Block of ${block.length} bytes is shorter than its 20-byte minimum`, at + 4), true);
    }
    const linkType = u16(block, 8, le);
    const snapLength = u32(block, 12, le);
    let name: string | null = null;
    let description: string | null = null;
    let tsresol = MICROSECONDS;
    let tsoffset = 0n;
    let optionError: DecodeError | null = null;
    const error = this.walkOptions(block, 16, at, (code, start, end) => {
      if (code === IF_NAME) name = decodeString(block, start, end);
      else if (code === IF_DESCRIPTION) description = decodeString(block, start, end);
      else if (code === IF_TSRESOL) {
        if (end - start === 1) tsresol = block[start]!;
        else optionError ??= new MalformedError(`if_tsresol of ${end - start} bytes (1 expected)`, at + start);
      } else if (code === IF_TSOFFSET) {
        if (end - start === 8) tsoffset = i64(block, start, le);
        else optionError ??= new MalformedError(`if_tsoffset of ${end - start} bytes (8 expected)`, at + start);
      }
    });
    const section = this.sections.length - 1;
    this.interfaces.push(new PcapngInterface(section, this.interfaces.length, linkType, snapLength, name, description, new TimestampScale(tsresol, tsoffset)));
    const problem = error ?? optionError;
    if (problem) this.pending = this.problem(problem, false);
    return null;
  }

  private enhancedPacket(block: Uint8Array, at: number, obsolete: boolean): TraceRecord {
    const le = this.le;
    const end = block.length - 4;
    if (block.length < 32) {
      return this.problem(new MalformedError(`${blockName(obsolete ? PCAPNG_OPB : PCAPNG_EPB)} of ${block.length} bytes is shorter than its 32-byte minimum`, at + 4), false);
    }
    const id = obsolete ? u16(block, 8, le) : u32(block, 8, le);
    const hi = u32(block, 12, le);
    const lo = u32(block, 16, le);
    const captured = u32(block, 20, le);
    const original = u32(block, 24, le);
    const iface = this.interfaces[id] ?? null;
    let problem: DecodeError | null = null;
    let data: Uint8Array;
    let flags = 0;
    if (captured > end - 28) {
      problem = new MalformedError(`packet block claims ${captured} captured bytes, more than the ${end - 28} its length leaves`, at + 20);
      data = block.subarray(28, end);
    } else {
      data = block.subarray(28, 28 + captured);
      problem = this.walkOptions(block, 28 + pad4(captured), at, (code, start, stop) => {
        if (code === EPB_FLAGS && stop - start === 4) flags = u32(block, start, le) & 3;
      });
      if (captured < original) problem ??= new TruncatedError(`packet captured ${captured} of its ${original} bytes`, at);
    }
    if (!iface) problem = new MalformedError(`packet names interface ${id}, but the section declares ${this.interfaces.length}`, at + 8);
    return this.packet(at, iface, iface ? iface.scale : null, hi, lo, data.length, original, data, problem, flags);
  }

  private simplePacket(block: Uint8Array, at: number): TraceRecord {
    const end = block.length - 4;
    if (block.length < 16) {
      return this.problem(new MalformedError(`Simple Packet Block of ${block.length} bytes is shorter than its 16-byte minimum`, at + 4), false);
    }
    const original = u32(block, 8, this.le);
    const iface = this.interfaces[0] ?? null;
    // Its captured length is implied: the original length, cut to the snap length.
    const snap = iface && iface.snapLength > 0 ? iface.snapLength : Infinity;
    const captured = Math.min(original, snap);
    let problem: DecodeError | null = null;
    let data: Uint8Array;
    if (captured > end - 12) {
      problem = new MalformedError(`Simple Packet Block of ${block.length} bytes cannot hold its ${captured} packet bytes`, at + 8);
      data = block.subarray(12, end);
    } else {
      data = block.subarray(12, 12 + captured);
      if (captured < original) problem = new TruncatedError(`packet captured ${captured} of its ${original} bytes`, at);
    }
    if (!iface) problem = new MalformedError('Simple Packet Block in a section that declares no interface', at);
    return this.packet(at, iface, null, 0, 0, data.length, original, data, problem, 0);
  }

  /** Visits the options from `start` to the block's trailer; returns what was wrong with them, if anything. */
  private walkOptions(block: Uint8Array, start: number, at: number, visit: OptionVisitor): DecodeError | null {
    const end = block.length - 4;
    let i = start;
    while (i + 4 <= end) {
      const code = u16(block, i, this.le);
      const length = u16(block, i + 2, this.le);
      if (code === OPT_ENDOFOPT) return null;
      if (i + 4 + length > end) {
        return new MalformedError(`option ${code} of ${length} bytes runs past the end of its block`, at + i);
      }
      visit(code, i + 4, i + 4 + length);
      i += 4 + pad4(length);
    }
    if (i !== end && i < end) return new MalformedError(`${end - i} stray bytes after the options`, at + i);
    return null;
  }
}
