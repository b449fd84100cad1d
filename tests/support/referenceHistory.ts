/**
 * The reference history: the engine replayed over EVERY scrape-interval evaluation of the whole range — the
 * algorithm the backend used before issue 11 (one range query per invariant, all stores, all samples), at full
 * resolution. The equivalence test holds the backend's coarse + precise passes to it.
 */
import { MAX_POINTS_PER_SERIES } from '../../src/subject/prometheus/client';
import { CLUSTER_LEVEL_STORE, INVARIANTS } from '../../src/shared/names';
import type { Violation } from '../../src/shared/schema/violation';
import { DEFAULT_RATE_WINDOW, formatPromDuration } from '../../src/subject/tikv/promql';
import { historyPlan, rateWindowMs, type HistoryOptions } from '../../src/subject/tikv/invariants/history';
import { historySeries } from '../../src/subject/tikv/invariants/historySeries';
import { replay } from '../../src/subject/tikv/invariants/replay';

export async function referenceHistory(o: HistoryOptions): Promise<Violation[]> {
  const window = formatPromDuration(rateWindowMs(o.window ?? DEFAULT_RATE_WINDOW, o.scrapeIntervalMs));
  const wanted = o.invariants?.length ? INVARIANTS.filter((i) => o.invariants!.includes(i)) : INVARIANTS;
  const storeFilter = o.storeIds?.length ? new Set(o.storeIds) : undefined;
  const out: Violation[] = [];
  for (const invariant of wanted) {
    const s = historySeries(invariant, { selector: o.prometheus.selector, rules: o.rules, window });
    const grid = historyPlan(invariant, o);
    const R = grid.stepMs;
    const byInstance = new Map<string, Array<[number, number]>>();
    for (let a = grid.start; a <= grid.end; a += MAX_POINTS_PER_SERIES * R) {
      const b = Math.min(grid.end, a + (MAX_POINTS_PER_SERIES - 1) * R);
      const answer = await o.prometheus.queryRange(s.expr(), a, b, R);
      for (const series of answer.series) {
        const instance = series.labels.instance ?? '';
        byInstance.set(instance, [...(byInstance.get(instance) ?? []), ...series.samples]);
      }
    }
    for (const [instance, samples] of byInstance) {
      const who =
        invariant === 'region_health'
          ? CLUSTER_LEVEL_STORE
          : (o.resolveInstance(instance) ?? { store_id: 0, address: instance });
      if (storeFilter && !storeFilter.has(who.store_id)) {
        continue;
      }
      const timeline = samples.map(([t, v]) => ({ t, obs: s.toObservation(v) }));
      out.push(...replay(timeline, s.rule, who, { from: o.range.from, to: o.range.to }));
    }
  }
  return out.sort((a, b) => a.first_seen - b.first_seen || a.store_id - b.store_id);
}
