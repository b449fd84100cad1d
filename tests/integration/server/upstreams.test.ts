/**
 * Upstreams that are down, hang or answer garbage: each failing query carries an error naming the upstream while
 * the others answer; health answers 200 within its timeout and reports PD and Prometheus on their own.
 * PD misbehaves through the simulator's PD-HTTP faults; Prometheus is a local server answering as told.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { freePort } from '../../../src/embedded/prometheus';
import { startBackend, type TestBackend } from '../../support/backend';

type Mode = 'garbage' | 'hang' | 'error';
let mode: Mode = 'garbage';
const hanging = new Set<ServerResponse>();
let badProm: Server;
let b: TestBackend;

const env = { UPSTREAM_TIMEOUT_MS: '800', HEALTH_TIMEOUT_MS: '500', CHECK_INTERVAL: '1h' };

beforeAll(async () => {
  badProm = createServer((_req, res) => {
    if (mode === 'hang') {
      hanging.add(res);
      return;
    }
    if (mode === 'error') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('overloaded');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success","data":{"resultType":"vector","result":[{"metric":');
  });
  await new Promise<void>((r) => badProm.listen(0, '127.0.0.1', r));
  const promUrl = `http://127.0.0.1:${(badProm.address() as AddressInfo).port}`;
  b = await startBackend({ env: { ...env, PROMETHEUS_URL: promUrl } });
});

afterEach(() => {
  b.sim.clearPdFaults();
  for (const res of hanging) {
    res.destroy();
  }
  hanging.clear();
  mode = 'garbage';
});

afterAll(async () => {
  await b.close();
  await new Promise((r) => badProm.close(r));
});

const query = (...queries: Array<Record<string, unknown>>) =>
  b.request('POST', '/api/query', { body: { from: Date.now() - 60_000, to: Date.now(), queries } });

const stores = { refId: 'S', kind: 'observation', observation: 'get_stores' };
const regionHealth = { refId: 'R', kind: 'observation', observation: 'get_region_health' };
const storeMetrics = { refId: 'M', kind: 'observation', observation: 'get_store_metrics' };

test('PD answering garbage fails only the query that reads that path, naming PD and the path', async () => {
  b.sim.addPdFault({ path: '/stores', kind: 'garbage' });
  const res = await query(stores, regionHealth);
  expect(res.status).toBe(200);
  expect(res.json.results.S).toMatchObject({ frames: [], status: 502 });
  expect(res.json.results.S.error).toMatch(/^PD \/stores/);
  expect(res.json.results.R.error).toBeUndefined();
  expect(res.json.results.R.frames.length).toBeGreaterThan(0);
});

test('PD hanging gives that query a timeout naming PD, within the upstream timeout', async () => {
  b.sim.addPdFault({ path: '/stores', kind: 'hang' });
  const started = Date.now();
  const res = await query(stores, regionHealth);
  expect(Date.now() - started).toBeLessThan(5000);
  expect(res.json.results.S).toMatchObject({ frames: [], status: 504 });
  expect(res.json.results.S.error).toMatch(/^PD \/stores.*no answer within 800 ms/);
  expect(res.json.results.R.error).toBeUndefined();
});

test('Prometheus answering garbage fails the metrics query, naming Prometheus, while PD queries answer', async () => {
  const res = await query(storeMetrics, stores);
  expect(res.json.results.M.status).toBe(502);
  expect(res.json.results.M.error).toMatch(/^Prometheus \/api\/v1\/query/);
  expect(res.json.results.S.error).toBeUndefined();
  expect(res.json.results.S.frames[0].data.values[0]).toEqual([1, 2, 3]);
});

test('Prometheus hanging gives the metrics and invariant queries a timeout naming Prometheus', async () => {
  mode = 'hang';
  const res = await query(storeMetrics, { refId: 'I', kind: 'invariant', invariants: ['high_latency'], format: 'violations' }, stores);
  for (const refId of ['M', 'I']) {
    expect(res.json.results[refId].status).toBe(504);
    expect(res.json.results[refId].error).toMatch(/^Prometheus \/api\/v1\/query.*no answer within 800 ms/);
  }
  expect(res.json.results.S.error).toBeUndefined();
});

test('health answers 200 and reports a hanging PD and a failing Prometheus separately, within its timeout', async () => {
  b.sim.addPdFault({ path: '/version', kind: 'hang' });
  mode = 'error';
  const started = Date.now();
  const res = await b.request('GET', '/api/health');
  expect(Date.now() - started).toBeLessThan(3000);
  expect(res.status).toBe(200);
  expect(res.json.status).toBe('degraded');
  expect(res.json.pd).toMatchObject({ ok: false });
  expect(res.json.pd.message).toMatch(/^PD \/version: no answer within 500 ms/);
  expect(res.json.prometheus).toMatchObject({ ok: false });
  expect(res.json.prometheus.message).toMatch(/^Prometheus \/api\/v1\/status\/buildinfo: HTTP 503/);
});

test('health with PD healthy and Prometheus answering garbage: PD ok with its version', async () => {
  const res = await b.request('GET', '/api/health');
  expect(res.status).toBe(200);
  expect(res.json.pd).toMatchObject({ ok: true, version: 'v8.5.1', message: 'ok' });
  expect(typeof res.json.pd.latencyMs).toBe('number');
  expect(res.json.prometheus.ok).toBe(false);
  expect(res.json.prometheus.message).toMatch(/^Prometheus .*unexpected answer/);
});

test('health with PD down and Prometheus down: 200, both reported unreachable', async () => {
  const down = await startBackend({
    env: { ...env, PD_URL: `http://127.0.0.1:${await freePort()}`, PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}` },
  });
  try {
    const res = await down.request('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'degraded', pd: { ok: false }, prometheus: { ok: false } });
    expect(res.json.pd.message).toMatch(/^PD \/version: unreachable \(ECONNREFUSED\)/);
    expect(res.json.prometheus.message).toMatch(/^Prometheus \/api\/v1\/status\/buildinfo: unreachable \(ECONNREFUSED\)/);
    const q = await down.request('POST', '/api/query', { body: { from: 0, to: 1, queries: [stores] } });
    expect(q.status).toBe(200);
    expect(q.json.results.S).toMatchObject({ frames: [], status: 502 });
    expect(q.json.results.S.error).toMatch(/^PD \/stores: unreachable/);
  } finally {
    await down.close();
  }
});
