/**
 * Equivalence on a real Prometheus: the backend's history (coarse pass + precise pass, historyCoarse.ts and
 * historyRefine.ts) gives exactly the violations of a replay of every scrape-interval evaluation over the whole
 * range (tests/support/referenceHistory.ts), for random fault schedules — one backfilled history of many stores,
 * each with its own generated schedule of downs, latency (high, idle = NaN, flapping around the threshold), disk
 * (above, NaN, flapping at the threshold), gaps and series that stop — over random ranges, rules, sample budgets
 * (small ones force many chunks, so conditions span chunk boundaries) and concurrency.
 *
 * Also: a series that stops while its violation fires is not active any more (ended_by "no_data").
 */
import fc from 'fast-check';

import { INVARIANTS } from '../../../src/shared/names';
import type { Violation } from '../../../src/shared/schema/violation';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { invariantHistoryReport, type HistoryOptions } from '../../../src/subject/tikv/invariants/history';
import { DEFAULT_RULES, resolveRules } from '../../../src/subject/tikv/invariants/rules';
import { startPrometheusWith } from '../../support/backfill';
import { randomSchedules, writeFaultHistory, type StoreSchedule } from '../../support/faultHistory';
import { referenceHistory } from '../../support/referenceHistory';

const STEP = 15_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const SPAN = 6 * HOUR;
const STORES = 24;
const SEED = 11;

// Two stores with a known story for the stopped-series test, then random ones.
const fixed: StoreSchedule[] = [
  { instance: '10.9.0.1:20180', down: [[1 * HOUR, 3 * HOUR]], latency: [], disk: [], gaps: [], stopAt: 2 * HOUR },
  { instance: '10.9.0.2:20180', down: [[5 * HOUR, 7 * HOUR]], latency: [], disk: [], gaps: [] },
  // Disk full, then NaN for 90 min (no evidence either way), then full again: one violation.
  {
    instance: '10.9.0.3:20180',
    down: [],
    latency: [],
    disk: [
      [1 * HOUR, 1.5 * HOUR, 0.95],
      [1.5 * HOUR, 3 * HOUR, 'nan'],
      [3 * HOUR, 3.5 * HOUR, 0.95],
    ],
    gaps: [],
  },
  // Disk full, then NaN until the end: the series still reports, so the violation is active.
  {
    instance: '10.9.0.4:20180',
    down: [],
    latency: [],
    disk: [
      [4 * HOUR, 4.5 * HOUR, 0.95],
      [4.5 * HOUR, 7 * HOUR, 'nan'],
    ],
    gaps: [],
  },
  // High latency on both sides of an hour without any sample: one violation (a gap never clears).
  {
    instance: '10.9.0.5:20180',
    down: [],
    latency: [[1 * HOUR, 3 * HOUR, 'high']],
    disk: [],
    gaps: [[1.5 * HOUR, 2.5 * HOUR]],
  },
];
const stores = [...fixed, ...randomSchedules(STORES - fixed.length, SPAN, STEP, SEED)];
// region_health (cluster-level): a short blip, a long miss-peer episode with a PD gap inside it (a gap never clears),
// an overlapping down-peer one, and one still running at the end.
const REGIONS: Array<[number, number, number, number]> = [
  [0.5 * HOUR, 0.5 * HOUR + 2 * MIN, 3, 0],
  [1 * HOUR, 2.5 * HOUR, 12, 0],
  [2.5 * HOUR, 3 * HOUR, 1, 4],
  [5.5 * HOUR, 6 * HOUR, 0, 2],
];
const REGION_GAPS: Array<[number, number]> = [[1.5 * HOUR, 1.5 * HOUR + 20 * MIN]];
const storeIdOf = new Map(stores.map((s, i) => [s.instance, i + 1]));
const startMs = Math.floor((Date.now() - SPAN - HOUR) / HOUR) * HOUR;
const endMs = startMs + SPAN - STEP;

let backfilled: Awaited<ReturnType<typeof startPrometheusWith>>;
let prometheus: PrometheusClient;

beforeAll(async () => {
  backfilled = await startPrometheusWith(
    (write) =>
      writeFaultHistory(
        { startMs, stepMs: STEP, steps: SPAN / STEP, stores, regions: REGIONS, regionGaps: REGION_GAPS },
        write
      ),
    STEP
  );
  prometheus = new PrometheusClient({ url: backfilled.prom.url, cacheTtlMs: 0 });
}, 180_000);

afterAll(async () => {
  await prometheus?.close();
  await backfilled?.close();
});

function options(o: Partial<HistoryOptions> = {}): HistoryOptions {
  return {
    prometheus,
    rules: DEFAULT_RULES,
    range: { from: startMs, to: endMs },
    scrapeIntervalMs: STEP,
    resolveInstance: (instance) => {
      const id = storeIdOf.get(instance);
      return id === undefined ? undefined : { store_id: id, address: `tikv-${id}:20160` };
    },
    ...o,
  };
}

const key = (v: Violation) => `${v.invariant}|${v.store_id}|${v.first_seen}`;
const sorted = (vs: Violation[]) => [...vs].sort((a, b) => key(a).localeCompare(key(b)));

