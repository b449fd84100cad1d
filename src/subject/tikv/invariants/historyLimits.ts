/**
 * The limits a history query meets, named: Prometheus' 11,000 points per series and `--query.max-samples`
 * (50,000,000 by default, subquery samples included), and the backend's own answer size limit
 * (`UPSTREAM_MAX_BODY_BYTES`). Each error says which limit and what to do, never a bare byte count.
 *
 *   isSampleLimitError(err): boolean      — Prometheus refused a query for loading too many samples
 *   namedLimitError(err, what): unknown   — UpstreamTooLargeError → an error naming UPSTREAM_MAX_BODY_BYTES
 *   samplesLimitError(what): OperatorError
 *   class Limiter(n) — run(fn): at most n calls of every history pass in flight (Prometheus' CPU is the bottleneck)
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

export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) {
        next(); // the slot passes on
      } else {
        this.active--;
      }
    }
  }
}
