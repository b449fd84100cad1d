/**
 * Actions through the whole backend (buildApp as `npm start` builds it): the actions token on /api/actions, the
 * audit rows written around PD's answer, the trail as a `kind: "audit"` query (table and annotations), and the
 * "unknown outcome" row a crashed backend leaves, recovered by the next start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openAuditLog } from '../../../src/server/audit/auditLog';
import { startBackend, type TestBackend } from '../../support/backend';

const API_TOKEN = 'read-token-abcdefghij';
const ACTIONS_TOKEN = 'actions-token-klmnopqrst';

let dir: string;
let backend: TestBackend;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tikv-operator-audit-'));
  backend = await startBackend({
    env: { API_TOKEN, ACTIONS_ENABLED: 'true', ACTIONS_TOKEN, AUDIT_DB_PATH: join(dir, 'audit.db') },
  });
});

afterAll(async () => {
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

const auditQuery = (format: 'table' | 'annotations') => ({
  from: Date.now() - 3_600_000,
  to: Date.now() + 60_000,
  queries: [{ refId: 'T', kind: 'audit', format }],
});

test('an executed action changes PD, is audited with its caller, and shows as a table row and an annotation', async () => {
  const pre = await backend.request('POST', '/api/actions/set_leader_schedule_limit/preflight', {
    token: ACTIONS_TOKEN,
    body: { 'leader-schedule-limit': 6 },
  });
  expect(pre.status).toBe(200);
  expect(pre.json.safe).toBe(true);

  const run = await backend.request('POST', '/api/actions/set_leader_schedule_limit/execute', {
    token: ACTIONS_TOKEN,
    body: { 'leader-schedule-limit': 6 },
    headers: { 'X-Grafana-User': 'alice' },
  });
  expect(run.status).toBe(200);
  const config = await (await fetch(`${backend.sim.pdUrl}/config/schedule`)).json();
  expect(config['leader-schedule-limit']).toBe(6);

  const table = await backend.request('POST', '/api/query', { token: API_TOKEN, body: auditQuery('table') });
  expect(table.status).toBe(200);
  const frame = table.json.results.T.frames[0];
  const col = (name: string) => frame.data.values[frame.schema.fields.findIndex((f: { name: string }) => f.name === name)];
  expect(col('action')).toContain('set_leader_schedule_limit');
  expect(col('who')).toContain('alice');
  expect(col('outcome')).toContain('ok');

  const annotations = await backend.request('POST', '/api/query', { token: API_TOKEN, body: auditQuery('annotations') });
  const anno = annotations.json.results.T.frames[0];
  expect(anno.schema.fields.map((f: { name: string }) => f.name)).toEqual(
    expect.arrayContaining(['time', 'timeEnd', 'title', 'text', 'tags'])
  );
  expect(anno.data.values[0].length).toBeGreaterThan(0);
});

test('the read token cannot run actions and the actions token cannot read', async () => {
  const withRead = await backend.request('POST', '/api/actions/set_leader_schedule_limit/execute', {
    token: API_TOKEN,
    body: { 'leader-schedule-limit': 7 },
  });
  expect(withRead.status).toBe(403);
  const readWithActions = await backend.request('POST', '/api/query', { token: ACTIONS_TOKEN, body: auditQuery('table') });
  expect(readWithActions.status).toBe(401);
});

test('an audit query on a backend without actions says the log is not enabled, in that query only', async () => {
  const plain = await startBackend({ env: { API_TOKEN } });
  try {
    const res = await plain.request('POST', '/api/query', {
      token: API_TOKEN,
      body: {
        from: Date.now() - 60_000,
        to: Date.now(),
        queries: [
          { refId: 'A', kind: 'audit' },
          { refId: 'S', kind: 'observation', observation: 'get_stores' },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.results.A.error).toMatch(/audit log is not enabled/);
    expect(res.json.results.S.error).toBeUndefined();
  } finally {
    await plain.close();
  }
});

test('a row left running by a crashed backend becomes an unknown outcome at the next start and is queryable', async () => {
  const path = join(dir, 'crashed.db');
  // What a backend killed between the two writes leaves behind: a `running` row and nothing after it.
  const crashed = openAuditLog(path);
  crashed.begin({ who: 'bob', action: 'transfer_leader', params: { region_id: 2, to_store_id: 3 }, preflight: null });
  crashed.close();

  const next = await startBackend({ env: { API_TOKEN, ACTIONS_ENABLED: 'true', ACTIONS_TOKEN, AUDIT_DB_PATH: path } });
  try {
    expect(next.logs()).toMatch(/unknown outcome/);
    const res = await next.request('POST', '/api/query', { token: API_TOKEN, body: auditQuery('table') });
    const frame = res.json.results.T.frames[0];
    const outcomes = frame.data.values[frame.schema.fields.findIndex((f: { name: string }) => f.name === 'outcome')];
    expect(outcomes).toEqual(['unknown']);
  } finally {
    await next.close();
  }
});
