// Decode plans: an attribute set turned, once, into dense tables indexed by
// attribute type, so that the decode loop reads one byte to know what to do
// with an attribute instead of looking up the schema and switching on its
// type name.
//
//   set 'link-attrs'      type:  0    1       2       3       4    ...  18
//                         op:    -    BINARY  BINARY  STRING  U32  ...  NEST
//                         attr:  -    address broadcast ifname mtu  ...  linkinfo
//
// Plans are built on first use and cached per set; they hold no bytes.

import type { AttributeSchema, AttributeSetSchema } from './compile.js';

/** Not in the schema (or 'unused'): kept under $unknown. */
export const OP_UNKNOWN = 0;
/** Carries nothing: skipped. */
export const OP_PAD = 1;
export const OP_FLAG = 2;
export const OP_STRING = 3;
export const OP_U8 = 4;
export const OP_U16 = 5;
export const OP_U32 = 6;
export const OP_S32 = 7;
/** A u64 in host order: a number while it is a safe integer. */
export const OP_U64 = 8;
/** Plain bytes (a copy). */
export const OP_BINARY = 9;
/** A binary laid out as a struct. */
export const OP_STRUCT = 10;
/** A nest of a known set. */
export const OP_NEST = 11;
/** Everything else (other integer widths, arrays, sub-messages, bitfields): the general path. */
export const OP_GENERAL = 12;

export interface SetPlan {
  /** Op per attribute type; types past the end are OP_UNKNOWN. */
  readonly ops: Uint8Array;
  /** Schema per attribute type. */
  readonly attrs: ReadonlyArray<AttributeSchema | undefined>;
  /** 1 where a lazy decode defers the attribute. */
  readonly deferrable: Uint8Array;
}

function opOf(a: AttributeSchema): number {
  if (a.multi) return OP_GENERAL;
  switch (a.type) {
    case 'unused': return OP_UNKNOWN;
    case 'pad': return OP_PAD;
    case 'flag': return OP_FLAG;
    case 'string': return OP_STRING;
    // Big-endian integers take the general path; so does any integer when
    // the sender sets NLA_F_NET_BYTEORDER (checked per attribute).
    case 'u8': return a.be ? OP_GENERAL : OP_U8;
    case 'u16': return a.be ? OP_GENERAL : OP_U16;
    case 'u32': return a.be ? OP_GENERAL : OP_U32;
    case 's32': return a.be ? OP_GENERAL : OP_S32;
    case 'u64': return a.be ? OP_GENERAL : OP_U64;
    case 'binary':
      if (a.struct) return OP_STRUCT;
      return a.subType ? OP_GENERAL : OP_BINARY;
    case 'nest': return a.nest ? OP_NEST : OP_BINARY;
    default: return OP_GENERAL;
  }
}

/** Attribute types a lazy decode defers (binary only when it is a struct). */
function deferrable(a: AttributeSchema): boolean {
  if (a.multi) return false;
  switch (a.type) {
    case 'nest': case 'indexed-array': case 'nest-type-value': case 'sub-message': return true;
    case 'binary': return a.struct !== undefined;
    default: return false;
  }
}

const plans = new WeakMap<AttributeSetSchema, SetPlan>();

/** The plan of `set` (built once). */
export function planOf(set: AttributeSetSchema): SetPlan {
  let plan = plans.get(set);
  if (plan) return plan;
  let size = 0;
  for (const a of set.attrs) size = Math.max(size, a.value + 1);
  const ops = new Uint8Array(size);
  const defer = new Uint8Array(size);
  const attrs: Array<AttributeSchema | undefined> = new Array<AttributeSchema | undefined>(size).fill(undefined);
  for (const a of set.attrs) {
    ops[a.value] = opOf(a);
    defer[a.value] = deferrable(a) ? 1 : 0;
    attrs[a.value] = a;
  }
  plan = { ops, attrs, deferrable: defer };
  plans.set(set, plan);
  return plan;
}

/**
 * Which attribute types of `set` an `only` list selects, as a byte per type.
 * Cached per list: callers that pass the same array pay once.
 */
export function selection(set: AttributeSetSchema, only: readonly string[]): Uint8Array {
  let bySet = selections.get(only);
  if (!bySet) {
    bySet = new WeakMap();
    selections.set(only, bySet);
  }
  let mask = bySet.get(set);
  if (mask) return mask;
  mask = new Uint8Array(planOf(set).ops.length);
  const keys = new Set(only);
  for (const a of set.attrs) if (keys.has(a.key)) mask[a.value] = 1;
  bySet.set(set, mask);
  return mask;
}

const selections = new WeakMap<readonly string[], WeakMap<AttributeSetSchema, Uint8Array>>();
