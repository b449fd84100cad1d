/**
 * The exporter's registry (prom-client): one gauge series per active violation (DESIGN.md "exporter series"),
 * labelled with its cluster, its onset, the live checker's duration and runs, upstream errors, the watchdog's
 * series (each cluster's last successful check, the check interval, whether the checker reaches PD and Prometheus)
 * and Node's process metrics. One registry per app, so several apps in one process (tests) never share series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import {
  CHECK_LAST_SUCCESS_METRIC,
  VIOLATION_FIRST_SEEN_METRIC,
  VIOLATION_LABELS,
  VIOLATION_METRIC,
  type InvariantName,
} from '../shared/names';
import type { Upstream } from '../shared/errors';
import type { Violation } from '../shared/schema/violation';

export class Exporter {
  readonly registry = new Registry();
  private readonly violation: Gauge<(typeof VIOLATION_LABELS)[number]>;
  private readonly firstSeen: Gauge<(typeof VIOLATION_LABELS)[number]>;
  readonly checkDuration: Histogram<'result'>;
  private readonly checkRuns: Counter<'result'>;
  private readonly upstreamErrors: Counter<'upstream' | 'source'>;
  private readonly lastSuccess: Gauge<'cluster'>;
  private readonly checkInterval: Gauge<'cluster'>;
  private readonly upstreamUp: Gauge<'cluster' | 'upstream'>;
  /** Each cluster's active violations: a tick of one cluster rewrites only its own series. */
  private readonly active = new Map<string, readonly Violation[]>();

  constructor() {
    const registers = [this.registry];
    this.violation = new Gauge({
      name: VIOLATION_METRIC,
      help: 'Active invariant violation (grace already applied): 1 per violating store and invariant',
      labelNames: VIOLATION_LABELS,
      registers,
    });
    this.firstSeen = new Gauge({
      name: VIOLATION_FIRST_SEEN_METRIC,
      help: 'Onset of the active violation (when its condition began), Unix seconds',
      labelNames: VIOLATION_LABELS,
      registers,
    });
    this.checkDuration = new Histogram({
      name: 'tikv_operator_check_duration_seconds',
      help: 'Duration of one live check (PD and Prometheus reads plus evaluation)',
      labelNames: ['result'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.checkRuns = new Counter({
      name: 'tikv_operator_check_runs_total',
      help: 'Live checks run; result is ok, or partial when an upstream failed during the check',
      labelNames: ['result'],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'tikv_operator_upstream_errors_total',
      help: 'Failed upstream reads, by upstream (pd, prometheus) and by what asked (checker, query, health)',
      labelNames: ['upstream', 'source'],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: CHECK_LAST_SUCCESS_METRIC,
      help: "When the cluster's live checker last completed a check with PD answering, Unix seconds (the watchdog's input)",
      labelNames: ['cluster'],
      registers,
    });
    this.checkInterval = new Gauge({
      name: 'tikv_operator_check_interval_seconds',
      help: "The live checker's interval (CHECK_INTERVAL): the watchdog fires after 3 intervals without a success",
      labelNames: ['cluster'],
      registers,
    });
    this.upstreamUp = new Gauge({
      name: 'tikv_operator_upstream_up',
      help: "1 when the cluster's upstream (pd, prometheus) answered the live checker's last tick, else 0",
      labelNames: ['cluster', 'upstream'],
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Replaces `cluster`'s violation series with `active`: a cleared violation's series disappears. */
  setViolations(cluster: string, active: readonly Violation[]): void {
    this.active.set(cluster, active);
    this.violation.reset();
    this.firstSeen.reset();
    for (const [name, list] of this.active) {
      for (const v of list) {
        const labels = {
          cluster: name,
          invariant: v.invariant as InvariantName,
          store_id: String(v.store_id),
          address: v.address,
          severity: v.severity,
          maintenance: v.maintenance ? 'true' : 'false',
        };
        this.violation.set(labels, 1);
        this.firstSeen.set(labels, v.first_seen / 1000);
      }
    }
  }

  /** Declares a cluster's checker (before its first tick, so a checker that never succeeds is still seen). */
  watch(cluster: string, intervalMs: number, nowMs: number): void {
    this.checkInterval.set({ cluster }, intervalMs / 1000);
    // Counted from the start: a checker that never succeeds fires the watchdog 3 intervals later.
    this.lastSuccess.set({ cluster }, nowMs / 1000);
  }

  /** One tick's outcome: which upstreams answered, and, when PD did, the success time (epoch ms). */
  checkReached(cluster: string, reached: { pd: boolean; prometheus?: boolean }, nowMs: number): void {
    this.upstreamUp.set({ cluster, upstream: 'pd' }, reached.pd ? 1 : 0);
    if (reached.prometheus !== undefined) {
      this.upstreamUp.set({ cluster, upstream: 'prometheus' }, reached.prometheus ? 1 : 0);
    }
    if (reached.pd) {
      this.lastSuccess.set({ cluster }, nowMs / 1000);
    }
  }

  checkDone(seconds: number, partial: boolean): void {
    const result = partial ? 'partial' : 'ok';
    this.checkDuration.observe({ result }, seconds);
    this.checkRuns.inc({ result });
  }

  upstreamError(upstream: Upstream, source: 'checker' | 'query' | 'health'): void {
    this.upstreamErrors.inc({ upstream, source });
  }
}
