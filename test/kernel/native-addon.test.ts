// Finding the native addon: the package root from source and from dist
// layouts, the built addon before the prebuilt one, and a clear error naming
// both places when neither is there.

import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NlkitError } from '../../src/codec/index.js';
import { addonPaths, loadAddonFrom, loadNativeAddon, packageRoot } from '../../src/transport/native-addon.js';

describe('native addon loader', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nlkit-addon-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the package root from src/ and from dist/src/', () => {
    const pkg = join(dir, 'pkg');
    mkdirSync(join(pkg, 'src', 'transport'), { recursive: true });
    mkdirSync(join(pkg, 'dist', 'src', 'transport'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'nlkit' }));
    // A package.json that is not nlkit's (here: dist/src/) is passed over.
    writeFileSync(join(pkg, 'dist', 'src', 'package.json'), JSON.stringify({ type: 'module' }));
    expect(packageRoot(join(pkg, 'src', 'transport'))).toBe(pkg);
    expect(packageRoot(join(pkg, 'dist', 'src', 'transport'))).toBe(pkg);
    expect(addonPaths(pkg)).toEqual({
      built: join(pkg, 'native', 'build', 'Release', 'nlkit_native.node'),
      prebuilt: join(pkg, 'prebuilds', `${process.platform}-${process.arch}`, 'nlkit_native.node'),
    });
  });

  it('throws ERR_NLKIT_NO_ADDON naming both paths when neither exists', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    let error: unknown;
    try {
      loadAddonFrom(empty);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NlkitError);
    expect((error as NlkitError).code).toBe('ERR_NLKIT_NO_ADDON');
    const { built, prebuilt } = addonPaths(empty);
    expect((error as Error).message).toContain(built);
    expect((error as Error).message).toContain(prebuilt);
  });

  it('falls back to the prebuilt addon, and reports one that does not load', () => {
    const real = loadNativeAddon(); // the one built in this checkout
    expect(typeof real.NetlinkSocket).toBe('function');
    const shipped = join(dir, 'shipped');
    const { built, prebuilt } = addonPaths(shipped);
    mkdirSync(join(prebuilt, '..'), { recursive: true });
    copyFileSync(addonPaths().built, prebuilt);
    expect(loadAddonFrom(shipped).metaStride).toBe(real.metaStride);

    mkdirSync(join(built, '..'), { recursive: true });
    writeFileSync(built, 'not an addon');
    const broken = join(dir, 'broken');
    const paths = addonPaths(broken);
    mkdirSync(join(paths.built, '..'), { recursive: true });
    writeFileSync(paths.built, 'not an addon');
    // The broken build is skipped for the good prebuilt one ...
    expect(loadAddonFrom(shipped).metaStride).toBe(real.metaStride);
    // ... and without a prebuilt one the error says why the build failed.
    expect(() => loadAddonFrom(broken)).toThrow(expect.objectContaining({ code: 'ERR_NLKIT_NO_ADDON' }));
    expect(() => loadAddonFrom(broken)).toThrow(paths.built);
  });
});
