/**
 * One backend over two clusters (DESIGN.md "several clusters"): two simulators `east` (3 stores) and `west`
 * (4 stores) whose stores have the same ids and addresses, and one real Prometheus scraping both, telling them apart
 * only by `k8s_cluster` (each cluster's PROMETHEUS_SELECTOR), configured by a CONFIG_FILE with CLUSTERS. Each
 * cluster's queries see only its stores, the exporter labels each cluster's series, the provisioned rules fire once
 * per cluster, and an action on east never reaches west's PD.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';

import { type RunningPrometheus, waitFor } from '../../../src/embedded/prometheus';
import { buildApp } from '../../../src/server/app';
import { loadConfig } from '../../../src/server/config';
import { toWireQuery } from '../../../src/shared/interpolate';
import { DATASOURCE_PLUGIN_ID } from '../../../src/shared/names';
import { QueryResponse } from '../../../src/shared/schema/frames';
import { SavedQuery } from '../../../src/shared/schema/query';
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { logTail, startRulesPrometheus } from '../../support/rulesPrometheus';
import { dashboards, pluginQueries, replaceStoreVariable } from '../../unit/provisioning/deployFiles';
const ACTIONS_TOKEN = 'clusters-actions-token';

let east: Simulator;
let west: Simulator;
let prometheus: RunningPrometheus;
let app: FastifyInstance;
let url: string;
let dir: string;
const log = logTail();

beforeAll(async () => {
  east = await createSimulator({ stores: 3, regions: 100, seed: 1 });
  west = await createSimulator({ stores: 4, regions: 100, seed: 2 });
  const started = await startRulesPrometheus({
    httpSd: [
      { url: `${east.url}/sim/targets`, labels: { k8s_cluster: 'east' } },
      { url: `${west.url}/sim/targets`, labels: { k8s_cluster: 'west' } },
    ],
  });
  prometheus = started.prometheus;
  const port = started.backendPort;
  dir = mkdtempSync(join(tmpdir(), 'tko-clusters-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      `PROMETHEUS_URL: ${prometheus.url}`,
      'CHECK_INTERVAL: 1s',
      'SCRAPE_INTERVAL: 1s',
      // Minutes of history scraped every second: a 30 d SLO window would be 2.6M one-second SLI steps per series.
      'SLO_WRITE_LATENCY_P99_WINDOW: 1h',
      'SLO_DISK_USAGE_WINDOW: 1h',
      'SLO_STORE_AVAILABILITY_WINDOW: 1h',
      'CACHE_TTL_MS: 0',
      'LOG_LEVEL: warn',
      'ACTIONS_ENABLED: true',
      `ACTIONS_TOKEN: ${ACTIONS_TOKEN}`,
      `AUDIT_DB_PATH: ${join(dir, 'audit.db')}`,
      'CLUSTERS:',
      '  - CLUSTER_NAME: east',
      `    PD_URL: ${east.pdUrl}`,
      `    PROMETHEUS_SELECTOR: 'k8s_cluster="east"'`,
      '  - CLUSTER_NAME: west',
      `    PD_URL: ${west.pdUrl}`,
      `    PROMETHEUS_SELECTOR: 'k8s_cluster="west"'`,
      '',
    ].join('\n')
  );
  app = buildApp(loadConfig({}, file), { logStream: log.stream });
  await app.listen({ port, host: '127.0.0.1' });
  url = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await prometheus?.stop();
  await Promise.all([east?.close(), west?.close()]);
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  token?: string
): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  if (token) {
    headers.authorization = `Bearer ${token}`;
  }
  const res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

const query = (cluster: string | undefined, queries: unknown[]) => {
  const now = Date.now();
  return call('POST', '/api/query', { ...(cluster ? { cluster } : {}), from: now - 60_000, to: now, queries });
};
const column = (frame: any, name: string) =>
  frame.data.values[frame.schema.fields.findIndex((f: { name: string }) => f.name === name)];

test("each cluster's queries see only its own stores", async () => {
  const stores = { refId: 'A', kind: 'observation', observation: 'get_stores' };
  const [e, w] = await Promise.all([query('east', [stores]), query('west', [stores])]);
  expect([e.status, w.status]).toEqual([200, 200]);
  expect(column(e.json.results.A.frames[0], 'store_id')).toEqual([1, 2, 3]);
  expect(column(w.json.results.A.frames[0], 'store_id')).toEqual([1, 2, 3, 4]);
});

test('no cluster with two is a 400 naming both; an unknown one is a 404 naming it', async () => {
  const stores = { refId: 'A', kind: 'observation', observation: 'get_stores' };
  const none = await query(undefined, [stores]);
  expect(none.status).toBe(400);
  expect(none.json.message).toMatch(/east, west/);
  const unknown = await query('north', [stores]);
  expect(unknown).toMatchObject({ status: 404, json: { code: 'TKO_ERR_CLUSTER_NOT_FOUND' } });
  expect(unknown.json.message).toMatch(/"north".*east, west/);
  expect((await call('GET', '/api/health?cluster=north')).status).toBe(404);
});

test('subject and health list both clusters; ?cluster= narrows health to one', async () => {
  const subject = await call('GET', '/api/subject');
  expect(subject.json.clusters).toEqual([
    { name: 'east', selector: 'k8s_cluster="east"' },
    { name: 'west', selector: 'k8s_cluster="west"' },
  ]);
  const health = await call('GET', '/api/health');
  expect(health.status).toBe(200);
  expect(health.json.clusters.map((c: any) => [c.name, c.pd.ok, c.prometheus.ok])).toEqual([
    ['east', true, true],
    ['west', true, true],
  ]);
  expect(health.json.pd).toBeUndefined();
  const one = await call('GET', '/api/health?cluster=west');
  expect(one.json).toMatchObject({ pd: { ok: true }, prometheus: { ok: true }, clusters: [{ name: 'west' }] });
});

test('Prometheus history is read through the cluster selector: a full disk in west is not east’s', async () => {
  // Same store id and address in both clusters: only k8s_cluster tells them apart.
  west.fillDisk(1, 90);
  try {
    const lowDisk = { refId: 'D', kind: 'invariant', invariants: ['low_disk'], format: 'violations' };
    await waitFor('low_disk of west store 1', async () => {
      const w = await query('west', [lowDisk]);
      return column(w.json.results.D.frames[0], 'store_id')?.includes(1) ? true : undefined;
    });
    const e = await query('east', [lowDisk]);
    expect(e.status).toBe(200);
    expect(column(e.json.results.D.frames[0], 'store_id')).toEqual([]);
  } finally {
    west.fillDisk(1, undefined);
  }
}, 45_000);

test('the exporter labels each cluster, and the provisioned rules fire once per cluster', async () => {
  east.stopStore(2, { secondsAgo: 60 });
  west.stopStore(2, { secondsAgo: 60 });
  try {
    const lines = await waitFor('store_down of store 2 in both clusters', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const found = text
        .split('\n')
        .filter((l) => l.startsWith('tikv_operator_invariant_violation{') && l.includes('store_id="2"'));
      return found.length === 2 ? found.sort() : undefined;
    });
    expect(lines[0]).toMatch(/^tikv_operator_invariant_violation\{cluster="east",invariant="store_down",store_id="2",/);
    expect(lines[1]).toMatch(/^tikv_operator_invariant_violation\{cluster="west",invariant="store_down",store_id="2",/);

    const firing = await waitFor(
      'TiKVOperatorStoreDown for east and west',
      async () => {
        const q = encodeURIComponent('ALERTS{alertstate="firing",alertname="TiKVOperatorStoreDown"}');
        const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=${q}`)).json()) as any;
        const alerts = body.data.result.map((r: any) => `${r.metric.cluster} ${r.metric.store}`).sort();
        return alerts.length === 2 ? alerts : undefined;
      },
      30_000
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nbackend log tail: ${log.text()}`);
    });
    expect(firing).toEqual(['east 2', 'west 2']);
  } finally {
    east.startStore(2);
    west.startStore(2);
  }
}, 60_000);

test("an action on east changes east's PD and never west's", async () => {
  const schedule = async (sim: Simulator) =>
    ((await (await fetch(`${sim.pdUrl}/config/schedule`)).json()) as Record<string, unknown>)['leader-schedule-limit'];
  const before = await schedule(west);
  const run = await call(
    'POST',
    '/api/actions/set_leader_schedule_limit/execute',
    { cluster: 'east', 'leader-schedule-limit': 13 },
    ACTIONS_TOKEN
  );
  expect(run.status).toBe(200);
  expect(await schedule(east)).toBe(13);
  expect(await schedule(west)).toBe(before);

  const none = await call(
    'POST',
    '/api/actions/set_leader_schedule_limit/preflight',
    { 'leader-schedule-limit': 5 },
    ACTIONS_TOKEN
  );
  expect(none.status).toBe(400);
  const unknown = await call(
    'POST',
    '/api/actions/set_leader_schedule_limit/preflight',
    { cluster: 'north', 'leader-schedule-limit': 5 },
    ACTIONS_TOKEN
  );
  expect(unknown).toMatchObject({ status: 404, json: { code: 'TKO_ERR_CLUSTER_NOT_FOUND' } });
  expect(await schedule(west)).toBe(before);
});

describe('every plugin query of the provisioned dashboards, per cluster', () => {
  const queries = dashboards().flatMap(({ dashboard }) => pluginQueries(dashboard, DATASOURCE_PLUGIN_ID));

  it.each(queries.map((q) => [q.where, q.query]))('%s runs for east and for west', async (_where, saved) => {
    for (const [cluster, stores] of [
      ['east', [1, 2, 3]],
      ['west', [1, 2, 3, 4]],
    ] as const) {
      const wire = toWireQuery(SavedQuery.parse(saved), replaceStoreVariable([...stores]));
      if ('error' in wire) {
        throw new Error(wire.error);
      }
      const res = await query(cluster, [wire.query]);
      expect({ cluster, status: res.status }).toEqual({ cluster, status: 200 });
      const result = QueryResponse.parse(res.json).results[wire.query.refId];
      expect({ cluster, error: result.error }).toEqual({ cluster, error: undefined });
    }
  });
});
