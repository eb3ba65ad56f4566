// Scanner and Batch: the message index of a region of datagrams, read in
// place through typed-array views. A Batch makes no object per message; ask
// for one (message(i)) only where you want to keep it.

import {
  NLMSG_HDRLEN, NLMSG_ERROR, NLMSG_DONE, NLMSG_ALIGNTO,
  STATUS_OK, STATUS_TRUNCATED, STATUS_BAD_LENGTH, STATUS_BAD_PAYLOAD,
  MSG_COL_OFFSET, MSG_COL_LENGTH, MSG_COL_SEQ, MSG_COL_PID, MSG_COL_DATAGRAM,
  MSG_COL_TYPE, MSG_COL_FLAGS, MSG_COL_STATUS, MSG_ENTRY_BYTES, DGRAM_ENTRY_BYTES,
} from './constants.js';
import { ArgumentError, DecodeError, MalformedError, StaleError, TruncatedError } from './errors.js';
import type { WasmMemory } from './wasm.js';
import {
  AttributeWalker, type AttributeList, type BatchAttributes, type HeaderLengths, type WalkOptions,
} from './attributes.js';

/** A message header and a copy of its bytes, detached from the scanner. */
export interface MessageRecord {
  index: number;
  offset: number;
  length: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  datagram: number;
  status: number;
  /** The whole message, header included (a copy). */
  bytes: Uint8Array;
}

const align = (n: number) => (n + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);

/**
 * Owns one input region, one datagram table and one message index in WASM
 * memory. Each scan reuses them, which invalidates the previous Batch.
 */
export class Scanner {
  private region = 0;
  private regionSize = 0;
  private table = 0;
  private tableSize = 0;
  private index = 0;
  private indexCapacity = 0;
  private generation = 0;
  private walker: AttributeWalker | null = null;

  constructor(private readonly mem: WasmMemory) {}

  /** Address of the input region in WASM memory. */
  get regionAddress(): number {
    return this.region;
  }

  /**
   * The input region, grown to at least `bytes`, as a view to write datagrams
   * into (a transport receives straight into it). The view is valid until the
   * next allocation in this codec.
   */
  input(bytes: number): Uint8Array {
    if (!(bytes >= 0) || bytes > 0x7fff0000) throw new ArgumentError(`input size ${bytes} is out of range`);
    if (bytes > this.regionSize) {
      const size = Math.max(bytes, this.regionSize * 2, 4096);
      this.region = this.region ? this.mem.realloc(this.region, size) : this.mem.alloc(size);
      this.regionSize = size;
    }
    return this.mem.u8.subarray(this.region, this.region + bytes);
  }

  /** Room for `count` datagram descriptors; returns the table's address. */
  private ensureTable(count: number): void {
    const bytes = count * DGRAM_ENTRY_BYTES;
    if (bytes > this.tableSize) {
      const size = Math.max(bytes, this.tableSize * 2, 256);
      this.table = this.table ? this.mem.realloc(this.table, size) : this.mem.alloc(size);
      this.tableSize = size;
    }
  }

  /** Describes datagram `i` as `length` bytes at `offset` of the input region. */
  setDatagram(i: number, offset: number, length: number): void {
    this.ensureTable(i + 1);
    const at = (this.table >>> 2) + i * 2;
    this.mem.u32[at] = offset;
    this.mem.u32[at + 1] = length;
  }

  /** Scans the `datagramCount` datagrams described with setDatagram. */
  scan(datagramCount: number): Batch {
    this.ensureTable(datagramCount);
    let bytes = 0;
    const u32 = this.mem.u32;
    for (let i = 0, at = this.table >>> 2; i < datagramCount; i++, at += 2) {
      const offset = u32[at]!;
      const length = u32[at + 1]!;
      if (offset + length > this.regionSize) {
        throw new ArgumentError(`datagram ${i} (${length} bytes at ${offset}) lies outside the ${this.regionSize}-byte input region`);
      }
      bytes += length;
    }
    const capacity = Math.floor(bytes / NLMSG_HDRLEN) + datagramCount;
    if (capacity > this.indexCapacity) {
      const grown = Math.max(capacity, this.indexCapacity * 2, 64);
      if (this.index) this.mem.free(this.index);
      this.index = this.mem.alloc(grown * MSG_ENTRY_BYTES);
      this.indexCapacity = grown;
    }
    const count = this.mem.exports.scanBatch(this.region, this.table, datagramCount, this.index, this.indexCapacity);
    if (count < 0) throw new Error('message index overflow: the capacity bound does not hold');
    this.generation++;
    return new Batch(this, this.mem, this.region, this.index, this.indexCapacity, count, this.generation, bytes);
  }

