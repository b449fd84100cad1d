/**
 * The PostgreSQL audit trail (`AUDIT_DB_URL`): several backend replicas share it.
 *
 * - One row per action: `begin` inserts it `running` (autocommit: committed when the query returns, before PD is
 *   asked), `finish` updates it once (`WHERE outcome = 'running'`).
 * - Liveness: each replica holds a session-level advisory lock on its own random `owner_key` (on a connection of its
 *   own) for as long as it lives, and writes that key into its rows. PostgreSQL drops the lock when the session
 *   ends, kill -9 included. A `running` row whose owner's lock can be taken belongs to a dead replica: whichever
 *   replica notices first (at start and every AUDIT_RECOVERY_INTERVAL_MS) turns it `unknown`, while holding that
 *   lock, with `WHERE outcome = 'running'` — exactly once, and never for an action a live replica still runs.
 * - Conflicting actions: `lockTarget` takes a session-level advisory lock per cluster and target on a pool
 *   connection held for the whole action, waiting at most AUDIT_LOCK_WAIT_MS (`lock_timeout`), else 409.
 * - Faults: a database that is down at start leaves the store unready (actions refused with 503, `/api/health`
 *   says why) and it retries in the background; every statement is bounded by AUDIT_DB_TIMEOUT_MS
 *   (`statement_timeout`, `connectionTimeoutMillis`, and a client-side `query_timeout`).
 * - The URL (with its password) never reaches a log line or an error: errors are redacted, `where` has no user info.
 */
import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { ActionBusyError, AuditUnavailableError } from '../../shared/errors';
import type { AuditRow } from '../../shared/schema/actions';

import { DEFAULT_CLUSTER } from '../../shared/names';
import { listQuery, UNKNOWN_OUTCOME_ERROR } from './auditLog';
import { connectionString, describeUrl, passwordOf, redactError } from './pgConnection';
import { migrate } from './pgMigrations';
import type { AuditHealth, AuditStore, AuditStoreLog, BeginEntry, FinishEntry, ListOptions } from './store';

export interface PgAuditStoreOptions {
  /** `postgres://user@host:port/db?sslmode=…` (AUDIT_DB_URL). */
  url: string;
  /** AUDIT_DB_PASSWORD_FILE's content; else the URL's password, else PGPASSWORD (node-postgres reads it). */
  password?: string;
  /** AUDIT_DB_CA_FILE: the CA that signed the server's certificate (verify-full unless the URL says otherwise). */
  caFile?: string;
  timeoutMs: number;
  lockWaitMs: number;
  recoveryIntervalMs: number;
  log: AuditStoreLog;
  /** Tests only; by default times come from PostgreSQL's clock, one clock for every replica's rows. */
  clock?: () => number;
}

/** PostgreSQL's clock in epoch ms: replicas' clocks may differ; the trail's order must not depend on them. */
const DB_NOW = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** How often an unreachable database is tried again. */
const RETRY_MS = 2000;
const COLUMNS = `id::float8 AS id, cluster, target, started_at::float8 AS started_at, finished_at::float8 AS finished_at,
  who, action, params, preflight, outcome, pd_answer, error`;
/** PostgreSQL's lock_not_available and query_canceled (statement_timeout). */
const LOCK_WAIT_CODES = new Set(['55P03', '57014']);

export class PgAuditStore implements AuditStore {
  readonly kind = 'postgres' as const;
  readonly where: string;
  private readonly o: PgAuditStoreOptions;
  private readonly config: pg.ClientConfig;
  private readonly pool: pg.Pool;
  private readonly clock?: () => number;
  /** This replica's liveness lock key (a signed 64-bit integer, as text). */
  private readonly ownerKey = randomBytes(8).readBigInt64BE().toString();
  private owner?: pg.Client;
  private ready = false;
  private lastError = 'not started';
  private closed = false;
  private retryTimer?: NodeJS.Timeout;
  private recoveryTimer?: NodeJS.Timeout;
  private connecting?: Promise<void>;

  constructor(o: PgAuditStoreOptions) {
    this.o = o;
    this.clock = o.clock;
    this.where = `PostgreSQL at ${describeUrl(o.url)}`;
    this.config = {
      connectionString: connectionString(o.url, o),
      connectionTimeoutMillis: o.timeoutMs,
      statement_timeout: o.timeoutMs,
      query_timeout: o.timeoutMs + 1000,
      application_name: 'tikv-operator-grafana',
      keepAlive: true,
    };
    this.pool = new pg.Pool({ ...this.config, max: 20, idleTimeoutMillis: 30_000 });
    // An idle connection that breaks (database restarted) must not crash the process; the next query reconnects.
    this.pool.on('error', (err) =>
      this.o.log.warn({ err: this.redact(err) }, `audit store: ${this.where}: idle connection lost`)
    );
  }

