// `nlkit view [FILE]`: serves the built viewer (web/dist/index.html) on the
// loopback address and, given a capture, serves that file too and hands the
// page its address (?capture=...), so the page opens it at start. Nothing
// else on disk is reachable through the server.
//
//   GET /                       the viewer page
//   GET /capture/<file name>    the capture (only when one was given)

import { createReadStream, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgumentError } from '../codec/errors.js';

export interface ViewerServer {
  /** The page's address, with ?capture=... when a file is served. */
  url: string;
  close(): Promise<void>;
}

export interface ServeViewerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Address to listen on; 127.0.0.1 by default. */
  host?: string;
}

/** web/dist/index.html, looked for above this module (src/cli/ in the sources, dist/src/cli/ when compiled). */
export function viewerPagePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const page = join(dir, 'web', 'dist', 'index.html');
    if (existsSync(page)) return page;
    dir = dirname(dir);
  }
  throw new Error('the viewer is not built: web/dist/index.html is missing (run `node scripts/build-web.mjs`)');
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export async function serveViewer(file: string | null, options: ServeViewerOptions = {}): Promise<ViewerServer> {
  const port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ArgumentError(`port ${String(port)} is not a TCP port (0..65535)`);
  let capture: { path: string; name: string } | null = null;
  if (file !== null) {
    const path = resolve(file);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new ArgumentError(`capture ${file} does not exist or cannot be read`);
    }
    if (!stat.isFile()) throw new ArgumentError(`capture ${file} is not a file`);
    capture = { path, name: basename(path) };
  }
  const page = await readFile(viewerPagePath());
  const capturePath = capture ? `/capture/${encodeURIComponent(capture.name)}` : null;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page.length, ...SECURITY_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : page);
      return;
    }
    if (capture && path === capturePath) {
      let size: number;
      try {
        size = statSync(capture.path).size;
      } catch {
        res.writeHead(410, { 'content-type': 'text/plain', ...SECURITY_HEADERS }).end('the capture file is gone');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size, ...SECURITY_HEADERS });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = createReadStream(capture.path);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain', ...SECURITY_HEADERS }).end('not found');
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostInUrl}:${address.port}/${capturePath ? `?capture=${encodeURIComponent(capturePath)}` : ''}`;
  return {
    url,
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((e) => (e ? fail(e) : done()));
        server.closeAllConnections();
      }),
  };
}
