// `nlkit monitor` on the loopback bus, through the CLI dispatcher.

import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { monitorCommand } from '../../src/cli/monitor.js';
import { LoopbackKernel } from '../../src/transport/loopback/index.js';
import { captureContext } from '../helpers/cli.js';

describe('nlkit monitor (loopback)', () => {
  it('prints one line per event and stops after --count', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const ctx = captureContext();
    const run = runCli(['monitor', 'link', '--count', '2', '--summary'], [monitorCommand({ loopback: kernel })], ctx);
    await new Promise((r) => setTimeout(r, 10));
    kernel.rtnetlink!.addLink({ name: 'm0', kind: 'bridge', mtu: 1400 });
    kernel.rtnetlink!.setLink('m0', { mtu: 1300 });
    kernel.rtnetlink!.addLink({ name: 'm1', kind: 'bridge' });
    expect(await run).toBe(0);
    const lines = ctx.out().trim().split('\n');
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatch(/^\[LINK\] newlink .*ifname=m0 .*mtu=1400/);
    expect(lines[1]).toMatch(/^\[LINK\] newlink .*mtu=1300/);
    expect(ctx.err()).toMatch(/\d+ events received.*kernel overruns 0, sequence gaps 0, local drops 0, sink failures 0/);
  });

  it('--json writes JSON Lines of one shape', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const ctx = captureContext();
    const run = runCli(['monitor', 'all', '--json', '--count', '1'], [monitorCommand({ loopback: kernel })], ctx);
    await new Promise((r) => setTimeout(r, 10));
    kernel.rtnetlink!.addLink({ name: 'j0', kind: 'bridge' });
    expect(await run).toBe(0);
    const record = JSON.parse(ctx.out().trim()) as Record<string, unknown>;
    expect(record).toMatchObject({ v: 1, seq: 1, type: 'event', family: 'link', event: 'newlink' });
    expect(record.data).toMatchObject({ attributes: { ifname: 'j0' } });
    expect(typeof record.time).toBe('string');
  });

  it('stops on the abort signal (SIGINT) and rejects bad usage', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const stop = new AbortController();
    const ctx = captureContext(stop.signal);
    const run = runCli(['monitor', 'link'], [monitorCommand({ loopback: kernel })], ctx);
    await new Promise((r) => setTimeout(r, 10));
    kernel.rtnetlink!.addLink({ name: 's0', kind: 'bridge' });
    await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    expect(await run).toBe(0);
    expect(ctx.out()).toMatch(/ifname=s0/);

    const bad = captureContext();
    expect(await runCli(['monitor', 'bogus'], [monitorCommand({ loopback: kernel })], bad)).toBe(2);
    expect(bad.err()).toMatch(/unknown family 'bogus'/);
    expect(await runCli(['monitor', 'proc', '--netns', 'x'], [monitorCommand({ loopback: kernel })], bad)).toBe(2);
    expect(await runCli(['monitor', 'link', '--sink', 'nats://127.0.0.1:1'], [monitorCommand({ loopback: kernel })], bad)).toBe(2);
    expect(bad.err()).toMatch(/--state-dir/);
    expect(await runCli(['monitor', 'link', '--count', '0'], [monitorCommand({ loopback: kernel })], bad)).toBe(2);
  });
});

describe('nlkit monitor overruns (loopback)', () => {
  it('prints an [OVERRUN] line when the kernel dropped events, and goes on', async () => {
    const kernel = new LoopbackKernel({ deterministic: true });
    const stop = new AbortController();
    const ctx = captureContext(stop.signal);
    const run = runCli(['monitor', 'link', '--summary'], [monitorCommand({ loopback: kernel })], ctx);
    await new Promise((r) => setTimeout(r, 10));
    // A burst the monitor cannot read in between: the emulated receive buffer overflows.
    for (let i = 0; i < 3000; i++) kernel.rtnetlink!.addLink({ name: `o${i}`, kind: 'bridge' });
    await new Promise((r) => setTimeout(r, 50));
    kernel.rtnetlink!.addLink({ name: 'after', kind: 'bridge' });
    await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    expect(await run).toBe(0);
    const lines = ctx.out().trim().split('\n');
    const overruns = lines.filter((l) => l.startsWith('[OVERRUN] link: kernel dropped messages'));
    expect(overruns.length).toBeGreaterThan(0);
    const events = lines.filter((l) => l.startsWith('[LINK] newlink'));
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(3001);
    // Events after the overrun still arrive.
    expect(lines.at(-1)).toMatch(/ifname=after/);
    expect(ctx.err()).toMatch(new RegExp(`${events.length} events received.*kernel overruns [1-9]`));
  });
});
