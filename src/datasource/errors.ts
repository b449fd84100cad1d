/**
 * Failures of a request through Grafana's data source proxy, in words an operator can act on.
 * Grafana's proxy (pkg/api/pluginproxy/ds_proxy.go) rewrites the backend's 401 into a 400 with the body
 * "Authentication to data source failed", and answers 502/504 with no body when the backend cannot be reached
 * (pkg/util/proxyutil/reverse_proxy.go); our backend's own errors carry `{code, message}` (src/shared/errors.ts).
 */
import { isFetchError } from '@grafana/runtime';

import { ErrorBody } from '../shared/schema/frames';

export const GRAFANA_AUTH_FAILED = 'Authentication to data source failed';
export const BAD_TOKEN_MESSAGE = 'the API token is missing or wrong';
export const UNREACHABLE_MESSAGE = 'backend unreachable';

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
