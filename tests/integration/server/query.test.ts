/**
 * The query API over HTTP against the simulator and a real Prometheus (1 s scrape): every observation, every
 * invariant format, a past range, bad bodies, per-query errors, auth, the subject description, and no secret in
 * the logs or answers.
 */
import { waitFor } from '../../../src/embedded/prometheus';
import { startBackend, type TestBackend } from '../../support/backend';

const API_TOKEN = 'read-token-3c1e7d0b9a';
const ACTIONS_TOKEN = 'actions-token-8e4f2a61';
const PROM_SECRET = 'prom-bearer-secret-77d1';

let b: TestBackend;

beforeAll(async () => {
  b = await startBackend({
    prometheus: true,
    env: {
      API_TOKEN,
      ACTIONS_ENABLED: 'true',
      ACTIONS_TOKEN,
      PROMETHEUS_BEARER_TOKEN: PROM_SECRET,
      HIGH_LATENCY_THRESHOLD_MS: '250',
      RATE_WINDOW: '5s',
    },
  });
  // Every store scraped at least twice, so rates and the liveness series exist.
  await waitFor('three TiKV targets scraped', async () => {
    const res = await fetch(`${b.prometheus!.url}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="tikv"}[1m])')}`);
    const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
    return body.data.result.length === 3 && body.data.result.every((r) => Number(r.value[1]) >= 3) ? true : undefined;
  });
});
afterAll(() => b.close());

const query = (body: unknown) => b.request('POST', '/api/query', { body, token: API_TOKEN });
const now = () => Date.now();

/** The values of a frame's field by name. */
function column(frame: any, name: string): unknown[] {
  const i = frame.schema.fields.findIndex((f: any) => f.name === name);
  expect(i).toBeGreaterThanOrEqual(0);
  return frame.data.values[i];
}

