import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, TestNetns } from '../helpers/kernel.js';
import { openNative } from '../../src/transport/native.js';
import { NETLINK_KOBJECT_UEVENT } from '../../src/codec/constants.js';
import type { Transport } from '../../src/transport/transport.js';
import { readUevents, type UeventReaderEvent } from '../../src/families/uevent/reader.js';
import type { Uevent } from '../../src/schema/uevent.js';

describeKernel('kobject uevents', () => {
  let ns: TestNetns;
  let transport: Transport;

  beforeAll(() => {
    ns = TestNetns.create('nlkit-uev');
    transport = openNative(NETLINK_KOBJECT_UEVENT, { groups: 1, netns: ns.name });
  });
  afterAll(() => {
    transport?.close();
    ns?.remove();
  });

  async function until(events: AsyncIterator<UeventReaderEvent>, match: (e: Uevent) => boolean): Promise<Uevent> {
    for (;;) {
      const { value, done } = await events.next();
      if (done) throw new Error('the uevent stream ended');
      if (value.kind === 'event' && value.event.kind === 'kernel' && match(value.event)) {
        expect(value.sender).toBe(0);
        return value.event;
      }
      if (value.kind === 'malformed') throw value.error;
    }
  }

  it('decodes the add events of a new veth pair in the namespace', async () => {
    const abort = new AbortController();
    const events = readUevents(transport, { signal: abort.signal })[Symbol.asyncIterator]();
    ns.ip('link', 'add', 'uev0', 'type', 'veth', 'peer', 'name', 'uev1');
    const added = await until(events, (e) => e.env.INTERFACE === 'uev0' && e.action === 'add');
    expect(added.devpath).toMatch(/\/net\/uev0$/);
    expect(added.env.SUBSYSTEM).toBe('net');
    expect(added.env.DEVPATH).toBe(added.devpath);
    expect(typeof added.env.SEQNUM).toBe('number');
    const ifindex = Number(/^(\d+):/.exec(ns.ip('-o', 'link', 'show', 'uev0'))![1]);
    expect(added.env.IFINDEX).toBe(ifindex);

    // Writing an action to the device's uevent file makes the kernel emit it again.
    ns.exec('sh', '-c', 'echo change > /sys/class/net/uev1/uevent');
    const changed = await until(events, (e) => e.env.INTERFACE === 'uev1');
    expect(changed.action).toBe('change');
    expect(Number(changed.env.SEQNUM)).toBeGreaterThan(Number(added.env.SEQNUM));
    abort.abort();
    expect((await events.next()).done).toBe(true);
  });
});
