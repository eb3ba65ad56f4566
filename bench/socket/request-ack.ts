// Request/ack round trips per second: one small request (an RTM_SETLINK that
// changes nothing, with NLM_F_ACK) at a time, nlkit's NetlinkSocket over the
// native transport vs libmnl (request-ack.c, compiled here), both in the
// same namespace, alternating rounds. Ratio = nlkit / C (above 1: nlkit faster).
//
//   npx tsc -p tsconfig.json && node dist/bench/socket/request-ack.js [--count N]

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NETLINK_ROUTE } from '../../src/codec/index.js';
import { NetlinkSocket } from '../../src/socket/index.js';
import { openNative } from '../../src/transport/native.js';
import { packageRoot } from '../../src/transport/native-addon.js';
import { median } from '../report.js';

const RTM_SETLINK = 19;

export interface Figure {
  name: string;
  unit: string;
  nlkit: number;
  reference: number;
  ratio: number;
  referenceName: string;
}


export async function requestAckBenchmark(options: { count?: number; rounds?: number; quick?: boolean } = {}): Promise<Figure[]> {
  const count = options.count ?? (options.quick ? 5_000 : 50_000);
  const rounds = options.rounds ?? (options.quick ? 3 : 7);
  const ns = `nlkit-bench-ack-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-ack-'));
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const binary = join(dir, 'request-ack');
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', binary, join(packageRoot(), 'bench', 'socket', 'request-ack.c'), '-lmnl']);
    const sock = new NetlinkSocket(openNative(NETLINK_ROUTE, { netns: `/run/netns/${ns}` }));
    const header = new Uint8Array(16);
    new DataView(header.buffer).setInt32(4, 1, true);
    const spec = { type: RTM_SETLINK, header };
    for (let i = 0; i < 1000; i++) await sock.request(spec); // warm-up
    const nlkitRates: number[] = [];
    const cRates: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      for (let i = 0; i < count; i++) await sock.request(spec);
      nlkitRates.push(count / ((performance.now() - t) / 1000));
      const c = JSON.parse(execFileSync(binary, [`/run/netns/${ns}`, String(count)], { encoding: 'utf8' })) as { requests: number; seconds: number };
      cRates.push(c.requests / c.seconds);
    }
    sock.close();
    const nlkit = median(nlkitRates);
    const c = median(cRates);
    return [{ name: 'request/ack round trips (vs C libmnl)', unit: 'requests/s', nlkit, reference: c, ratio: nlkit / c, referenceName: 'C libmnl' }];
  } finally {
    execFileSync('ip', ['netns', 'delete', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, 'dist/'))) {
  const at = process.argv.indexOf('--count');
  const count = at > 0 ? Number(process.argv[at + 1]) : undefined;
  if (count !== undefined && !(Number.isInteger(count) && count > 0)) throw new Error('--count needs a positive integer');
  for (const f of await requestAckBenchmark({ quick: process.argv.includes('--quick'), ...(count !== undefined ? { count } : {}) })) {
    console.log(`${f.name}: nlkit ${Math.round(f.nlkit)} ${f.unit}, ${f.referenceName} ${Math.round(f.reference)} ${f.unit}, nlkit/${f.referenceName} = ${f.ratio.toFixed(2)}`);
  }
}
