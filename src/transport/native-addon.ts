// Finding and loading the native addon (native/, built by node-gyp).
//
// Looked for, relative to the package root, in this order:
//   native/build/Release/nlkit_native.node           built here (install script or by hand)
//   prebuilds/<platform>-<arch>/nlkit_native.node    shipped in the package
// The package root is found from this file's URL, so the same code works when
// run from src/ (tests) and from dist/src/ (the published build).

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NlkitError } from '../codec/errors.js';
import { RECV_META_STRIDE } from './transport.js';

/** The addon's socket object (native/src/netlink_socket.h). Errors it throws carry errno and syscall. */
export interface NativeSocketHandle {
  fd(): number;
  bind(portId: number, groups: number): void;
  address(): { portId: number; groups: number };
  send(datagram: Uint8Array, portId: number, groups: number): number;
  sendBatch(data: Uint8Array, lengths: Uint32Array, count: number, portId: number, groups: number): number;
  /** Returns datagrams * 2 + (overrun ? 1 : 0). */
  receive(region: Uint8Array, slotSize: number, slots: number, meta: Uint32Array): number;
  setOption(level: number, name: number, value: number): void;
  getOption(level: number, name: number): number;
  /** Group mask words: bit j of word i is group 32 * i + j + 1. */
  memberships(): Uint32Array;
  setReadableHandler(handler: (() => void) | null): void;
  close(): void;
}

export interface NativeAddon {
  NetlinkSocket: new (protocol: number, netns?: string | number) => NativeSocketHandle;
  metaStride: number;
  maxMessagesPerCall: number;
  /** This platform's SOL_SOCKET option numbers. */
  constants: { SOL_SOCKET: number; SO_RCVBUF: number; SO_RCVBUFFORCE: number; SO_SNDBUF: number; SO_PASSCRED: number };
}

export const ADDON_FILE = 'nlkit_native.node';

/** The package root: the nearest directory upwards holding nlkit's package.json. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'nlkit') return dir;
      } catch {
        // Not ours, or unreadable: keep looking upwards.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // No manifest found: assume the source layout (src/transport/ is two levels down).
  return join(from, '..', '..');
}

/** Where the addon is looked for, in order. */
export function addonPaths(root: string = packageRoot()): { built: string; prebuilt: string } {
  return {
    built: join(root, 'native', 'build', 'Release', ADDON_FILE),
    prebuilt: join(root, 'prebuilds', `${process.platform}-${process.arch}`, ADDON_FILE),
  };
}

let loaded: NativeAddon | null = null;

/** Loads the addon once; throws NlkitError ERR_NLKIT_NO_ADDON naming both paths when neither works. */
export function loadNativeAddon(): NativeAddon {
  loaded ??= loadAddonFrom(packageRoot());
  return loaded;
}

/** Loads the addon of the package at `root` (uncached; node caches the module itself). */
export function loadAddonFrom(root: string): NativeAddon {
  const { built, prebuilt } = addonPaths(root);
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const path of [built, prebuilt]) {
    if (!existsSync(path)) {
      failures.push(`${path}: not found`);
      continue;
    }
    let addon: NativeAddon;
    try {
      addon = require(path) as NativeAddon;
    } catch (e) {
      failures.push(`${path}: ${(e as Error).message}`);
      continue;
    }
    if (addon.metaStride !== RECV_META_STRIDE) {
      failures.push(`${path}: built for ${addon.metaStride} metadata words per datagram, this code uses ${RECV_META_STRIDE} (rebuild it)`);
      continue;
    }
    return addon;
  }
  throw new NlkitError(
    'ERR_NLKIT_NO_ADDON',
    `the native netlink addon is not available (build it with \`npx node-gyp rebuild --directory native\`):\n  ${failures.join('\n  ')}`,
  );
}
