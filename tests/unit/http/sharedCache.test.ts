/**
 * The backend's PD and Prometheus clients share one byte budget (one AnswerCache): each client still gets only its
 * own answers, and a PD write forgets PD's answers only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { AnswerCache } from '../../../src/subject/http/answerCache';
import { type Answer, UpstreamHttp } from '../../../src/subject/http/upstream';

let server: Server;
let url: string;
let calls = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    calls++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ who: req.headers['x-who'] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test('two clients of one upstream URL with other credentials never answer each other from the cache', async () => {
  // Two clusters' Prometheus on one multi-tenant URL: the same path, another tenant.
  const cache = new AnswerCache<Answer<unknown>>(60_000, 1_000_000);
  const a = new UpstreamHttp({ upstream: 'prometheus', baseUrls: [url], headers: { 'x-who': 'tenant-a' }, cache });
  const b = new UpstreamHttp({ upstream: 'prometheus', baseUrls: [url], headers: { 'x-who': 'tenant-b' }, cache });
  try {
    expect((await a.get('/api/v1/query', { query: { query: 'up' } })).data).toEqual({ who: 'tenant-a' });
    expect((await b.get('/api/v1/query', { query: { query: 'up' } })).data).toEqual({ who: 'tenant-b' });
  } finally {
    await a.close();
    await b.close();
  }
});

test('two clients on one cache never answer each other, and invalidate() forgets only its own answers', async () => {
  const cache = new AnswerCache<Answer<unknown>>(60_000, 1_000_000);
  const pd = new UpstreamHttp({ upstream: 'pd', baseUrls: [url], headers: { 'x-who': 'pd' }, cache });
  const prom = new UpstreamHttp({ upstream: 'prometheus', baseUrls: [url], headers: { 'x-who': 'prometheus' }, cache });
  try {
    calls = 0;
    expect((await pd.get('/same')).data).toEqual({ who: 'pd' });
    expect((await prom.get('/same')).data).toEqual({ who: 'prometheus' });
    expect((await pd.get('/same')).data).toEqual({ who: 'pd' });
    expect(calls).toBe(2);
    expect(cache.size).toBe(2);
    pd.invalidate();
    expect(cache.size).toBe(1);
    expect((await prom.get('/same')).data).toEqual({ who: 'prometheus' });
    expect(calls).toBe(2);
  } finally {
    await pd.close();
    await prom.close();
  }
});
