import { test, expect } from 'vitest';
import { loadCodec, NLM_F_REQUEST, NLM_F_ACK } from '../../src/index.js';
test('smoke', () => {
  const c = loadCodec();
  const b = c.builder().reset();
  b.begin(16, NLM_F_REQUEST | NLM_F_ACK, 7).header(new Uint8Array(16)).string(3, 'veth0').u32(4, 1500).nest(18, () => { b.string(1, 'veth'); }).end();
  b.begin(17, 0, 8).u64(5, 2n ** 60n).end();
  const bytes = b.finish().slice();
  const batch = c.scan(bytes);
  expect(batch.count).toBe(2);
  expect(batch.type(0)).toBe(16); expect(batch.seq(1)).toBe(8);
  const a = batch.attributes(0, 16);
  console.log(a.count, [...Array(a.count).keys()].map(j => [a.type(j), a.depth(j), a.parent(j), a.next(j)]));
  expect(a.string(a.find(3))).toBe('veth0');
  const d = a.decoder(); const seen: unknown[] = [];
  while (d.next()) { if (d.type === 18) d.nested(n => { while (n.next()) seen.push(n.string()); }); else seen.push(d.type === 3 ? d.string() : d.u32()); }
  d.finish();
  expect(seen).toEqual(['veth0', 1500, 'veth']);
});
