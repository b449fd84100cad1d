/**
 * The exporter's registry (prom-client): one gauge series per active violation (DESIGN.md "exporter series"),
 * its onset, the live checker's duration and runs, upstream errors, and Node's process metrics. One registry per
 * app, so several apps in one process (tests) never share series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import { VIOLATION_FIRST_SEEN_METRIC, VIOLATION_LABELS, VIOLATION_METRIC, type InvariantName } from '../shared/names';
import type { Upstream } from '../shared/errors';
import type { Violation } from '../shared/schema/violation';

export class Exporter {
  readonly registry = new Registry();
  private readonly violation: Gauge<(typeof VIOLATION_LABELS)[number]>;
  private readonly firstSeen: Gauge<(typeof VIOLATION_LABELS)[number]>;
  readonly checkDuration: Histogram<'result'>;
  private readonly checkRuns: Counter<'result'>;
  private readonly upstreamErrors: Counter<'upstream' | 'source'>;

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
    collectDefaultMetrics({ register: this.registry });
  }

  /** Replaces the violation series with `active`: a cleared violation's series disappears. */
  setViolations(active: readonly Violation[]): void {
    this.violation.reset();
    this.firstSeen.reset();
    for (const v of active) {
      const labels = { invariant: v.invariant as InvariantName, store_id: String(v.store_id), address: v.address, severity: v.severity };
      this.violation.set(labels, 1);
      this.firstSeen.set(labels, v.first_seen / 1000);
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
