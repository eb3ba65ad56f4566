// `nlkit nft list tables|chains|ruleset`: the nftables objects, printed like
// `nft -y list ...` (numeric priorities). Rules are re-assembled into nft's
// syntax by nft-rule-text.ts; a rule holding something it cannot render is
// printed commented out, with markers where the unknown parts are.

import { parseArgs } from 'node:util';
import { openSocket } from '../../socket/open.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import {
  listChains, listFlowtables, listObjects, listRules, listSetElements, listSets, listTables,
  type NftChain, type NftFlowtable, type NftObject, type NftRule, type NftSet, type NftSetElement, type NftTable,
} from '../../families/nfnetlink/nftables.js';
import { renderRule, type NftSetText, type RuleText } from '../../families/nfnetlink/nft-rule-text.js';
import {
  mapDataTypeName, keyTypeName, renderElements, renderSet, setRenderable, type NftSetInput,
} from '../../families/nfnetlink/nft-set-text.js';
import { renderObject } from '../../families/nfnetlink/nft-object-text.js';
import { commentText } from '../../families/nfnetlink/nft-userdata.js';
import type { Attributes } from '../../schema/decode.js';
import { NFPROTO, type NfFamilyName } from '../../families/nfnetlink/nfgenmsg.js';
import { links } from '../../families/rtnetlink/links.js';
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
  /** Named objects: counters, quotas, ... (ruleset listings only). */
  objects?: NftObject[];
  /** Flowtables (ruleset listings only). */
  flowtables?: NftFlowtable[];
  /** Interface names by index in the same namespace, to print `iif "lo"` as nft does. */
  ifnames?: ReadonlyMap<number, string>;
}

export async function readRuleset(sock: NetlinkSocket, family: NfFamilyName | undefined, what: 'tables' | 'chains' | 'ruleset'): Promise<Ruleset> {
  const f = family ? { family } : {};
  const tables = await listTables(sock, f);
  const chains = what === 'tables' ? [] : await listChains(sock, f);
  const sets = what === 'ruleset' ? await listSets(sock, f) : [];
  const rules = what === 'ruleset' ? await listRules(sock, f) : [];
  const objects = what === 'ruleset' ? await listObjects(sock, f) : [];
  const flowtables = what === 'ruleset' ? await listFlowtables(sock, f) : [];
  const elements = new Map<NftSet, NftSetElement[]>();
  for (const s of sets) elements.set(s, await listSetElements(sock, { family: s.family, table: s.table, set: s.name }));
  return { tables, chains, sets, rules, elements, objects, flowtables };
}

/** Interface names by index, from the rtnetlink links of the namespace the rules live in. */
export async function interfaceNames(sock: NetlinkSocket): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for await (const link of links.dump(sock)) out.set(link.index, link.name);
  return out;
}

const isAnonymous = (s: NftSet) => s.flags.includes('anonymous');

const userdataOf = (a: Attributes) => (a.userdata instanceof Uint8Array ? a.userdata : undefined);

/** A table's or chain's comment line: a marker line, commented out, when its userdata does not parse. */
function commentLine(a: Attributes): string | undefined {
  const comment = commentText(a.userdata);
  return comment && (comment.understood ? comment.text : `# ${comment.text}`);
}

