import { describe, expect, it } from 'vitest';
import { loadCodec, NLM_F_MULTI } from '../../src/codec/index.js';
import { ArgumentError } from '../../src/codec/errors.js';
import { defaultRegistry } from '../../src/schema/default-registry.js';
import { decodeBatchMessage } from '../../src/schema/decode.js';
import { encodeAttributes } from '../../src/schema/encode.js';
import { parseIpv4, parseIpv6, parseAddress, formatAddress } from '../../src/families/nfnetlink/address.js';
import { conntrackEntry, tupleAttributes } from '../../src/families/nfnetlink/conntrack.js';
import { nfgenmsg, nfFamilyNumber } from '../../src/families/nfnetlink/nfgenmsg.js';
import { formatEntry } from '../../src/cli/families/conntrack.js';

describe('addresses', () => {
  it('parses and formats IPv4 and IPv6', () => {
    expect(Array.from(parseIpv4('192.0.2.10')!)).toEqual([192, 0, 2, 10]);
    expect(parseIpv4('256.0.0.1')).toBeNull();
    expect(parseIpv4('1.2.3')).toBeNull();
    for (const text of ['2001:db8::1', '::', '::1', 'fe80::1:2:3:4', '2001:db8:0:1:1:1:1:1']) {
      expect(formatAddress(parseIpv6(text)!)).toBe(text);
    }
    expect(formatAddress(parseIpv6('::ffff:192.0.2.1')!)).toBe('::ffff:c000:201');
    expect(parseIpv6('1::2::3')).toBeNull();
    expect(parseIpv6('12345::')).toBeNull();
    expect(() => parseAddress('example')).toThrow(ArgumentError);
  });
});

describe('conntrack tuples', () => {
  it('encodes a tuple with big-endian ports and decodes it back to text', () => {
    const codec = loadCodec();
    const family = defaultRegistry().family('conntrack');
    const { tuple, af } = tupleAttributes({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 'tcp', sport: 0x1234, dport: 443 });
    expect(af).toBe(2);
    const b = codec.builder().reset();
    b.begin(0x100, NLM_F_MULTI, 1, 0).header(nfgenmsg(2));
    encodeAttributes(b, family.set('conntrack-attrs'), { tupleOrig: tuple, tupleReply: tupleAttributes({ src: '10.0.0.2', dst: '10.0.0.1', protocol: 6, sport: 443, dport: 0x1234 }).tuple, status: ['assured', 'seen-reply'], timeout: 30 });
    b.end();
    const bytes = b.finish().slice();
    // CTA_PROTO_SRC_PORT: network byte order on the wire.
    const at = bytes.findIndex((_, i) => bytes[i] === 6 && bytes[i + 1] === 0 && bytes[i + 2] === 2 && bytes[i + 4] === 0x12 && bytes[i + 5] === 0x34);
    expect(at).toBeGreaterThan(0);
    const batch = codec.scan(bytes);
    const decoded = decodeBatchMessage(batch, 0, family.message('new', 'reply'), undefined, codec);
    const entry = conntrackEntry(2, decoded.attributes);
    expect(entry).toMatchObject({
      family: 'ipv4', protocol: 'tcp', timeout: 30,
      original: { src: '10.0.0.1', dst: '10.0.0.2', protocol: 6, sport: 0x1234, dport: 443 },
      reply: { src: '10.0.0.2', dst: '10.0.0.1', sport: 443, dport: 0x1234 },
    });
    expect(entry.status).toEqual(['seen-reply', 'assured']);
    expect(formatEntry(entry)).toBe('tcp      6 30 src=10.0.0.1 dst=10.0.0.2 sport=4660 dport=443 src=10.0.0.2 dst=10.0.0.1 sport=443 dport=4660 [ASSURED] mark=0 use=0');
  });

  it('rejects mixed families and unknown protocols', () => {
    expect(() => tupleAttributes({ src: '10.0.0.1', dst: '::1', protocol: 6 })).toThrow(/mixes IPv4/);
    expect(() => tupleAttributes({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 'bogus' })).toThrow(ArgumentError);
    expect(() => nfFamilyNumber('nope' as 'ip')).toThrow(ArgumentError);
    expect(Array.from(nfgenmsg(0, 10))).toEqual([0, 0, 0, 10]);
  });
});
