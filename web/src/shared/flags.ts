// nlmsg_flags as text: shared with `nlkit decode` (src/trace/decode/flags.ts).

export * from '../../../src/trace/decode/flags.js';
