// What the full-walk suites extract from each message: the same shape on the
// nlkit side and the plain-JavaScript side, so the test can compare them.

export interface LinkSummary {
  index: number;
  ifname: string;
  mtu: number;
  operstate: number;
  address: Uint8Array | null;
  /** rx_bytes of IFLA_STATS64: a number below 2^53, else a bigint. */
  rxBytes: number | bigint;
  /** IFLA_INFO_KIND inside IFLA_LINKINFO ('' when absent). */
  kind: string;
}

export interface RouteSummary {
  family: number;
  dstLen: number;
  /** RTA_TABLE when present, else rtm_table. */
  table: number;
  dst: Uint8Array | null;
  gateway: Uint8Array | null;
  oif: number;
  priority: number;
  /** RTAX_MTU inside RTA_METRICS (0 when absent). */
  mtu: number;
}
