/**
 * The SQLite audit trail (the embedded default, `AUDIT_DB_PATH`; ./sqliteStore.ts puts it behind the async
 * AuditStore interface): one file, one writer. Every confirmed execution is written twice: `begin` before the PD
 * call (outcome `running`, committed with `synchronous = FULL`, so it is on disk before PD sees the request) and
 * `finish` after it. A process killed between the two leaves a `running` row; the next process turns it into
 * `unknown` with `recoverUnknown()` — a visible "unknown outcome", never a silent gap.
 *
 * One writer (DESIGN.md "Scale"): with `locking_mode = EXCLUSIVE` SQLite takes a file lock at the first read and
 * upgrades it to an exclusive one at the first write, then keeps it until the connection closes. Reading the schema
 * is not enough (a second process could open an existing file and fail only at its first `begin`, with a bare
 * "database is locked"), so the migration step always writes (`user_version`) at open: a second backend on the same
 * file fails at start-up naming AUDIT_DB_PATH. The OS drops the lock when the process dies, even on kill -9.
 */
import Database from 'better-sqlite3';

import { ConfigError } from '../../shared/errors';
import { AuditRow } from '../../shared/schema/actions';
import { AUDIT_OUTCOMES, type AuditOutcome, DEFAULT_CLUSTER, ENV } from '../../shared/names';

export { AUDIT_OUTCOMES, type AuditOutcome };

export { AuditRow };

export interface BeginEntry {
  who: string;
  action: string;
  params: unknown;
  preflight: unknown;
  /** The cluster the action ran on (default `default`, the one PD_URL names). */
  cluster?: string;
  /** What the action changes (`store 4`, `region 1001`, `config leader-schedule-limit`): see actionTarget. */
  target?: string;
}

export interface FinishEntry {
  /** `unknown` when PD may have applied the write without answering (timeout, connection broken mid-request). */
  outcome: 'ok' | 'failed' | 'unknown';
  pdAnswer?: string;
  error?: string;
}

export interface ListOptions {
  /** Epoch ms: rows that overlap [from, to] (a running row counts as an instant at its start). */
  from?: number;
  to?: number;
  /** Newest first; default 1000, at most 10 000. */
  limit?: number;
  /** Only these actions / outcomes; absent or empty = all. */
  actions?: string[];
  outcomes?: AuditOutcome[];
  /** Only these clusters' rows (CLUSTER_NAME); absent or empty = every cluster's. */
  clusters?: string[];
}

const MAX_LIST = 10_000;

/** A filtered column and the values a row's may be. */
type ListFilter = [column: 'action' | 'outcome' | 'cluster', values: readonly string[]];

/**
 * What every audit store's list selects: rows overlapping [from, to] (open ends: all time), at most `limit` of them
 * (1 to 10 000, default 1000), and the filtered columns with their values (an absent or empty list filters nothing).
 */
export function listQuery(o: ListOptions): { from: number; to: number; limit: number; filters: ListFilter[] } {
  const filters: ListFilter[] = [];
  for (const [column, values] of [
    ['action', o.actions],
    ['outcome', o.outcomes],
    ['cluster', o.clusters],
  ] as const) {
    if (values && values.length > 0) {
      filters.push([column, values]);
    }
  }
  return {
    from: o.from ?? 0,
    to: o.to ?? Number.MAX_SAFE_INTEGER,
    limit: Math.min(Math.max(1, Math.floor(o.limit ?? 1000)), MAX_LIST),
    filters,
  };
}

export interface AuditLog {
  /** Writes a `running` row, durably, and returns its id. Call before the PD request. */
  begin(entry: BeginEntry): number;
  /** Records the outcome of a row written by `begin`. */
  finish(id: number, entry: FinishEntry): void;
  /** Start-up: rows still `running` come from a process that died mid-action; they become `unknown`. */
  recoverUnknown(): AuditRow[];
  list(o?: ListOptions): AuditRow[];
  close(): void;
}

export const UNKNOWN_OUTCOME_ERROR =
  'the backend stopped before PD answered: the outcome is unknown — check PD (operators, schedulers, config, store state)';

/**
 * Versioned migrations, applied in order at open inside one IMMEDIATE transaction; `schema_migrations` records
 * which ran. Version 1 is the table as it was before versions were recorded (IF NOT EXISTS: old files keep theirs).
 */
const MIGRATIONS: Array<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  who TEXT NOT NULL,
  action TEXT NOT NULL,
  params TEXT NOT NULL,
  preflight TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'unknown')),
  pd_answer TEXT,
  error TEXT
);
CREATE INDEX IF NOT EXISTS audit_started_at ON audit (started_at);
CREATE INDEX IF NOT EXISTS audit_outcome ON audit (outcome);`,
  },
  {
    version: 2,
    sql: `
