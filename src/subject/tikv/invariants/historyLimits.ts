/**
 * The limits a history query meets, named: Prometheus' 11,000 points per series and `--query.max-samples`
 * (50,000,000 by default, subquery samples included), and the backend's own answer size limit
 * (`UPSTREAM_MAX_BODY_BYTES`). Each error says which limit and what to do, never a bare byte count.
 *
 *   isSampleLimitError(err): boolean      — Prometheus refused a query for loading too many samples
 *   namedLimitError(err, what): unknown   — UpstreamTooLargeError → an error naming UPSTREAM_MAX_BODY_BYTES
 *   samplesLimitError(what): OperatorError
 *   mapLimit(items, n, fn): Promise<R[]>  — at most n calls in flight, results in input order
 */
import { ERROR_CODES, OperatorError, UpstreamStatusError, UpstreamTooLargeError } from '../../../shared/errors';

/** Prometheus' `--query.max-samples` default; history sizes its queries to stay well below it. */
export const PROMETHEUS_MAX_SAMPLES = 50_000_000;

/** Prometheus' answer: "query processing would load too many samples into memory in query execution". */
export function isSampleLimitError(err: unknown): boolean {
  return err instanceof UpstreamStatusError && /too many samples/i.test(err.upstreamMessage ?? err.message);
}

export function samplesLimitError(what: string): OperatorError {
  return new OperatorError(
    ERROR_CODES.UPSTREAM_TOO_LARGE,
    `Prometheus refused ${what}: it needs more samples than Prometheus' --query.max-samples allows even for the ` +
      'smallest piece the history asks for; raise --query.max-samples, filter the query by storeIds, or load the ' +
      'recording rules in provisioning/prometheus/tikv-operator-history.rules.yml',
    502
  );
}

/** An answer over the backend's size limit becomes an error naming the limit; anything else passes through. */
export function namedLimitError(err: unknown, what: string): unknown {
  if (err instanceof UpstreamTooLargeError) {
    return new OperatorError(
      ERROR_CODES.UPSTREAM_TOO_LARGE,
      `Prometheus' answer for ${what} exceeded the backend's answer size limit (${ENV_NAME}, ${err.message.replace(/^.*answer larger than /, '')}); ` +
        `raise ${ENV_NAME}, filter the query by storeIds, or query a shorter range`,
      502
    );
  }
  return err;
}

/** config.ts' variable for the upstream answer size limit. */
const ENV_NAME = 'UPSTREAM_MAX_BODY_BYTES';

export async function mapLimit<T, R>(
  items: readonly T[],
  n: number,
  fn: (item: T, i: number) => Promise<R>
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (err) {
        next = items.length; // the first failure stops the other workers from starting more
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}
