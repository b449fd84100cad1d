import { PDClient } from '../../../src/subject/pd/client';
import { DEFAULT_MAX_STORE_DOWN_MS, deriveStateName, heartbeatAgeMs } from '../../../src/subject/pd/storeState';
import {
  FIXTURE_NOW,
  fixture,
  sendJson,
  startPdFixtureServer,
  type PdFixtureServer,
} from '../../support/pdFixtureServer';

const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

let pd: PdFixtureServer;
let client: PDClient;

beforeAll(async () => {
  pd = await startPdFixtureServer();
  client = new PDClient({ urls: [pd.url], timeoutMs: 5_000 });
});

afterAll(async () => {
  await client.close();
  await pd.close();
});

describe('PDClient reads every recorded PD answer', () => {
  it('lists stores with sizes in bytes, PD state words and exact heartbeats', async () => {
    const a = await client.getStores();
    expect(a.data.count).toBe(3);
    const [s1, s4, s5] = a.data.stores;
    expect(s1.store).toMatchObject({
      id: 1,
      address: '10.0.1.21:20160',
      status_address: '10.0.1.21:20180',
      state: 0,
      node_state: 1,
      state_name: 'Up',
    });
    expect(s1.status.capacity).toBeCloseTo(1.819 * TiB, 0);
    expect(s1.status.available).toBeCloseTo(1.646 * TiB, 0);
    expect(s1.status.used_size).toBeCloseTo(161.5 * GiB, 0);
    expect(s1.status.uptime).toBeCloseTo(174 * 3600 + 15 * 60 + 49.812345678, 6);
    expect(s4.status).toMatchObject({
      capacity: 300 * GiB,
      available: 82 * GiB,
      leader_count: 606,
      region_count: 1212,
      region_score: 335517.81,
    });
    expect(s5.store.state_name).toBe('Down');
    // ns beyond 2^53 as a JS number: within 256 ns of PD's 1749541961204518733.
    const off = BigInt(s5.store.last_heartbeat) - BigInt('1749541961204518733');
    expect(off >= BigInt(-256) && off <= BigInt(256)).toBe(true);
    expect(s5.store.last_heartbeat_ms).toBe(1749541961204);
    expect(s5.store.last_heartbeat_ms).toBe(Date.parse(s5.status.last_heartbeat_ts!));
    expect(s1.store.labels).toEqual([
      { key: 'zone', value: 'z1' },
      { key: 'host', value: 'tikv-1' },
    ]);
  });

  it("answers with PD's clock from its Date header, so heartbeat ages are PD's", async () => {
    const a = await client.getStores();
    expect(a.clock).toBe('pd');
    expect(a.pdNow).toBe(FIXTURE_NOW);
    expect(a.origin).toBe(pd.url);
    const store5 = a.data.stores[2];
    expect(heartbeatAgeMs(store5.store, a.pdNow)).toBe(FIXTURE_NOW - Date.parse('2025-06-10T07:52:41.204Z'));
    const cfg = await client.getScheduleConfig();
    expect(deriveStateName(store5.store, cfg.data['max-store-down-time'] * 1000, a.pdNow)).toBe('Down');
  });

  it('asks PD for stores in every legacy state with integer filters', async () => {
    await client.getStores({ states: ['Up', 'Offline', 'Tombstone'] });
    expect(pd.requestsTo('/stores').at(-1)?.query.getAll('state')).toEqual(['0', '1', '2']);
  });

  it('checks stores by derived state name', async () => {
    const a = await client.checkStores(['down', 'disconnected']);
    expect(pd.requestsTo('/stores/check').at(-1)?.query.getAll('state')).toEqual(['down', 'disconnected']);
    expect(a.data.count).toBe(1);
    expect(a.data.stores[0].store).toMatchObject({ id: 5, state_name: 'Down' });
  });

  it('reads one store', async () => {
    const a = await client.getStore(5);
    expect(a.data.store.id).toBe(5);
    expect(a.data.status.capacity).toBeCloseTo(1.819 * TiB, 0);
  });

  it('reads hot write regions, optionally for some stores', async () => {
    const a = await client.getHotWriteRegions([1, 4]);
    expect(pd.requestsTo('/hotspot/regions/write').at(-1)?.query.getAll('store_id')).toEqual(['1', '4']);
    const leader1 = a.data.as_leader['1'];
    expect(leader1.regions_count).toBe(1);
    expect(leader1.statistics[0]).toMatchObject({
      region_id: 1009,
      store_id: 1,
      is_leader: true,
      stores: [1, 4, 5],
      hot_degree: 37,
    });
    expect(leader1.statistics[0].flow_bytes).toBeCloseTo(402653184 / 60, 6);
    expect(Object.keys(a.data.as_peer)).toEqual(['1', '4']);
  });

  it('reads hot stores', async () => {
    const a = await client.getHotStores();
    expect(a.data['bytes-write-rate']).toEqual({ '1': 12939673.6, '4': 12791398.4 });
  });

  it('counts regions without listing them', async () => {
    expect((await client.getRegionCount()).data).toBe(1212);
  });

  it('reads region stats', async () => {
    const a = await client.getRegionStats();
    expect(a.data).toMatchObject({ count: 1212, empty_count: 9, storage_size: 306212, storage_keys: 2451893120 });
    expect(a.data.store_leader_count).toEqual({ '1': 606, '4': 606 });
    expect(a.data.store_peer_count['5']).toBe(1212);
  });

  it('reads one region with its down and pending peers', async () => {
    const a = await client.getRegion(1009);
    expect(a.data).toMatchObject({
      id: 1009,
      epoch: { conf_ver: 5, version: 63 },
      approximate_size: 247,
      written_bytes: 402653184,
    });
    expect(a.data.leader).toMatchObject({ id: 1010, store_id: 1, role: 0, role_name: 'Voter' });
    expect(a.data.down_peers).toEqual([
      { peer: expect.objectContaining({ id: 1012, store_id: 5 }), down_seconds: 2240 },
    ]);
    expect(a.data.pending_peers.map((p) => p.store_id)).toEqual([5]);
  });

  it.each(['miss-peer', 'pending-peer', 'down-peer', 'offline-peer', 'extra-peer'] as const)(
    'reads region health list %s',
    async (kind) => {
      pd.route('GET', `/regions/check/${kind}`, fixture('regions_key_limit4'));
      const a = await client.checkRegions(kind);
      expect(a.data.regions.map((r) => r.id)).toEqual([2, 1001, 1009, 1013]);
      expect(a.data.regions.every((r) => r.down_peers[0].peer.store_id === 5)).toBe(true);
    }
  );

  it('reads the cluster id exactly (beyond 2^53)', async () => {
    const a = await client.getCluster();
    expect(a.data).toEqual({ id: '7291847362517380123', max_peer_count: 3 });
  });

  it('reads cluster status', async () => {
    const a = await client.getClusterStatus();
    expect(a.data).toEqual({
      raft_bootstrap_time: '2025-01-15T03:12:45.593318275Z',
      is_initialized: true,
      replication_status: '',
    });
  });

  it('reads members with exact member ids (beyond 2^63 too)', async () => {
    const a = await client.getMembers();
    expect(a.data.header.cluster_id).toBe('7291847362517380123');
    expect(a.data.members.map((m) => m.member_id)).toEqual([
      '3474484975246189105',
      '6897330223401293837',
      '13133905185624716513',
    ]);
    expect(a.data.leader).toMatchObject({ name: 'pd-10.0.1.11-2379', binary_version: 'v8.5.1', leader_priority: 0 });
    expect(a.data.members[0].client_urls).toEqual(['http://10.0.1.11:2379']);
  });

  it('reads health', async () => {
    const a = await client.getHealth();
    expect(a.data.map((m) => [m.name, m.health])).toEqual([
      ['pd-10.0.1.11-2379', true],
      ['pd-10.0.1.12-2379', true],
      ['pd-10.0.1.13-2379', true],
    ]);
    expect(a.data[2].member_id).toBe('13133905185624716513');
  });

  it('pings', async () => {
    const a = await client.ping();
    expect(a.data.latencyMs).toBeGreaterThanOrEqual(0);
    expect(a.pdNow).toBe(FIXTURE_NOW);
  });

  it('reads version and status', async () => {
    expect((await client.getVersion()).data).toEqual({ version: 'v8.5.1', build_time: '', hash: '', branch: '' });
    expect((await client.getStatus()).data).toEqual({
      build_ts: '2025-04-22 10:12:03',
      version: 'v8.5.1',
      git_hash: 'f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e',
      start_timestamp: 1748916812,
    });
  });

  it('reads the schedule config with max-store-down-time in seconds', async () => {
    const a = await client.getScheduleConfig();
    expect(a.data).toMatchObject({
      'max-store-down-time': 1800,
      'leader-schedule-limit': 4,
      'region-schedule-limit': 2048,
      'replica-schedule-limit': 64,
      'low-space-ratio': 0.8,
      'high-space-ratio': 0.7,
      'leader-schedule-policy': 'count',
      'store-limit-version': 'v1',
    });
    expect(a.data['store-limit']['5']).toEqual({ 'add-peer': 15, 'remove-peer': 15 });
  });

  it('reads the replication config', async () => {
    pd.route('GET', '/config/replicate', (_req, res) =>
      sendJson(
        res,
        200,
        '{"max-replicas":3,"location-labels":"zone,host","strictly-match-label":"false","enable-placement-rules":"true","enable-placement-rules-cache":"false","isolation-level":""}'
      )
    );
    const a = await client.getReplicationConfig();
    expect(a.data).toMatchObject({
      'max-replicas': 3,
      'location-labels': ['zone', 'host'],
      'enable-placement-rules': true,
    });
  });

  it('reads store limits, schedulers, operators and store progress', async () => {
    expect((await client.getStoresLimit()).data['4']).toEqual({ 'add-peer': 15, 'remove-peer': 15 });
    expect((await client.getSchedulers()).data).toEqual([
      'balance-hot-region-scheduler',
      'balance-leader-scheduler',
      'balance-region-scheduler',
      'evict-slow-store-scheduler',
    ]);
    pd.route('GET', '/operators', (req, res) =>
      sendJson(
        res,
        200,
        req.query.get('kind') === 'admin'
          ? 'null'
          : JSON.stringify(['"transfer-leader (kind:admin,leader) region 1009"'])
      )
    );
    expect((await client.getOperators()).data).toHaveLength(1);
    expect((await client.getOperators({ kind: 'admin' })).data).toEqual([]);
    pd.route('GET', '/stores/progress', (req, res) =>
      sendJson(
        res,
        200,
        JSON.stringify({
          action: 'removing',
          store_id: Number(req.query.get('id')),
          progress: 0.25,
          current_speed: 12.5,
          left_seconds: 1800,
        })
      )
    );
    expect((await client.getStoreProgress(4)).data).toEqual({
      action: 'removing',
      store_id: 4,
      progress: 0.25,
      current_speed: 12.5,
      left_seconds: 1800,
    });
  });
});

