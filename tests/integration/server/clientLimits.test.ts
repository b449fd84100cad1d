/**
 * Issue 12 item 3: slow and idle clients. Authenticated slow bodies and idle keep-alive connections were held
 * forever (only file descriptors bounded them). With short limits from the configuration: 500 sockets dripping a
 * body are closed by the request timeout, idle sockets by the header and keep-alive timeouts, connections beyond
 * MAX_CONNECTIONS are refused, and 50 concurrent dashboard clients under the default cap all get their answers.
 */
import { connect, type Socket } from 'node:net';

import { Agent, request } from 'undici';

import { waitFor } from '../../../src/embedded/prometheus';
import { startBackend, type TestBackend } from '../../support/backend';

const TOKEN = 'client-limits-token-0123456789';
const QUERY = JSON.stringify({
  from: Date.now() - 3_600_000,
  to: Date.now(),
  queries: [{ refId: 'A', kind: 'observation', observation: 'get_stores' }],
});

let b: TestBackend;

beforeAll(async () => {
  b = await startBackend({
    env: { API_TOKEN: TOKEN, CHECK_INTERVAL: '1h', REQUEST_TIMEOUT_MS: '1000', KEEP_ALIVE_TIMEOUT_MS: '500' },
  });
});

afterAll(async () => {
  await b?.close();
});

interface Client {
  socket: Socket;
  closed: boolean;
  received: string;
}

/** Opens `n` sockets to the backend; resolves once all are connected. */
async function open(url: string, n: number): Promise<Client[]> {
  const { hostname, port } = new URL(url);
  return Promise.all(
    Array.from({ length: n }, () =>
      new Promise<Client>((resolve, reject) => {
        const socket = connect(Number(port), hostname);
        const c: Client = { socket, closed: false, received: '' };
        socket.on('data', (d: Buffer) => (c.received += d.toString()));
        socket.on('close', () => (c.closed = true));
        socket.on('error', () => undefined);
        socket.once('connect', () => resolve(c));
        socket.once('error', reject);
      })
    )
  );
}

test('500 authenticated slow-body sockets are closed by the request timeout (408)', async () => {
  const clients = await open(b.url, 500);
  const head = [
    'POST /api/query HTTP/1.1',
    'Host: 127.0.0.1',
    `Authorization: Bearer ${TOKEN}`,
    'Content-Type: application/json',
    `Content-Length: ${QUERY.length}`,
    '',
    '',
  ].join('\r\n');
  for (const c of clients) {
    c.socket.write(head);
  }
  // One byte each every 200 ms: never idle, so only the whole-request deadline can end them.
  let sent = 0;
  const drip = setInterval(() => {
    for (const c of clients) {
      if (!c.closed && sent < QUERY.length) {
        c.socket.write(QUERY[sent]);
      }
    }
    sent++;
  }, 200);
  try {
    await waitFor('every slow socket closed by the backend', async () => (clients.every((c) => c.closed) ? true : undefined), 30_000);
  } finally {
    clearInterval(drip);
    clients.forEach((c) => c.socket.destroy());
  }
  // Still far from the whole body: the backend, not the end of the body, ended them.
  expect(sent).toBeLessThan(QUERY.length);
  expect(clients.filter((c) => c.received.startsWith('HTTP/1.1 408')).length).toBeGreaterThan(450);
  // And it still answers.
  const res = await b.request('POST', '/api/query', { body: QUERY, token: TOKEN });
  expect(res.status).toBe(200);
}, 60_000);

test('sockets that never send a request, and idle keep-alive connections after an answer, are closed', async () => {
  const idle = await open(b.url, 50);
  const kept = await open(b.url, 10);
  for (const c of kept) {
    c.socket.write(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: keep-alive\r\n\r\n`);
  }
  try {
    await waitFor(
      'idle and kept-alive sockets closed by the backend',
      async () => ([...idle, ...kept].every((c) => c.closed) ? true : undefined),
      20_000
    );
  } finally {
    [...idle, ...kept].forEach((c) => c.socket.destroy());
  }
  // The kept-alive ones were answered first, and told the connection stays open for a while.
  expect(kept.every((c) => c.received.startsWith('HTTP/1.1 200') && /connection: keep-alive/i.test(c.received))).toBe(true);
  expect(idle.every((c) => c.received === '' || c.received.startsWith('HTTP/1.1 408'))).toBe(true);
}, 60_000);

test('50 concurrent dashboard clients are all served under the default connection cap', async () => {
  expect(b.config.clients.maxConnections).toBe(1024);
  const agents = Array.from({ length: 50 }, () => new Agent({ connections: 1 }));
  try {
    const statuses = await Promise.all(
      agents.flatMap((agent) =>
        Array.from({ length: 4 }, async () => {
          const r = await request(`${b.url}/api/query`, {
            method: 'POST',
            dispatcher: agent,
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: QUERY,
          });
          await r.body.text();
          return r.statusCode;
        })
      )
    );
    expect(statuses).toHaveLength(200);
    expect(statuses.every((s) => s === 200)).toBe(true);
  } finally {
    await Promise.all(agents.map((a) => a.close()));
  }
}, 60_000);

test('connections beyond MAX_CONNECTIONS are refused, and accepted again once others close', async () => {
  const capped = await startBackend({ env: { CHECK_INTERVAL: '1h', MAX_CONNECTIONS: '10' } });
  try {
    const held = await open(capped.url, 10);
    // Node counts a connection once accepted: wait until the backend holds all ten.
    await waitFor('ten connections held', async () => {
      const n = await new Promise<number>((r) => capped.app.server.getConnections((_e, c) => r(c)));
      return n === 10 ? true : undefined;
    }, 10_000);
    const refused = await fetch(`${capped.url}/api/health`).then(
      () => 'answered',
      () => 'refused'
    );
    expect(refused).toBe('refused');
    held.forEach((c) => c.socket.destroy());
    await waitFor('the backend answering again', async () => ((await capped.request('GET', '/api/health')).status === 200 ? true : undefined), 10_000);
  } finally {
    await capped.close();
  }
}, 60_000);
