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

test('two clients of one URL on one cache never answer each other, and invalidate() forgets only its own answers', async () => {
  // Two clusters' Prometheus on one multi-tenant URL: the same kind, path and query, another tenant's credentials.
  const cache = new AnswerCache<Answer<unknown>>(60_000, 1_000_000);
  const a = new UpstreamHttp({ upstream: 'prometheus', baseUrls: [url], headers: { 'x-who': 'tenant-a' }, cache });
  const b = new UpstreamHttp({ upstream: 'prometheus', baseUrls: [url], headers: { 'x-who': 'tenant-b' }, cache });
  try {
    calls = 0;
    expect((await a.get('/same')).data).toEqual({ who: 'tenant-a' });
    expect((await b.get('/same')).data).toEqual({ who: 'tenant-b' });
    expect((await a.get('/same')).data).toEqual({ who: 'tenant-a' });
    expect(calls).toBe(2);
    expect(cache.size).toBe(2);
    a.invalidate();
    expect(cache.size).toBe(1);
    expect((await b.get('/same')).data).toEqual({ who: 'tenant-b' });
    expect(calls).toBe(2);
  } finally {
    await a.close();
    await b.close();
  }
});
