/**
 * SLO error budgets per store over any range, from Prometheus (README "SLOs"):
 *
 *   sloPlan(o): SloPlan                        — buckets: length S, how many make the window, the burn window (pure)
 *   sloBudgets(o): Promise<BudgetReport>       — one row per store and SLO: the window ending at `to`
 *   sloTimeseries(o): Promise<TimeseriesReport> — per store and SLO, attainment and budget_left of the window ending
 *                                                 at each bucket end in [from, to]
 *
 * Prometheus counts the samples (counts.ts): a budget asks for totals over two runs of buckets (the window before its
 * last hour, and that hour, for the burn rate), a timeseries for every bucket; the backend keeps four sums per store
 * (budget) or two numbers per bucket (timeseries, ≤ 1,500 buckets), then does the arithmetic of budget.ts.
 */
import { SLOS, type SloName } from '../../../shared/names';
import type { Slo } from '../../subject';
import type { PrometheusHistory } from '../invariants/historyGrid';
import { Limiter, namedLimitError, PROMETHEUS_MAX_SAMPLES } from '../invariants/historyLimits';
import type { StoreIdentity } from '../invariants/replay';
import { formatPromDuration, parsePromDuration } from '../promql';
import { RECORDED_RATE_WINDOW } from './alertRules';
import { type Budget, budgetOf } from './budget';
import { recordedCovers } from '../invariants/historyData';
import { type BucketGrid, recordedSloSelector, sloBuckets, sloSeries, sloTotals } from './counts';

