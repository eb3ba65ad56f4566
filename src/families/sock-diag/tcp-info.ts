// The first fields of struct tcp_info (linux/tcp.h), as INET_DIAG_INFO
// carries it for TCP sockets. The struct grows with kernel versions; fields
// past the end of what the kernel sent are left out.
//
//   0 state  1 ca_state  2 retransmits  3 probes  4 backoff  5 options  6 wscale  7 flags
//   8 rto  12 ato  16 snd_mss  20 rcv_mss  24 unacked  28 sacked  32 lost  36 retrans
//   40 fackets  44..56 last_* times  60 pmtu  64 rcv_ssthresh  68 rtt  72 rttvar
//   76 snd_ssthresh  80 snd_cwnd  84 advmss  88 reordering  92 rcv_rtt  96 rcv_space
//   100 total_retrans  104 pacing_rate u64  112 max_pacing_rate u64
//   120 bytes_acked u64  128 bytes_received u64  136 segs_out  140 segs_in

export interface TcpInfo {
  state: number;
  caState: number;
  retransmits: number;
  /** Send / receive window scale (wscale nibbles). */
  sndWscale: number;
  rcvWscale: number;
  /** Microseconds. */
  rto: number;
  ato: number;
  sndMss: number;
  rcvMss: number;
  unacked: number;
  lost: number;
  retrans: number;
  pmtu?: number;
  /** Smoothed round-trip time and its variance, microseconds. */
  rtt?: number;
  rttvar?: number;
  sndCwnd?: number;
  advmss?: number;
  totalRetrans?: number;
  bytesAcked?: number | bigint;
  bytesReceived?: number | bigint;
  segsOut?: number;
  segsIn?: number;
}

const u64 = (v: DataView, at: number): number | bigint => {
  const big = v.getBigUint64(at, true);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
};

/** Decodes what fits of `bytes` as tcp_info; null when it is shorter than the fixed head. */
export function decodeTcpInfo(bytes: Uint8Array): TcpInfo | null {
  if (bytes.length < 40) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const has = (end: number) => bytes.length >= end;
  const info: TcpInfo = {
    state: v.getUint8(0), caState: v.getUint8(1), retransmits: v.getUint8(2),
    sndWscale: v.getUint8(6) & 0x0f, rcvWscale: v.getUint8(6) >> 4,
    rto: v.getUint32(8, true), ato: v.getUint32(12, true), sndMss: v.getUint32(16, true), rcvMss: v.getUint32(20, true),
    unacked: v.getUint32(24, true), lost: v.getUint32(32, true), retrans: v.getUint32(36, true),
  };
  if (has(64)) info.pmtu = v.getUint32(60, true);
  if (has(76)) { info.rtt = v.getUint32(68, true); info.rttvar = v.getUint32(72, true); }
  if (has(88)) { info.sndCwnd = v.getUint32(80, true); info.advmss = v.getUint32(84, true); }
  if (has(104)) info.totalRetrans = v.getUint32(100, true);
  if (has(136)) { info.bytesAcked = u64(v, 120); info.bytesReceived = u64(v, 128); }
  if (has(144)) { info.segsOut = v.getUint32(136, true); info.segsIn = v.getUint32(140, true); }
  return info;
}
