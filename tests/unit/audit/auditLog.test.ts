import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { openAuditLog, type AuditLog, UNKNOWN_OUTCOME_ERROR } from '../../../src/server/audit/auditLog';
import { ConfigError } from '../../../src/shared/errors';

const preflight = {
  action: 'drain_store',
  safe: true,
  summary: 'PD would add store 1 to evict-leader-scheduler',
  checks: [],
};

describe('audit log', () => {
  let dir: string;
  let now: number;
  const clock = () => now;
  const open: AuditLog[] = [];
  const openAt = (name = 'audit.db') => {
    const log = openAuditLog(join(dir, name), clock);
    open.push(log);
    return log;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-'));
    now = 1_700_000_000_000;
  });
  afterEach(() => {
    for (const log of open.splice(0)) {
      try {
        log.close();
      } catch {
        // already closed by the test
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('an action is recorded as running before PD answers and with its outcome after', () => {
    const log = openAt();
    const id = log.begin({ who: 'alice', action: 'drain_store', params: { store_id: 1, mode: 'leaders' }, preflight });
    expect(log.list()).toEqual([
      expect.objectContaining({
        id,
        who: 'alice',
        outcome: 'running',
        finished_at: null,
        pd_answer: null,
        started_at: now,
      }),
    ]);
    now += 250;
    log.finish(id, { outcome: 'ok', pdAnswer: 'The scheduler is created.' });
    const [row] = log.list();
    expect(row).toMatchObject({
      outcome: 'ok',
      finished_at: now,
      pd_answer: 'The scheduler is created.',
      error: null,
      params: { store_id: 1, mode: 'leaders' },
      preflight,
    });
  });

  test('a failed action keeps PD answer and the error', () => {
    const log = openAt();
    const id = log.begin({
      who: 'bob',
      action: 'set_low_space_threshold',
      params: { 'low-space-ratio': 0.7 },
      preflight,
    });
    log.finish(id, {
      outcome: 'failed',
      pdAnswer: 'low-space-ratio should be larger than high-space-ratio',
      error: 'refused by PD',
    });
    expect(log.list()[0]).toMatchObject({ outcome: 'failed', error: 'refused by PD' });
  });

  test('an outcome cannot be written twice or for a row never begun', () => {
    const log = openAt();
    const id = log.begin({ who: 'alice', action: 'split_region', params: {}, preflight });
    log.finish(id, { outcome: 'ok', pdAnswer: 'The operator is created.' });
    expect(() => log.finish(id, { outcome: 'failed' })).toThrow(/not running/);
    expect(() => log.finish(id + 100, { outcome: 'ok' })).toThrow(/not running/);
  });

  test('a row left running by a process that stopped becomes "unknown" at the next start, never a gap', () => {
    const first = openAt();
    const done = first.begin({ who: 'alice', action: 'split_region', params: { region_id: 1 }, preflight });
    first.finish(done, { outcome: 'ok', pdAnswer: 'The operator is created.' });
    const lost = first.begin({
      who: 'carol',
      action: 'drain_store',
      params: { store_id: 2, mode: 'store' },
      preflight,
    });
    first.close();

    const second = openAt();
    const recovered = second.recoverUnknown();
    expect(recovered).toEqual([
      expect.objectContaining({ id: lost, who: 'carol', outcome: 'unknown', error: UNKNOWN_OUTCOME_ERROR }),
    ]);
    const rows = second.list();
    expect(rows.map((r) => [r.id, r.outcome])).toEqual(
      expect.arrayContaining([
        [done, 'ok'],
        [lost, 'unknown'],
      ])
    );
    expect(second.recoverUnknown()).toEqual([]);
  });

  test('a second writer on the same file is refused at open, naming AUDIT_DB_PATH', () => {
    openAt();
    let err: unknown;
    try {
      openAt();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^AUDIT_DB_PATH: .*held by another backend process/);
  });

  test('a path that cannot be opened is a ConfigError naming AUDIT_DB_PATH', () => {
    expect(() => openAuditLog(join(dir, 'no-such-dir', 'audit.db'))).toThrow(/^AUDIT_DB_PATH: cannot open audit log/);
  });

  test('list filters by time range, action and outcome, newest first, with a limit', () => {
    const log = openAt();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      now = 1000 * (i + 1);
      const id = log.begin({ who: 'u', action: i % 2 ? 'split_region' : 'transfer_leader', params: { i }, preflight });
      now += 100;
      log.finish(id, { outcome: i === 4 ? 'failed' : 'ok' });
      ids.push(id);
    }
    expect(log.list().map((r) => r.id)).toEqual([...ids].reverse());
    expect(log.list({ from: 2050, to: 4000 }).map((r) => r.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect(log.list({ limit: 2 }).map((r) => r.id)).toEqual([ids[4], ids[3]]);
    expect(log.list({ actions: ['split_region'] }).map((r) => r.id)).toEqual([ids[3], ids[1]]);
    expect(log.list({ outcomes: ['failed'] }).map((r) => r.id)).toEqual([ids[4]]);
  });
});

describe('audit log file shared by two backends', () => {
  test('a second backend on an existing file is refused at open naming AUDIT_DB_PATH, not at its first write with "database is locked"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-lock-'));
    const path = join(dir, 'audit.db');
    try {
      openAuditLog(path).close(); // the file exists, as after any earlier run
      const first = openAuditLog(path);
      try {
        expect(() => openAuditLog(path)).toThrow(/^AUDIT_DB_PATH: audit log .* is held by another backend process/);
        // The first keeps working.
        first.finish(first.begin({ who: 'a', action: 'split_region', params: {}, preflight }), { outcome: 'ok' });
      } finally {
        first.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an old file (created before versioned migrations) gains the cluster and target columns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-old-'));
    const path = join(dir, 'audit.db');
    try {
      // The table as earlier versions created it, with one row.
      const old = new Database(path);
      old.exec(`CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL, finished_at INTEGER,
        who TEXT NOT NULL, action TEXT NOT NULL, params TEXT NOT NULL, preflight TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'unknown')), pd_answer TEXT, error TEXT)`);
      old.prepare(`INSERT INTO audit (started_at, who, action, params, preflight, outcome) VALUES (1, 'a', 'split_region', '{}', '{}', 'ok')`).run();
      old.close();
      const log = openAuditLog(path);
      try {
        expect(log.list()).toEqual([expect.objectContaining({ id: 1, cluster: 'default', target: null, outcome: 'ok' })]);
      } finally {
        log.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
