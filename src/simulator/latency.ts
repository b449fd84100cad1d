/**
 * The write-latency histogram of one TiKV store (`tikv_storage_engine_async_request_duration_seconds`): bucket shares
 * chosen so that Prometheus' `histogram_quantile(0.99, …)` (linear interpolation inside a bucket) returns exactly the
 * store's current P99, and counters that are a deterministic, monotonic function of time.
 */

/** Bucket upper bounds in seconds: 10 µs × 2^k (k = 0…19, up to ~5.2 s), as TiKV's exponential buckets. */
export const LATENCY_BUCKETS: readonly number[] = Array.from({ length: 20 }, (_, k) => 0.00001 * 2 ** k);

const MIN_P99_S = 0.00002;
const MAX_P99_S = LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1];
/** Log-normal shape: median = P99 / 4. */
const SIGMA = Math.log(4) / 2.3263478740408408;

/** Error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return sign * y;
}

function logNormalCdf(x: number, median: number): number {
  if (x <= 0) {
    return 0;
  }
  return 0.5 * (1 + erf(Math.log(x / median) / (SIGMA * Math.SQRT2)));
}

export interface LatencyShape {
  /** Cumulative share of requests at or below each bound of LATENCY_BUCKETS, then 1 for +Inf. */
  cumulative: Float64Array;
  /** Mean latency in seconds (for `_sum`). */
  mean: number;
}

/** Bucket shares whose interpolated 0.99-quantile is `p99Seconds` (clamped to 20 µs … 5.24 s). */
export function latencyShape(p99Seconds: number): LatencyShape {
  const t = Math.min(MAX_P99_S, Math.max(MIN_P99_S, p99Seconds));
  const median = t / 4;
  const b = LATENCY_BUCKETS.findIndex((le) => t <= le);
  const lo = LATENCY_BUCKETS[b - 1];
  const hi = LATENCY_BUCKETS[b];
  const f = (t - lo) / (hi - lo);
  // Shares at the two bounds around P99 so that lo + (0.99 - cLo) / (cHi - cLo) * (hi - lo) = t.
  const w = f < 1 ? Math.min(0.02, 0.01 / (1 - f)) : 0.02;
  const cLo = 0.99 - f * w;
  const cHi = cLo + w;
  const gLo = logNormalCdf(lo, median);
  const gHi = logNormalCdf(hi, median);
  const cumulative = new Float64Array(LATENCY_BUCKETS.length + 1);
  LATENCY_BUCKETS.forEach((le, k) => {
    if (k < b) {
      cumulative[k] = (cLo * logNormalCdf(le, median)) / gLo;
    } else if (k === b) {
      cumulative[k] = cHi;
    } else {
      const tail = 1 - gHi;
      cumulative[k] = tail < 1e-12 ? 1 : 1 - ((1 - cHi) * (1 - logNormalCdf(le, median))) / tail;
    }
  });
  cumulative[LATENCY_BUCKETS.length] = 1;
  let mean = 0;
  let prev = 0;
  let prevLe = 0;
  for (let k = 0; k < cumulative.length; k++) {
    const le = k < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[k] : MAX_P99_S * 1.5;
    mean += (cumulative[k] - prev) * ((prevLe + le) / 2);
    prev = cumulative[k];
    prevLe = le;
  }
  return { cumulative, mean };
}

/**
 * Counters of one histogram: the totals at the start of the current segment plus requests/s × elapsed × shares, so
 * values only grow and any change (latency, stop) starts a new segment at the current totals.
 */
export class LatencyCounters {
  private t0: number;
  private base: Float64Array;
  private baseSum = 0;
  private shape: LatencyShape;

  constructor(
    t0Ms: number,
    private opsPerSecond: number,
    p99Seconds: number
  ) {
    this.t0 = t0Ms;
    this.shape = latencyShape(p99Seconds);
    this.base = new Float64Array(LATENCY_BUCKETS.length + 1);
  }

  /** Cumulative bucket counts (last = +Inf = count) and sum at `tMs` (tMs ≥ the last change). */
  at(tMs: number): { buckets: Float64Array; sum: number; count: number } {
    const n = (this.opsPerSecond * Math.max(0, tMs - this.t0)) / 1000;
    const buckets = new Float64Array(this.base.length);
    for (let k = 0; k < buckets.length; k++) {
      buckets[k] = Math.round(this.base[k] + n * this.shape.cumulative[k]);
    }
    return { buckets, sum: this.baseSum + n * this.shape.mean, count: buckets[buckets.length - 1] };
  }

  /** Starts a new segment at `tMs` with a new P99 and/or request rate. */
  change(tMs: number, next: { p99Seconds?: number; opsPerSecond?: number }): void {
    const n = (this.opsPerSecond * Math.max(0, tMs - this.t0)) / 1000;
    for (let k = 0; k < this.base.length; k++) {
      this.base[k] += n * this.shape.cumulative[k];
    }
    this.baseSum += n * this.shape.mean;
    this.t0 = Math.max(this.t0, tMs);
    if (next.p99Seconds !== undefined) {
      this.shape = latencyShape(next.p99Seconds);
    }
    if (next.opsPerSecond !== undefined) {
      this.opsPerSecond = next.opsPerSecond;
    }
  }
}
