// Finds the generated decoder of a compiled set or struct: only for schemas
// compiled from the very spec objects the decoders were generated from (a
// spec built elsewhere, even under the same family name, gets none and stays
// with the table-driven decoder). Hand-written.

import type { AttributeSetSchema, Family, StructSchema } from '../../schema/compile.js';
import { familyBinders } from './index.js';
import type { DirectSetDecoder, FamilyDecoders, SetDecoder, StructDecoder } from './runtime.js';

const families = new WeakMap<Family, FamilyDecoders | null>();
const sets = new WeakMap<AttributeSetSchema, SetDecoder | null>();
const directs = new WeakMap<AttributeSetSchema, DirectSetDecoder | null>();

function decodersOf(family: Family): FamilyDecoders | null {
  let found = families.get(family);
  if (found === undefined) {
    const bind = familyBinders.get(family.spec);
    found = bind ? bind(family) : null;
    families.set(family, found);
  }
  return found;
}

/** The generated decoder of `set`, or null. */
export function specializedSet(set: AttributeSetSchema): SetDecoder | null {
  let found = sets.get(set);
  if (found === undefined) {
    found = decodersOf(set.family)?.sets.get(set) ?? null;
    sets.set(set, found);
  }
  return found;
}

/** The generated direct decoder of `set` (reads the attribute bytes, not the index), or null. */
export function directSet(set: AttributeSetSchema): DirectSetDecoder | null {
  let found = directs.get(set);
  if (found === undefined) {
    found = decodersOf(set.family)?.direct.get(set) ?? null;
    directs.set(set, found);
  }
  return found;
}

/** The generated decoder of struct `struct` of `family`, or null. */
export function specializedStruct(family: Family, struct: StructSchema): StructDecoder | null {
  return decodersOf(family)?.structs.get(struct) ?? null;
}
