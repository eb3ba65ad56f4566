// Copies the freshly built native addon into prebuilds/<platform>-<arch>/,
// the copy that ships in the package for installs that cannot build (run at
// prepack). Builds first when native/build has no addon; fails loudly when
// there is none, or when the copy does not load.
//
//   node scripts/prebuild.mjs [--rebuild]

import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { buildAddon, builtAddon, prebuiltAddon } from './build-native.mjs';

function fail(message) {
  console.error(`prebuild: ${message}`);
  process.exit(1);
}

if (process.argv.includes('--rebuild') || !existsSync(builtAddon)) {
  const result = buildAddon({ verbose: true });
  if (!result.ok) fail(`could not build the native addon: ${result.reason}`);
}

mkdirSync(dirname(prebuiltAddon), { recursive: true });
copyFileSync(builtAddon, prebuiltAddon);

// The copy must be a loadable addon of the expected shape.
let addon;
try {
  addon = createRequire(import.meta.url)(prebuiltAddon);
} catch (e) {
  fail(`${prebuiltAddon} does not load: ${e.message}`);
}
if (typeof addon.NetlinkSocket !== 'function' || typeof addon.metaStride !== 'number') {
  fail(`${prebuiltAddon} is not the nlkit addon`);
}
console.log(`prebuild: ${prebuiltAddon}`);
