/**
 * Invariant history: the engine replayed over Prometheus data, so any past range yields the violation intervals
 * the live checker would have reported — at fleet scale (1,000 stores × 30 days) in bounded memory.
 *
 *   invariantHistory(opts: HistoryOptions): Promise<Violation[]>
 *   invariantHistoryReport(opts): Promise<HistoryReport>   — the violations with Prometheus' warnings and counts
 *   historyPlan(invariant, opts): HistoryGrid               — the replay grid (step = scrape interval)
 *   rateWindowMs(window, scrapeIntervalMs): number          — the rate window actually used (≥ 4 scrape intervals)
 *
 * Series: high_latency = p99WriteLatencyExpr, low_disk = diskUsedRatioExpr, store_down = `up{job="tikv"} == 0`
 * (PD's heartbeats have no history; the scrape liveness does), region_health = regionHealthExpr (one series for the
 * cluster, rows store_id 0 / address `cluster`). Past store_down violations carry value = the `up`
 * sample (0) and threshold 0. Each series is mapped to a store by its `instance` with `resolveInstance`; an
 * instance PD no longer knows still appears, as store_id 0 with address = the instance (excluded by a storeIds
 * filter). Tombstone stores appear too: nothing here asks PD.
 *
 * Algorithm (Prometheus does the scanning, the backend replays only where something happened):
 * 1. Coarse pass (historyCoarse.ts): `count_over_time((EXPR COND)[S:R])` at a coarse step S ≈ range/10,000 with
 *    the subquery at R = the scrape interval: Prometheus looks at every sample and answers only the windows that
 *    hold one where the condition held. Chunked under 11,000 points and the sample budget, 4 at a time.
 * 2. Precise pass (historyRefine.ts): EXPR at step R around those windows only, fed to the engine (replay.ts)
 *    with today's semantics; a few instant counts settle what happened between windows (gaps never clear).
 * The answer is the one a replay of every R-step sample over the whole range would give (the equivalence test
 * compares them on a real Prometheus), while the data moved follows the time in violation.
 * 3. Incremental refresh (historyState.ts, with `state`): the replay state of a query is kept up to a watermark
 *    10 min behind `to`; the next request of the same query replays only from there, with the same answer.
 *
 * Precision: the engine sees every scrape-interval evaluation at every range: first_seen is at most one step R
 * after the true onset and last_seen at most one step before the true end; a condition that held for grace + two
 * scrape intervals is always found. The latency itself is a rate over W, which smooths spikes shorter than W.
 * keep_firing_for is honoured within the padding of a window (the default rules do not use it).
 */
import { BadQueryError } from '../../../shared/errors';
import { CLUSTER_LEVEL_STORE, INVARIANTS, type InvariantName } from '../../../shared/names';
import type { Violation } from '../../../shared/schema/violation';
import { DEFAULT_RATE_WINDOW, formatPromDuration, parsePromDuration } from '../promql';
import { type Coverage, dataCoverage, recordedCovers } from './historyData';
import { historyGrid, type HistoryGrid, type PrometheusHistory } from './historyGrid';
import { Limiter, namedLimitError, PROMETHEUS_MAX_SAMPLES } from './historyLimits';
import { type HistoryStates, replayInvariant } from './historyState';
import { historySeries, recordedSelector } from './historySeries';
import type { StoreIdentity } from './replay';
import type { InvariantRules } from './rules';

export type { RangeSeries } from '../../prometheus/client';
export type { HistoryGrid, PrometheusHistory } from './historyGrid';
/** The part of PrometheusClient the history needs (kept name). */
export type PrometheusRange = PrometheusHistory;

/** The rate window in ms: `window`, raised to four scrape intervals (Prometheus' advice for rate()). */
export function rateWindowMs(window: string, scrapeIntervalMs: number): number {
  return Math.max(parsePromDuration(window), 4 * scrapeIntervalMs);
}