describe('observations', () => {
  test('every observation answers frames carrying its refId', async () => {
    const observations = ['get_stores', 'get_hot_write_regions', 'get_store_metrics', 'get_cluster_metrics', 'get_region_health'];
    const res = await waitFor('store metrics with data', async () => {
      const r = await query({
        from: now() - 60_000,
        to: now(),
        intervalMs: 1000,
        queries: observations.map((observation, i) => ({ refId: `Q${i}`, kind: 'observation', observation })),
      });
      const metrics = r.json.results.Q2.frames ?? [];
      return metrics.some((f: any) => f.data.values[0]?.length > 0) ? r : undefined;
    });
    expect(res.status).toBe(200);
    observations.forEach((_, i) => {
      const result = res.json.results[`Q${i}`];
      expect(result.error).toBeUndefined();
      expect(result.frames.length).toBeGreaterThan(0);
      for (const f of result.frames) {
        expect(f.schema.refId).toBe(`Q${i}`);
      }
    });
    const stores = res.json.results.Q0.frames[0];
    expect(column(stores, 'store_id')).toEqual([1, 2, 3]);
    expect(stores.schema.fields.find((f: any) => f.name === 'capacity_bytes').config.unit).toBe('bytes');
    expect(stores.schema.fields.find((f: any) => f.name === 'disk_used_ratio').config.unit).toBe('percentunit');
    const series = res.json.results.Q2.frames.find((f: any) => f.schema.fields.some((x: any) => x.labels?.store_id));
    const labels = series.schema.fields.find((x: any) => x.labels?.store_id).labels;
    expect(Object.keys(labels)).toEqual(expect.arrayContaining(['store_id', 'address', 'instance']));
  });

  test('one failing query returns its own error while the others answer', async () => {
    const res = await query({
      from: now() - 60_000,
      to: now(),
      queries: [
        { refId: 'A', kind: 'observation', observation: 'get_stores', storeIds: [999] },
        { refId: 'B', kind: 'observation', observation: 'get_cluster_metrics' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.results.A).toEqual({ frames: [], error: 'store 999 not found in PD', status: 404, code: 'TKO_ERR_STORE_NOT_FOUND' });
    expect(res.json.results.B.error).toBeUndefined();
    expect(res.json.results.B.frames.length).toBeGreaterThan(0);
  });
});

describe('invariants', () => {
  test('a full disk shows in every format and in the exporter, and clears after recovery', async () => {
    b.sim.fillDisk(1, 90);
    const body = () => ({
      from: now() - 30_000,
      to: now(),
      queries: [
        { refId: 'V', kind: 'invariant', invariants: ['low_disk'], format: 'violations' },
        { refId: 'T', kind: 'invariant', invariants: ['low_disk'], format: 'timeline', storeIds: [1] },
        { refId: 'N', kind: 'invariant', invariants: ['low_disk'], format: 'annotations' },
      ],
    });
    const res = await waitFor('low_disk of store 1', async () => {
      const r = await query(body());
      return column(r.json.results.V.frames[0], 'store_id').includes(1) ? r : undefined;
    });
    const v = res.json.results.V.frames[0];
    expect(v.schema.fields.map((f: any) => f.name)).toEqual([
      'store_id', 'address', 'invariant', 'severity', 'first_seen', 'last_seen', 'active', 'value', 'threshold', 'ended_by',
    ]);
    expect(v.schema.fields.find((f: any) => f.name === 'first_seen').type).toBe('time');
    expect(column(v, 'invariant')).toEqual(['low_disk']);
    expect(column(v, 'severity')).toEqual(['warning']);
    expect(column(v, 'active')).toEqual([true]);
    expect(column(v, 'threshold')).toEqual([0.7]);
    expect(column(v, 'value')[0]).toBeCloseTo(0.9, 2);

    const t = res.json.results.T.frames;
    expect(t).toHaveLength(1);
    expect(t[0].schema.fields[1].labels).toMatchObject({ store_id: '1', invariant: 'low_disk' });
    expect(t[0].data.values[1].at(-1)).toBe(1);

    const n = res.json.results.N.frames[0];
    expect(n.schema.fields.map((f: any) => f.name)).toEqual(['time', 'timeEnd', 'title', 'text', 'tags']);
    expect(column(n, 'tags')).toEqual(['low_disk,warning,store 1']);

    // The live checker reads the same Prometheus: the exporter shows the violation.
    await waitFor('low_disk in /metrics', async () => {
      const text = (await b.request('GET', '/metrics')).text;
      return /tikv_operator_invariant_violation\{cluster="default",invariant="low_disk",store_id="1",.*severity="warning",maintenance="false"\} 1/.test(text) ? true : undefined;
    });

    b.sim.fillDisk(1, undefined);
    await waitFor('low_disk of store 1 cleared', async () => {
      const r = await query(body());
      return column(r.json.results.V.frames[0], 'active').every((a) => a === false) ? true : undefined;
    });
  });

  test('a store that was down shows as an annotation region over a past range', async () => {
    const t0 = now();
    b.sim.stopStore(3);
    const downBody = () => ({
      from: t0 - 10_000,
      to: now(),
      queries: [{ refId: 'D', kind: 'invariant', invariants: ['store_down'], format: 'violations', storeIds: [3] }],
    });
    await waitFor('store 3 down in Prometheus', async () => {
      const r = await query(downBody());
      return column(r.json.results.D.frames[0], 'active').includes(true) ? true : undefined;
    });
    b.sim.startStore(3);
    await waitFor('store 3 up again in Prometheus', async () => {
      const r = await query(downBody());
      const active = column(r.json.results.D.frames[0], 'active');
      return active.length > 0 && active.every((a) => a === false) ? true : undefined;
    });
    const tEnd = now();

    const res = await query({
      from: t0 - 10_000,
      to: tEnd,
      queries: [
        { refId: 'A', kind: 'invariant', invariants: [], format: 'annotations' },
        { refId: 'T', kind: 'invariant', invariants: ['store_down'], format: 'timeline' },
      ],
    });
    const a = res.json.results.A.frames[0];
    const titles = column(a, 'title');
    const i = titles.indexOf('store down: store 3');
    expect(i).toBeGreaterThanOrEqual(0);
    const start = column(a, 'time')[i] as number;
    const end = column(a, 'timeEnd')[i] as number;
    expect(start).toBeGreaterThanOrEqual(t0 - 2000);
    expect(end).toBeGreaterThanOrEqual(start);
    expect(end).toBeLessThanOrEqual(tEnd);
    expect(column(a, 'tags')[i]).toBe('store_down,critical,store 3');

    const timeline = res.json.results.T.frames.find((f: any) => f.schema.fields[1].labels.store_id === '3');
    const values = timeline.data.values[1];
    expect(values).toContain(1);
    expect(values.at(-1)).toBe(0);
  });

  test("a range reaching now reports store down as PD's heartbeats show it", async () => {
    b.sim.stopStore(2, { secondsAgo: 60 });
    try {
      const body = () => ({
        from: now() - 30_000,
        to: now(),
        queries: [{ refId: 'L', kind: 'invariant', invariants: ['store_down'], format: 'violations', storeIds: [2] }],
      });
      // Prometheus' `up == 0` may show the store first (threshold 0); the live checker's view replaces it within a tick.
      const frame = await waitFor('live store_down of store 2', async () => {
        const f = (await query(body())).json.results.L.frames[0];
        return column(f, 'store_id').includes(2) && column(f, 'threshold')[0] === 20 ? f : undefined;
      });
      // The live checker's violation: heartbeat age in seconds against the 20 s timeout (not Prometheus' up == 0).
      expect(column(frame, 'active')).toEqual([true]);
      expect(column(frame, 'threshold')).toEqual([20]);
      expect(column(frame, 'value')[0]).toBeGreaterThanOrEqual(60);
    } finally {
      b.sim.startStore(2);
    }
  });
});

describe('bad requests', () => {
  test.each([
    [{ from: 0, to: 1, queries: [{ refId: 'A', kind: 'observation', observation: 'get_stores' }, { refId: 'B', kind: 'observation', observation: 'get_everything' }] }, 'queries[1].observation'],
    [{ from: 0, to: 1 }, 'queries'],
    [{ from: 0, to: 1, queries: [{ refId: 'A', kind: 'invariant', format: 'pie' }] }, 'queries[0].format'],
    [{ from: 0, to: 1, queries: [{ refId: 'A', kind: 'observation', observation: 'get_stores', storeIds: [-1] }] }, 'queries[0].storeIds[0]'],
    [{ from: 'yesterday', to: 1, queries: [] }, 'from'],
    [{ from: 5, to: 1, queries: [{ refId: 'A', kind: 'observation', observation: 'get_stores' }] }, 'from'],
  ])('a malformed body gets 400 naming the field (%#)', async (body, field) => {
    const res = await query(body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ statusCode: 400, code: 'TKO_ERR_BAD_QUERY', error: 'Bad Request' });
    expect(res.json.message.startsWith(`${field}: `)).toBe(true);
  });

  test('a body that is not JSON gets 400 with a reason', async () => {
    const res = await b.request('POST', '/api/query', { body: '{"from": ', token: API_TOKEN });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('TKO_ERR_BAD_QUERY');
    expect(res.json.message.length).toBeGreaterThan(0);
  });

  test('an unknown route gets 404 in the same error shape', async () => {
    const res = await b.request('GET', '/api/nothing', { token: API_TOKEN });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ statusCode: 404, code: 'TKO_ERR_NOT_FOUND', error: 'Not Found' });
  });
});

