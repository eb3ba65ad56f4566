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

import type { AttributeList, Codec } from '../../codec/index.js';
import type { AttributeSchema, AttributeSetSchema, Family, StructSchema } from '../../schema/compile.js';
import type { Attributes } from '../../schema/decode.js';
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
}

/**
 * Decodes the sibling entries [start, end) of `list` as one attribute set;
 * `selected` is the `only` mask of the top level (null: everything).
 */
export type SetDecoder = (
  host: DecoderHost, list: AttributeList, start: number, end: number, up: DecodeLevel | null, selected: Uint8Array | null,
) => Attributes;

/** Decodes `length` bytes at `at` as one struct, like decodeStruct. */
export type StructDecoder = (u8: Uint8Array, view: DataView, at: number, length: number, options?: StructDecodeOptions) => Record<string, unknown>;

/** The decoders of one family, bound to its compiled schema objects. */
export interface FamilyDecoders {
  sets: Map<AttributeSetSchema, SetDecoder>;
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
