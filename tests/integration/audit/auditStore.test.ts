/**
 * The audit store contract, run against both implementations: SQLite (a temp file) and a real PostgreSQL
 * (tests/support/postgres.ts; one server per file, one database per test). Then what only PostgreSQL has: several
 * replicas on one database (recovery exactly once, never for a live replica; per-target locks across replicas;
 * concurrent migrations) and its faults (down at start, slow, credentials kept out of messages).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { UNKNOWN_OUTCOME_ERROR } from '../../../src/server/audit/auditLog';
import { PgAuditStore } from '../../../src/server/audit/pgStore';
import { SqliteAuditStore } from '../../../src/server/audit/sqliteStore';
import type { AuditStore, AuditStoreLog } from '../../../src/server/audit/store';
import { ActionBusyError, AuditUnavailableError } from '../../../src/shared/errors';
import { freePort } from '../../../src/embedded/prometheus';
import { type TestPostgres, startPostgres } from '../../support/postgres';
import { selfSigned } from '../../support/selfSigned';
import { until } from '../../support/until';

const preflight = {
  action: 'drain_store',
  safe: true,
  summary: 'PD would add store 1 to evict-leader-scheduler',
  checks: [],
};

/** Log lines the stores write, kept so tests can check that no credential reaches them. */
const lines: string[] = [];
const log: AuditStoreLog = {
  info: (m) => lines.push(m),
  warn: (o, m) => lines.push(`${m} ${JSON.stringify(o, Object.getOwnPropertyNames(o))}`),
  error: (o, m) => lines.push(`${m} ${JSON.stringify(o)}`),
};

let pgServer: TestPostgres;
let dir: string;
let dbCount = 0;
let now = 1_700_000_000_000;
const clock = () => now;
const opened: AuditStore[] = [];

beforeAll(async () => {
  pgServer = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'audit-store-'));
});
afterAll(async () => {
  for (const s of opened.splice(0)) {
    await s.close();
  }
  await pgServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const s of opened.splice(0)) {
    await s.close();
  }
});

const pgOptions = { timeoutMs: 3000, lockWaitMs: 300, recoveryIntervalMs: 60_000, log, clock };

async function openPg(
  db: string,
  extra: Partial<ConstructorParameters<typeof PgAuditStore>[0]> = {}
): Promise<PgAuditStore> {
  const s = new PgAuditStore({ url: pgServer.url(db), ...pgOptions, ...extra });
  opened.push(s);
  await s.start();
  return s;
}

/** A fresh place for one test, and how to open a store ("a replica") on it. */
const implementations: Array<[string, () => Promise<() => Promise<AuditStore>>]> = [
  [
    'sqlite',
    async () => {
      const path = join(dir, `audit-${++dbCount}.db`);
      return async () => {
        const s = new SqliteAuditStore({ path, lockWaitMs: 300, log, clock });
        opened.push(s);
        await s.start();
        return s;
      };
    },
  ],
  [
    'postgres',
    async () => {
      const db = `audit_${++dbCount}`;
      await pgServer.createDatabase(db);
      return () => openPg(db);
    },
  ],
];

