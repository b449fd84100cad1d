/**
 * Issue 12 item 2: PD member 1 black-holed (accepts connections, never answers), member 2 healthy. A call that gave
 * up on member 1 must go to member 2 even when another call moved the preferred member meanwhile (it went back to
 * the hung one: 20 s then 504), and health must report PD up although the first member eats its whole timeout.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';

import { UpstreamHttp } from '../../../src/subject/http/upstream';
import { createSimulator } from '../../../src/simulator/server';
import { startBackend } from '../../support/backend';

let hung: Server;
let hungUrl: string;
const sockets = new Set<Socket>();
let healthy: HttpServer;
let healthyUrl: string;

beforeAll(async () => {
  hung = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
  healthy = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  await new Promise<void>((r) => healthy.listen(0, '127.0.0.1', r));
  healthyUrl = `http://127.0.0.1:${(healthy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) {
    s.destroy();
  }
  await new Promise((r) => hung.close(r));
  healthy.closeAllConnections();
  await new Promise((r) => healthy.close(r));
});

test('a call that gave up on the hung member goes on to the healthy one, though another call moved the preferred member', async () => {
  const http = new UpstreamHttp({ upstream: 'pd', baseUrls: [hungUrl, healthyUrl], timeoutMs: 600 });
  try {
    // Both start at the hung member; the first fails over (and moves `preferred`) 300 ms before the second does.
    const first = http.get('/first');
    await new Promise((r) => setTimeout(r, 300));
    const second = http.get('/second');
    const [a, b] = await Promise.all([first, second]);
    expect(a.origin).toBe(healthyUrl);
    expect(b.origin).toBe(healthyUrl);
    // From then on, concurrent calls start at the healthy member.
    const started = performance.now();
    const more = await Promise.all(Array.from({ length: 20 }, (_, i) => http.get(`/more-${i}`)));
    expect(more.every((m) => m.origin === healthyUrl)).toBe(true);
    // Generous: the defect took a whole extra timeout per call and then failed.
    expect(performance.now() - started).toBeLessThan(5000);
  } finally {
    await http.close();
  }
});

test('health reports PD up when the first member is black-holed (each member gets a share of the health timeout)', async () => {
  const pd = await createSimulator({ stores: 3, regions: 20, seed: 1 });
  const b = await startBackend({
    env: { CHECK_INTERVAL: '1h', HEALTH_TIMEOUT_MS: '1500', UPSTREAM_TIMEOUT_MS: '2000', PD_URL: `${hungUrl},${pd.pdUrl}` },
  });
  try {
    const res = await b.request('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.json.pd).toMatchObject({ ok: true });
    expect(res.json.pd.latencyMs).toBeLessThan(1500);
  } finally {
    await b.close();
    await pd.close();
  }
});
