#!/usr/bin/env node
// Generates src/families/generated/*.ts from netlink YAML specs: the kernel's
// own (Documentation/netlink/specs/*.yaml[.gz], read from Debian's
// linux-doc-6.12 package by default) and the project's (src/families/specs/).
//
//   node scripts/gen-schemas.mjs [--kernel-specs DIR] [--check]
//
// --check writes nothing: it regenerates in memory and exits with status 1
// if a committed file differs (kernel specs are skipped when not installed).
//
// The output is plain data in the shape of src/schema/types.ts (FamilySpec):
// every implicit rule of the YAML format (value numbering, subsets, flag bits,
// directional message ids) is applied here so that the runtime only indexes.
// The generated files are committed; building does not need the specs.

import { readFileSync, readdirSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const kernelArg = args.indexOf('--kernel-specs');
const kernelDir = kernelArg >= 0 && args[kernelArg + 1]
  ? args[kernelArg + 1]
  : '/usr/share/doc/linux-doc-6.12/Documentation/netlink/specs';
const checkOnly = args.includes('--check');
const projectDir = join(root, 'src/families/specs');
/** Project additions to kernel specs, one file per kernel family (e.g. overlays/rt-link.yaml). */
const overlayDir = join(projectDir, 'overlays');
/** Generated path → text. */
const outputs = new Map();
const outDir = join(root, 'src/families/generated');

/** Kernel specs to generate (file stem → module stem). */
const KERNEL_SPECS = ['rt_link', 'rt_addr', 'rt_route', 'nlctrl', 'nftables', 'ethtool', 'netdev', 'devlink', 'tcp_metrics', 'fou', 'mptcp_pm', 'handshake', 'team'];

// Raw families name their C constants by convention rather than in the spec:
// the attribute-set and message prefixes below give IFLA_INFO_KIND, RTM_NEWLINK...
const RAW_PREFIXES = {
  'rt-link': {
    ops: 'rtm-',
    sets: {
      'linkinfo-attrs': 'ifla-info-', 'af-spec-attrs': 'af-', 'vfinfo-list-attrs': 'ifla-vf-', 'vfinfo-attrs': 'ifla-vf-',
      'vf-stats-attrs': 'ifla-vf-stats-', 'vf-vlan-attrs': 'ifla-vf-vlan-', 'xdp-attrs': 'ifla-xdp-', 'ifla-attrs': 'ifla-inet-',
      'ifla6-attrs': 'ifla-inet6-', 'link-offload-xstats': 'ifla-offload-xstats-', 'vf-ports-attrs': 'ifla-vf-port-',
      'port-self-attrs': 'ifla-port-', 'hw-s-info-one': 'ifla-offload-xstats-hw-s-info-', 'link-dpll-pin-attrs': 'dpll-a-',
    },
  },
  'rt-addr': { ops: 'rtm-', sets: { 'addr-attrs': '' } },
  'rt-route': { ops: 'rtm-', sets: { 'route-attrs': '', 'rta-metrics': '' } },
  nftables: {
    ops: 'nft-msg-',
    sets: {
      'batch-attrs': 'nfta-batch-', 'table-attrs': 'nfta-table-', 'chain-attrs': 'nfta-chain-', 'rule-attrs': 'nfta-rule-',
      'expr-list-attrs': 'nfta-list-', 'expr-attrs': 'nfta-expr-', 'set-attrs': 'nfta-set-', 'setelem-attrs': 'nfta-set-elem-',
      'setelem-list-attrs': 'nfta-set-elem-list-', 'gen-attrs': 'nfta-gen-', 'obj-attrs': 'nfta-obj-',
      'flowtable-attrs': 'nfta-flowtable-', 'data-attrs': 'nfta-data-', 'verdict-attrs': 'nfta-verdict-',
      'nft-hook-attrs': 'nfta-hook-', 'counter-attrs': 'nfta-counter-', 'expr-cmp-attrs': 'nfta-cmp-',
      'expr-bitwise-attrs': 'nfta-bitwise-', 'expr-meta-attrs': 'nfta-meta-', 'expr-payload-attrs': 'nfta-payload-',
      'expr-immediate-attrs': 'nfta-immediate-', 'expr-lookup-attrs': 'nfta-lookup-', 'expr-counter-attrs': 'nfta-counter-',
      'expr-ct-attrs': 'nfta-ct-', 'expr-nat-attrs': 'nfta-nat-', 'expr-fib-attrs': 'nfta-fib-', 'expr-reject-attrs': 'nfta-reject-',
      'expr-objref-attrs': 'nfta-objref-', 'quota-attrs': 'nfta-quota-', 'nft-counter-attrs': 'nfta-counter-',
    },
  },
};


function fail(spec, message) {
  throw new Error(`${spec}: ${message}`);
}

/** Resolves a number, a constant's name, or "NAME - 1". */
function resolveLength(value, consts, where) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  const m = /^([0-9A-Za-z_-]+?)(\s+-\s+1)?$/.exec(String(value).trim());
  if (!m) fail(where, `cannot resolve length ${value}`);
  const base = /^[0-9]+$/.test(m[1]) ? Number(m[1]) : consts[m[1]];
  if (base === undefined) return undefined; // a limit like u16-max: not a length we need
  return m[2] ? base - 1 : base;
}

