// The one error model of nlkit. Every error it throws is an NlkitError with a
// stable string `code`:
//
//   ERR_NLKIT_TRUNCATED  bytes end before a declared length (TruncatedError)
//   ERR_NLKIT_MALFORMED  bytes contradict the format (MalformedError)
//   ERR_NLKIT_STALE      a batch or attribute list read after it was reused
//   ERR_NLKIT_BUILD      the builder was misused (a nest left open, ...)
//   ERR_NLKIT_ARGUMENT   an argument of the wrong type or range
//   E*                   errno names (ENOBUFS, EEXIST, ...) for NetlinkError
//
// A decoding error says what was wrong and at which byte offset of the input.

import { errnoName } from './errno.js';

export class NlkitError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

/** A decoding failure at a byte offset of the input. */
export class DecodeError extends NlkitError {
  readonly offset: number;
  constructor(code: string, message: string, offset: number) {
    super(code, `${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

/** The input ends before a length it declares: more bytes would have fixed it. */
export class TruncatedError extends DecodeError {
  constructor(message: string, offset: number) {
    super('ERR_NLKIT_TRUNCATED', message, offset);
  }
}

/** The input contradicts the format: no amount of further bytes fixes it. */
export class MalformedError extends DecodeError {
  constructor(message: string, offset: number) {
    super('ERR_NLKIT_MALFORMED', message, offset);
  }
}

export class StaleError extends NlkitError {
  constructor(what: string) {
    super('ERR_NLKIT_STALE', `${what} was read after its scanner reused its memory; copy what you keep before scanning again`);
  }
}

export class BuildError extends NlkitError {
  constructor(message: string) {
    super('ERR_NLKIT_BUILD', message);
  }
}

export class ArgumentError extends NlkitError {
  constructor(message: string) {
    super('ERR_NLKIT_ARGUMENT', message);
  }
}

/** The decoded NLMSGERR_ATTR_* attributes of an extended acknowledgement. */
export interface ExtendedAck {
  /** NLMSGERR_ATTR_MSG: the kernel's human-readable message. */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset of the offending attribute in the request. */
  offset?: number;
  /** The offending attribute's path, resolved against the request (names when a schema knows them). */
  attributePath?: string[];
  /** NLMSGERR_ATTR_COOKIE */
  cookie?: Uint8Array;
  /**
   * NLMSGERR_ATTR_POLICY: the policy the attribute failed, NL_POLICY_TYPE_ATTR_*
   * by their spec names in camelCase (type, minLength, maxLength, minValueS,
   * maxValueU, ...); `type` is an NL_ATTR_TYPE_* number.
   */
  policy?: Record<string, number | bigint>;
  /** NLMSGERR_ATTR_MISS_TYPE: the type of a missing required attribute. */
  missingType?: number;
  /** NLMSGERR_ATTR_MISS_NEST: offset of the nest that lacks it. */
  missingNest?: number;
}

export interface NetlinkErrorDetails {
  /** The system call or operation that failed: 'sendmsg', 'bind', 'request', ... */
  operation: string;
  extack?: ExtendedAck;
  /** The request that failed, when the error answers one. */
  request?: { type: number; flags: number; seq: number; bytes?: Uint8Array };
}

/** An errno from the kernel or a socket call: ENOBUFS, EEXIST, EPERM, ... */
export class NetlinkError extends NlkitError {
  /** Positive errno number. */
  readonly errno: number;
  readonly operation: string;
  readonly extack?: ExtendedAck;
  readonly request?: NetlinkErrorDetails['request'];
  constructor(errno: number, details: NetlinkErrorDetails) {
    const n = Math.abs(errno);
    const code = errnoName(n);
    const text = details.extack?.message ? `: ${details.extack.message}` : '';
    super(code, `${details.operation} failed with ${code}${text}`);
    this.errno = n;
    this.operation = details.operation;
    if (details.extack) this.extack = details.extack;
    if (details.request) this.request = details.request;
  }
}