ALTER TABLE audit ADD COLUMN cluster TEXT NOT NULL DEFAULT 'default';
ALTER TABLE audit ADD COLUMN target TEXT;`,
  },
];

function migrate(db: Database.Database, clock: () => number): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version)
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  for (const m of MIGRATIONS) {
    if (!applied.has(m.version)) {
      db.exec(m.sql);
      record.run(m.version, clock());
    }
  }
  // Always a write, so this connection holds the exclusive lock from now on (see the header).
  db.pragma(`user_version = ${MIGRATIONS[MIGRATIONS.length - 1].version}`);
}

interface DbRow {
  id: number;
  cluster: string;
  target: string | null;
  started_at: number;
  finished_at: number | null;
  who: string;
  action: string;
  params: string;
  preflight: string;
  outcome: AuditOutcome;
  pd_answer: string | null;
  error: string | null;
}

function toRow(r: DbRow): AuditRow {
  return { ...r, params: JSON.parse(r.params), preflight: JSON.parse(r.preflight) };
}

function openDatabase(path: string, clock: () => number): Database.Database {
  let db: Database.Database | undefined;
  try {
    // No busy wait: a second writer is a deployment mistake, reported at once.
    const opened = new Database(path, { timeout: 0 });
    db = opened;
    opened.pragma('journal_mode = WAL');
    // FULL: a commit is fsynced before `begin` returns, so the row exists before PD is asked.
    opened.pragma('synchronous = FULL');
    opened.pragma('locking_mode = EXCLUSIVE');
    // The migration step always writes: it takes the exclusive lock now, so a second writer fails here, at start-up.
    opened.transaction(() => migrate(opened, clock)).immediate();
    return opened;
  } catch (err) {
    db?.close();
    const busy = (err as { code?: string }).code?.startsWith('SQLITE_BUSY');
    throw new ConfigError(
      ENV.AUDIT_DB_PATH,
      busy
        ? `audit log ${path} is held by another backend process (the audit log has one writer)`
        : `cannot open audit log ${path}: ${(err as Error).message}`
    );
  }
}

/** Opens (creating if needed) the audit log at `path` (`AUDIT_DB_PATH`; `:memory:` for tests). */
export function openAuditLog(path: string, clock: () => number = Date.now): AuditLog {
  const db = openDatabase(path, clock);

  const insert = db.prepare(
    `INSERT INTO audit (started_at, who, action, params, preflight, outcome, cluster, target) VALUES (?, ?, ?, ?, ?, 'running', ?, ?)`
  );
  const update = db.prepare(
    `UPDATE audit SET outcome = ?, finished_at = ?, pd_answer = ?, error = ? WHERE id = ? AND outcome = 'running'`
  );
  const running = db.prepare(`SELECT * FROM audit WHERE outcome = 'running' ORDER BY id`);
  const markUnknown = db.prepare(`UPDATE audit SET outcome = 'unknown', error = ? WHERE outcome = 'running'`);

  const recover = db.transaction((): AuditRow[] => {
    const rows = (running.all() as DbRow[]).map(toRow);
    markUnknown.run(UNKNOWN_OUTCOME_ERROR);
    return rows.map((r) => ({ ...r, outcome: 'unknown' as const, error: UNKNOWN_OUTCOME_ERROR }));
  });

  return {
    begin(e) {
      const info = insert.run(
        clock(),
        e.who,
        e.action,
        JSON.stringify(e.params ?? null),
        JSON.stringify(e.preflight ?? null),
        e.cluster ?? DEFAULT_CLUSTER,
        e.target ?? null
      );
      return Number(info.lastInsertRowid);
    },
    finish(id, e) {
      const info = update.run(e.outcome, clock(), e.pdAnswer ?? null, e.error ?? null, id);
      if (info.changes !== 1) {
        throw new Error(`audit row ${id} is not running (finished twice, or never begun)`);
      }
    },
    recoverUnknown: () => recover(),
    list(o = {}) {
      const q = listQuery(o);
      const where = ['started_at <= ?', 'COALESCE(finished_at, started_at) >= ?'];
      const args: Array<string | number> = [q.to, q.from];
      for (const [column, values] of q.filters) {
        where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
        args.push(...values);
      }
      const sql = `SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY started_at DESC, id DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, q.limit) as DbRow[]).map(toRow);
    },
    close() {
      db.close();
    },
  };
}
