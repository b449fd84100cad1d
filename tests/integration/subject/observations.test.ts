/**
 * Every observation of TiKVSubject against the simulator and a real Prometheus (1 s scrape, 4 s rate window).
 * Store 4 is hidden from Prometheus (a store with no metrics); a fifth target reports store 1's metrics under an
 * instance no store has.
 */
import { waitFor } from '../../../src/embedded/prometheus';
import { OBSERVATIONS } from '../../../src/shared/names';
import { DataFrameJSON } from '../../../src/shared/schema/frames';
import { STORE_HEARTBEAT_MS } from '../../../src/simulator/cluster';
import { LATENCY_BUCKETS } from '../../../src/simulator/latency';
import { observationFrames } from '../../../src/subject/tikv/frames/observations';
import type { StoreMetricName, StoreMetricsResult } from '../../../src/subject/tikv/observations/storeMetrics';
import { type LiveStack, startLiveStack } from './liveStack';

const STRAY_INSTANCE = '10.9.9.9:20180';

let stack: LiveStack;
let instances: string[];

beforeAll(async () => {
  stack = await startLiveStack({ stores: 4, regions: 200, seed: 11, hide: [4], extraInstances: [STRAY_INSTANCE] });
  instances = stack.sim.cluster.stores.slice(0, 3).map((st) => st.statusAddress);
  // Four scrapes fill the 4 s rate window.
  await stack.waitForScrapes([...instances, STRAY_INSTANCE], 5);
});

afterAll(async () => {
  await stack?.close();
});

function simStore(id: number) {
  return stack.sim.cluster.store(id)!;
}

function value(r: StoreMetricsResult, metric: StoreMetricName, storeId: number): number | undefined {
  return r.series.find((s) => s.metric === metric && s.store_id === storeId)?.samples.at(-1)?.[1];
}

/** The histogram bucket (lower, upper bound] a latency in seconds falls in. */
function bucketOf(seconds: number): [number, number] {
  const k = LATENCY_BUCKETS.findIndex((le) => seconds <= le);
  return [LATENCY_BUCKETS[k - 1] ?? 0, LATENCY_BUCKETS[k]];
}

/** P99 as Prometheus computes it from the buckets: in the configured latency's bucket, within 5 % of it. */
function expectP99(actual: number | undefined, p99Ms: number) {
  const expected = p99Ms / 1000;
  expect(actual).toBeDefined();
  const [lo, hi] = bucketOf(expected);
  expect(actual!).toBeGreaterThan(lo);
  expect(actual!).toBeLessThanOrEqual(hi);
  expect(Math.abs(actual! - expected) / expected).toBeLessThan(0.05);
}

describe('get_stores against the simulator', () => {
  it('lists every store as Up with its addresses, a fresh heartbeat on PD clock and the disk ratio PD reports', async () => {
    const r = await stack.subject.getStores();
    expect(r.clock).toBe('pd');
    expect(r.stores.map((s) => s.store_id)).toEqual([1, 2, 3, 4]);
    for (const row of r.stores) {
      const st = simStore(row.store_id);
      expect(row).toMatchObject({ state_name: 'Up', node_state: 'Serving', engine: 'tikv', address: st.address });
      expect(row.status_address).toBe(st.statusAddress);
      // At most one heartbeat interval old (PD's Date header has whole seconds).
      expect(row.heartbeat_age_seconds).toBeGreaterThanOrEqual(0);
      expect(row.heartbeat_age_seconds).toBeLessThanOrEqual(STORE_HEARTBEAT_MS / 1000 + 1);
      // PD rounds sizes to ByteSize strings (3 significant digits).
      expect(row.capacity_bytes! / st.capacity).toBeCloseTo(1, 2);
      expect(row.disk_used_ratio!).toBeCloseTo(stack.sim.cluster.usedRatio(st, Date.now()), 2);
    }
  });

  it('filters by store id and names a store PD does not know', async () => {
    const r = await stack.subject.getStores({ storeIds: [3] });
    expect(r.stores.map((s) => s.store_id)).toEqual([3]);
    await expect(stack.subject.getStores({ storeIds: [99] })).rejects.toMatchObject({ storeId: 99 });
  });
});

