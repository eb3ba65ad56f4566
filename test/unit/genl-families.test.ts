import { describe, expect, it } from 'vitest';
import { LoopbackKernel } from '../../src/transport/loopback/index.js';
import { openSocket } from '../../src/socket/open.js';
import { ArgumentError, NetlinkError } from '../../src/codec/errors.js';
import { getGenlFamily, listGenlFamilies } from '../../src/families/genl/ctrl.js';
import { genlFamily } from '../../src/families/genl/family.js';
import { formatFamilies } from '../../src/cli/families/genl.js';

describe('generic netlink families over the loopback kernel', () => {
  it('lists the emulated controller and resolves it by name', async () => {
    const kernel = new LoopbackKernel();
    const sock = openSocket('generic', { loopback: kernel, timeout: 2000 });
    try {
      const families = await listGenlFamilies(sock);
      const ctrl = families.find((f) => f.name === 'nlctrl');
      expect(ctrl?.id).toBe(0x10);
      expect(await getGenlFamily(sock, 'nlctrl')).toEqual(ctrl);
      await expect(getGenlFamily(sock, 'nope')).rejects.toBeInstanceOf(NetlinkError);
      const text = formatFamilies(families);
      expect(text).toContain('Name: nlctrl\n\tID: 0x10');
    } finally {
      sock.close();
    }
  });

  it('refuses families without a spec or not generic', async () => {
    const sock = openSocket('generic', { loopback: new LoopbackKernel(), timeout: 2000 });
    try {
      await expect(genlFamily(sock, 'no-spec-family')).rejects.toBeInstanceOf(ArgumentError);
      await expect(genlFamily(sock, 'conntrack')).rejects.toThrow(/not a generic netlink family/);
    } finally {
      sock.close();
    }
  });
});