describe('auth', () => {
  const ok = { from: 0, to: 1, queries: [{ refId: 'A', kind: 'observation', observation: 'get_stores' }] };

  test('every /api route needs the read token: accepted with it, 401 without or with a wrong one', async () => {
    expect((await query(ok)).status).toBe(200);
    expect((await b.request('GET', '/api/health', { token: API_TOKEN })).status).toBe(200);
    for (const token of [undefined, 'wrong-token', ACTIONS_TOKEN]) {
      expect((await b.request('POST', '/api/query', { body: ok, token })).status).toBe(401);
      expect((await b.request('GET', '/api/subject', { token })).status).toBe(401);
      const health = await b.request('GET', '/api/health', { token });
      expect(health.status).toBe(401);
      expect(health.headers.get('www-authenticate')).toBe('Bearer');
      expect(health.json).toMatchObject({ statusCode: 401, code: 'TKO_ERR_UNAUTHORIZED', error: 'Unauthorized' });
    }
  });

  test('the read token is refused on /api/actions with 403, and the actions token passes', async () => {
    const refused = await b.request('POST', '/api/actions/transfer_leader', { token: API_TOKEN, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.json.message).toMatch(/read token/);
    expect((await b.request('POST', '/api/actions/transfer_leader', { body: {} })).status).toBe(401);
    expect((await b.request('POST', '/api/actions/transfer_leader', { token: ACTIONS_TOKEN, body: {} })).status).not.toBe(401);
  });

  test('the exporter is open without a token by default', async () => {
    expect((await b.request('GET', '/metrics')).status).toBe(200);
  });
});

test('the subject description lists observations with JSON Schema params and this deployment\'s invariant defaults', async () => {
  const res = await b.request('GET', '/api/subject', { token: API_TOKEN });
  expect(res.status).toBe(200);
  expect(res.json.observations.map((o: any) => o.name)).toEqual([
    'get_stores', 'get_hot_write_regions', 'get_store_metrics', 'get_cluster_metrics', 'get_region_health',
    'get_operators', 'get_schedulers', 'get_forecasts',
  ]);
  const hot = res.json.observations.find((o: any) => o.name === 'get_hot_write_regions');
  expect(hot.params.type).toBe('object');
  expect(hot.params.properties.limit).toMatchObject({ type: 'integer', default: 20 });
  expect(res.json.invariants.find((i: any) => i.name === 'high_latency')).toMatchObject({ threshold: 0.25, graceSeconds: 60, severity: 'warning' });
  expect(res.json.invariants.find((i: any) => i.name === 'store_down')).toMatchObject({ threshold: 20, severity: 'critical' });
  expect(res.json.actions.length).toBe(10);
  expect(res.json.slos.map((s: any) => s.name)).toEqual(['write_latency_p99', 'disk_usage', 'store_availability']);
});

test('health through the token reports PD and Prometheus ok, and no secret appears in answers or logs', async () => {
  const res = await b.request('GET', '/api/health', { token: API_TOKEN });
  expect(res.json).toMatchObject({ status: 'ok', pd: { ok: true }, prometheus: { ok: true } });
  await b.request('GET', '/api/health', { token: 'a-wrong-guess-token' });
  // Probes log at debug; a refused request to another route is logged (at info), and carries no token either.
  await b.request('GET', '/api/subject', { token: 'a-wrong-guess-token' });
  const logs = b.logs();
  expect(logs).toContain('"url":"/api/subject"');
  for (const secret of [API_TOKEN, ACTIONS_TOKEN, PROM_SECRET, 'a-wrong-guess-token']) {
    expect(logs).not.toContain(secret);
    expect(res.text).not.toContain(secret);
  }
});