/** The burn rate's window: the fast-burn page's long window (README "Burn-rate alerts"). */
export const BURN_WINDOW_MS = 3_600_000;
const NICE_S = [60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
/** Buckets per window for a budget (30 d → 1 h buckets), and at most per series for a timeseries. */
const BUDGET_BUCKETS = 720;
const MAX_TIMESERIES_BUCKETS = 1500;

export interface SloPlan extends BucketGrid {
  /** Buckets that make one SLO window (n × S ≈ window). */
  windowBuckets: number;
  /** The last `burnBuckets` buckets of a window make the burn window (≈ 1 h). */
  burnBuckets: number;
  /** Bucket index of the first output point (timeseries); 0 for a budget. */
  firstOutput: number;
}

function bucketLength(wantedMs: number, stepMs: number): number {
  const s = Math.max(60_000, wantedMs) / 1000;
  const nice = (NICE_S.find((n) => n >= s) ?? Math.ceil(s / 86_400) * 86_400) * 1000;
  return Math.ceil(nice / stepMs) * stepMs;
}

export function sloPlan(o: {
  windowMs: number;
  from: number;
  to: number;
  stepMs: number;
  format: 'budget' | 'timeseries';
}): SloPlan {
  const R = Math.max(1000, Math.ceil(o.stepMs / 1000) * 1000);
  const end = Math.floor(o.to / R) * R;
  const span = Math.max(0, end - o.from);
  const S =
    o.format === 'budget'
      ? bucketLength(o.windowMs / BUDGET_BUCKETS, R)
      : bucketLength(Math.max(o.windowMs / BUDGET_BUCKETS, (span + o.windowMs) / MAX_TIMESERIES_BUCKETS), R);
  const windowBuckets = Math.max(1, Math.round(o.windowMs / S));
  const outputs = o.format === 'budget' ? 1 : Math.floor(span / S) + 1;
  return {
    stepMs: R,
    bucketMs: S,
    firstEnd: end - (outputs - 1 + windowBuckets - 1) * S,
    lastEnd: end,
    windowBuckets,
    burnBuckets: Math.min(windowBuckets, Math.max(1, Math.round(BURN_WINDOW_MS / S))),
    firstOutput: windowBuckets - 1,
  };
}

export interface SloReportOptions {
  prometheus: PrometheusHistory;
  slos: Record<SloName, Slo>;
  /** SLOs to answer; absent or empty = all. */
  wanted?: readonly SloName[];
  range: { from: number; to: number };
  scrapeIntervalMs: number;
  /** Rate window of the latency quantile (the deployment's, ≥ 4 scrape intervals). */
  rateWindow: string;
  resolveInstance: (instance: string) => StoreIdentity | undefined;
  storeIds?: readonly number[];
  /** Stores that exist now: each gets a row even without data (coverage 0). */
  entities?: readonly StoreIdentity[];
  signal?: AbortSignal;
  concurrency?: number;
  /** Samples one query may make Prometheus hold (default half of --query.max-samples' default). */
  maxSamples?: number;
  /** Read tikv_operator:slo_bad:bool (tikv-operator-slo.rules.yml) where it covers the window (default true). */
  recordingRules?: boolean;
}

export interface BudgetRow extends Budget, StoreIdentity {
  slo: SloName;
  objective: number;
  window: string;
}

export interface SloSeriesOut extends StoreIdentity {
  slo: SloName;
  objective: number;
  times: number[];
  attainment: Array<number | null>;
  budget_left: Array<number | null>;
}

interface Common {
  warnings: string[];
  notices: string[];
  queries: number;
  /** SLOs read from the recording rule (tikv_operator:slo_bad:bool) rather than the raw series. */
  recorded: SloName[];
}
export type BudgetReport = Common & { rows: BudgetRow[] };
export type TimeseriesReport = Common & { series: SloSeriesOut[] };

interface Key extends StoreIdentity {
  key: string;
}

/** Runs `visit` for each wanted SLO with its plan, counting through `onCount`; shared by both formats. */
async function eachSlo(
  o: SloReportOptions,
  format: 'budget' | 'timeseries',
  visit: (
    name: SloName,
    slo: Slo,
    plan: SloPlan
  ) => {
    onCount: (store: Key, index: number, valid: number, bad: number) => void;
    done: () => void;
  }
): Promise<Common> {
  const wanted = o.wanted?.length ? SLOS.filter((s) => o.wanted!.includes(s)) : [...SLOS];
  const filter = o.storeIds?.length ? new Set(o.storeIds) : undefined;
  const limiter = new Limiter(o.concurrency ?? 4);
  const common: Common = { warnings: [], notices: [], queries: 0, recorded: [] };
  const resolve = (instance: string): Key | undefined => {
    const s = o.resolveInstance(instance) ?? { store_id: 0, address: instance };
    return filter && !filter.has(s.store_id) ? undefined : { ...s, key: `${s.store_id}\u0000${s.address}` };
  };
  try {
    await Promise.all(
      wanted.map(async (name) => {
        const slo = o.slos[name];
        const windowMs = parsePromDuration(slo.window, `slos.${name}.window`);
        const plan = sloPlan({ windowMs, ...o.range, stepMs: o.scrapeIntervalMs, format });
        if (plan.windowBuckets * plan.bucketMs !== windowMs) {
          common.notices.push(
            `${name}: the ${slo.window} window is counted in ${formatPromDuration(plan.bucketMs)} buckets, as ` +
              formatPromDuration(plan.windowBuckets * plan.bucketMs)
          );
        }
        const v = visit(name, slo, plan);
        // The recorded latency is judged on a RECORDED_RATE_WINDOW rate: usable only when the deployment's is too.
        const recordable =
          o.recordingRules !== false &&
          (name !== 'write_latency_p99' || parsePromDuration(o.rateWindow) === parsePromDuration(RECORDED_RATE_WINDOW));
        const recorded =
          recordable &&
          (await recordedCovers(
            o.prometheus,
            recordedSloSelector(name, o.prometheus.selector),
            { stepMs: plan.stepMs, start: plan.firstEnd - plan.bucketMs + plan.stepMs, end: plan.lastEnd },
            o.signal
          ));
        if (recorded) {
          common.recorded.push(name);
        }
        const series = sloSeries(name, slo, { selector: o.prometheus.selector, window: o.rateWindow, recorded });
        const count = { maxSamples: o.maxSamples ?? PROMETHEUS_MAX_SAMPLES / 2, limiter, signal: o.signal };
        const onCount = (instance: string, index: number, valid: number, bad: number) => {
          const k = resolve(instance);
          if (k) {
            v.onCount(k, index, valid, bad);
          }
        };
        const r =
          format === 'budget'
            ? await sloTotals(o.prometheus, series, plan, budgetSegments(plan), count, onCount)
            : await sloBuckets(o.prometheus, series, plan, count, onCount);
        v.done();
        common.warnings.push(...r.warnings);
        common.queries += r.queries;
      })
    );
  } catch (err) {
    throw namedLimitError(err, 'the SLO budgets');
  }
  common.warnings = [...new Set(common.warnings)];
  common.recorded.sort((a, b) => SLOS.indexOf(a) - SLOS.indexOf(b));
  return common;
}

/** A budget's window as bucket runs: before the burn window, then the burn window (the last ≈ hour). */
export function budgetSegments(plan: SloPlan): Array<[number, number]> {
  const first = plan.windowBuckets - plan.burnBuckets;
  return first > 0
    ? [
        [0, first - 1],
        [first, plan.windowBuckets - 1],
      ]
    : [[0, plan.windowBuckets - 1]];
}

/** Stores PD knows now but Prometheus had nothing for: rows with coverage 0. */
function missingEntities(o: SloReportOptions, seen: Set<string>): Key[] {
  const filter = o.storeIds?.length ? new Set(o.storeIds) : undefined;
  return (o.entities ?? [])
    .filter((e) => !filter || filter.has(e.store_id))
    .map((e) => ({ ...e, key: `${e.store_id}\u0000${e.address}` }))
    .filter((e) => !seen.has(e.key));
}

export async function sloBudgets(o: SloReportOptions): Promise<BudgetReport> {
  const rows: BudgetRow[] = [];
  const common = await eachSlo(o, 'budget', (name, slo, plan) => {
    const sums = new Map<string, { id: Key; valid: number; bad: number; burnValid: number; burnBad: number }>();
    // Segment 1 is the burn window (the last hour); the budget counts both.
    const burnSegment = budgetSegments(plan).length - 1;
    return {
      onCount: (id, segment, valid, bad) => {
        let s = sums.get(id.key);
        if (!s) {
          s = { id, valid: 0, bad: 0, burnValid: 0, burnBad: 0 };
          sums.set(id.key, s);
        }
        s.valid += valid;
        s.bad += bad;
        if (segment === burnSegment) {
          s.burnValid += valid;
          s.burnBad += bad;
        }
      },
      done: () => {
        const row = (id: StoreIdentity, c: { valid: number; bad: number; burnValid: number; burnBad: number }) => ({
          store_id: id.store_id,
          address: id.address,
          slo: name,
          objective: slo.objective,
          window: slo.window,
          ...budgetOf({
            objective: slo.objective,
            windowMs: plan.windowBuckets * plan.bucketMs,
            stepMs: plan.stepMs,
            ...c,
          }),
        });
        for (const s of sums.values()) {
          rows.push(row(s.id, s));
        }
        for (const e of missingEntities(o, new Set(sums.keys()))) {
          rows.push(row(e, { valid: 0, bad: 0, burnValid: 0, burnBad: 0 }));
        }
      },
    };
  });
  rows.sort(
    (a, b) => a.store_id - b.store_id || a.address.localeCompare(b.address) || SLOS.indexOf(a.slo) - SLOS.indexOf(b.slo)
  );
  const partial = rows.filter((r) => r.coverage < 0.99);
  if (partial.length > 0) {
    const least = Math.min(...partial.map((r) => r.coverage));
    common.notices.push(
      `${partial.length} of ${rows.length} budgets have data for less than 99 % of their window (least ` +
        `${(least * 100).toFixed(1)} %): each is judged on the part with data (see coverage; Prometheus keeps 15 days ` +
        'unless --storage.tsdb.retention.time says otherwise)'
    );
  }
  const noBudget = rows.filter((r) => r.objective === 1 && r.budget_spent_seconds > 0);
  if (noBudget.length > 0) {
    common.notices.push(
      `${noBudget.length} budgets have objective 1 (100 %), which allows no bad minute, and had some: budget_left ` +
        'and burn_rate are empty (infinitely overspent)'
    );
  }
  return { ...common, rows };
}

export async function sloTimeseries(o: SloReportOptions): Promise<TimeseriesReport> {
  const out: SloSeriesOut[] = [];
  const common = await eachSlo(o, 'timeseries', (name, slo, plan) => {
    const buckets = Math.round((plan.lastEnd - plan.firstEnd) / plan.bucketMs) + 1;
    const counts = new Map<string, { id: Key; valid: Float32Array; bad: Float32Array }>();
    return {
      onCount: (id, bucket, valid, bad) => {
        if (bucket < 0 || bucket >= buckets) {
          return;
        }
        let c = counts.get(id.key);
        if (!c) {
          c = { id, valid: new Float32Array(buckets), bad: new Float32Array(buckets) };
          counts.set(id.key, c);
        }
        c.valid[bucket] += valid;
        c.bad[bucket] += bad;
      },
      done: () => {
        const empty = { valid: new Float32Array(buckets), bad: new Float32Array(buckets) };
        const all = [...counts.values(), ...missingEntities(o, new Set(counts.keys())).map((id) => ({ id, ...empty }))];
        for (const c of all) {
          out.push({ ...c.id, slo: name, objective: slo.objective, ...rolling(c, slo, plan, buckets) });
        }
      },
    };
  });
  out.sort((a, b) => a.store_id - b.store_id || SLOS.indexOf(a.slo) - SLOS.indexOf(b.slo));
  return { ...common, series: out };
}

/** Attainment and budget left of the window ending at each output bucket (running sums over `windowBuckets`). */
function rolling(c: { valid: Float32Array; bad: Float32Array }, slo: Slo, plan: SloPlan, buckets: number) {
  const times: number[] = [];
  const attainment: Array<number | null> = [];
  const budgetLeft: Array<number | null> = [];
  let valid = 0;
  let bad = 0;
  for (let k = 0; k < buckets; k++) {
    valid += c.valid[k];
    bad += c.bad[k];
    if (k >= plan.windowBuckets) {
      valid -= c.valid[k - plan.windowBuckets];
      bad -= c.bad[k - plan.windowBuckets];
    }
    if (k >= plan.firstOutput) {
      const b = budgetOf({
        objective: slo.objective,
        windowMs: plan.windowBuckets * plan.bucketMs,
        stepMs: plan.stepMs,
        valid,
        bad,
        burnValid: 0,
        burnBad: 0,
      });
      times.push(plan.firstEnd + k * plan.bucketMs);
      attainment.push(b.attainment);
      budgetLeft.push(b.budget_left);
    }
  }
  return { times, attainment, budget_left: budgetLeft };
}
