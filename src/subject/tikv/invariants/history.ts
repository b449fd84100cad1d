/**
 * Invariant history: the engine replayed over Prometheus range data, so any past range yields the violation
 * intervals the live checker would have reported.
 *
 *   invariantHistory(opts: HistoryOptions): Promise<Violation[]>
 *   planRange(opts: PlanOptions): RangePlan            — step, aligned start, ≤ 11,000-point chunks (pure)
 *   rateWindowMs(window, scrapeIntervalMs): number     — the rate window actually used (≥ 4 scrape intervals)
 *
 * Series: high_latency = p99WriteLatencyExpr, low_disk = diskUsedRatioExpr, store_down = `up{job="tikv"} == 0`
 * (PD's heartbeats have no history; the scrape liveness does). Past store_down violations carry value = the `up`
 * sample (0) and threshold 0. Each series is mapped to a store by its `instance` with `resolveInstance`; an
 * instance PD no longer knows still appears, as store_id 0 with address = the instance (excluded by a storeIds
 * filter). Tombstone stores appear too: nothing here asks PD.
 *
 * Query range: from `from − grace − W` (W only for the rate expression), aligned down to the step, so a violation
 * already running at `from` keeps its onset (if it began before that start, first_seen is the first sample of the
 * range: a lower bound on how long it had lasted).
 * Step: grace/4 rounded down to a nice step (1, 2, 5, 10, 15, 20, 30 s, 1 min, …), never below the scrape interval;
 * with grace 0, range / maxDataPoints (default 11,000) rounded up to a nice step, never below the scrape interval.
 * A range needing more than 11,000 points per series (Prometheus' limit) is split into chunks on the same grid;
 * past `maxChunks` (20) chunks the step grows to fit, and the precision below coarsens with it.
 *
 * Precision: the engine sees the condition only at step points. first_seen is at most one step after the true
 * onset and last_seen at most one step before the true end; a violation fires between grace and grace + one step
 * after its true onset. A condition that held for grace + 2 steps is always found (grace + 1 step when the step
 * divides the grace, as with the defaults: 60 s grace, 15 s step); a shorter one may be missed, as may a
 * grace-0 condition shorter than one step. The latency itself is a rate over W, which smooths spikes shorter than W.
 */
import { MAX_POINTS_PER_SERIES } from '../../prometheus/client';
import { BadQueryError } from '../../../shared/errors';
import { INVARIANTS, type InvariantName } from '../../../shared/names';
import type { Violation } from '../../../shared/schema/violation';
import {
  DEFAULT_RATE_WINDOW,
  diskUsedRatioExpr,
  formatPromDuration,
  p99WriteLatencyExpr,
  parsePromDuration,
  tikvUpExpr,
  type SelectorFn,
} from '../promql';
import { replay, type StoreIdentity, type TimedObservation } from './replay';
import { observe, type InvariantRule, type InvariantRules, type Observation } from './rules';

const DEFAULT_MAX_CHUNKS = 20;

export interface RangeSeries {
  labels: Record<string, string>;
  samples: Array<[number, number]>;
}

/** The part of PrometheusClient the history needs. */
export interface PrometheusRange {
  selector: SelectorFn;
  queryRange(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal
  ): Promise<{ series: RangeSeries[]; warnings: string[] }>;
}

export interface PlanOptions {
  from: number;
  to: number;
  graceMs: number;
  /** How far before `from − grace` the query must start (the rate window for rate expressions, else 0). */
  lookbackMs: number;
  scrapeIntervalMs: number;
  /** Points per series wanted when grace is 0 (Grafana's maxDataPoints); default 11,000. */
  maxDataPoints?: number;
  maxChunks?: number;
}

export interface RangePlan {
  stepMs: number;
  start: number;
  end: number;
  /** Consecutive [start, end] windows on the step grid, each ≤ 11,000 points. */
  chunks: Array<{ start: number; end: number }>;
}

export function planRange(o: PlanOptions): RangePlan {
  if (!(o.scrapeIntervalMs > 0)) {
    throw new BadQueryError('must be a positive number of milliseconds', 'scrapeIntervalMs');
  }
  if (!(o.from <= o.to)) {
    throw new BadQueryError('`from` must not be after `to`', 'range');
  }
  const wanted =
    o.graceMs > 0
      ? niceStep(o.graceMs / 4, 'down')
      : niceStep((o.to - o.from) / (o.maxDataPoints ?? MAX_POINTS_PER_SERIES), 'up');
  let stepMs = Math.max(Math.ceil(o.scrapeIntervalMs / 1000) * 1000, wanted);
  const earliest = Math.max(0, o.from - o.graceMs - o.lookbackMs);
  const span = () => o.to - Math.floor(earliest / stepMs) * stepMs;
  const maxPoints = (o.maxChunks ?? DEFAULT_MAX_CHUNKS) * MAX_POINTS_PER_SERIES;
  if (span() / stepMs + 1 > maxPoints) {
    stepMs = niceStep(span() / (maxPoints - 1), 'up');
    // Aligning the start down to the coarser grid can add one point.
    if (span() / stepMs + 1 > maxPoints) {
      stepMs = niceStep(stepMs + 1, 'up');
    }
  }
  const start = Math.floor(earliest / stepMs) * stepMs;
  const chunks: RangePlan['chunks'] = [];
  for (let s = start; s <= o.to; s += MAX_POINTS_PER_SERIES * stepMs) {
    chunks.push({ start: s, end: Math.min(o.to, s + (MAX_POINTS_PER_SERIES - 1) * stepMs) });
  }
  return { stepMs, start, end: o.to, chunks };
}

