/**
 * The error catalog (as undici's `lib/core/errors.js` and fastify's `lib/errors.js`): one base class, one subclass
 * per failure, each with a stable `code` and the HTTP status the backend answers with. Messages name what was wrong
 * (upstream, path, status, field) and never carry credentials.
 */

import { redact } from './redact';

export const ERROR_CODES = {
  BAD_QUERY: 'TKO_ERR_BAD_QUERY',
  /** 415: a body that is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 'TKO_ERR_UNSUPPORTED_MEDIA_TYPE',
  /** 413: a body above the backend's body limit. */
  BODY_TOO_LARGE: 'TKO_ERR_BODY_TOO_LARGE',
  /** 500: a bug; the message still says what went wrong. */
  INTERNAL: 'TKO_ERR_INTERNAL',
  BAD_CONFIG: 'TKO_ERR_BAD_CONFIG',
  UNAUTHORIZED: 'TKO_ERR_UNAUTHORIZED',
  FORBIDDEN: 'TKO_ERR_FORBIDDEN',
  NOT_FOUND: 'TKO_ERR_NOT_FOUND',
  STORE_NOT_FOUND: 'TKO_ERR_STORE_NOT_FOUND',
  CLUSTER_NOT_FOUND: 'TKO_ERR_CLUSTER_NOT_FOUND',
  UPSTREAM_UNREACHABLE: 'TKO_ERR_UPSTREAM_UNREACHABLE',
  UPSTREAM_TIMEOUT: 'TKO_ERR_UPSTREAM_TIMEOUT',
  UPSTREAM_STATUS: 'TKO_ERR_UPSTREAM_STATUS',
  UPSTREAM_SCHEMA: 'TKO_ERR_UPSTREAM_SCHEMA',
  UPSTREAM_TOO_LARGE: 'TKO_ERR_UPSTREAM_TOO_LARGE',
  ACTION_DISABLED: 'TKO_ERR_ACTION_DISABLED',
  ACTION_UNSAFE: 'TKO_ERR_ACTION_UNSAFE',
  ACTION_REFUSED: 'TKO_ERR_ACTION_REFUSED',
  ACTION_BUSY: 'TKO_ERR_ACTION_BUSY',
  AUDIT_UNAVAILABLE: 'TKO_ERR_AUDIT_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class OperatorError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  constructor(code: ErrorCode, message: string, statusCode: number, options?: { cause?: unknown }) {
    // An upstream may echo our credentials into its message: none survives into an answer or a log (redact.ts).
    super(redact(message), options);
    this.name = 'OperatorError';
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** A request or query that does not fit the schema; `field` is its path (`queries[1].observation`, fieldPath.ts). */
export class BadQueryError extends OperatorError {
  readonly field?: string;
  constructor(message: string, field?: string) {
    super(ERROR_CODES.BAD_QUERY, field ? `${field}: ${message}` : message, 400);
    this.name = 'BadQueryError';
    this.field = field;
  }
}

/** A configuration value (environment variable or file) that stops start-up; names the variable. */
export class ConfigError extends OperatorError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(ERROR_CODES.BAD_CONFIG, `${variable}: ${message}`, 500);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export class UnauthorizedError extends OperatorError {
  constructor(message = 'missing or wrong bearer token') {
    super(ERROR_CODES.UNAUTHORIZED, message, 401);
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends OperatorError {
  constructor(message: string) {
    super(ERROR_CODES.FORBIDDEN, message, 403);
    this.name = 'ForbiddenError';
  }
}

export class StoreNotFoundError extends OperatorError {
  readonly storeId: number;
  constructor(storeId: number) {
    super(ERROR_CODES.STORE_NOT_FOUND, `store ${storeId} not found in PD`, 404);
    this.name = 'StoreNotFoundError';
    this.storeId = storeId;
  }
}

export type Upstream = 'pd' | 'prometheus';
const UPSTREAM_NAME: Record<Upstream, string> = { pd: 'PD', prometheus: 'Prometheus' };

export interface UpstreamErrorDetails {
  upstream: Upstream;
  /** The request path (no query string credentials, no host credentials). */
  path: string;
  /** The member or server URL that answered (origin only). */
  origin?: string;
  /** HTTP status, when the upstream answered. */
  status?: number;
  /** The upstream's own message (PD's error string, Prometheus' `error`), truncated. */
  upstreamMessage?: string;
  /** The offending field path for schema failures (`stores[2].status.capacity`). */
  field?: string;
}

/** Base of every upstream failure: names the upstream and the path. */
export class UpstreamError extends OperatorError {
  readonly upstream: Upstream;
  readonly path: string;
  readonly origin?: string;
  readonly status?: number;
  readonly upstreamMessage?: string;
  readonly field?: string;
  constructor(code: ErrorCode, statusCode: number, what: string, d: UpstreamErrorDetails, options?: { cause?: unknown }) {
    const head = `${UPSTREAM_NAME[d.upstream]} ${d.path}`;
    super(code, `${head}: ${what}`, statusCode, options);
    this.name = 'UpstreamError';
    this.upstream = d.upstream;
    this.path = d.path;
    this.origin = d.origin;
    this.status = d.status;
    this.upstreamMessage = d.upstreamMessage === undefined ? undefined : redact(d.upstreamMessage);
    this.field = d.field;
  }
}

export class UpstreamUnreachableError extends UpstreamError {
  constructor(d: UpstreamErrorDetails, reason: string, options?: { cause?: unknown }) {
    super(ERROR_CODES.UPSTREAM_UNREACHABLE, 502, `unreachable (${reason})`, d, options);
    this.name = 'UpstreamUnreachableError';
  }
}

export class UpstreamTimeoutError extends UpstreamError {
  constructor(d: UpstreamErrorDetails, timeoutMs: number, options?: { cause?: unknown }) {
    super(ERROR_CODES.UPSTREAM_TIMEOUT, 504, `no answer within ${timeoutMs} ms`, d, options);
    this.name = 'UpstreamTimeoutError';
  }
}

export class UpstreamStatusError extends UpstreamError {
  constructor(d: UpstreamErrorDetails & { status: number }) {
    const msg = d.upstreamMessage ? `: ${d.upstreamMessage}` : '';
    super(ERROR_CODES.UPSTREAM_STATUS, 502, `HTTP ${d.status}${msg}`, d);
    this.name = 'UpstreamStatusError';
  }
}

export class UpstreamSchemaError extends UpstreamError {
  constructor(d: UpstreamErrorDetails, problem: string, options?: { cause?: unknown }) {
    const where = d.field ? ` at ${d.field}` : '';
    super(ERROR_CODES.UPSTREAM_SCHEMA, 502, `unexpected answer${where}: ${problem}`, d, options);
    this.name = 'UpstreamSchemaError';
  }
}

/** Which setting bounds an upstream's answers, and what to do when an answer exceeds it. */
export interface BodyLimit {
  /** The variable that sets it, e.g. `PD_MAX_BODY_BYTES`. */
  name: string;
  advice: string;
}

export class UpstreamTooLargeError extends UpstreamError {
  constructor(d: UpstreamErrorDetails, limitBytes: number, limit?: BodyLimit) {
    const which = limit ? ` (${limit.name}): ${limit.advice}` : '';
    super(ERROR_CODES.UPSTREAM_TOO_LARGE, 502, `answer larger than ${limitBytes} bytes${which}`, d);
    this.name = 'UpstreamTooLargeError';
  }
}

export class ActionDisabledError extends OperatorError {
  constructor() {
    super(ERROR_CODES.ACTION_DISABLED, 'actions are disabled on this backend (start it with ACTIONS_ENABLED=true)', 403);
    this.name = 'ActionDisabledError';
  }
}

/** Preflight found the action unsafe; `reasons` are in words. */
export class ActionUnsafeError extends OperatorError {
  readonly reasons: string[];
  constructor(action: string, reasons: string[]) {
    super(ERROR_CODES.ACTION_UNSAFE, `${action} refused by preflight: ${reasons.join('; ')}`, 409);
    this.name = 'ActionUnsafeError';
    this.reasons = reasons;
  }
}

/** PD refused the write (its own validation); `pdMessage` is PD's text. 409: the cluster's state forbids it. */
export class ActionRefusedError extends OperatorError {
  readonly action: string;
  readonly pdMessage: string;
  constructor(action: string, words: string, pdMessage: string) {
    super(ERROR_CODES.ACTION_REFUSED, `${action} refused by PD: ${words} (PD said: ${pdMessage})`, 409);
    this.name = 'ActionRefusedError';
    this.action = action;
    this.pdMessage = pdMessage;
  }
}

/** Another action on the same target (store, region, PD config item) is running, on this or another replica. */
export class ActionBusyError extends OperatorError {
  constructor(action: string, target: string, waitedMs: number) {
    super(
      ERROR_CODES.ACTION_BUSY,
      `${action} not started: another action on ${target} is still running (waited ${waitedMs} ms); nothing was sent to PD, try again when it has finished`,
      409
    );
    this.name = 'ActionBusyError';
  }
}

/**
 * The audit store could not be read or written (database down, slow, not yet migrated). For an execution this
 * happens before PD is asked: the action was not sent.
 */
export class AuditUnavailableError extends OperatorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ERROR_CODES.AUDIT_UNAVAILABLE, message, 503, options);
    this.name = 'AuditUnavailableError';
  }
}

/** Turns anything thrown into a message fit for a user: our errors keep theirs, others get a generic one. */
export function describeError(err: unknown): string {
  if (err instanceof OperatorError) {
    return err.message;
  }
  if (err instanceof Error) {
    return `internal error: ${redact(err.message)}`;
  }
  return 'internal error';
}
