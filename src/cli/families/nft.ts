// `nlkit nft list tables|chains|ruleset`: the nftables objects, printed like
// `nft -y list ...` (numeric priorities). Rules are re-assembled into nft's
// syntax by nft-rule-text.ts; a rule holding something it cannot render is
// printed commented out, with markers where the unknown parts are.

import { parseArgs } from 'node:util';
import { openSocket } from '../../socket/open.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import {
  listChains, listRules, listSetElements, listSets, listTables, type NftChain, type NftRule, type NftSet, type NftSetElement, type NftTable,
} from '../../families/nfnetlink/nftables.js';
import {
  datatypeName, renderElements, renderRule, renderSet, userdataComment, type NftSetInput, type NftSetText, type RuleText,
} from '../../families/nfnetlink/nft-rule-text.js';
import type { Attributes } from '../../schema/decode.js';
import { NFPROTO, type NfFamilyName } from '../../families/nfnetlink/nfgenmsg.js';
import { UsageError, type Command } from '../command.js';
import { toJson } from './table.js';

const USAGE = `usage: nlkit nft list tables|chains|ruleset [FAMILY] [--json] [--netns NAME]

Lists nftables objects over nfnetlink, in the layout of 'nft -y list'.

  tables     the tables
  chains     the tables with their chains
  ruleset    tables, chains, sets and rules (rules in nft's syntax)
  FAMILY     only this family: ip, ip6, inet, arp, bridge, netdev
  --json     one JSON document (see docs/json-families.md)
  --netns    look inside the network namespace /run/netns/NAME
`;

export interface Ruleset {
  tables: NftTable[];
  chains: NftChain[];
  sets: NftSet[];
  rules: NftRule[];
  /** Elements per set (ruleset listings only). */
  elements?: Map<NftSet, NftSetElement[]>;
}

export async function readRuleset(sock: NetlinkSocket, family: NfFamilyName | undefined, what: 'tables' | 'chains' | 'ruleset'): Promise<Ruleset> {
  const f = family ? { family } : {};
  const tables = await listTables(sock, f);
  const chains = what === 'tables' ? [] : await listChains(sock, f);
  const sets = what === 'ruleset' ? await listSets(sock, f) : [];
  const rules = what === 'ruleset' ? await listRules(sock, f) : [];
  const elements = new Map<NftSet, NftSetElement[]>();
  for (const s of sets) elements.set(s, await listSetElements(sock, { family: s.family, table: s.table, set: s.name }));
  return { tables, chains, sets, rules, elements };
}

const isAnonymous = (s: NftSet) => s.flags.includes('anonymous');

const userdataOf = (a: Attributes) => (a.userdata instanceof Uint8Array ? a.userdata : undefined);

/**
 * The `comment "..."` nft prints for an object's userdata (entry type 0), or
 * a marker with the bytes when they do not parse: never dropped silently.
 */
function commentText(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes) return undefined;
  try {
    const c = userdataComment(bytes, 0);
    return c === undefined ? undefined : `comment "${c}"`;
  } catch (err) {
    return `# [unknown userdata 0x${Buffer.from(bytes).toString('hex')}: ${(err as Error).message}]`;
  }
}

function setInput(s: NftSet, elements: NftSetElement[]): NftSetInput {
  const a = s.attributes;
  const input: NftSetInput = { name: s.name, keyType: s.keyType, flags: s.flags, elements };
  if (s.policy !== undefined) input.policy = s.policy;
  if (s.size !== undefined) input.size = s.size;
  if (s.timeout !== undefined) input.timeout = s.timeout;
  if (s.gcInterval !== undefined) input.gcInterval = s.gcInterval;
  const userdata = userdataOf(a);
  if (userdata) input.userdata = userdata;
  const exprs = [...((a.expr ?? []) as unknown[]), ...(((a.expressions as Record<string, unknown> | undefined)?.elem ?? []) as unknown[])];
  if (exprs.length) input.expressions = exprs;
  return input;
}

/** Element texts of a set, or null when its key type has no rendering. */
function elementTexts(s: NftSet, elements: NftSetElement[]): string[] | null {
  if (!datatypeName(s.keyType) || s.flags.includes('map') || s.flags.includes('concat')) return null;
  return renderElements(elements, s.keyType, s.flags.includes('interval'), s.timeout);
}