function setInput(s: NftSet, elements: NftSetElement[]): NftSetInput {
  const a = s.attributes;
  const input: NftSetInput = { name: s.name, keyType: s.keyType, flags: s.flags, elements };
  if (s.dataType !== undefined) input.dataType = s.dataType;
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

/** Element texts of a set or map, or null when its types have no rendering (its lookups are then marked). */
function elementTexts(s: NftSet, elements: NftSetElement[]): string[] | null {
  if (!setRenderable(s)) return null;
  return renderElements(elements, s.keyType, s.flags.includes('interval'), s.timeout, s.flags.includes('map') ? s.dataType : undefined);
}

/** Each rule's nft text, with the sets of its table (anonymous ones inline). */
export function ruleTexts(r: Ruleset): Map<NftRule, RuleText> {
  const out = new Map<NftRule, RuleText>();
  const byTable = new Map<string, Map<string, NftSetText>>();
  for (const s of r.sets) {
    if (!setRenderable(s)) continue;
    // Rules print only anonymous sets' elements (inline); a named set is `@name`, its length enough.
    const texts = isAnonymous(s) ? elementTexts(s, r.elements?.get(s) ?? [])! : [];
    const k = `${s.family} ${s.table}`;
    if (!byTable.has(k)) byTable.set(k, new Map());
    byTable.get(k)!.set(s.name, { name: s.name, elements: texts, keyLength: s.keyLength });
  }
  for (const rule of r.rules) {
    const elems = ((rule.attributes.expressions as Record<string, unknown> | undefined)?.elem ?? []) as unknown[];
    const ifnames = r.ifnames;
    const text = renderRule(elems, {
      family: rule.family, sets: byTable.get(`${rule.family} ${rule.table}`) ?? new Map(), ...(ifnames ? { ifname: (i: number) => ifnames.get(i) } : {}),
    });
    const comment = commentText(rule.attributes.userdata);
    if (comment === undefined) out.set(rule, text);
    else if (comment.understood) out.set(rule, { ...text, text: `${text.text} ${comment.text}` });
    else out.set(rule, { text: `${text.complete ? '# ' : ''}${text.text} ${comment.text}`, complete: false, unknown: [...text.unknown, comment.text] });
  }
  return out;
}

const same = (a: { family: unknown; table?: string; name?: string }, t: NftTable) => a.family === t.family && a.table === t.name;

/** `flags dormant` as nft prints it; flags it prints otherwise (owner, persist) are marked. */
function tableFlagsText(flags: Array<string | number>): string | undefined {
  if (!flags.length) return undefined;
  if (flags.every((f) => f === 'dormant')) return 'flags dormant';
  return `# [unknown table flags ${flags.join(',')}]`;
}

function flowtableFacts(ft: NftFlowtable): string {
  return [ft.hook && `hook ${ft.hook}`, ft.priority !== undefined && `priority ${ft.priority}`, ft.devices.length && `devices ${ft.devices.join(', ')}`]
    .filter(Boolean).join(' ') || 'no hook';
}

/** ` device "lo"` or ` devices = { a, b }` after a base chain's hook. */
function devicesText(devices: string[] | undefined): string {
  if (!devices?.length) return '';
  return devices.length === 1 ? ` device "${devices[0]}"` : ` devices = { ${devices.join(', ')} }`;
}

function objectInput(o: NftObject) {
  const userdata = userdataOf(o.attributes);
  return { name: o.name, type: o.type, data: o.data, ...(userdata ? { userdata } : {}) };
}

export function formatRuleset(r: Ruleset, what: 'tables' | 'chains' | 'ruleset'): string {
  const out: string[] = [];
  const texts = what === 'ruleset' ? ruleTexts(r) : new Map<NftRule, RuleText>();
  for (const t of r.tables) {
    if (what === 'tables') {
      out.push(`table ${t.family} ${t.name}`);
      continue;
    }
    out.push(`table ${t.family} ${t.name} {`);
    // Flags first; once printed, a blank line comes before the table's first object.
    const flags = what === 'ruleset' ? tableFlagsText(t.flags) : undefined;
    if (flags !== undefined) out.push(`\t${flags}`);
    const tableComment = what === 'ruleset' ? commentLine(t.attributes) : undefined;
    if (tableComment !== undefined) out.push(`\t${tableComment}`);
    // A ruleset listing separates the objects of a table by a blank line, as nft does.
    const blocks: string[][] = [];
    for (const o of r.objects?.filter((x) => same(x, t)) ?? []) blocks.push(renderObject(objectInput(o)));
    for (const s of r.sets.filter((x) => same(x, t) && !isAnonymous(x))) blocks.push(renderSet(setInput(s, r.elements?.get(s) ?? [])));
    // Not rendered in nft's syntax (this machine's kernel cannot make one to check the text against): marked, with what is known.
    for (const ft of r.flowtables?.filter((x) => same(x, t)) ?? []) blocks.push([`\t# [flowtable ${ft.name} not rendered: ${flowtableFacts(ft)}]`]);
    for (const c of r.chains.filter((x) => same(x, t))) {
      const body = [`\tchain ${c.name} {`];
      const chainComment = what === 'ruleset' ? commentLine(c.attributes) : undefined;
      if (chainComment !== undefined) body.push(`\t\t${chainComment}`);
      if (c.hook !== undefined) {
        body.push(`\t\ttype ${c.type ?? 'filter'} hook ${c.hook}${devicesText(c.devices)} priority ${c.priority ?? 0}; policy ${c.policy ?? 'accept'};`);
      }
      for (const rule of r.rules.filter((x) => x.family === t.family && x.table === t.name && x.chain === c.name)) {
        body.push(`\t\t${texts.get(rule)?.text ?? `# handle ${rule.handle}: ${rule.expressions.join(' ')}`}`);
      }
      body.push('\t}');
      blocks.push(body);
    }
    blocks.forEach((b, i) => {
      if ((i > 0 || flags !== undefined) && what === 'ruleset') out.push('');
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
    const netns = values.netns ? { netns: values.netns } : {};
    const sock = openSocket('netfilter', { ...netns, timeout: 10_000 });
    try {
      const r = await readRuleset(sock, family as NfFamilyName | undefined, what);
      if (what === 'ruleset') {
        const route = openSocket('route', { ...netns, timeout: 10_000 });
        try {
          r.ifnames = await interfaceNames(route);
        } finally {
          route.close();
        }
      }
      if (values.json) {
        const texts = ruleTexts(r);
        const sets = r.sets.map((s) => {
          const type = keyTypeName(s.keyType);
          const data = s.flags.includes('map') && s.dataType !== undefined ? mapDataTypeName(s.dataType) : undefined;
          const elements = elementTexts(s, r.elements?.get(s) ?? []);
          return { ...strip(s), ...(type ? { type } : {}), ...(data ? { dataTypeName: data } : {}), ...(elements ? { elements } : {}) };
        });
        const rules = r.rules.map((x) => ({ ...strip(x), text: texts.get(x)!.text }));
        const objects = (r.objects ?? []).map((o) => ({ ...strip(o), text: renderObject(objectInput(o)).join('\n') }));
        context.stdout.write(toJson({ tables: r.tables.map(strip), chains: r.chains.map(strip), sets, rules, objects, flowtables: (r.flowtables ?? []).map(strip) }));
      } else {
        context.stdout.write(formatRuleset(r, what));
      }
    } finally {
      sock.close();
    }
    return 0;
  },
};
