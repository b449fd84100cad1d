/**
 * The precise pass: every sample at step R around the coarse pass' candidate windows, replayed by the engine.
 *
 *   refineHistory(p, s, grid, windows, o): Promise<RefineResult>
 *
 * Candidate windows, padded by a few steps (and keep_firing_for), become segments per instance; segments closer
 * than one coarse step merge. Instances sharing a segment (a fleet-wide event) are asked together
 * (`instance=~"a|b"`), in pieces of ≤ 11,000 points and under the sample budget, with bounded concurrency.
 *
 * Exactness (the same violations as a replay of every R-step sample, which tests/support/referenceHistory.ts is):
 * between segments no sample holds (the coarse pass saw none), so the engine's state there can only clear, and
 * only on a real (non-NaN) sample. When a segment ends pending or firing and the next segment does not begin with
 * a clearing sample, one instant query counts the real samples in between (`>= -Inf`); if there were any, the
 * engine is told the condition cleared. After the last segment, the same count decides resolved versus still
 * firing, and a firing violation is active only if its series reported (NaN counts) within the 5 min staleness
 * window of `to` (replay.ts).
 */
import { MAX_POINTS_PER_SERIES } from '../../prometheus/client';
import type { Violation } from '../../../shared/schema/violation';
import type { HistoryGrid, PrometheusHistory } from './historyGrid';
import { type Limiter, namedLimitError } from './historyLimits';
import { presentCountExpr, realCountExpr, type HistorySeries } from './historySeries';
import { Replayer, STALENESS_MS, type StoreIdentity } from './replay';

export interface RefineOptions {
  from: number;
  to: number;
  coarseStepMs: number;
  padMs: number;
  maxSamples: number;
  /** Raw series per instance behind the expression (sizing batches). */
  seriesPerInstance: number;
  limiter: Limiter;
  resolve: (instance: string) => StoreIdentity;
  signal?: AbortSignal;
}

export interface RefineResult {
  violations: Violation[];
  warnings: string[];
  queries: number;
}

type Segment = [number, number];
const MAX_INSTANCES_PER_QUERY = 100;
/** A non-holding observation: what the engine is told when real samples were seen between two segments. */
const CLEARED = { value: Number.NEGATIVE_INFINITY, holds: false };

/** Per instance, padded windows merged into segments on the R grid. */
export function toSegments(
  windows: Array<[number, number]>,
  grid: HistoryGrid,
  padMs: number,
  mergeGapMs: number
): Segment[] {
  const R = grid.stepMs;
  const sorted = [...windows].sort((a, b) => a[0] - b[0]);
  const out: Segment[] = [];
  for (const [a, b] of sorted) {
    const s = Math.max(grid.start, Math.floor((a - padMs) / R) * R);
    const e = Math.min(grid.end, Math.ceil((b + padMs) / R) * R);
    const prev = out.at(-1);
    if (prev && s - prev[1] <= mergeGapMs) {
      prev[1] = Math.max(prev[1], e);
    } else {
      out.push([s, e]);
    }
  }
  return out;
}

export async function refineHistory(
  p: PrometheusHistory,
  s: HistorySeries,
  grid: HistoryGrid,
  windows: Map<string, Array<[number, number]>>,
  o: RefineOptions
): Promise<RefineResult> {
  const R = grid.stepMs;
  const result: RefineResult = { violations: [], warnings: [], queries: 0 };
  const segments = new Map<string, Segment[]>();
  const groups = new Map<string, string[]>();
  for (const [instance, w] of windows) {
    const segs = toSegments(w, grid, o.padMs, o.coarseStepMs);
    segments.set(instance, segs);
    for (const seg of segs) {
      const key = `${seg[0]}:${seg[1]}`;
      groups.set(key, [...(groups.get(key) ?? []), instance]);
    }
  }
  // Range queries: per distinct segment, instances in batches, time in ≤ 11,000-point pieces.
  const tasks: Array<{ seg: Segment; instances: string[]; a: number; b: number }> = [];
  for (const [key, instances] of groups) {
    const seg = key.split(':').map(Number) as Segment;
    const points = Math.min(MAX_POINTS_PER_SERIES, (seg[1] - seg[0]) / R + 1);
    const perQuery = Math.max(
      1,
      Math.min(MAX_INSTANCES_PER_QUERY, Math.floor(o.maxSamples / (2 * o.seriesPerInstance * points)))
    );
    for (let i = 0; i < instances.length; i += perQuery) {
      for (let a = seg[0]; a <= seg[1]; a += MAX_POINTS_PER_SERIES * R) {
        const b = Math.min(seg[1], a + (MAX_POINTS_PER_SERIES - 1) * R);
        tasks.push({ seg, instances: instances.slice(i, i + perQuery), a, b });
      }
    }
  }
  const data = new Map<string, Array<[number, number]>>(); // `${instance}|${segStart}` → samples
  const pieces = await Promise.all(
    tasks.map(async (t) => {
      result.queries++;
      try {
        return await o.limiter.run(() => p.queryRange(s.expr(t.instances), t.a, t.b, R, o.signal));
      } catch (err) {
        throw namedLimitError(err, `the ${s.invariant} history`);
      }
    })
  );
  tasks.forEach((t, i) => {
    result.warnings.push(...pieces[i].warnings);
    for (const series of pieces[i].series) {
      const k = `${series.labels.instance ?? ''}|${t.seg[0]}`;
      const samples = data.get(k);
      if (samples) {
        samples.push(...series.samples);
      } else {
        data.set(k, [...series.samples]);
      }
    }
  });
  const count = async (expr: string, at: number): Promise<boolean> => {
    result.queries++;
    const r = await o.limiter.run(() => p.query(expr, at, o.signal));
    return r.samples.some((x) => x.v > 0);
  };
  const perInstance = await Promise.all(
    [...segments].map(async ([instance, segs]) => {
      const r = new Replayer(s.rule, o.resolve(instance));
      let reporting: boolean | undefined;
      for (const [k, seg] of segs.entries()) {
        const samples = (data.get(`${instance}|${seg[0]}`) ?? []).sort((x, y) => x[0] - y[0]);
        for (const [t, v] of samples) {
          r.push(t, s.toObservation(v));
        }
        data.delete(`${instance}|${seg[0]}`);
        if (r.alertState !== 'pending' && r.alertState !== 'firing') {
          continue;
        }
        const next = segs[k + 1];
        const realAfter = (upTo: number) => count(realCountExpr(s, [instance], upTo - seg[1] - 1, R), upTo);
        if (next) {
          const firstReal = (data.get(`${instance}|${next[0]}`) ?? []).find(([, v]) => !Number.isNaN(v));
          if (firstReal && !s.toObservation(firstReal[1]).holds) {
            continue; // the engine clears on it by itself
          }
          if (next[0] - R > seg[1] && (await realAfter(next[0] - R))) {
            r.push(seg[1] + R, CLEARED);
          }
        } else if (r.alertState === 'firing' && seg[1] < grid.end) {
          if (await realAfter(grid.end)) {
            r.push(seg[1] + R, CLEARED);
          } else if (!(r.lastReportedAt !== undefined && r.lastReportedAt >= o.to - STALENESS_MS)) {
            const since = Math.max(o.to - STALENESS_MS, seg[1] + 1);
            reporting =
              since <= grid.end &&
              (await count(presentCountExpr(s, [instance], Math.max(1, grid.end - since), R), grid.end));
          }
        }
      }
      return r.finish({ from: o.from, to: o.to, reporting });
    })
  );
  result.violations = perInstance.flat();
  return result;
}
