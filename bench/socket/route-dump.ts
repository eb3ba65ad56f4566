// Route dump benchmark: 20,000 IPv4 routes in a namespace made for it,
// dumped and decoded to objects (addresses as text), side by side in one run:
//   nlkit     rtnl routes.list (the typed API) over the native transport, in process
//   C         libmnl (route-dump.c, compiled here), in process
//   ip -j     `ip -n NS -j route show`, the whole process (iproute2's JSON output)
//   hand      a hand-written decode of the same dump (the floor for JavaScript)
// Ratios are reference time / nlkit time (above 1: nlkit faster).
//
//   npx tsc -p tsconfig.json && node dist/bench/socket/route-dump.js [--routes N] [--rounds N]

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NETLINK_ROUTE } from '../../src/codec/index.js';
import { NetlinkSocket } from '../../src/socket/index.js';
import { openNative } from '../../src/transport/native.js';
import { packageRoot } from '../../src/transport/native-addon.js';
import { routes } from '../../src/families/rtnetlink/index.js';
import { median } from '../report.js';

const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;
const RTA = { DST: 1, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, TABLE: 15 } as const;

export interface Route {
  table: number; oif: number; priority: number; protocol: number; scope: number; type: number;
  dstLength: number; dst: string; gateway: string; prefsrc: string;
}

export interface Figure {
  name: string;
  unit: string;
  nlkit: number;
  reference: number;
  ratio: number;
  referenceName: string;
}

function ipv4(u8: Uint8Array, at: number, length: number): string {
  return length === 4 ? `${u8[at]}.${u8[at + 1]}.${u8[at + 2]}.${u8[at + 3]}` : '';
}

/** Dumps the IPv4 routes through the typed API (every table, as the C reference does). */
export function dumpRoutes(sock: NetlinkSocket): Promise<unknown[]> {
  return routes.list(sock, { family: 4, table: 'all' }, { onInterrupted: 'ignore' });
}

/** Dumps the IPv4 routes and decodes each to a Route by hand: the reference for the typed decode. */
export async function dumpRoutesByHand(sock: NetlinkSocket): Promise<Route[]> {
  const routes: Route[] = [];
  const header = Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  for await (const part of sock.dumpBatches({ type: RTM_GETROUTE, header }, { onInterrupted: 'ignore' })) {
    const batch = part.batch;
    const all = batch.attributesAll(12);
    const u8 = sock.codec.memory.u8;
    for (let k = 0; k < part.count; k++) {
      const i = part.indices[k]!;
      if (batch.type(i) !== RTM_NEWROUTE) continue;
      const at = batch.regionAddress + batch.offset(i) + 16;
      const route: Route = {
        table: u8[at + 4]!, oif: 0, priority: 0, protocol: u8[at + 5]!, scope: u8[at + 6]!, type: u8[at + 7]!,
        dstLength: u8[at + 1]!, dst: '', gateway: '', prefsrc: '',
      };
      const end = all.end(i);
      for (let j = all.first(i); j < end; j = all.next(j)) {
        switch (all.type(j)) {
          case RTA.TABLE: route.table = all.u32(j); break;
          case RTA.OIF: route.oif = all.u32(j); break;
          case RTA.PRIORITY: route.priority = all.u32(j); break;
          case RTA.DST: route.dst = ipv4(u8, all.payloadAddress(j), all.payloadLength(j)); break;
          case RTA.GATEWAY: route.gateway = ipv4(u8, all.payloadAddress(j), all.payloadLength(j)); break;
          case RTA.PREFSRC: route.prefsrc = ipv4(u8, all.payloadAddress(j), all.payloadLength(j)); break;
        }
      }
      routes.push(route);
    }
  }
  return routes;
}


export async function routeDumpBenchmark(options: { routes?: number; rounds?: number } = {}): Promise<Figure[]> {
  const count = options.routes ?? 20_000;
  const rounds = options.rounds ?? 15;
  const ns = `nlkit-bench-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-route-'));
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['-n', ns, '-batch', '-'], {
      input: ['link add rb0 type veth peer name rb1', 'addr add 10.255.0.1/16 dev rb0', 'link set rb0 up', 'link set lo up',
        ...Array.from({ length: count }, (_, i) => `route add 10.${i >> 8}.${i & 255}.0/24 via 10.255.0.2`)].join('\n'),
    });
    const binary = join(dir, 'route-dump');
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', binary, join(packageRoot(), 'bench', 'socket', 'route-dump.c'), '-lmnl']);

    // Alternate the three so that machine noise falls on all of them alike.
    const nlkitTimes: number[] = [];
    const handTimes: number[] = [];
    const cTimes: number[] = [];
    const ipTimes: number[] = [];
    let seen = 0;
    for (let r = 0; r < rounds; r++) {
      const sock = new NetlinkSocket(openNative(NETLINK_ROUTE, { netns: `/run/netns/${ns}` }));
      if (r === 0) {
        await dumpRoutes(sock); // warm-up
        await dumpRoutesByHand(sock);
      }
      // The two JavaScript decodes take turns going first.
      let list: unknown[] = [];
      let byHand: Route[] = [];
      for (const which of r % 2 ? ['hand', 'typed'] : ['typed', 'hand']) {
        const t = performance.now();
        if (which === 'typed') {
          list = await dumpRoutes(sock);
          nlkitTimes.push(performance.now() - t);
        } else {
          byHand = await dumpRoutesByHand(sock);
          handTimes.push(performance.now() - t);
        }
      }
      seen = list.length;
      if (byHand.length !== seen) throw new Error(`the hand-written decode saw ${byHand.length} routes, the typed one ${seen}`);
      sock.close();
      const c = JSON.parse(execFileSync(binary, [`/run/netns/${ns}`, '3'], { encoding: 'utf8' })) as { routes: number; median: number };
      if (c.routes !== seen) throw new Error(`C saw ${c.routes} routes, nlkit ${seen}`);
      cTimes.push(c.median * 1000);
      const t2 = performance.now();
      execFileSync('ip', ['-n', ns, '-j', 'route', 'show'], { maxBuffer: 64 << 20 });
      ipTimes.push(performance.now() - t2);
    }
    const nlkit = median(nlkitTimes);
    const hand = median(handTimes);
    const c = median(cTimes);
    const ip = median(ipTimes);
    return [
      { name: `route dump + decode, ${seen} routes (vs hand-written JS decode)`, unit: 'ms', nlkit, reference: hand, ratio: hand / nlkit, referenceName: 'hand-written JS decode' },
      { name: `route dump + decode, ${seen} routes (vs C libmnl, in process)`, unit: 'ms', nlkit, reference: c, ratio: c / nlkit, referenceName: 'C libmnl' },
      { name: `route dump + decode, ${seen} routes (vs ip -j route, whole process)`, unit: 'ms', nlkit, reference: ip, ratio: ip / nlkit, referenceName: 'ip -j route (process)' },
    ];
  } finally {
    execFileSync('ip', ['netns', 'delete', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, 'dist/'))) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const figures = await routeDumpBenchmark({ routes: arg('--routes'), rounds: arg('--rounds') });
  for (const f of figures) {
    console.log(`${f.name}: nlkit ${f.nlkit.toFixed(2)} ${f.unit}, ${f.referenceName} ${f.reference.toFixed(2)} ${f.unit}, ${f.referenceName}/nlkit = ${f.ratio.toFixed(2)}`);
  }
}
