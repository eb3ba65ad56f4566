// The closing summary of `nlkit decode`: counts per family and message type,
// requests and how many were answered, errors, broken input and overruns.

/** The summary line of the JSON Lines output (kind 'summary'); see docs/json-decode.md. */
export interface TraceSummary {
  kind: 'summary';
  format: 'pcap' | 'pcapng' | null;
  records: number;
  messages: number;
  /** Messages the filter let through (all of them without a filter). */
  shown: number;
  requests: number;
  /** Requests that got at least one reply, ack or error. */
  answered: number;
  /** Requests that got no reply, ack or error in the capture. */
  unanswered: number;
  acks: number;
  /** NLMSG_ERROR with a negative errno, and NLMSG_DONE reporting a failed dump. */
  errors: number;
  /** Records without messages: cut off, malformed, not netlink, empty. */
  problems: number;
  /** Messages whose header or length is broken (the codec's status). */
  malformed: number;
  /** Messages whose attributes failed to decode (counted among the messages decoded, i.e. shown). */
  decodeErrors: number;
  /** NLMSG_OVERRUN messages in the capture. */
  overruns: number;
  /** Seconds from the first to the last timestamp, null without timestamps. */
  duration: number | null;
  /** Generic netlink family ids learned from the capture. */
  genl: Record<string, string>;
  /** Per protocol, family and message type, most frequent first. */
  types: Array<{ protocol: string; family: string; type: string; count: number; errors: number }>;
}

interface TypeCount {
  protocol: string;
  family: string;
  type: string;
  count: number;
  errors: number;
}

export class SummaryCounter {
  records = 0;
  messages = 0;
  shown = 0;
  acks = 0;
  errors = 0;
  problems = 0;
  malformed = 0;
  decodeErrors = 0;
  overruns = 0;
  private first = NaN;
  private last = NaN;
  private readonly byType = new Map<string, TypeCount>();
  /** The last key looked up: long runs of one type skip the map. */
  private lastKey = '';
  private lastCount: TypeCount | null = null;

  time(ms: number): void {
    if (Number.isNaN(ms)) return;
    if (Number.isNaN(this.first) || ms < this.first) this.first = ms;
    if (Number.isNaN(this.last) || ms > this.last) this.last = ms;
  }

  count(protocol: string, family: string, type: string, failed: boolean): void {
    let entry: TypeCount | undefined;
    const key = `${protocol}\0${family}\0${type}`;
    if (key === this.lastKey && this.lastCount) entry = this.lastCount;
    else {
      entry = this.byType.get(key);
      if (!entry) this.byType.set(key, (entry = { protocol, family, type, count: 0, errors: 0 }));
      this.lastKey = key;
      this.lastCount = entry;
    }
    entry.count++;
    if (failed) entry.errors++;
  }

  finish(format: TraceSummary['format'], requests: number, answered: number, unanswered: number, genl: Map<number, string>): TraceSummary {
    const genlOut: Record<string, string> = {};
    for (const [id, name] of [...genl].sort((a, b) => a[0] - b[0])) genlOut[String(id)] = name;
    return {
      kind: 'summary', format, records: this.records, messages: this.messages, shown: this.shown,
      requests, answered, unanswered, acks: this.acks, errors: this.errors, problems: this.problems,
      malformed: this.malformed, decodeErrors: this.decodeErrors, overruns: this.overruns,
      duration: Number.isNaN(this.first) ? null : Math.round((this.last - this.first) * 1000) / 1e6,
      genl: genlOut,
      types: [...this.byType.values()].sort((a, b) => b.count - a.count || a.family.localeCompare(b.family) || a.type.localeCompare(b.type)),
    };
  }
}
