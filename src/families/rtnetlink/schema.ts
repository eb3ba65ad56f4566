// The rtnetlink schemas the typed operations use: the shipped rt-* specs (the
// rt-link one with the link kinds of src/families/specs/overlays/rt-link.yaml),
// compiled once. Nothing here is code about families; it is the compiled
// lookups.

import { compileFamily, type Family, type AttributeSetSchema, type MessageSchema, type FamilySpec } from '../../schema/index.js';
import { rtLink } from '../generated/rt_link.js';
import { rtAddr } from '../generated/rt_addr.js';
import { rtRoute } from '../generated/rt_route.js';
import { rtNeigh } from '../generated/rt_neigh.js';
import { rtRule } from '../generated/rt_rule.js';

/** One rtnetlink object kind: its family, fixed header, attribute set and messages. */
export interface RtSchema {
  family: Family;
  set: AttributeSetSchema;
  /** The request messages by operation: new, del, get. */
  newMessage: MessageSchema;
  delMessage: MessageSchema;
  getMessage: MessageSchema;
  /** Attribute number by spec name. */
  attr(name: string): number;
}

function rtSchema(spec: FamilySpec, setName: string, op: string): RtSchema {
  const family = compileFamily(spec);
  const set = family.set(setName);
  return {
    family, set,
    newMessage: family.message(`new${op}`, 'request'),
    delMessage: family.message(`del${op}`, 'request'),
    getMessage: family.message(`get${op}`, 'request'),
    attr(name) {
      const a = set.byName.get(name);
      if (!a) throw new Error(`${family.name}: no attribute ${name} in ${setName}`);
      return a.value;
    },
  };
}

let cache: Record<'link' | 'addr' | 'route' | 'neigh' | 'rule', RtSchema> | null = null;

/** The compiled schemas (on first use). */
export function rtSchemas(): Record<'link' | 'addr' | 'route' | 'neigh' | 'rule', RtSchema> {
  cache ??= {
    link: rtSchema(rtLink, 'link-attrs', 'link'),
    addr: rtSchema(rtAddr, 'addr-attrs', 'addr'),
    route: rtSchema(rtRoute, 'route-attrs', 'route'),
    neigh: rtSchema(rtNeigh, 'neigh-attrs', 'neigh'),
    rule: rtSchema(rtRule, 'rule-attrs', 'rule'),
  };
  return cache;
}
