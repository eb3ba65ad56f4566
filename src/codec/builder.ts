// MessageBuilder: the JavaScript face of the WASM batch builder. Messages,
// family headers, attributes and nests go straight into WASM memory; finish()
// hands back a view of the batch that a transport can send without a copy.
//
//   const b = codec.builder().reset();
//   b.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq).header(ifinfomsg);
//   b.string(IFLA_IFNAME, 'veth0').u32(IFLA_MTU, 1500);
//   b.nest(IFLA_LINKINFO, () => b.string(IFLA_INFO_KIND, 'veth'));
//   const bytes = b.end().finish();

import {
  BUILD_OK, BUILD_NO_MESSAGE, BUILD_NEST_DEPTH, BUILD_NEST_UNDERFLOW, BUILD_TOO_LONG, BUILD_NO_MEMORY, BUILD_NEST_OPEN,
  BUILD_BAD_OP, NLA_F_NESTED, BUILD_OP_BEGIN, BUILD_OP_END, BUILD_OP_HEADER, BUILD_OP_FLAG, BUILD_OP_U8, BUILD_OP_U16,
  BUILD_OP_U32, BUILD_OP_U64, BUILD_OP_BE16, BUILD_OP_BE32, BUILD_OP_BE64, BUILD_OP_BYTES, BUILD_OP_STRING,
  BUILD_OP_NEST_BEGIN, BUILD_OP_NEST_END,
} from './constants.js';
import { ArgumentError, BuildError } from './errors.js';
import { encodeString, maxUtf8Length } from './text.js';
import type { WasmMemory, WasmExports } from './wasm.js';

const BUILD_ERRORS: Record<number, string> = {
  [BUILD_NO_MESSAGE]: 'an attribute or header was added outside a message (call begin first)',
  [BUILD_NEST_DEPTH]: 'nests are opened deeper than the builder allows',
  [BUILD_NEST_UNDERFLOW]: 'nestEnd was called with no nest open',
  [BUILD_TOO_LONG]: 'an attribute or nest is longer than the 65535 bytes nla_len can express',
  [BUILD_NO_MEMORY]: 'the batch does not fit in WebAssembly memory',
  [BUILD_NEST_OPEN]: 'a message was ended with a nest still open (call nestEnd)',
  [BUILD_BAD_OP]: 'the builder met an unknown operation',
};

const TWO_32 = 0x100000000;

/** Splits a 64-bit value (number or bigint, signed or not) into two u32 halves. */
function split64(value: number | bigint): [number, number] {
  if (typeof value === 'bigint') {
    const v = BigInt.asUintN(64, value);
    return [Number(v & 0xffffffffn), Number(v >> 32n)];
  }
  if (!Number.isSafeInteger(value)) throw new ArgumentError(`${value} is not a safe integer; pass a bigint`);
  if (value < 0) return split64(BigInt(value));
  return [value % TWO_32, Math.floor(value / TWO_32)];
}

const OPS_WORDS = 16384;
const DATA_BYTES = 65536;

/**
 * Queues operations as u32 words in an op list in WASM memory (payloads in a
 * data area beside it) and has the WASM builder execute the whole list in
 * one call when it fills up, at finish(), or before anything that needs the
 * buffer as it stands (reserve, length). So a message costs a few
 * typed-array stores per attribute and no call across the boundary.
 */
export class MessageBuilder {
  private readonly x: WasmExports;
  private readonly ops: number;
  private readonly opBase: number;
  private queued = 0;
  private data: number;
  private dataSize: number;
  private dataUsed = 0;

  constructor(private readonly mem: WasmMemory) {
    this.x = mem.exports;
    this.ops = mem.alloc(OPS_WORDS * 4);
    this.opBase = this.ops >>> 2;
    this.dataSize = DATA_BYTES;
    this.data = mem.alloc(DATA_BYTES);
  }

  /** Executes the queued operations. */
  private flush(): void {
    if (this.queued === 0) return;
    this.x.buildRun(this.ops, this.queued, this.data);
    this.queued = 0;
    this.dataUsed = 0;
    this.mem.refresh();
  }

  /** The word index where `words` more can be queued (flushing first if full). */
  private room(words: number): number {
    if (this.queued + words > OPS_WORDS) this.flush();
    return this.opBase + this.queued;
  }

  /** The data-area address where `bytes` more can go (flushing or growing first). */
  private dataRoom(bytes: number): number {
    if (this.dataUsed + bytes > this.dataSize) {
      this.flush();
      if (bytes > this.dataSize) {
        this.mem.free(this.data);
        this.dataSize = Math.max(bytes, this.dataSize * 2);
        this.data = this.mem.alloc(this.dataSize);
      }
    }
    return this.data + this.dataUsed;
  }

  private op1(word: number): this {
    const at = this.room(1);
    this.mem.u32[at] = word;
    this.queued++;
    return this;
  }

  private op2(word: number, a: number): this {
    const at = this.room(2);
    const u32 = this.mem.u32;
    u32[at] = word;
    u32[at + 1] = a;
    this.queued += 2;
    return this;
  }