describe('get_store_metrics against the simulator and Prometheus', () => {
  it("reports each scraped store's P99 write latency within histogram bucket precision and its exact disk bytes", async () => {
    const r = await stack.subject.getStoreMetrics();
    expect(r.mode).toBe('instant');
    const now = Date.now();
    for (const id of [1, 2, 3]) {
      const st = simStore(id);
      expectP99(value(r, 'write_p99_seconds', id), stack.sim.cluster.p99Ms(st));
      const disk = stack.sim.cluster.disk(st, now);
      expect(value(r, 'disk_capacity_bytes', id)).toBe(disk.capacity);
      expect(value(r, 'disk_used_ratio', id)).toBeCloseTo(disk.used / disk.capacity, 6);
    }
  });

  it("agrees with PD's leader and region counts", async () => {
    const [metrics, stores] = await Promise.all([stack.subject.getStoreMetrics(), stack.subject.getStores()]);
    for (const id of [1, 2, 3]) {
      const row = stores.stores.find((s) => s.store_id === id)!;
      expect(value(metrics, 'leader_count', id)).toBe(row.leader_count);
      expect(value(metrics, 'region_count', id)).toBe(row.region_count);
    }
  });

  it('reports a store without metrics as unmatched and a series of an unknown instance as unmatched', async () => {
    const r = await stack.subject.getStoreMetrics();
    expect(r.unmatched_stores).toEqual([
      {
        store_id: 4,
        address: simStore(4).address,
        status_address: simStore(4).statusAddress,
        expected_instance: simStore(4).statusAddress,
      },
    ]);
    expect(r.unmatched_instances).toEqual([STRAY_INSTANCE]);
    const stray = r.series.filter((s) => s.instance === STRAY_INSTANCE);
    expect(stray.length).toBeGreaterThan(0);
    expect(stray.every((s) => s.store_id === null && s.address === null)).toBe(true);
    expect(r.series.some((s) => s.store_id === 4)).toBe(false);
  });

  it('selects only the asked stores, and reports an asked store without metrics', async () => {
    const r = await stack.subject.getStoreMetrics({ storeIds: [2, 4] });
    expect(new Set(r.series.map((s) => s.store_id))).toEqual(new Set([2]));
    expect(r.unmatched_stores.map((s) => s.store_id)).toEqual([4]);
    expect(r.unmatched_instances).toEqual([]);
  });

  it('follows a latency spike and a disk fill within the rate window', async () => {
    stack.sim.setLatency(2, 250);
    stack.sim.fillDisk(3, 82);
    try {
      const r = await waitFor(
        'P99 of store 2 at 250 ms and disk of store 3 at 82 %',
        async () => {
          const m = await stack.subject.getStoreMetrics({ storeIds: [2, 3] });
          const p99 = value(m, 'write_p99_seconds', 2) ?? 0;
          const disk = value(m, 'disk_used_ratio', 3) ?? 0;
          return Math.abs(p99 - 0.25) < 0.0125 && Math.abs(disk - 0.82) < 1e-6 ? m : undefined;
        },
        15_000
      );
      expectP99(value(r, 'write_p99_seconds', 2), 250);
      // PD's view of the same disk agrees up to its ByteSize rounding.
      const pd = await stack.subject.getStores({ storeIds: [3] });
      expect(pd.stores[0].disk_used_ratio!).toBeCloseTo(0.82, 2);
    } finally {
      stack.sim.setLatency(2, undefined);
      stack.sim.fillDisk(3, undefined);
    }
  });

  it('answers a range with one point per step for every scraped store', async () => {
    const to = Date.now();
    const from = to - 4000;
    const r = await stack.subject.getStoreMetrics({ range: { from, to }, stepMs: 1000 });
    expect(r.mode).toBe('range');
    for (const id of [1, 2, 3]) {
      const s = r.series.find((x) => x.metric === 'disk_capacity_bytes' && x.store_id === id)!;
      expect(s.samples.length).toBe(5);
      expect(s.samples.map(([t]) => t - s.samples[0][0])).toEqual([0, 1000, 2000, 3000, 4000]);
      expect(s.samples.every(([, v]) => v === simStore(id).capacity)).toBe(true);
    }
    expect(r.unmatched_stores.map((s) => s.store_id)).toEqual([4]);
  });
});

