#!/usr/bin/env node
// Generates src/families/decoders/*.ts: per family spec of
// src/families/generated/, one TypeScript decoder per attribute set and per
// struct, specialised ahead of time (no eval or new Function at run time, so
// they work under a strict browser CSP).
//
//   node scripts/gen-decoders.mjs [--check]
//
// --check writes nothing: it regenerates in memory and exits with status 1
// if a committed file differs or is missing.
//
// The specs are read through the schema runtime itself (compileFamily), so
// that the decoders follow exactly the tables the table-driven decoder uses:
// the sources are transpiled into a temporary folder (type stripping only)
// and imported from there; nothing needs to be built first.
//
// What a set decoder looks like (link-attrs, abridged):
//
//   for (let k = start; k < end; k = list.next(k)) {
//     ...status, `only` selection...
//     switch (type) {
//       case 4: {                                // mtu: u32
//         if (out["mtu"] !== undefined) break;   // a repeat: $unknown
//         if (n >= 4 && !list.netByteOrder(k)) out["mtu"] = mem.view.getUint32(at, true);
//         else out["mtu"] = host.attribute(list, k, A[4], here);
//         continue;
//       }
//       ...
//     }
//     host.unknown(out, list, k);
//   }
//
// Each set also gets a direct decoder, the same cases over the attribute
// bytes themselves (addresses in WASM memory), with the walk's header checks
// inlined; it throws USE_INDEX on anything the index path must judge
// (see src/families/decoders/runtime.ts):
//
//   for (let pos = start; pos < end; pos = next) {
//     ...nla_len checks (else throw USE_INDEX), next = pos + align4(nla_len)...
//     switch (type) {
//       case 4:                                  // mtu: u32
//         if (out.mtu !== undefined) break;
//         out.mtu = n >= 4 && (raw & NLA_F_NET_BYTEORDER) === 0 ? mem.view.getUint32(at, true) : host.general(pos, A0[4]!, depth, here);
//         continue;
//       case 18:                                 // linkinfo: nest
//         out.linkinfo = direct8(host, at, at + n, depth + 1, here, null);
//       ...
//     }
//     keepUnknown(out, mem.u8, raw, at, n);
//   }

import { readFileSync, readdirSync, writeFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const checkOnly = process.argv.slice(2).includes('--check');
const specDir = join(root, 'src/families/generated');
const outDir = join(root, 'src/families/decoders');

/** Transpiles the folders the schema runtime needs into `dir`, keeping their layout. */
function transpileRuntime(dir) {
  for (const folder of ['assembly/shared', 'src/codec', 'src/schema', 'src/families/generated']) {
    for (const name of readdirSync(join(root, folder))) {
      if (!name.endsWith('.ts') || name.endsWith('.d.ts')) continue;
      const source = readFileSync(join(root, folder, name), 'utf8');
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
        fileName: name,
      });
      mkdirSync(join(dir, folder), { recursive: true });
      writeFileSync(join(dir, folder, name.replace(/\.ts$/, '.js')), outputText);
    }
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
}