function definitions(spec, where) {
  const consts = {};
  const enums = {};
  const structs = {};
  for (const def of spec.definitions ?? []) {
    if (def.type === 'const') {
      const v = typeof def.value === 'number' ? def.value : resolveLength(def.value, consts, where);
      if (v !== undefined) consts[def.name] = v;
    }
  }
  for (const def of spec.definitions ?? []) {
    if (def.type === 'enum' || def.type === 'flags') {
      const entries = {};
      const start = typeof def['value-start'] === 'number' ? def['value-start'] : 0;
      let next = start;
      for (const e of def.entries ?? []) {
        const entry = typeof e === 'string' ? { name: e } : e;
        const v = entry.value ?? next;
        next = v + 1;
        entries[String(entry.name)] = def.type === 'flags' ? 2 ** v : v;
      }
      enums[def.name] = def.type === 'flags' ? { flags: true, entries } : { entries };
    } else if (def.type === 'struct') {
      structs[def.name] = {
        members: (def.members ?? []).map((m) => {
          const o = {};
          const len = resolveLength(m.len, consts, `${where} struct ${def.name}`);
          if (len !== undefined) o.len = len;
          if (m['byte-order'] === 'big-endian') o.be = true;
          if (m.enum) o.enum = m.enum;
          if (m['enum-as-flags']) o.flags = true;
          if (m.struct) o.struct = m.struct;
          if (m['sub-message']) { o.subMessage = m['sub-message']; o.selector = m.selector; }
          if (m['display-hint']) o.hint = m['display-hint'];
          if ((m.type === 'pad' || m.type === 'string') && o.len === undefined) fail(where, `member ${def.name}.${m.name} needs a len`);
          return Object.keys(o).length ? [m.name, m.type, o] : [m.name, m.type];
        }),
      };
    }
  }
  return { consts, enums, structs };
}

function attrOptions(a, consts, where) {
  const o = {};
  if (a['nested-attributes']) o.nest = a['nested-attributes'];
  if (a['multi-attr']) o.multi = true;
  if (a.enum) o.enum = a.enum;
  if (a['enum-as-flags']) o.flags = true;
  if (a['byte-order'] === 'big-endian') o.be = true;
  if (a.struct) o.struct = a.struct;
  if (a['sub-type']) o.subType = a['sub-type'];
  if (a['sub-message']) { o.subMessage = a['sub-message']; o.selector = a.selector; }
  if (a['type-value']) o.typeValue = a['type-value'];
  if (a['display-hint']) o.hint = a['display-hint'];
  const checks = a.checks ?? {};
  for (const [key, name] of [['max-len', 'maxLen'], ['min-len', 'minLen'], ['exact-len', 'exactLen']]) {
    const v = resolveLength(checks[key], consts, where);
    if (v !== undefined) o[name] = v;
  }
  return o;
}

