/**
 * The coarse pass: where a condition held, asked of Prometheus at a coarse step S, at full resolution R inside.
 *
 *   coarseWindows(p, s, grid, o): Promise<CoarseResult> — per instance, the R-grid windows [a, b] holding at least
 *                                                         one sample where the condition held
 *
 * One range query per chunk of outer steps, `count_over_time((EXPR COND)[S:R])` at step S: Prometheus evaluates
 * EXPR at every R step (the subquery's steps are aligned to multiples of R from the epoch, as a range query at step
 * R is) and answers only the windows with a holding sample, so the answer grows with the time in violation, not
 * with range × stores. Prometheus 2's range selector includes both ends: the window at t is [t − S, t].
 *
 * Chunks: at most 11,000 outer points, and few enough inner steps that series × steps stays under the sample
 * budget (Prometheus' `--query.max-samples` counts subquery samples). The series count is estimated by a cheap
 * query; a chunk Prometheus still refuses for samples is split in half, down to one step. Chunks run with bounded
 * concurrency; only the windows are kept.
 */
import { MAX_POINTS_PER_SERIES } from '../../prometheus/client';
import type { HistoryGrid, PrometheusHistory } from './historyGrid';
import { isSampleLimitError, type Limiter, namedLimitError, samplesLimitError } from './historyLimits';
import { coarseExpr, type HistorySeries } from './historySeries';

export interface CoarseOptions {
  coarseStepMs: number;
  /** Samples one query may make Prometheus hold. */
  maxSamples: number;
  limiter: Limiter;
  signal?: AbortSignal;
  /** seriesEstimate's answer when the caller has it already (two passes of one refresh): no query then. */
  seriesEstimate?: number;
}

export interface CoarseResult {
  windows: Map<string, Array<[number, number]>>;
  warnings: string[];
  queries: number;
}

/** Raw series behind the expression, at most, over the range (sampled every range/50; a cheap count). */
export async function seriesEstimate(
  p: PrometheusHistory,
  s: Pick<HistorySeries, 'rawSelector'>,
  grid: HistoryGrid,
  o: Pick<CoarseOptions, 'limiter' | 'signal'>
) {
  const span = Math.max(grid.end - grid.start, grid.stepMs);
  const step = Math.max(grid.stepMs, Math.ceil(span / 50 / 1000) * 1000);
  const expr = `max_over_time(count(${s.rawSelector})[${Math.ceil(span / 1000)}s:${step / 1000}s])`;
  const r = await o.limiter.run(() => p.query(expr, grid.end, o.signal));
  return Math.max(1, ...r.samples.map((x) => x.v).filter((v) => Number.isFinite(v)));
}

export async function coarseWindows(
  p: PrometheusHistory,
  s: HistorySeries,
  grid: HistoryGrid,
  o: CoarseOptions
): Promise<CoarseResult> {
  const S = o.coarseStepMs;
  const R = grid.stepMs;
  const first = Math.ceil(grid.start / S) * S;
  const last = Math.ceil(grid.end / S) * S;
  // Each raw series costs about twice its samples while PromQL evaluates (the rate or ratio, then the aggregation).
  const series = 2 * (o.seriesEstimate ?? (await seriesEstimate(p, s, grid, o)));
  const innerStepsPerChunk = Math.floor(o.maxSamples / series);
  const points = Math.max(1, Math.min(MAX_POINTS_PER_SERIES, Math.floor((innerStepsPerChunk * R - S) / S)));
  const chunks: Array<[number, number]> = [];
  for (let t = first; t <= last; t += points * S) {
    chunks.push([t, Math.min(last, t + (points - 1) * S)]);
  }
  const out: CoarseResult = { windows: new Map(), warnings: [], queries: o.seriesEstimate === undefined ? 1 : 0 };
  const run = async ([a, b]: [number, number]): Promise<void> => {
    out.queries++;
    let answer;
    try {
      answer = await o.limiter.run(() => p.queryRange(coarseExpr(s, S, R), a, b, S, o.signal));
    } catch (err) {
      if (isSampleLimitError(err)) {
        if (a === b) {
          throw samplesLimitError(`the ${s.invariant} history over ${S / 1000} s`);
        }
        const mid = a + Math.floor((b - a) / S / 2) * S;
        await run([a, mid]);
        await run([mid + S, b]);
        return;
      }
      throw namedLimitError(err, `the ${s.invariant} history`);
    }
    out.warnings.push(...answer.warnings);
    for (const series of answer.series) {
      const instance = series.labels.instance ?? '';
      let windows = out.windows.get(instance);
      for (const [t, v] of series.samples) {
        const from = Math.max(grid.start, Math.ceil((t - S) / R) * R);
        const to = Math.min(grid.end, t);
        if (v > 0 && from <= to) {
          if (!windows) {
            windows = [];
            out.windows.set(instance, windows);
          }
          windows.push([from, to]);
        }
      }
    }
  };
  await Promise.all(chunks.map(run));
  return out;
}
