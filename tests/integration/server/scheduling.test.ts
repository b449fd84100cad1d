/**
 * PD's scheduling view through the whole backend (buildApp as `npm start` builds it) against the simulator:
 * get_operators and get_schedulers as `/api/query` tables, and the guarded actions cancel_operator,
 * pause_scheduler and resume_scheduler (preflight, execute with the actions token, audit rows, PD's state after).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startBackend, type TestBackend } from '../../support/backend';

const API_TOKEN = 'read-token-abcdefghij';
const ACTIONS_TOKEN = 'actions-token-klmnopqrst';

let dir: string;
let backend: TestBackend;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tikv-operator-scheduling-'));
  backend = await startBackend({
    stores: 4,
    operatorMs: 120_000,
    env: { API_TOKEN, ACTIONS_ENABLED: 'true', ACTIONS_TOKEN, AUDIT_DB_PATH: join(dir, 'audit.db') },
  });
});

afterAll(async () => {
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Frame {
  schema: { name: string; fields: Array<{ name: string; type: string; config?: Record<string, unknown> }> };
  data: { values: unknown[][] };
}

/** Rows of one frame as objects keyed by field name. */
function rows(frame: Frame): Array<Record<string, any>> {
  const n = frame.data.values[0]?.length ?? 0;
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(frame.schema.fields.map((f, j) => [f.name, frame.data.values[j][i]]))
  );
}

async function observe(observation: string): Promise<Frame[]> {
  const res = await backend.request('POST', '/api/query', {
    token: API_TOKEN,
    body: { from: Date.now() - 60_000, to: Date.now(), queries: [{ refId: 'A', kind: 'observation', observation }] },
  });
  expect(res.status).toBe(200);
  expect(res.json.results.A.error).toBeUndefined();
  return res.json.results.A.frames as Frame[];
}

async function action(name: string, step: 'preflight' | 'execute', body: unknown, user = 'carol') {
  return backend.request('POST', `/api/actions/${name}/${step}`, {
    token: ACTIONS_TOKEN,
    body,
    headers: { 'X-Grafana-User': user },
  });
}

async function pd(path: string): Promise<any> {
  return (await fetch(`${backend.sim.pdUrl}${path}`)).json();
}

/** A region id with a follower, created transfer-leader operator on it through PD's API (as pd-ctl would). */
async function startOperator(regionId: number): Promise<{ leader: number; follower: number }> {
  const r = await pd(`/region/id/${regionId}`);
  const follower = r.peers.map((p: { store_id: number }) => p.store_id).find((s: number) => s !== r.leader.store_id);
  const res = await fetch(`${backend.sim.pdUrl}/operators`, {
    method: 'POST',
    body: JSON.stringify({ name: 'transfer-leader', region_id: regionId, to_store_id: follower }),
  });
  expect(res.status).toBe(200);
  return { leader: r.leader.store_id, follower };
}

