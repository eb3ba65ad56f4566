// A scanner per codec for small one-off decodes (error payloads, request
// paths) that must not disturb the scanners of sockets and streams.
import type { Codec } from '../codec/codec.js';
import type { Scanner } from '../codec/batch.js';

const scanners = new WeakMap<Codec, Scanner>();

export function scratch(codec: Codec): Scanner {
  let scanner = scanners.get(codec);
  if (!scanner) {
    scanner = codec.scanner();
    scanners.set(codec, scanner);
  }
  return scanner;
}
