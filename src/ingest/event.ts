// What flows through an ingestion pipeline: events decoded from the kernel,
// and explicit records of every loss, so a consumer downstream can tell a
// quiet system from a lossy one.

/** Where messages were lost. */
export type LossSource =
  /** The socket's receive buffer overflowed (ENOBUFS); the kernel does not say how many. */
  | 'kernel'
  /** A gap in a sequence the kernel numbers (proc connector cn_msg.seq): `dropped` is exact. */
  | 'sequence'
  /** The pipeline's own queue was full and it was told to drop rather than pause. */
  | 'local'
  /** The sink failed to take events (after its own retries). */
  | 'sink';

export type IngestEvent =
  | {
    kind: 'event';
    /** Pipeline sequence number, from 1, in receive order. */
    seq: number;
    /** Receive time, nanoseconds since the epoch. */
    timeNs: bigint;
    /** link, addr, route, neigh, proc, uevent, conntrack. */
    family: string;
    /** The message name from the schema: newlink, deladdr, fork, add, new, ... */
    name: string;
    /** The decoded message, JSON-safe (see docs/json-monitor.md). */
    data: Record<string, unknown>;
    /** The netlink protocol it came on. */
    protocol: number;
    /** The datagram or message bytes, kept only when the sink wants them (pcapng). */
    bytes?: Uint8Array;
    /** true when the event comes from a re-dump after an overrun, not from a notification. */
    resync?: true;
  }
  | { kind: 'loss'; seq: number; timeNs: bigint; source: LossSource; dropped: number | null; family: string; detail?: string }
  | { kind: 'resync'; seq: number; timeNs: bigint; family: string; count: number }
  | { kind: 'malformed'; seq: number; timeNs: bigint; family: string; error: string; offset: number | null };

/** The end-to-end loss counters a pipeline keeps. */
export interface LossCounters {
  /** ENOBUFS reports from the socket (each one is an unknown number of messages). */
  kernelOverruns: number;
  /** Messages known lost from kernel sequence gaps. */
  sequenceGaps: number;
  /** Events dropped from the local queue. */
  localDropped: number;
  /** Events a sink failed to take. */
  sinkFailed: number;
}

export interface PipelineSummary extends LossCounters {
  /** Events handed to the sink successfully (loss and resync records included). */
  delivered: number;
  /** Messages decoded from the socket. */
  received: number;
  /** Datagrams read, and receive calls that returned any. */
  datagrams: number;
  receiveCalls: number;
  malformed: number;
  /** Datagrams dropped because a process, not the kernel, sent them (the socket engine's rule). */
  spoofed: number;
  resyncs: number;
  /** Most events queued at once. */
  queueHighWater: number;
}
