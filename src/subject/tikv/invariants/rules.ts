/**
 * The invariants' thresholds and grace periods (the `for` of a Prometheus alerting rule).
 *
 *   interface InvariantRule { invariant, severity, threshold, graceMs, keepFiringForMs }
 *   type InvariantRules = Readonly<Record<InvariantName, InvariantRule>>
 *   DEFAULT_RULES: InvariantRules
 *   resolveRules(base: InvariantRules, overrides?: DeploymentOverrides): InvariantRules
 *   observe(rule, value): Observation — the sample with `holds = value > threshold`
 *
 * A condition holds when the value is above the threshold (heartbeat age, P99 seconds, used ratio, region count). Deployment
 * settings and per-query overrides are layered with resolveRules: `resolveRules(resolveRules(DEFAULT_RULES,
 * deployment), query.overrides)`.
 */
import { INVARIANT_SEVERITY, type InvariantName, type Severity } from '../../../shared/names';
import type { DeploymentOverrides } from '../../../shared/schema/query';

export interface InvariantRule {
  invariant: InvariantName;
  severity: Severity;
  /**
   * store_down: heartbeat age in seconds; high_latency: P99 write latency in seconds; low_disk: used ratio;
   * region_health: regions with a missing or down peer (the larger of PD's two counts).
   */
  threshold: number;
  /** How long the condition must hold before it is a violation (Prometheus' `for`). */
  graceMs: number;
  /** How long a firing violation stays firing after its condition clears (Prometheus' `keep_firing_for`); 0 = none. */
  keepFiringForMs: number;
}

export type InvariantRules = Readonly<Record<InvariantName, InvariantRule>>;

/** One evaluated sample: its value and whether the condition holds. */
export interface Observation {
  value: number;
  holds: boolean;
}

export const DEFAULT_RULES: InvariantRules = Object.freeze({
  // PD `storeDisconnectDuration` (20 s, pkg/core/store.go): TiKV heartbeats every 10 s, so two missed heartbeats.
  // No grace: PD's own Down needs max-store-down-time (30 min), far too late for an operator.
  store_down: rule('store_down', 20, 0),
  // 10x stricter than TiKV's own alert (> 1 s for 1 m), per the product's SLO (TIKV_CONFIG.slos.write_latency_p99).
  high_latency: rule('high_latency', 0.1, 60_000),
  // PD's default high-space-ratio (0.7): above it PD starts to avoid the store for new data.
  low_disk: rule('low_disk', 0.7, 0),
  // Any region missing a replica or with a down peer, for 10 min: PD's region checker repairs a missing peer within
  // minutes (replica-schedule-limit), and a peer is reported down after TiKV's max-peer-down-duration (10 min).
  region_health: rule('region_health', 0, 600_000),
});

function rule(invariant: InvariantName, threshold: number, graceMs: number): InvariantRule {
  return Object.freeze({ invariant, severity: INVARIANT_SEVERITY[invariant], threshold, graceMs, keepFiringForMs: 0 });
}

/** `base` with the overrides applied (a per-deployment or per-query layer); units as in DeploymentOverrides. */
export function resolveRules(base: InvariantRules, overrides?: DeploymentOverrides): InvariantRules {
  if (!overrides) {
    return base;
  }
  const { high_latency: lat, low_disk: disk, store_down: down, region_health: regions } = overrides;
  const withGrace = (r: InvariantRule, threshold?: number, graceSeconds?: number): InvariantRule =>
    Object.freeze({
      ...r,
      threshold: threshold ?? r.threshold,
      graceMs: graceSeconds === undefined ? r.graceMs : graceSeconds * 1000,
    });
  return Object.freeze({
    store_down: withGrace(base.store_down, down?.heartbeatTimeoutSeconds),
    high_latency: withGrace(
      base.high_latency,
      lat?.thresholdMs === undefined ? undefined : lat.thresholdMs / 1000,
      lat?.graceSeconds
    ),
    low_disk: withGrace(base.low_disk, disk?.thresholdRatio, disk?.graceSeconds),
    region_health: withGrace(base.region_health, regions?.thresholdRegions, regions?.graceSeconds),
  });
}

export function observe(rule: InvariantRule, value: number): Observation {
  return { value, holds: value > rule.threshold };
}
