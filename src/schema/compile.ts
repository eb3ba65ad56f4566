// Turns a FamilySpec (plain data) into linked lookup tables: attribute sets
// indexed by value and by key, structs with member offsets, enums both ways,
// messages by (value, direction), and the codec NestMap of the family.
// Compiling is done once per spec (memoised) and takes no bytes of input.

import { NestMap, type NestSpec } from '../codec/nest-map.js';
import { ArgumentError } from '../codec/errors.js';
import type {
  AttrType, DisplayHint, MessageDirection, FamilySpec, MemberType, Protocol,
} from './types.js';
import { cNameOf, keyOf } from './names.js';

export class EnumSchema {
  readonly byName = new Map<string, number>();
  readonly byValue = new Map<number, string>();
  /** [name, value] in spec order. */
  readonly entries: ReadonlyArray<readonly [string, number]>;
  /** The largest mask an entry has when used as flags. */
  readonly maxMask: number;
  /**
   * Flag names and masks in spec order, as parallel arrays, for splitting a
   * 32-bit value without a bigint (nonzero masks only).
   */
  readonly flagNames: readonly string[];
  readonly flagMasks: readonly number[];
  /** Recently split flag values → their name lists (callers get copies). */
  readonly splitCache = new Map<number, ReadonlyArray<string | number>>();

  constructor(readonly name: string, readonly flags: boolean, entries: Record<string, number>) {
    this.entries = Object.entries(entries);
    for (const [n, v] of this.entries) {
      this.byName.set(n, v);
      if (!this.byValue.has(v)) this.byValue.set(v, n);
    }
    this.maxMask = this.entries.reduce((max, [, v]) => Math.max(max, this.mask(v)), 0);
    const names: string[] = [];
    const masks: number[] = [];
    for (const [n, v] of this.entries) {
      const mask = this.mask(v);
      if (mask !== 0 && mask <= 0xffffffff) {
        names.push(n);
        masks.push(mask);
      }
    }
    this.flagNames = names;
    this.flagMasks = masks;
  }

  /** The bit mask of an entry when the enum is used as flags (flags: its value; enum: 1 << value). */
  mask(value: number): number {
    return this.flags ? value : 2 ** value;
  }
}

export interface MemberSchema {
  name: string;
  key: string;
  type: MemberType;
  offset: number;
  /** Bytes; 0 for a trailing member that takes the rest. */
  size: number;
  be: boolean;
  enum?: EnumSchema;
  asFlags: boolean;
  struct?: StructSchema;
  subMessage?: SubMessageSchema;
  selector?: string;
  hint?: DisplayHint;
  /** Takes the rest of the payload. */
  rest: boolean;
}

export class StructSchema {
  members: MemberSchema[] = [];
  /** Bytes of the fixed part (everything but a trailing rest member). */
  size = 0;
  hasRest = false;
  constructor(readonly name: string) {}
}

export interface SubMessageFormat {
  header?: StructSchema;
  set?: AttributeSetSchema;
}

export class SubMessageSchema {
  readonly formats = new Map<string, SubMessageFormat>();
  constructor(readonly name: string) {}
}

export interface AttributeSchema {
  value: number;
  name: string;
  key: string;
  cName: string;
  type: AttrType;
  owner: AttributeSetSchema;
  nest?: AttributeSetSchema;
  multi: boolean;
  enum?: EnumSchema;
  asFlags: boolean;
  be: boolean;
  struct?: StructSchema;
  subType?: AttrType;
  subMessage?: SubMessageSchema;
  selector?: string;
  selectorKey?: string;
  typeValue?: string[];
  hint?: DisplayHint;
  maxLen?: number;
  minLen?: number;
  exactLen?: number;
}

export class AttributeSetSchema {
  readonly attrs: AttributeSchema[] = [];
  readonly byValue = new Map<number, AttributeSchema>();
  readonly byKey = new Map<string, AttributeSchema>();
  readonly byName = new Map<string, AttributeSchema>();
  /** Attributes in value order: the order encode writes them in. */
  ordered: AttributeSchema[] = [];
  constructor(readonly family: Family, readonly name: string, readonly index: number, readonly prefix: string | undefined, readonly subsetOf: string | undefined) {}
}

export interface MessageSchema {
  family: Family;
  name: string;
  /** C constant: RTM_NEWLINK, ETHTOOL_MSG_LINKINFO_GET... */
  cName: string;
  op: string;
  value: number;
  dir: MessageDirection;
  kind: 'do' | 'dump' | 'notify' | 'event';
  header?: StructSchema;
  set?: AttributeSetSchema;
  mcgrp?: string;
  match?: number[];
  /** Bytes after nlmsghdr before the attributes (genlmsghdr included), before alignment. */
  headerLength: number;
}

