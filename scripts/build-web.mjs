// Builds the browser viewer into one self-contained page, web/dist/index.html:
// the worker is bundled first and inlined into the page's script as a string
// (started from a Blob URL), and the script and styles are inlined into the
// HTML. The page therefore needs no other file, opened from a server or from
// disk (file://). The WASM codec travels inside the worker bundle (base64).
//
//   node scripts/build-web.mjs            build
//   node scripts/build-web.mjs --sourcemap  with inline source maps

import { build } from 'esbuild';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const out = join(web, 'dist');
const sourcemap = process.argv.includes('--sourcemap') ? 'inline' : false;

const common = {
  bundle: true,
  write: false,
  format: 'iife',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap,
  legalComments: 'none',
  keepNames: true, // error class names (TruncatedError, MalformedError) are shown to the user
  logLevel: 'warning',
};

async function bundle(entry, define = {}) {
  const result = await build({ ...common, entryPoints: [join(web, 'src', entry)], define });
  return result.outputFiles[0].text;
}

/** Text that may sit inside an inline <script> without closing it. */
function scriptSafe(js) {
  return js.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

export async function buildWeb() {
  const started = performance.now();
  const worker = await bundle('worker.ts');
  const viewer = await bundle('main.ts', { __NLKIT_WORKER_SOURCE__: JSON.stringify(worker) });
  const css = await readFile(join(web, 'styles.css'), 'utf8');
  let html = await readFile(join(web, 'index.html'), 'utf8');
  const link = '<link rel="stylesheet" href="styles.css">';
  const script = '<script type="module" src="src/main.ts"></script>';
  if (!html.includes(link) || !html.includes(script)) throw new Error('web/index.html no longer has the stylesheet link and script tag this build replaces');
  html = html.replace(link, () => `<style>\n${css}</style>`).replace(script, () => `<script>${scriptSafe(viewer)}</script>`);
  await mkdir(out, { recursive: true });
  const file = join(out, 'index.html');
  // Written aside and renamed: a server reading the page meanwhile never sees half of it.
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, html);
  await rename(partial, file);
  return { file, bytes: Buffer.byteLength(html), workerBytes: worker.length, viewerBytes: viewer.length - worker.length, ms: performance.now() - started };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await buildWeb();
  console.log(`web/dist/index.html: ${(r.bytes / 1024).toFixed(0)} KiB (worker ${(r.workerBytes / 1024).toFixed(0)} KiB) in ${r.ms.toFixed(0)} ms`);
}
