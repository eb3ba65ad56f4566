// The detail tree of one message: header fields by name, the family header,
// the attribute tree by name (nested), typed values, and for NLMSG_ERROR the
// echoed request and the extended ack. Every node carries the byte range it
// covers, relative to the message's first byte, for the hex pane.
//
//   NLMSG_ERROR
//   ┌──────────┬───────┬────────────────────────────┬───────────────────┐
//   │ nlmsghdr │ error │ original nlmsghdr [payload]│ NLMSGERR_ATTR_* … │
//   └──────────┴───────┴────────────────────────────┴───────────────────┘
//   0          16      20                           (capped: 36)

import {
  type AttributeList, type AttributeWalker, type Codec, type Scanner,
  NLA_HDRLEN, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSG_MIN_TYPE, NLM_F_ACK_TLVS, NLM_F_CAPPED, NETLINK_GENERIC,
  STATUS_BAD_NEST, STATUS_OK, NLMSGERR_ATTR_OFFS,
} from '../../../src/codec/index.js';
import type { AttributeSchema, AttributeSetSchema, StructSchema } from '../../../src/schema/compile.js';
import { flagNames } from '../shared/flags.js';
import { GENL_HEADER_BYTES, type Catalog, type MessageInfo } from './catalog.js';
import {
  formatByHint, formatErrno, formatInteger, formatString, guessValue, hexBytes, intBytes, readInteger,
} from './values.js';

export interface DetailNode {
  label: string;
  value?: string;
  /** Value type: 'u32', 'string', 'nest', 'struct', 'u32?' (guessed)... */
  type?: string;
  /** Attribute type number, for attribute nodes. */
  attr?: number;
  /** Spec name of the field ('ifname'), for summaries. */
  key?: string;
  /** Byte range [start, end) in the message. */
  start: number;
  end: number;
  children?: DetailNode[];
  error?: string;
}

export interface DecodedMessage {
  info: MessageInfo | null;
  tree: DetailNode[];
}

export interface DecodeOptions {
  catalog: Catalog;
  /** Offset of the message in the file, for error offsets. */
  fileOffset?: number;
  /** The request an NLMSG_ERROR answers, to resolve a capped extended ack's offset. */
  request?: Uint8Array;
  /** Only the top level of the attributes (summaries). */
  shallow?: boolean;
}

const align4 = (n: number) => (n + 3) & ~3;

/** Per codec: a scanner for the message bytes and walkers by nesting level (lists of outer levels stay valid). */
class Workspace {
  readonly scanner: Scanner;
  private readonly walkers: AttributeWalker[] = [];
  constructor(readonly codec: Codec) {
    this.scanner = codec.scanner();
  }
  walker(level: number): AttributeWalker {
    while (this.walkers.length <= level) this.walkers.push(this.codec.walker());
    return this.walkers[level]!;
  }
}

const workspaces = new WeakMap<Codec, Workspace>();

function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

class MessageDecoder {
  private region = 0;

  constructor(
    private readonly ws: Workspace,
    private readonly bytes: Uint8Array,
    private readonly protocol: number,
    private readonly options: DecodeOptions,
  ) {}

  decode(): DecodedMessage {
    const b = this.bytes;
    if (b.length < NLMSG_HDRLEN) {
      return { info: null, tree: [{ label: 'nlmsghdr', start: 0, end: b.length, error: `only ${b.length} bytes, fewer than the 16-byte header`, value: hexBytes(b) }] };
    }
    const batch = this.ws.scanner.scanBytes(b);
    this.region = batch.regionAddress;
    const type = u16(b, 4);
    const flags = u16(b, 6);
    const info = this.options.catalog.describe(this.protocol, type, flags, b.length > 16 ? b[16]! : -1);
    const length = Math.min(u32(b, 0), b.length);
    const tree: DetailNode[] = [this.header(0, info)];
    if (batch.count === 0 || batch.status(0) !== STATUS_OK) {
      const e = batch.count ? batch.error(0) : null;
      tree.push({ label: 'payload', start: 16, end: b.length, value: hexBytes(b.subarray(16)), error: e ? this.errorText(e) : 'not a complete message' });
      return { info, tree };
    }
    if (type === NLMSG_ERROR) tree.push(...this.errorBody(flags, length));
    else if (type === NLMSG_DONE) tree.push(...this.doneBody(flags, length));
    else if (type < NLMSG_MIN_TYPE) {
      if (length > 16) tree.push({ label: 'payload', start: 16, end: length, value: hexBytes(b.subarray(16, length)) });
    } else tree.push(...this.body(0, length, info));
    return { info, tree };
  }