function attributeSets(spec, consts, where, prefixes) {
  const family = spec.name;
  const genl = spec.protocol !== 'netlink-raw';
  const raw = {};
  for (const set of spec['attribute-sets'] ?? []) raw[set.name] = set;
  const sets = {};
  // Main sets first: values are numbered there.
  for (const set of spec['attribute-sets'] ?? []) {
    if (set['subset-of']) continue;
    let next = 1;
    const attrs = [];
    const seen = new Set();
    for (const a of set.attributes ?? []) {
      const value = a.value ?? next;
      next = value + 1;
      if (seen.has(value)) fail(where, `set ${set.name} has two attributes numbered ${value}`);
      seen.add(value);
      if (!a.type) fail(where, `attribute ${set.name}.${a.name} has no type`);
      const o = attrOptions(a, consts, where);
      attrs.push(Object.keys(o).length ? [value, a.name, a.type, o] : [value, a.name, a.type]);
    }
    const prefix = set['name-prefix'] ?? prefixes?.sets?.[set.name] ?? (genl ? `${family}-a-${set.name}-` : undefined);
    sets[set.name] = { ...(prefix !== undefined ? { prefix } : {}), attrs };
  }
  for (const set of spec['attribute-sets'] ?? []) {
    const parentName = set['subset-of'];
    if (!parentName) continue;
    const parent = sets[parentName];
    if (!parent) fail(where, `set ${set.name} is a subset of unknown ${parentName}`);
    const parentRaw = Object.fromEntries((raw[parentName].attributes ?? []).map((a) => [a.name, a]));
    // Some kernel subsets list an attribute twice; once is what they mean.
    const listed = (set.attributes ?? []).filter((a, i, all) => all.findIndex((b) => b.name === a.name) === i);
    const attrs = listed.map((a) => {
      const base = parent.attrs.find((p) => p[1] === a.name);
      if (!base) fail(where, `subset ${set.name} names ${a.name}, absent from ${parentName}`);
      const merged = { ...parentRaw[a.name], ...a };
      const o = attrOptions(merged, consts, where);
      return Object.keys(o).length ? [base[0], a.name, merged.type, o] : [base[0], a.name, merged.type];
    });
    sets[set.name] = { ...(parent.prefix !== undefined ? { prefix: parent.prefix } : {}), subsetOf: parentName, attrs };
  }
  return sets;
}

function subMessages(spec) {
  const out = {};
  for (const sm of spec['sub-messages'] ?? []) {
    const formats = {};
    for (const f of sm.formats) {
      const format = {};
      if (f['fixed-header']) format.header = f['fixed-header'];
      if (f['attribute-set']) format.set = f['attribute-set'];
      formats[String(f.value)] = format;
    }
    out[sm.name] = formats;
  }
  return out;
}

/**
 * Flattens operations into messages. Directional numbering: requests and
 * replies count separately, each continuing from the last explicit value;
 * an operation without a reply takes no reply number, a notification or
 * event takes only one. Unified numbering: one counter, shared by both ways.
 */
