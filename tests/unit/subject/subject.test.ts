import { BadQueryError, StoreNotFoundError, UpstreamStatusError } from '../../../src/shared/errors';
import { PDClient } from '../../../src/subject/pd/client';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { parseSelector } from '../../../src/subject/prometheus/selector';
import { TiKVSubject } from '../../../src/subject/tikv/subject';
import { type PromFakeServer, startPromFakeServer } from '../../support/promFakeServer';
import { type PdServer, PD_NOW, startPdServer } from './pdServer';
import { answerLikePrometheus } from './promAnswers';

const GiB = 1024 ** 3;

/** A Tombstone store (removed long ago) and a TiFlash store, as PD writes them. */
const EXTRA_STORES = [
  {
    store: {
      id: 9,
      address: '10.0.1.29:20160',
      state: 2,
      version: '8.5.1',
      status_address: '10.0.1.29:20180',
      last_heartbeat: 1748000000000000000,
      node_state: 3,
      state_name: 'Tombstone',
    },
    status: {
      capacity: '0B',
      available: '0B',
      used_size: '0B',
      leader_count: 0,
      region_count: 0,
      last_heartbeat_ts: '2025-05-23T11:33:20Z',
    },
  },
  {
    store: {
      id: 11,
      address: '10.0.1.31:3930',
      labels: [{ key: 'engine', value: 'tiflash' }],
      version: 'v8.5.1',
      status_address: '10.0.1.31:20292',
      node_state: 1,
      state_name: 'Up',
    },
    status: {
      capacity: '1TiB',
      available: '768GiB',
      used_size: '200GiB',
      leader_count: 0,
      region_count: 12,
      last_heartbeat_ts: '2025-06-10T08:29:58Z',
    },
  },
];

let pd: PdServer;
let prom: PromFakeServer;
let pdClient: PDClient;
let promClient: PrometheusClient;
let subject: TiKVSubject;

beforeAll(async () => {
  [pd, prom] = await Promise.all([
    startPdServer({ extraStores: EXTRA_STORES }),
    startPromFakeServer(answerLikePrometheus),
  ]);
  pdClient = new PDClient({ urls: [pd.url] });
  promClient = new PrometheusClient({ url: prom.url, selector: parseSelector('cluster="prod"') });
  subject = new TiKVSubject({ pd: pdClient, prometheus: promClient });
});
beforeEach(() => {
  prom.requests.length = 0;
  pd.requests.length = 0;
});
afterAll(async () => {
  await Promise.all([pdClient.close(), promClient.close()]);
  await Promise.all([pd.close(), prom.close()]);
});

describe('get_stores', () => {
  it('lists stores in every state with heartbeat age on PD clock and the disk used ratio', async () => {
    const r = await subject.getStores();
    expect(pd.paths()).toEqual(['/stores?state=0&state=1&state=2']);
    expect(r.pd_now).toBe(PD_NOW);
    expect(r.clock).toBe('pd');
    expect(r.stores.map((s) => [s.store_id, s.state_name, s.engine])).toEqual([
      [1, 'Up', 'tikv'],
      [4, 'Up', 'tikv'],
      [5, 'Down', 'tikv'],
      [9, 'Tombstone', 'tikv'],
      [11, 'Up', 'tiflash'],
    ]);
    const s4 = r.stores.find((s) => s.store_id === 4)!;
    expect(s4.capacity_bytes).toBe(300 * GiB);
    expect(s4.available_bytes).toBe(82 * GiB);
    expect(s4.used_bytes).toBe(161 * GiB);
    expect(s4.disk_used_ratio).toBeCloseTo(0.7267, 4);
    expect(s4.labels).toEqual({ zone: 'z2', host: 'tikv-4' });
    expect(s4).toMatchObject({
      leader_count: 606,
      leader_score: 606,
      region_count: 1212,
      region_score: 335517.81,
      node_state: 'Serving',
    });
    // Store 5's last heartbeat 07:52:41.204 against PD's Date 08:30:00.
    const s5 = r.stores.find((s) => s.store_id === 5)!;
    expect(s5.heartbeat_age_seconds).toBeCloseTo(2238.796, 3);
    expect(s5.last_heartbeat).toBe(Date.parse('2025-06-10T07:52:41.204Z'));
    expect(r.stores.find((s) => s.store_id === 9)!.disk_used_ratio).toBeNull();
  });

  it('filters by store and can leave TiFlash out', async () => {
    expect((await subject.getStores({ storeIds: [5, 4] })).stores.map((s) => s.store_id)).toEqual([4, 5]);
    expect((await subject.getStores({ includeTiFlash: false })).stores.map((s) => s.store_id)).toEqual([1, 4, 5, 9]);
  });

  it('names a store id PD does not know, and a bad parameter', async () => {
    await expect(subject.getStores({ storeIds: [1, 42] })).rejects.toThrow(StoreNotFoundError);
    await expect(subject.observe('get_stores', { storeIds: [0] })).rejects.toThrow(BadQueryError);
    await expect(subject.observe('get_stores', { storeIds: [0] })).rejects.toThrow(/^storeIds\[0\]: /);
  });
});

