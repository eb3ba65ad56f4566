// serveViewer: the page and the named capture on the loopback address,
// nothing else.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/codec/errors.js';
import { serveViewer, type ViewerServer } from '../../src/cli/view.js';
import { fixturePcapng } from './capture-fixture.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const CAPTURE = join(ARTIFACTS, 'serve fixture.pcapng');

describe('serveViewer', () => {
  let server: ViewerServer;
  const bytes = fixturePcapng();

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'pipe' });
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(CAPTURE, bytes);
    server = await serveViewer(CAPTURE, {});
  });
  afterAll(async () => {
    await server?.close();
  });

  it('listens on 127.0.0.1 and names the capture in the page address', () => {
    const url = new URL(server.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.searchParams.get('capture')).toBe('/capture/serve%20fixture.pcapng');
  });

  it('serves the self-contained page', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<style>');
    expect(html).not.toContain('src="src/main.ts"');
    expect(html).not.toContain('href="styles.css"');
  });

  it('serves the capture byte for byte', async () => {
    const url = new URL(new URL(server.url).searchParams.get('capture')!, server.url);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  it('serves nothing else', async () => {
    for (const path of ['/package.json', '/../package.json', '/%2e%2e/package.json', '/capture/other.pcapng', '/web/index.html']) {
      const res = await fetch(new URL(path, server.url));
      expect(res.status, path).toBe(404);
    }
    const post = await fetch(server.url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });

  it('serves the page alone when no file is given', async () => {
    const bare = await serveViewer(null, { port: 0 });
    try {
      expect(new URL(bare.url).search).toBe('');
      expect((await fetch(bare.url)).status).toBe(200);
      expect((await fetch(new URL('/capture/serve%20fixture.pcapng', bare.url))).status).toBe(404);
    } finally {
      await bare.close();
    }
  });

  it('rejects a missing capture and a bad port with ArgumentError', async () => {
    await expect(serveViewer(join(ARTIFACTS, 'no-such-file.pcap'), {})).rejects.toBeInstanceOf(ArgumentError);
    await expect(serveViewer(ARTIFACTS, {})).rejects.toThrow(/is not a file/);
    await expect(serveViewer(null, { port: 70000 })).rejects.toBeInstanceOf(ArgumentError);
  });
});
