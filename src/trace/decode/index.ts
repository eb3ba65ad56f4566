// Decoding captures message by message: names from the schemas (generic
// netlink ids learned from the capture), request/reply pairing, filter
// expressions, text and JSON Lines output, and a summary. Runs anywhere;
// `nlkit decode` feeds it a file, the browser viewer shares its catalog,
// flags and pairing.

export { decodeTrace, type DecodeTraceOptions, type DecodeTraceResult } from './decode-trace.js';
export { MessageStream, relocateError, payloadFileOffset, type TraceMessage, type TraceProblem, type MessageStreamHandlers } from './message-stream.js';
export { TraceMessageDecoder, errorOut, type DecodedTraceMessage, type MessageFacts, type ErrorOut } from './trace-message-decoder.js';
export { Catalog, announcedFamily, GENL_ID_CTRL, GENL_HEADER_BYTES, CTRL_CMD_NEWFAMILY, type MessageInfo } from './catalog.js';
export { RequestPairer } from './pairing.js';
export { parseFilter, emptySubject, type FilterPredicate, type FilterSubject } from './filter.js';
export { SummaryCounter, type TraceSummary } from './summary.js';
export { formatMessageText, formatProblemText, formatSummaryText } from './text-format.js';
export * from './flags.js';
