// Filter expressions for `nlkit decode --filter` (the language is documented
// in docs/json-decode.md):
//
//   expr  := or
//   or    := and ( 'or' and )*
//   and   := not ( ['and'] not )*          two terms side by side mean 'and'
//   not   := 'not' not | '(' expr ')' | term
//   term  := FIELD OP VALUE | KEYWORD
//   OP    := '=' | '!=' | '<' | '<=' | '>' | '>='   (order only for numbers)
//
//   proto=route  family=rt-link  type=RTM_NEWLINK  type=RTM_*ADDR  seq=5  port=1234
//   errors  requests  replies  (type=RTM_NEWLINK or type=NLMSG_ERROR) and not dir=in
//
// A filter is parsed once into a tree of closures over a reused subject.

import { ArgumentError, errnoName } from '../../codec/index.js';
import { protocolName } from '../protocols.js';
import { flagNames } from './flags.js';

/** What a filter looks at: one message (or problem record), filled in place by the caller. */
export interface FilterSubject {
  /** True for a record that carries no message (a problem record). */
  problem: boolean;
  n: number;
  record: number;
  protocol: number;
  family: string;
  /** Message name: RTM_NEWLINK, NLMSG_ERROR, CTRL_CMD_GETFAMILY, 'type 0x0024'. */
  type: string;
  /** The schema's operation name when one is known ('newlink'), else ''. */
  op: string;
  typeNumber: number;
  flags: number;
  flagContext: number;
  seq: number;
  pid: number;
  port: number;
  len: number;
  dir: 'in' | 'out';
  /** Error code of NLMSG_ERROR / NLMSG_DONE (negative errno, 0 = ack), else 0. */
  errno: number;
  /** Broken message, problem record, or error reply. */
  failed: boolean;
  /** Whether the message's attributes are broken: a walk, so asked only by filters that need it. */
  badAttributes(): boolean;
  /** The request this answers (message number), 0 when none. */
  request: number;
}

export function emptySubject(): FilterSubject {
  return {
    problem: false, n: 0, record: 0, protocol: -1, family: '', type: '', op: '', typeNumber: 0, flags: 0, flagContext: 0,
    seq: 0, pid: 0, port: 0, len: 0, dir: 'in', errno: 0, failed: false, request: 0, badAttributes: () => false,
  };
}

export type FilterPredicate = (s: FilterSubject) => boolean;

type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';

const NUMERIC_FIELDS = ['n', 'record', 'seq', 'pid', 'port', 'len'] as const;
const FIELDS = [...NUMERIC_FIELDS, 'proto', 'family', 'type', 'dir', 'flag', 'errno'] as const;
type Field = (typeof FIELDS)[number];

const KEYWORDS: Record<string, FilterPredicate> = {
  errors: (s) => s.failed || (!s.problem && s.badAttributes()),
  problems: (s) => s.problem,
  requests: (s) => !s.problem && (s.flags & 1) !== 0,
  replies: (s) => s.request !== 0,
  acks: (s) => !s.problem && s.typeNumber === 2 && s.errno === 0,
  unpaired: (s) => !s.problem && (s.flags & 1) === 0 && s.request === 0,
};

const TOKEN = /\s*(\(|\)|[A-Za-z_][\w-]*\s*(?:!=|<=|>=|=|<|>)\s*(?:"[^"]*"|[^\s()]+)|[^\s()]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  for (;;) {
    const at = TOKEN.lastIndex;
    if (/^\s*$/.test(text.slice(at))) return tokens;
    const m = TOKEN.exec(text);
    if (!m) throw new ArgumentError(`filter: cannot read '${text.slice(at).trim()}'`);
    tokens.push(m[1]!);
  }
}

