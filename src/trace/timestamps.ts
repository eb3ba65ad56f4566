// Converting a capture's 64-bit timestamp counts into nanoseconds and
// milliseconds since the epoch. pcapng's if_tsresol byte picks the unit:
// high bit clear, 10^-v seconds; high bit set, 2^-(v & 0x7f) seconds.

const NS_PER_S = 1_000_000_000n;
const TWO_32 = 4294967296;

export class TimestampScale {
  readonly unitsPerSecond: number;
  private readonly mul: bigint; // ns = (count * mul) / div >> shift
  private readonly div: bigint;
  private readonly shift: bigint;
  private readonly offsetNs: bigint;
  private readonly msPerUnit: number;
  private readonly offsetMs: number;
  /** Counts are whole nanoseconds or a whole multiple of them. */
  private readonly exact: boolean;

  constructor(tsresol: number, readonly offsetSeconds: bigint = 0n) {
    const exponent = tsresol & 0x7f;
    if (tsresol & 0x80) {
      this.unitsPerSecond = 2 ** exponent;
      this.mul = NS_PER_S;
      this.div = 1n;
      this.shift = BigInt(exponent);
      this.exact = exponent === 0;
    } else {
      this.unitsPerSecond = 10 ** exponent;
      this.mul = exponent <= 9 ? 10n ** BigInt(9 - exponent) : 1n;
      this.div = exponent > 9 ? 10n ** BigInt(exponent - 9) : 1n;
      this.shift = 0n;
      this.exact = exponent <= 9;
    }
    this.offsetNs = offsetSeconds * NS_PER_S;
    this.msPerUnit = 1000 / this.unitsPerSecond;
    this.offsetMs = Number(offsetSeconds) * 1000;
  }

  /** The count hi·2^32 + lo in nanoseconds since the epoch, rounded down. */
  nanoseconds(hi: number, lo: number): bigint {
    // Below 2^53 the count is exact as a double: one BigInt instead of three.
    const count = hi < 0x200000 ? BigInt(hi * TWO_32 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
    let ns: bigint;
    if (this.exact) ns = this.mul === 1n ? count : count * this.mul;
    else if (this.shift !== 0n) ns = (count * this.mul) >> this.shift;
    else ns = count / this.div;
    return this.offsetNs === 0n ? ns : ns + this.offsetNs;
  }

  /** The same in milliseconds, as a double. */
  milliseconds(hi: number, lo: number): number {
    return (hi * TWO_32 + lo) * this.msPerUnit + this.offsetMs;
  }
}

export const MICROSECONDS = 6;
export const NANOSECONDS = 9;
