// NativeTransport's life cycle: readiness callbacks (level-triggered, never
// after close, overruns included), closing in every state, bad arguments,
// and failures inside callbacks or at collection that must not crash.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { ArgumentError, NetlinkError, NETLINK_ROUTE, NETLINK_USERSOCK } from '../../src/codec/index.js';
import { openNative, type NativeTransport } from '../../src/transport/native.js';
import { addonPaths } from '../../src/transport/native-addon.js';
import { RECV_META_STRIDE, type ReceiveRegion } from '../../src/transport/transport.js';

/** Lets the event loop go round `n` times (each round polls for I/O). */
async function loopRounds(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 20));
}

function region(slots: number, slotSize = 2048): ReceiveRegion {
  return { region: new Uint8Array(slots * slotSize), slotSize, slots, meta: new Uint32Array(slots * RECV_META_STRIDE) };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

const payload = new Uint8Array(32);

describeKernel('native transport: life cycle and misuse', () => {
  let ns: TestNetns;
  const sockets: NativeTransport[] = [];
  const open = (protocol = NETLINK_USERSOCK): NativeTransport => {
    const t = openNative(protocol, { netns: ns.name });
    sockets.push(t);
    return t;
  };
  const to = (t: NativeTransport) => ({ portId: t.address().portId, groups: 0 });

  beforeAll(() => {
    ns = TestNetns.create('nlkit-life');
  });
  afterEach(() => {
    for (const t of sockets.splice(0)) t.close();
  });
  afterAll(() => ns?.remove());

  it('opens the socket non-blocking and close-on-exec', () => {
    const t = open();
    const flags = /flags:\s*([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${t.fd}`, 'utf8'))![1]!;
    const value = parseInt(flags, 8);
    expect(value & 0o4000).toBe(0o4000); // O_NONBLOCK
    expect(value & 0o2000000).toBe(0o2000000); // O_CLOEXEC
  });

  it('calls the readable handler asynchronously, again while datagrams remain, then stops', async () => {
    const a = open();
    const b = open();
    for (let i = 0; i < 3; i++) a.send(payload, to(b));
    const into = region(1);
    let calls = 0;
    let received = 0;
    b.setReadableHandler(() => {
      calls++;
      received += b.receive(into).datagrams; // one datagram per call: level-triggered does the rest
    });
    expect(calls).toBe(0);
    await loopRounds(6);
    expect(received).toBe(3);
    expect(calls).toBe(3);
    // Nothing waiting: no more calls until something arrives.
    await loopRounds(3);
    expect(calls).toBe(3);
    a.send(payload, to(b));
    await loopRounds(3);
    expect(received).toBe(4);
    expect(calls).toBe(4);
  });

  it('stops calling once the handler is set to null, and resumes with a new one', async () => {
    const a = open();
    const b = open();
    let first = 0;
    b.setReadableHandler(() => first++);
    b.setReadableHandler(null);
    a.send(payload, to(b));
    await loopRounds(3);
    expect(first).toBe(0);
    let second = 0;
    b.setReadableHandler(() => {
      second += b.receive(region(4)).datagrams;
    });
    await loopRounds(3);
    expect(second).toBe(1);
    expect(first).toBe(0);
  });

  it('never calls back after close, even with datagrams waiting', async () => {
    const a = open();
    const b = open();
    a.send(payload, to(b));
    let calls = 0;
    b.setReadableHandler(() => calls++);
    b.close();
    await loopRounds(4);
    expect(calls).toBe(0);
    expect(b.closed).toBe(true);
  });

  it('may be closed inside its own readable handler', async () => {
    const a = open();
    const b = open();
    const address = to(b);
    for (let i = 0; i < 5; i++) a.send(payload, address);
    let calls = 0;
    b.setReadableHandler(() => {
      calls++;
      b.receive(region(1)); // leaves four waiting
      b.close();
      b.close();
    });
    await loopRounds(4);
    expect(calls).toBe(1);
    expect(b.closed).toBe(true);
    expect(thrown(() => a.send(payload, address))).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('may replace its handler from inside the handler', async () => {
    const a = open();
    const b = open();
    for (let i = 0; i < 2; i++) a.send(payload, to(b));
    const order: string[] = [];
    b.setReadableHandler(() => {
      order.push('first');
      b.receive(region(1));
      b.setReadableHandler(() => {
        order.push('second');
        b.receive(region(1));
      });
    });
    await loopRounds(5);
    expect(order).toEqual(['first', 'second']);
  });

  it('keeps calling the handler through an overrun, which receive reports', async () => {
    const sender = open();
    const receiver = open();
    receiver.addMembership(1);
    receiver.setOption('receiveBuffer', 4096);
    const into = region(16);
    let overruns = 0;
    let received = 0;
    receiver.setReadableHandler(() => {
      for (;;) {
        const r = receiver.receive(into);
        if (r.overrun) overruns++;
        received += r.datagrams;
        if (r.datagrams === 0 && !r.overrun) return;
      }
    });
    const flood = () => {
      for (let i = 0; i < 300; i++) {
        try {
          sender.send(payload, { portId: 0, groups: 1 });
        } catch (e) {
          if (!(e instanceof NetlinkError && e.code === 'ECONNREFUSED')) throw e;
        }
      }
    };
    flood();
    await loopRounds(4);
    expect(overruns).toBe(1);
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(300);
    // The poll survived the socket error: later datagrams still wake the handler.
    const before = received;
    sender.send(payload, { portId: receiver.address().portId, groups: 0 });
    await loopRounds(4);
    expect(received).toBe(before + 1);
    flood();
    await loopRounds(4);
    expect(overruns).toBe(2);
  });

  it('is closed idempotently, and every later call is NetlinkError EBADF', () => {
    const t = open();
    t.close();
    t.close();
    expect(t.closed).toBe(true);
    expect(t.fd).toBe(-1);
    const calls: Array<[string, () => unknown]> = [
      ['getsockname', () => t.address()],
      ['sendmsg', () => t.send(payload)],
      ['sendmmsg', () => t.sendBatch(payload, [32])],
      ['recvmmsg', () => t.receive(region(1))],
      ['poll', () => t.setReadableHandler(() => {})],
      ['setsockopt', () => t.setOption('receiveBuffer', 4096)],
      ['getsockopt', () => t.getOption('receiveBuffer')],
      ['setsockopt', () => t.addMembership(1)],
      ['setsockopt', () => t.dropMembership(1)],
      ['getsockopt', () => t.memberships()],
    ];
    for (const [operation, call] of calls) {
      const error = thrown(call);
      expect(error).toBeInstanceOf(NetlinkError);
      expect(error).toMatchObject({ code: 'EBADF', errno: 9, operation });
    }
  });

  it('rejects bad arguments with ArgumentError and keeps working', () => {
    const t = open();
    const bad: Array<() => unknown> = [
      () => t.receive({ ...region(4), slots: 5 }), // slots past the region
      () => t.receive({ ...region(4), meta: new Uint32Array(RECV_META_STRIDE * 3) }), // meta too small
      () => t.receive({ ...region(4), slotSize: 0 }),
      () => t.receive({ ...region(4), slotSize: -1 }),
      () => t.receive({ ...region(4), slots: 1.5 }),
      () => t.receive({ ...region(4), region: [1, 2, 3] as unknown as Uint8Array }),
      () => t.receive({ ...region(4), meta: new Int32Array(40) as unknown as Uint32Array }),
      () => t.receive(null as unknown as ReceiveRegion),
      () => t.send('hello' as unknown as Uint8Array),
      () => t.send(payload, { portId: -1, groups: 0 }),
      () => t.send(payload, { portId: 1, groups: 2 ** 32 }),
      () => t.sendBatch(payload, [16, 17]), // more than given
      () => t.sendBatch(payload, [-1]),
      () => t.sendBatch(payload, [Number.NaN]),
      () => t.setOption('receiveBuffer', -5),
      () => t.setOption('noSuchOption' as 'receiveBuffer', 1),
      () => t.getOption('toString' as 'receiveBuffer'),
      () => t.addMembership(2.5),
      () => t.addMembership(-1),
      () => t.setReadableHandler('go' as unknown as () => void),
      () => openNative(-1),
      () => openNative(NETLINK_ROUTE, { netns: {} as unknown as string }),
      () => openNative(NETLINK_ROUTE, { netns: '..' }),
      () => openNative(NETLINK_ROUTE, { portId: -3, netns: ns.name }),
    ];
    for (const call of bad) expect(thrown(call)).toBeInstanceOf(ArgumentError);
    // Group 0 is a valid u32 that the kernel refuses, as the contract suite checks.
    expect(thrown(() => t.addMembership(0))).toMatchObject({ code: 'EINVAL', operation: 'setsockopt' });
    expect(t.closed).toBe(false);
    t.send(payload, to(t));
    expect(t.receive(region(2)).datagrams).toBe(1);
  });

  it('reports namespace and protocol failures as NetlinkError with the failing call', () => {
    expect(thrown(() => openNative(NETLINK_ROUTE, { netns: 'nlkit-no-such-namespace' })))
      .toMatchObject({ code: 'ENOENT', operation: 'open' });
    // A file that is not a namespace.
    expect(thrown(() => openNative(NETLINK_ROUTE, { netns: '/proc/self/status' })))
      .toMatchObject({ code: 'EINVAL', operation: 'setns' });
    expect(thrown(() => openNative(NETLINK_ROUTE, { netns: 1_000_000 })))
      .toMatchObject({ code: 'EBADF', operation: 'setns' });
    expect(thrown(() => openNative(31, { netns: ns.name })))
      .toMatchObject({ code: 'EPROTONOSUPPORT', operation: 'socket' });
  });

  it('a throwing handler is an uncaught exception of the process, not a crash, and polling goes on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-native-'));
    try {
      const script = join(dir, 'throwing-handler.cjs');
      writeFileSync(script, `
        const { NetlinkSocket } = require(${JSON.stringify(addonPaths().built)});
        const a = new NetlinkSocket(${NETLINK_USERSOCK}, ${JSON.stringify(ns.name)});
        const b = new NetlinkSocket(${NETLINK_USERSOCK}, ${JSON.stringify(ns.name)});
        a.bind(0, 0); b.bind(0, 0);
        const region = new Uint8Array(4096), meta = new Uint32Array(${RECV_META_STRIDE});
        const caught = [];
        let calls = 0;
        process.on('uncaughtException', (e) => caught.push(e.message));
        b.setReadableHandler(() => {
          calls++;
          b.receive(region, 4096, 1, meta);
          if (calls === 1) { a.send(new Uint8Array(16), b.address().portId, 0); throw new Error('handler failed'); }
          b.close(); a.close();
          process.stdout.write(JSON.stringify({ calls, caught }));
        });
        a.send(new Uint8Array(16), b.address().portId, 0);
      `);
      const out = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
      expect(JSON.parse(out)).toEqual({ calls: 2, caught: ['handler failed'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('survives a worker that ends with a busy socket, and a process exit with one polling', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-native-'));
    try {
      const script = join(dir, 'teardown.cjs');
      writeFileSync(script, `
        const { Worker, isMainThread } = require('node:worker_threads');
        const { NetlinkSocket } = require(${JSON.stringify(addonPaths().built)});
        const netns = ${JSON.stringify(ns.name)};
        const open = () => { const s = new NetlinkSocket(${NETLINK_USERSOCK}, netns); s.bind(0, 0); return s; };
        if (isMainThread) {
          const worker = new Worker(__filename);
          worker.on('message', () => worker.terminate().then((code) => {
            const s = open();
            s.setReadableHandler(() => {});
            s.send(new Uint8Array(16), s.address().portId, 0);
            setTimeout(() => { process.stdout.write('exit ' + code); process.exit(0); }, 30);
          }));
        } else {
          const { parentPort } = require('node:worker_threads');
          const s = open();
          let calls = 0;
          s.setReadableHandler(() => {
            s.receive(new Uint8Array(4096), 4096, 1, new Uint32Array(${RECV_META_STRIDE}));
            if (++calls === 50) parentPort.postMessage('busy');
          });
          setInterval(() => s.send(new Uint8Array(16), s.address().portId, 0), 0);
        }
      `);
      const out = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
      expect(out).toBe('exit 1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('releases the descriptors of sockets collected without close', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-native-'));
    try {
      const script = join(dir, 'collect.cjs');
      writeFileSync(script, `
        const { readdirSync } = require('node:fs');
        const { NetlinkSocket } = require(${JSON.stringify(addonPaths().built)});
        const fds = () => readdirSync('/proc/self/fd').length;
        const before = fds();
        (function make() {
          for (let i = 0; i < 200; i++) {
            const s = new NetlinkSocket(${NETLINK_USERSOCK}, ${JSON.stringify(ns.name)});
            s.bind(0, 0);
            if (i % 2) { s.setReadableHandler(() => {}); s.setReadableHandler(null); }
          }
        })();
        const during = fds();
        const settle = (n) => { gc(); if (n > 0) setTimeout(() => settle(n - 1), 10); else process.stdout.write(JSON.stringify({ before, during, after: fds() })); };
        settle(20);
      `);
      const out = execFileSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8', timeout: 20_000 });
      const { before, during, after } = JSON.parse(out) as { before: number; during: number; after: number };
      expect(during).toBeGreaterThanOrEqual(before + 200);
      expect(after).toBeLessThanOrEqual(before + 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