function glob(pattern: string): (text: string) => boolean {
  const lower = pattern.toLowerCase();
  if (!lower.includes('*')) return (t) => t.toLowerCase() === lower;
  const re = new RegExp(`^${lower.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return (t) => re.test(t);
}

function parseNumber(field: string, value: string): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) throw new ArgumentError(`filter: ${field} needs a number, got '${value}'`);
  return n;
}

function compare(op: Op, a: number, b: number): boolean {
  switch (op) {
    case '=': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    default: return a >= b;
  }
}

function term(field: Field, op: Op, raw: string): FilterPredicate {
  const value = raw.startsWith('"') ? raw.slice(1, -1) : raw;
  if ((NUMERIC_FIELDS as readonly string[]).includes(field)) {
    const n = parseNumber(field, value);
    const key = field as (typeof NUMERIC_FIELDS)[number];
    return (s) => !s.problem || key === 'record' ? compare(op, s[key], n) : false;
  }
  if (op !== '=' && op !== '!=') throw new ArgumentError(`filter: ${field} takes = or !=, not ${op}`);
  const positive = termEquals(field, value);
  return op === '=' ? positive : (s) => !positive(s);
}

function termEquals(field: Field, value: string): FilterPredicate {
  switch (field) {
    case 'proto': {
      if (/^\d+$/.test(value)) {
        const n = Number(value);
        return (s) => s.protocol === n;
      }
      const match = glob(value.replace(/-/g, '_'));
      return (s) => s.protocol >= 0 && match(protocolName(s.protocol));
    }
    case 'family': {
      const match = glob(value);
      return (s) => !s.problem && match(s.family);
    }
    case 'type': {
      if (/^(0x[0-9a-f]+|\d+)$/i.test(value)) {
        const n = Number(value);
        return (s) => !s.problem && s.typeNumber === n;
      }
      const match = glob(value);
      return (s) => !s.problem && (match(s.type) || (s.op !== '' && match(s.op)));
    }
    case 'dir':
      if (value !== 'in' && value !== 'out') throw new ArgumentError(`filter: dir is 'in' or 'out', not '${value}'`);
      return (s) => !s.problem && s.dir === value;
    case 'flag': {
      const name = value.toUpperCase();
      return (s) => !s.problem && flagNames(s.flags, s.flagContext).includes(name);
    }
    case 'errno': {
      if (/^-?\d+$/.test(value)) {
        const n = Math.abs(Number(value));
        return (s) => !s.problem && Math.abs(s.errno) === n && (n !== 0 || s.typeNumber === 2 || s.typeNumber === 3);
      }
      const name = value.toUpperCase();
      return (s) => !s.problem && s.errno < 0 && errnoName(s.errno) === name;
    }
    default:
      throw new ArgumentError(`filter: unknown field ${String(field)}`);
  }
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: string[]) {}

  parse(): FilterPredicate {
    const p = this.or();
    if (this.at < this.tokens.length) throw new ArgumentError(`filter: unexpected '${this.tokens[this.at]}'`);
    return p;
  }

  private peek(): string | undefined {
    return this.tokens[this.at];
  }

  private or(): FilterPredicate {
    let left = this.and();
    while (this.peek()?.toLowerCase() === 'or') {
      this.at++;
      const a = left;
      const b = this.and();
      left = (s) => a(s) || b(s);
    }
    return left;
  }

  private and(): FilterPredicate {
    let left = this.not();
    for (;;) {
      const t = this.peek()?.toLowerCase();
      if (t === undefined || t === 'or' || t === ')') return left;
      if (t === 'and') this.at++;
      const a = left;
      const b = this.not();
      left = (s) => a(s) && b(s);
    }
  }

  private not(): FilterPredicate {
    const t = this.peek();
    if (t === undefined) throw new ArgumentError('filter: the expression ends where a term was expected');
    if (t.toLowerCase() === 'not') {
      this.at++;
      const inner = this.not();
      return (s) => !inner(s);
    }
    if (t === '(') {
      this.at++;
      const inner = this.or();
      if (this.peek() !== ')') throw new ArgumentError("filter: a '(' is not closed");
      this.at++;
      return inner;
    }
    if (t === ')' || t.toLowerCase() === 'and' || t.toLowerCase() === 'or') throw new ArgumentError(`filter: unexpected '${t}'`);
    this.at++;
    const m = /^([A-Za-z_][\w-]*)\s*(!=|<=|>=|=|<|>)\s*(.*)$/.exec(t);
    if (!m) {
      const keyword = KEYWORDS[t.toLowerCase()];
      if (!keyword) throw new ArgumentError(`filter: unknown word '${t}' (keywords: ${Object.keys(KEYWORDS).join(', ')}; fields: ${FIELDS.join(', ')})`);
      return keyword;
    }
    const field = m[1]!.toLowerCase();
    if (!(FIELDS as readonly string[]).includes(field)) throw new ArgumentError(`filter: unknown field '${m[1]}' (fields: ${FIELDS.join(', ')})`);
    if (m[3] === '') throw new ArgumentError(`filter: ${field}${m[2]} needs a value`);
    return term(field as Field, m[2] as Op, m[3]!);
  }
}

/** Parses a filter expression; throws ArgumentError naming what is wrong. */
export function parseFilter(text: string): FilterPredicate {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new ArgumentError('filter: the expression is empty');
  return new Parser(tokens).parse();
}
