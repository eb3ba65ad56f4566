// Builds the native addon (native/ -> native/build/Release/nlkit_native.node)
// with node-gyp. As the package's install script it must never fail the
// install: without node-gyp, node-addon-api or a compiler it falls back to the
// prebuilt addon in prebuilds/<platform>-<arch>/ and says so in one line.
//
//   node scripts/build-native.mjs [--verbose] [--required]
//
//   --verbose   show node-gyp's output
//   --required  exit 1 when the build fails (for builds where the addon must be fresh)
//
// NLKIT_SKIP_NATIVE_BUILD=1 skips the build (the prebuilt addon is used).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const builtAddon = join(root, 'native', 'build', 'Release', 'nlkit_native.node');
export const prebuiltAddon = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'nlkit_native.node');

const require = createRequire(import.meta.url);

function resolveOrNull(id) {
  try {
    return require.resolve(id);
  } catch {
    return null;
  }
}

/** The node-gyp entry script: the one npm runs install scripts with, else a local install. */
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  const local = resolveOrNull('node-gyp/bin/node-gyp.js');
  if (local) return local;
  // npm's own copy, next to the npm that runs this node.
  const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return existsSync(bundled) ? bundled : null;
}

/**
 * Runs node-gyp on native/. Returns { ok: true } or { ok: false, reason }.
 */
export function buildAddon({ verbose = false } = {}) {
  if (process.platform !== 'linux') return { ok: false, reason: `netlink exists only on Linux, not ${process.platform}` };
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) return { ok: false, reason: 'node-gyp is not available' };
  if (!resolveOrNull('node-addon-api')) return { ok: false, reason: 'node-addon-api is not installed' };
  // Headers next to this node (distribution packages, official tarballs)
  // spare node-gyp a download; npm passes its own nodedir setting otherwise.
  const args = [];
  const prefix = join(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  // configure + build rather than rebuild: a failed attempt leaves a working
  // earlier build in place.
  for (const command of ['configure', 'build']) {
    const result = spawnSync(process.execPath, [nodeGyp, command, '--directory', join(root, 'native'), ...args], {
      cwd: root,
      stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    if (result.error) return { ok: false, reason: result.error.message };
    if (result.status !== 0) {
      const output = `${result.stderr ?? ''}`.split('\n').filter((line) => /error/i.test(line)).slice(0, 2).join('; ');
      return { ok: false, reason: `node-gyp ${command} failed (exit ${result.status})${output ? `: ${output}` : ''}` };
    }
  }
  if (!existsSync(builtAddon)) return { ok: false, reason: `node-gyp succeeded but ${builtAddon} is missing` };
  return { ok: true };
}

function main() {
  const verbose = process.argv.includes('--verbose');
  const required = process.argv.includes('--required');
  const skip = process.env.NLKIT_SKIP_NATIVE_BUILD === '1';
  const result = skip ? { ok: false, reason: 'NLKIT_SKIP_NATIVE_BUILD=1' } : buildAddon({ verbose });
  if (result.ok) {
    if (verbose) console.log(`nlkit: built ${builtAddon}`);
    return;
  }
  if (required) {
    console.error(`nlkit: could not build the native addon: ${result.reason}`);
    process.exitCode = 1;
    return;
  }
  if (existsSync(prebuiltAddon)) {
    if (!skip) console.warn(`nlkit: native addon not built (${result.reason}); using the prebuilt ${prebuiltAddon}`);
  } else {
    console.warn(`nlkit: native addon not built (${result.reason}) and no prebuilt one for ${process.platform}-${process.arch}; ` +
      'the codec and the loopback transport work, the native transport will not');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