function messages(spec, where) {
  const ops = spec.operations ?? { list: [] };
  const directional = ops['enum-model'] === 'directional';
  const defaultHeader = ops['fixed-header'];
  const byName = Object.fromEntries(ops.list.map((op) => [op.name, op]));
  const out = [];
  let req = 1;
  let rsp = 1;
  let unified = 1;
  const push = (m) => {
    const key = (o) => `${o.value}/${o.dir}/${JSON.stringify(o.match ?? null)}`;
    if (!out.some((o) => key(o) === key(m))) out.push(m);
  };
  for (const op of ops.list) {
    const setOf = (o) => o['attribute-set'];
    const baseSet = setOf(op) ?? (op.notify ? setOf(byName[op.notify] ?? {}) : undefined);
    const header = op['fixed-header'] ?? (op.notify ? byName[op.notify]?.['fixed-header'] : undefined) ?? defaultHeader;
    const common = (dir, section) => {
      const m = {};
      const set = baseSet;
      const hdr = section?.['fixed-header'] ?? header;
      if (set) m.set = set;
      if (hdr) m.header = hdr;
      if (op.mcgrp) m.mcgrp = op.mcgrp;
      if (op.match !== undefined) m.match = Array.isArray(op.match) ? op.match : [op.match];
      return m;
    };
    const isAsync = op.notify !== undefined || op.event !== undefined;
    if (!directional) {
      const value = op.value ?? unified;
      unified = value + 1;
      if (isAsync) {
        push({ name: op.name, op: op.name, value, dir: 'reply', kind: op.notify !== undefined ? 'notify' : 'event', ...common('reply') });
      } else {
        const mode = op.do ? 'do' : 'dump';
        push({ name: op.name, op: op.name, value, dir: 'request', kind: mode, ...common('request', op[mode]?.request) });
        if (op.do?.reply || op.dump?.reply) {
          const replyMode = op.do?.reply ? 'do' : 'dump';
          push({ name: op.name, op: op.name, value, dir: 'reply', kind: replyMode, ...common('reply', op[replyMode].reply) });
        }
      }
      continue;
    }
    if (isAsync) {
      if (op.value !== undefined) rsp = op.value;
      push({ name: op.name, op: op.name, value: rsp, dir: 'reply', kind: op.notify !== undefined ? 'notify' : 'event', ...common('reply') });
      rsp += 1;
      continue;
    }
    if (!op.do && !op.dump) fail(where, `operation ${op.name} has neither do, dump, notify nor event`);
    const mode = op.do ?? op.dump;
    if (mode.request?.value !== undefined) req = mode.request.value;
    if (mode.reply?.value !== undefined) rsp = mode.reply.value;
    const modeName = op.do ? 'do' : 'dump';
    push({ name: op.name, op: op.name, value: req, dir: 'request', kind: modeName, ...common('request', mode.request) });
    const hasReply = Boolean(mode.reply || (op.do && op.dump?.reply));
    if (hasReply) {
      const replySection = mode.reply ?? op.dump.reply;
      push({ name: `${op.name}-reply`, op: op.name, value: rsp, dir: 'reply', kind: mode.reply ? modeName : 'dump', ...common('reply', replySection) });
    }
    req += 1;
    if (hasReply) rsp += 1;
  }
  // Raw families name a reply after the request of the same number
  // (RTM_NEWLINK answers RTM_GETLINK).
  if (spec.protocol === 'netlink-raw') {
    for (const m of out) {
      if (m.dir !== 'reply' || m.kind === 'notify' || m.kind === 'event') continue;
      const twin = out.find((o) => o.dir === 'request' && o.value === m.value);
      m.name = twin ? twin.name : m.op;
    }
  }
  return out;
}

function mcastGroups(spec) {
  return (spec['mcast-groups']?.list ?? []).map((g) => (g.value !== undefined ? { name: g.name, value: g.value } : { name: g.name }));
}

function familySpec(spec, source) {
  const where = source;
  const protocol = spec.protocol ?? 'genetlink';
  const genl = protocol !== 'netlink-raw';
  const prefixes = RAW_PREFIXES[spec.name] ?? spec['x-prefixes'];
  const { consts, enums, structs } = definitions(spec, where);
  const out = {
    name: spec.name,
    protocol,
    protonum: genl ? 16 : spec.protonum,
    ...(genl ? { version: spec.version ?? 1 } : {}),
    ...(spec.name === 'nlctrl' ? { fixedId: 0x10 } : {}),
    doc: String(spec.doc ?? '').trim().split('\n')[0],
    source,
    ...(spec.operations?.['name-prefix'] ?? prefixes?.ops ?? (genl ? `${spec.name}-cmd-` : undefined)
      ? { opPrefix: spec.operations?.['name-prefix'] ?? prefixes?.ops ?? `${spec.name}-cmd-` } : {}),
    ...(Object.keys(consts).length ? { consts } : {}),
    enums,
    structs,
    sets: attributeSets({ ...spec, protocol }, consts, where, prefixes),
    subMessages: subMessages(spec),
    messages: messages({ ...spec, protocol }, where),
    mcastGroups: mcastGroups(spec),
  };
  if (typeof out.protonum !== 'number') fail(where, 'no protonum');
  checkReferences(out, where);
  return out;
}