  async start(): Promise<void> {
    await this.connect();
    this.recoveryTimer = setInterval(() => void this.recoverQuietly(), this.o.recoveryIntervalMs);
    this.recoveryTimer.unref();
  }

  async begin(e: BeginEntry): Promise<number> {
    this.assertReady();
    const r = await this.query<{ id: number }>(
      `INSERT INTO audit (started_at, who, action, params, preflight, outcome, cluster, target, owner_key)
       VALUES (COALESCE($1::bigint, ${DB_NOW}), $2, $3, $4::json, $5::json, 'running', $6, $7, $8::bigint) RETURNING id::float8 AS id`,
      [
        this.clock?.() ?? null,
        e.who,
        e.action,
        JSON.stringify(e.params ?? null),
        JSON.stringify(e.preflight ?? null),
        e.cluster ?? DEFAULT_CLUSTER,
        e.target ?? null,
        this.ownerKey,
      ]
    );
    return r.rows[0].id;
  }

  async finish(id: number, e: FinishEntry): Promise<void> {
    const r = await this.query(
      // Also a row of this replica that another one recovered as unknown while this replica's session was cut (a
      // database restart): the replica was alive after all, and its outcome is the truth.
      `UPDATE audit SET outcome = $1, finished_at = COALESCE($2::bigint, ${DB_NOW}), pd_answer = $3, error = $4
       WHERE id = $5 AND (outcome = 'running' OR (outcome = 'unknown' AND finished_at IS NULL AND owner_key = $6::bigint))`,
      [e.outcome, this.clock?.() ?? null, e.pdAnswer ?? null, e.error ?? null, id, this.ownerKey]
    );
    if (r.rowCount !== 1) {
      throw new Error(`audit row ${id} is not running (finished twice, never begun, or recovered as unknown)`);
    }
  }

  async recoverUnknown(): Promise<AuditRow[]> {
    this.assertReady();
    const owners = await this.query<{ owner_key: string }>(
      `SELECT DISTINCT owner_key::text AS owner_key FROM audit WHERE outcome = 'running' AND owner_key IS DISTINCT FROM $1::bigint`,
      [this.ownerKey]
    );
    const recovered: AuditRow[] = [];
    for (const { owner_key } of owners.rows) {
      recovered.push(...(await this.recoverOwner(owner_key)));
    }
    return recovered.sort((a, b) => a.id - b.id);
  }

  async list(o: ListOptions = {}): Promise<AuditRow[]> {
    const q = listQuery(o);
    const args: unknown[] = [q.to, q.from];
    const where = ['started_at <= $1', 'COALESCE(finished_at, started_at) >= $2'];
    for (const [column, values] of q.filters) {
      args.push(values);
      where.push(`${column} = ANY($${args.length}::text[])`);
    }
    args.push(q.limit);
    const r = await this.query<AuditRow>(
      `SELECT ${COLUMNS} FROM audit WHERE ${where.join(' AND ')} ORDER BY started_at DESC, id DESC LIMIT $${args.length}`,
      args
    );
    return r.rows;
  }

