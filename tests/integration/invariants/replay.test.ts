/**
 * Invariant history over a real Prometheus holding a backfilled 24 h of metrics (15 s step) with scheduled faults:
 * invariantHistory returns exactly the violation intervals the schedule implies — with the real rules (60 s latency
 * grace), store down from `up == 0` — each within the rate window plus one step. The stores are joined through the
 * simulator's PD, in which the store that was down in the past has since been removed (Tombstone).
 */
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { type HistoryFault, parseFaultSpec } from '../../../src/simulator/history';
import { PDClient } from '../../../src/subject/pd/client';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { InstanceDirectory } from '../../../src/subject/tikv/instances';
import { invariantHistory, rateWindowMs } from '../../../src/subject/tikv/invariants/history';
import { DEFAULT_RULES, resolveRules, type InvariantRules } from '../../../src/subject/tikv/invariants/rules';
import { waitFor } from '../../../src/embedded/prometheus';
import type { InvariantName } from '../../../src/shared/names';
import type { Violation } from '../../../src/shared/schema/violation';
import { type BackfilledPrometheus, startBackfilledPrometheus } from '../../support/backfill';

const STEP_MS = 15_000;
const WINDOW_MS = rateWindowMs('1m', STEP_MS);
/** Store 3 was down in the past and is Tombstone now. */
const TOMBSTONE = 3;
const FAULTS = [
  'down:2@2h+20m',
  'latency:1=250@5h+10m',
  // One sample: the 1 m rate (Prometheus 2's window includes both ends) keeps it visible for 45 s, short of the grace.
  'latency:2=250@8h+15s',
  'disk:3=85@10h+2h',
  `down:${TOMBSTONE}@20h+15m`,
  // Still running when the history ends.
  'disk:1=90@23h30m+1h',
].join(',');

const INVARIANT_OF: Record<HistoryFault['kind'], InvariantName> = {
  down: 'store_down',
  latency: 'high_latency',
  disk: 'low_disk',
  'miss-peer': 'region_health',
  'down-peer': 'region_health',
};

let backfilled: BackfilledPrometheus;
let sim: Simulator;
let pd: PDClient;
let prometheus: PrometheusClient;
let directory: InstanceDirectory;

beforeAll(async () => {
  [backfilled, sim] = await Promise.all([
    startBackfilledPrometheus({
      hours: 24,
      stores: 3,
      stepMs: STEP_MS,
      seed: 3,
      regions: 100,
      faults: parseFaultSpec(FAULTS),
    }),
    createSimulator({ stores: 4, regions: 100, seed: 3, drainMs: 500 }),
  ]);
  pd = new PDClient({ urls: [sim.pdUrl], cacheTtlMs: 0 });
  prometheus = new PrometheusClient({ url: backfilled.prom.url, cacheTtlMs: 0 });
  await pd.deleteStore(TOMBSTONE);
  const stores = await waitFor(
    `store ${TOMBSTONE} to become Tombstone`,
    async () => {
      const r = await pd.getStores({ states: ['Up', 'Offline', 'Tombstone'] });
      return r.data.stores.some((s) => s.store.id === TOMBSTONE && s.store.state_name === 'Tombstone')
        ? r.data.stores
        : undefined;
    },
    10_000
  );
  directory = new InstanceDirectory(stores, 'status_address');
}, 120_000);

afterAll(async () => {
  await pd?.close();
  await prometheus?.close();
  await sim?.close();
  await backfilled?.close();
});

function history(
  o: { rules?: InvariantRules; from?: number; to?: number; invariants?: InvariantName[]; storeIds?: number[] } = {}
) {
  const { schedule } = backfilled;
  return invariantHistory({
    prometheus,
    rules: o.rules ?? DEFAULT_RULES,
    range: { from: o.from ?? schedule.startMs, to: o.to ?? schedule.endMs },
    scrapeIntervalMs: STEP_MS,
    resolveInstance: (instance) => directory.byInstance(instance),
    invariants: o.invariants,
    storeIds: o.storeIds,
  });
}

/** Rate-based invariants may shift by the rate window; the others by the step. */
function toleranceOf(invariant: InvariantName): number {
  return invariant === 'high_latency' ? WINDOW_MS + STEP_MS : STEP_MS;
}