  private errorText(e: { message: string; offset: number }): string {
    // Offsets in the codec's errors are relative to the message here; show them in the file.
    const base = this.options.fileOffset ?? 0;
    return e.message.replace(/datagram \d+/g, 'the datagram').replace(/\(at byte (\d+)\)$/, (_, n: string) => `(at byte ${base + Number(n)} of the file)`);
  }

  /** The nlmsghdr at `at`. */
  private header(at: number, info: MessageInfo | null): DetailNode {
    const b = this.bytes;
    const type = u16(b, at + 4);
    const flags = u16(b, at + 6);
    return {
      label: 'nlmsghdr', start: at, end: at + 16, type: 'struct',
      children: [
        { label: 'nlmsg_len', key: 'len', type: 'u32', value: String(u32(b, at)), start: at, end: at + 4 },
        { label: 'nlmsg_type', key: 'type', type: 'u16', value: info ? `${type} ${info.name}` : String(type), start: at + 4, end: at + 6 },
        { label: 'nlmsg_flags', key: 'flags', type: 'u16', value: `0x${flags.toString(16).padStart(4, '0')} ${flagNames(flags, info?.flagContext ?? 0).join(' ')}`.trim(), start: at + 6, end: at + 8 },
        { label: 'nlmsg_seq', key: 'seq', type: 'u32', value: String(u32(b, at + 8)), start: at + 8, end: at + 12 },
        { label: 'nlmsg_pid', key: 'pid', type: 'u32', value: String(u32(b, at + 12)), start: at + 12, end: at + 16 },
      ],
    };
  }

  /** Family header and attributes of a (non-control) message at [at, end). */
  private body(at: number, end: number, info: MessageInfo): DetailNode[] {
    const b = this.bytes;
    const nodes: DetailNode[] = [];
    let pos = at + NLMSG_HDRLEN;
    if (this.protocol === NETLINK_GENERIC && info.headerLength !== null) {
      if (pos + GENL_HEADER_BYTES > end) {
        nodes.push({ label: 'genlmsghdr', start: pos, end, error: 'the message ends inside its 4-byte genetlink header' });
        return nodes;
      }
      const cmd = b[pos]!;
      nodes.push({
        label: 'genlmsghdr', start: pos, end: pos + 4, type: 'struct',
        children: [
          { label: 'cmd', key: 'cmd', type: 'u8', value: info.schema ? `${cmd} ${info.name}` : String(cmd), start: pos, end: pos + 1 },
          { label: 'version', key: 'version', type: 'u8', value: String(b[pos + 1]), start: pos + 1, end: pos + 2 },
          { label: 'reserved', key: 'reserved', type: 'u16', value: String(u16(b, pos + 2)), start: pos + 2, end: pos + 4 },
        ],
      });
      pos += GENL_HEADER_BYTES;
    }
    if (info.headerLength === null) {
      if (end > pos) nodes.push({ label: 'payload', type: 'binary', start: pos, end, value: hexBytes(b.subarray(pos, end)) });
      return nodes;
    }
    const header = info.schema?.header;
    if (header) {
      const size = header.size;
      if (pos + size > end) {
        nodes.push({ label: header.name, type: 'struct', start: pos, end, error: `the message ends inside its ${size}-byte ${header.name}`, children: this.struct(header, pos, end - pos) });
        return nodes;
      }
      nodes.push({ label: header.name, type: 'struct', start: pos, end: pos + size, children: this.struct(header, pos, size) });
    }
    const attrStart = align4(at + NLMSG_HDRLEN + info.headerLength);
    if (attrStart < end) nodes.push(...this.attributes(attrStart, end, info.schema?.set ?? null, 0));
    return nodes;
  }

