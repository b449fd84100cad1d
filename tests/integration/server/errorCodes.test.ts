/**
 * Every error answer carries a `TKO_ERR_*` code: fastify's own 4xx (bad JSON, bad URL, wrong content type, body
 * too large), each query's own error in a batch, and bounds the schema puts where Prometheus would refuse (a range
 * longer than its longest duration). A per-query override the query path cannot honour is refused, naming it.
 */
import http from 'node:http';

import { startBackend, type TestBackend } from '../../support/backend';

let b: TestBackend;

beforeAll(async () => {
  b = await startBackend({ prometheus: true });
});
afterAll(() => b.close());

const stores = { refId: 'A', kind: 'observation', observation: 'get_stores' };
const hourAgo = () => Date.now() - 3_600_000;

/** A raw request (fetch would refuse or normalize the malformed ones). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; json: any }>((resolve, reject) => {
    const url = new URL(b.url);
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe("fastify's own errors carry our codes", () => {
  test.each([
    [
      'a wrong content type',
      'POST',
      '/api/query',
      { 'content-type': 'application/xml' },
      'x',
      415,
      'TKO_ERR_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a body above the limit',
      'POST',
      '/api/query',
      { 'content-type': 'application/json' },
      `"${'x'.repeat(1_100_000)}"`,
      413,
      'TKO_ERR_BODY_TOO_LARGE',
    ],
    [
      'a body that is not JSON',
      'POST',
      '/api/query',
      { 'content-type': 'application/json' },
      '{"from": ',
      400,
      'TKO_ERR_BAD_QUERY',
    ],
    ['an empty JSON body', 'POST', '/api/query', { 'content-type': 'application/json' }, '', 400, 'TKO_ERR_BAD_QUERY'],
    ['a URL with a bad escape', 'GET', '/api/%zz', {}, undefined, 400, 'TKO_ERR_BAD_QUERY'],
  ])('%s', async (_what, method, path, headers, body, status, code) => {
    const res = await raw(method, path, headers, body);
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ statusCode: status, code });
    expect(res.json.message.length).toBeGreaterThan(0);
  });
});

describe('per-query errors', () => {
  test('carry a code beside error and status, while the other query answers', async () => {
    const res = await b.request('POST', '/api/query', {
      body: {
        from: hourAgo(),
        to: Date.now(),
        queries: [stores, { refId: 'B', kind: 'observation', observation: 'get_stores', storeIds: [99] }],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.results.A.error).toBeUndefined();
    expect(res.json.results.B).toMatchObject({
      status: 404,
      code: 'TKO_ERR_STORE_NOT_FOUND',
      error: 'store 99 not found in PD',
    });
  });
});

describe('ranges Prometheus would refuse', () => {
  test.each([
    // Before: Prometheus answered 400 (its step "overflows int64") and the query a 502.
    ["a range longer than Prometheus' longest duration", { from: 0, to: 8_640_000_000_000_000 }, 'to'],
    ['a `to` past the last JS date', { from: 0, to: 9_000_000_000_000_000 }, 'to'],
    ["an interval longer than Prometheus' longest duration", { from: 0, to: 1, intervalMs: 1e16 }, 'intervalMs'],
  ])('%s is a 400 naming the field', async (_what, range, field) => {
    const res = await b.request('POST', '/api/query', {
      body: { ...range, queries: [{ refId: 'A', kind: 'observation', observation: 'get_store_metrics' }] },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'TKO_ERR_BAD_QUERY' });
    expect(res.json.message.startsWith(`${field}: `)).toBe(true);
  });

  test('the longest range Prometheus takes still answers', async () => {
    const res = await b.request('POST', '/api/query', {
      body: {
        from: 0,
        to: 9_223_372_036_854,
        queries: [{ refId: 'A', kind: 'observation', observation: 'get_store_metrics' }],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.results.A.error).toBeUndefined();
  });
});

describe("store_down's heartbeat timeout", () => {
  test('is not a per-query override: a query carrying it gets a 400 naming it', async () => {
    const res = await b.request('POST', '/api/query', {
      body: {
        from: hourAgo(),
        to: Date.now(),
        queries: [{ refId: 'A', kind: 'invariant', overrides: { store_down: { heartbeatTimeoutSeconds: 5 } } }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('TKO_ERR_BAD_QUERY');
    expect(res.json.message).toMatch(/^queries\[0\]\.overrides: .*store_down/);
  });
});
