// What the filter bar asks the worker for.

export interface FilterSpec {
  /** Netlink protocol number, or null for all. */
  protocol: number | null;
  /** Family name ('rt-link', 'netlink', ...), '' for all. */
  family: string;
  /** A type number (decimal or 0x hex) or part of a message name; '' for all. */
  type: string;
  seq: number | null;
  /** The user socket's port id (the list's port column). */
  port: number | null;
  errorsOnly: boolean;
  /** Case-insensitive text anywhere in the row's name, summary or error. */
  text: string;
}

export const NO_FILTER: FilterSpec = { protocol: null, family: '', type: '', seq: null, port: null, errorsOnly: false, text: '' };

export function isEmptyFilter(f: FilterSpec): boolean {
  return f.protocol === null && !f.family && !f.type.trim() && f.seq === null && f.port === null && !f.errorsOnly && !f.text.trim();
}