  private errorBody(flags: number, length: number): DetailNode[] {
    const b = this.bytes;
    const code = u32(b, 16) | 0;
    const nodes: DetailNode[] = [{ label: 'error', key: 'error', type: 's32', value: formatErrno(code), start: 16, end: 20 }];
    if (length < 36) return nodes;
    const capped = (flags & NLM_F_CAPPED) !== 0;
    const echoLength = u32(b, 20);
    const echoType = u16(b, 24);
    const echoFlags = u16(b, 26);
    const echoInfo = this.options.catalog.describe(this.protocol, echoType, echoFlags, !capped && echoLength > 16 && length > 36 ? b[36]! : -1);
    const echoEnd = capped ? 36 : Math.min(20 + echoLength, length);
    const original: DetailNode = {
      label: 'original message', type: 'nlmsghdr', value: `${echoInfo.name} seq ${u32(b, 28)}${capped ? ' (capped)' : ''}`,
      start: 20, end: Math.max(36, echoEnd), children: [this.header(20, echoInfo)],
    };
    if (!capped && echoLength > 16 && echoType >= NLMSG_MIN_TYPE && echoEnd > 36) {
      original.children!.push(...this.body(20, echoEnd, echoInfo));
    }
    nodes.push(original);
    if (flags & NLM_F_ACK_TLVS) {
      const tlvStart = align4(capped ? 36 : 20 + echoLength);
      if (tlvStart < length) nodes.push(this.extack(tlvStart, length, capped ? null : original));
    }
    return nodes;
  }

  private doneBody(flags: number, length: number): DetailNode[] {
    if (length < 20) return [];
    const code = u32(this.bytes, 16) | 0;
    const nodes: DetailNode[] = [{ label: 'error', key: 'error', type: 's32', value: formatErrno(code, 'complete'), start: 16, end: 20 }];
    if (flags & NLM_F_ACK_TLVS && length > 20) nodes.push(this.extack(20, length, null));
    return nodes;
  }

  private extack(start: number, end: number, original: DetailNode | null): DetailNode {
    const family = this.options.catalog.errorFamily;
    const children = this.attributes(start, end, family.set('ext-ack-attrs'), 0);
    const node: DetailNode = { label: 'extended ack', type: 'nest', start, end, children };
    const offs = children.find((c) => c.attr === NLMSGERR_ATTR_OFFS && c.value !== undefined);
    if (offs) {
      const target = Number(offs.value!.split(' ')[0]);
      const inEcho = original ? findAttribute(original.children ?? [], 20 + target) : null;
      if (inEcho) {
        children.push({ label: 'offending attribute', type: 'path', value: inEcho.path.join(' › '), start: inEcho.node.start, end: inEcho.node.end });
      } else if (this.options.request) {
        const req = new MessageDecoder(this.ws, this.options.request, this.protocol, { catalog: this.options.catalog }).decode();
        const found = findAttribute(req.tree, target);
        // The request was decoded with the same scanner: take this message back.
        this.region = this.ws.scanner.scanBytes(this.bytes).regionAddress;
        if (found) children.push({ label: 'offending attribute', type: 'path', value: `${found.path.join(' › ')} (in the request)`, start: offs.start, end: offs.end });
      }
    }
    return node;
  }

  private struct(struct: StructSchema, at: number, length: number): DetailNode[] {
    const b = this.bytes;
    const p = b.subarray(at, at + length);
    const nodes: DetailNode[] = [];
    for (const m of struct.members) {
      if (m.rest) {
        if (length > m.offset) nodes.push({ label: m.name, key: m.name, type: 'binary', start: at + m.offset, end: at + length, value: hexBytes(p.subarray(m.offset)) });
        break;
      }
      if (m.offset + m.size > length) {
        nodes.push({ label: m.name, key: m.name, start: at + Math.min(m.offset, length), end: at + length, error: `missing: the struct has ${length} of ${struct.size} bytes` });
        break;
      }
      if (m.type === 'pad') continue;
      const node: DetailNode = { label: m.name, key: m.name, type: m.type, start: at + m.offset, end: at + m.offset + m.size };
      const slice = p.subarray(m.offset, m.offset + m.size);
      if (m.type === 'string') node.value = formatString(slice);
      else if (m.type === 'binary') {
        if (m.struct) node.children = this.struct(m.struct, at + m.offset, m.size);
        else node.value = formatByHint(slice, m.hint) ?? hexBytes(slice);
      } else {
        const v = readInteger(p, m.offset, m.type, m.be);
        node.value = v === null ? '?' : formatInteger(v, m.enum, m.asFlags, m.hint);
      }
      nodes.push(node);
    }
    return nodes;
  }