describe('observations', () => {
  it('get_operators lists the running operator with its kind, steps, start time and status', async () => {
    const { leader, follower } = await startOperator(1001);
    const [frame] = await observe('get_operators');
    expect(frame.schema.name).toBe('operators');
    const op = rows(frame).find((r) => r.region_id === 1001)!;
    expect(op).toMatchObject({
      desc: 'admin-transfer-leader',
      brief: `transfer leader: store ${leader} to ${follower}`,
      kind: 'admin,leader',
      status: 'STARTED',
      step_count: 1,
      steps: `transfer leader from store ${leader} to store ${follower}`,
    });
    expect(Math.abs(op.start_time - Date.now())).toBeLessThan(10_000);
    expect(frame.schema.fields.find((f) => f.name === 'running_seconds')?.config?.unit).toBe('s');
  });

  it('get_schedulers shows schedulers with paused state and evict-leader stores, store limits and the schedule config', async () => {
    await fetch(`${backend.sim.pdUrl}/schedulers`, {
      method: 'POST',
      body: JSON.stringify({ name: 'evict-leader-scheduler', store_id: 2 }),
    });
    await fetch(`${backend.sim.pdUrl}/schedulers/balance-region-scheduler`, {
      method: 'POST',
      body: JSON.stringify({ delay: 600 }),
    });
    try {
      const frames = await observe('get_schedulers');
      expect(frames.map((f) => f.schema.name)).toEqual(['schedulers', 'store_limits', 'schedule_config']);
      const schedulers = rows(frames[0]);
      expect(schedulers.find((s) => s.name === 'evict-leader-scheduler')).toMatchObject({ paused: false, store_ids: '2' });
      const region = schedulers.find((s) => s.name === 'balance-region-scheduler')!;
      expect(region.paused).toBe(true);
      expect(region.resume_at - region.paused_at).toBe(600_000);
      expect(region.resume_in_seconds).toBeGreaterThan(590);
      expect(schedulers.find((s) => s.name === 'balance-leader-scheduler')).toMatchObject({ paused: false });
      expect(rows(frames[1]).map((l) => l.store_id)).toEqual([1, 2, 3, 4]);
      expect(rows(frames[1])[0]['add-peer']).toBeGreaterThan(0);
      const config = Object.fromEntries(rows(frames[2]).map((r) => [r.key, r.value]));
      expect(config['leader-schedule-limit']).toMatch(/^\d+$/);
      expect(config['max-store-down-time']).toBe('1800s');
    } finally {
      await fetch(`${backend.sim.pdUrl}/schedulers/balance-region-scheduler`, { method: 'POST', body: '{"delay":0}' });
      await fetch(`${backend.sim.pdUrl}/schedulers/evict-leader-scheduler`, { method: 'DELETE' });
    }
  });
});

async function auditRows(): Promise<Array<Record<string, any>>> {
  const res = await backend.request('POST', '/api/query', {
    token: API_TOKEN,
    body: { from: Date.now() - 3_600_000, to: Date.now() + 60_000, queries: [{ refId: 'T', kind: 'audit', format: 'table' }] },
  });
  expect(res.status).toBe(200);
  return rows(res.json.results.T.frames[0]);
}

