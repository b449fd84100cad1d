/**
 * Incremental refresh: a dashboard refreshing a `now-24h → now` panel every 30 s replays only what is new.
 *
 *   class HistoryStates({ maxEntries, maxBytes, ttlMs }) — the kept replay states, an LRU bounded by count, bytes
 *                                                          and age (one per cluster, invariant and query)
 *   replayInvariant(p, s, grid, o): Promise<PassResult>  — one invariant's history, from a kept state when one fits
 *
 * A state is every non-idle Replayer of one query after it consumed every sample up to a watermark W, which stays
 * OVERLAP_MS (Grafana's `incrementalQueryOverlapWindow`, 10 min) behind `to`: the newest samples may still change
 * (late scrapes, rule evaluation lag), so they are replayed on every request and never kept. Its key is everything
 * that decides the answer except the range: the cluster, the invariant, the expression (selector, rate window,
 * recorded or raw series), the condition, the resolved rule, the scrape interval and the storeIds.
 *
 * Semantics, so that a refresh answers exactly what a cold replay of the same range answers: a cold replay starts
 * at G = from − grace − lookback (historyGrid), where every entity starts afresh — an episode already running
 * at G has its onset clamped to the first real sample at or after G, and fires only grace after that. G moves on
 * every refresh, so a kept state that started at an older G0 ≤ G is rebased to G before it goes on
 * (Replayer.rebase): violations that ended before G are dropped, and the one episode per entity running at G gets
 * the onset a replay from G would give, t0 = its first real sample at or after G (one small range query for the
 * entities concerned). Entities not in an episode at G are in the same state either way (the engine forgets
 * everything when a condition clears). With keep_firing_for, or when t0 cannot be found near G, the refresh
 * replays cold. The replay then goes on from W to the new watermark (coarse and precise passes over that window
 * only), is copied and kept, and the copy goes on to `to` and closes into the answer.
 *
 * A kept state is never advanced in place: a request works on copies and stores its result only when it succeeded,
 * so a cancelled or failed request leaves the previous state (or, on an error, none: it is dropped).
 */
import { LRUCache } from 'lru-cache';
import type { Violation } from '../../../shared/schema/violation';
import { coarseWindows, seriesEstimate } from './historyCoarse';
import { coarseStep, type HistoryGrid, type PrometheusHistory } from './historyGrid';
import type { Limiter } from './historyLimits';
import { MAX_INSTANCES_PER_QUERY, refineHistory } from './historyRefine';
import type { HistorySeries } from './historySeries';
import type { Replayer, StoreIdentity } from './replay';

/** Grafana's default `incrementalQueryOverlapWindow`: the newest 10 min are always asked again. */
export const OVERLAP_MS = 10 * 60_000;
/** How far past G the first real sample of an episode running at G is looked for before replaying cold. */
const ONSET_SEARCH_STEPS = 40;

export interface HistoryStatesOptions {
  /** States kept at once (0: incremental refresh off). */
  maxEntries: number;
  /** Their total estimated size. */
  maxBytes: number;
  /** A state unused this long is dropped (a closed dashboard). */
  ttlMs: number;
}

export const DEFAULT_HISTORY_STATES: HistoryStatesOptions = {
  maxEntries: 64,
  maxBytes: 16 * 1024 * 1024,
  ttlMs: 10 * 60_000,
};

interface KeptState {
  /** The grid start the replayers are based on. */
  start: number;
  /** Every sample up to here was replayed. */
  watermark: number;
  replayers: ReadonlyMap<string, Replayer>;
  bytes: number;
}

export class HistoryStates {
  private readonly lru?: LRUCache<string, KeptState>;

  constructor(o: HistoryStatesOptions = DEFAULT_HISTORY_STATES) {
    if (o.maxEntries > 0) {
      this.lru = new LRUCache<string, KeptState>({
        max: o.maxEntries,
        maxSize: o.maxBytes,
        sizeCalculation: (v, k) => Math.max(1, v.bytes + 2 * k.length),
        ttl: o.ttlMs,
      });
    }
  }

  get enabled(): boolean {
    return this.lru !== undefined;
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }

  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }

  get(key: string): KeptState | undefined {
    return this.lru?.get(key);
  }

  set(key: string, start: number, watermark: number, replayers: ReadonlyMap<string, Replayer>): void {
    let bytes = 200;
    for (const [instance, r] of replayers) {
      bytes += 2 * instance.length + r.weight;
    }
    this.lru?.set(key, { start, watermark, replayers, bytes });
  }

  delete(key: string): void {
    this.lru?.delete(key);
  }

  clear(): void {
    this.lru?.clear();
  }
}

export interface PassOptions {
  from: number;
  to: number;
  maxSamples: number;
  limiter: Limiter;
  resolve: (instance: string) => StoreIdentity;
  signal?: AbortSignal;
  /** Instances to keep (a storeIds filter); absent = all. */
  keepInstance?: (instance: string) => boolean;
  /** Where to keep this query's state, and the part of its key the history cannot see (the cluster). */
  state?: { store: HistoryStates; key: string };
  /** The query's storeIds, for the state's key. */
  storeIds?: readonly number[];
}

export interface PassResult {
  violations: Violation[];
  warnings: string[];
  queries: number;
  /** Whether a kept state was used. */
  incremental: boolean;
}

