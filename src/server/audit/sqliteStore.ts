/**
 * The SQLite audit trail (./auditLog.ts, synchronous) behind the AuditStore interface: the embedded default. One
 * backend process per file (the file lock), so conflicting actions are serialized in-process and rows left
 * `running` can only come from a process that died: they become `unknown` at start.
 */
import type { AuditRow } from '../../shared/schema/actions';

import { type AuditLog, openAuditLog } from './auditLog';
import type { AuditHealth, AuditStore, AuditStoreLog, BeginEntry, FinishEntry, ListOptions } from './store';
import { TargetLocks } from './targetLock';

export interface SqliteAuditStoreOptions {
  path: string;
  lockWaitMs: number;
  log: AuditStoreLog;
  clock?: () => number;
}

export class SqliteAuditStore implements AuditStore {
  readonly kind = 'sqlite' as const;
  readonly where: string;
  private readonly db: AuditLog;
  private readonly locks: TargetLocks;
  private readonly log: AuditStoreLog;

  /** Opens the file now: a second backend on it, or a path that cannot be opened, is a ConfigError (AUDIT_DB_PATH). */
  constructor(o: SqliteAuditStoreOptions) {
    this.db = openAuditLog(o.path, o.clock);
    this.where = `SQLite file ${o.path}`;
    this.locks = new TargetLocks(o.lockWaitMs);
    this.log = o.log;
  }

  async start(): Promise<void> {
    const recovered = await this.recoverUnknown();
    if (recovered.length > 0) {
      this.log.warn(
        { ids: recovered.map((r) => r.id) },
        `${recovered.length} audited action(s) have an unknown outcome`
      );
    }
  }

  async begin(entry: BeginEntry): Promise<number> {
    return this.db.begin(entry);
  }

  async finish(id: number, entry: FinishEntry): Promise<void> {
    this.db.finish(id, entry);
  }

  async recoverUnknown(): Promise<AuditRow[]> {
    return this.db.recoverUnknown();
  }

  async list(o?: ListOptions): Promise<AuditRow[]> {
    return this.db.list(o);
  }

  lockTarget(cluster: string, target: string, action: string): Promise<() => Promise<void>> {
    return this.locks.acquire(`${cluster}\u0000${target}`, action, target);
  }

  async health(): Promise<AuditHealth> {
    const started = performance.now();
    try {
      this.db.list({ limit: 1 });
      return { ok: true, store: this.kind, latencyMs: Math.round(performance.now() - started), message: 'ok' };
    } catch (err) {
      return { ok: false, store: this.kind, message: `${this.where}: ${(err as Error).message}` };
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
