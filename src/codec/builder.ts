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

export class MessageBuilder {
  private readonly x: WasmExports;

  constructor(private readonly mem: WasmMemory) {
    this.x = mem.exports;
  }

  /** Starts a new batch (the previous batch's view becomes invalid). */
  reset(): this {
    this.x.buildReset();
    return this;
  }

  /** Starts a message (ending the previous one). */
  begin(type: number, flags: number, seq: number, pid = 0): this {
    this.x.buildBegin(type, flags, seq >>> 0, pid >>> 0);
    this.mem.refresh();
    return this;
  }

  /** Ends the current message, patching its length. */
  end(): this {
    this.x.buildEnd();
    this.mem.refresh();
    return this;
  }

  /** Appends a family header (or any fixed struct) given as bytes. */
  header(bytes: Uint8Array): this {
    const at = this.reserve(bytes.length);
    if (at) this.mem.u8.set(bytes, at);
    return this;
  }

  /**
   * Reserves `bytes` zeroed bytes (padded to 4) and returns their address, to
   * fill through `memory.view` before the next builder call; 0 after an error.
   */
  reserve(bytes: number): number {
    const at = this.x.buildReserve(bytes);
    this.mem.refresh();
    return at;
  }

  /** The codec memory, for writing into reserved space. */
  get memory(): WasmMemory {
    return this.mem;
  }

  flag(type: number): this { this.x.buildFlag(type); this.mem.refresh(); return this; }
  u8(type: number, value: number): this { this.x.buildU8(type, value); this.mem.refresh(); return this; }
  u16(type: number, value: number): this { this.x.buildU16(type, value); this.mem.refresh(); return this; }
  u32(type: number, value: number): this { this.x.buildU32(type, value >>> 0); this.mem.refresh(); return this; }
  s8(type: number, value: number): this { return this.u8(type, value & 0xff); }
  s16(type: number, value: number): this { return this.u16(type, value & 0xffff); }
  s32(type: number, value: number): this { return this.u32(type, value | 0); }
  u64(type: number, value: number | bigint): this {
    const [low, high] = split64(value);
    this.x.buildU64(type, low, high);
    this.mem.refresh();
    return this;
  }
  s64(type: number, value: number | bigint): this { return this.u64(type, value); }
  be16(type: number, value: number): this { this.x.buildBe16(type, value); this.mem.refresh(); return this; }
  be32(type: number, value: number): this { this.x.buildBe32(type, value >>> 0); this.mem.refresh(); return this; }
  be64(type: number, value: number | bigint): this {
    const [low, high] = split64(value);
    this.x.buildBe64(type, low, high);
    this.mem.refresh();
    return this;
  }

  /** A NUL-terminated UTF-8 string attribute. */
  string(type: number, text: string): this {
    const max = maxUtf8Length(text) + 1;
    const at = this.x.buildAttr(type, max);
    this.mem.refresh();
    if (at === 0) return this;
    const written = encodeString(this.mem.u8, at, text);
    this.x.buildTrim(written + 1);
    this.mem.refresh();
    return this;
  }

  /** A binary attribute. */
  bytes(type: number, payload: Uint8Array): this {
    const at = this.x.buildAttr(type, payload.length);
    this.mem.refresh();
    if (at !== 0) this.mem.u8.set(payload, at);
    return this;
  }

  /** Opens a nest; NLA_F_NESTED is set unless `flagNested` is false. */
  nestStart(type: number, flagNested = true): this {
    this.x.buildNestBegin(type, flagNested ? 1 : 0);
    this.mem.refresh();
    return this;
  }

  nestEnd(): this {
    this.x.buildNestEnd();
    this.mem.refresh();
    return this;
  }

  /** Writes a nest whose contents `fill` adds. */
  nest(type: number, fill: (builder: this) => void, flagNested = true): this {
    this.nestStart(type, flagNested);
    fill(this);
    return this.nestEnd();
  }

  /** Bytes written so far. */
  get length(): number {
    return this.x.buildLength();
  }

  /** Messages completed so far. */
  get messages(): number {
    return this.x.buildMessages();
  }

  /**
   * Ends the batch and returns it as a view into WASM memory, valid until the
   * next reset or memory growth (copy it with .slice() to keep it). Throws a
   * BuildError if any call failed or a nest is still open.
   */
  finish(): Uint8Array {
    this.x.buildEnd();
    const error = this.x.buildError();
    if (error !== BUILD_OK) throw new BuildError(BUILD_ERRORS[error] ?? `builder error ${error}`);
    this.mem.refresh();
    const base = this.x.buildBase();
    return this.mem.u8.subarray(base, base + this.x.buildLength());
  }
}