const INT_SIZES: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

export function intSize(type: string): number | undefined {
  return INT_SIZES[type];
}

/** Size of struct genlmsghdr { u8 cmd; u8 version; u16 reserved; }. */
export const GENL_HDRLEN = 4;

export class Family {
  readonly name: string;
  readonly protocol: Protocol;
  readonly protonum: number;
  readonly genetlink: boolean;
  readonly version: number;
  readonly enums = new Map<string, EnumSchema>();
  readonly structs = new Map<string, StructSchema>();
  readonly sets = new Map<string, AttributeSetSchema>();
  readonly subMessages = new Map<string, SubMessageSchema>();
  readonly messages: MessageSchema[] = [];
  private readonly byValue = { request: new Map<number, MessageSchema[]>(), reply: new Map<number, MessageSchema[]>() };
  private readonly byName = new Map<string, MessageSchema[]>();
  private nestMapCache: NestMap | null = null;

  constructor(readonly spec: FamilySpec) {
    this.name = spec.name;
    this.protocol = spec.protocol;
    this.protonum = spec.protonum;
    this.genetlink = spec.protocol !== 'netlink-raw';
    this.version = spec.version ?? 1;
    const where = (what: string) => `family ${spec.name}: ${what}`;

    for (const [name, e] of Object.entries(spec.enums)) this.enums.set(name, new EnumSchema(name, e.flags === true, e.entries));
    for (const name of Object.keys(spec.structs)) this.structs.set(name, new StructSchema(name));
    for (const name of Object.keys(spec.subMessages)) this.subMessages.set(name, new SubMessageSchema(name));
    let index = 0;
    for (const [name, s] of Object.entries(spec.sets)) this.sets.set(name, new AttributeSetSchema(this, name, index++, s.prefix, s.subsetOf));

    const need = <T>(table: Map<string, T>, name: string | undefined, what: string): T | undefined => {
      if (name === undefined) return undefined;
      const found = table.get(name);
      if (!found) throw new ArgumentError(where(`${what} refers to unknown ${name}`));
      return found;
    };

    // Structs: offsets in declaration order, packed (the specs spell out padding).
    const sized = new Set<string>();
    const layout = (name: string, stack: string[]): StructSchema => {
      const struct = this.structs.get(name)!;
      if (sized.has(name)) return struct;
      if (stack.includes(name)) throw new ArgumentError(where(`struct ${name} contains itself`));
      let offset = 0;
      const members = spec.structs[name]!.members;
      members.forEach(([mname, type, o], i) => {
        const inner = o?.struct ? layout(o.struct, [...stack, name]) : undefined;
        if (o?.struct) need(this.structs, o.struct, `${name}.${mname}`);
        let size = INT_SIZES[type] ?? o?.len ?? inner?.size;
        const rest = size === undefined;
        if (rest && (type !== 'binary' || i !== members.length - 1)) {
          throw new ArgumentError(where(`struct ${name} member ${mname} has no length and is not the last binary member`));
        }
        size ??= 0;
        const m: MemberSchema = {
          name: mname, key: keyOf(mname), type, offset, size, be: o?.be === true,
          asFlags: o?.flags === true, rest,
        };
        const en = need(this.enums, o?.enum, `${name}.${mname}`);
        if (en) m.enum = en;
        if (inner) m.struct = inner;
        const sm = need(this.subMessages, o?.subMessage, `${name}.${mname}`);
        if (sm) { m.subMessage = sm; m.selector = o!.selector!; }
        if (o?.hint) m.hint = o.hint;
        struct.members.push(m);
        offset += size;
      });
      struct.size = offset;
      struct.hasRest = struct.members.some((m) => m.rest);
      sized.add(name);
      return struct;
    };
    for (const name of this.structs.keys()) layout(name, []);

    for (const [name, s] of Object.entries(spec.sets)) {
      const set = this.sets.get(name)!;
      for (const [value, aname, type, o] of s.attrs) {
        const a: AttributeSchema = {
          value, name: aname, key: keyOf(aname), cName: cNameOf(set.prefix, aname), type, owner: set,
          multi: o?.multi === true, asFlags: o?.flags === true, be: o?.be === true,
        };
        const nest = need(this.sets, o?.nest, `${name}.${aname}`);
        if (nest) a.nest = nest;
        const en = need(this.enums, o?.enum, `${name}.${aname}`);
        if (en) a.enum = en;
        const st = need(this.structs, o?.struct, `${name}.${aname}`);
        if (st) a.struct = st;
        if (o?.subType) a.subType = o.subType;
        const sm = need(this.subMessages, o?.subMessage, `${name}.${aname}`);
        if (sm) {
          a.subMessage = sm;
          a.selector = o!.selector!;
          a.selectorKey = keyOf(o!.selector!);
        }
        if (o?.typeValue) a.typeValue = o.typeValue;
        if (o?.hint) a.hint = o.hint;
        if (o?.maxLen !== undefined) a.maxLen = o.maxLen;
        if (o?.minLen !== undefined) a.minLen = o.minLen;
        if (o?.exactLen !== undefined) a.exactLen = o.exactLen;
        if (set.byKey.has(a.key)) throw new ArgumentError(where(`set ${name} has two attributes with key ${a.key}`));
        set.attrs.push(a);
        set.byValue.set(value, a);
        set.byKey.set(a.key, a);
        set.byName.set(aname, a);
      }
      set.ordered = [...set.attrs].sort((x, y) => x.value - y.value);
    }

    for (const [name, formats] of Object.entries(spec.subMessages)) {
      const sm = this.subMessages.get(name)!;
      for (const [selector, f] of Object.entries(formats)) {
        const format: SubMessageFormat = {};
        const header = need(this.structs, f.header, `sub-message ${name}`);
        if (header) format.header = header;
        const set = need(this.sets, f.set, `sub-message ${name}`);
        if (set) format.set = set;
        sm.formats.set(selector, format);
      }
    }

    for (const m of spec.messages) {
      const header = need(this.structs, m.header, `message ${m.name}`);
      const set = need(this.sets, m.set, `message ${m.name}`);
      const cName = cNameOf(spec.opPrefix, m.name);
      const schema: MessageSchema = {
        family: this, name: m.name, cName, op: m.op, value: m.value, dir: m.dir, kind: m.kind,
        headerLength: (this.genetlink ? GENL_HDRLEN : 0) + (header?.size ?? 0),
      };
      if (header) schema.header = header;
      if (set) schema.set = set;
      if (m.mcgrp) schema.mcgrp = m.mcgrp;
      if (m.match) schema.match = m.match;
      this.messages.push(schema);
      const list = this.byValue[m.dir].get(m.value) ?? [];
      list.push(schema);
      this.byValue[m.dir].set(m.value, list);
      const named = this.byName.get(m.name) ?? [];
      named.push(schema);
      this.byName.set(m.name, named);
    }
  }

