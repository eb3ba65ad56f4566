// `nlkit ss`: sockets through sock_diag, printed like `ss`.

import { parseArgs } from 'node:util';
import { openSocket } from '../../socket/open.js';
import type { NetlinkSocket } from '../../socket/socket.js';
import { listInetSockets, listUnixSockets, type InetSocket, type SocketState, type UnixSocket } from '../../families/sock-diag/sockets.js';
import type { Command } from '../command.js';
import { formatTable, toJson } from './table.js';

const USAGE = `usage: nlkit ss [-t] [-u] [-x] [-l] [-a] [-i] [--json] [--netns NAME]

Lists sockets through NETLINK_SOCK_DIAG, in the columns of 'ss -n'.

  -t, --tcp         TCP sockets        -u, --udp   UDP sockets
  -x, --unix        unix sockets       (none of the three: all of them)
  -l, --listening   only listening (and unconnected) sockets
  -a, --all         sockets in every state (default: connected ones)
  -i, --info        TCP internals (tcp_info: rtt, cwnd, mss) in the JSON
  -H, --no-header   no header line
  --json            one JSON document (see docs/json-families.md)
  --netns NAME      look inside the network namespace /run/netns/NAME
`;

/** The names ss prints for the states. */
const SS_STATE: Record<string, string> = {
  established: 'ESTAB', 'syn-sent': 'SYN-SENT', 'syn-recv': 'SYN-RECV', 'fin-wait1': 'FIN-WAIT-1', 'fin-wait2': 'FIN-WAIT-2',
  'time-wait': 'TIME-WAIT', close: 'UNCONN', 'close-wait': 'CLOSE-WAIT', 'last-ack': 'LAST-ACK', listen: 'LISTEN', closing: 'CLOSING',
  'new-syn-recv': 'NEW-SYN-RECV', 'bound-inactive': 'BOUND-INACTIVE', unknown: 'UNKNOWN',
};

const ALL: SocketState[] = ['established', 'syn-sent', 'syn-recv', 'fin-wait1', 'fin-wait2', 'time-wait', 'close', 'close-wait', 'last-ack', 'listen', 'closing', 'new-syn-recv', 'bound-inactive'];
const LISTENING: SocketState[] = ['listen', 'close'];
const CONNECTED = ALL.filter((s) => !['listen', 'close', 'time-wait', 'syn-recv', 'new-syn-recv', 'bound-inactive'].includes(s));

export interface SsRow {
  netid: 'tcp' | 'udp' | 'u_str' | 'u_dgr' | 'u_seq' | string;
  state: string;
  recvQ: number;
  sendQ: number;
  local: string;
  peer: string;
  inode: number;
  socket: InetSocket | UnixSocket;
}

const endpoint = (family: string, address: string, port: number, wildcardPort: boolean) => {
  const a = family === 'inet6' ? `[${address}]` : address;
  return `${a}:${port === 0 && wildcardPort ? '*' : port}`;
};

function inetRow(s: InetSocket): SsRow {
  return {
    netid: s.protocol, state: SS_STATE[String(s.state)] ?? String(s.state), recvQ: s.recvQ, sendQ: s.sendQ,
    local: endpoint(s.family, s.local.address, s.local.port, true),
    peer: endpoint(s.family, s.remote.address, s.remote.port, true),
    inode: s.inode, socket: s,
  };
}

function unixRow(s: UnixSocket): SsRow {
  const netid = s.type === 'stream' ? 'u_str' : s.type === 'dgram' ? 'u_dgr' : s.type === 'seqpacket' ? 'u_seq' : `u_${s.type}`;
  return {
    netid, state: SS_STATE[String(s.state)] ?? String(s.state), recvQ: s.recvQ ?? 0, sendQ: s.sendQ ?? 0,
    local: `${s.path || '*'} ${s.inode}`, peer: `* ${s.peer ?? 0}`, inode: s.inode, socket: s,
  };
}

export async function collectSockets(sock: NetlinkSocket, opts: { tcp: boolean; udp: boolean; unix: boolean; states: SocketState[]; info: boolean }): Promise<SsRow[]> {
  const rows: SsRow[] = [];
  for (const protocol of ['tcp', 'udp'] as const) {
    if (!opts[protocol]) continue;
    // UDP sockets are "established" when connected, "close" when not.
    for (const family of ['inet', 'inet6'] as const) {
      for (const s of await listInetSockets(sock, { protocol, family, states: opts.states, info: opts.info && protocol === 'tcp' })) rows.push(inetRow(s));
    }
  }
  if (opts.unix) for (const s of await listUnixSockets(sock, { states: opts.states })) rows.push(unixRow(s));
  return rows;
}

function rowJson(r: SsRow): Record<string, unknown> {
  const { attributes: _a, ...socket } = r.socket as InetSocket & UnixSocket;
  return { netid: r.netid, state: r.state, recvQ: r.recvQ, sendQ: r.sendQ, local: r.local, peer: r.peer, ...{ socket } };
}

export const ssCommand: Command = {
  name: 'ss',
  summary: 'sockets through sock_diag (like ss)',
  usage: USAGE,
  async run(args, context) {
    const { values } = parseArgs({
      args, strict: true, allowPositionals: false,
      options: {
        tcp: { type: 'boolean', short: 't' }, udp: { type: 'boolean', short: 'u' }, unix: { type: 'boolean', short: 'x' },
        listening: { type: 'boolean', short: 'l' }, all: { type: 'boolean', short: 'a' }, info: { type: 'boolean', short: 'i' },
        numeric: { type: 'boolean', short: 'n' }, 'no-header': { type: 'boolean', short: 'H' },
        json: { type: 'boolean' }, netns: { type: 'string' },
      },
    });
    const none = !values.tcp && !values.udp && !values.unix;
    const opts = {
      tcp: none || Boolean(values.tcp), udp: none || Boolean(values.udp), unix: none || Boolean(values.unix),
      states: values.all ? ALL : values.listening ? LISTENING : CONNECTED, info: Boolean(values.info),
    };
    const sock = openSocket('sock-diag', { ...(values.netns ? { netns: values.netns } : {}), timeout: 10_000 });
    try {
      const rows = await collectSockets(sock, opts);
      if (values.json) {
        context.stdout.write(toJson({ sockets: rows.map(rowJson) }));
        return 0;
      }
      const netid = [opts.tcp, opts.udp, opts.unix].filter(Boolean).length > 1;
      const table: string[][] = [];
      if (!values['no-header']) table.push([...(netid ? ['Netid'] : []), 'State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port']);
      for (const r of rows) table.push([...(netid ? [r.netid] : []), r.state, String(r.recvQ), String(r.sendQ), r.local, r.peer]);
      context.stdout.write(formatTable(table));
    } finally {
      sock.close();
    }
    return 0;
  },
};