  /**
   * Copies `bytes` into the input region and scans them: as one datagram, or
   * as consecutive datagrams of the given lengths.
   */
  scanBytes(bytes: Uint8Array, datagramLengths?: ArrayLike<number>): Batch {
    this.input(bytes.length).set(bytes);
    if (!datagramLengths) {
      this.setDatagram(0, 0, bytes.length);
      return this.scan(1);
    }
    let offset = 0;
    for (let i = 0; i < datagramLengths.length; i++) {
      const length = datagramLengths[i]!;
      if (offset + length > bytes.length) throw new ArgumentError(`datagram lengths add up to more than the ${bytes.length} bytes given`);
      this.setDatagram(i, offset, length);
      offset += length;
    }
    return this.scan(datagramLengths.length);
  }

  /** @internal */
  isCurrent(generation: number): boolean {
    return generation === this.generation;
  }

  /** The walker that batches from this scanner use for attributes. */
  attributeWalker(): AttributeWalker {
    this.walker ??= new AttributeWalker(this.mem);
    return this.walker;
  }

  /** Returns the scanner's memory to the codec. Batches from it become unusable. */
  release(): void {
    for (const ptr of [this.region, this.table, this.index]) if (ptr) this.mem.free(ptr);
    this.walker?.release();
    this.region = this.table = this.index = 0;
    this.regionSize = this.tableSize = this.indexCapacity = 0;
    this.walker = null;
    this.generation++;
  }
}

/**
 * The messages of one scan. Column getters read the index in place; they are
 * valid until the scanner scans again (check `valid` if unsure).
 */
export class Batch {
  readonly count: number;
  /** Address of the scanned region in WASM memory; offsets are relative to it. */
  readonly regionAddress: number;
  private readonly offsetCol: number;
  private readonly lengthCol: number;
  private readonly seqCol: number;
  private readonly pidCol: number;
  private readonly datagramCol: number;
  private readonly typeCol: number;
  private readonly flagsCol: number;
  private readonly statusCol: number;

  constructor(
    private readonly scanner: Scanner,
    private readonly mem: WasmMemory,
    region: number,
    private readonly index: number,
    private readonly capacity: number,
    count: number,
    private readonly generation: number,
    /** Bytes of the datagrams scanned. */
    readonly bytes: number,
  ) {
    this.count = count;
    this.regionAddress = region;
    this.offsetCol = (index + MSG_COL_OFFSET * capacity) >>> 2;
    this.lengthCol = (index + MSG_COL_LENGTH * capacity) >>> 2;
    this.seqCol = (index + MSG_COL_SEQ * capacity) >>> 2;
    this.pidCol = (index + MSG_COL_PID * capacity) >>> 2;
    this.datagramCol = (index + MSG_COL_DATAGRAM * capacity) >>> 2;
    this.typeCol = (index + MSG_COL_TYPE * capacity) >>> 1;
    this.flagsCol = (index + MSG_COL_FLAGS * capacity) >>> 1;
    this.statusCol = index + MSG_COL_STATUS * capacity;
  }

  /** False once the scanner has scanned again or been released. */
  get valid(): boolean {
    return this.scanner.isCurrent(this.generation);
  }

  /** Byte offset of message i in the region. */
  offset(i: number): number { return this.mem.u32[this.offsetCol + i]!; }
  /** nlmsg_len, or the bytes that were there when the status is not OK. */
  length(i: number): number { return this.mem.u32[this.lengthCol + i]!; }
  type(i: number): number { return this.mem.u16[this.typeCol + i]!; }
  flags(i: number): number { return this.mem.u16[this.flagsCol + i]!; }
  seq(i: number): number { return this.mem.u32[this.seqCol + i]!; }
  pid(i: number): number { return this.mem.u32[this.pidCol + i]!; }
  /** Which datagram of the scan the message came from. */
  datagram(i: number): number { return this.mem.u32[this.datagramCol + i]!; }
  /** STATUS_OK or the reason the message is unusable (see constants). */
  status(i: number): number { return this.mem.u8[this.statusCol + i]!; }