describe('cancel_operator', () => {
  it('refuses a region without an operator, then cancels a running one, audited', async () => {
    const none = await action('cancel_operator', 'preflight', { region_id: 1017 });
    expect(none.status).toBe(200);
    expect(none.json.safe).toBe(false);
    expect(none.json.checks[0]).toMatchObject({ name: 'operator_running', ok: false });
    const refused = await action('cancel_operator', 'execute', { region_id: 1017 });
    expect(refused.status).toBe(409);

    await startOperator(1017);
    const pre = await action('cancel_operator', 'preflight', { region_id: 1017 });
    expect(pre.json.safe).toBe(true);
    expect(pre.json.current).toMatchObject({ desc: 'admin-transfer-leader', status: 'STARTED' });
    const run = await action('cancel_operator', 'execute', { region_id: 1017 }, 'dave');
    expect(run.status).toBe(200);
    expect(run.json.pdAnswer).toBe('The pending operator is canceled.');
    expect(run.json.effect).toEqual({ operator_running: false });
    expect((await pd('/operators')).some((t: string) => t.includes('region:1017('))).toBe(false);
    expect(await pd('/operators/1017')).toMatch(/^status: CANCEL, /);

    const audit = (await auditRows()).filter((r) => r.action === 'cancel_operator');
    expect(audit.map((r) => [r.who, r.outcome])).toContainEqual(['dave', 'ok']);
  });

  it('names a bad region id', async () => {
    const bad = await action('cancel_operator', 'preflight', { region_id: -3 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/region_id/);
  });
});

describe('pause_scheduler and resume_scheduler', () => {
  it('pauses a scheduler for the delay and resumes it with delay 0, keeping it, both audited', async () => {
    const pre = await action('pause_scheduler', 'preflight', { name: 'balance-hot-region-scheduler', delay: 900 });
    expect(pre.json.safe).toBe(true);
    expect(pre.json.current).toEqual({ paused: false, resume_at: null });
    const run = await action('pause_scheduler', 'execute', { name: 'balance-hot-region-scheduler', delay: 900 }, 'erin');
    expect(run.status).toBe(200);
    expect(run.json.pdAnswer).toBe('Pause or resume the scheduler successfully.');
    expect(run.json.effect.paused).toBe(true);
    const [period] = await pd('/schedulers?status=paused&timestamp');
    expect(period.name).toBe('balance-hot-region-scheduler');
    expect(Date.parse(period.resume_at) - Date.parse(period.paused_at)).toBe(900_000);

    const resume = await action('resume_scheduler', 'execute', { name: 'balance-hot-region-scheduler' }, 'erin');
    expect(resume.status).toBe(200);
    expect(resume.json.effect).toEqual({ paused: false, resume_at: null });
    expect(await pd('/schedulers?status=paused')).toEqual([]);
    // Resumed, not removed.
    expect(await pd('/schedulers')).toContain('balance-hot-region-scheduler');

    const audit = (await auditRows()).filter((r) => r.who === 'erin').map((r) => [r.action, r.outcome]);
    expect(audit).toEqual(expect.arrayContaining([['pause_scheduler', 'ok'], ['resume_scheduler', 'ok']]));
    // And as annotations next to the violations.
    const res = await backend.request('POST', '/api/query', {
      token: API_TOKEN,
      body: {
        from: Date.now() - 3_600_000,
        to: Date.now() + 60_000,
        queries: [{ refId: 'N', kind: 'audit', format: 'annotations', actions: ['pause_scheduler'] }],
      },
    });
    const anno = rows(res.json.results.N.frames[0]);
    expect(anno.length).toBeGreaterThan(0);
    expect(JSON.stringify(anno)).toMatch(/pause_scheduler/);
  });

  it('refuses a scheduler PD does not run (and `all`) without calling PD', async () => {
    for (const name of ['no-such-scheduler', 'all']) {
      const pre = await action('pause_scheduler', 'preflight', { name, delay: 60 });
      expect(pre.json.safe).toBe(false);
      expect(pre.json.checks[0]).toMatchObject({ name: 'scheduler_exists', ok: false });
      expect((await action('pause_scheduler', 'execute', { name, delay: 60 })).status).toBe(409);
    }
    expect(await pd('/schedulers?status=paused')).toEqual([]);
    const bad = await action('pause_scheduler', 'preflight', { name: 'balance-leader-scheduler', delay: 0 });
    expect(bad.status).toBe(400);
  });

  it('warns, without refusing, when balance-leader is paused while a store drains its leaders', async () => {
    const quiet = await action('pause_scheduler', 'preflight', { name: 'balance-leader-scheduler', delay: 60 });
    expect(quiet.json.checks.map((c: { name: string }) => c.name)).not.toContain('drain_in_progress');

    await fetch(`${backend.sim.pdUrl}/schedulers`, {
      method: 'POST',
      body: JSON.stringify({ name: 'evict-leader-scheduler', store_id: 3 }),
    });
    try {
      const pre = await action('pause_scheduler', 'preflight', { name: 'balance-leader-scheduler', delay: 60 });
      expect(pre.json.safe).toBe(true);
      expect(pre.json.summary).toMatch(/^Warning: a drain is running/);
      const warning = pre.json.checks.find((c: { name: string }) => c.name === 'drain_in_progress');
      expect(warning).toMatchObject({ ok: true, warning: true });
      expect(warning.detail).toMatch(/store 3 having leaders evicted/);
    } finally {
      await fetch(`${backend.sim.pdUrl}/schedulers/evict-leader-scheduler`, { method: 'DELETE' });
    }
  });
});
