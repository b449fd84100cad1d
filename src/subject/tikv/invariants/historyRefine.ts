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
import { isSampleLimitError, type Limiter, namedLimitError, samplesLimitError } from './historyLimits';
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
  /**
   * Replayers that already consumed every sample up to `grid.start − R` (an incremental refresh, historyState.ts):
   * they go on from there, and are advanced in place (pass clones).
   */
  initial?: ReadonlyMap<string, Replayer>;
  /** Whether to close the replay into violations (default true); false when only the replayers are wanted. */
  finish?: boolean;
}

export interface RefineResult {
  violations: Violation[];
  /**
   * Every replayer that is not idle, having consumed every sample up to `grid.end`: a pending or firing one is known
   * to still hold there (a real sample after its last segment was told to it as a clearing one).
   */
  replayers: Map<string, Replayer>;
  warnings: string[];
  queries: number;
}

type Segment = [number, number];
interface Member {
  instance: string;
  seg: Segment;
}
/** A segment's samples from one answer: typed columns, outside V8's heap (16 bytes a point, no object each). */
interface Piece {
  start: number;
  t: Float64Array;
  v: Float64Array;
}
/** Instances one precise (or onset) query asks for at most (`instance=~"a|b|…"`). */
export const MAX_INSTANCES_PER_QUERY = 100;
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
  const result: RefineResult = { violations: [], replayers: new Map(), warnings: [], queries: 0 };
  const closing = o.finish !== false;
  const segments = new Map<string, Segment[]>();
  for (const [instance, w] of windows) {
    segments.set(instance, toSegments(w, grid, o.padMs, o.coarseStepMs));
  }
  // Range queries: batches of segments close in time, in ≤ 11,000-point pieces.
  const tasks: Array<{ members: Member[]; a: number; b: number }> = [];
  for (const batch of batchSegments(segments, R, o)) {
    for (let a = batch.a; a <= batch.b; a += MAX_POINTS_PER_SERIES * R) {
      tasks.push({ members: batch.members, a, b: Math.min(batch.b, a + (MAX_POINTS_PER_SERIES - 1) * R) });
    }
  }
  // `${instance}|${segStart}` → the segment's pieces, as columns of doubles (16 bytes a point, not an array each).
  const data = new Map<string, Piece[]>();
  // A piece Prometheus refuses for its sample limit is split: fewer instances, then half the time.
  const fetch = async (members: Member[], a: number, b: number): Promise<void> => {
    result.queries++;
    let answer;
    try {
      answer = await o.limiter.run(() =>
        p.queryRangeColumns(s.expr(members.map((m) => m.instance)), a, b, R, o.signal)
      );
    } catch (err) {
      if (!isSampleLimitError(err)) {
        throw namedLimitError(err, `the ${s.invariant} history`);
      }
      if (members.length > 1) {
        const half = Math.ceil(members.length / 2);
        await Promise.all([fetch(members.slice(0, half), a, b), fetch(members.slice(half), a, b)]);
      } else if (b > a) {
        const mid = a + Math.floor((b - a) / R / 2) * R;
        await Promise.all([fetch(members, a, mid), fetch(members, mid + R, b)]);
      } else {
        throw samplesLimitError(`the ${s.invariant} history of ${members[0].instance} at one step`);
      }
      return;
    }
    result.warnings.push(...answer.warnings);
    const segOf = new Map(members.map((m) => [m.instance, m.seg]));
    for (const series of answer.series) {
      const instance = series.labels.instance ?? '';
      const seg = segOf.get(instance);
      if (!seg) {
        continue;
      }
      // A batch spans its members' union: each keeps only its own segment's samples (sorted by time), copied out
      // so that the rest of the answer's columns can go.
      const t = series.t;
      let lo = 0;
      while (lo < t.length && t[lo] < seg[0]) {
        lo++;
      }
      let hi = lo;
      while (hi < t.length && t[hi] <= seg[1]) {
        hi++;
      }
      const piece: Piece = { start: a, t: t.slice(lo, hi), v: series.v.slice(lo, hi) };
      const k = `${instance}|${seg[0]}`;
      const pieces = data.get(k);
      if (pieces) {
        pieces.push(piece);
      } else {
        data.set(k, [piece]);
      }
    }
  };
  await Promise.all(tasks.map((t) => fetch(t.members, t.a, t.b)));
  const piecesOf = (key: string) => (data.get(key) ?? []).sort((x, y) => x.start - y.start);
  const count = async (expr: string, at: number): Promise<boolean> => {
    result.queries++;
    const r = await o.limiter.run(() => p.query(expr, at, o.signal));
    return r.samples.some((x) => x.v > 0);
  };
  const instances = new Set([...segments.keys(), ...(o.initial?.keys() ?? [])]);
  const perInstance = await Promise.all(
    [...instances].map(async (instance) => {
      const kept = o.initial?.get(instance);
      const r = kept ?? new Replayer(s.rule, o.resolve(instance));
      // A kept replayer is where a segment ending just before the grid would have left it.
      const segs: Segment[] = [
        ...(kept ? [[grid.start - R, grid.start - R] as Segment] : []),
        ...(segments.get(instance) ?? []),
      ];
      let reporting: boolean | undefined;
      for (const [k, seg] of segs.entries()) {
        for (const piece of piecesOf(`${instance}|${seg[0]}`)) {
          for (let i = 0; i < piece.t.length; i++) {
            r.push(piece.t[i], s.toObservation(piece.v[i]));
          }
        }
        data.delete(`${instance}|${seg[0]}`);
        if (r.alertState !== 'pending' && r.alertState !== 'firing') {
          continue;
        }
        const next = segs[k + 1];
        const realAfter = (upTo: number) => count(realCountExpr(s, [instance], upTo - seg[1] - 1, R), upTo);
        if (next) {
          const firstReal = firstRealValue(piecesOf(`${instance}|${next[0]}`));
          if (firstReal !== undefined && !s.toObservation(firstReal).holds) {
            continue; // the engine clears on it by itself
          }
          if (next[0] - R > seg[1] && (await realAfter(next[0] - R))) {
            r.push(seg[1] + R, CLEARED);
          }
        } else if ((r.alertState === 'firing' || !closing) && seg[1] < grid.end) {
          // Kept for a later refresh, a pending replayer must also learn that its condition cleared.
          if (await realAfter(grid.end)) {
            r.push(seg[1] + R, CLEARED);
          } else if (closing && !(r.lastReportedAt !== undefined && r.lastReportedAt >= o.to - STALENESS_MS)) {
            const since = Math.max(o.to - STALENESS_MS, seg[1] + 1);
            reporting =
              since <= grid.end &&
              (await count(presentCountExpr(s, [instance], Math.max(1, grid.end - since), R), grid.end));
          }
        }
      }
      if (!r.idle) {
        result.replayers.set(instance, r);
      }
      return closing ? r.finish({ from: o.from, to: o.to, reporting }) : [];
    })
  );
  result.violations = perInstance.flat();
  return result;
}

