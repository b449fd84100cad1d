/**
 * Three backend replicas (real processes: the `npm start` bundle, build/server.js) on one PostgreSQL audit store
 * and one simulated PD, behind a recorder that counts PD's writes. Concurrent actions go through all three while
 * PD holds `/operators` writes; one replica is killed with SIGKILL mid-action; the trail is then checked row by
 * row: every action once, in order, the killed replica's row recovered as `unknown` exactly once, by one replica.
 * Two conflicting actions through two replicas: one runs, the other gets 409 TKO_ERR_ACTION_BUSY; PD sees one.
 * A preflight on one replica records what another replica has just written (reads past the 1 s cache).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { UNKNOWN_OUTCOME_ERROR } from '../../../src/server/audit/auditLog';
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { PDClient } from '../../../src/subject/pd/client';
import { type PdRecorder, startPdRecorder } from '../../support/pdRecorder';
import { type TestPostgres, startPostgres } from '../../support/postgres';
import { regionWithFollower, until } from './harness';

const ROOT = join(__dirname, '..', '..', '..');
const SERVER = join(ROOT, 'build', 'server.js');
const API_TOKEN = 'read-token-replicas-0123';
const ACTIONS_TOKEN = 'actions-token-replicas-4567';
/** How long PD holds `/operators` writes: the kill lands while the victim's request is held. */
const HOLD_MS = 4000;

interface Replica {
  name: string;
  child: ChildProcess;
  url: string;
  out: () => string;
  exited: Promise<string | null>;
}

let pgServer: TestPostgres;
let sim: Simulator;
let rec: PdRecorder;
let pd: PDClient;
const replicas: Replica[] = [];

async function startReplica(name: string, db: string): Promise<Replica> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    HOST: '127.0.0.1',
    PORT: '0',
    PD_URL: `${rec.url}/pd/api/v1`,
    API_TOKEN,
    ACTIONS_ENABLED: 'true',
    ACTIONS_TOKEN,
    AUDIT_DB_URL: pgServer.url(db),
    // Set too, to see the start-up output say which one is used.
    AUDIT_DB_PATH: '/nonexistent/audit.db',
    AUDIT_RECOVERY_INTERVAL_MS: '300',
    AUDIT_LOCK_WAIT_MS: '1000',
    UPSTREAM_TIMEOUT_MS: '20000',
    CHECK_INTERVAL: '1h',
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, ['--enable-source-maps', SERVER], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? String(code)))
  );
  const r: Replica = { name, child, url: '', out: () => out, exited };
  replicas.push(r);
  r.url = await until(
    `replica ${name} to listen (output: ${out})`,
    () => /TiKV operator backend: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1],
    30_000
  );
  return r;
}

async function act(r: Replica, action: string, body: unknown, user: string) {
  const res = await fetch(`${r.url}/api/actions/${action}/execute`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ACTIONS_TOKEN}`, 'content-type': 'application/json', 'x-grafana-user': user },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

async function trail(r: Replica): Promise<any[]> {
  const res = await fetch(`${r.url}/api/actions/audit?limit=1000`, {
    headers: { authorization: `Bearer ${ACTIONS_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { rows: any[] }).rows;
}

beforeAll(async () => {
  if (!existsSync(SERVER)) {
    throw new Error(`${SERVER} is missing: run \`npm run build:server\` (npm test builds it first)`);
  }
  pgServer = await startPostgres();
  sim = await createSimulator({ stores: 4, regions: 60, seed: 11 });
  rec = await startPdRecorder(sim.url);
  pd = new PDClient({ urls: [sim.pdUrl], timeoutMs: 5000 });
});

afterAll(async () => {
  for (const r of replicas) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill('SIGKILL');
      await r.exited;
    }
  }
  await pd?.close();
  await new Promise<void>((resolve) => (rec ? rec.server.close(() => resolve()) : resolve()));
  await sim?.close();
  await pgServer?.stop();
});