export interface HistoryOptions {
  prometheus: PrometheusHistory;
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
  /** Aborts every Prometheus request of this history (the client went away). */
  signal?: AbortSignal;
  /** Prometheus requests in flight at once (default 4). */
  concurrency?: number;
  /** Samples one query may make Prometheus hold (default 25,000,000: half its --query.max-samples default). */
  maxSamples?: number;
  /** Use the recording rules of tikv-operator-history.rules.yml when Prometheus has them (default true). */
  recordingRules?: boolean;
  /**
   * Keep the replay state for a later refresh of the same query (historyState.ts); `key` names what the history
   * cannot see, the cluster. Absent: every request replays cold.
   */
  state?: { store: HistoryStates; key: string };
}

/** The inputs that decide how an invariant's past is queried (its replay grid). */
export type PlanInputs = Pick<HistoryOptions, 'rules' | 'range' | 'window' | 'scrapeIntervalMs'>;

/**
 * The grid an invariant's history is replayed on: only latency looks back a rate window before `from`. The frames
 * use its step, so a cleared violation ends one replay step (one scrape interval) after its last sample.
 */
export function historyPlan(invariant: InvariantName, o: PlanInputs): HistoryGrid {
  const lookbackMs =
    invariant === 'high_latency' ? rateWindowMs(o.window ?? DEFAULT_RATE_WINDOW, o.scrapeIntervalMs) : 0;
  if (!(o.scrapeIntervalMs > 0)) {
    throw new BadQueryError('must be a positive number of milliseconds', 'scrapeIntervalMs');
  }
  if (!(o.range.from <= o.range.to)) {
    throw new BadQueryError('`from` must not be after `to`', 'range');
  }
  return historyGrid({
    ...o.range,
    graceMs: o.rules[invariant].graceMs,
    lookbackMs,
    scrapeIntervalMs: o.scrapeIntervalMs,
  });
}

export interface HistoryReport {
  violations: Violation[];
  /** Prometheus' warnings, deduplicated. */
  warnings: string[];
  /** Requests sent to Prometheus. */
  queries: number;
  /** What the answer cannot vouch for (data missing for part of the range, a widened rate window), for a notice. */
  notices: string[];
  /** Invariants answered from recording rules. */
  recorded: InvariantName[];
  /** Invariants answered from a kept replay state (an incremental refresh). */
  incremental: InvariantName[];
}

/** Evaluations a coarse chunk may make Prometheus hold: half of `--query.max-samples`' default, for headroom. */
const DEFAULT_SAMPLE_BUDGET = PROMETHEUS_MAX_SAMPLES / 2;

export async function invariantHistory(o: HistoryOptions): Promise<Violation[]> {
  return (await invariantHistoryReport(o)).violations;
}

export async function invariantHistoryReport(o: HistoryOptions): Promise<HistoryReport> {
  try {
    return await historyReport(o);
  } catch (err) {
    throw namedLimitError(err, 'the invariant history');
  }
}