/** One invariant's history over `grid`: from a kept state when one fits, else cold; keeps the new state. */
export async function replayInvariant(
  p: PrometheusHistory,
  s: HistorySeries,
  grid: HistoryGrid,
  o: PassOptions
): Promise<PassResult> {
  const R = grid.stepMs;
  const result: PassResult = { violations: [], warnings: [], queries: 0, incremental: false };
  const pass = async (
    sub: HistoryGrid,
    initial: Map<string, Replayer> | undefined,
    finish: boolean,
    estimate?: number
  ) => {
    const coarseStepMs = coarseStep(sub);
    const coarse = await coarseWindows(p, s, sub, {
      coarseStepMs,
      maxSamples: o.maxSamples,
      limiter: o.limiter,
      signal: o.signal,
      seriesEstimate: estimate,
    });
    if (o.keepInstance) {
      for (const instance of coarse.windows.keys()) {
        if (!o.keepInstance(instance)) {
          coarse.windows.delete(instance);
        }
      }
    }
    const refined = await refineHistory(p, s, sub, coarse.windows, {
      from: o.from,
      to: o.to,
      coarseStepMs,
      padMs: 4 * R + s.rule.keepFiringForMs,
      maxSamples: o.maxSamples,
      seriesPerInstance: s.seriesPerInstance,
      limiter: o.limiter,
      resolve: o.resolve,
      signal: o.signal,
      initial,
      finish,
    });
    result.warnings.push(...coarse.warnings, ...refined.warnings);
    result.queries += coarse.queries + refined.queries;
    return refined;
  };
  const watermark = Math.min(grid.end, Math.floor((o.to - Math.max(OVERLAP_MS, 2 * R)) / R) * R);
  if (!o.state?.store.enabled || watermark < grid.start) {
    result.violations = (await pass(grid, undefined, true)).violations;
    return result;
  }
  const key = stateKey(s, R, o);
  try {
    // The watermark comes with the replayers: another request may replace the kept state meanwhile.
    const resumed = await resume(p, s, grid, o, key, result);
    let replayers = resumed?.replayers;
    let done = resumed?.watermark ?? grid.start - R;
    result.incremental = resumed !== undefined;
    let estimate: number | undefined;
    if (watermark > done) {
      // One series estimate for both passes, over the span they cover together.
      result.queries++;
      estimate = await seriesEstimate(p, s, { stepMs: R, start: done + R, end: grid.end }, o);
      replayers = (await pass({ stepMs: R, start: done + R, end: watermark }, replayers, false, estimate)).replayers;
      done = watermark;
    }
    const kept = new Map([...(replayers ?? [])].map(([i, r]) => [i, r.clone()]));
    result.violations = (
      await pass({ stepMs: R, start: done + R, end: grid.end }, replayers, true, estimate)
    ).violations;
    o.state.store.set(key, grid.start, done, kept);
    return result;
  } catch (err) {
    o.state.store.delete(key);
    throw err;
  }
}

function stateKey(s: HistorySeries, R: number, o: PassOptions): string {
  const stores = o.storeIds?.length ? [...new Set(o.storeIds)].sort((a, b) => a - b).join(',') : '*';
  return JSON.stringify([o.state!.key, s.invariant, s.expr(), s.condition, s.rule, R, stores]);
}

/**
 * Copies of the kept replayers, rebased to `grid.start`, when the kept state fits this range: it started at or
 * before the grid, its watermark is inside it, and no episode needs what a rebase cannot do. Else undefined (cold).
 */
async function resume(
  p: PrometheusHistory,
  s: HistorySeries,
  grid: HistoryGrid,
  o: PassOptions,
  key: string,
  result: PassResult
): Promise<{ replayers: Map<string, Replayer>; watermark: number } | undefined> {
  const kept = o.state!.store.get(key);
  const G = grid.start;
  if (!kept || kept.start > G || kept.watermark < G - grid.stepMs || kept.watermark > grid.end) {
    return undefined;
  }
  const replayers = new Map([...kept.replayers].map(([i, r]) => [i, r.clone()]));
  const running = [...replayers].flatMap(([instance, r]) => {
    const e = r.episodeAt(G);
    return e ? [{ instance, lastSeen: e.lastSeen }] : [];
  });
  if (running.length > 0 && s.rule.keepFiringForMs > 0) {
    return undefined;
  }
  const t0 = new Map<string, number>();
  for (let i = 0; i < running.length; i += MAX_INSTANCES_PER_QUERY) {
    const batch = running.slice(i, i + MAX_INSTANCES_PER_QUERY);
    const end = Math.min(G + ONSET_SEARCH_STEPS * grid.stepMs, Math.max(...batch.map((b) => b.lastSeen)));
    result.queries++;
    const answer = await o.limiter.run(() =>
      p.queryRange(`${s.expr(batch.map((b) => b.instance))} >= -Inf`, G, end, grid.stepMs, o.signal)
    );
    result.warnings.push(...answer.warnings);
    for (const series of answer.series) {
      const first = series.samples[0]?.[0];
      if (first !== undefined) {
        t0.set(series.labels.instance ?? '', first);
      }
    }
  }
  if (running.some((e) => !(t0.get(e.instance)! <= e.lastSeen))) {
    return undefined; // a long gap right after G: replay cold rather than guess
  }
  for (const [instance, r] of replayers) {
    r.rebase(G, t0.get(instance));
    r.identify(o.resolve(instance));
    if (r.idle) {
      replayers.delete(instance);
    }
  }
  return { replayers, watermark: kept.watermark };
}
