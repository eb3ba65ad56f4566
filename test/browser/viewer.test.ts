// The viewer in headless chromium: opened by the local server, by the file
// picker from file://, and by drag and drop; the list, the detail tree, the
// hex highlight, pairing links, filters, the virtualized list, and the same
// decoding results as Node on the same file.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadCodec } from '../../src/codec/index.js';
import { readTraceSync } from '../../src/trace/index.js';
import { compileFamily } from '../../src/schema/compile.js';
import { rtLink } from '../../src/families/generated/index.js';
import { serveViewer, type ViewerServer } from '../../src/cli/view.js';
import { CaptureSession } from '../../web/src/decode/session.js';
import type { DetailNode } from '../../web/src/decode/detail.js';
import type { MessageDetail } from '../../web/src/decode/session.js';
import { ROW_BAD_ATTRIBUTES, ROW_RECORD_PROBLEM, ROW_TRUNCATED } from '../../web/src/shared/status.js';
import { buildFixture, EXTACK_MESSAGE, fixtureCutPcap, fixturePcapng, IFLA_IFNAME, largeCapture } from './capture-fixture.js';
import { describeBrowser, launchChromium, type LaunchedBrowser } from './chromium.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const PCAPNG = join(ARTIFACTS, 'viewer-fixture.pcapng');
const CUT_PCAP = join(ARTIFACTS, 'viewer-cut.pcap');
const PAGE = join(process.cwd(), 'web', 'dist', 'index.html');

interface ViewerState {
  name: string | null; rows: number; shown: number; selectedRow: number; detailRow: number;
  highlighted: string; selectedNode: DetailNode | null; renderedRows: number; status: string;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

async function idle(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { nlkitViewer: { whenIdle(): Promise<void> } }).nlkitViewer.whenIdle());
}
function state(page: Page): Promise<ViewerState> {
  return page.evaluate(() => (window as unknown as { nlkitViewer: { state(): ViewerState } }).nlkitViewer.state());
}
async function waitForRows(page: Page, name: string): Promise<void> {
  await page.waitForFunction((n) => {
    const v = (window as unknown as { nlkitViewer?: { state(): ViewerState } }).nlkitViewer;
    return v !== undefined && v.state().name === n && v.state().rows > 0;
  }, name, { timeout: 30_000 });
  await idle(page);
}
/** The text of the list's visible rows, by row number shown in column 1. */
async function listRows(page: Page): Promise<Map<number, string[]>> {
  const rows = await page.$$eval('#list .row', (els) => els
    .filter((el) => (el as HTMLElement).style.display !== 'none')
    .map((el) => Array.from(el.children, (c) => c.textContent ?? '')));
  return new Map(rows.map((cells) => [Number(cells[0]), cells]));
}
async function clickRow(page: Page, number: number): Promise<void> {
  await page.locator('#list .row', { has: page.locator(`span:first-child:text-is("${number}")`) }).click();
  await idle(page);
}
async function setFilter(page: Page, id: string, value: string | boolean): Promise<void> {
  if (typeof value === 'boolean') await page.locator(`#${id}`).setChecked(value);
  else if (id === 'f-protocol' || id === 'f-family') await page.locator(`#${id}`).selectOption(value);
  else await page.locator(`#${id}`).fill(value);
  await idle(page);
}

