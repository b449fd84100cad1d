/**
 * Cluster faults over /sim/*: a store stops heartbeating (Disconnected, then Down after max-store-down-time set
 * through POST /config as PD takes it), a latency spike, a filling disk, PD's clock offset, and recovery of each.
 */
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { call, pollUntil, sample } from './http';

let sim: Simulator;
beforeAll(async () => {
  sim = await createSimulator({ stores: 3, regions: 1000, seed: 5 });
});
afterAll(async () => {
  await sim.close();
});

const storeState = async (id: number) => (await call(`${sim.pdUrl}/store/${id}`)).json().store.state_name as string;
const tikv = async (id: number) => call(`${sim.url}/metrics/tikv/${id}`);
const pd = async () => (await call(`${sim.url}/metrics/pd`)).text;

/** P99 from two scrapes of the write histogram, as Prometheus' histogram_quantile over rate() computes it. */
function p99(before: string, after: string): number {
  const buckets: Array<[number, number]> = [];
  for (const line of after.split('\n')) {
    const m = /^tikv_storage_engine_async_request_duration_seconds_bucket\{type="write",le="([^"]+)"\} (\S+)$/.exec(
      line
    );
    if (m) {
      const le = m[1];
      const was =
        sample(before, 'tikv_storage_engine_async_request_duration_seconds_bucket', { type: 'write', le }) ?? 0;
      buckets.push([le === '+Inf' ? Infinity : Number(le), Number(m[2]) - was]);
    }
  }
  const total = buckets[buckets.length - 1][1];
  const rank = 0.99 * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return NaN;
}

async function measuredP99(id: number, requests = 2000): Promise<number> {
  const before = (await tikv(id)).text;
  const countBefore = sample(before, 'tikv_storage_engine_async_request_duration_seconds_count', { type: 'write' })!;
  // Enough new requests for the shares to dominate rounding.
  const after = await pollUntil('new write requests', async () => {
    const t = (await tikv(id)).text;
    return sample(t, 'tikv_storage_engine_async_request_duration_seconds_count', { type: 'write' })! >
      countBefore + requests
      ? t
      : undefined;
  });
  return p99(before, after);
}

describe('store stops heartbeating', () => {
  it('is Disconnected after 20 s without heartbeat, its scrape target answers 503, and it recovers', async () => {
    expect(await storeState(2)).toBe('Up');
    expect((await call(`${sim.url}/sim/stores/2/stop`, 'POST', { seconds_ago: 25 })).status).toBe(200);
    expect(await storeState(2)).toBe('Disconnected');
    expect(
      (await call(`${sim.pdUrl}/stores/check?state=disconnected`)).json().stores.map((s: any) => s.store.id)
    ).toEqual([2]);
    expect((await tikv(2)).status).toBe(503);
    expect((await tikv(1)).status).toBe(200);
    const targets = (await call(`${sim.url}/sim/targets`)).json();
    expect(targets.find((t: any) => t.labels.__metrics_path__ === '/metrics/tikv/2').labels.instance).toBe(
      '10.0.1.22:20180'
    );
    expect(sample(await pd(), 'pd_cluster_status', { type: 'store_disconnected_count' })).toBe(1);
    // Leaders are re-elected away from the stopped store.
    expect(sample(await pd(), 'pd_scheduler_store_status', { store: '2', type: 'leader_count' })).toBe(0);

    await call(`${sim.url}/sim/stores/2/start`, 'POST', {});
    expect(await storeState(2)).toBe('Up');
    expect((await tikv(2)).status).toBe(200);
    expect(sample(await pd(), 'pd_scheduler_store_status', { store: '2', type: 'leader_count' })).toBeGreaterThan(0);
  });

  it('becomes Down after max-store-down-time set through POST /config, with down peers, and recovers', async () => {
    const set = await call(`${sim.pdUrl}/config`, 'POST', { 'max-store-down-time': '5s' });
    expect(set.status).toBe(200);
    expect(set.json()).toBe('The config is updated.');
    expect((await call(`${sim.pdUrl}/config/schedule`)).json()['max-store-down-time']).toBe('5s');
    expect(sample(await pd(), 'pd_config_status', { type: 'max-store-down-time' })).toBe(5);

    await call(`${sim.url}/sim/stores/3/stop`, 'POST', {});
    await pollUntil('store 3 Down', async () => ((await storeState(3)) === 'Down' ? true : undefined), 30_000);
    expect((await call(`${sim.pdUrl}/stores/check?state=down`)).json().count).toBe(1);
    expect(sample(await pd(), 'pd_cluster_status', { type: 'store_down_count' })).toBe(1);
    const downPeers = (await call(`${sim.pdUrl}/regions/check/down-peer?limit=3`)).json();
    expect(downPeers.count).toBe(3);
    expect(downPeers.regions[0].down_peers[0].peer.store_id).toBe(3);
    expect(sample(await pd(), 'pd_regions_status', { type: 'down-peer-region-count' })).toBe(1000);

    await call(`${sim.url}/sim/stores/3/start`, 'POST', {});
    expect(await storeState(3)).toBe('Up');
    expect((await call(`${sim.pdUrl}/regions/check/down-peer`)).json()).toEqual({ count: 0, regions: [] });
    await call(`${sim.pdUrl}/config`, 'POST', { 'max-store-down-time': '30m' });
    expect((await call(`${sim.pdUrl}/config/schedule`)).json()['max-store-down-time']).toBe('30m0s');
  });
});

