/**
 * region_health live, end to end: the simulator's region fault (POST /sim/regions/fault) reaches PD's
 * `pd_regions_status`, a real Prometheus scrapes it, and the real backend's checker loop fires the violation after
 * the grace (4 s here, REGION_HEALTH_GRACE_SECONDS) as one cluster-level exporter series
 * (store_id="0", address="cluster") and in /api/query, then clears it when the fault is removed.
 */
import { waitFor } from '../../../src/embedded/prometheus';
import { startBackend, type TestBackend } from '../../support/backend';

const API_TOKEN = 'read-token-region-4d2b';
const METRICS_TOKEN = 'metrics-token-region-91ac';
const GRACE_S = 4;

let b: TestBackend;

beforeAll(async () => {
  b = await startBackend({
    prometheus: true,
    env: { API_TOKEN, METRICS_TOKEN, CHECK_INTERVAL: '300ms', REGION_HEALTH_GRACE_SECONDS: String(GRACE_S) },
  });
  // PD's region counts are in Prometheus (0 while healthy) before the fault starts.
  await waitFor(
    'pd_regions_status scraped',
    async () => {
      const res = await fetch(
        `${b.prometheus!.url}/api/v1/query?query=${encodeURIComponent('count(pd_regions_status{job="pd"})')}`
      );
      const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
      return Number(body.data.result[0]?.value[1] ?? 0) > 0 ? true : undefined;
    },
    30_000
  );
}, 60_000);
afterAll(() => b?.close());
afterEach(() => b.sim.recoverAll());

const metrics = async () => (await b.request('GET', '/metrics', { token: METRICS_TOKEN })).text;
const regionLine = (text: string) =>
  text
    .split('\n')
    .find((l) => l.startsWith('tikv_operator_invariant_violation{') && l.includes('invariant="region_health"'));
const sim = (method: string, path: string, body?: unknown) =>
  fetch(`${b.sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

test('a miss-peer fault fires region_health after the grace, as one cluster-level series, and clears', async () => {
  expect(regionLine(await metrics())).toBeUndefined();
  const faultAt = Date.now();
  expect((await sim('POST', '/sim/regions/fault', { miss_peer: 6 })).status).toBe(200);

  const line = await waitFor('region_health in /metrics', async () => regionLine(await metrics()), 30_000);
  const firedAfterMs = Date.now() - faultAt;
  expect(line).toBe(
    'tikv_operator_invariant_violation{cluster="default",invariant="region_health",store_id="0",address="cluster",severity="warning",maintenance="false"} 1'
  );
  // Not before the grace: the onset is when Prometheus first had the count, the firing at least GRACE_S later.
  expect(firedAfterMs).toBeGreaterThanOrEqual(GRACE_S * 1000);
  const firstSeen = Number(
    (await metrics())
      .split('\n')
      .find((l) => l.startsWith('tikv_operator_invariant_violation_first_seen_seconds{') && l.includes('region_health'))
      ?.split(' ')
      .pop()
  );
  expect(firstSeen * 1000).toBeGreaterThanOrEqual(faultAt - 1000);

  // The query API replays the same Prometheus series with the same engine (within a scrape of the live checker).
  const frame = await waitFor(
    'region_health in /api/query',
    async () => {
      const now = Date.now();
      const res = await b.request('POST', '/api/query', {
        token: API_TOKEN,
        body: {
          from: now - 120_000,
          to: now,
          queries: [{ refId: 'R', kind: 'invariant', invariants: ['region_health'], format: 'violations' }],
        },
      });
      expect(res.status).toBe(200);
      const f = res.json.results.R.frames[0];
      return f.data.values[0].length > 0 ? f : undefined;
    },
    10_000
  );
  const col = (name: string) => frame.data.values[frame.schema.fields.findIndex((f: any) => f.name === name)];
  expect(col('store_id')).toEqual([0]);
  expect(col('address')).toEqual(['cluster']);
  expect(col('value')).toEqual([6]);
  expect(col('active')).toEqual([true]);

  expect((await sim('DELETE', '/sim/regions/fault')).status).toBe(200);
  await waitFor(
    'region_health gone from /metrics',
    async () => (regionLine(await metrics()) === undefined ? true : undefined),
    30_000
  );
}, 90_000);

test('a timeline has one cluster-level region_health series next to the per-store ones, none when filtered by store', async () => {
  const now = Date.now();
  const timeline = async (storeIds?: number[]) => {
    const res = await b.request('POST', '/api/query', {
      token: API_TOKEN,
      body: {
        from: now - 60_000,
        to: now,
        queries: [
          { refId: 'T', kind: 'invariant', invariants: ['low_disk', 'region_health'], format: 'timeline', storeIds },
        ],
      },
    });
    expect(res.status).toBe(200);
    return res.json.results.T.frames.map((f: any) => f.schema.name);
  };
  expect(await timeline()).toEqual([
    'cluster region_health',
    'store 1 low_disk',
    'store 2 low_disk',
    'store 3 low_disk',
  ]);
  expect(await timeline([2])).toEqual(['store 2 low_disk']);
});

test('a down-peer fault shorter than the grace never fires', async () => {
  await sim('POST', '/sim/regions/fault', { down_peer: 2 });
  // Seen by Prometheus, then removed before the grace ends.
  await waitFor(
    'down-peer count in Prometheus',
    async () => {
      const q = encodeURIComponent('max(pd_regions_status{type="down-peer-region-count"})');
      const body = (await (await fetch(`${b.prometheus!.url}/api/v1/query?query=${q}`)).json()) as any;
      return Number(body.data.result[0]?.value[1]) === 2 ? true : undefined;
    },
    10_000
  );
  await sim('DELETE', '/sim/regions/fault');
  const until = Date.now() + (GRACE_S + 2) * 1000;
  while (Date.now() < until) {
    expect(regionLine(await metrics())).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
  }
}, 30_000);