  private op3(word: number, a: number, b: number): this {
    const at = this.room(3);
    const u32 = this.mem.u32;
    u32[at] = word;
    u32[at + 1] = a;
    u32[at + 2] = b;
    this.queued += 3;
    return this;
  }

  /** Starts a new batch (the previous batch's view becomes invalid). */
  reset(): this {
    this.queued = 0;
    this.dataUsed = 0;
    this.x.buildReset();
    return this;
  }

  /** Starts a message (ending the previous one). */
  begin(type: number, flags: number, seq: number, pid = 0): this {
    const at = this.room(4);
    const u32 = this.mem.u32;
    u32[at] = (type << 16) | BUILD_OP_BEGIN;
    u32[at + 1] = flags;
    u32[at + 2] = seq;
    u32[at + 3] = pid;
    this.queued += 4;
    return this;
  }

  /** Ends the current message, patching its length. */
  end(): this {
    return this.op1(BUILD_OP_END);
  }

  /** Appends a family header (or any fixed struct) given as bytes. */
  header(bytes: Uint8Array): this {
    this.room(3);
    const at = this.dataRoom(bytes.length);
    this.mem.u8.set(bytes, at);
    this.op3(BUILD_OP_HEADER, bytes.length, this.dataUsed);
    this.dataUsed += bytes.length;
    return this;
  }

  /**
   * Reserves `bytes` zeroed bytes (padded to 4 in the message) and returns an
   * address to fill through `memory.view` before the next builder call: the
   * bytes are staged and copied into the message when the queue runs.
   */
  reserve(bytes: number): number {
    this.room(3);
    const at = this.dataRoom(bytes);
    this.mem.u8.fill(0, at, at + bytes);
    this.op3(BUILD_OP_HEADER, bytes, this.dataUsed);
    this.dataUsed += bytes;
    return at;
  }

  /** The codec memory, for writing into reserved space. */
  get memory(): WasmMemory {
    return this.mem;
  }

  flag(type: number): this { return this.op1((type << 16) | BUILD_OP_FLAG); }
  u8(type: number, value: number): this { return this.op2((type << 16) | BUILD_OP_U8, value); }
  u16(type: number, value: number): this { return this.op2((type << 16) | BUILD_OP_U16, value); }
  u32(type: number, value: number): this { return this.op2((type << 16) | BUILD_OP_U32, value); }
  s8(type: number, value: number): this { return this.u8(type, value & 0xff); }
  s16(type: number, value: number): this { return this.u16(type, value & 0xffff); }
  s32(type: number, value: number): this { return this.u32(type, value | 0); }
  u64(type: number, value: number | bigint): this {
    const [low, high] = split64(value);
    return this.op3((type << 16) | BUILD_OP_U64, low, high);
  }
  s64(type: number, value: number | bigint): this { return this.u64(type, value); }
  be16(type: number, value: number): this { return this.op2((type << 16) | BUILD_OP_BE16, value); }
  be32(type: number, value: number): this { return this.op2((type << 16) | BUILD_OP_BE32, value); }
  be64(type: number, value: number | bigint): this {
    const [low, high] = split64(value);
    return this.op3((type << 16) | BUILD_OP_BE64, low, high);
  }

  /** A NUL-terminated UTF-8 string attribute. */
  string(type: number, text: string): this {
    this.room(3);
    const at = this.dataRoom(maxUtf8Length(text));
    const written = encodeString(this.mem.u8, at, text);
    this.op3((type << 16) | BUILD_OP_STRING, written, this.dataUsed);
    this.dataUsed += written;
    return this;
  }

  /** A binary attribute. */
  bytes(type: number, payload: Uint8Array): this {
    this.room(3);
    const at = this.dataRoom(payload.length);
    this.mem.u8.set(payload, at);
    this.op3((type << 16) | BUILD_OP_BYTES, payload.length, this.dataUsed);
    this.dataUsed += payload.length;
    return this;
  }

  /** Opens a nest; NLA_F_NESTED is set unless `flagNested` is false. */
  nestStart(type: number, flagNested = true): this {
    return this.op1(((flagNested ? type | NLA_F_NESTED : type) << 16) | BUILD_OP_NEST_BEGIN);
  }

  nestEnd(): this {
    return this.op1(BUILD_OP_NEST_END);
  }

  /** Writes a nest whose contents `fill` adds. */
  nest(type: number, fill: (builder: this) => void, flagNested = true): this {
    this.nestStart(type, flagNested);
    fill(this);
    return this.nestEnd();
  }

  /** Bytes written so far. */
  get length(): number {
    this.flush();
    return this.x.buildLength();
  }

  /** Messages completed so far. */
  get messages(): number {
    this.flush();
    return this.x.buildMessages();
  }

  /**
   * Ends the batch and returns it as a view into WASM memory, valid until the
   * next reset or memory growth (copy it with .slice() to keep it). Throws a
   * BuildError if any operation failed or a nest is still open.
   */
  finish(): Uint8Array {
    this.flush();
    this.x.buildEnd();
    const error = this.x.buildError();
    if (error !== BUILD_OK) throw new BuildError(BUILD_ERRORS[error] ?? `builder error ${error}`);
    this.mem.refresh();
    const base = this.x.buildBase();
    return this.mem.u8.subarray(base, base + this.x.buildLength());
  }
}