  /** Walks [start, end) as attributes of `set` (null: unknown, NLA_F_NESTED only). */
  private attributes(start: number, end: number, set: AttributeSetSchema | null, level: number): DetailNode[] {
    if (level > 12) return [{ label: 'attributes', start, end, error: 'nested too deep to show' }];
    const options = set ? { nestMap: set.family.nestMap, rootSet: set.index, descend: !this.options.shallow } : { descend: !this.options.shallow };
    const list = this.ws.walker(level).walk(this.region, start, end, options);
    return this.level(list, 0, list.count, set, level);
  }

  private level(list: AttributeList, from: number, to: number, set: AttributeSetSchema | null, level: number): DetailNode[] {
    const nodes: DetailNode[] = [];
    for (let j = from; j < to; j = list.next(j)) nodes.push(this.attribute(list, j, from, to, set, level));
    return nodes;
  }

  private attribute(list: AttributeList, j: number, from: number, to: number, set: AttributeSetSchema | null, level: number): DetailNode {
    const type = list.type(j);
    const a = set?.byValue.get(type);
    const start = list.offset(j);
    const end = start + list.length(j);
    const node: DetailNode = { label: a ? a.cName : `attr ${type}`, attr: type, start, end };
    if (a) node.key = a.name;
    const status = list.status(j);
    if (status !== STATUS_OK && status !== STATUS_BAD_NEST) {
      node.error = this.errorText(list.error(j)!);
      node.value = hexBytes(this.bytes.subarray(start, end));
      return node;
    }
    if (status === STATUS_BAD_NEST) node.error = this.errorText(list.error(j)!);
    const p = this.bytes.subarray(start + NLA_HDRLEN, end);
    const hasChildren = list.next(j) > j + 1;
    if (!a) {
      if (hasChildren || list.flaggedNested(j)) {
        node.type = 'nest';
        node.children = hasChildren ? this.level(list, j + 1, list.next(j), null, level) : [];
      } else {
        const g = guessValue(p);
        node.type = g.type;
        node.value = g.value;
      }
      return node;
    }
    node.type = a.type;
    switch (a.type) {
      case 'nest':
        if (this.options.shallow) {
          node.value = '{…}';
          break;
        }
        node.children = hasChildren ? this.level(list, j + 1, list.next(j), a.nest ?? null, level)
          : p.length && status === STATUS_OK ? this.attributes(start + NLA_HDRLEN, end, a.nest ?? null, level + 1) : [];
        break;
      case 'indexed-array':
      case 'nest-type-value':
        node.children = [];
        for (let k = j + 1; k < list.next(j); k = list.next(k)) node.children.push(this.element(list, k, a, level));
        break;
      case 'sub-message':
        this.subMessage(node, a, list, from, to, start + NLA_HDRLEN, end, level);
        break;
      default:
        this.scalar(node, a, p, start + NLA_HDRLEN);
    }
    return node;
  }

  private element(list: AttributeList, k: number, a: AttributeSchema, level: number): DetailNode {
    const start = list.offset(k);
    const end = start + list.length(k);
    const node: DetailNode = { label: `[${list.type(k)}]`, attr: list.type(k), start, end, type: a.subType ?? 'nest' };
    if (list.next(k) > k + 1 || a.subType === 'nest' || a.type === 'nest-type-value') {
      node.children = this.level(list, k + 1, list.next(k), a.nest ?? null, level);
    } else {
      const p = this.bytes.subarray(start + NLA_HDRLEN, end);
      const size = intBytes(a.subType ?? '');
      const v = size !== undefined && p.length === size ? readInteger(p, 0, a.subType!) : null;
      node.value = v !== null ? String(v) : hexBytes(p);
    }
    return node;
  }

