/**
 * The actions plugin mounted on a bare fastify instance, in front of the simulator's PD (through a loopback
 * recorder that keeps the X-Caller-ID headers PD received) and a real audit log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Fastify, { type FastifyInstance } from 'fastify';

import type { AuditRow } from '../../../src/server/audit/auditLog';
import { SqliteAuditStore } from '../../../src/server/audit/sqliteStore';
import { singleCluster } from '../../../src/server/clusters';
import { errorHandler } from '../../../src/server/errorHandler';
import { actionsRoutes, type ActionsRouteOptions } from '../../../src/server/routes/actions';
import { PDClient } from '../../../src/subject/pd/client';
import { type PdRecorder, startPdRecorder } from '../../support/pdRecorder';
import { type Harness, regionWithOutsider, startHarness } from './harness';

const READ = 'read-token-0123456789';
const ACTIONS = 'actions-token-9876543210';

async function appWith(o: ActionsRouteOptions): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false });
  app.setErrorHandler(errorHandler);
  await app.register(actionsRoutes, { prefix: '/api/actions', ...o });
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
}

interface Call {
  token?: string;
  user?: string;
  body?: unknown;
  method?: string;
}

async function call(base: string, path: string, c: Call = {}) {
  const headers: Record<string, string> = {};
  if (c.token) {
    headers.authorization = `Bearer ${c.token}`;
  }
  if (c.user) {
    headers['x-grafana-user'] = c.user;
  }
  if (c.body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(base + path, {
    method: c.method ?? 'POST',
    headers,
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('/api/actions routes', () => {
  let h: Harness;
  let rec: PdRecorder;
  let pd: PDClient;
  let dir: string;
  let audit: SqliteAuditStore;
  let on: { app: FastifyInstance; url: string };
  let off: { app: FastifyInstance; url: string };

  beforeAll(async () => {
    h = await startHarness({ stores: 4, evictMs: 200, drainMs: 600_000 });
    rec = await startPdRecorder(h.sim.url);
    pd = new PDClient({ urls: [`${rec.url}/pd/api/v1`] });
    dir = mkdtempSync(join(tmpdir(), 'actions-routes-'));
    audit = new SqliteAuditStore({ path: join(dir, 'audit.db'), lockWaitMs: 2000, log: console });
    on = await appWith({ enabled: true, token: ACTIONS, readToken: READ, clusters: singleCluster(pd), audit });
    off = await appWith({ enabled: false, token: ACTIONS, readToken: READ, clusters: singleCluster(pd), audit });
  });
  afterAll(async () => {
    await on.app.close();
    await off.app.close();
    await audit.close();
    await pd.close();
    await new Promise((r) => rec.server.close(r));
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const limitBody = { 'leader-schedule-limit': 6 };

  test('refused without a token (401), with a wrong token or the read token (403), and when disabled (403)', async () => {
    const none = await call(on.url, '/api/actions/set_leader_schedule_limit/execute', { body: limitBody });
    expect(none).toMatchObject({ status: 401, body: { code: 'TKO_ERR_UNAUTHORIZED' } });
    const wrong = await call(on.url, '/api/actions/set_leader_schedule_limit/execute', {
      token: 'guess',
      body: limitBody,
    });
    expect(wrong).toMatchObject({
      status: 403,
      body: { code: 'TKO_ERR_FORBIDDEN', message: 'wrong bearer token for /api/actions (ACTIONS_TOKEN)' },
    });
    const read = await call(on.url, '/api/actions/set_leader_schedule_limit/execute', { token: READ, body: limitBody });
    expect(read.status).toBe(403);
    expect(read.body.message).toMatch(/read token \(API_TOKEN\) is refused on \/api\/actions/);
    const disabled = await call(off.url, '/api/actions/set_leader_schedule_limit/execute', {
      token: ACTIONS,
      body: limitBody,
    });
    expect(disabled).toMatchObject({ status: 403, body: { code: 'TKO_ERR_ACTION_DISABLED' } });
    expect((await pd.getScheduleConfig()).data['leader-schedule-limit']).toBe(4);
    expect(await audit.list()).toEqual([]);
  });

  test('a bad parameter is a 400 naming the field; an unknown action a 404 listing the actions', async () => {
    const bad = await call(on.url, '/api/actions/transfer_leader/preflight', {
      token: ACTIONS,
      body: { region_id: 'x', to_store_id: 2 },
    });
    expect(bad).toMatchObject({ status: 400, body: { code: 'TKO_ERR_BAD_QUERY' } });
    expect(bad.body.message).toMatch(/^region_id: /);
    const extra = await call(on.url, '/api/actions/drain_store/execute', {
      token: ACTIONS,
      body: { store_id: 1, mode: 'all' },
    });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toMatch(/^mode: /);
    const unknown = await call(on.url, '/api/actions/reboot_store/preflight', { token: ACTIONS, body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/no action named "reboot_store"; actions: transfer_leader, split_region/);
    expect(await audit.list()).toEqual([]);
  });

  test('preflight answers what would happen and writes nothing', async () => {
    const res = await call(on.url, '/api/actions/set_leader_schedule_limit/preflight', {
      token: ACTIONS,
      body: limitBody,
    });
    expect(res).toMatchObject({
      status: 200,
      body: { action: 'set_leader_schedule_limit', safe: true, current: { 'leader-schedule-limit': 4 } },
    });
    expect(res.body.summary).toMatch(/leader-schedule-limit would change from 4 to 6/);
    expect(rec.writes).toEqual([]);
    expect(await audit.list()).toEqual([]);
  });

  test('execute: PD changes, the audit row records who, what, the preflight and PD answer; PD got the user as X-Caller-ID', async () => {
    const res = await call(on.url, '/api/actions/set_leader_schedule_limit/execute', {
      token: ACTIONS,
      user: 'alice',
      body: limitBody,
    });
    expect(res).toMatchObject({
      status: 200,
      body: {
        action: 'set_leader_schedule_limit',
        pdAnswer: 'The config is updated.',
        effect: { 'leader-schedule-limit': 6 },
      },
    });
    expect((await pd.getScheduleConfig()).data['leader-schedule-limit']).toBe(6);
    const [row] = await audit.list();
    expect(row).toMatchObject({
      id: res.body.audit_id,
      who: 'alice',
      action: 'set_leader_schedule_limit',
      params: limitBody,
      outcome: 'ok',
      pd_answer: 'The config is updated.',
      error: null,
      preflight: { safe: true, summary: expect.stringMatching(/from 4 to 6/) },
    });
    expect(row.finished_at).toBeGreaterThanOrEqual(row.started_at);
    expect(rec.writes.at(-1)).toMatchObject({
      method: 'POST',
      path: '/pd/api/v1/config',
      headers: { 'x-caller-id': 'alice' },
    });

    const listed = await call(on.url, '/api/actions/audit?limit=5', { token: ACTIONS, method: 'GET' });
    expect(listed.body.rows.map((r: AuditRow) => r.id)).toEqual([row.id]);
  });

  test('without X-Grafana-User the caller is "unknown user", in the audit and at PD', async () => {
    const r = await regionWithOutsider(pd, 4);
    const res = await call(on.url, '/api/actions/transfer_leader/execute', {
      token: ACTIONS,
      body: { region_id: r.region_id, to_store_id: r.follower },
    });
    expect(res.status).toBe(200);
    expect((await pd.getRegion(r.region_id)).data.leader.store_id).toBe(r.follower);
    expect((await audit.list({ limit: 1 }))[0]).toMatchObject({
      who: 'unknown user',
      outcome: 'ok',
      action: 'transfer_leader',
    });
    expect(rec.writes.at(-1)?.headers['x-caller-id']).toBe('unknown user');
  });

  test('an execution the repeated preflight finds unsafe: 409 with the reasons, recorded as failed, PD untouched', async () => {
    const writes = rec.writes.length;
    const res = await call(on.url, '/api/actions/set_low_space_threshold/execute', {
      token: ACTIONS,
      user: 'bob',
      body: { 'low-space-ratio': 0.7 },
    });
    expect(res).toMatchObject({ status: 409, body: { code: 'TKO_ERR_ACTION_UNSAFE' } });
    expect(res.body.message).toMatch(/not above high-space-ratio 0.7/);
    // Each reason on its own, so the page lists them without parsing the message.
    expect(res.body.reasons).toEqual([expect.stringMatching(/not above high-space-ratio 0.7/)]);
    expect(rec.writes.length).toBe(writes);
    expect((await audit.list({ limit: 1 }))[0]).toMatchObject({
      who: 'bob',
      action: 'set_low_space_threshold',
      outcome: 'failed',
      pd_answer: null,
      error: expect.stringMatching(/refused by preflight/),
      preflight: { safe: false },
    });
  });

  test("PD's refusal after a passing preflight: 409 in words, recorded as failed with PD's own text", async () => {
    // The preflight reads pass; PD then fails the one write (a fault on the DELETE path only).
    expect(
      (
        await call(on.url, '/api/actions/drain_store/execute', {
          token: ACTIONS,
          body: { store_id: 2, mode: 'leaders' },
        })
      ).status
    ).toBe(200);
    h.sim.addPdFault({ path: '/schedulers/evict-leader-scheduler-2', kind: 'error' });
    try {
      const res = await call(on.url, '/api/actions/drain_store/execute', {
        token: ACTIONS,
        user: 'carol',
        body: { store_id: 2, mode: 'undo_leaders' },
      });
      expect(res).toMatchObject({ status: 409, body: { code: 'TKO_ERR_ACTION_REFUSED' } });
      expect(res.body.message).toMatch(/^drain_store refused by PD: PD answered HTTP 500 \(PD said: .*simulated internal error\)$/);
      expect((await audit.list({ limit: 1 }))[0]).toMatchObject({
        who: 'carol',
        outcome: 'failed',
        pd_answer: expect.stringMatching(/simulated internal error/),
        error: expect.stringMatching(/refused by PD/),
      });
      expect((await pd.getEvictLeaderStores()).data).toEqual([2]);
    } finally {
      h.sim.clearPdFaults();
    }
  });

  test('PD not answering in time: 504, and the row says "unknown" (PD may still apply it), not "failed"', async () => {
    const slowPd = new PDClient({ urls: [h.sim.pdUrl], timeoutMs: 300 });
    const slow = await appWith({ enabled: true, token: ACTIONS, clusters: singleCluster(slowPd), audit });
    h.sim.addPdFault({ path: '/operators', kind: 'delay', delay_ms: 1500 });
    try {
      const r = await regionWithOutsider(pd, 4);
      const res = await call(slow.url, '/api/actions/transfer_leader/execute', {
        token: ACTIONS,
        user: 'erin',
        body: { region_id: r.region_id, to_store_id: r.follower },
      });
      expect(res).toMatchObject({ status: 504, body: { code: 'TKO_ERR_UPSTREAM_TIMEOUT' } });
      expect((await audit.list({ limit: 1 }))[0]).toMatchObject({
        who: 'erin',
        outcome: 'unknown',
        error: expect.stringMatching(/PD \/operators: no answer within 300 ms/),
      });
    } finally {
      h.sim.clearPdFaults();
      await slow.app.close();
      await slowPd.close();
    }
  });

  test('a user name beyond ASCII is kept in the audit and reaches PD as printable ASCII', async () => {
    const res = await call(on.url, '/api/actions/set_region_schedule_limit/execute', {
      token: ACTIONS,
      user: 'Zoë',
      body: { 'region-schedule-limit': 100 },
    });
    expect(res.status).toBe(200);
    expect((await audit.list({ limit: 1 }))[0].who).toBe('Zoë');
    expect(rec.writes.at(-1)?.headers['x-caller-id']).toBe('Zo?');
  });

  test('the audit list validates its query', async () => {
    const res = await call(on.url, '/api/actions/audit?limit=0', { token: ACTIONS, method: 'GET' });
    expect(res).toMatchObject({ status: 400, body: { code: 'TKO_ERR_BAD_QUERY' } });
    expect(res.body.message).toMatch(/^limit: /);
  });
});
