/**
 * Per store, how many scrape-interval evaluations of an SLI had data and how many were bad, per coarse bucket —
 * counted by Prometheus, so 1,000 stores × 30 days costs the backend one number pair per store and bucket.
 *
 *   sloSeries(name, slo, o): SloSeries   — the 0/1 PromQL of one SLO (1 = bad), one series per instance
 *   sloTotals(p, s, grid, segments, o, onCount) — valid and bad samples per instance over runs of buckets (budget)
 *   sloBuckets(p, s, grid, o, onCount)           — the same per bucket (timeseries)
 *
 * Bucket k ends at `grid.firstEnd + k × S` and covers (end − S, end]; X, the SLI, is evaluated every R (the scrape
 * interval; a subquery's steps are aligned to multiples of R, as the invariant history's). Ranges are one
 * millisecond short of whole buckets because Prometheus 2 includes both ends of a range: adjacent windows never
 * share a sample. NaN (no writes: no latency quantile) is dropped by `>= -Inf`, so a gap is neither good nor bad.
 *
 * Chunks: as the invariant history's coarse pass (historyCoarse.ts) — at most 11,000 points and few enough that
 * series × inner steps stays under the sample budget; a piece Prometheus still refuses is halved down to one bucket.
 */
import type { SloName } from '../../../shared/names';
import { MAX_POINTS_PER_SERIES } from '../../prometheus/client';
import type { Slo } from '../../subject';
import { seriesEstimate } from '../invariants/historyCoarse';
import type { PrometheusHistory } from '../invariants/historyGrid';
import { isSampleLimitError, type Limiter, namedLimitError, samplesLimitError } from '../invariants/historyLimits';
import { BAD_SERIES } from './alertRules';
import { diskUsedRatioExpr, formatPromDuration, p99WriteLatencyExpr, type SelectorFn, tikvUpExpr } from '../promql';

export interface SloSeries {
  slo: SloName;
  /** 1 where a sample is out of target, 0 where it is in, nothing where there is no data; by instance. */
  expr: string;
  /** The raw series the expression reads (sizing chunks against the sample limit). */
  rawSelector: string;
}

/**
 * The bool series of provisioning/prometheus/tikv-operator-slo.rules.yml for one SLO, with the deployment's matchers
 * (job, PROMETHEUS_SELECTOR); the rules keep every label but `type`/`le`, so they still apply.
 */
export function recordedSloSelector(name: SloName, selector: SelectorFn): string {
  return selector(BAD_SERIES, [{ name: 'slo', op: '=', value: name }], 'tikv');
}