  /** The attribute set called `name`. */
  set(name: string): AttributeSetSchema {
    const set = this.sets.get(name);
    if (!set) throw new ArgumentError(`family ${this.name} has no attribute set ${name}`);
    return set;
  }

  struct(name: string): StructSchema {
    const struct = this.structs.get(name);
    if (!struct) throw new ArgumentError(`family ${this.name} has no struct ${name}`);
    return struct;
  }

  /**
   * The messages with this value going this way (several when a header
   * member selects among them, as in sock_diag).
   */
  messagesByValue(value: number, dir: MessageDirection): readonly MessageSchema[] {
    return this.byValue[dir].get(value) ?? [];
  }

  /** A message by name ('newlink', 'getfamily-reply'), preferring `dir` when a name goes both ways. */
  message(name: string, dir?: MessageDirection): MessageSchema {
    const list = this.byName.get(name);
    const found = list?.find((m) => dir === undefined || m.dir === dir) ?? (dir === undefined ? undefined : list?.[0]);
    if (!found) throw new ArgumentError(`family ${this.name} has no message ${name}${dir ? ` (${dir})` : ''}`);
    return found;
  }

  /**
   * The codec nest map of this family: set s of the map is attribute set
   * index s, plus one empty set for indexed arrays of plain elements.
   * Sub-messages are leaves here (their layout depends on a selector); the
   * decoder walks them itself.
   */
  get nestMap(): NestMap {
    if (this.nestMapCache) return this.nestMapCache;
    const sets = [...this.sets.values()];
    const leafSet = sets.length;
    const maps: Map<number, NestSpec>[] = sets.map((set) => {
      const map = new Map<number, NestSpec>();
      for (const a of set.attrs) {
        if (a.type === 'nest' && a.nest) map.set(a.value, { set: a.nest.index });
        else if (a.type === 'indexed-array') {
          map.set(a.value, a.subType === 'nest' && a.nest ? { set: a.nest.index, array: true } : { set: leafSet });
        } else if (a.type === 'nest-type-value' && a.nest && a.typeValue?.length === 1) {
          map.set(a.value, { set: a.nest.index, array: true });
        }
      }
      return map;
    });
    maps.push(new Map());
    this.nestMapCache = new NestMap(maps);
    return this.nestMapCache;
  }
}

const compiled = new WeakMap<FamilySpec, Family>();

/** The compiled form of a spec (compiled once, then cached). */
export function compileFamily(spec: FamilySpec): Family {
  let family = compiled.get(spec);
  if (!family) {
    family = new Family(spec);
    compiled.set(spec, family);
  }
  return family;
}