/** The violation a fault implies, checked field by field (times within the tolerance). */
function expectMatches(v: Violation | undefined, f: HistoryFault, endMs: number) {
  const invariant = INVARIANT_OF[f.kind];
  const tol = toleranceOf(invariant);
  expect(v).toBeDefined();
  expect(v).toMatchObject({ store_id: f.store_id, invariant, address: sim.cluster.store(f.store_id)!.address });
  expect(Math.abs(v!.first_seen - f.fromMs)).toBeLessThanOrEqual(tol);
  const active = f.toMs > endMs;
  expect(v!.active).toBe(active);
  expect(Math.abs(v!.last_seen - Math.min(f.toMs, endMs))).toBeLessThanOrEqual(tol);
}

describe('invariant history over a backfilled day', () => {
  it('returns exactly the scheduled violations, each within the rate window plus one step', async () => {
    const { schedule } = backfilled;
    const found = await history();
    // The 15 s latency spike on store 2 is shorter than the 60 s grace: not a violation.
    const expected = schedule.faults.filter(
      (f) => !(f.kind === 'latency' && f.toMs - f.fromMs < DEFAULT_RULES.high_latency.graceMs)
    );
    expect(expected).toHaveLength(5);
    expect(found.map((v) => `${v.invariant} ${v.store_id}`)).toEqual(
      [...expected].sort((a, b) => a.fromMs - b.fromMs).map((f) => `${INVARIANT_OF[f.kind]} ${f.store_id}`)
    );
    for (const f of expected) {
      const v = found.find(
        (x) =>
          x.invariant === INVARIANT_OF[f.kind] &&
          x.store_id === f.store_id &&
          Math.abs(x.first_seen - f.fromMs) < 3_600_000
      );
      expectMatches(v, f, schedule.endMs);
    }
  });

  it("reports store down from Prometheus' up == 0, for a store that is Tombstone in PD now", async () => {
    const found = await history({ invariants: ['store_down'] });
    expect(found.map((v) => v.store_id)).toEqual([2, TOMBSTONE]);
    for (const v of found) {
      expect(v).toMatchObject({ severity: 'critical', value: 0, threshold: 0, active: false });
    }
    const tomb = found[1];
    expect(tomb.address).toBe(sim.cluster.store(TOMBSTONE)!.address);
    expectMatches(
      tomb,
      backfilled.schedule.faults.find((f) => f.kind === 'down' && f.store_id === TOMBSTONE)!,
      backfilled.schedule.endMs
    );
  });

  it('keeps the 60 s latency grace: the short spike fires only when a query sets the grace to 0', async () => {
    const spike = backfilled.schedule.faults.find((f) => f.kind === 'latency' && f.store_id === 2)!;
    const around = { from: spike.fromMs - 600_000, to: spike.toMs + 600_000 };
    expect(await history({ ...around, invariants: ['high_latency'] })).toEqual([]);
    const noGrace = resolveRules(DEFAULT_RULES, { high_latency: { graceSeconds: 0 } });
    const found = await history({ ...around, invariants: ['high_latency'], rules: noGrace });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ store_id: 2, severity: 'warning', threshold: 0.1 });
    expect(found[0].value).toBeGreaterThan(0.1);
    expectMatches(found[0], spike, backfilled.schedule.endMs);
  });

  it("keeps a violation's onset when the range starts while it runs, and marks one running at the range's end active", async () => {
    const latency = backfilled.schedule.faults.find((f) => f.kind === 'latency' && f.store_id === 1)!;
    const inside = await history({
      from: latency.fromMs + 120_000,
      to: latency.fromMs + 240_000,
      invariants: ['high_latency'],
    });
    expect(inside).toHaveLength(1);
    expect(Math.abs(inside[0].first_seen - latency.fromMs)).toBeLessThanOrEqual(toleranceOf('high_latency'));
    expect(inside[0].active).toBe(true);
    expect(inside[0].value).toBeCloseTo(0.25, 1);

    const disk = backfilled.schedule.faults.find((f) => f.kind === 'disk' && f.store_id === 3)!;
    const midway = disk.fromMs + 3_600_000;
    const running = await history({ to: midway, invariants: ['low_disk'] });
    expect(running).toHaveLength(1);
    expect(running[0]).toMatchObject({ store_id: 3, active: true, threshold: 0.7 });
    expect(running[0].value).toBeCloseTo(0.85, 6);
    expect(Math.abs(running[0].first_seen - disk.fromMs)).toBeLessThanOrEqual(STEP_MS);
    expect(Math.abs(running[0].last_seen - midway)).toBeLessThanOrEqual(STEP_MS);
  });

  it('filters by store', async () => {
    const found = await history({ storeIds: [TOMBSTONE] });
    expect(found.map((v) => v.invariant).sort()).toEqual(['low_disk', 'store_down']);
    expect(await history({ storeIds: [4] })).toEqual([]);
  });
});