/** Every name a spec refers to must exist. */
function checkReferences(f, where) {
  const need = (table, name, what) => {
    if (name !== undefined && !(name in table)) fail(where, `${what} refers to unknown ${name}`);
  };
  for (const [sname, s] of Object.entries(f.structs)) {
    for (const [mname, , o] of s.members) {
      need(f.enums, o?.enum, `${sname}.${mname}`);
      need(f.structs, o?.struct, `${sname}.${mname}`);
      need(f.subMessages, o?.subMessage, `${sname}.${mname}`);
    }
  }
  for (const [sname, s] of Object.entries(f.sets)) {
    for (const [, aname, , o] of s.attrs) {
      need(f.sets, o?.nest, `${sname}.${aname}`);
      need(f.enums, o?.enum, `${sname}.${aname}`);
      need(f.structs, o?.struct, `${sname}.${aname}`);
      need(f.subMessages, o?.subMessage, `${sname}.${aname}`);
    }
  }
  for (const [name, sm] of Object.entries(f.subMessages)) {
    for (const fmt of Object.values(sm)) {
      need(f.sets, fmt.set, `sub-message ${name}`);
      need(f.structs, fmt.header, `sub-message ${name}`);
    }
  }
  for (const m of f.messages) {
    need(f.sets, m.set, `message ${m.name}`);
    need(f.structs, m.header, `message ${m.name}`);
  }
}

const camel = (s) => s.replace(/[-_]+([a-z0-9])/gi, (_, c) => c.toUpperCase()).replace(/[-_]/g, '');