describe('get_forecasts', () => {
  it('refuses a trend window that is not a Prometheus duration before asking PD or Prometheus', async () => {
    const err = await subject.getForecasts({ window: '6 hours' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadQueryError);
    expect(err).toMatchObject({ field: 'window', message: expect.stringMatching(/Prometheus duration/) });
    expect(pd.requests).toHaveLength(0);
    expect(prom.requests).toHaveLength(0);
  });
});

describe('get_hot_write_regions', () => {
  it('gives one row per region ranked by the leader write flow', async () => {
    const { regions } = await subject.getHotWriteRegions();
    expect(regions).toEqual([
      {
        region_id: 1009,
        leader_store_id: 1,
        peer_store_ids: [1, 4, 5],
        flow_bytes: 6710886.4,
        flow_keys: 26214.4,
        flow_query: 8738.133333333333,
        hot_degree: 37,
        last_update_time: Date.parse('2025-06-10T08:29:41Z'),
      },
      {
        region_id: 1013,
        leader_store_id: 4,
        peer_store_ids: [1, 4, 5],
        flow_bytes: 5033164.8,
        flow_keys: 19660.8,
        flow_query: 6553.6,
        hot_degree: 29,
        last_update_time: Date.parse('2025-06-10T08:29:41Z'),
      },
    ]);
    expect((await subject.getHotWriteRegions({ limit: 1 })).regions.map((r) => r.region_id)).toEqual([1009]);
  });

  it('asks PD for the filtered stores only and leaves a leader it did not report unknown', async () => {
    const { regions } = await subject.getHotWriteRegions({ storeIds: [4] });
    expect(pd.paths()).toEqual(['/hotspot/regions/write?store_id=4']);
    expect(regions.map((r) => [r.region_id, r.leader_store_id])).toEqual([
      [1009, null],
      [1013, 4],
    ]);
  });
});

describe('get_store_metrics', () => {
  it('joins series to stores by status address and reports the unmatched store and instance', async () => {
    const r = await subject.getStoreMetrics();
    expect(r.mode).toBe('instant');
    // Every query carries PROMETHEUS_SELECTOR and the job; no instance filter without a store filter.
    const queries = prom.requests.map((q) => q.params.get('query')!);
    expect(queries).toHaveLength(6);
    expect(queries.every((q) => q.includes('{cluster="prod",job="tikv",type="'))).toBe(true);
    expect(queries.some((q) => q.includes('instance='))).toBe(false);
    const p99 = r.series.filter((s) => s.metric === 'write_p99_seconds');
    expect(p99.map((s) => [s.store_id, s.address, s.instance, s.samples[0][1]])).toEqual([
      [1, '10.0.1.21:20160', '10.0.1.21:20180', 0.012],
      [4, '10.0.1.22:20160', '10.0.1.22:20180', 0.25],
      [null, null, '10.0.9.9:20180', NaN],
    ]);
    expect(r.series.find((s) => s.metric === 'disk_used_ratio' && s.store_id === 4)!.samples[0][1]).toBe(0.7267);
    // Store 5 is down (no series); the Tombstone store and the TiFlash store are not expected to have any.
    expect(r.unmatched_stores).toEqual([
      {
        store_id: 5,
        address: '10.0.1.23:20160',
        status_address: '10.0.1.23:20180',
        expected_instance: '10.0.1.23:20180',
      },
    ]);
    expect(r.unmatched_instances).toEqual(['10.0.9.9:20180']);
  });

  it('restricts the queries to the filtered stores with an escaped instance matcher, over a range', async () => {
    const r = await subject.getStoreMetrics({
      storeIds: [4],
      range: { from: 1_749_543_000_000, to: 1_749_544_200_000 },
      stepMs: 60_000,
    });
    expect(r.mode).toBe('range');
    const req = prom.requests[0];
    expect(req.path).toBe('/api/v1/query_range');
    expect(req.params.get('query')).toContain('instance=~"10\\\\.0\\\\.1\\\\.22:20180"');
    expect([req.params.get('start'), req.params.get('end'), req.params.get('step')]).toEqual([
      '1749543000',
      '1749544200',
      '60',
    ]);
    expect(new Set(r.series.map((s) => s.store_id))).toEqual(new Set([4]));
    expect(r.series.find((s) => s.metric === 'leader_count')!.samples).toHaveLength(21);
    expect(r.unmatched_stores).toEqual([]);
  });

  it('reports a Prometheus failure with its own message', async () => {
    prom.setHandler(() => ({
      status: 503,
      body: { status: 'error', errorType: 'unavailable', error: 'TSDB not ready' },
    }));
    try {
      await expect(subject.getStoreMetrics()).rejects.toThrow(
        'Prometheus /api/v1/query: HTTP 503: unavailable: TSDB not ready'
      );
    } finally {
      prom.setHandler(answerLikePrometheus);
    }
  });
});

describe('get_cluster_metrics', () => {
  it('counts stores by state, regions from PD counting endpoint, and the leader spread', async () => {
    const m = await subject.getClusterMetrics();
    expect(pd.paths().sort()).toEqual(['/regions/count', '/stores?state=0&state=1&state=2']);
    expect(m.stores_by_state).toEqual({ Up: 3, Disconnected: 0, Down: 1, Offline: 0, Tombstone: 1 });
    expect(m.store_count).toBe(5);
    expect(m.tiflash_store_count).toBe(1);
    expect(m.region_count).toBe(1212);
    expect(m.leaders).toEqual({ min: 0, max: 606, spread: 606, min_store_id: 5, max_store_id: 1 });
    expect(m.per_store.map((s) => [s.store_id, s.leader_count])).toEqual([
      [1, 606],
      [4, 606],
      [5, 0],
      [11, 0],
    ]);
  });
});

describe('get_region_health', () => {
  it('counts unhealthy regions per kind and lists their ids up to the limit', async () => {
    const { kinds } = await subject.getRegionHealth({ limit: 3 });
    expect(kinds).toEqual([
      { kind: 'miss-peer', count: 0, region_ids: [], truncated: false },
      { kind: 'pending-peer', count: 4, region_ids: [2, 1001, 1009], truncated: true },
      { kind: 'down-peer', count: 4, region_ids: [2, 1001, 1009], truncated: true },
      { kind: 'offline-peer', count: 0, region_ids: [], truncated: false },
      { kind: 'extra-peer', count: 0, region_ids: [], truncated: false },
    ]);
  });

  it('gives the failing PD path and status when PD fails', async () => {
    const failing = await startPdServer({
      fail: {
        path: '/regions/check/down-peer',
        status: 500,
        body: '[PD:server:ErrServerNotStarted]server not started',
      },
    });
    const client = new PDClient({ urls: [failing.url] });
    try {
      const err = await new TiKVSubject({ pd: client, prometheus: promClient })
        .getRegionHealth()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamStatusError);
      expect((err as Error).message).toBe(
        'PD /regions/check/down-peer: HTTP 500: [PD:server:ErrServerNotStarted]server not started'
      );
    } finally {
      await client.close();
      await failing.close();
    }
  });
});

describe('the Subject protocol', () => {
  it('runs observations by name, validating their parameters before PD is asked', async () => {
    const r = await subject.observe('get_hot_write_regions', { limit: 1 });
    expect(r.regions).toHaveLength(1);
    await expect(subject.observe('get_hot_write_regions', { limit: 0 })).rejects.toThrow(/^limit: /);
  });

  it('offers no write that skips the audit log: actions run only through the audited action route', () => {
    expect('act' in subject).toBe(false);
    expect(Object.keys(subject.config.actions).length).toBeGreaterThan(0);
  });
});
