import fc from 'fast-check';

import type { Violation } from '../../../src/shared/schema/violation';
import { LiveChecker } from '../../../src/subject/tikv/invariants/live';
import { replay } from '../../../src/subject/tikv/invariants/replay';
import { DEFAULT_RULES, observe, resolveRules } from '../../../src/subject/tikv/invariants/rules';

const STEP = 15_000;
const T0 = 1_800_000_000_000;

/** A sample per tick: low, high, exactly at the threshold, NaN (no traffic) or missing from Prometheus' answer. */
const sample = fc.constantFrom<number | undefined>(0.01, 0.5, 0.1, NaN, undefined);

/** Live output over time, turned back into intervals: a violation that leaves the output has ended. */
function liveIntervals(checker: LiveChecker, ticks: Array<Array<number | undefined>>, stores: number[]): Violation[] {
  const seen = new Map<string, Violation>();
  ticks.forEach((values, i) => {
    const now = T0 + i * STEP;
    const p99 = new Map<number, number>();
    stores.forEach((id, j) => values[j] !== undefined && p99.set(id, values[j]!));
    const stores_ = stores.map((id) => ({
      store_id: id,
      address: `tikv-${id}:20160`,
      state_name: 'Up',
      node_state: 1,
      last_heartbeat_ms: now,
      isTiFlash: false,
    }));
    const out = checker.tick({ pdNow: now, stores: stores_, p99Seconds: p99 }, now);
    const keys = new Set<string>();
    for (const v of out) {
      const key = `${v.invariant}|${v.store_id}|${v.first_seen}`;
      keys.add(key);
      seen.set(key, { ...v });
    }
    for (const [key, v] of seen) {
      if (!keys.has(key)) {
        seen.set(key, { ...v, active: false });
      }
    }
  });
  return [...seen.values()];
}

const canonical = (vs: Violation[]) =>
  vs
    .map(({ store_id, address, invariant, severity, first_seen, last_seen, active, value, threshold }) => ({
      store_id,
      address,
      invariant,
      severity,
      first_seen,
      last_seen,
      active,
      value,
      threshold,
    }))
    .sort((a, b) => a.store_id - b.store_id || a.first_seen - b.first_seen);

describe('live ticking and replaying the same samples', () => {
  it('give the same violation intervals', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 10, 15, 20, 45, 60, 90),
        fc.constantFrom(0, 30),
        fc
          .integer({ min: 1, max: 3 })
          .chain((n) => fc.array(fc.array(sample, { minLength: n, maxLength: n }), { maxLength: 40 })),
        (graceSeconds, keepSeconds, ticks) => {
          const base = resolveRules(DEFAULT_RULES, { high_latency: { graceSeconds } });
          const rules = { ...base, high_latency: { ...base.high_latency, keepFiringForMs: keepSeconds * 1000 } };
          const stores = [1, 2, 3].slice(0, ticks[0]?.length ?? 1);
          const live = liveIntervals(new LiveChecker({ rules }), ticks, stores);
          const replayed = stores.flatMap((id, j) =>
            replay(
              ticks.map((values, i) => {
                const v = values[j];
                return { t: T0 + i * STEP, obs: v === undefined ? undefined : observe(rules.high_latency, v) };
              }),
              rules.high_latency,
              { store_id: id, address: `tikv-${id}:20160` }
            )
          );
          expect(canonical(live)).toEqual(canonical(replayed));
        }
      ),
      { numRuns: 300 }
    );
  });
});