/** Family modules in the order of generated/index.ts: [exportName, stem]. */
function familyModules() {
  const index = readFileSync(join(specDir, 'index.ts'), 'utf8');
  return [...index.matchAll(/^import \{ (\w+) \} from '\.\/(\w+)\.js';$/gm)].map((m) => [m[1], m[2]]);
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const prop = (key) => `[${JSON.stringify(key)}]`;
const INT_WIDTH = { u16: 2, u32: 4, s32: 4, u64: 8 };

/** The fast read of a little-endian integer at `at` (the width is checked by the caller). */
function readLe(type) {
  switch (type) {
    case 'u8': return 'mem.u8[at]!';
    case 'u16': return 'mem.view.getUint16(at, true)';
    case 'u32': return 'mem.view.getUint32(at, true)';
    case 's32': return 'mem.view.getInt32(at, true)';
    case 'u64': return 'u64le(mem.view, at)';
    default: throw new Error(`no fast read for ${type}`);
  }
}

/**
 * The direct decoder of one attribute set: the same cases as the list-based
 * one, read from the attribute bytes themselves (absolute addresses in WASM
 * memory) instead of the WASM attribute index. It handles sound input only:
 * anything the index path would reject or treat specially (a malformed
 * header, deep nesting, a short payload on the general path) throws
 * USE_INDEX, and src/schema/decode.ts decodes the message again by the
 * index, which gives the exact error.
 */
function directSet(set, i, setVar, structFn, enumOf, imports, schemaImports) {
  const S = setVar.get(set);
  const A = `A${i}`;
  const byValue = new Map();
  for (const a of set.attrs) byValue.set(a.value, a);
  const cases = [];
  let needsLevel = false;
  const level = `(here ??= { set: ${S}, out, parent: up })`;
  const general = (a) => {
    needsLevel = true;
    return `host.general(pos, ${A}[${a.value}]!, depth, ${level})`;
  };
  const named = (a, v) => {
    if (!a.enum) return v;
    schemaImports.add('nameValue');
    return `host.names ? nameValue(${enumOf(a.enum)}, ${a.asFlags}, ${v}) : ${v}`;
  };
  const valueOf = (a) => {
    if (a.multi && (a.type === 'pad' || a.type === 'unused')) return general(a);
    switch (a.type) {
      case 'flag': return 'true';
      case 'string': return 'shortString(mem.u8, at, at + n)';
      case 'u8': return a.be ? general(a) : `n >= 1 ? ${named(a, readLe(a.type))} : ${general(a)}`;
      case 'u16': case 'u32': case 's32': case 'u64':
        if (a.be) return general(a);
        if (a.type === 'u64') imports.add('u64le');
        return `n >= ${INT_WIDTH[a.type]} && (raw & NLA_F_NET_BYTEORDER) === 0 ? ${named(a, readLe(a.type))} : ${general(a)}`;
      case 'binary':
        if (a.struct) return `${structFn.get(a.struct)}(mem.u8, mem.view, at, n, host.options)`;
        return a.subType ? general(a) : 'copyBytes(mem.u8, at, n)';
      case 'nest':
        if (!a.nest) return 'copyBytes(mem.u8, at, n)';
        needsLevel = true;
        return `direct${[...setVar.keys()].indexOf(a.nest)}(host, at, at + n, depth + 1, ${level}, null)`;
      case 'sub-message':
        needsLevel = true;
        return `host.subMessage(at, n, ${A}[${a.value}]!, depth, ${level})`;
      default:
        return general(a);
    }
  };
  for (const value of [...byValue.keys()].sort((x, y) => x - y)) {
    const a = byValue.get(value);
    const K = IDENT.test(a.key) ? `.${a.key}` : prop(a.key);
    const note = ` // ${a.name}: ${a.type}${a.multi ? ' (multi)' : ''}`;
    if (a.type === 'unused' && !a.multi) continue;
    if (a.type === 'pad' && !a.multi) {
      cases.push(`        case ${value}: continue;${note}`);
      continue;
    }
    if (a.multi) {
      cases.push(`        case ${value}: {${note}`, `          const value = ${valueOf(a)};`, `          ((out${K} ??= []) as unknown[]).push(value);`, '          continue;', '        }');
      continue;
    }
    cases.push(`        case ${value}:${note}`, `          if (out${K} !== undefined) break;`, `          out${K} = ${valueOf(a)};`, '          continue;');
  }
  const out = [];
  out.push(`  // attribute set ${set.name}, read from its bytes`);
  out.push(`  const direct${i}: DirectSetDecoder = (host, start, end, depth, up, selected) => {`);
  out.push('    if (depth >= DIRECT_MAX_DEPTH) throw USE_INDEX;');
  out.push('    const out: Attributes = {};');
  if (needsLevel) out.push('    let here: DecodeLevel | null = null;');
  out.push('    const mem = host.codec.memory;');
  out.push('    let next = start;');
  out.push('    for (let pos = start; pos < end; pos = next) {');
  out.push('      if (end - pos < NLA_HDRLEN) throw USE_INDEX;');
  out.push('      const declared = mem.view.getUint16(pos, true);');
  out.push('      if (declared < NLA_HDRLEN || declared > end - pos) throw USE_INDEX;');
  out.push('      next = pos + ((declared + 3) & ~3);');
  out.push('      const raw = mem.view.getUint16(pos + 2, true);');
  out.push('      const type = raw & NLA_TYPE_MASK;');
  out.push('      if (selected !== null && (type >= selected.length || selected[type] === 0)) continue;');
  if (cases.length) {
    out.push('      const at = pos + NLA_HDRLEN;');
    out.push('      const n = declared - NLA_HDRLEN;');
    out.push('      switch (type) {', ...cases, '      }');
    out.push('      keepUnknown(out, mem.u8, raw, at, n);');
  } else {
    out.push('      keepUnknown(out, mem.u8, raw, pos + NLA_HDRLEN, declared - NLA_HDRLEN);');
  }
  out.push('    }');
  out.push('    return out;');
  out.push('  };');
  return out;
}

/** Generates one family's module. */
function familyModule(family, exportName, stem) {
  const sets = [...family.sets.values()];
  const structs = [...family.structs.values()];
  const setVar = new Map(sets.map((s, i) => [s, `S${i}`]));
  const structFn = new Map(structs.map((s, i) => [s, `struct${i}`]));
  const enumVar = new Map();
  const enumOf = (e) => {
    if (!enumVar.has(e)) enumVar.set(e, `E${enumVar.size}`);
    return enumVar.get(e);
  };
  const imports = new Set();
  const schemaImports = new Set();
  const body = [];
  const direct = [];

  // ── structs ──
  for (const struct of structs) {
    const fn = structFn.get(struct);
    const members = struct.members.filter((m) => m.type !== 'pad');
    const keys = members.map((m) => m.key);
    const literal = !struct.hasRest && new Set(keys).size === keys.length && !keys.includes('$tail');
    body.push(`  // struct ${struct.name} (${struct.size} bytes)`);
    body.push(`  const ${fn}: StructDecoder = (u8, view, at, length, options) => {`);
    if (!literal) {
      schemaImports.add('decodeStruct');
      body.push(`    return decodeStruct(T${structs.indexOf(struct)}, u8, view, at, length, options);`, '  };');
      continue;
    }
    schemaImports.add('decodeStruct');
    body.push(`    if (length < ${struct.size}) return decodeStruct(T${structs.indexOf(struct)}, u8, view, at, length, options);`);
    const named = members.some((m) => m.enum);
    if (named) body.push(`    const names = options?.enums !== 'numbers';`);
    // u64 members: the high halves first, inline (a call per member would
    // exhaust the optimising compiler's inlining budget on wide structs).
    const highs = [];
    for (const m of members) {
      if (m.type !== 'u64' || m.be) continue;
      highs.push(`h${highs.length} = view.getUint32(${m.offset ? `at + ${m.offset + 4}` : 'at + 4'}, true)`);
    }
    if (highs.length) body.push(`    const ${highs.join(', ')};`);
    let high = 0;
    body.push('    const out: Record<string, unknown> = {');
    for (const m of members) {
      const where = m.offset ? `at + ${m.offset}` : 'at';
      let v;
      switch (m.type) {
        case 'string': imports.add('decodeString'); v = `decodeString(u8, ${where}, ${where} + ${m.size})`; break;
        case 'binary': v = m.struct ? `${structFn.get(m.struct)}(u8, view, ${where}, ${m.size}, options)` : `u8.slice(${where}, ${where} + ${m.size})`; break;
        case 'u8': v = `u8[${where}]!`; break;
        case 's8': v = `view.getInt8(${where})`; break;
        case 'u16': v = `view.getUint16(${where}, ${!m.be})`; break;
        case 's16': v = `view.getInt16(${where}, ${!m.be})`; break;
        case 'u32': v = `view.getUint32(${where}, ${!m.be})`; break;
        case 's32': v = `view.getInt32(${where}, ${!m.be})`; break;
        case 'u64':
          if (!m.be) {
            const h = `h${high++}`;
            v = `${h} < 0x200000 ? ${h} * 0x100000000 + view.getUint32(${where}, true) : view.getBigUint64(${where}, true)`;
            break;
          } // falls through
        default: schemaImports.add('readInt'); v = `readInt(view, ${where}, ${JSON.stringify(m.type)}, ${m.be})`;
      }
      if (m.enum && m.type !== 'string' && m.type !== 'binary') {
        schemaImports.add('nameValue');
        v = `names ? nameValue(${enumOf(m.enum)}, ${m.asFlags}, ${v}) : ${v}`;
      }
      body.push(`      ${IDENT.test(m.key) ? m.key : JSON.stringify(m.key)}: ${v},`);
    }
    body.push('    };');
    body.push(`    if (length > ${struct.size}) out["$tail"] = u8.slice(at + ${struct.size}, at + length);`);
    body.push('    return out;', '  };');
  }

  // ── attribute sets ──
  for (const set of sets) {
    const S = setVar.get(set);
    const A = `A${sets.indexOf(set)}`;
    const byValue = new Map();
    for (const a of set.attrs) byValue.set(a.value, a);
    const cases = [];
    let needsLevel = false;
    const level = `(here ??= { set: ${S}, out, parent: up })`;
    const general = (a) => {
      needsLevel = true;
      return `host.attribute(list, k, ${A}[${a.value}]!, ${level})`;
    };
    for (const value of [...byValue.keys()].sort((x, y) => x - y)) {
      const a = byValue.get(value);
      const K = IDENT.test(a.key) ? `.${a.key}` : prop(a.key);
      const note = ` // ${a.name}: ${a.type}${a.multi ? ' (multi)' : ''}`;
      if (a.type === 'unused' && !a.multi) continue;
      if (a.type === 'pad' && !a.multi) {
        cases.push(`      case ${value}: continue;${note}`);
        continue;
      }
      if (a.multi) {
        cases.push(`      case ${value}: {${note}`, `        const value = ${general(a)};`, `        ((out${K} ??= []) as unknown[]).push(value);`, '        continue;', '      }');
        continue;
      }
      const named = (v) => {
        if (!a.enum) return v;
        schemaImports.add('nameValue');
        return `host.names ? nameValue(${enumOf(a.enum)}, ${a.asFlags}, ${v}) : ${v}`;
      };
      let value_;
      const scalar = (width, checkOrder) => {
        const cond = checkOrder ? `n >= ${width} && !list.netByteOrder(k)` : `n >= ${width}`;
        return a.enum
          ? `${cond} ? ${named(readLe(a.type))} : ${general(a)}`
          : `${cond} ? ${readLe(a.type)} : ${general(a)}`;
      };
      switch (a.type) {
        case 'flag': value_ = 'true'; break;
        case 'string': imports.add('decodeString'); value_ = 'decodeString(mem.u8, at, at + n)'; break;
        case 'u8': value_ = a.be ? general(a) : scalar(1, false); break;
        case 'u16': case 'u32': case 's32': case 'u64':
          if (a.type === 'u64' && !a.be) imports.add('u64le');
          value_ = a.be ? general(a) : scalar(INT_WIDTH[a.type], true);
          break;
        case 'binary':
          if (a.struct) value_ = `${structFn.get(a.struct)}(mem.u8, mem.view, at, n, host.options)`;
          else if (a.subType) value_ = general(a);
          else value_ = 'mem.u8.slice(at, at + n)';
          break;
        case 'nest':
          if (a.nest) {
            needsLevel = true;
            value_ = `host.nest(list, k, status, ${setVar.get(a.nest)}, ${level})`;
          } else {
            value_ = 'mem.u8.slice(at, at + n)';
          }
          break;
        default:
          value_ = general(a);
      }
      cases.push(`      case ${value}:${note}`, `        if (out${K} !== undefined) break;`, `        out${K} = ${value_};`, '        continue;');
    }
    const fn = `set${sets.indexOf(set)}`;
    direct.push(...directSet(set, sets.indexOf(set), setVar, structFn, enumOf, imports, schemaImports));
    body.push(`  // attribute set ${set.name}`);
    body.push(`  const ${fn}: SetDecoder = (host, list, start, end, up, selected) => {`);
    body.push('    const out: Attributes = {};');
    if (needsLevel) body.push('    let here: DecodeLevel | null = null;');
    body.push('    const mem = host.codec.memory;');
    body.push('    const region = list.regionAddress;');
    body.push('    for (let k = start; k < end; k = list.next(k)) {');
    body.push('      const status = list.status(k);');
    body.push('      if (status !== STATUS_OK && status !== STATUS_BAD_NEST) throw list.error(k)!;');
    body.push('      const type = list.type(k);');
    body.push('      if (selected !== null && (type >= selected.length || selected[type] === 0)) continue;');
    if (cases.length) {
      body.push('      const at = region + list.offset(k) + NLA_HDRLEN;');
      body.push('      const n = list.length(k) - NLA_HDRLEN;');
      body.push('      switch (type) {', ...cases, '      }');
    }
    body.push('      host.unknown(out, list, k);');
    body.push('    }');
    body.push('    return out;');
    body.push('  };');
  }

  const bindName = `bind${exportName[0].toUpperCase()}${exportName.slice(1)}`;
  const head = [];
  head.push(`  const sets = [...family.sets.values()];`);
  head.push(`  const structs = [...family.structs.values()];`);
  sets.forEach((s, i) => {
    head.push(`  const ${setVar.get(s)} = sets[${i}]!; // ${s.name}`);
  });
  // Attribute tables only for the sets whose decoders reach the general path.
  const usedA = new Set([...[...body, ...direct].join('\n').matchAll(/\bA(\d+)\[/g)].map((m) => Number(m[1])));
  for (const i of [...usedA].sort((x, y) => x - y)) head.push(`  const A${i} = attrsByValue(S${i});`);
  const usedT = new Set([...body.join('\n').matchAll(/\bT(\d+)\b/g)].map((m) => Number(m[1])));
  for (const i of [...usedT].sort((x, y) => x - y)) head.push(`  const T${i} = structs[${i}]!; // ${structs[i].name}`);
  for (const [e, v] of enumVar) head.push(`  const ${v} = family.enums.get(${JSON.stringify(e.name)})!;`);

  const codecImports = ['NLA_HDRLEN', 'NLA_TYPE_MASK', 'STATUS_OK', 'STATUS_BAD_NEST'];
  if (direct.join('\n').includes('NLA_F_NET_BYTEORDER')) codecImports.splice(1, 0, 'NLA_F_NET_BYTEORDER');
  const out = [];
  out.push(`// Generated by scripts/gen-decoders.mjs from the ${family.name} spec (src/families/generated/${stem}.ts); do not edit.`);
  out.push('// Specialised decoders: the same results as the table-driven decoder of src/schema/decode.ts.');
  out.push('');
  out.push(`import type { Family } from '../../schema/compile.js';`);
  if (sets.length) out.push(`import type { Attributes } from '../../schema/decode.js';`);
  if (sets.length) out.push(`import { ${codecImports.join(', ')} } from '../../codec/constants.js';`);
  if (imports.has('decodeString')) out.push(`import { decodeString } from '../../codec/text.js';`);
  const fromValues = ['nameValue', 'readInt'].filter((n) => schemaImports.has(n));
  if (fromValues.length) out.push(`import { ${fromValues.join(', ')} } from '../../schema/values.js';`);
  if (schemaImports.has('decodeStruct')) out.push(`import { decodeStruct } from '../../schema/struct.js';`);
  const text = [...body, ...direct].join('\n');
  const runtimeImports = [
    ...(usedA.size ? ['attrsByValue'] : []), ...(imports.has('u64le') ? ['u64le'] : []),
    ...(sets.length ? ['keepUnknown', 'DIRECT_MAX_DEPTH', 'USE_INDEX'] : []),
    ...(text.includes('shortString(') ? ['shortString'] : []), ...(text.includes('copyBytes(') ? ['copyBytes'] : []),
    ...(text.includes('DecodeLevel') ? ['type DecodeLevel'] : []), 'type FamilyDecoders',
    ...(sets.length ? ['type SetDecoder', 'type DirectSetDecoder'] : []), ...(structs.length ? ['type StructDecoder'] : []),
  ];
  out.push(`import { ${runtimeImports.join(', ')} } from './runtime.js';`);
  out.push('');
  out.push(`/** The ${family.name} decoders, bound to the compiled schema of the spec. */`);
  out.push(`export function ${bindName}(family: Family): FamilyDecoders {`);
  out.push(...head);
  out.push(...body);
  out.push(...direct);
  out.push(`  return {`);
  out.push(`    sets: new Map([${sets.map((s, i) => `[${setVar.get(s)}, set${i}]`).join(', ')}]),`);
  out.push(`    direct: new Map([${sets.map((s, i) => `[${setVar.get(s)}, direct${i}]`).join(', ')}]),`);
  out.push(`    structs: new Map([${structs.map((s, i) => `[structs[${i}]!, struct${i}]`).join(', ')}]),`);
  out.push('  };');
  out.push('}');
  out.push('');
  return { text: out.join('\n'), bindName };
}

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'nlkit-gen-decoders-'));
  try {
    transpileRuntime(tmp);
    const { compileFamily } = await import(pathToFileURL(join(tmp, 'src/schema/compile.js')).href);
    const outputs = new Map();
    const entries = [];
    for (const [exportName, stem] of familyModules()) {
      const mod = await import(pathToFileURL(join(tmp, 'src/families/generated', `${stem}.js`)).href);
      const family = compileFamily(mod[exportName]);
      const { text, bindName } = familyModule(family, exportName, stem);
      outputs.set(join(outDir, `${stem}.ts`), text);
      entries.push({ exportName, stem, bindName });
    }
    const index = [
      '// Generated by scripts/gen-decoders.mjs; do not edit.',
      '// Every family spec with its specialised decoders, for src/schema/decode.ts to look up.',
      '',
      `import type { FamilySpec } from '../../schema/types.js';`,
      `import type { FamilyBinder } from './runtime.js';`,
      ...entries.map((e) => `import { ${e.exportName} } from '../generated/${e.stem}.js';`),
      ...entries.map((e) => `import { ${e.bindName} } from './${e.stem}.js';`),
      '',
      '/** Spec object → the binder of its decoders (a spec compiled from other data has none). */',
      'export const familyBinders: ReadonlyMap<FamilySpec, FamilyBinder> = new Map<FamilySpec, FamilyBinder>([',
      ...entries.map((e) => `  [${e.exportName}, ${e.bindName}],`),
      ']);',
      '',
    ].join('\n');
    outputs.set(join(outDir, 'index.ts'), index);

    let total = 0;
    for (const text of outputs.values()) total += text.length;
    if (checkOnly) {
      const stale = [...outputs].filter(([path, text]) => !existsSync(path) || readFileSync(path, 'utf8') !== text).map(([path]) => relative(root, path));
      if (stale.length) {
        console.error(`stale generated decoders (run node scripts/gen-decoders.mjs): ${stale.join(', ')}`);
        process.exitCode = 1;
        return;
      }
      console.log(`${outputs.size} generated decoder files are up to date (${Math.round(total / 1024)} KiB)`);
      return;
    }
    mkdirSync(outDir, { recursive: true });
    for (const [path, text] of outputs) writeFileSync(path, text);
    console.log(`wrote ${outputs.size} decoder files to ${relative(root, outDir)} (${Math.round(total / 1024)} KiB)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
