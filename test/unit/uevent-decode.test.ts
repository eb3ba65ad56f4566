import { describe, expect, it } from 'vitest';
import { MalformedError, TruncatedError } from '../../src/codec/errors.js';
import { decodeUdevMonitor, isUdevMonitor } from '../../src/families/uevent/udev.js';
import { decodeUeventDatagram } from '../../src/families/uevent/reader.js';

const enc = new TextEncoder();

function udev(props: string[], options: { magic?: number; cut?: number } = {}): Uint8Array {
  const body = enc.encode(props.map((p) => `${p}\0`).join(''));
  const bytes = new Uint8Array(40 + body.length);
  bytes.set(enc.encode('libudev\0'));
  const v = new DataView(bytes.buffer);
  v.setUint32(8, options.magic ?? 0xfeedcafe, false);
  v.setUint32(12, 40, true);
  v.setUint32(16, 40, true);
  v.setUint32(20, body.length, true);
  v.setUint32(24, 0x11223344, false);
  bytes.set(body, 40);
  return options.cut ? bytes.subarray(0, bytes.length - options.cut) : bytes;
}

describe('uevent datagrams', () => {
  it('decodes the kernel text format with typed SEQNUM', () => {
    const e = decodeUeventDatagram(enc.encode('add@/devices/virtual/net/v0\0ACTION=add\0DEVPATH=/devices/virtual/net/v0\0SUBSYSTEM=net\0SEQNUM=4711\0IFINDEX=5\0INTERFACE=v0\0'));
    expect(e).toMatchObject({ kind: 'kernel', action: 'add', devpath: '/devices/virtual/net/v0' });
    expect((e as { env: Record<string, unknown> }).env.SEQNUM).toBe(4711);
    expect(() => decodeUeventDatagram(enc.encode('garbage\0'))).toThrow(MalformedError);
  });

  it('decodes the udev monitor format', () => {
    const bytes = udev(['ACTION=change', 'DEVPATH=/devices/virtual/net/v1', 'SUBSYSTEM=net', 'SEQNUM=9', 'ID_NET_NAME=x=y']);
    expect(isUdevMonitor(bytes)).toBe(true);
    const e = decodeUeventDatagram(bytes);
    expect(e).toMatchObject({ kind: 'udev', action: 'change', devpath: '/devices/virtual/net/v1', subsystemHash: 0x11223344 });
    expect((e as { env: Record<string, string> }).env.ID_NET_NAME).toBe('x=y');
  });

  it('says what is wrong with a bad udev message', () => {
    expect(() => decodeUdevMonitor(udev(['A=1'], { magic: 0xdeadbeef }))).toThrow(MalformedError);
    expect(() => decodeUdevMonitor(udev(['ACTION=add'], { cut: 3 }))).toThrow(TruncatedError);
    expect(() => decodeUdevMonitor(enc.encode('libudev\0short'))).toThrow(TruncatedError);
    expect(() => decodeUdevMonitor(udev(['NOEQUALS']))).toThrow(MalformedError);
  });
});
