// Handing a record's netlink bytes to the codec.

import type { Batch, Codec } from '../codec/index.js';
import { ArgumentError } from '../codec/errors.js';
import type { TraceRecord } from './record.js';

/**
 * Scans the record's datagram with the codec's default scanner (the batch is
 * valid until that scanner scans again). Malformed netlink shows as message
 * statuses in the batch, not as an exception.
 */
export function scanRecord(record: TraceRecord, codec: Codec): Batch {
  if (!record.netlink) {
    throw new ArgumentError(`record ${record.number} does not carry netlink (link type ${record.linkType})`);
  }
  return codec.scan(record.payload);
}