test('three replicas, concurrent actions, one killed mid-action: every row once, in order, the lost one unknown once', async () => {
  await pgServer.createDatabase('replicas');
  const [a, b, c] = await Promise.all(['A', 'B', 'C'].map((n) => startReplica(n, 'replicas')));
  for (const r of [a, b, c]) {
    expect(r.out()).toContain('Audit trail: PostgreSQL at 127.0.0.1');
    expect(r.out()).toContain('AUDIT_DB_URL is set: AUDIT_DB_PATH is ignored');
    expect(r.out()).not.toContain(pgServer.password);
  }
  const r1 = await regionWithFollower(pd, 1001);
  const r2 = await regionWithFollower(pd, 1009);
  sim.addPdFault({ path: '/operators', kind: 'delay', delay_ms: HOLD_MS });

  // The victim's action: held by PD, so it is mid-action when the process dies.
  const victim = act(c, 'transfer_leader', { region_id: r1.region_id, to_store_id: r1.follower }, 'carol').catch(
    (e: Error) => e
  );
  const victimRow = await until('the victim row to be committed as running', async () => {
    const rows = await trail(a);
    return rows.find((row) => row.who === 'carol' && row.outcome === 'running');
  });
  // Concurrent actions through the two others (one of them also held by PD) while the victim waits for PD.
  const others = Promise.all([
    act(a, 'set_leader_schedule_limit', { 'leader-schedule-limit': 5 }, 'alice'),
    act(b, 'set_region_schedule_limit', { 'region-schedule-limit': 7 }, 'bob'),
    act(a, 'set_replica_schedule_limit', { 'replica-schedule-limit': 9 }, 'alice'),
    act(b, 'transfer_leader', { region_id: r2.region_id, to_store_id: r2.follower }, 'bob'),
    act(c, 'set_low_space_threshold', { 'low-space-ratio': 0.85 }, 'carol'),
  ]);
  // Killed while PD still holds its request (the held write answers after HOLD_MS).
  await until('C to have answered its quick action', async () =>
    (await trail(a)).some((row) => row.action === 'set_low_space_threshold' && row.outcome === 'ok') ? true : undefined
  );
  c.child.kill('SIGKILL');
  expect(await c.exited).toBe('SIGKILL');
  expect(String(await victim)).toMatch(/fetch failed/);

  const answers = await others;
  expect(answers.map((x) => x.status)).toEqual([200, 200, 200, 200, 200]);
  sim.clearPdFaults();

  // A or B notices C is gone (its liveness lock died with its session) and recovers the row.
  await until('the victim row to become unknown', async () =>
    (await trail(b)).find((row) => row.id === victimRow.id)?.outcome === 'unknown' ? true : undefined
  );
  // Give the other replica a few recovery rounds: it must not recover the row again.
  await new Promise((r) => setTimeout(r, 1000));

  const rows = (await trail(a)).sort((x, y) => x.id - y.id);
  expect(rows[0]).toMatchObject({ id: victimRow.id, who: 'carol', action: 'transfer_leader', outcome: 'unknown' });
  const key = (row: any) => `${row.who} ${row.action} ${row.target} ${row.outcome}`;
  expect(rows.map(key).sort()).toEqual(
    [
      `carol transfer_leader region ${r1.region_id} unknown`,
      'alice set_leader_schedule_limit config leader-schedule-limit ok',
      'bob set_region_schedule_limit config region-schedule-limit ok',
      'alice set_replica_schedule_limit config replica-schedule-limit ok',
      `bob transfer_leader region ${r2.region_id} ok`,
      'carol set_low_space_threshold config low-space-ratio ok',
    ].sort()
  );
  // In order: ids follow start times; each finished row finished after it started.
  const byStart = [...rows].sort((x, y) => x.started_at - y.started_at || x.id - y.id);
  expect(byStart.map((row) => row.id)).toEqual(rows.map((row) => row.id));
  for (const row of rows) {
    if (row.outcome === 'unknown') {
      expect(row).toMatchObject({ finished_at: null, error: UNKNOWN_OUTCOME_ERROR, pd_answer: null });
    } else {
      expect(row.finished_at).toBeGreaterThanOrEqual(row.started_at);
      expect(row.pd_answer).toEqual(expect.any(String));
    }
  }
  // Recovered exactly once, by one replica (each recovery logs the ids it changed).
  const recoveries = [a, b].flatMap((r) =>
    r
      .out()
      .split('\n')
      .filter((l) => l.includes('of a replica that stopped have an unknown outcome'))
  );
  expect(recoveries).toHaveLength(1);
  expect(recoveries[0]).toContain(`"ids":[${victimRow.id}]`);
  // The database agrees: one row per action, nothing left running.
  const db = await pgServer.client('replicas');
  try {
    const counts = await db.query(`SELECT outcome, count(*)::int AS n FROM audit GROUP BY outcome ORDER BY outcome`);
    expect(counts.rows).toEqual([
      { outcome: 'ok', n: 5 },
      { outcome: 'unknown', n: 1 },
    ]);
  } finally {
    await db.end();
  }
});