describe('PDClient writes', () => {
  it("sends PD's bodies and returns PD's message", async () => {
    pd.route('POST', '/operators', (_req, res) => sendJson(res, 200, '"The operator is created."'));
    pd.route('POST', '/config', (_req, res) => sendJson(res, 200, '"The config is updated."'));
    pd.route('POST', '/schedulers', (_req, res) => sendJson(res, 200, '"The scheduler is created."'));
    pd.route('DELETE', '/schedulers/evict-leader-scheduler-4', (_req, res) =>
      sendJson(res, 200, '"The scheduler is removed."')
    );
    pd.route('POST', '/store/4/state', (_req, res) => sendJson(res, 200, '"The store\'s state is updated."'));

    expect(await client.createOperator({ name: 'transfer-leader', region_id: 1009, to_store_id: 4 })).toBe(
      'The operator is created.'
    );
    expect(JSON.parse(pd.requestsTo('/operators').at(-1)!.body)).toEqual({
      name: 'transfer-leader',
      region_id: 1009,
      to_store_id: 4,
    });
    expect(await client.updateConfig({ 'leader-schedule-limit': 8, 'max-store-down-time': '1h' })).toBe(
      'The config is updated.'
    );
    expect(JSON.parse(pd.requestsTo('/config').at(-1)!.body)).toEqual({
      'leader-schedule-limit': 8,
      'max-store-down-time': '1h',
    });
    expect(await client.addScheduler({ name: 'evict-leader-scheduler', store_id: 4 })).toBe(
      'The scheduler is created.'
    );
    expect(await client.removeScheduler('evict-leader-scheduler-4')).toBe('The scheduler is removed.');
    expect(await client.setStoreState(4, 'Up')).toBe("The store's state is updated.");
    expect(pd.requestsTo('/store/4/state').at(-1)?.query.get('state')).toBe('Up');
  });

  it('refuses bad write arguments before calling PD', async () => {
    const before = pd.requests.length;
    await expect(client.removeScheduler('../config')).rejects.toMatchObject({ name: 'BadQueryError', field: 'name' });
    await expect(client.updateConfig({ 'low-space-ratio': NaN })).rejects.toMatchObject({
      name: 'BadQueryError',
      field: 'low-space-ratio',
    });
    await expect(client.deleteStore(-1)).rejects.toMatchObject({ name: 'BadQueryError', field: 'store_id' });
    await expect(
      client.createOperator({ name: 'transfer-leader', region_id: 1, to_store_id: 4 }, { callerId: 'bad\r\nheader' })
    ).rejects.toMatchObject({
      name: 'BadQueryError',
      field: 'callerId',
    });
    expect(pd.requests.length).toBe(before);
  });
});

