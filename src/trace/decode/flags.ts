// nlmsg_flags as text. The upper byte means different things by kind of
// request (GET: ROOT/MATCH/ATOMIC, NEW: REPLACE/EXCL/CREATE/APPEND, DELETE:
// NONREC/BULK, acks: CAPPED/ACK_TLVS), so the caller tells which applies.
// Shared by `nlkit decode` and the browser viewer.

export type FlagContext = 0 | 1 | 2 | 3 | 4;
export const FLAG_CONTEXT_NONE = 0;
export const FLAG_CONTEXT_GET = 1;
export const FLAG_CONTEXT_NEW = 2;
export const FLAG_CONTEXT_DELETE = 3;
export const FLAG_CONTEXT_ACK = 4;

const COMMON: Array<[number, string]> = [
  [0x01, 'REQUEST'], [0x02, 'MULTI'], [0x04, 'ACK'], [0x08, 'ECHO'], [0x10, 'DUMP_INTR'], [0x20, 'DUMP_FILTERED'],
];

/** The whole table per context (common flags first), made once: flagNames runs per message. */
const BY_CONTEXT: Record<number, Array<[number, string]>> = {
  [FLAG_CONTEXT_NONE]: COMMON,
  [FLAG_CONTEXT_GET]: [...COMMON, [0x300, 'DUMP'], [0x100, 'ROOT'], [0x200, 'MATCH'], [0x400, 'ATOMIC']],
  [FLAG_CONTEXT_NEW]: [...COMMON, [0x100, 'REPLACE'], [0x200, 'EXCL'], [0x400, 'CREATE'], [0x800, 'APPEND']],
  [FLAG_CONTEXT_DELETE]: [...COMMON, [0x100, 'NONREC'], [0x200, 'BULK']],
  [FLAG_CONTEXT_ACK]: [...COMMON, [0x100, 'CAPPED'], [0x200, 'ACK_TLVS']],
};

/** Flag names, e.g. ['REQUEST', 'ACK', 'DUMP']; unnamed bits as one hex number. */
export function flagNames(flags: number, context: number): string[] {
  const names: string[] = [];
  let rest = flags;
  for (const [mask, name] of BY_CONTEXT[context] ?? COMMON) {
    if ((rest & mask) === mask) {
      names.push(name);
      rest &= ~mask;
    }
  }
  if (rest) names.push(`0x${rest.toString(16)}`);
  return names;
}

const SHORT: Record<string, string> = { REQUEST: 'REQ', DUMP_INTR: 'INTR', DUMP_FILTERED: 'FILTERED', ACK_TLVS: 'TLVS' };

/** Short form for the message list: 'REQ ACK EXCL CREATE'. */
export function flagText(flags: number, context: number): string {
  return flags === 0 ? '' : flagNames(flags, context).map((n) => SHORT[n] ?? n).join(' ');
}
