// Wall-clock time in nanoseconds since the epoch, finer than Date.now():
// performance.timeOrigin (the epoch time the clock started, in ms with a
// fraction) plus performance.now(). Both exist in browsers, workers and Node.

const originUs = BigInt(Math.round(performance.timeOrigin * 1000));

export function nowNs(): bigint {
  return originUs * 1000n + BigInt(Math.round(performance.now() * 1e6));
}
