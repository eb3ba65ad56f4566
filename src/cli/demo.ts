// `nlkit demo`: builds a batch the way a kernel would answer a link dump,
// scans it with the WASM codec and prints every message decoded. Needs no
// socket and no privileges: it shows the codec alone.

import {
  loadCodec, NLM_F_MULTI, NLMSG_DONE, NLMSG_ERROR, NLM_F_REQUEST, NLM_F_ACK, errnoName, type Batch,
} from '../codec/index.js';
import { UsageError, type Command, type Output } from './command.js';

// A few rtnetlink numbers for the demo's messages (linux/rtnetlink.h, if_link.h).
const RTM_NEWLINK = 16;
const RTM_NEWADDR = 20;
const IFLA = { ADDRESS: 1, IFNAME: 3, MTU: 4, OPERSTATE: 16, LINKINFO: 18, INFO_KIND: 1 } as const;
const MESSAGE_NAMES: Record<number, string> = { 2: 'NLMSG_ERROR', 3: 'NLMSG_DONE', 16: 'RTM_NEWLINK', 20: 'RTM_NEWADDR' };

function ifinfomsg(index: number): Uint8Array {
  const header = new Uint8Array(16);
  new DataView(header.buffer).setInt32(4, index, true);
  return header;
}

/** A link dump of three interfaces in one datagram, its NLMSG_DONE, and a failed request's error. */
export function buildDemoBatch(): Uint8Array {
  const b = loadCodec().builder().reset();
  const links = [['lo', 65536, 'loopback'], ['veth0', 1500, 'veth'], ['br0', 9000, 'bridge']] as const;
  links.forEach(([name, mtu, kind], i) => {
    b.begin(RTM_NEWLINK, NLM_F_MULTI, 1, 0).header(ifinfomsg(i + 1));
    b.string(IFLA.IFNAME, name).u32(IFLA.MTU, mtu).u8(IFLA.OPERSTATE, 6);
    b.bytes(IFLA.ADDRESS, Uint8Array.of(0x02, 0, 0, 0, 0, i + 1));
    if (kind !== 'loopback') b.nest(IFLA.LINKINFO, () => b.string(IFLA.INFO_KIND, kind), false);
    b.end();
  });
  b.begin(NLMSG_DONE, NLM_F_MULTI, 1, 0).reserve(4); // int error = 0
  b.end();
  // An NLMSG_ERROR answering request seq 2 with -EEXIST; the payload echoes the request header.
  const at = b.begin(NLMSG_ERROR, 0, 2, 0).reserve(20);
  b.memory.view.setInt32(at, -17, true);
  b.memory.view.setUint32(at + 4, 16, true);
  b.memory.view.setUint16(at + 8, RTM_NEWADDR, true);
  b.memory.view.setUint16(at + 10, NLM_F_REQUEST | NLM_F_ACK, true);
  b.memory.view.setUint32(at + 12, 2, true);
  b.end();
  return b.finish().slice();
}

export function describeBatch(batch: Batch): string[] {
  const lines: string[] = [];
  for (let i = 0; i < batch.count; i++) {
    const type = batch.type(i);
    const head = `#${i} ${MESSAGE_NAMES[type] ?? type} len=${batch.length(i)} flags=0x${batch.flags(i).toString(16)} seq=${batch.seq(i)} port=${batch.pid(i)}`;
    const error = batch.error(i);
    if (error) {
      lines.push(`${head} ${error.message}`);
    } else if (type === NLMSG_ERROR) {
      const code = batch.errorCode(i);
      lines.push(`${head} ${code === 0 ? 'ack' : `error ${errnoName(code)} (${code})`}`);
    } else if (type === RTM_NEWLINK) {
      const link: Record<string, unknown> = {};
      const d = batch.attributes(i, 16).decoder();
      while (d.next()) {
        switch (d.type) {
          case IFLA.IFNAME: link.ifname = d.string(); break;
          case IFLA.MTU: link.mtu = d.u32(); break;
          case IFLA.OPERSTATE: link.operstate = d.u8() === 6 ? 'UP' : 'other'; break;
          case IFLA.ADDRESS: link.address = Array.from(d.bytes(), (x) => x.toString(16).padStart(2, '0')).join(':'); break;
          case IFLA.LINKINFO: d.nested((info) => { while (info.next()) if (info.type === IFLA.INFO_KIND) link.kind = info.string(); }); break;
        }
      }
      d.finish();
      lines.push(`${head} ${JSON.stringify(link)}`);
    } else {
      lines.push(head);
    }
  }
  return lines;
}

export function runDemo(out: Output): void {
  const bytes = buildDemoBatch();
  const batch = loadCodec().scan(bytes);
  out.write(`built ${bytes.length} bytes; scanned ${batch.count} messages:\n`);
  for (const line of describeBatch(batch)) out.write(`  ${line}\n`);
  // The same bytes with the last message cut short: the damage is reported, the rest decoded.
  const damaged = loadCodec().scan(bytes.subarray(0, bytes.length - 10));
  out.write('the same batch cut 10 bytes short:\n');
  for (const line of describeBatch(damaged)) out.write(`  ${line}\n`);
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'build a netlink batch, scan it with the WASM codec and print it decoded',
  usage: 'usage: nlkit demo\n\nBuilds a link dump as the kernel would send it, scans it and prints every message;\nthen shows how a batch cut short is reported. Needs no socket and no privileges.\n',
  async run(args, context) {
    if (args.length > 0) throw new UsageError(`demo takes no arguments (got '${args[0]}')`);
    runDemo(context.stdout);
    return 0;
  },
};
