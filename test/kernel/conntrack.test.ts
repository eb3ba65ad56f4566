import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { openSocket } from '../../src/socket/open.js';
import type { NetlinkSocket } from '../../src/socket/socket.js';
import { NetlinkError } from '../../src/codec/errors.js';
import {
  conntrackEvents, deleteConntrack, flushConntrack, getConntrack, listConntrack, type ConntrackEvent,
} from '../../src/families/nfnetlink/conntrack.js';

describeKernel('conntrack over ctnetlink', () => {
  let ns: TestNetns;
  let sock: NetlinkSocket;

  const insert = (...args: string[]) => ns.exec('conntrack', '-I', ...args);

  beforeAll(() => {
    ns = TestNetns.create('nlkit-ct');
    sock = openSocket('netfilter', { netns: ns.name, timeout: 10_000 });
    insert('-p', 'tcp', '-s', '10.1.0.1', '-d', '10.1.0.2', '--sport', '40000', '--dport', '443', '--state', 'ESTABLISHED', '-t', '300', '-u', 'SEEN_REPLY,ASSURED', '-m', '7');
    insert('-p', 'udp', '-s', '2001:db8::1', '-d', '2001:db8::2', '--sport', '5353', '--dport', '53', '-t', '120');
  });
  afterAll(() => {
    sock?.close();
    ns?.remove();
  });

  it('dumps the entries typed, with text addresses and host-order ports', async () => {
    const entries = await listConntrack(sock);
    expect(entries).toHaveLength(2);
    const tcp = entries.find((e) => e.protocol === 'tcp')!;
    expect(tcp.family).toBe('ipv4');
    expect(tcp.original).toMatchObject({ src: '10.1.0.1', dst: '10.1.0.2', protocol: 6, sport: 40000, dport: 443 });
    // conntrack -I derives the reply tuple by inverting the original.
    expect(tcp.reply).toMatchObject({ src: '10.1.0.2', dst: '10.1.0.1', sport: 443, dport: 40000 });
    expect(tcp.tcpState).toBe('established');
    expect(tcp.status).toEqual(expect.arrayContaining(['seen-reply', 'assured', 'confirmed']));
    expect(tcp.mark).toBe(7);
    expect(tcp.timeout).toBeGreaterThan(200);
    expect(tcp.timeout).toBeLessThanOrEqual(300);
    const udp = entries.find((e) => e.protocol === 'udp')!;
    expect(udp.family).toBe('ipv6');
    expect(udp.original).toMatchObject({ src: '2001:db8::1', dst: '2001:db8::2', sport: 5353, dport: 53 });

    // The same ids the conntrack tool prints.
    const listed = ns.exec('conntrack', '-L', '-o', 'id');
    for (const e of entries) expect(listed).toContain(`id=${e.id}`);
    expect(await listConntrack(sock, { family: 'ipv6' })).toHaveLength(1);
  });

  it('gets one entry by its tuple, and says ENOENT for a missing one', async () => {
    const e = await getConntrack(sock, { src: '10.1.0.1', dst: '10.1.0.2', protocol: 'tcp', sport: 40000, dport: 443 });
    expect(e.original.dport).toBe(443);
    expect(e.mark).toBe(7);
    const missing = getConntrack(sock, { src: '10.1.0.1', dst: '10.1.0.2', protocol: 'tcp', sport: 40001, dport: 443 });
    await expect(missing).rejects.toBeInstanceOf(NetlinkError);
    await expect(missing).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sees NEW and DESTROY events, deletes by tuple, and a flush empties the table', async () => {
    // With nf_conntrack_events = 2 (the default) only entries created while
    // someone listens carry events: subscribe first, then create.
    const events = openSocket('netfilter', { netns: ns.name });
    try {
      const iterator = conntrackEvents(events, { events: ['new', 'destroy'] })[Symbol.asyncIterator]();
      const created = iterator.next();
      insert('-p', 'tcp', '-s', '10.1.0.9', '-d', '10.1.0.2', '--sport', '1', '--dport', '2', '--state', 'SYN_SENT', '-t', '50');
      const ev = (await created).value as Extract<ConntrackEvent, { entry: unknown }>;
      expect(ev.kind).toBe('new');
      expect(ev.entry.original).toMatchObject({ src: '10.1.0.9', dst: '10.1.0.2', sport: 1, dport: 2 });
      expect(ev.entry.tcpState).toBe('syn-sent');

      const destroyed = iterator.next();
      await deleteConntrack(sock, { src: '10.1.0.9', dst: '10.1.0.2', protocol: 'tcp', sport: 1, dport: 2 });
      const gone = (await destroyed).value as Extract<ConntrackEvent, { entry: unknown }>;
      expect(gone.kind).toBe('destroy');
      expect(gone.entry.original).toMatchObject({ src: '10.1.0.9', sport: 1, dport: 2 });
      expect(gone.entry.id).toBe(ev.entry.id);
      await iterator.return?.(undefined);

      await deleteConntrack(sock, { src: '10.1.0.1', dst: '10.1.0.2', protocol: 6, sport: 40000, dport: 443 });
      expect((await listConntrack(sock)).map((e) => e.original.src)).toEqual(['2001:db8::1']);
      await expect(deleteConntrack(sock, { src: '10.1.0.1', dst: '10.1.0.2', protocol: 6, sport: 40000, dport: 443 }))
        .rejects.toMatchObject({ code: 'ENOENT' });
      await flushConntrack(sock);
      expect(await listConntrack(sock)).toEqual([]);
    } finally {
      events.close();
    }
  });
});
