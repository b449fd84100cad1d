/**
 * Configured secrets never reach an answer, `/api/health` or a log line, even when an upstream echoes our
 * `Authorization` header back in its error (a gateway or a proxy in front of Prometheus does); a token in a request
 * URL's query string is redacted in the logs.
 */
import { startBackend, type TestBackend } from '../../support/backend';
import { type PromFakeServer, startPromFakeServer } from '../../support/promFakeServer';

const PROM_TOKEN = 'prom-bearer-5f0c2a9e71d34b86';
const API_TOKEN = 'read-token-93be1f0c47a2d5e6';
const URL_TOKEN = 'url-token-0a7d3c5e9b1f2468';

let prom: PromFakeServer;
let b: TestBackend;

beforeAll(async () => {
  // Every answer echoes the Authorization header it got: a 502 text page for the health probe, Prometheus' own
  // error shape for queries.
  prom = await startPromFakeServer((req) =>
    req.path === '/api/v1/status/buildinfo'
      ? { status: 502, body: `bad gateway; request had Authorization: ${req.headers.authorization}` }
      : {
          status: 400,
          body: {
            status: 'error',
            errorType: 'bad_data',
            error: `rejected header authorization=${req.headers.authorization}`,
          },
        }
  );
  b = await startBackend({ env: { PROMETHEUS_URL: prom.url, PROMETHEUS_BEARER_TOKEN: PROM_TOKEN, API_TOKEN } });
});
afterAll(async () => {
  await b?.close();
  await prom?.close();
});

test('an upstream echoing the bearer token: not in the query answer, the health report or the logs', async () => {
  const res = await b.request('POST', '/api/query', {
    token: API_TOKEN,
    body: {
      from: Date.now() - 3_600_000,
      to: Date.now(),
      queries: [{ refId: 'A', kind: 'observation', observation: 'get_store_metrics' }],
    },
  });
  expect(res.status).toBe(200);
  expect(res.json.results.A).toMatchObject({ status: 502, code: 'TKO_ERR_UPSTREAM_STATUS' });
  // The echo arrived (so the test would see a leak), with the token taken out.
  expect(res.json.results.A.error).toContain('Bearer [redacted]');
  expect(res.text).not.toContain(PROM_TOKEN);

  const health = await b.request('GET', '/api/health', { token: API_TOKEN });
  expect(health.json.prometheus.ok).toBe(false);
  expect(health.json.prometheus.message).toContain('[redacted]');
  expect(health.text).not.toContain(PROM_TOKEN);

  expect(b.logs()).toContain('[redacted]');
  expect(b.logs()).not.toContain(PROM_TOKEN);
  expect(b.logs()).not.toContain(API_TOKEN);
});

test("a token in a request URL's query string is redacted in the logs", async () => {
  await b.request('GET', `/api/subject?access_token=${URL_TOKEN}&other=1`, { token: API_TOKEN });
  await b.request('GET', `/api/nothing?token=${URL_TOKEN}`, { token: API_TOKEN });
  expect(b.logs()).toContain('access_token=[redacted]&other=1');
  expect(b.logs()).toContain('/api/nothing?token=[redacted]');
  expect(b.logs()).not.toContain(URL_TOKEN);
});
