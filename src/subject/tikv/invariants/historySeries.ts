/**
 * What each invariant's history is made of, and the PromQL shapes the history asks Prometheus (history.ts):
 *
 *   historySeries(invariant, o): HistorySeries — the per-instance expression, its condition and observation
 *   coarseExpr(s, sMs, rMs)          — `count_over_time((EXPR COND)[S:R])`: holding samples per coarse window
 *   realCountExpr(s, instances, dMs, rMs) — `count_over_time((EXPR >= -Inf)[D:R])`: non-NaN samples in a span
 *   presentCountExpr(s, instances, dMs, rMs) — `count_over_time((EXPR)[D:R])`: any sample (NaN too) in a span
 *   literalInstances(instances): LabelMatcher — `instance=~"a|b"`, regex-escaped
 *
 * The condition is written in PromQL exactly as the engine judges a sample (rules.ts `observe`: value > threshold;
 * store_down: up == 0), so Prometheus and the replay agree on which samples hold. NaN compares false in both, and
 * `>= -Inf` keeps every real value (±Inf included) and drops NaN: the engine's "no observation".
 */
import type { InvariantName } from '../../../shared/names';
import type { LabelMatcher } from '../../prometheus/selector';
import { escapeRegex } from '../instances';
import {
  diskUsedRatioExpr,
  formatPromDuration,
  p99WriteLatencyExpr,
  regionHealthExpr,
  REGION_HEALTH_TYPES,
  tikvUpExpr,
  type SelectorFn,
} from '../promql';
import { observe, type InvariantRule, type InvariantRules, type Observation } from './rules';

export interface HistorySeries {
  invariant: InvariantName;
  rule: InvariantRule;
  /** One series per instance; `instances` restricts it to those (refinement). */
  expr(instances?: readonly string[]): string;
  /** PromQL comparison appended to the expression: the samples where the condition holds. */
  condition: string;
  toObservation(v: number): Observation;
  /** The raw series the expression reads (for sizing queries against Prometheus' sample limit). */
  rawSelector: string;
  /** Raw series per instance, at most (sizing refinement batches): TiKV's latency histogram has ~30 buckets. */
  seriesPerInstance: number;
}

export interface SeriesOptions {
  selector: SelectorFn;
  rules: InvariantRules;
  /** Rate window for the latency quantile, a Prometheus duration. */
  window: string;
  /** Read the recording rule's series (provisioning/prometheus/tikv-operator-history.rules.yml) instead. */
  recorded?: boolean;
}

/** The series of provisioning/prometheus/tikv-operator-history.rules.yml (latency: the 1m rate). */
export const RECORDED = {
  high_latency: 'instance:tikv_storage_async_write_duration_seconds:p99_rate1m',
  low_disk: 'instance:tikv_store_used:ratio',
} as const;

/** The recorded series of an invariant with the deployment's matchers (job, PROMETHEUS_SELECTOR). */
export function recordedSelector(invariant: keyof typeof RECORDED, sel: SelectorFn, instances?: readonly string[]) {
  return sel(RECORDED[invariant], instances ? [literalInstances(instances)] : [], 'tikv');
}

/** A PromQL number literal that parses back to exactly `n` (Go's ParseFloat reads JS's shortest form). */
function promNumber(n: number): string {
  if (Number.isNaN(n)) {
    return 'NaN';
  }
  if (!Number.isFinite(n)) {
    return n > 0 ? '+Inf' : '-Inf';
  }
  return String(n);
}

export function historySeries(invariant: InvariantName, o: SeriesOptions): HistorySeries {
  const restricted =
    (instances?: readonly string[]): SelectorFn =>
    (metric, matchers = [], job) =>
      o.selector(metric, instances ? [...matchers, literalInstances(instances)] : matchers, job);
  switch (invariant) {
    case 'store_down':
      return {
        invariant,
        rule: { ...o.rules.store_down, threshold: 0 },
        expr: (instances) => tikvUpExpr(restricted(instances)),
        condition: '== 0',
        toObservation: (v) => ({ value: v, holds: v === 0 }),
        rawSelector: tikvUpExpr(o.selector),
        seriesPerInstance: 1,
      };
    case 'high_latency':
    case 'low_disk':
      if (o.recorded) {
        return {
          invariant,
          rule: o.rules[invariant],
          // One series per instance, as the raw expressions answer (a recorded series keeps all other labels).
          expr: (instances) => `max by (instance) (${recordedSelector(invariant, o.selector, instances)})`,
          condition: `> ${promNumber(o.rules[invariant].threshold)}`,
          toObservation: (v) => observe(o.rules[invariant], v),
          rawSelector: recordedSelector(invariant, o.selector),
          seriesPerInstance: 1,
        };
      }
      return invariant === 'high_latency' ? latencySeries(o, restricted) : diskSeries(o, restricted);
    case 'region_health':
      // One cluster-level series without an `instance` label (its key is ""): instance restrictions do not apply.
      return {
        invariant,
        rule: o.rules.region_health,
        expr: () => regionHealthExpr(o.selector),
        condition: `> ${promNumber(o.rules.region_health.threshold)}`,
        toObservation: (v) => observe(o.rules.region_health, v),
        rawSelector: o.selector(
          'pd_regions_status',
          [{ name: 'type', op: '=~', value: REGION_HEALTH_TYPES.join('|') }],
          'pd'
        ),
        seriesPerInstance: 2,
      };
  }
}

function latencySeries(o: SeriesOptions, restricted: (instances?: readonly string[]) => SelectorFn): HistorySeries {
  return {
    invariant: 'high_latency',
    rule: o.rules.high_latency,
    expr: (instances) => p99WriteLatencyExpr(restricted(instances), o.window),
    condition: `> ${promNumber(o.rules.high_latency.threshold)}`,
    toObservation: (v) => observe(o.rules.high_latency, v),
    rawSelector: o.selector(
      'tikv_storage_engine_async_request_duration_seconds_bucket',
      [{ name: 'type', op: '=', value: 'write' }],
      'tikv'
    ),
    seriesPerInstance: 40,
  };
}

function diskSeries(o: SeriesOptions, restricted: (instances?: readonly string[]) => SelectorFn): HistorySeries {
  return {
    invariant: 'low_disk',
    rule: o.rules.low_disk,
    expr: (instances) => diskUsedRatioExpr(restricted(instances)),
    condition: `> ${promNumber(o.rules.low_disk.threshold)}`,
    toObservation: (v) => observe(o.rules.low_disk, v),
    rawSelector: o.selector('tikv_store_size_bytes', [], 'tikv'),
    seriesPerInstance: 4,
  };
}

const d = formatPromDuration;

export function coarseExpr(s: HistorySeries, sMs: number, rMs: number): string {
  return `count_over_time((${s.expr()} ${s.condition})[${d(sMs)}:${d(rMs)}])`;
}

export function realCountExpr(s: HistorySeries, instances: readonly string[], dMs: number, rMs: number): string {
  return `count_over_time((${s.expr(instances)} >= -Inf)[${d(dMs)}:${d(rMs)}])`;
}

export function presentCountExpr(s: HistorySeries, instances: readonly string[], dMs: number, rMs: number): string {
  return `count_over_time((${s.expr(instances)})[${d(dMs)}:${d(rMs)}])`;
}

/** `instance=~"a|b"` with regex metacharacters escaped (instances are `host:port`, dots included). */
export function literalInstances(instances: readonly string[]): LabelMatcher {
  return { name: 'instance', op: '=~', value: instances.map(escapeRegex).join('|') };
}
