/**
 * The grid a history is replayed on, and the part of PrometheusClient it needs.
 *
 *   historyGrid(o): HistoryGrid   — step R = the scrape interval (whole seconds), start/end aligned to R
 *   coarseStep(grid): number      — S, a multiple of R, ~range/10,000 (at least 4 R)
 *
 * R is the scrape interval at every range: the replay sees every sample Prometheus has, so precision does not
 * depend on the range (a grace-0 condition that held for two scrape intervals is found over 30 days as over 1 h).
 * Start: `from − grace − lookback` aligned down to R, so a violation already running at `from` keeps its onset (if
 * it began before the start, first_seen is the first sample of the grid, a lower bound).
 */
import type { InstantResult, RangeColumnsResult, RangeResult } from '../../prometheus/client';
import type { SelectorFn } from '../promql';

/** The part of PrometheusClient the history needs (every call takes the request's abort signal). */
export interface PrometheusHistory {
  selector: SelectorFn;
  queryRange(expr: string, startMs: number, endMs: number, stepMs: number, signal?: AbortSignal): Promise<RangeResult>;
  /** The precise pass' reads: samples as columns of doubles. */
  queryRangeColumns(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal
  ): Promise<RangeColumnsResult>;
  query(expr: string, timeMs?: number, signal?: AbortSignal): Promise<InstantResult>;
}

export interface HistoryGrid {
  /** R: the replay step, ms. */
  stepMs: number;
  /** First grid point (≤ from − grace − lookback). */
  start: number;
  /** Last grid point at or before `to`. */
  end: number;
}

export function historyGrid(o: {
  from: number;
  to: number;
  graceMs: number;
  lookbackMs: number;
  scrapeIntervalMs: number;
}): HistoryGrid {
  const stepMs = Math.max(1000, Math.ceil(o.scrapeIntervalMs / 1000) * 1000);
  const earliest = Math.max(0, o.from - o.graceMs - o.lookbackMs);
  return {
    stepMs,
    start: Math.floor(earliest / stepMs) * stepMs,
    end: Math.max(Math.floor(earliest / stepMs) * stepMs, Math.floor(o.to / stepMs) * stepMs),
  };
}

const NICE_S = [60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/**
 * Small windows cost Prometheus nothing more (it evaluates every R step either way) and keep the precise pass
 * short: a 20-minute outage is read as ~30 minutes of samples, not as whole hour-long windows.
 */
export function coarseStep(grid: HistoryGrid): number {
  const wanted = Math.max(4 * grid.stepMs, (grid.end - grid.start) / 10_000);
  const nice = (NICE_S.find((n) => n * 1000 >= wanted) ?? Math.ceil(wanted / 1000)) * 1000;
  return Math.ceil(nice / grid.stepMs) * grid.stepMs;
}