  async lockTarget(cluster: string, target: string, action: string): Promise<() => Promise<void>> {
    this.assertReady();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.unavailable(err);
    }
    const key = `${cluster}/${target}`;
    const lock = `hashtext('tikv-operator-grafana target'), hashtext($1)`;
    try {
      await client.query(`SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)`, [
        `${this.o.lockWaitMs}ms`,
        `${this.o.lockWaitMs + this.o.timeoutMs}ms`,
      ]);
      await client.query(`SELECT pg_advisory_lock(${lock})`, [key]);
    } catch (err) {
      client.release(true);
      if (LOCK_WAIT_CODES.has((err as { code?: string }).code ?? '')) {
        throw new ActionBusyError(action, target, this.o.lockWaitMs);
      }
      throw this.unavailable(err);
    }
    return async () => {
      try {
        await client.query(`SELECT pg_advisory_unlock(${lock})`, [key]);
        await client.query('RESET lock_timeout; RESET statement_timeout');
        client.release();
      } catch (err) {
        // Dropping the connection releases the lock too.
        client.release(true);
        this.o.log.warn({ err: this.redact(err) }, `audit store: could not release the lock on ${target}`);
      }
    };
  }

  async health(): Promise<AuditHealth> {
    if (!this.ready) {
      return {
        ok: false,
        store: this.kind,
        message: `${this.where}: not connected (${this.lastError}); actions are refused until it is reachable, retrying every ${RETRY_MS / 1000} s`,
      };
    }
    const started = performance.now();
    try {
      await this.query('SELECT 1');
      return { ok: true, store: this.kind, latencyMs: Math.round(performance.now() - started), message: 'ok' };
    } catch (err) {
      return {
        ok: false,
        store: this.kind,
        latencyMs: Math.round(performance.now() - started),
        message: (err as Error).message,
      };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.recoveryTimer);
    await this.connecting?.catch(() => undefined);
    await this.owner?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  // ── plumbing ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** One attempt: migrations, the owner lock, recovery. On failure the store stays unready and tries again. */
  private connect(): Promise<void> {
    this.connecting = this.connectOnce().then(
      () => undefined,
      (err) => {
        this.ready = false;
        this.lastError = this.redact(err).message;
        this.o.log.warn(
          {},
          `audit store: ${this.where} unreachable (${this.lastError}); actions are refused, retrying every ${RETRY_MS / 1000} s`
        );
        this.scheduleRetry();
      }
    );
    return this.connecting;
  }

  private scheduleRetry(): void {
    if (!this.closed) {
      this.retryTimer = setTimeout(() => void this.connect(), RETRY_MS);
      this.retryTimer.unref();
    }
  }

  private async connectOnce(): Promise<void> {
    const client = await this.pool.connect();
    try {
      const applied = await migrate(client);
      if (applied.length > 0) {
        this.o.log.info(`audit store: ${this.where}: applied schema migration(s) ${applied.join(', ')}`);
      }
    } finally {
      client.release();
    }
    const owner = new pg.Client({ ...this.config, statement_timeout: 0 });
    owner.on('error', (err) => {
      // The session (and so the liveness lock) is gone: stop writing until it is back.
      this.ready = false;
      this.lastError = this.redact(err).message;
      this.o.log.error(
        {},
        `audit store: lost the session holding this replica's lock (${this.lastError}); reconnecting`
      );
      owner.end().catch(() => undefined);
      this.scheduleRetry();
    });
    await owner.connect();
    await owner.query('SELECT pg_advisory_lock($1::bigint)', [this.ownerKey]);
    if (this.closed) {
      await owner.end();
      return;
    }
    this.owner = owner;
    this.ready = true;
    this.lastError = 'ok';
    this.o.log.info(`audit store: ${this.where}`);
    await this.recoverQuietly();
  }

  private async recoverQuietly(): Promise<void> {
    if (!this.ready || this.closed) {
      return;
    }
    try {
      const rows = await this.recoverUnknown();
      if (rows.length > 0) {
        this.o.log.warn(
          { ids: rows.map((r) => r.id) },
          `${rows.length} audited action(s) of a replica that stopped have an unknown outcome`
        );
      }
    } catch (err) {
      this.o.log.warn({ err: this.redact(err) }, 'audit store: recovery of rows left running failed; retrying later');
    }
  }

  /** Takes a dead owner's lock (fails at once while it lives) and marks its running rows unknown under it. */
  private async recoverOwner(ownerKey: string): Promise<AuditRow[]> {
    const client = await this.pool.connect().catch((err) => {
      throw this.unavailable(err);
    });
    let broken: Error | undefined;
    try {
      const got = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS got', [ownerKey]);
      if (!got.rows[0].got) {
        return [];
      }
      try {
        const r = await client.query<AuditRow>(
          `UPDATE audit SET outcome = 'unknown', error = $2 WHERE outcome = 'running' AND owner_key = $1::bigint RETURNING ${COLUMNS}`,
          [ownerKey, UNKNOWN_OUTCOME_ERROR]
        );
        return r.rows;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [ownerKey]);
      }
    } catch (err) {
      // A connection that may still hold the dead owner's lock must not go back to the pool.
      broken = this.unavailable(err);
      throw broken;
    } finally {
      client.release(broken);
    }
  }

  private assertReady(): void {
    if (!this.ready) {
      throw new AuditUnavailableError(`audit store ${this.where} is not available: ${this.lastError}`);
    }
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    args?: unknown[]
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, args);
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  private unavailable(err: unknown): AuditUnavailableError {
    return new AuditUnavailableError(`audit store ${this.where}: ${this.redact(err).message}`);
  }

  /** An error without the URL or the password in its text. */
  private redact(err: unknown): Error {
    return redactError(err, [this.o.url, this.o.password, passwordOf(this.o.url)]);
  }
}
