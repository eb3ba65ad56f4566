import { describe, expect, it } from 'vitest';
import { decodeTcpInfo } from '../../src/families/sock-diag/tcp-info.js';
import { stateMask } from '../../src/families/sock-diag/sockets.js';
import { ArgumentError } from '../../src/codec/errors.js';

describe('sock_diag helpers', () => {
  it('decodes the tcp_info fields that fit', () => {
    const bytes = new Uint8Array(144);
    const v = new DataView(bytes.buffer);
    bytes[0] = 1; bytes[6] = 0x97; // snd_wscale 7, rcv_wscale 9
    v.setUint32(8, 204000, true); v.setUint32(16, 1448, true); v.setUint32(68, 250, true); v.setUint32(80, 10, true);
    v.setBigUint64(120, 2n ** 60n, true); v.setBigUint64(128, 99n, true); v.setUint32(140, 7, true);
    const info = decodeTcpInfo(bytes)!;
    expect(info).toMatchObject({ state: 1, sndWscale: 7, rcvWscale: 9, rto: 204000, sndMss: 1448, rtt: 250, sndCwnd: 10, bytesReceived: 99, segsIn: 7 });
    expect(info.bytesAcked).toBe(2n ** 60n);
    const short = decodeTcpInfo(bytes.subarray(0, 64))!;
    expect(short.pmtu).toBe(0);
    expect(short.rtt).toBeUndefined();
    expect(decodeTcpInfo(bytes.subarray(0, 20))).toBeNull();
  });

  it('builds state masks', () => {
    expect(stateMask(['listen'])).toBe(1 << 10);
    expect(stateMask(['established', 'close'])).toBe((1 << 1) | (1 << 7));
    expect(stateMask()).toBe(0xffffffff);
    expect(() => stateMask(['bogus' as 'listen'])).toThrow(ArgumentError);
  });
});
