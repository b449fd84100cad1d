/**
 * Issue 11 item 6: when Grafana cancels a query (its connection to the backend closes), the backend aborts the
 * upstream requests it made for it: the stand-in Prometheus, which never answers, sees its request's connection
 * close long before the backend's upstream timeout. A request shared with another caller keeps running until its
 * last caller has gone.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { waitFor } from '../../../src/embedded/prometheus';
import { UpstreamHttp } from '../../../src/subject/http/upstream';
import { startBackend, type TestBackend } from '../../support/backend';

/** A Prometheus that accepts every `query_range` and never answers; it records each request and whether it closed. */
interface Held {
  path: string;
  query: string;
  closed: boolean;
}
let held: Held[] = [];
let prom: Server;
let promUrl: string;
let b: TestBackend;

beforeAll(async () => {
  prom = createServer((req: IncomingMessage, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/api/v1/status/buildinfo') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success","data":{"version":"2.53.0"}}');
      return;
    }
    const h: Held = { path: u.pathname, query: u.searchParams.get('query') ?? '', closed: false };
    res.once('close', () => (h.closed = true));
    // Every query is held and watched: the history's first requests may be instant ones (its recording-rule and
    // series-count probes). The live checker's instant queries come once at start, before the tests clear `held`.
    if (u.pathname === '/api/v1/query_range' || u.pathname === '/api/v1/query') {
      held.push(h);
    }
  });
  await new Promise<void>((r) => prom.listen(0, '127.0.0.1', r));
  promUrl = `http://127.0.0.1:${(prom.address() as AddressInfo).port}`;
  // A long upstream timeout: only the cancellation can close the held requests within the test.
  b = await startBackend({ env: { PROMETHEUS_URL: promUrl, UPSTREAM_TIMEOUT_MS: '120000', CHECK_INTERVAL: '1h' } });
});

afterAll(async () => {
  // Held requests first, or the backend's close would wait for them.
  prom.closeAllConnections();
  await b?.close();
  await new Promise((r) => prom.close(r));
});

beforeEach(() => {
  held = [];
});

/** POSTs a query and aborts it once Prometheus holds `expected` requests for it. */
async function cancelOnceHeld(query: Record<string, unknown>, expected: number, watched = (_: Held) => true): Promise<void> {
  const ac = new AbortController();
  const now = Date.now();
  const sent = fetch(`${b.url}/api/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: now - 3_600_000, to: now, intervalMs: 15_000, maxDataPoints: 240, queries: [query] }),
    signal: ac.signal,
  }).catch((err: Error) => err);
  await waitFor(`${expected} requests held by Prometheus`, async () => (held.filter(watched).length >= expected ? true : undefined), 10_000);
  expect(held.filter(watched).every((h) => !h.closed)).toBe(true);
  ac.abort();
  expect(await sent).toHaveProperty('name', 'AbortError');
}

test('a cancelled store metrics panel aborts its Prometheus range queries', async () => {
  // Range queries only: the live checker's first instant queries may land in this test's window too.
  const range = (h: Held) => h.path === '/api/v1/query_range';
  await cancelOnceHeld({ refId: 'A', kind: 'observation', observation: 'get_store_metrics' }, 6, range);
  await waitFor('Prometheus to see every request closed', async () => (held.filter(range).every((h) => h.closed) ? true : undefined), 10_000);
  expect(new Set(held.filter(range).map((h) => h.query)).size).toBe(6);
});

test('a cancelled invariant history aborts its Prometheus range queries', async () => {
  // One held request per invariant at least (whichever the history sends first).
  await cancelOnceHeld({ refId: 'A', kind: 'invariant', invariants: ['store_down', 'low_disk'], format: 'violations' }, 2);
  await waitFor('Prometheus to see every request closed', async () => (held.every((h) => h.closed) ? true : undefined), 10_000);
  // The backend went on answering other clients.
  const health = await b.request('GET', '/api/health');
  expect(health.status).toBe(200);
});

test('a cancelled SLO panel aborts its Prometheus queries', async () => {
  await cancelOnceHeld({ refId: 'A', kind: 'slo', format: 'budget' }, 1);
  await waitFor('Prometheus to see every request closed', async () => (held.every((h) => h.closed) ? true : undefined), 10_000);
});

test('a shared GET goes on while one caller remains, and is aborted when its last caller goes away', async () => {
  const http = new UpstreamHttp({ upstream: 'prometheus', baseUrls: [promUrl], timeoutMs: 120_000 });
  try {
    const first = new AbortController();
    const second = new AbortController();
    const a = http.get('/api/v1/query_range', { query: { query: 'up' }, signal: first.signal }).catch((e: Error) => e);
    const c = http.get('/api/v1/query_range', { query: { query: 'up' }, signal: second.signal }).catch((e: Error) => e);
    await waitFor('the shared request held', async () => (held.length === 1 ? true : undefined), 10_000);
    first.abort();
    expect((await a) as Error).toHaveProperty('name', 'AbortError');
    // Long enough for a close to reach the server over loopback, were it sent.
    await new Promise((r) => setTimeout(r, 300));
    expect(held).toHaveLength(1);
    expect(held[0].closed).toBe(false);
    second.abort();
    expect((await c) as Error).toHaveProperty('name', 'AbortError');
    await waitFor('the shared request closed', async () => (held[0].closed ? true : undefined), 10_000);
    expect(held).toHaveLength(1);
  } finally {
    await http.close();
  }
});
