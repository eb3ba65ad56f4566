// Row status codes shared by the worker and the page.

/** The message decoded cleanly. */
export const ROW_OK = 0;
/** Bytes end before a declared length (message or record). */
export const ROW_TRUNCATED = 1;
/** Bytes contradict the format (a message header, an NLMSG_ERROR too short). */
export const ROW_MALFORMED = 2;
/** The message header is fine but its attributes are not. */
export const ROW_BAD_ATTRIBUTES = 3;
/** A capture record that yielded no message: a problem record, a cut-off file, a non-netlink link type. */
export const ROW_RECORD_PROBLEM = 4;

export const STATUS_LABELS = ['ok', 'truncated', 'malformed', 'bad attributes', 'record problem'] as const;

/** Direction column values. */
export const DIR_UNKNOWN = 0;
export const DIR_IN = 1;
export const DIR_OUT = 2;
export const DIRECTION_LABELS = ['?', 'in', 'out'] as const;

/** Protocol column value of a row without a netlink protocol. */
export const NO_PROTOCOL = 0xffff;