test('two conflicting actions through two replicas: one runs, the other gets 409 TKO_ERR_ACTION_BUSY; PD sees one', async () => {
  const [a, b] = replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  const r = await regionWithFollower(pd, 1017);
  sim.addPdFault({ path: '/operators', kind: 'delay', delay_ms: 2500 });
  const before = rec.writes.filter((w) => w.path.endsWith('/operators')).length;
  try {
    const body = { region_id: r.region_id, to_store_id: r.follower };
    const first = act(a, 'transfer_leader', body, 'alice');
    // B starts once A holds the region (its row is running), so which one runs is known.
    await until('A to hold the region', async () =>
      (await trail(b)).some((row) => row.target === `region ${r.region_id}` && row.outcome === 'running')
        ? true
        : undefined
    );
    const second = await act(b, 'transfer_leader', body, 'bob');
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ code: 'TKO_ERR_ACTION_BUSY' });
    expect(second.json.message).toMatch(new RegExp(`another action on region ${r.region_id} is still running`));
    expect((await first).status).toBe(200);
  } finally {
    sim.clearPdFaults();
  }
  expect(rec.writes.filter((w) => w.path.endsWith('/operators')).length - before).toBe(1);
  const rows = (await trail(a)).filter((row) => row.target === `region ${r.region_id}`);
  expect(rows.map((row) => [row.who, row.outcome])).toEqual([['alice', 'ok']]);
});

test('a preflight on one replica records what another replica has just written, past its own cache', async () => {
  const [a, b] = replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  const pre = async (r: Replica, limit: number) => {
    const res = await fetch(`${r.url}/api/actions/set_leader_schedule_limit/preflight`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ACTIONS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ 'leader-schedule-limit': limit }),
    });
    return (await res.json()) as any;
  };
  const base = (await pd.getScheduleConfig()).data['leader-schedule-limit'];
  expect((await pre(b, base + 2)).current).toEqual({ 'leader-schedule-limit': base });
  // Within B's 1 s cache: A changes the limit, then B runs the action.
  expect((await act(a, 'set_leader_schedule_limit', { 'leader-schedule-limit': base + 1 }, 'alice')).status).toBe(200);
  const run = await act(b, 'set_leader_schedule_limit', { 'leader-schedule-limit': base + 2 }, 'bob');
  expect(run.status).toBe(200);
  expect(run.json.preflight.current).toEqual({ 'leader-schedule-limit': base + 1 });
  const row = (await trail(a)).find((x) => x.id === run.json.audit_id);
  expect(row.preflight.current).toEqual({ 'leader-schedule-limit': base + 1 });
});