describe('X-Caller-ID', () => {
  it('is sent on every read and write, default, configured and per call', async () => {
    const named = new PDClient({ urls: [pd.url], callerId: 'grafana-backend-1' });
    try {
      await client.getRegionCount();
      expect(pd.requestsTo('/regions/count').at(-1)?.headers['x-caller-id']).toBe('operator-tikv-app');
      await named.getRegionCount();
      expect(pd.requestsTo('/regions/count').at(-1)?.headers['x-caller-id']).toBe('grafana-backend-1');
      pd.route('POST', '/operators', (_req, res) => sendJson(res, 200, '"The operator is created."'));
      await named.createOperator(
        { name: 'transfer-leader', region_id: 1009, to_store_id: 4 },
        { callerId: 'alice@grafana' }
      );
      expect(pd.requestsTo('/operators').at(-1)?.headers['x-caller-id']).toBe('alice@grafana');
      await named.ping();
      expect(pd.requestsTo('/ping').at(-1)?.headers['x-caller-id']).toBe('grafana-backend-1');
    } finally {
      await named.close();
    }
  });
});

describe('clock, sharing and caching', () => {
  it('falls back to the local clock when PD sends no Date header', async () => {
    const noDate = await startPdFixtureServer({ now: null });
    const c = new PDClient({ urls: [noDate.url] });
    try {
      const before = Date.now();
      const a = await c.getCluster();
      expect(a.clock).toBe('local');
      expect(a.pdNow).toBeGreaterThanOrEqual(before);
      expect(a.pdNow).toBeLessThanOrEqual(Date.now());
    } finally {
      await c.close();
      await noDate.close();
    }
  });

  it('shares identical concurrent reads and serves repeats from the cache until a write', async () => {
    const c = new PDClient({ urls: [pd.url], cacheTtlMs: 60_000 });
    try {
      const before = pd.requestsTo('/stats/region').length;
      await Promise.all([c.getRegionStats(), c.getRegionStats(), c.getRegionStats()]);
      await c.getRegionStats();
      expect(pd.requestsTo('/stats/region').length - before).toBe(1);
      pd.route('POST', '/config', (_req, res) => sendJson(res, 200, '"The config is updated."'));
      await c.updateConfig({ 'leader-schedule-limit': 4 });
      await c.getRegionStats();
      expect(pd.requestsTo('/stats/region').length - before).toBe(2);
    } finally {
      await c.close();
    }
  });
});

