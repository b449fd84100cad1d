/**
 * The action audit trail behind one interface, two implementations:
 *
 *   - SQLite (`AUDIT_DB_PATH`, the embedded default, ./sqliteStore.ts): one file, one backend process.
 *   - PostgreSQL (`AUDIT_DB_URL=postgres://…`, ./pgStore.ts): several backend replicas share one trail.
 *
 *   openAuditStore(config: Config, log): AuditStore        AUDIT_DB_URL wins when both are set
 *
 * Every method is async (PostgreSQL is); `begin` resolves only once the `running` row is committed, so PD is asked
 * after the row exists. `lockTarget` serializes conflicting actions (same cluster and target): across replicas
 * with PostgreSQL, within the process with SQLite (which has one writer anyway).
 */
import type { AuditRow } from '../../shared/schema/actions';
import type { AuditStoreHealth } from '../../shared/schema/health';
import type { AuditOutcome } from '../../shared/names';
import type { Config } from '../config';

import type { BeginEntry, FinishEntry, ListOptions } from './auditLog';
import { PgAuditStore } from './pgStore';
import { SqliteAuditStore } from './sqliteStore';

export type { AuditOutcome, AuditRow, BeginEntry, FinishEntry, ListOptions };

/** A store's kind: the health schema's, less `none` (no store). */
export type AuditStoreKind = Exclude<AuditStoreHealth['store'], 'none'>;

/** A store's own health: the `/api/health` audit entry (shared/schema/health.ts) of its kind. */
export type AuditHealth = AuditStoreHealth & { store: AuditStoreKind };

export interface AuditStore {
  readonly kind: AuditStoreKind;
  /** Where the trail lives, fit for a log line (no credentials). */
  readonly where: string;
  /**
   * Start-up: migrations, recovery of rows left `running` by a process that died. PostgreSQL never throws here: a
   * database that is down leaves the store unready (actions refused, health says why) and it keeps retrying.
   */
  start(): Promise<void>;
  /** Commits a `running` row and returns its id; AuditUnavailableError when it could not be written. */
  begin(entry: BeginEntry): Promise<number>;
  /** Records the outcome of a row written by `begin`. */
  finish(id: number, entry: FinishEntry): Promise<void>;
  /** Rows left `running` by a dead process become `unknown`, exactly once; returns the rows it changed. */
  recoverUnknown(): Promise<AuditRow[]>;
  list(o?: ListOptions): Promise<AuditRow[]>;
  /**
   * Waits (bounded by AUDIT_LOCK_WAIT_MS) until no other action on `target` of `cluster` runs, then holds it until
   * the returned release is called; ActionBusyError when the wait runs out.
   */
  lockTarget(cluster: string, target: string, action: string): Promise<() => Promise<void>>;
  health(): Promise<AuditHealth>;
  close(): Promise<void>;
}

export interface AuditStoreLog {
  info(msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Opens the store the configuration names: PostgreSQL when AUDIT_DB_URL is set, else SQLite at AUDIT_DB_PATH. */
export function openAuditStore(config: Config, log: AuditStoreLog): AuditStore {
  if (config.audit.url) {
    return new PgAuditStore({ ...config.audit, url: config.audit.url, log });
  }
  return new SqliteAuditStore({ path: config.actions.auditDbPath, lockWaitMs: config.audit.lockWaitMs, log });
}
