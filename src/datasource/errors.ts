/**
 * Failures of a request through Grafana's data source proxy, in words an operator can act on.
 * Grafana's proxy (pkg/api/pluginproxy/ds_proxy.go) rewrites the backend's 401 into a 400 with the body
 * "Authentication to data source failed", and answers 502/504 with no body when the backend cannot be reached
 * (pkg/util/proxyutil/reverse_proxy.go); our backend's own errors carry `{code, message}` (src/shared/errors.ts).
 */
import { isFetchError } from '@grafana/runtime';

import {
  ActionUnsafeError,
  ERROR_CODES,
  type ErrorCode,
  ForbiddenError,
  OperatorError,
  UnauthorizedError,
} from '../shared/errors';
import type { ActionName } from '../shared/names';
import { ErrorBody } from '../shared/schema/frames';

export const GRAFANA_AUTH_FAILED = 'Authentication to data source failed';
export const BAD_TOKEN_MESSAGE = 'the API token is missing or wrong';
export const UNREACHABLE_MESSAGE = 'backend unreachable';
export const BAD_ACTIONS_TOKEN_MESSAGE = 'the actions token is missing or wrong';
export const NOT_ADMIN_MESSAGE = 'actions need the Admin role';

export interface DescribedError {
  message: string;
  status?: number;
}

function bodyText(data: unknown): string {
  if (typeof data === 'string') {
    return data;
  }
  if (data && typeof data === 'object' && 'message' in data && typeof data.message === 'string') {
    return data.message;
  }
  return '';
}

export function describeFetchError(err: unknown, target = 'the backend'): DescribedError {
  if (!isFetchError(err)) {
    return { message: err instanceof Error ? err.message : String(err) };
  }
  const { status } = err;
  const text = bodyText(err.data);
  if (status === 400 && text.includes(GRAFANA_AUTH_FAILED)) {
    return { message: BAD_TOKEN_MESSAGE, status: 401 };
  }
  const ours = ErrorBody.safeParse(err.data);
  if (ours.success) {
    return { message: ours.data.message, status };
  }
  if (!status || status === 502) {
    return { message: `${UNREACHABLE_MESSAGE}: Grafana's data source proxy got no answer from ${target}`, status: 502 };
  }
  if (status === 504) {
    return { message: `${UNREACHABLE_MESSAGE}: ${target} did not answer within Grafana's proxy timeout`, status };
  }
  return { message: text || `HTTP ${status}${err.statusText ? ` ${err.statusText}` : ''}`, status };
}

const CATALOG: ReadonlySet<string> = new Set(Object.values(ERROR_CODES));

/**
 * A failed request on the Admin-only `api/actions` route, as an error of the catalog: Grafana's own 403 (the route's
 * reqRole, pkg/api/pluginproxy/ds_proxy.go) means the user is not an Admin; its 400 means the backend refused the
 * actions token; a 409 carries the preflight's reasons; anything else keeps the backend's (or PD's) words.
 */
/** An actions-route failure in words; `action` names what was asked (an action, or `audit trail` for its read). */
export function actionError(err: unknown, action: ActionName | 'audit trail', target = 'the backend'): OperatorError {
  if (err instanceof OperatorError) {
    return err;
  }
  const ours = isFetchError(err) ? ErrorBody.safeParse(err.data) : undefined;
  if (ours?.success) {
    const { code, message, statusCode, reasons } = ours.data;
    if (code === ERROR_CODES.ACTION_UNSAFE) {
      return new ActionUnsafeError(action, reasons ?? [message]);
    }
    const known = CATALOG.has(code) ? (code as ErrorCode) : undefined;
    return new OperatorError(
      known ?? (statusCode < 500 ? ERROR_CODES.BAD_QUERY : ERROR_CODES.UPSTREAM_STATUS),
      message,
      statusCode
    );
  }
  if (isFetchError(err) && err.status === 403) {
    return new ForbiddenError(NOT_ADMIN_MESSAGE);
  }
  const described = describeFetchError(err, target);
  if (described.status === 401) {
    return new UnauthorizedError(BAD_ACTIONS_TOKEN_MESSAGE);
  }
  const status = described.status ?? 502;
  const code =
    status === 504
      ? ERROR_CODES.UPSTREAM_TIMEOUT
      : status === 502
        ? ERROR_CODES.UPSTREAM_UNREACHABLE
        : ERROR_CODES.UPSTREAM_STATUS;
  return new OperatorError(code, described.message, status);
}
