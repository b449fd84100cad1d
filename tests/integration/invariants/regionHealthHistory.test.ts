/**
 * region_health over a real Prometheus holding a backfilled 6 h (15 s step) of PD's `pd_regions_status` with
 * scheduled region faults: the replay (coarse pass + precise pass, the same engine as the live checker) finds each
 * fault held past the 10 min grace within one step, as one cluster-level row, and not the one shorter than it.
 */
import { CLUSTER_LEVEL_STORE } from '../../../src/shared/names';
import { parseFaultSpec } from '../../../src/simulator/history';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { invariantHistory } from '../../../src/subject/tikv/invariants/history';
import { DEFAULT_RULES, resolveRules } from '../../../src/subject/tikv/invariants/rules';
import { type BackfilledPrometheus, startBackfilledPrometheus } from '../../support/backfill';

const STEP_MS = 15_000;
const FAULTS = [
  'miss-peer=12@1h+20m',
  // Shorter than the 10 min grace: not a violation.
  'down-peer=3@2h+5m',
  'down-peer=2@3h+30m',
  // Overlaps the down-peer fault: one violation for the cluster, from the first onset to the last end.
  'miss-peer=1@3h20m+20m',
  // Still running when the history ends.
  'miss-peer=5@5h30m+1h',
].join(',');

let backfilled: BackfilledPrometheus;
let prometheus: PrometheusClient;

beforeAll(async () => {
  backfilled = await startBackfilledPrometheus({
    hours: 6,
    stores: 3,
    stepMs: STEP_MS,
    seed: 4,
    regions: 100,
    faults: parseFaultSpec(FAULTS),
  });
  prometheus = new PrometheusClient({ url: backfilled.prom.url, cacheTtlMs: 0 });
}, 120_000);

afterAll(async () => {
  await prometheus?.close();
  await backfilled?.close();
});

function history(o: { rules?: typeof DEFAULT_RULES; storeIds?: number[] } = {}) {
  const { schedule } = backfilled;
  return invariantHistory({
    prometheus,
    rules: o.rules ?? DEFAULT_RULES,
    range: { from: schedule.startMs, to: schedule.endMs },
    scrapeIntervalMs: STEP_MS,
    resolveInstance: () => undefined,
    invariants: ['region_health'],
    storeIds: o.storeIds,
  });
}

describe('region_health history over a backfilled Prometheus', () => {
  it('finds each region fault held past the grace, within one step, as a cluster-level row', async () => {
    const { startMs, endMs } = backfilled.schedule;
    const at = (h: number, m = 0) => startMs + h * 3_600_000 + m * 60_000;
    const found = await history();
    const expected = [
      { from: at(1), to: at(1, 20), value: 12, active: false },
      { from: at(3), to: at(3, 40), value: 1, active: false },
      { from: at(5, 30), to: endMs, value: 5, active: true },
    ];
    expect(found).toHaveLength(expected.length);
    found.forEach((v, i) => {
      const e = expected[i];
      expect(v).toMatchObject({
        ...CLUSTER_LEVEL_STORE,
        invariant: 'region_health',
        severity: 'warning',
        threshold: 0,
        active: e.active,
        value: e.value,
      });
      expect(Math.abs(v.first_seen - e.from)).toBeLessThanOrEqual(STEP_MS);
      // A fault covers samples before its end: the last holding sample is at most one step before it.
      expect(e.to - v.last_seen).toBeGreaterThanOrEqual(0);
      expect(e.to - v.last_seen).toBeLessThanOrEqual(STEP_MS);
    });
  });

  it('applies the threshold and grace overrides, and leaves the cluster row out of a per-store query', async () => {
    const strict = resolveRules(DEFAULT_RULES, { region_health: { thresholdRegions: 4, graceSeconds: 60 } });
    const found = await history({ rules: strict });
    expect(found.map((v) => v.value)).toEqual([12, 5]);
    const loose = resolveRules(DEFAULT_RULES, { region_health: { graceSeconds: 60 } });
    expect(await history({ rules: loose })).toHaveLength(4);
    expect(await history({ storeIds: [1] })).toEqual([]);
  });
});