async function historyReport(o: HistoryOptions): Promise<HistoryReport> {
  const wanted = o.invariants?.length ? INVARIANTS.filter((i) => o.invariants!.includes(i)) : INVARIANTS;
  const storeFilter = o.storeIds?.length ? new Set(o.storeIds) : undefined;
  const resolveStore = (instance: string) => o.resolveInstance(instance) ?? { store_id: 0, address: instance };
  const limiter = new Limiter(o.concurrency ?? 4);
  const maxSamples = o.maxSamples ?? DEFAULT_SAMPLE_BUDGET;
  const report: HistoryReport = {
    violations: [],
    warnings: [],
    queries: 2,
    notices: [],
    recorded: [],
    incremental: [],
  };
  const baseWindowMs = rateWindowMs(o.window ?? DEFAULT_RATE_WINDOW, o.scrapeIntervalMs);
  // The coverage probe runs beside the passes; only latency (whose rate window it may widen) waits for it.
  const judged = dataCoverage(o.prometheus, { ...o.range, stepMs: o.scrapeIntervalMs, signal: o.signal }).then((c) =>
    judgeCoverage(c, baseWindowMs, o.scrapeIntervalMs, wanted.includes('high_latency'))
  );
  judged.catch(() => undefined); // awaited below; an earlier failure of a pass must not leave it unhandled
  // The invariants side by side, sharing one limit of `concurrency` Prometheus requests in flight.
  const perInvariant = wanted.map(async (invariant) => {
    const windowMs = invariant === 'high_latency' ? (await judged).windowMs : baseWindowMs;
    const window = formatPromDuration(windowMs);
    const grid = historyPlan(invariant, { ...o, window });
    // region_health is one cluster-level series: its rows are CLUSTER_LEVEL_STORE (excluded by a storeIds filter).
    const resolve = invariant === 'region_health' ? () => CLUSTER_LEVEL_STORE : resolveStore;
    // The recorded latency is a 1m rate: usable only when the history's window is 1m.
    const recordable =
      (invariant === 'low_disk' || (invariant === 'high_latency' && windowMs === 60_000)) && o.recordingRules !== false;
    const recorded =
      recordable &&
      (await recordedCovers(o.prometheus, recordedSelector(invariant, o.prometheus.selector), grid, o.signal));
    if (recorded) {
      report.recorded.push(invariant);
    }
    const s = historySeries(invariant, { selector: o.prometheus.selector, rules: o.rules, window, recorded });
    const refined = await replayInvariant(o.prometheus, s, grid, {
      from: o.range.from,
      to: o.range.to,
      maxSamples,
      limiter,
      resolve,
      signal: o.signal,
      keepInstance: storeFilter && ((instance) => storeFilter.has(resolve(instance).store_id)),
      state: o.state,
      storeIds: o.storeIds,
    });
    if (refined.incremental) {
      report.incremental.push(invariant);
    }
    report.violations.push(...refined.violations);
    report.warnings.push(...refined.warnings);
    report.queries += refined.queries;
  });
  await Promise.all(perInvariant);
  report.notices.push(...(await judged).notices);
  report.recorded.sort((a, b) => INVARIANTS.indexOf(a) - INVARIANTS.indexOf(b));
  report.incremental.sort((a, b) => INVARIANTS.indexOf(a) - INVARIANTS.indexOf(b));
  // A total order: invariants finish in any order, and a warm answer must equal a cold one row for row.
  report.violations.sort(
    (a, b) =>
      a.first_seen - b.first_seen ||
      a.store_id - b.store_id ||
      INVARIANTS.indexOf(a.invariant) - INVARIANTS.indexOf(b.invariant) ||
      a.last_seen - b.last_seen
  );
  report.warnings = [...new Set(report.warnings)];
  return report;
}

/** Notices for data that cannot answer part of the range, and the latency's rate window over sparse samples. */
function judgeCoverage(
  coverage: Coverage,
  windowMs: number,
  scrapeIntervalMs: number,
  latency: boolean
): { windowMs: number; notices: string[] } {
  const notices: string[] = [];
  if (coverage.share < 0.99) {
    const when =
      coverage.firstMs === undefined
        ? ''
        : ` (from ${new Date(coverage.firstMs).toISOString()} to ${new Date(coverage.lastMs!).toISOString()})`;
    notices.push(
      `Prometheus has TiKV data for ${(coverage.share * 100).toFixed(1)} % of this range${when}: no violation ` +
        'can be seen where there is no data (Prometheus keeps 15 days by default, see its --storage.tsdb.retention.time)'
    );
  }
  if (coverage.sampleIntervalMs === undefined || coverage.sampleIntervalMs <= 1.5 * scrapeIntervalMs) {
    return { windowMs, notices };
  }
  // Downsampled or sparser than the configured scrape interval: a rate needs two samples in its window.
  const widened = Math.max(windowMs, 4 * coverage.sampleIntervalMs);
  if (widened > windowMs && latency) {
    notices.push(
      `the data has one sample every ${formatPromDuration(coverage.sampleIntervalMs)} (scrape interval ` +
        `${formatPromDuration(scrapeIntervalMs)}): P99 latency is computed over ${formatPromDuration(widened)} ` +
        `instead of ${formatPromDuration(windowMs)}, which smooths spikes shorter than that`
    );
  }
  return { windowMs: widened, notices };
}
