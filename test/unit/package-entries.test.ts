// The package's entry points: each one named in package.json exists after the
// build, and the ones the README calls browser-safe bundle for a browser
// (no Node built-in anywhere in their import graph).

import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, { types: string; default: string }>;
};
const root = new URL('../../', import.meta.url);
const BROWSER_SAFE = ['./codec', './schema', './trace'];

describe('package entry points', () => {
  test('every export exists in the build, with its types', () => {
    for (const [name, entry] of Object.entries(pkg.exports)) {
      expect(existsSync(new URL(entry.default, root)), `${name} → ${entry.default}`).toBe(true);
      expect(existsSync(new URL(entry.types, root)), `${name} → ${entry.types}`).toBe(true);
    }
  });

  for (const name of BROWSER_SAFE) {
    test(`${name} bundles for a browser`, async () => {
      const entry = pkg.exports[name]!;
      const result = await build({
        entryPoints: [new URL(entry.default, root).pathname], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent',
      });
      expect(result.errors).toEqual([]);
      expect(result.outputFiles[0]!.text).not.toMatch(/from\s*["']node:/);
    });
  }
});
