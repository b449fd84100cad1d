/**
 * The audit trail when things go wrong, through the whole backend (buildApp as `npm start` builds it):
 * - PostgreSQL down at start: the backend starts, reads work, `/api/health` says the audit store is down, and an
 *   execution is refused with 503 TKO_ERR_AUDIT_UNAVAILABLE before PD is asked.
 * - PostgreSQL down mid-way (after start): same — nothing is sent to PD, the answer says so.
 * - A gateway in front of PD answers 502/504 after forwarding the write: PD applied it, the row says `unknown`.
 * - Viewers (the read token's `kind: "audit"` query) see the redacted trail; the actions token sees full rows.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../../../src/embedded/prometheus';
import { PDClient } from '../../../src/subject/pd/client';
import { type TestPostgres, startPostgres } from '../../support/postgres';
import { startBackend, type TestBackend } from '../../support/backend';
import { regionWithFollower } from './harness';

const API_TOKEN = 'read-token-faults-012345';
const ACTIONS_TOKEN = 'actions-token-faults-6789';
const actionsEnv = { API_TOKEN, ACTIONS_ENABLED: 'true', ACTIONS_TOKEN, AUDIT_DB_TIMEOUT_MS: '1000' };

let pgServer: TestPostgres;
let dir: string;
const backends: TestBackend[] = [];

beforeAll(async () => {
  pgServer = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'audit-faults-'));
});
afterAll(async () => {
  for (const b of backends) {
    await b.close();
  }
  await pgServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function backend(env: Record<string, string>): Promise<TestBackend> {
  const b = await startBackend({
    stores: 4,
    regions: 60,
    seed: 11,
    env: { ...actionsEnv, ...env },
    deps: { checker: false },
  });
  backends.push(b);
  return b;
}

const limitOf = async (b: TestBackend) =>
  ((await (await fetch(`${b.sim.pdUrl}/config/schedule`)).json()) as Record<string, number>)['leader-schedule-limit'];

test('PostgreSQL down at start: reads work, health names the audit store, executions are refused before PD', async () => {
  const port = await freePort();
  const b = await backend({ AUDIT_DB_URL: `postgres://tko:db-pass-secret@127.0.0.1:${port}/audit` });
  const health = await b.request('GET', '/api/health', { token: API_TOKEN });
  expect(health.status).toBe(200);
  expect(health.json.status).toBe('degraded');
  expect(health.json.pd.ok).toBe(true);
  expect(health.json.audit).toMatchObject({ ok: false, store: 'postgres' });
  expect(health.json.audit.message).toMatch(/not connected .*actions are refused/);

  const before = await limitOf(b);
  const run = await b.request('POST', '/api/actions/set_leader_schedule_limit/execute', {
    token: ACTIONS_TOKEN,
    body: { 'leader-schedule-limit': before + 3 },
  });
  expect(run.status).toBe(503);
  expect(run.json.code).toBe('TKO_ERR_AUDIT_UNAVAILABLE');
  expect(run.json.message).toMatch(
    /^set_leader_schedule_limit was not sent to PD: the audit store could not record it/
  );
  expect(await limitOf(b)).toBe(before);
  for (const text of [health.text, run.text, b.logs()]) {
    expect(text).not.toContain('db-pass-secret');
  }
});

test('PostgreSQL stops after start: the action is not sent to PD and the answer says so', async () => {
  await pgServer.createDatabase('midway');
  const b = await backend({ AUDIT_DB_URL: pgServer.url('midway') });
  const ok = await b.request('GET', '/api/health', { token: API_TOKEN });
  expect(ok.json.audit).toMatchObject({ ok: true, store: 'postgres', message: 'ok' });
  const before = await limitOf(b);
  await pgServer.stopServer();
  try {
    const run = await b.request('POST', '/api/actions/set_leader_schedule_limit/execute', {
      token: ACTIONS_TOKEN,
      body: { 'leader-schedule-limit': before + 2 },
    });
    expect(run.status).toBe(503);
    expect(run.json.code).toBe('TKO_ERR_AUDIT_UNAVAILABLE');
    expect(run.json.message).toMatch(/not sent to PD/);
    expect(await limitOf(b)).toBe(before);
    expect(run.text).not.toContain(pgServer.password);
    expect(b.logs()).not.toContain(pgServer.password);
  } finally {
    await pgServer.startServer();
  }
});

/** Forwards to PD, waits for PD's answer, then answers `status` itself (a proxy that lost PD's answer). */
async function lossyGateway(target: string, status: number): Promise<{ url: string; server: Server }> {
  const t = new URL(target);
  const server = createServer((req, res) => {
    const up = httpRequest(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        if (req.method === 'POST' && req.url?.endsWith('/operators')) {
          r.resume();
          r.on('end', () => res.writeHead(status, { 'content-type': 'text/html' }).end(`<html>${status}</html>`));
          return;
        }
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      }
    );
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test.each([502, 504])(
  'a gateway answering %i after forwarding the write: PD applied it, the row is "unknown", not "failed"',
  async (status) => {
    const b = await backend({ AUDIT_DB_PATH: join(dir, `gateway-${status}.db`) });
    const gw = await lossyGateway(b.sim.url, status);
    // This backend's PD is the gateway.
    const viaGateway = await startBackend({
      stores: 4,
      env: { ...actionsEnv, PD_URL: `${gw.url}/pd/api/v1`, AUDIT_DB_PATH: join(dir, `gateway-${status}-b.db`) },
      deps: { checker: false },
    });
    backends.push(viaGateway);
    const pd = new PDClient({ urls: [b.sim.pdUrl] });
    try {
      const r = await regionWithFollower(pd, 1001);
      const run = await viaGateway.request('POST', '/api/actions/transfer_leader/execute', {
        token: ACTIONS_TOKEN,
        body: { region_id: r.region_id, to_store_id: r.follower },
      });
      expect(run.status).toBe(502);
      const rows = (await viaGateway.request('GET', '/api/actions/audit', { token: ACTIONS_TOKEN })).json.rows;
      expect(rows).toEqual([expect.objectContaining({ action: 'transfer_leader', outcome: 'unknown' })]);
      expect(rows[0].error).toMatch(new RegExp(`HTTP ${status}|${status}`));
    } finally {
      await pd.close();
      await new Promise<void>((resolve) => gw.server.close(() => resolve()));
    }
  }
);

test('Viewers get the redacted trail through kind:"audit"; the actions token gets full rows', async () => {
  const b = await backend({ AUDIT_DB_PATH: join(dir, 'redacted.db') });
  const run = await b.request('POST', '/api/actions/set_leader_schedule_limit/execute', {
    token: ACTIONS_TOKEN,
    body: { 'leader-schedule-limit': 11 },
    headers: { 'X-Grafana-User': 'alice' },
  });
  expect(run.status).toBe(200);
  const query = (format: string) => ({
    from: Date.now() - 60_000,
    to: Date.now() + 60_000,
    queries: [{ refId: 'T', kind: 'audit', format }],
  });

  const table = (await b.request('POST', '/api/query', { token: API_TOKEN, body: query('table') })).json.results.T
    .frames[0];
  expect(table.schema.fields.map((f: { name: string }) => f.name)).toEqual([
    'started_at',
    'finished_at',
    'who',
    'action',
    'target',
    'outcome',
  ]);
  expect(table.data.values.slice(2)).toEqual([
    ['alice'],
    ['set_leader_schedule_limit'],
    ['config leader-schedule-limit'],
    ['ok'],
  ]);
  const annotations = await b.request('POST', '/api/query', { token: API_TOKEN, body: query('annotations') });
  const anno = annotations.json.results.T.frames[0];
  const text = anno.data.values[anno.schema.fields.findIndex((f: { name: string }) => f.name === 'text')];
  expect(text).toEqual(['alice ran set_leader_schedule_limit on config leader-schedule-limit']);
  for (const answer of [JSON.stringify(table), annotations.text]) {
    expect(answer).not.toMatch(/leader-schedule-limit":|"11"|\b11\b|PD would|updated/i);
  }

  const full = await b.request('GET', '/api/actions/audit', { token: ACTIONS_TOKEN });
  expect(full.json.rows[0]).toMatchObject({
    params: { 'leader-schedule-limit': 11 },
    pd_answer: expect.any(String),
    preflight: expect.objectContaining({ summary: expect.any(String) }),
  });
});