function firstRealValue(pieces: Piece[]): number | undefined {
  for (const piece of pieces) {
    const i = piece.v.findIndex((v) => !Number.isNaN(v));
    if (i >= 0) {
      return piece.v[i];
    }
  }
  return undefined;
}

/**
 * Segments of different instances close in time, asked together: sorted by start, a batch takes the next segment
 * while its union stays within 1.5× its longest segment plus one coarse step (each member reads at most that much
 * more than its own), at most one segment per instance, 100 instances, and the sample budget.
 */
function batchSegments(
  segments: Map<string, Segment[]>,
  R: number,
  o: Pick<RefineOptions, 'maxSamples' | 'seriesPerInstance' | 'coarseStepMs'>
): Array<{ a: number; b: number; members: Member[] }> {
  const items = [...segments]
    .flatMap(([instance, segs]) => segs.map((seg) => ({ instance, seg })))
    .sort((x, y) => x.seg[0] - y.seg[0]);
  const out: Array<{ a: number; b: number; members: Member[]; longest: number; instances: Set<string> }> = [];
  for (const m of items) {
    const g = out.at(-1);
    const len = m.seg[1] - m.seg[0];
    if (g) {
      const b = Math.max(g.b, m.seg[1]);
      const longest = Math.max(g.longest, len);
      const samples =
        (g.members.length + 1) * 2 * o.seriesPerInstance * Math.min(MAX_POINTS_PER_SERIES, (b - g.a) / R + 1);
      if (
        !g.instances.has(m.instance) &&
        g.members.length < MAX_INSTANCES_PER_QUERY &&
        b - g.a <= 1.5 * longest + o.coarseStepMs &&
        samples <= o.maxSamples
      ) {
        g.b = b;
        g.longest = longest;
        g.members.push(m);
        g.instances.add(m.instance);
        continue;
      }
    }
    out.push({ a: m.seg[0], b: m.seg[1], members: [m], longest: len, instances: new Set([m.instance]) });
  }
  return out;
}