describe('get_cluster_metrics, get_hot_write_regions and get_region_health against the simulator', () => {
  it('counts stores by state, regions and the leader distribution', async () => {
    const r = await stack.subject.getClusterMetrics();
    expect(r.store_count).toBe(4);
    expect(r.stores_by_state).toEqual({ Up: 4, Disconnected: 0, Down: 0, Offline: 0, Tombstone: 0 });
    expect(r.region_count).toBe(200);
    const leaders = r.per_store.map((s) => s.leader_count!);
    expect(leaders.reduce((a, b) => a + b, 0)).toBe(200);
    expect(r.leaders.max).toBe(Math.max(...leaders));
    expect(r.leaders.min).toBe(Math.min(...leaders));
    expect(r.leaders.spread).toBe(r.leaders.max - r.leaders.min);
    // Three replicas of each region.
    expect(r.per_store.map((s) => s.region_count!).reduce((a, b) => a + b, 0)).toBe(600);
  });

  it("ranks hot write regions by flow, with each region's leader and peers as PD has them", async () => {
    const r = await stack.subject.getHotWriteRegions({ limit: 5 });
    expect(r.regions).toHaveLength(5);
    const flows = r.regions.map((x) => x.flow_bytes);
    expect([...flows].sort((a, b) => b - a)).toEqual(flows);
    for (const row of r.regions) {
      const region = (await stack.pd.getRegion(row.region_id)).data;
      expect(row.leader_store_id).toBe(region.leader?.store_id);
      expect(row.peer_store_ids).toEqual(region.peers.map((p) => p.store_id).sort((a, b) => a - b));
    }
  });

  it('reports no unhealthy regions on a healthy cluster, for every kind PD checks', async () => {
    const r = await stack.subject.getRegionHealth();
    expect(r.kinds.map((k) => k.kind)).toEqual([
      'miss-peer',
      'pending-peer',
      'down-peer',
      'offline-peer',
      'extra-peer',
    ]);
    expect(r.kinds.every((k) => k.count === 0 && k.region_ids.length === 0 && !k.truncated)).toBe(true);
  });

  it('observe() dispatches by name and rejects a bad parameter naming the field', async () => {
    const r = await stack.subject.observe('get_cluster_metrics', {});
    expect(r.region_count).toBe(200);
    await expect(stack.subject.observe('get_hot_write_regions', { limit: 0 })).rejects.toMatchObject({
      field: 'limit',
    });
  });
});

describe('observations as Grafana data frames', () => {
  it('answers every observation with valid frames carrying the refId', async () => {
    const to = Date.now();
    for (const observation of OBSERVATIONS) {
      const frames = await observationFrames(
        stack.subject,
        { refId: `R-${observation}`, kind: 'observation', observation },
        { from: to - 10_000, to, intervalMs: 1000, maxDataPoints: 100 }
      );
      expect(frames.length).toBeGreaterThan(0);
      for (const f of frames) {
        expect(DataFrameJSON.safeParse(f).success).toBe(true);
        expect(f.schema?.refId).toBe(`R-${observation}`);
      }
    }
  });

  it('turns the store without metrics and the unknown instance into frame notices', async () => {
    const to = Date.now();
    const frames = await observationFrames(
      stack.subject,
      { refId: 'M', kind: 'observation', observation: 'get_store_metrics' },
      { from: to - 5000, to, intervalMs: 1000 }
    );
    const notices = (frames[0].schema?.meta as { notices?: Array<{ text: string }> } | undefined)?.notices ?? [];
    expect(notices.map((n) => n.text)).toEqual([
      expect.stringContaining(`store 4 (${simStore(4).statusAddress}) has no series`),
      expect.stringContaining(`instance "${STRAY_INSTANCE}" has series but matches no store`),
    ]);
  });
});