  /** The typed error for a message whose status is not OK, or null. */
  error(i: number): DecodeError | null {
    const status = this.status(i);
    if (status === STATUS_OK) return null;
    const offset = this.offset(i);
    const length = this.length(i);
    switch (status) {
      case STATUS_TRUNCATED:
        return length < NLMSG_HDRLEN
          ? new TruncatedError(`${length} bytes left at the end of datagram ${this.datagram(i)}, fewer than a message header`, offset)
          : new TruncatedError(`message declares ${this.declaredLength(i)} bytes, only ${length} remain in datagram ${this.datagram(i)}`, offset);
      case STATUS_BAD_LENGTH:
        return new MalformedError(`message declares ${this.declaredLength(i)} bytes, less than its 16-byte header`, offset);
      case STATUS_BAD_PAYLOAD:
        return new MalformedError(`NLMSG_ERROR of ${length} bytes is too short for struct nlmsgerr`, offset);
      default:
        return new MalformedError(`message status ${status}`, offset);
    }
  }

  /** Throws the message's typed error, if it has one. */
  check(i: number): void {
    this.assertValid();
    const error = this.error(i);
    if (error) throw error;
  }

  private declaredLength(i: number): number {
    return this.mem.view.getUint32(this.regionAddress + this.offset(i), true);
  }

  /**
   * The errno carried by an NLMSG_ERROR (0 for an ack) or by an NLMSG_DONE
   * that has one, as a non-positive number; 0 for any other message.
   */
  errorCode(i: number): number {
    const type = this.type(i);
    if (this.status(i) !== STATUS_OK) return 0;
    if (type === NLMSG_ERROR || (type === NLMSG_DONE && this.length(i) >= NLMSG_HDRLEN + 4)) {
      // Datagrams may start at any offset, so no aligned typed-array read here.
      return this.mem.view.getInt32(this.regionAddress + this.offset(i) + NLMSG_HDRLEN, true);
    }
    return 0;
  }

  /** The message's bytes, header included, as a view (valid until memory grows). */
  view(i: number): Uint8Array {
    this.assertValid();
    const start = this.regionAddress + this.offset(i);
    return this.mem.u8.subarray(start, start + this.length(i));
  }

  /** The message's bytes, header included, as a copy. */
  copy(i: number): Uint8Array {
    return this.view(i).slice();
  }

  /** A detached record of message i. */
  message(i: number): MessageRecord {
    return {
      index: i, offset: this.offset(i), length: this.length(i), type: this.type(i), flags: this.flags(i),
      seq: this.seq(i), pid: this.pid(i), datagram: this.datagram(i), status: this.status(i), bytes: this.copy(i),
    };
  }

  /**
   * Walks the attributes of message i that follow a family header of
   * `familyHeaderLength` bytes. The list is valid until the next walk with
   * the same walker (by default, the scanner's).
   */
  attributes(i: number, familyHeaderLength: number, options?: WalkOptions & { walker?: AttributeWalker }): AttributeList {
    this.check(i);
    const offset = this.offset(i);
    const start = offset + NLMSG_HDRLEN + align(familyHeaderLength);
    const end = offset + this.length(i);
    if (start > end) {
      throw new TruncatedError(`message of ${this.length(i)} bytes is too short for a ${familyHeaderLength}-byte family header`, offset + NLMSG_HDRLEN);
    }
    const walker = options?.walker ?? this.scanner.attributeWalker();
    return walker.walk(this.regionAddress, start, end, options);
  }

  /**
   * Walks the attributes of every message in one WASM call: the fast path for
   * dumps and event streams. `headers` gives the family header length (a
   * number for all non-control messages, or per type). The result is valid
   * until the next walk with the same walker (by default, the scanner's).
   */
  attributesAll(headers: number | HeaderLengths, options?: WalkOptions & { walker?: AttributeWalker }): BatchAttributes {
    this.assertValid();
    const walker = options?.walker ?? this.scanner.attributeWalker();
    const table = typeof headers === 'number' ? { default: headers } : headers;
    return walker.walkBatch(
      { region: this.regionAddress, index: this.index, capacity: this.capacity, count: this.count, bytes: this.bytes },
      table, options,
    );
  }

  private assertValid(): void {
    if (!this.scanner.isCurrent(this.generation)) throw new StaleError('a Batch');
  }
}