/** Steps that divide minutes, hours and days, so evaluation times stay on a grid that reads well. */
const NICE_STEPS_S = [
  1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
];

/** The nearest nice step at or below (`down`) or at or above (`up`) `ms`; past a day, whole seconds. */
function niceStep(ms: number, direction: 'up' | 'down'): number {
  const s = ms / 1000;
  const nice =
    direction === 'down'
      ? ([...NICE_STEPS_S].reverse().find((n) => n <= s) ?? 1)
      : (NICE_STEPS_S.find((n) => n >= s) ?? Math.ceil(s));
  return nice * 1000;
}

/** The rate window in ms: `window`, raised to four scrape intervals (Prometheus' advice for rate()). */
export function rateWindowMs(window: string, scrapeIntervalMs: number): number {
  return Math.max(parsePromDuration(window), 4 * scrapeIntervalMs);
}

export interface HistoryOptions {
  prometheus: PrometheusRange;
  /** Resolved rules (deployment defaults with the query's overrides). */
  rules: InvariantRules;
  range: { from: number; to: number };
  /** Rate window for the latency quantile (default 1m). */
  window?: string;
  scrapeIntervalMs: number;
  /** Prometheus `instance` → store; undefined when PD does not know it (any more). */
  resolveInstance: (instance: string) => StoreIdentity | undefined;
  /** Invariants to check; absent or empty = all. */
  invariants?: readonly InvariantName[];
  storeIds?: readonly number[];
  maxDataPoints?: number;
  /** Aborts the Prometheus requests (the client went away). */
  signal?: AbortSignal;
}

/** The inputs that decide how an invariant's past is queried (its step and chunks). */
export type PlanInputs = Pick<HistoryOptions, 'rules' | 'range' | 'window' | 'scrapeIntervalMs' | 'maxDataPoints'>;

/**
 * How one invariant's history is queried: only latency looks back a rate window before `from`. The frames use the
 * same plan's step, so a cleared violation ends one replay step after its last sample, not one panel interval.
 */
export function historyPlan(invariant: InvariantName, o: PlanInputs): RangePlan {
  const lookbackMs =
    invariant === 'high_latency' ? rateWindowMs(o.window ?? DEFAULT_RATE_WINDOW, o.scrapeIntervalMs) : 0;
  return planRange({
    ...o.range,
    graceMs: o.rules[invariant].graceMs,
    lookbackMs,
    scrapeIntervalMs: o.scrapeIntervalMs,
    maxDataPoints: o.maxDataPoints,
  });
}

interface InvariantQuery {
  expr: string;
  rule: InvariantRule;
  toObservation: (v: number) => Observation;
}

export async function invariantHistory(o: HistoryOptions): Promise<Violation[]> {
  const windowMs = rateWindowMs(o.window ?? DEFAULT_RATE_WINDOW, o.scrapeIntervalMs);
  const queries: Record<InvariantName, () => InvariantQuery> = {
    store_down: () => ({
      expr: tikvUpExpr(o.prometheus.selector),
      rule: { ...o.rules.store_down, threshold: 0 },
      toObservation: (v) => ({ value: v, holds: v === 0 }),
    }),
    high_latency: () => ({
      expr: p99WriteLatencyExpr(o.prometheus.selector, formatPromDuration(windowMs)),
      rule: o.rules.high_latency,
      toObservation: (v) => observe(o.rules.high_latency, v),
    }),
    low_disk: () => ({
      expr: diskUsedRatioExpr(o.prometheus.selector),
      rule: o.rules.low_disk,
      toObservation: (v) => observe(o.rules.low_disk, v),
    }),
  };
  const wanted = o.invariants?.length ? INVARIANTS.filter((i) => o.invariants!.includes(i)) : INVARIANTS;
  const storeFilter = o.storeIds?.length ? new Set(o.storeIds) : undefined;
  const perInvariant = await Promise.all(
    wanted.map(async (invariant) => {
      const q = queries[invariant]();
      const plan = historyPlan(invariant, o);
      const answers = await Promise.all(
        plan.chunks.map((c) => o.prometheus.queryRange(q.expr, c.start, c.end, plan.stepMs, o.signal))
      );
      const out: Violation[] = [];
      for (const [instance, samples] of byInstance(answers.flatMap((a) => a.series))) {
        const who = o.resolveInstance(instance) ?? { store_id: 0, address: instance };
        if (storeFilter && !storeFilter.has(who.store_id)) {
          continue;
        }
        const timeline: TimedObservation[] = samples.map(([t, v]) => ({ t, obs: q.toObservation(v) }));
        out.push(...replay(timeline, q.rule, who, { from: o.range.from }));
      }
      return out;
    })
  );
  return perInvariant.flat().sort((a, b) => a.first_seen - b.first_seen || a.store_id - b.store_id);
}

/** Samples per `instance`, chunks joined in time order (a repeated timestamp keeps its first value). */
function byInstance(series: RangeSeries[]): Map<string, Array<[number, number]>> {
  const out = new Map<string, Array<[number, number]>>();
  for (const s of series) {
    const instance = s.labels.instance ?? '';
    // Appended in place: a long range arrives as many chunks per instance, and copying per chunk is quadratic.
    const samples = out.get(instance);
    if (samples) {
      for (const p of s.samples) {
        samples.push(p);
      }
    } else {
      out.set(instance, [...s.samples]);
    }
  }
  for (const [instance, samples] of out) {
    samples.sort((a, b) => a[0] - b[0]);
    out.set(
      instance,
      samples.filter((s, i) => i === 0 || s[0] !== samples[i - 1][0])
    );
  }
  return out;
}
