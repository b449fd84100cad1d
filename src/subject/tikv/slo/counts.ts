/**
 * Per store, how many scrape-interval evaluations of an SLI had data and how many were bad, per coarse bucket —
 * counted by Prometheus, so 1,000 stores × 30 days costs the backend one number pair per store and bucket.
 *
 *   sloSeries(name, slo, o): SloSeries                  — the 0/1 PromQL of one SLO (1 = bad), one series per instance
 *   sloCounts(p, s, grid, o, onCount): Promise<{warnings, queries}>
 *
 * Bucket k ends at `grid.firstEnd + k × S` and covers (end − S, end]: `count_over_time(X[S−1ms:R])` (samples with
 * data) and `sum_over_time(X[S−1ms:R])` (bad ones) at step S, where X is the SLI evaluated every R (the scrape
 * interval; the subquery's steps are aligned to multiples of R, as the invariant history's). The range is one
 * millisecond short of S because Prometheus 2 includes both ends of a range: adjacent buckets never share a sample.
 * NaN (no writes: no latency quantile) is dropped by `>= -Inf`, so a gap is neither good nor bad.
 *
 * Chunks: as the invariant history's coarse pass (historyCoarse.ts) — at most 11,000 points and few enough that
 * series × inner steps stays under the sample budget; a chunk Prometheus still refuses is halved down to one bucket.
 */
import type { SloName } from '../../../shared/names';
import { MAX_POINTS_PER_SERIES } from '../../prometheus/client';
import type { Slo } from '../../subject';
import { seriesEstimate } from '../invariants/historyCoarse';
import type { PrometheusHistory } from '../invariants/historyGrid';
import { isSampleLimitError, type Limiter, namedLimitError, samplesLimitError } from '../invariants/historyLimits';
import { diskUsedRatioExpr, formatPromDuration, p99WriteLatencyExpr, type SelectorFn, tikvUpExpr } from '../promql';

export interface SloSeries {
  slo: SloName;
  /** 1 where a sample is out of target, 0 where it is in, nothing where there is no data; by instance. */
  expr: string;
  /** The raw series the expression reads (sizing chunks against the sample limit). */
  rawSelector: string;
}

/** The SLI of each SLO, judged per sample (README "SLOs"). */
export function sloSeries(name: SloName, slo: Slo, o: { selector: SelectorFn; window: string }): SloSeries {
  const target = String(slo.target);
  switch (name) {
    case 'write_latency_p99':
      return {
        slo: name,
        expr: `(${p99WriteLatencyExpr(o.selector, o.window)} >= -Inf) > bool ${target}`,
        rawSelector: o.selector(
          'tikv_storage_engine_async_request_duration_seconds_bucket',
          [{ name: 'type', op: '=', value: 'write' }],
          'tikv'
        ),
      };
    case 'disk_usage':
      return {
        slo: name,
        expr: `(${diskUsedRatioExpr(o.selector)} >= -Inf) > bool ${target}`,
        rawSelector: o.selector('tikv_store_size_bytes', [], 'tikv'),
      };
    case 'store_availability':
      return {
        slo: name,
        expr: `max by (instance) (${tikvUpExpr(o.selector)}) < bool ${target}`,
        rawSelector: tikvUpExpr(o.selector),
      };
  }
}

export interface BucketGrid {
  /** R: the evaluation step (scrape interval), ms. */
  stepMs: number;
  /** S: the bucket length, a multiple of R, ms. */
  bucketMs: number;
  /** End of the first bucket and of the last one (both on the R grid). */
  firstEnd: number;
  lastEnd: number;
}

export interface CountOptions {
  maxSamples: number;
  limiter: Limiter;
  signal?: AbortSignal;
}

export type CountKind = 'valid' | 'bad';

export async function sloCounts(
  p: PrometheusHistory,
  s: SloSeries,
  g: BucketGrid,
  o: CountOptions,
  onCount: (instance: string, bucket: number, kind: CountKind, value: number) => void
): Promise<{ warnings: string[]; queries: number }> {
  const S = g.bucketMs;
  const R = g.stepMs;
  const grid = { stepMs: R, start: g.firstEnd - S, end: g.lastEnd };
  // Each raw series costs about twice its samples while PromQL evaluates; two queries (count, sum) per chunk.
  const series = 2 * (await seriesEstimate(p, s, grid, o));
  const innerPerBucket = S / R;
  const points = Math.max(1, Math.min(MAX_POINTS_PER_SERIES, Math.floor(o.maxSamples / (series * innerPerBucket)) - 1));
  const chunks: Array<[number, number]> = [];
  for (let t = g.firstEnd; t <= g.lastEnd; t += points * S) {
    chunks.push([t, Math.min(g.lastEnd, t + (points - 1) * S)]);
  }
  const out = { warnings: [] as string[], queries: 1 };
  const range = `${formatPromDuration(S - 1)}:${formatPromDuration(R)}`;
  const exprs: Record<CountKind, string> = {
    valid: `count_over_time((${s.expr})[${range}])`,
    bad: `sum_over_time((${s.expr})[${range}])`,
  };
  const one = async (kind: CountKind, a: number, b: number) => {
    out.queries++;
    const answer = await o.limiter.run(() => p.queryRange(exprs[kind], a, b, S, o.signal));
    return { kind, answer };
  };
  const run = async ([a, b]: [number, number]): Promise<void> => {
    let answers;
    try {
      answers = await Promise.all([one('valid', a, b), one('bad', a, b)]);
    } catch (err) {
      if (isSampleLimitError(err)) {
        if (a === b) {
          throw samplesLimitError(`the ${s.slo} SLO over ${S / 1000} s`);
        }
        const mid = a + Math.floor((b - a) / S / 2) * S;
        await run([a, mid]);
        await run([mid + S, b]);
        return;
      }
      throw namedLimitError(err, `the ${s.slo} SLO`);
    }
    for (const { kind, answer } of answers) {
      out.warnings.push(...answer.warnings);
      for (const x of answer.series) {
        const instance = x.labels.instance ?? '';
        for (const [t, v] of x.samples) {
          if (Number.isFinite(v)) {
            onCount(instance, Math.round((t - g.firstEnd) / S), kind, v);
          }
        }
      }
    }
  };
  await Promise.all(chunks.map(run));
  return out;
}
