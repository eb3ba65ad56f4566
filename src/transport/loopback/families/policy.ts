// A small attribute policy check for the emulated families, failing the way
// the kernel's nla_parse does: ERANGE with "Attribute failed policy
// validation", the attribute's offset and the policy in the extended ACK.
//
// Attributes are walked one level at a time (no automatic descent), since
// some nests (a veth peer) start with a family header, not attributes.

import type { AttributeList, AttributeWalker } from '../../../codec/attributes.js';
import { NLA_HDRLEN, STATUS_OK } from '../../../codec/constants.js';
import { NetlinkError } from '../../../codec/errors.js';
import { NL_ATTR_TYPE_BINARY, NL_ATTR_TYPE_NESTED, NL_ATTR_TYPE_STRING, NL_ATTR_TYPE_U32, NL_ATTR_TYPE_U8 } from './constants.js';

const EINVAL = 22;
const ERANGE = 34;

export type AttributeKind = 'u8' | 'u32' | 'string' | 'binary' | 'nested';

export interface AttributeRule {
  kind: AttributeKind;
  /** Longest string (without its NUL) or binary payload. */
  maxLength?: number;
}

export type Policy = Readonly<Record<number, AttributeRule>>;

const NL_TYPES: Record<AttributeKind, number> = {
  u8: NL_ATTR_TYPE_U8, u32: NL_ATTR_TYPE_U32, string: NL_ATTR_TYPE_STRING, binary: NL_ATTR_TYPE_BINARY, nested: NL_ATTR_TYPE_NESTED,
};
const MIN_LENGTH: Record<AttributeKind, number> = { u8: 1, u32: 4, string: 0, binary: 0, nested: 0 };

/** Top-level attribute index by type (the last one wins, as nla_parse keeps it), after checking `policy`. */
export type ParsedAttributes = Map<number, number>;

/**
 * Validates the entries of one level of `list` (children of `parent`, -1 for
 * the top) against `policy` and returns type → entry index. `base` is added
 * to list offsets to make them offsets into the request message.
 */
export function parseLevel(list: AttributeList, policy: Policy, base = 0, parent = -1): ParsedAttributes {
  const found: ParsedAttributes = new Map();
  const end = parent < 0 ? list.count : list.next(parent);
  for (let j = parent + 1; j < end; j = list.next(j)) {
    if (list.status(j) !== STATUS_OK) {
      throw new NetlinkError(EINVAL, { operation: 'request', extack: { message: 'Malformed attribute', offset: list.offset(j) + base } });
    }
    const rule = policy[list.type(j)];
    if (rule) {
      const payload = list.payloadLength(j);
      let length = payload;
      if (rule.kind === 'string' && payload > 0 && list.view(j)[payload - 1] === 0) length--;
      if (payload < MIN_LENGTH[rule.kind] || (rule.maxLength !== undefined && length > rule.maxLength)) {
        const policyInfo: Record<string, number> = { type: NL_TYPES[rule.kind] };
        if (rule.maxLength !== undefined) policyInfo.maxLength = rule.maxLength;
        throw new NetlinkError(ERANGE, {
          operation: 'request',
          extack: { message: 'Attribute failed policy validation', offset: list.offset(j) + base, policy: policyInfo },
        });
      }
    }
    found.set(list.type(j), j);
  }
  return found;
}

/** Walks the payload of entry j of `list` as attributes (after `header` bytes), one level, with `walker`. */
export function walkPayload(walker: AttributeWalker, list: AttributeList, j: number, header = 0): AttributeList {
  const start = list.offset(j) + NLA_HDRLEN + header;
  const end = list.offset(j) + list.length(j);
  if (start > end) {
    throw new NetlinkError(EINVAL, { operation: 'request', extack: { message: 'Nested attribute is too short for its header', offset: list.offset(j) } });
  }
  return walker.walk(list.regionAddress, start, end, { descend: false });
}
