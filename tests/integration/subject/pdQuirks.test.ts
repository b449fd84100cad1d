/**
 * PD's quirks survive the round trip simulator → PDClient → TiKVSubject (and Prometheus where it matters): a Down
 * store, a Tombstone store, a PD clock that disagrees with ours, and a PD that answers garbage, 500s, cut-off bodies
 * or nothing at all.
 */
import { waitFor } from '../../../src/embedded/prometheus';
import { STORE_HEARTBEAT_MS } from '../../../src/simulator/cluster';
import {
  UpstreamSchemaError,
  UpstreamStatusError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from '../../../src/shared/errors';
import { type LiveStack, startLiveStack } from './liveStack';

const PD_TIMEOUT_MS = 1500;
/** PD's max-store-down-time for the test: longer than a heartbeat interval, or running stores would flicker Down. */
const MAX_DOWN = `${STORE_HEARTBEAT_MS / 1000 + 3}s`;
/** A running store's heartbeat age: at most one interval (PD's Date header rounds it down). */
const MAX_AGE_S = STORE_HEARTBEAT_MS / 1000 + 1;

let stack: LiveStack;

beforeAll(async () => {
  stack = await startLiveStack({ stores: 5, regions: 200, seed: 5, drainMs: 2000, pdTimeoutMs: PD_TIMEOUT_MS });
  await stack.waitForScrapes(
    stack.sim.cluster.stores.map((s) => s.statusAddress),
    2
  );
});

afterAll(async () => {
  await stack?.close();
});

afterEach(() => {
  stack.sim.clearPdFaults();
});

async function upOf(instance: string): Promise<number | undefined> {
  const r = await stack.prometheus.query(
    stack.prometheus.selector('up', [{ name: 'instance', op: '=', value: instance }], 'tikv')
  );
  return r.samples[0]?.v;
}

describe('a store that stopped heartbeating', () => {
  it("is Disconnected, then Down once PD's max-store-down-time (set through PD's config API) has passed", async () => {
    const st = stack.sim.cluster.store(2)!;
    // 700 s without a heartbeat: past PD's 20 s Disconnected and TiKV's 10 min max-peer-down-duration.
    stack.sim.stopStore(2, { secondsAgo: 700 });
    try {
      await downAndBack(st.statusAddress);
    } finally {
      stack.sim.startStore(2);
      await stack.pd.updateConfig({ 'max-store-down-time': '30m' });
    }
  });
});

async function downAndBack(instance: string) {
  const before = await stack.subject.getStores({ storeIds: [2] });
  expect(before.stores[0].state_name).toBe('Disconnected');
  // PD's Date header has whole seconds, so the age can read up to 1 s short.
  expect(before.stores[0].heartbeat_age_seconds).toBeGreaterThanOrEqual(699);

  await stack.pd.updateConfig({ 'max-store-down-time': MAX_DOWN });
  const down = await stack.subject.getStores({ storeIds: [2] });
  expect(down.stores[0]).toMatchObject({ state_name: 'Down', node_state: 'Serving' });
  const check = await stack.pd.checkStores(['down']);
  expect(check.data.stores.map((s) => s.store.id)).toEqual([2]);

  const cluster = await stack.subject.getClusterMetrics();
  expect(cluster.stores_by_state.Down).toBe(1);
  expect(cluster.stores_by_state.Up).toBe(4);

  // Its peers are down: PD's region checks list the regions with a peer on it.
  const health = await stack.subject.getRegionHealth({ limit: 5 });
  const downPeer = health.kinds.find((k) => k.kind === 'down-peer')!;
  expect(downPeer.count).toBeGreaterThan(0);
  expect(downPeer.region_ids.length).toBeLessThanOrEqual(5);
  for (const id of downPeer.region_ids) {
    const region = (await stack.pd.getRegion(id)).data;
    expect(region.down_peers.map((d) => d.peer.store_id)).toContain(2);
  }

  // Its scrape target fails: up == 0, and its series go stale, so the store has no metrics any more.
  await waitFor('up == 0 for the stopped store', async () => ((await upOf(instance)) === 0 ? true : undefined), 10_000);
  const metrics = await waitFor(
    'the stopped store to drop out of the store metrics',
    async () => {
      const m = await stack.subject.getStoreMetrics();
      return m.series.some((s) => s.store_id === 2) ? undefined : m;
    },
    10_000
  );
  expect(metrics.unmatched_stores.map((s) => s.store_id)).toEqual([2]);

  stack.sim.startStore(2);
  const back = await stack.subject.getStores({ storeIds: [2] });
  expect(back.stores[0].state_name).toBe('Up');
  await waitFor('up == 1 again', async () => ((await upOf(instance)) === 1 ? true : undefined), 10_000);
}

describe('a removed store', () => {
  it("goes Offline, then Tombstone; it is still listed, counted and hidden from PD's default /stores", async () => {
    const st = stack.sim.cluster.store(5)!;
    await stack.pd.deleteStore(5);
    const offline = await stack.subject.getStores({ storeIds: [5] });
    expect(offline.stores[0]).toMatchObject({ state_name: 'Offline', node_state: 'Removing' });

    const tomb = await waitFor(
      'store 5 to be Tombstone',
      async () => {
        const r = await stack.subject.getStores({ storeIds: [5] });
        return r.stores[0].state_name === 'Tombstone' ? r.stores[0] : undefined;
      },
      10_000
    );
    expect(tomb).toMatchObject({ node_state: 'Removed', address: st.address });
    // Its regions moved away.
    expect(tomb.region_count).toBe(0);

    // PD's GET /stores without a state filter hides Tombstone stores; the subject asks for every state.
    const plain = await stack.pd.getStores();
    expect(plain.data.stores.map((s) => s.store.id)).not.toContain(5);
    const all = await stack.subject.getStores();
    expect(all.stores.map((s) => s.store_id)).toEqual([1, 2, 3, 4, 5]);

    const cluster = await stack.subject.getClusterMetrics();
    expect(cluster.stores_by_state.Tombstone).toBe(1);
    expect(cluster.per_store.map((s) => s.store_id)).not.toContain(5);
    expect(cluster.per_store.map((s) => s.leader_count!).reduce((a, b) => a + b, 0)).toBe(200);

    // Not a serving store, so not missing from the metrics; asked for by id, it has none (once its target is gone).
    const metrics = await stack.subject.getStoreMetrics();
    expect(metrics.unmatched_stores.map((s) => s.store_id)).not.toContain(5);
    await waitFor(
      'the Tombstone store to leave the scrape targets',
      async () => {
        const m = await stack.subject.getStoreMetrics({ storeIds: [5] });
        return m.series.length === 0 && m.unmatched_stores.map((s) => s.store_id).join() === '5' ? true : undefined;
      },
      15_000
    );
    // Deleting it again is PD's 410.
    await expect(stack.pd.deleteStore(5)).rejects.toMatchObject({ upstream: 'pd', status: 410 });
  });
});

describe("PD's clock", () => {
  it("measures heartbeat ages on PD's clock, so a PD an hour ahead or behind makes no store look down", async () => {
    try {
      for (const offset of [3_600_000, -3_600_000]) {
        stack.sim.setPdClockOffset(offset);
        const r = await stack.subject.getStores({ storeIds: [1, 3] });
        expect(Math.abs(r.pd_now - offset - Date.now())).toBeLessThan(5000);
        for (const row of r.stores) {
          expect(row.state_name).toBe('Up');
          expect(row.heartbeat_age_seconds).toBeGreaterThanOrEqual(0);
          expect(row.heartbeat_age_seconds).toBeLessThanOrEqual(MAX_AGE_S);
        }
      }
    } finally {
      stack.sim.setPdClockOffset(0);
    }
  });
});

describe('a misbehaving PD', () => {
  it('answering garbage JSON is an error naming PD and the path, and the next answer is used again', async () => {
    stack.sim.addPdFault({ path: '/stores', kind: 'garbage' });
    const err = await stack.subject.getStores().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamSchemaError);
    expect(err).toMatchObject({ upstream: 'pd' });
    expect((err as Error).message).toMatch(/^PD \/stores: /);
    // Other paths are unaffected.
    expect((await stack.subject.getRegionHealth()).kinds).toHaveLength(5);
    stack.sim.clearPdFaults();
    expect((await stack.subject.getStores()).stores).toHaveLength(5);
  });

  it("answering 500 is an error carrying PD's status and message", async () => {
    stack.sim.addPdFault({ path: '/regions/count', kind: 'error' });
    const err = await stack.subject.getClusterMetrics().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamStatusError);
    expect(err).toMatchObject({ upstream: 'pd', status: 500, path: expect.stringContaining('/regions/count') });
    expect((err as Error).message).toContain('simulated internal error');
  });

  it('cutting a body short is an error, not a partial answer', async () => {
    stack.sim.addPdFault({ path: '/hotspot/regions/write', kind: 'truncate' });
    const err = await stack.subject.getHotWriteRegions().catch((e: unknown) => e);
    expect(err).toMatchObject({ upstream: 'pd', path: expect.stringContaining('/hotspot/regions/write') });
    expect(err instanceof UpstreamUnreachableError || err instanceof UpstreamSchemaError).toBe(true);
  });

  it('hanging is a timeout within the configured deadline', async () => {
    stack.sim.addPdFault({ path: '/stores', kind: 'hang' });
    const started = Date.now();
    const err = await stack.subject.getStores().catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect(err).toMatchObject({ upstream: 'pd' });
    expect(took).toBeGreaterThanOrEqual(PD_TIMEOUT_MS - 100);
    expect(took).toBeLessThan(PD_TIMEOUT_MS + 2000);
  });

  it('answering slowly but within the deadline is a normal answer', async () => {
    stack.sim.addPdFault({ path: '/regions/count', kind: 'delay', delay_ms: 300 });
    const r = await stack.subject.getClusterMetrics();
    expect(r.region_count).toBe(200);
  });
});
