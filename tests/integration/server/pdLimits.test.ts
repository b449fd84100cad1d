/**
 * Issue 12 item 4: PD gets its own answer-size limit (PD_MAX_BODY_BYTES), sized for 10,000 stores with margin, apart
 * from Prometheus' (UPSTREAM_MAX_BODY_BYTES); an answer over either names the variable and what to do.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createSimulator } from '../../../src/simulator/server';
import { startBackend } from '../../support/backend';
import { startPromFakeServer } from '../../support/promFakeServer';

const STORES = 10_000;
let pd: Server;
let pdUrl: string;
let storesBytes = 0;

/** 10,000 stores: the simulator's 1,000 stores ten times over with new ids and addresses, indented as PD writes. */
async function tenThousandStores(): Promise<string> {
  const sim = await createSimulator({ stores: 1000, regions: 2000, seed: 1 });
  try {
    const base = (await (await fetch(`${sim.pdUrl}/stores`)).json()) as { stores: Array<{ store: Record<string, unknown> }> };
    const stores = Array.from({ length: STORES }, (_, i) => {
      const s = structuredClone(base.stores[i % base.stores.length]);
      Object.assign(s.store, { id: i + 1, address: `tikv-${i}:20160`, status_address: `tikv-${i}:20180`, peer_address: `tikv-${i}:20160` });
      return s;
    });
    return JSON.stringify({ count: STORES, stores }, null, 2);
  } finally {
    await sim.close();
  }
}

beforeAll(async () => {
  const text = await tenThousandStores();
  storesBytes = Buffer.byteLength(text);
  pd = createServer((req, res) => {
    if (req.url?.startsWith('/pd/api/v1/stores')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(text);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
  });
  await new Promise<void>((r) => pd.listen(0, '127.0.0.1', r));
  pdUrl = `http://127.0.0.1:${(pd.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  pd.closeAllConnections();
  await new Promise((r) => pd.close(r));
});

const storesQuery = () => ({
  from: Date.now() - 3_600_000,
  to: Date.now(),
  queries: [{ refId: 'A', kind: 'observation', observation: 'get_stores' }],
});

test('the default PD limit admits a 10,000-store /stores', async () => {
  expect(storesBytes).toBeGreaterThan(8 * 1024 * 1024);
  const b = await startBackend({ env: { PD_URL: pdUrl, CHECK_INTERVAL: '1h' } });
  try {
    expect(b.config.upstream.pdMaxBodyBytes).toBeGreaterThan(2 * storesBytes);
    const res = await b.request('POST', '/api/query', { body: storesQuery() });
    expect(res.status).toBe(200);
    expect(res.json.results.A.error).toBeUndefined();
    expect(res.json.results.A.frames[0].data.values[0]).toHaveLength(STORES);
  } finally {
    await b.close();
  }
}, 60_000);

test('a PD answer over PD_MAX_BODY_BYTES names that variable and what to do', async () => {
  const b = await startBackend({ env: { PD_URL: pdUrl, CHECK_INTERVAL: '1h', PD_MAX_BODY_BYTES: '1000000' } });
  try {
    const res = await b.request('POST', '/api/query', { body: storesQuery() });
    expect(res.json.results.A.status).toBe(502);
    expect(res.json.results.A.error).toMatch(/^PD \/stores.*answer larger than 1000000 bytes \(PD_MAX_BODY_BYTES\): raise it/);
  } finally {
    await b.close();
  }
}, 60_000);

test('a Prometheus answer over UPSTREAM_MAX_BODY_BYTES names that variable, and PD is not bound by it', async () => {
  const prom = await startPromFakeServer((req) =>
    req.path === '/api/v1/query_range'
      ? { body: { status: 'success', data: { resultType: 'matrix', result: [{ metric: { instance: 'x' }, values: Array.from({ length: 2000 }, (_, i) => [i, '1']) }] } } }
      : undefined
  );
  const b = await startBackend({ env: { PD_URL: pdUrl, PROMETHEUS_URL: prom.url, CHECK_INTERVAL: '1h', UPSTREAM_MAX_BODY_BYTES: '5000' } });
  try {
    const res = await b.request('POST', '/api/query', {
      body: {
        ...storesQuery(),
        queries: [
          { refId: 'A', kind: 'observation', observation: 'get_stores' },
          { refId: 'B', kind: 'observation', observation: 'get_store_metrics', storeIds: [1] },
        ],
      },
    });
    expect(res.json.results.A.error).toBeUndefined();
    expect(res.json.results.B.error).toMatch(/answer larger than 5000 bytes \(UPSTREAM_MAX_BODY_BYTES\): ask for less/);
  } finally {
    await b.close();
    await prom.close();
  }
}, 60_000);