describe('invariant history at fleet scale, against a replay of every sample', () => {
  it('finds exactly the reference violations for random ranges, rules, budgets and concurrency', async () => {
    const seen = { invariants: new Set<string>(), noData: 0, chunked: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -30, max: SPAN / STEP }),
        fc.integer({ min: 1, max: SPAN / STEP + 40 }),
        fc.constantFrom(0, 30, 60, 120),
        fc.constantFrom(0, 45),
        fc.constantFrom(0, 60, 600),
        fc.constantFrom(undefined, 5_000, 20_000),
        fc.integer({ min: 1, max: 4 }),
        fc.option(fc.subarray([...storeIdOf.values()], { minLength: 1, maxLength: 5 }), { freq: 4 }),
        async (fromStep, lengthSteps, latencyGrace, diskGrace, regionGrace, maxSamples, concurrency, storeIds) => {
          const from = startMs + fromStep * STEP + (fromStep % 3) * 1000;
          const rules = resolveRules(DEFAULT_RULES, {
            high_latency: { graceSeconds: latencyGrace },
            low_disk: { graceSeconds: diskGrace },
            region_health: { graceSeconds: regionGrace },
          });
          const o = options({
            rules,
            range: { from, to: from + lengthSteps * STEP },
            maxSamples,
            concurrency,
            storeIds: storeIds ?? undefined,
          });
          const [fast, reference] = await Promise.all([invariantHistoryReport(o), referenceHistory(o)]);
          expect(sorted(fast.violations)).toEqual(sorted(reference));
          fast.violations.forEach((v) => seen.invariants.add(v.invariant));
          seen.noData += fast.violations.filter((v) => v.ended_by === 'no_data').length;
          seen.chunked += maxSamples !== undefined && fast.queries > 20 ? 1 : 0;
        }
      ),
      { numRuns: 25, seed: SEED }
    );
    // The schedules exercised every invariant, stopped series and many-chunk plans.
    expect([...seen.invariants].sort()).toEqual([...INVARIANTS].sort());
    expect(seen.noData).toBeGreaterThan(0);
    expect(seen.chunked).toBeGreaterThan(0);
  }, 300_000);

  it('matches over the whole history with a budget so small that every hour is its own chunk', async () => {
    const o = options({ maxSamples: 2_000 });
    const [fast, reference] = await Promise.all([invariantHistoryReport(o), referenceHistory(o)]);
    expect(sorted(fast.violations)).toEqual(sorted(reference));
    expect(reference.length).toBeGreaterThan(STORES);
    // Long violations run across coarse chunk boundaries.
    expect(reference.some((v) => v.last_seen - v.first_seen > 2 * HOUR)).toBe(true);
    expect(fast.queries).toBeGreaterThan(50);
    expect(fast.notices).toEqual([]);
  }, 120_000);

  it('says how much of the range had data when the range reaches past retention', async () => {
    const o = options({ range: { from: startMs - SPAN, to: endMs } });
    const fast = await invariantHistoryReport(o);
    expect(fast.notices).toEqual([
      expect.stringMatching(/^Prometheus has TiKV data for 5\d\.\d % of this range \(from /),
    ]);
    expect(sorted(fast.violations)).toEqual(sorted(await referenceHistory(o)));
  }, 120_000);
});

describe('gaps and NaN between candidate windows', () => {
  it('keeps one violation across NaN and across a gap, and keeps it active while NaN still reports', async () => {
    const { violations } = await invariantHistoryReport(options({ storeIds: [3, 4, 5] }));
    const of = (id: number) => violations.filter((v) => v.store_id === id);
    expect(of(3)).toEqual([
      expect.objectContaining({
        invariant: 'low_disk',
        first_seen: startMs + HOUR,
        last_seen: startMs + 3.5 * HOUR - STEP,
        active: false,
      }),
    ]);
    expect(of(4)).toEqual([
      expect.objectContaining({
        invariant: 'low_disk',
        first_seen: startMs + 4 * HOUR,
        last_seen: startMs + 4.5 * HOUR - STEP,
        active: true,
      }),
    ]);
    const latency = of(5).filter((v) => v.invariant === 'high_latency');
    expect(latency).toHaveLength(1);
    expect(latency[0].last_seen).toBeGreaterThan(startMs + 2.5 * HOUR);
    expect(sorted(violations)).toEqual(sorted(await referenceHistory(options({ storeIds: [3, 4, 5] }))));
  });
});

describe('a series that stops', () => {
  const down = async (to: number) =>
    (
      await invariantHistoryReport(
        options({ invariants: ['store_down'], storeIds: [1, 2], range: { from: startMs, to } })
      )
    ).violations;

  it('ends a firing violation at its last sample with ended_by "no_data" once the series is gone', async () => {
    const vs = await down(endMs);
    const stopped = vs.find((v) => v.store_id === 1)!;
    expect(stopped).toMatchObject({ active: false, ended_by: 'no_data', first_seen: startMs + HOUR, value: 0 });
    // Without a staleness marker Prometheus keeps the last `up` for its 5 min lookback.
    expect(stopped.last_seen).toBeGreaterThanOrEqual(startMs + 2 * HOUR - STEP);
    expect(stopped.last_seen).toBeLessThanOrEqual(startMs + 2 * HOUR + 5 * MIN);
    // Store 2 is still down and still scraped at `to`: active.
    const running = vs.find((v) => v.store_id === 2)!;
    expect(running).toMatchObject({ active: true, first_seen: startMs + 5 * HOUR });
    expect(running.ended_by).toBeUndefined();
  });

  it('keeps it active while the last sample is within the staleness window of `to`', async () => {
    const vs = await down(startMs + 2 * HOUR + 2 * MIN);
    expect(vs.find((v) => v.store_id === 1)).toMatchObject({ active: true });
    expect(vs.find((v) => v.store_id === 1)!.ended_by).toBeUndefined();
  });
});