/** A compact, readable TS literal: one attribute or member per line. */
function literal(value, indent = '') {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null || (Array.isArray(v) && v.every((x) => typeof x !== 'object')))) {
      return JSON.stringify(value);
    }
    if (value.every((v) => Array.isArray(v))) {
      return `[\n${value.map((v) => `${indent}  ${JSON.stringify(v)},`).join('\n')}\n${indent}]`;
    }
    return `[\n${value.map((v) => `${indent}  ${literal(v, indent + '  ')},`).join('\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const flat = entries.every(([, v]) => typeof v !== 'object' || v === null);
    if (flat) return JSON.stringify(value);
    return `{\n${entries.map(([k, v]) => `${indent}  ${JSON.stringify(k)}: ${literal(v, indent + '  ')},`).join('\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function emit(stem, spec, family, header) {
  const name = camel(family.name);
  const text = `${header}
// Generated by scripts/gen-schemas.mjs from ${family.source}; do not edit.

import type { FamilySpec } from '../../schema/types.js';

export const ${name}: FamilySpec = ${literal(family)};

export default ${name};
`;
  outputs.set(join(outDir, `${stem}.ts`), text);
  return { stem, name, family };
}

/**
 * Adds an overlay's definitions, attribute sets and sub-message formats to a
 * kernel spec (in place). Overlays add: a name or format value the kernel
 * spec already has is an error, so that a newer kernel spec that describes
 * the same thing is noticed rather than silently shadowed. An item marked
 * `x-fix: why` corrects the kernel spec instead, and must find what it
 * corrects: a definition replaces the one of its name; an attribute set's
 * attributes (each with its value) replace the set's attributes of the same
 * value, or are inserted there.
 */
function applyOverlay(spec, overlay, where) {
  for (const key of ['definitions', 'attribute-sets']) {
    const list = (spec[key] ??= []);
    for (const { 'x-fix': why, ...item } of overlay[key] ?? []) {
      const at = list.findIndex((x) => x.name === item.name);
      if (why === undefined) {
        if (at >= 0) fail(where, `${key} ${item.name} is already in the kernel spec (mark a correction with x-fix)`);
        list.push(item);
      } else if (at < 0) {
        fail(where, `x-fix for ${key} ${item.name}, which the kernel spec does not have`);
      } else if (key === 'definitions') {
        list[at] = item;
      } else {
        list[at] = { ...list[at], attributes: fixAttributes(list[at], item.attributes ?? [], where) };
      }
    }
  }
  for (const sm of overlay['sub-messages'] ?? []) {
    const existing = (spec['sub-messages'] ??= []).find((x) => x.name === sm.name);
    if (!existing) {
      spec['sub-messages'].push(sm);
      continue;
    }
    for (const format of sm.formats) {
      if (existing.formats.some((f) => String(f.value) === String(format.value))) fail(where, `sub-message ${sm.name} already has a format for ${format.value}`);
      existing.formats.push(format);
    }
  }
}

/** The set's attributes numbered explicitly (the spec's implicit rule), with `fixes` put in by value. */
function fixAttributes(set, fixes, where) {
  const byValue = new Map();
  let next = 1;
  for (const a of set.attributes ?? []) {
    const value = a.value ?? next;
    next = value + 1;
    byValue.set(value, { ...a, value });
  }
  for (const f of fixes) {
    if (typeof f.value !== 'number') fail(where, `fixed attribute ${set.name}.${f.name} needs its value`);
    byValue.set(f.value, f);
  }
  const attributes = [...byValue.values()].sort((a, b) => a.value - b.value);
  const names = attributes.map((a) => a.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) fail(where, `after its fixes, set ${set.name} names ${twice} twice`);
  return attributes;
}

function licenseHeader(text) {
  const lines = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    lines.push(`// ${line.replace(/^#\s?/, '')}`.trimEnd());
  }
  return lines.join('\n');
}

function main() {
  const modules = [];
  const haveKernel = existsSync(kernelDir);
  if (!haveKernel && !checkOnly) {
    throw new Error(`kernel specs not found in ${kernelDir} (install linux-doc-6.12 or pass --kernel-specs DIR)`);
  }
  for (const stem of haveKernel ? KERNEL_SPECS : []) {
    const gz = join(kernelDir, `${stem}.yaml.gz`);
    const plain = join(kernelDir, `${stem}.yaml`);
    const text = existsSync(gz) ? gunzipSync(readFileSync(gz)).toString('utf8') : readFileSync(plain, 'utf8');
    const spec = parse(text);
    let source = `Linux 6.12 Documentation/netlink/specs/${stem}.yaml`;
    let header = licenseHeader(text);
    const overlayFile = `${spec.name}.yaml`;
    if (existsSync(join(overlayDir, overlayFile))) {
      const overlayText = readFileSync(join(overlayDir, overlayFile), 'utf8');
      applyOverlay(spec, parse(overlayText), `src/families/specs/overlays/${overlayFile}`);
      source += ` and src/families/specs/overlays/${overlayFile}`;
      header += `\n//\n${licenseHeader(overlayText)}`;
    }
    const family = familySpec(spec, source);
    modules.push(emit(stem.replace(/-/g, '_'), spec, family, header));
  }
  if (haveKernel && existsSync(overlayDir)) {
    const overlaid = new Set(modules.map((m) => `${m.family.name}.yaml`));
    const stray = readdirSync(overlayDir).filter((f) => !overlaid.has(f));
    if (stray.length) fail('src/families/specs/overlays', `no kernel spec to add ${stray.join(', ')} to`);
  }
  for (const file of readdirSync(projectDir).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = readFileSync(join(projectDir, file), 'utf8');
    const spec = parse(text);
    const stem = basename(file, '.yaml').replace(/-/g, '_');
    const family = familySpec(spec, `src/families/specs/${file}`);
    modules.push(emit(stem, spec, family, licenseHeader(text)));
  }
  const index = `// Generated by scripts/gen-schemas.mjs; do not edit.
// Every family schema, kernel-published and project-written.

import type { FamilySpec } from '../../schema/types.js';
${modules.map((m) => `import { ${m.name} } from './${m.stem}.js';`).join('\n')}

export { ${modules.map((m) => m.name).join(', ')} };

export const allFamilySpecs: readonly FamilySpec[] = [${modules.map((m) => m.name).join(', ')}];
`;
  if (haveKernel) outputs.set(join(outDir, 'index.ts'), index);
  if (checkOnly) {
    const stale = [...outputs].filter(([path, text]) => !existsSync(path) || readFileSync(path, 'utf8') !== text).map(([path]) => path);
    if (stale.length) {
      console.error(`out of date (run node scripts/gen-schemas.mjs):\n  ${stale.join('\n  ')}`);
      process.exit(1);
    }
    console.log(`${outputs.size} generated files are up to date${haveKernel ? '' : ' (kernel specs not installed: project specs only)'}`);
    return;
  }
  mkdirSync(outDir, { recursive: true });
  for (const [path, text] of outputs) writeFileSync(path, text);
  console.log(`generated ${modules.length} families into ${outDir}`);
}

main();