describe('fresh reads', () => {
  it('a fresh read goes to PD past the cache and in-flight sharing (actions on several replicas)', async () => {
    const c = new PDClient({ urls: [pd.url], cacheTtlMs: 60_000 });
    try {
      const before = pd.requestsTo('/stats/region').length;
      await c.getRegionStats();
      await c.getRegionStats();
      expect(pd.requestsTo('/stats/region').length - before).toBe(1);
      await Promise.all([c.getRegionStats({ fresh: true }), c.getRegionStats({ fresh: true }), c.getRegionStats()]);
      expect(pd.requestsTo('/stats/region').length - before).toBe(3);
    } finally {
      await c.close();
    }
  });
});

describe('member URLs', () => {
  it("adds PD's API prefix to a bare member URL and keeps one that has it", () => {
    const c = new PDClient({ urls: ['http://pd-1:2379', 'https://pd-2:2379/', 'http://sim:4000/pd/api/v1'] });
    expect(c.urls).toEqual(['http://pd-1:2379/pd/api/v1', 'https://pd-2:2379/pd/api/v1', 'http://sim:4000/pd/api/v1']);
    return c.close();
  });

  it('refuses a URL that is not http(s), naming PD_URL', () => {
    expect(() => new PDClient({ urls: ['pd-1:2379'] })).toThrow(/PD_URL/);
    expect(() => new PDClient({ urls: ['ftp://pd-1'] })).toThrow(/PD_URL: only http and https/);
    expect(() => new PDClient({ urls: [] })).toThrow(/PD_URL/);
    expect(() => new PDClient({ urls: ['http://admin:s3cret@pd-1:2379'] })).toThrow(
      /^PD_URL: credentials in a PD member URL are not supported/
    );
    expect(() => new PDClient({ urls: ['http://admin:s3cret@pd 1:2379'] })).toThrow(
      'PD_URL: not a URL: "http://***@pd 1:2379"'
    );
  });

  it('checks DEFAULT_MAX_STORE_DOWN_MS against the fixture config', async () => {
    const cfg = await client.getScheduleConfig();
    expect(cfg.data['max-store-down-time'] * 1000).toBe(DEFAULT_MAX_STORE_DOWN_MS);
  });
});
