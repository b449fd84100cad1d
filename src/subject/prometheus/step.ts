/**
 * The step of a Prometheus range query, one rule for every caller: Grafana's interval, enough for `maxDataPoints`
 * (300 when Grafana sends none), whole seconds, never finer than `minStepMs`, and within Prometheus' points limit.
 */
import { MAX_POINTS_PER_SERIES } from './client';

/** Points of a range when the caller names none (Grafana always sends maxDataPoints; direct callers may not). */
const DEFAULT_MAX_POINTS = 300;

export interface StepRange {
  from: number;
  to: number;
  /** Grafana's `intervalMs` for the panel. */
  intervalMs?: number;
  maxDataPoints?: number;
}

export function rangeStep(range: StepRange, minStepMs = 1000): number {
  const span = Math.max(0, range.to - range.from);
  const byPoints = span / (range.maxDataPoints ?? DEFAULT_MAX_POINTS);
  const step = Math.max(range.intervalMs ?? 0, byPoints, span / (MAX_POINTS_PER_SERIES - 1), minStepMs);
  return Math.ceil(step / 1000) * 1000;
}