/** Each rule's nft text, with the sets of its table (anonymous ones inline). */
export function ruleTexts(r: Ruleset): Map<NftRule, RuleText> {
  const out = new Map<NftRule, RuleText>();
  const byTable = new Map<string, Map<string, NftSetText>>();
  for (const s of r.sets) {
    const texts = elementTexts(s, r.elements?.get(s) ?? []);
    if (!texts) continue;
    const k = `${s.family} ${s.table}`;
    if (!byTable.has(k)) byTable.set(k, new Map());
    byTable.get(k)!.set(s.name, { name: s.name, elements: texts });
  }
  for (const rule of r.rules) {
    const elems = ((rule.attributes.expressions as Record<string, unknown> | undefined)?.elem ?? []) as unknown[];
    const text = renderRule(elems, { family: rule.family, sets: byTable.get(`${rule.family} ${rule.table}`) ?? new Map() });
    const comment = commentText(userdataOf(rule.attributes));
    if (comment === undefined) out.set(rule, text);
    else if (!comment.startsWith('#')) out.set(rule, { ...text, text: `${text.text} ${comment}` });
    else out.set(rule, { text: `${text.complete ? '# ' : ''}${text.text} ${comment.slice(2)}`, complete: false, unknown: [...text.unknown, comment.slice(2)] });
  }
  return out;
}

const same = (a: { family: unknown; table?: string; name?: string }, t: NftTable) => a.family === t.family && a.table === t.name;

export function formatRuleset(r: Ruleset, what: 'tables' | 'chains' | 'ruleset'): string {
  const out: string[] = [];
  const texts = what === 'ruleset' ? ruleTexts(r) : new Map<NftRule, RuleText>();
  for (const t of r.tables) {
    if (what === 'tables') {
      out.push(`table ${t.family} ${t.name}`);
      continue;
    }
    out.push(`table ${t.family} ${t.name} {`);
    const tableComment = what === 'ruleset' ? commentText(userdataOf(t.attributes)) : undefined;
    if (tableComment !== undefined) out.push(`\t${tableComment}`);
    // A ruleset listing separates the objects of a table by a blank line, as nft does.
    const blocks: string[][] = [];
    for (const s of r.sets.filter((x) => same(x, t) && !isAnonymous(x))) blocks.push(renderSet(setInput(s, r.elements?.get(s) ?? [])));
    for (const c of r.chains.filter((x) => same(x, t))) {
      const body = [`\tchain ${c.name} {`];
      const chainComment = what === 'ruleset' ? commentText(userdataOf(c.attributes)) : undefined;
      if (chainComment !== undefined) body.push(`\t\t${chainComment}`);
      if (c.hook !== undefined) {
        body.push(`\t\ttype ${c.type ?? 'filter'} hook ${c.hook} priority ${c.priority ?? 0}; policy ${c.policy ?? 'accept'};`);
      }
      for (const rule of r.rules.filter((x) => x.family === t.family && x.table === t.name && x.chain === c.name)) {
        body.push(`\t\t${texts.get(rule)?.text ?? `# handle ${rule.handle}: ${rule.expressions.join(' ')}`}`);
      }
      body.push('\t}');
      blocks.push(body);
    }
    blocks.forEach((b, i) => {
      if (i > 0 && what === 'ruleset') out.push('');
      out.push(...b);
    });
    out.push('}');
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function strip<T extends { attributes: unknown }>(x: T): Omit<T, 'attributes'> {
  const { attributes: _a, ...rest } = x;
  return rest;
}

export const nftCommand: Command = {
  name: 'nft',
  summary: 'nftables tables, chains and rules (like nft list)',
  usage: USAGE,
  async run(args, context) {
    const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { json: { type: 'boolean' }, netns: { type: 'string' } } });
    const [verb, what, family, ...rest] = positionals;
    if (verb !== 'list' || (what !== 'tables' && what !== 'chains' && what !== 'ruleset') || rest.length) {
      throw new UsageError(`nft: expected 'list tables|chains|ruleset [FAMILY]', got '${positionals.join(' ')}'`);
    }
    if (family !== undefined && !(family in NFPROTO && family !== 'unspec')) throw new UsageError(`nft: unknown family '${family}' (ip, ip6, inet, arp, bridge, netdev)`);
    const sock = openSocket('netfilter', { ...(values.netns ? { netns: values.netns } : {}), timeout: 10_000 });
    try {
      const r = await readRuleset(sock, family as NfFamilyName | undefined, what);
      if (values.json) {
        const texts = ruleTexts(r);
        const sets = r.sets.map((s) => {
          const type = datatypeName(s.keyType);
          const elements = elementTexts(s, r.elements?.get(s) ?? []);
          return { ...strip(s), ...(type ? { type } : {}), ...(elements ? { elements } : {}) };
        });
        const rules = r.rules.map((x) => ({ ...strip(x), text: texts.get(x)!.text }));
        context.stdout.write(toJson({ tables: r.tables.map(strip), chains: r.chains.map(strip), sets, rules }));
      } else {
        context.stdout.write(formatRuleset(r, what));
      }
    } finally {
      sock.close();
    }
    return 0;
  },
};