  private subMessage(node: DetailNode, a: AttributeSchema, list: AttributeList, from: number, to: number, start: number, end: number, level: number): void {
    let selector: string | undefined;
    for (let k = from; k < to; k = list.next(k)) {
      const s = a.owner.byValue.get(list.type(k));
      if (s && s.name === a.selector) {
        const p = this.bytes.subarray(list.offset(k) + NLA_HDRLEN, list.offset(k) + list.length(k));
        selector = s.type === 'string' ? JSON.parse(formatString(p)) as string : String(readInteger(p, 0, s.type) ?? '');
        if (s.enum && s.type !== 'string') selector = s.enum.byValue.get(Number(selector)) ?? selector;
      }
    }
    const format = selector === undefined ? undefined : a.subMessage?.formats.get(selector);
    if (!format) {
      node.value = `${hexBytes(this.bytes.subarray(start, end))}${selector === undefined ? '' : ` (no format for ${selector})`}`;
      return;
    }
    node.value = selector;
    node.children = [];
    let pos = start;
    if (format.header) {
      const size = Math.min(format.header.size, end - start);
      node.children.push({ label: format.header.name, type: 'struct', start, end: start + size, children: this.struct(format.header, start, size) });
      pos = align4(start + format.header.size);
    }
    if (format.set && pos < end && !this.options.shallow) node.children.push(...this.attributes(pos, end, format.set, level + 1));
  }

  private scalar(node: DetailNode, a: AttributeSchema, p: Uint8Array, at: number): void {
    const type = a.type;
    const size = intBytes(type);
    if (size !== undefined) {
      if (p.length < size) {
        node.error = `a ${type} needs ${size} bytes, the payload has ${p.length}`;
        node.value = hexBytes(p);
        return;
      }
      node.value = formatInteger(readInteger(p, 0, type, a.be)!, a.enum, a.asFlags, a.hint);
      return;
    }
    switch (type) {
      case 'uint':
      case 'sint': {
        const t = p.length === 8 ? (type === 'uint' ? 'u64' : 's64') : p.length === 4 ? (type === 'uint' ? 'u32' : 's32') : null;
        if (!t) {
          node.error = `a ${type} has 4 or 8 bytes, the payload has ${p.length}`;
          node.value = hexBytes(p);
        } else node.value = formatInteger(readInteger(p, 0, t, a.be)!, a.enum, a.asFlags, a.hint);
        return;
      }
      case 'flag':
        node.value = 'true';
        return;
      case 'string':
        node.value = formatString(p);
        return;
      case 'bitfield32': {
        if (p.length < 8) {
          node.error = `a bitfield32 needs 8 bytes, the payload has ${p.length}`;
          return;
        }
        node.value = `value ${formatInteger(readInteger(p, 0, 'u32')!, a.enum, true)} selector 0x${(readInteger(p, 4, 'u32') as number).toString(16)}`;
        return;
      }
      case 'pad':
      case 'unused':
        node.value = `${p.length} bytes`;
        return;
      default: {
        // binary: a struct, a C array of integers, an address by hint, or hex
        if (a.struct) {
          node.type = 'struct';
          node.children = this.struct(a.struct, at, p.length);
          if (p.length < a.struct.size) node.error = `${a.struct.name} has ${a.struct.size} bytes, the payload ${p.length}`;
          return;
        }
        const size = intBytes(a.subType ?? '');
        if (size !== undefined && p.length % size === 0 && p.length > 0) {
          const values: string[] = [];
          for (let i = 0; i < p.length && values.length < 16; i += size) values.push(String(readInteger(p, i, a.subType!, a.be)));
          node.value = `[${values.join(', ')}${p.length / size > 16 ? ', …' : ''}]`;
          return;
        }
        node.value = formatByHint(p, a.hint) ?? hexBytes(p);
      }
    }
  }
}

/** The attribute node starting at `start`, with the labels of its path. */
export function findAttribute(nodes: readonly DetailNode[], start: number, path: string[] = []): { node: DetailNode; path: string[] } | null {
  for (const n of nodes) {
    const here = n.attr !== undefined ? [...path, n.label] : path;
    if (n.attr !== undefined && n.start === start) return { node: n, path: here };
    if (n.children && n.start <= start && start < n.end) {
      const found = findAttribute(n.children, start, here);
      if (found) return found;
    }
  }
  return null;
}

/** Decodes one message (header included) of `protocol`. */
export function decodeMessage(codec: Codec, bytes: Uint8Array, protocol: number, options: DecodeOptions): DecodedMessage {
  let ws = workspaces.get(codec);
  if (!ws) workspaces.set(codec, (ws = new Workspace(codec)));
  return new MessageDecoder(ws, bytes, protocol, options).decode();
}