describe('latency spike', () => {
  it('drives the store P99 write latency to the given value and back', async () => {
    expect(await measuredP99(1, 300)).toBeLessThan(0.02);
    expect((await call(`${sim.url}/sim/stores/1/latency`, 'POST', { p99_ms: 250 })).status).toBe(200);
    expect(await measuredP99(1)).toBeCloseTo(0.25, 2);
    await call(`${sim.url}/sim/stores/1/latency`, 'DELETE');
    expect(await measuredP99(1, 300)).toBeLessThan(0.02);
  });

  it('rejects a bad latency body with a message naming the field', async () => {
    const r = await call(`${sim.url}/sim/stores/1/latency`, 'POST', { p99_ms: -3 });
    expect(r.status).toBe(400);
    expect(r.json().error).toMatch(/p99_ms/);
    expect((await call(`${sim.url}/sim/stores/77/latency`, 'POST', { p99_ms: 3 })).status).toBe(404);
  });
});

describe('disk filling', () => {
  it('fills the disk to the given used percentage, seen by TiKV metrics, PD status and low-space, then recovers', async () => {
    await call(`${sim.url}/sim/stores/1/disk`, 'POST', { used_percent: 85 });
    const text = (await tikv(1)).text;
    const used =
      1 -
      sample(text, 'tikv_store_size_bytes', { type: 'available' })! /
        sample(text, 'tikv_store_size_bytes', { type: 'capacity' })!;
    expect(used).toBeCloseTo(0.85, 6);
    const status = (await call(`${sim.pdUrl}/store/1`)).json().status;
    expect(status.used_size).toMatch(/GiB|TiB/);
    expect(sample(await pd(), 'pd_cluster_status', { type: 'store_low_space_count' })).toBe(1);

    await call(`${sim.url}/sim/stores/1/disk`, 'DELETE');
    const again = (await tikv(1)).text;
    expect(
      1 -
        sample(again, 'tikv_store_size_bytes', { type: 'available' })! /
          sample(again, 'tikv_store_size_bytes', { type: 'capacity' })!
    ).toBeLessThan(0.4);
    expect(sample(await pd(), 'pd_cluster_status', { type: 'store_low_space_count' })).toBe(0);
  });
});

describe('PD clock offset', () => {
  it('moves the Date header and heartbeat stamps together, so heartbeat age by PD clock is unchanged', async () => {
    await call(`${sim.url}/sim/pd-clock`, 'POST', { offset_ms: 120_000 });
    const r = await call(`${sim.pdUrl}/store/1`);
    const date = Date.parse(String(r.headers.date));
    expect(date - Date.now()).toBeGreaterThan(110_000);
    const hb = Date.parse(r.json().status.last_heartbeat_ts);
    expect(date - hb).toBeLessThan(12_000);
    expect(r.json().store.state_name).toBe('Up');
    await call(`${sim.url}/sim/recover`, 'POST', {});
    expect(Math.abs(Date.parse(String((await call(`${sim.pdUrl}/ping`)).headers.date)) - Date.now())).toBeLessThan(
      5_000
    );
  });
});

describe('metrics are counters of time', () => {
  it('never decreases the histogram counters across a latency change', async () => {
    const a = (await tikv(1)).text;
    sim.setLatency(1, 900);
    const b = (await tikv(1)).text;
    sim.setLatency(1, undefined);
    const c = (await tikv(1)).text;
    for (const le of ['0.00064', '0.08192', '+Inf']) {
      const sel = { type: 'write', le };
      const name = 'tikv_storage_engine_async_request_duration_seconds_bucket';
      expect(sample(b, name, sel)!).toBeGreaterThanOrEqual(sample(a, name, sel)!);
      expect(sample(c, name, sel)!).toBeGreaterThanOrEqual(sample(b, name, sel)!);
    }
  });
});