describeBrowser('viewer in chromium', () => {
  let launched: LaunchedBrowser;
  let server: ViewerServer;
  let page: Page;
  const fixture = buildFixture();
  const pcapng = fixturePcapng();
  const errors: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'pipe' });
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(PCAPNG, pcapng);
    writeFileSync(CUT_PCAP, fixtureCutPcap());
    server = await serveViewer(PCAPNG, {});
    launched = await launchChromium();
    page = await launched.context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await waitForRows(page, 'viewer-fixture.pcapng');
  });
  afterAll(async () => {
    await launched?.close();
    await server?.close();
    expect(errors, 'uncaught errors in the page').toEqual([]);
  });

  it('opens the capture the server names and lists every message', async () => {
    const s = await state(page);
    expect(s.rows).toBe(fixture.rows.length);
    expect(s.shown).toBe(fixture.rows.length);
    const rows = await listRows(page);
    expect(rows.size).toBe(fixture.rows.length);
    expect(rows.get(1)!.slice(2, 5)).toEqual(['out', 'route', 'RTM_GETLINK']);
    expect(rows.get(1)![5]).toBe('REQ DUMP');
    expect(rows.get(3)![9]).toContain('ifname="veth0"');
    expect(rows.get(10)!.slice(3, 5)).toEqual(['generic', 'CTRL_CMD_GETFAMILY_REPLY']);
    // The generic family id learned from the controller's reply names the next message.
    expect(rows.get(11)![4]).toBe('ETHTOOL_MSG_LINKINFO_GET');
    expect(await page.locator('#match-count').textContent()).toBe('13 messages');
  });

  it('shows an error with its extended ack, the offending attribute, and the request it answers', async () => {
    await clickRow(page, 8);
    const tree = (await page.locator('#tree').innerText()).replace(/\s+/g, ' ');
    expect(tree).toContain('error -17 EEXIST');
    expect(tree).toContain('original message RTM_NEWADDR seq 3');
    expect(tree).toContain(`NLMSGERR_ATTR_MSG 1 "${EXTACK_MESSAGE}"`);
    expect(tree).toContain(`NLMSGERR_ATTR_OFFS 2 ${fixture.newaddrLocalOffset}`);
    expect(tree).toContain('offending attribute IFA_LOCAL');
    expect(await page.locator('#detail-problems').innerText()).toContain('EEXIST (-17)');
    // The offending attribute's bytes: its header and 10.0.0.1, inside the echoed request.
    await page.locator('.node-line', { hasText: 'offending attribute' }).click();
    expect((await state(page)).highlighted).toBe('08 00 02 00 0a 00 00 01');
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-error.png') });
    // Jump to the request.
    await page.locator('#pairs .jump', { hasText: '#7 RTM_NEWADDR' }).click();
    await idle(page);
    expect((await state(page)).detailRow).toBe(6);
    expect(await page.locator('#pairs').innerText()).toContain('#8 NLMSG_ERROR');
  });

  it('links a dump request to all its replies and each reply back', async () => {
    await clickRow(page, 1);
    const links = await page.locator('#pairs .jump').allInnerTexts();
    expect(links).toEqual(['#2 RTM_NEWLINK', '#3 RTM_NEWLINK', '#4 NLMSG_DONE']);
    await page.locator('#pairs .jump', { hasText: '#4 NLMSG_DONE' }).click();
    await idle(page);
    expect((await state(page)).detailRow).toBe(3);
    expect(await page.locator('#pairs .jump').allInnerTexts()).toEqual(['#1 RTM_GETLINK']);
    // The ack of the create request.
    await clickRow(page, 6);
    expect(await page.locator('#pairs .jump').allInnerTexts()).toEqual(['#5 RTM_NEWLINK']);
    expect((await page.locator('#tree').innerText()).replace(/\s+/g, ' ')).toContain('error 0 (ack)');
  });

  it('lights up the bytes of the field clicked in the tree, and finds the field of a byte clicked', async () => {
    await clickRow(page, 3);
    const tree = (await page.locator('#tree').innerText()).replace(/\s+/g, ' ');
    expect(tree).toContain('ifi-flags up|broadcast|running|multicast|lower-up (0x11043)');
    expect(tree).toContain('IFLA_ADDRESS 1 02:42:ac:11:00:02');
    expect(tree).toContain('IFLA_LINKINFO 18');
    expect(tree).toContain('IFLA_INFO_KIND 1 "veth"');
    // Expected bytes from Node: IFLA_IFNAME of the second message of the second datagram.
    const codec = loadCodec();
    const batch = codec.scan(fixture.datagrams[1]!.data);
    const list = batch.attributes(1, 16);
    const j = list.find(IFLA_IFNAME);
    const start = list.offset(j) - batch.offset(1);
    const expected = hex(batch.view(1).slice(start, start + list.length(j)));
    await page.locator('.node-line', { has: page.locator('.node-label:text-is("IFLA_IFNAME")') }).click();
    const s = await state(page);
    expect(s.selectedNode?.label).toBe('IFLA_IFNAME');
    expect(s.highlighted).toBe(expected);
    expect(await page.locator('#hex .hl').count()).toBe(2 * list.length(j)); // hex and ASCII halves
    // A byte of the MTU's payload selects IFLA_MTU.
    const mtu = (await page.evaluate(() => (window as unknown as { nlkitViewer: { tree: { tree: DetailNode[] } } }).nlkitViewer.tree.tree))
      .find((n) => n.label === 'IFLA_MTU')!;
    await page.locator(`#hex .hex-bytes [data-o="${mtu.start + 5}"]`).click();
    expect((await state(page)).selectedNode?.label).toBe('IFLA_MTU');
    expect((await state(page)).highlighted).toBe('08 00 04 00 dc 05 00 00');
    await page.screenshot({ path: join(ARTIFACTS, 'viewer.png') });
  });

  it('shows malformed messages as rows with their error and file offset', async () => {
    const records = [...readTraceSync(pcapng)];
    const payloadOffset = (n: number) => records[n]!.payload.byteOffset - records[n]!.payload.buffer.byteLength + pcapng.length;
    const rows = await listRows(page);
    // Row 12: IFLA_MTU declares 2 bytes, at byte 44 of the message.
    expect(rows.get(12)![9]).toContain('bad attributes: MalformedError: attribute type 4 declares 2 bytes, less than its 4-byte header');
    expect(rows.get(12)![9]).toContain(`(at byte ${payloadOffset(10) + 44})`);
    // Row 13: nlmsg_len 200 in a 40-byte datagram.
    expect(rows.get(13)![9]).toContain('truncated: TruncatedError: message declares 200 bytes, only 40 remain in record 12');
    expect(rows.get(13)![9]).toContain(`(at byte ${payloadOffset(11)})`);
    expect(await page.locator('#list .row.broken').count()).toBe(2);
    await clickRow(page, 13);
    expect(await page.locator('#detail-problems .problem.error').innerText()).toContain(`(at byte ${payloadOffset(11)})`);
    expect((await state(page)).detailRow).toBe(12);
  });

  it('filters in the worker: errors, type, protocol, family, seq, port and text', async () => {
    const shown = async () => (await state(page)).shown;
    // A selected message the filter hides stays in the detail pane, with a way back.
    await clickRow(page, 3);
    await setFilter(page, 'f-errors', true);
    expect(await page.locator('#detail-notice').isVisible()).toBe(true);
    await page.locator('#detail-notice button').click();
    await idle(page);
    expect(await shown()).toBe(13);
    expect(await page.locator('#detail-notice').isVisible()).toBe(false);
    expect((await state(page)).detailRow).toBe(2);
    expect(await page.locator('#list .row.selected span:first-child').textContent()).toBe('3');
    await setFilter(page, 'f-errors', true);
    expect(await shown()).toBe(3);
    expect([...(await listRows(page)).keys()]).toEqual([8, 12, 13]);
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-filtered.png') });
    await setFilter(page, 'f-errors', false);
    await setFilter(page, 'f-type', 'NEWLINK');
    expect([...(await listRows(page)).keys()]).toEqual([2, 3, 5, 12, 13]);
    await setFilter(page, 'f-type', '0x3');
    expect([...(await listRows(page)).keys()]).toEqual([4]);
    await setFilter(page, 'f-type', '');
    await setFilter(page, 'f-protocol', '16');
    expect([...(await listRows(page)).keys()]).toEqual([9, 10, 11]);
    await setFilter(page, 'f-family', 'nlctrl');
    expect([...(await listRows(page)).keys()]).toEqual([9, 10]);
    await setFilter(page, 'f-protocol', '');
    await setFilter(page, 'f-family', '');
    await setFilter(page, 'f-seq', '3');
    expect([...(await listRows(page)).keys()]).toEqual([7, 8]);
    await setFilter(page, 'f-seq', '');
    await setFilter(page, 'f-port', '0');
    expect([...(await listRows(page)).keys()]).toEqual([12, 13]);
    await setFilter(page, 'f-port', 'x1');
    expect(await page.locator('#f-port.invalid').count()).toBe(1);
    await setFilter(page, 'f-port', '');
    await setFilter(page, 'f-text', 'veth0');
    expect([...(await listRows(page)).keys()]).toEqual([3]);
    await setFilter(page, 'f-text', 'already ASSIGNED');
    expect([...(await listRows(page)).keys()]).toEqual([8]);
    await setFilter(page, 'f-text', 'eexist');
    expect([...(await listRows(page)).keys()]).toEqual([8]);
    expect(await page.locator('#match-count').textContent()).toBe('1 of 13');
    await page.locator('#f-clear').click();
    await idle(page);
    expect(await shown()).toBe(13);
  });

  it('jumps to the moment clicked on the timeline, and folds tree nodes', async () => {
    const box = (await page.locator('#timeline').boundingBox())!;
    await page.locator('#timeline').click({ position: { x: 1, y: box.height / 2 } });
    await idle(page);
    expect((await state(page)).detailRow).toBe(0);
    // The last bar: the 1.5 ms spacing puts the last two rows' datagram at the end.
    await page.locator('#timeline').click({ position: { x: box.width - 2, y: box.height / 2 } });
    await idle(page);
    expect((await state(page)).detailRow).toBe(12);
    await clickRow(page, 3);
    const linkinfo = page.locator('li', { has: page.locator('> .node-line .node-label:text-is("IFLA_LINKINFO")') });
    await expect.poll(() => page.locator('.node-label:text-is("IFLA_INFO_KIND")').isVisible()).toBe(true);
    await linkinfo.locator('> .node-line .twisty').click();
    expect(await page.locator('.node-label:text-is("IFLA_INFO_KIND")').isVisible()).toBe(false);
    await linkinfo.locator('> .node-line .twisty').click();
    expect(await page.locator('.node-label:text-is("IFLA_INFO_KIND")').isVisible()).toBe(true);
  });

  it('decodes the file exactly as Node does', async () => {
    const browser = await page.evaluate(() => (window as unknown as { nlkitViewer: { rows(): unknown } }).nlkitViewer.rows()) as {
      count: number; type: number[]; flags: number[]; seq: number[]; status: number[]; errno: number[]; name: string[];
    };
    // Independently of the viewer's code: records read and scanned with the codec in Node.
    const codec = loadCodec();
    const types: number[] = [], seqs: number[] = [], flags: number[] = [], errnos: number[] = [];
    for (const r of readTraceSync(pcapng)) {
      const batch = codec.scan(r.payload);
      for (let i = 0; i < batch.count; i++) {
        types.push(batch.type(i));
        seqs.push(batch.seq(i));
        flags.push(batch.flags(i));
        errnos.push(batch.errorCode(i));
      }
    }
    expect(browser.count).toBe(types.length);
    expect(browser.type).toEqual(types);
    expect(browser.seq).toEqual(seqs);
    expect(browser.flags).toEqual(flags);
    expect(browser.errno).toEqual(errnos);
    expect(browser.type).toEqual(fixture.rows.map((r) => r.type));
    expect(browser.status[11]).toBe(ROW_BAD_ATTRIBUTES);
    expect(browser.status[12]).toBe(ROW_TRUNCATED);

    // Attribute trees of a sample: the browser's against a walk by the codec in Node.
    const linkMap = compileFamily(rtLink);
    const flat = (nodes: DetailNode[], depth = 0, out: string[] = []) => {
      for (const n of nodes) {
        if (n.attr !== undefined) out.push(`${depth}:${n.attr}:${n.start}-${n.end}`);
        if (n.children) flat(n.children, n.attr !== undefined ? depth + 1 : depth, out);
      }
      return out;
    };
    const decoded = (row: number) => page.evaluate((r) => (window as unknown as { nlkitViewer: { decoded(r: number): Promise<MessageDetail> } }).nlkitViewer.decoded(r), row);
    const datagramOf = [0, 1, 1, 2, 3]; // rows 0..4 → datagrams
    for (const row of [1, 2, 4]) {
      const d = fixture.datagrams[datagramOf[row]!]!.data;
      const batch = codec.scan(d);
      const i = row === 2 ? 1 : 0;
      const set = linkMap.message('newlink', row === 4 ? 'request' : 'reply').set!;
      const list = batch.attributes(i, 16, { nestMap: linkMap.nestMap, rootSet: set.index });
      const expected: string[] = [];
      for (let j = 0; j < list.count; j++) {
        const start = list.offset(j) - batch.offset(i);
        expected.push(`${list.depth(j)}:${list.type(j)}:${start}-${start + list.length(j)}`);
      }
      const got = await decoded(row);
      expect(flat(got.tree), `row ${row}`).toEqual(expected);
    }
    // And the whole detail, as the same decoder run by Node produces it.
    const session = CaptureSession.open(pcapng, codec);
    for (const row of [0, 2, 5, 7, 9, 10, 11, 12]) {
      const got = await decoded(row);
      const want = session.detail(row);
      expect({ ...got, bytes: hex(got.bytes) }, `row ${row}`).toEqual({ ...want, bytes: hex(want.bytes) });
    }
  });

  it('opens a file from the picker on a page loaded from disk, and reports a cut-off record', async () => {
    const local = await launched.context.newPage();
    try {
      await local.goto(pathToFileURL(PAGE).href);
      await local.locator('#file-input').setInputFiles(CUT_PCAP);
      await waitForRows(local, 'viewer-cut.pcap');
      const s = await state(local);
      expect(s.rows).toBe(13);
      const records = [...readTraceSync(fixtureCutPcap())];
      const last = records[records.length - 1]!;
      expect(last.kind).toBe('problem');
      const rows = await listRows(local);
      expect(rows.get(13)![4]).toBe('record problem');
      expect(rows.get(13)![9]).toContain('record problem: TruncatedError: the file ends inside a record');
      expect(rows.get(13)![9]).toContain(`(at byte ${last.fileOffset})`);
      const got = await local.evaluate(() => (window as unknown as { nlkitViewer: { rows(): { status: number[] } } }).nlkitViewer.rows().status);
      expect(got[12]).toBe(ROW_RECORD_PROBLEM);
      // Drag and drop replaces it.
      const data = Array.from(pcapng);
      await local.evaluate((bytes) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], 'dropped.pcapng'));
        window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt }));
        window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, cancelable: true }));
      }, data);
      await waitForRows(local, 'dropped.pcapng');
      expect((await state(local)).rows).toBe(13);
      expect(await local.locator('#drop').isHidden()).toBe(true);
      // A file that is no capture at all: one row that says so.
      await local.locator('#file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, netlink\n') });
      await waitForRows(local, 'notes.txt');
      expect((await state(local)).rows).toBe(1);
      expect((await listRows(local)).get(1)![9]).toBe('record problem: MalformedError: not a pcap or pcapng file (starts with 68 65 6c 6c) (at byte 0)');
    } finally {
      await local.close();
    }
  });

  it('keeps the list virtual at 400,000 messages', async () => {
    const big = largeCapture(400_000);
    const local = await launched.context.newPage();
    try {
      await local.goto(server.url.split('?')[0]!);
      await local.locator('#file-input').setInputFiles({ name: 'large.pcapng', mimeType: 'application/octet-stream', buffer: Buffer.from(big) });
      await waitForRows(local, 'large.pcapng');
      let s = await state(local);
      expect(s.rows).toBe(400_000);
      expect(s.renderedRows).toBeGreaterThan(10);
      expect(s.renderedRows).toBeLessThan(60);
      expect(await local.locator('#list .row').count()).toBeLessThan(60);
      // The end of the list is reachable (the scroll height is scaled past 8 million pixels).
      await local.locator('#list').focus();
      await local.keyboard.press('End');
      await idle(local);
      s = await state(local);
      expect(s.detailRow).toBe(399_999);
      const rows = await listRows(local);
      expect(rows.has(400_000)).toBe(true);
      expect(rows.get(400_000)![9]).toBe('ifname="eth999" mtu=1500');
      // Half way down by scrolling.
      await local.locator('#list').evaluate((el) => (el.scrollTop = (el.scrollHeight - el.clientHeight) / 2));
      await idle(local);
      const middle = [...(await listRows(local)).keys()];
      expect(Math.min(...middle)).toBeGreaterThan(190_000);
      expect(Math.max(...middle)).toBeLessThan(210_000);
      await setFilter(local, 'f-text', 'eth999"');
      expect((await state(local)).shown).toBe(400);
      await local.screenshot({ path: join(ARTIFACTS, 'viewer-large.png') });
    } finally {
      await local.close();
    }
  });
});