describe.each(implementations)('audit store contract: %s', (_name, fresh) => {
  let open: () => Promise<AuditStore>;
  beforeEach(async () => {
    now = 1_700_000_000_000;
    open = await fresh();
  });

  test('an action is recorded as running before PD answers and with its outcome after, with cluster and target', async () => {
    const s = await open();
    const id = await s.begin({
      who: 'alice',
      action: 'drain_store',
      params: { store_id: 1, mode: 'leaders' },
      preflight,
      cluster: 'east',
      target: 'store 1',
    });
    expect(await s.list()).toEqual([
      expect.objectContaining({
        id,
        who: 'alice',
        outcome: 'running',
        finished_at: null,
        pd_answer: null,
        started_at: now,
        cluster: 'east',
        target: 'store 1',
      }),
    ]);
    now += 250;
    await s.finish(id, { outcome: 'ok', pdAnswer: 'The scheduler is created.' });
    expect(await s.list()).toEqual([
      {
        id,
        cluster: 'east',
        target: 'store 1',
        started_at: now - 250,
        finished_at: now,
        who: 'alice',
        action: 'drain_store',
        params: { store_id: 1, mode: 'leaders' },
        preflight,
        outcome: 'ok',
        pd_answer: 'The scheduler is created.',
        error: null,
      },
    ]);
  });

  test('the cluster defaults to "default"; a failed action keeps PD answer and the error', async () => {
    const s = await open();
    const id = await s.begin({
      who: 'bob',
      action: 'set_low_space_threshold',
      params: { 'low-space-ratio': 0.7 },
      preflight,
    });
    await s.finish(id, {
      outcome: 'failed',
      pdAnswer: 'low-space-ratio should be larger than high-space-ratio',
      error: 'refused by PD',
    });
    expect((await s.list())[0]).toMatchObject({
      cluster: 'default',
      target: null,
      outcome: 'failed',
      error: 'refused by PD',
    });
  });

  test('an outcome cannot be written twice or for a row never begun', async () => {
    const s = await open();
    const id = await s.begin({ who: 'alice', action: 'split_region', params: {}, preflight });
    await s.finish(id, { outcome: 'ok', pdAnswer: 'The operator is created.' });
    await expect(s.finish(id, { outcome: 'failed' })).rejects.toThrow(/not running/);
    await expect(s.finish(id + 100, { outcome: 'ok' })).rejects.toThrow(/not running/);
  });

  test('list filters by time range, action and outcome, newest first, with a limit', async () => {
    const s = await open();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      now = 1000 * (i + 1);
      const id = await s.begin({
        who: 'u',
        action: i % 2 ? 'split_region' : 'transfer_leader',
        params: { i },
        preflight,
      });
      now += 100;
      await s.finish(id, { outcome: i === 4 ? 'failed' : 'ok' });
      ids.push(id);
    }
    expect((await s.list()).map((r) => r.id)).toEqual([...ids].reverse());
    expect((await s.list({ from: 2050, to: 4000 })).map((r) => r.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect((await s.list({ limit: 2 })).map((r) => r.id)).toEqual([ids[4], ids[3]]);
    expect((await s.list({ actions: ['split_region'] })).map((r) => r.id)).toEqual([ids[3], ids[1]]);
    expect((await s.list({ outcomes: ['failed'] })).map((r) => r.id)).toEqual([ids[4]]);
  });

  test('a row left running by a store that stopped becomes "unknown" once, never a gap', async () => {
    const first = await open();
    const done = await first.begin({ who: 'alice', action: 'split_region', params: { region_id: 1 }, preflight });
    await first.finish(done, { outcome: 'ok', pdAnswer: 'The operator is created.' });
    const lost = await first.begin({
      who: 'carol',
      action: 'drain_store',
      params: { store_id: 2, mode: 'store' },
      preflight,
    });
    await first.close();

    const second = await open(); // start() recovers
    const rows = await second.list();
    expect(rows.map((r) => [r.id, r.outcome, r.error])).toEqual([
      [lost, 'unknown', UNKNOWN_OUTCOME_ERROR],
      [done, 'ok', null],
    ]);
    expect(await second.recoverUnknown()).toEqual([]);
  });

  test('conflicting actions on one target wait for each other (bounded: then ActionBusyError); other targets do not', async () => {
    const s = await open();
    const release = await s.lockTarget('default', 'store 1', 'drain_store');
    const other = await s.lockTarget('default', 'store 2', 'drain_store');
    const otherCluster = await s.lockTarget('west', 'store 1', 'drain_store');
    await expect(s.lockTarget('default', 'store 1', 'drain_store')).rejects.toBeInstanceOf(ActionBusyError);
    const waiting = s.lockTarget('default', 'store 1', 'drain_store');
    setTimeout(() => void release(), 50);
    const second = await waiting;
    await Promise.all([second(), other(), otherCluster()]);
  });

  test('health reports the store', async () => {
    const s = await open();
    expect(await s.health()).toMatchObject({ ok: true, store: s.kind, message: 'ok' });
  });
});

describe('PostgreSQL: several replicas on one database', () => {
  test("a live replica's running row is never recovered; once it dies, exactly one replica recovers it", async () => {
    const db = `audit_${++dbCount}`;
    await pgServer.createDatabase(db);
    const [a, b, c] = await Promise.all([openPg(db), openPg(db), openPg(db)]);
    const id = await a.begin({
      who: 'dave',
      action: 'transfer_leader',
      params: { region_id: 1001 },
      preflight,
      target: 'region 1001',
    });
    // Replicas that start or look while A lives leave its action alone.
    expect(await b.recoverUnknown()).toEqual([]);
    const d = await openPg(db);
    expect((await d.list())[0]).toMatchObject({ id, outcome: 'running' });

    // A's session ends (as on kill -9: PostgreSQL drops its locks with the session).
    await a.close();
    const found = await Promise.all([b.recoverUnknown(), c.recoverUnknown(), d.recoverUnknown()]);
    expect(found.flat().map((r) => [r.id, r.outcome])).toEqual([[id, 'unknown']]);
    expect(await b.list()).toEqual([expect.objectContaining({ id, outcome: 'unknown', error: UNKNOWN_OUTCOME_ERROR })]);
  });

  test('a live replica whose database session was cut (row recovered as unknown by another) still records its outcome', async () => {
    const db = `audit_${++dbCount}`;
    await pgServer.createDatabase(db);
    const [a, b] = await Promise.all([openPg(db), openPg(db)]);
    const id = await a.begin({
      who: 'erin',
      action: 'split_region',
      params: { region_id: 9 },
      preflight,
      target: 'region 9',
    });
    // End A's liveness session only (as a database restart or a network cut would), found by its advisory lock.
    const admin = await pgServer.client(db);
    try {
      const ownerKey = (a as unknown as { ownerKey: string }).ownerKey;
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
         WHERE locktype = 'advisory' AND objsubid = 1 AND ((classid::int8 << 32) | objid::int8) = $1::int8`,
        [ownerKey]
      );
      expect(killed.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    const recovered = await until(
      'the killed owner’s row to be recovered',
      async () => {
        const rows = await b.recoverUnknown();
        return rows.length > 0 ? rows : undefined;
      },
      5000
    );
    expect(recovered.map((r) => [r.id, r.outcome])).toEqual([[id, 'unknown']]);
    await a.finish(id, { outcome: 'ok', pdAnswer: 'The operator is created.' });
    expect((await b.list())[0]).toMatchObject({
      id,
      outcome: 'ok',
      pd_answer: 'The operator is created.',
      error: null,
    });
    await expect(a.finish(id, { outcome: 'failed' })).rejects.toThrow(/not running/);
  });

  test('a target lock held by one replica makes another wait, then answer busy', async () => {
    const db = `audit_${++dbCount}`;
    await pgServer.createDatabase(db);
    const [a, b] = await Promise.all([openPg(db), openPg(db, { lockWaitMs: 1000 })]);
    const release = await a.lockTarget('default', 'region 7', 'transfer_leader');
    const started = Date.now();
    await expect(b.lockTarget('default', 'region 7', 'split_region')).rejects.toThrow(
      /split_region not started: another action on region 7 is still running/
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const waiting = b.lockTarget('default', 'region 7', 'split_region');
    setTimeout(() => void release(), 100);
    await (
      await waiting
    )();
  });

  test('replicas starting at once apply each migration once', async () => {
    const db = `audit_${++dbCount}`;
    await pgServer.createDatabase(db);
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPg(db)));
    for (const s of stores) {
      expect(await s.health()).toMatchObject({ ok: true });
    }
    const c = await pgServer.client(db);
    try {
      const r = await c.query(
        'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version'
      );
      expect(r.rows).toEqual([
        { version: 1, n: 1 },
        { version: 2, n: 1 },
      ]);
    } finally {
      await c.end();
    }
  });
});

describe('PostgreSQL faults and credentials', () => {
  test('down at start: the store starts unready (health says why, begin refuses), without the password anywhere', async () => {
    const port = await freePort();
    const s = new PgAuditStore({
      url: `postgres://postgres:hunter2-secret@127.0.0.1:${port}/x`,
      ...pgOptions,
      timeoutMs: 500,
    });
    opened.push(s);
    await s.start();
    const health = await s.health();
    expect(health).toMatchObject({ ok: false, store: 'postgres' });
    expect(health.message).toMatch(/not connected \(.*ECONNREFUSED.*\); actions are refused/);
    const err = await s.begin({ who: 'a', action: 'split_region', params: {}, preflight }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditUnavailableError);
    for (const text of [health.message, (err as Error).message, ...lines]) {
      expect(text).not.toContain('hunter2');
    }
  });

  test('the database stops and comes back: writes fail with AuditUnavailableError meanwhile, and work after', async () => {
    const db = `audit_${++dbCount}`;
    await pgServer.createDatabase(db);
    const s = await openPg(db, { timeoutMs: 1000 });
    await pgServer.stopServer();
    try {
      await expect(s.begin({ who: 'a', action: 'split_region', params: {}, preflight })).rejects.toBeInstanceOf(
        AuditUnavailableError
      );
      expect(await s.health()).toMatchObject({ ok: false });
    } finally {
      await pgServer.startServer();
    }
    // The liveness session reconnects in the background (every 2 s).
    await until(
      'a write after the database came back',
      () => s.begin({ who: 'a', action: 'split_region', params: {}, preflight }).catch(() => undefined),
      15_000
    );
    expect(await s.health()).toMatchObject({ ok: true });
  });

  test('a slow database is bounded by AUDIT_DB_TIMEOUT_MS', async () => {
    const db = `audit_${++dbCount}`;
    await pgServer.createDatabase(db);
    const s = await openPg(db, { timeoutMs: 500 });
    const blocker = await pgServer.client(db);
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE audit IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const err = await s.begin({ who: 'a', action: 'split_region', params: {}, preflight }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuditUnavailableError);
      expect((err as Error).message).toMatch(/statement timeout|Query read timeout/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
  });

  test('the password comes from the password option (AUDIT_DB_PASSWORD_FILE) or PGPASSWORD; a wrong one is reported without it', async () => {
    const db = `audit_${++dbCount}`;
    await pgServer.createDatabase(db);
    const fromFile = await openPg(db, { url: pgServer.urlWithoutPassword(db), password: pgServer.password });
    expect(await fromFile.health()).toMatchObject({ ok: true });

    const saved = process.env.PGPASSWORD;
    process.env.PGPASSWORD = pgServer.password;
    try {
      const fromEnv = new PgAuditStore({ url: pgServer.urlWithoutPassword(db), ...pgOptions });
      opened.push(fromEnv);
      await fromEnv.start();
      expect(await fromEnv.health()).toMatchObject({ ok: true });
    } finally {
      if (saved === undefined) {
        delete process.env.PGPASSWORD;
      } else {
        process.env.PGPASSWORD = saved;
      }
    }

    const wrong = new PgAuditStore({
      url: pgServer.urlWithoutPassword(db),
      password: 'wrong-secret-value',
      ...pgOptions,
    });
    opened.push(wrong);
    await wrong.start();
    const health = await wrong.health();
    expect(health).toMatchObject({ ok: false });
    expect(health.message).toMatch(/password authentication failed/);
    expect(health.message).not.toContain('wrong-secret-value');
    expect(wrong.where).toBe(`PostgreSQL at 127.0.0.1:${pgServer.port}/${db}`);
    for (const line of lines) {
      expect(line).not.toContain(pgServer.password);
      expect(line).not.toContain('wrong-secret-value');
    }
  });
});

describe('PostgreSQL over TLS (a server that accepts TCP only with TLS)', () => {
  let tlsServer: TestPostgres;
  beforeAll(async () => {
    tlsServer = await startPostgres({ tls: true });
    await tlsServer.createDatabase('tls');
  });
  afterAll(async () => {
    for (const s of opened.splice(0)) {
      await s.close();
    }
    await tlsServer?.stop();
  });

  test('AUDIT_DB_CA_FILE verifies the server (verify-full); without TLS, or with another CA, it does not connect', async () => {
    const open = async (url: string, caFile?: string) => {
      const s = new PgAuditStore({ url, caFile, ...pgOptions });
      opened.push(s);
      await s.start();
      return s.health();
    };
    expect(await open(tlsServer.url('tls'), tlsServer.caFile)).toMatchObject({ ok: true });
    // sslmode in the URL works too (node-postgres reads sslrootcert itself).
    expect(
      await open(`${tlsServer.url('tls')}?sslmode=verify-full&sslrootcert=${encodeURIComponent(tlsServer.caFile!)}`)
    ).toMatchObject({ ok: true });

    const plain = await open(tlsServer.url('tls'));
    expect(plain).toMatchObject({ ok: false });
    expect(plain.message).toMatch(/no encryption|pg_hba/);
    const otherCa = join(dir, 'other-ca.crt');
    writeFileSync(otherCa, selfSigned(dir, 'other').cert);
    const wrong = await open(tlsServer.url('tls'), otherCa);
    expect(wrong).toMatchObject({ ok: false });
    expect(wrong.message).toMatch(/self.signed|certificate/i);
    for (const h of [plain, wrong]) {
      expect(h.message).not.toContain(tlsServer.password);
    }
  });
});
