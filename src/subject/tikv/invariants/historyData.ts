/**
 * What the data can answer, asked before the history runs (a few cheap queries):
 *
 *   dataCoverage(p, o): Promise<Coverage> — share of [from, to] where Prometheus has any TiKV `up` sample, and the
 *                                            spacing of the samples (a long-term store may have downsampled them)
 *   recordedCovers(p, selector, grid): Promise<boolean> — the recording rule's series exists at both ends of the
 *                                            grid (the rules were loaded before the range began); cached 5 min
 *
 * Prometheus keeps 15 days by default, and Thanos/Mimir/VictoriaMetrics may keep only 5 min-resolution samples
 * for old data, over which a 1m rate() has fewer than two samples and answers nothing. The history then says so
 * (a notice with the share of the range that had data) instead of reporting a clean range, and widens the rate
 * window to four sample intervals (Prometheus' advice for rate(): `rate()` needs two samples in its window).
 */
import { LRUCache } from 'lru-cache';

import { tikvUpExpr } from '../promql';
import type { HistoryGrid, PrometheusHistory } from './historyGrid';
import { STALENESS_MS } from './replay';

export interface Coverage {
  /** Share of the range's probe steps with a sample, 0..1. */
  share: number;
  firstMs?: number;
  lastMs?: number;
  /** Spacing of `up` samples near the end of the data, ms (undefined: no data to tell). */
  sampleIntervalMs?: number;
}

/** Probe steps over the range (~500). */
const PROBES = 500;

export async function dataCoverage(
  p: PrometheusHistory,
  o: { from: number; to: number; stepMs: number; signal?: AbortSignal }
): Promise<Coverage> {
  const up = tikvUpExpr(p.selector);
  const step = Math.max(o.stepMs, Math.ceil((o.to - o.from) / PROBES / o.stepMs) * o.stepMs);
  const start = Math.ceil(o.from / step) * step;
  if (start > o.to) {
    return { share: 1 };
  }
  const total = Math.floor((o.to - start) / step) + 1;
  const r = await p.queryRange(`count(${up})`, start, o.to, step, o.signal);
  const times = (r.series[0]?.samples ?? []).map(([t]) => t);
  if (times.length === 0) {
    return { share: 0 };
  }
  const lastMs = times[times.length - 1];
  // Samples per series over up to an hour that surely holds data: the last covered step may be the lookback
  // reaching 5 min past the last sample. The densest series tells the spacing (others may have gaps).
  const at = lastMs - STALENESS_MS;
  const spanS = Math.floor(Math.min(3_600_000, at - times[0]) / 1000);
  let n: number | undefined;
  if (spanS * 1000 >= 4 * o.stepMs) {
    n = (await p.query(`max(count_over_time(${up}[${spanS}s]))`, at, o.signal)).samples[0]?.v;
  }
  return {
    share: times.length / total,
    firstMs: times[0],
    lastMs,
    sampleIntervalMs: n && n > 1 ? Math.round(spanS / (n - 1)) * 1000 : undefined,
  };
}

/** Per client: whether its Prometheus has the recorded series over a grid (5 minutes, 256 grids at most). */
const caches = new WeakMap<PrometheusHistory, LRUCache<string, boolean>>();

export async function recordedCovers(
  p: PrometheusHistory,
  selector: string,
  grid: HistoryGrid,
  signal?: AbortSignal
): Promise<boolean> {
  let cache = caches.get(p);
  if (!cache) {
    cache = new LRUCache<string, boolean>({ max: 256, ttl: 5 * 60_000 });
    caches.set(p, cache);
  }
  // Keyed by the minute of each end: a dashboard refreshing every 30 s asks once per minute at most.
  const key = `${selector}|${Math.floor(grid.start / 60_000)}|${Math.floor(grid.end / 60_000)}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    return hit;
  }
  const at = async (t: number) => (await p.query(`count(${selector})`, t, signal)).samples.some((s) => s.v > 0);
  const covers = (await at(grid.start)) && (await at(grid.end));
  cache.set(key, covers);
  return covers;
}
