// What the generated decoders (the other modules of this folder, written by
// scripts/gen-decoders.mjs) need from the schema runtime, and the little they
// share. Hand-written; the rest of the folder is generated.
//
// A generated set decoder does what the table-driven Decoder.range does for
// one attribute set, with the set's attribute types as switch cases and its
// keys as named property stores: every store site then sees one object shape
// in a dump (the kernel writes attributes in a fixed order), instead of one
// keyed store shared by every attribute of every set. Anything uncommon
// (sub-messages, arrays, bitfields, other integer widths, byte-order flags,
// short payloads) goes back to the table-driven general path, so both give
// the same objects, the same `$unknown` entries and the same errors.
//
// Each set also gets a direct decoder, which reads the attribute bytes in
// WASM memory itself instead of the WASM attribute index: the same cases,
// with the walk's header checks inlined. It covers sound input only; where
// the index path would throw or needs its index (a malformed header, a short
// payload, nesting near the depth bound) it throws USE_INDEX and the message
// is decoded again by the index, so that errors stay exactly the same.
//
//   pos ─►┌─────────┬──────────┬──────────────┬─────┐◄─ next = pos + align4(nla_len)
//         │ nla_len │ nla_type │ payload (n)  │ pad │
//         └─────────┴──────────┴──────────────┴─────┘
//                          at ─►

import type { AttributeList, Codec } from '../../codec/index.js';
import { DEFAULT_MAX_DEPTH } from '../../codec/attributes.js';
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK } from '../../codec/constants.js';
import { decodeString } from '../../codec/text.js';
import type { AttributeSchema, AttributeSetSchema, Family, StructSchema } from '../../schema/compile.js';
import type { Attributes, UnknownAttribute } from '../../schema/decode.js';
import type { StructDecodeOptions } from '../../schema/struct.js';

/** One level of an ongoing decode: sub-message selectors are looked up through these. */
export interface DecodeLevel {
  set: AttributeSetSchema;
  out: Record<string, unknown>;
  parent: DecodeLevel | null;
}

/** The table-driven decoder, as the generated code calls it. */
export interface DecoderHost {
  readonly codec: Codec;
  /** Enums and flags by name (the default) or as numbers. */
  readonly names: boolean;
  readonly options: StructDecodeOptions | undefined;
  /** The general path for attribute k of `list` (the value; the caller stores it). */
  attribute(list: AttributeList, k: number, a: AttributeSchema, here: DecodeLevel): unknown;
  /** Keeps attribute k under `$unknown`. */
  unknown(out: Attributes, list: AttributeList, k: number): void;
  /** Decodes nest k (status `status`) of `list` as `set`, walking it when the list did not descend. */
  nest(list: AttributeList, k: number, status: number, set: AttributeSetSchema, here: DecodeLevel): Attributes;
  /**
   * Direct decoders: the index path for the one attribute whose header is at
   * address `pos`, `depth` levels below the message's attributes.
   */
  general(pos: number, a: AttributeSchema, depth: number, here: DecodeLevel): unknown;
  /** Direct decoders: sub-message attribute `a`, its `n` payload bytes at address `at`. */
  subMessage(at: number, n: number, a: AttributeSchema, depth: number, here: DecodeLevel): unknown;
}

/**
 * Decodes the sibling entries [start, end) of `list` as one attribute set;
 * `selected` is the `only` mask of the top level (null: everything).
 */
export type SetDecoder = (
  host: DecoderHost, list: AttributeList, start: number, end: number, up: DecodeLevel | null, selected: Uint8Array | null,
) => Attributes;

/**
 * Decodes the attributes in [start, end) (addresses in WASM memory) as one
 * attribute set, `depth` levels below the message's attributes; `selected`
 * as for SetDecoder. Throws USE_INDEX where the index path must decide.
 */
export type DirectSetDecoder = (
  host: DecoderHost, start: number, end: number, depth: number, up: DecodeLevel | null, selected: Uint8Array | null,
) => Attributes;

/** Thrown by direct decoders: decode this message by the attribute index instead. */
export const USE_INDEX: unique symbol = Symbol('use the attribute index');

/** How many messages direct decoders handed back to the index path (tests and benchmarks read it). */
export const directStats = { fallbacks: 0 };

/**
 * Levels a direct decoder reads. The index walk marks a nest at depth
 * DEFAULT_MAX_DEPTH - 1 as too deep (an error when read), so levels from
 * there on are left to it.
 */
export const DIRECT_MAX_DEPTH = DEFAULT_MAX_DEPTH - 1;

/** Keeps the attribute (raw nla_type `raw`, payload of `n` bytes at `at`) under `$unknown`. */
export function keepUnknown(out: Attributes, u8: Uint8Array, raw: number, at: number, n: number): void {
  const entry: UnknownAttribute = { type: raw & NLA_TYPE_MASK, bytes: u8.slice(at, at + n) };
  if ((raw & NLA_F_NESTED) !== 0) entry.nested = true;
  if ((raw & NLA_F_NET_BYTEORDER) !== 0) entry.netByteOrder = true;
  (out.$unknown ??= []).push(entry);
}

/** A string attribute's payload, up to its NUL (the codec's decoder, which has the short-ASCII fast path). */
export const shortString = decodeString;

/** u8.slice(at, at + n): a loop for the few bytes of addresses and small binaries, the builtin past that. */
export function copyBytes(u8: Uint8Array, at: number, n: number): Uint8Array {
  if (n > 16) return u8.slice(at, at + n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = u8[at + i]!;
  return out;
}

/** Decodes `length` bytes at `at` as one struct, like decodeStruct. */
export type StructDecoder = (u8: Uint8Array, view: DataView, at: number, length: number, options?: StructDecodeOptions) => Record<string, unknown>;

/** The decoders of one family, bound to its compiled schema objects. */
export interface FamilyDecoders {
  sets: Map<AttributeSetSchema, SetDecoder>;
  direct: Map<AttributeSetSchema, DirectSetDecoder>;
  structs: Map<StructSchema, StructDecoder>;
}

export type FamilyBinder = (family: Family) => FamilyDecoders;

/** A u64 in host order: a number while it is a safe integer, else a bigint (values.ts's rule). */
export function u64le(view: DataView, at: number): number | bigint {
  const high = view.getUint32(at + 4, true);
  return high < 0x200000 ? high * 0x100000000 + view.getUint32(at, true) : view.getBigUint64(at, true);
}

/** Attribute schemas of a set by type value (dense; holes are undefined). */
export function attrsByValue(set: AttributeSetSchema): AttributeSchema[] {
  const out: AttributeSchema[] = [];
  for (const a of set.attrs) out[a.value] = a;
  return out;
}