/** The SLI of each SLO, judged per sample (README "SLOs"); `recorded`: read the recording rule's 0/1 instead. */
export function sloSeries(
  name: SloName,
  slo: Slo,
  o: { selector: SelectorFn; window: string; recorded?: boolean }
): SloSeries {
  if (o.recorded) {
    const sel = recordedSloSelector(name, o.selector);
    return { slo: name, expr: `max by (instance) (${sel})`, rawSelector: sel };
  }
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

/**
 * One subquery counts both numbers: each sample of X (0 good, 1 bad) becomes 1 or 2^20, so a window's sum is
 * good + 2^20 × bad — exact in float64 while a window holds fewer than 2^20 samples (`MAX_INNER`), and half the
 * work of asking `count_over_time` and `sum_over_time` separately (Prometheus would evaluate X twice).
 */
const SHIFT = 2 ** 20;
const MAX_INNER = SHIFT - 1;

export function encodedExpr(s: SloSeries, rangeMs: number, stepMs: number): string {
  return `sum_over_time(((${s.expr}) * ${SHIFT - 1} + 1)[${formatPromDuration(rangeMs)}:${formatPromDuration(stepMs)}])`;
}

export function decode(v: number): { valid: number; bad: number } {
  const bad = Math.floor(v / SHIFT);
  return { valid: v - bad * (SHIFT - 1), bad };
}

export type OnCount = (instance: string, index: number, valid: number, bad: number) => void;

/** How many inner (R) steps one query may evaluate: under the sample budget and the encoding's limit. */
async function innerBudget(p: PrometheusHistory, s: SloSeries, g: BucketGrid, o: CountOptions): Promise<number> {
  const grid = { stepMs: g.stepMs, start: g.firstEnd - g.bucketMs, end: g.lastEnd };
  // Each raw series costs about twice its samples while PromQL evaluates (the rate or ratio, then the aggregation).
  const series = 2 * (await seriesEstimate(p, s, grid, o));
  return Math.max(1, Math.floor(o.maxSamples / series));
}

/**
 * Totals per segment: `segments` are inclusive bucket ranges [first, last]; each is counted with instant queries of
 * `sum_over_time(ENC[D:R])`, in pieces of as many R steps as the sample budget allows (not whole buckets: a latency
 * piece of a 1,000-store fleet holds ~400 steps, more than an hour's 240), and reported once per instance as
 * `onCount(instance, segmentIndex, valid, bad)` — one number per store and piece comes from Prometheus.
 */
export async function sloTotals(
  p: PrometheusHistory,
  s: SloSeries,
  g: BucketGrid,
  segments: Array<[number, number]>,
  o: CountOptions,
  onCount: OnCount
): Promise<{ warnings: string[]; queries: number }> {
  const S = g.bucketMs;
  const R = g.stepMs;
  const piece = Math.min(MAX_INNER, await innerBudget(p, s, g, o)) * R;
  const out = { warnings: [] as string[], queries: 1 };
  const sums = segments.map(() => new Map<string, { valid: number; bad: number }>());
  // (from, to]: both on the R grid.
  const run = async (segment: number, from: number, to: number): Promise<void> => {
    out.queries++;
    let answer;
    try {
      answer = await o.limiter.run(() => p.query(encodedExpr(s, to - from - 1, R), to, o.signal));
    } catch (err) {
      if (isSampleLimitError(err) && to - from > R) {
        const mid = from + Math.floor((to - from) / R / 2) * R;
        await Promise.all([run(segment, from, mid), run(segment, mid, to)]);
        return;
      }
      throw limitError(err, s, to - from);
    }
    out.warnings.push(...answer.warnings);
    for (const x of answer.samples) {
      if (Number.isFinite(x.v)) {
        const instance = x.labels.instance ?? '';
        const c = decode(x.v);
        const sum = sums[segment].get(instance) ?? { valid: 0, bad: 0 };
        sums[segment].set(instance, { valid: sum.valid + c.valid, bad: sum.bad + c.bad });
      }
    }
  };
  const pieces: Array<Promise<void>> = [];
  segments.forEach(([first, last], i) => {
    const segmentEnd = g.firstEnd + last * S;
    for (let from = g.firstEnd + (first - 1) * S; from < segmentEnd; from += piece) {
      pieces.push(run(i, from, Math.min(segmentEnd, from + piece)));
    }
  });
  await Promise.all(pieces);
  sums.forEach((m, i) => m.forEach((c, instance) => onCount(instance, i, c.valid, c.bad)));
  return out;
}

/**
 * Counts per bucket: range queries of `sum_over_time(ENC[S−1ms:R])` at step S, chunked like the invariant history's
 * coarse pass; `onCount(instance, bucketIndex, valid, bad)` for every bucket with data.
 */
export async function sloBuckets(
  p: PrometheusHistory,
  s: SloSeries,
  g: BucketGrid,
  o: CountOptions,
  onCount: OnCount
): Promise<{ warnings: string[]; queries: number }> {
  const S = g.bucketMs;
  const R = g.stepMs;
  const inner = await innerBudget(p, s, g, o);
  const points = Math.max(1, Math.min(MAX_POINTS_PER_SERIES, Math.floor(inner / (S / R)) - 1));
  const chunks: Array<[number, number]> = [];
  for (let t = g.firstEnd; t <= g.lastEnd; t += points * S) {
    chunks.push([t, Math.min(g.lastEnd, t + (points - 1) * S)]);
  }
  const out = { warnings: [] as string[], queries: 1 };
  const expr = encodedExpr(s, S - 1, R);
  const run = async ([a, b]: [number, number]): Promise<void> => {
    out.queries++;
    let answer;
    try {
      answer = await o.limiter.run(() => p.queryRange(expr, a, b, S, o.signal));
    } catch (err) {
      if (isSampleLimitError(err) && a < b) {
        const mid = a + Math.floor((b - a) / S / 2) * S;
        await Promise.all([run([a, mid]), run([mid + S, b])]);
        return;
      }
      throw limitError(err, s, S);
    }
    out.warnings.push(...answer.warnings);
    for (const x of answer.series) {
      const instance = x.labels.instance ?? '';
      for (const [t, v] of x.samples) {
        if (Number.isFinite(v)) {
          const c = decode(v);
          onCount(instance, Math.round((t - g.firstEnd) / S), c.valid, c.bad);
        }
      }
    }
  };
  await Promise.all(chunks.map(run));
  return out;
}

function limitError(err: unknown, s: SloSeries, spanMs: number): unknown {
  return isSampleLimitError(err)
    ? samplesLimitError(`the ${s.slo} SLO over ${spanMs / 1000} s`)
    : namedLimitError(err, `the ${s.slo} SLO`);
}
