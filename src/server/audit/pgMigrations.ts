/**
 * The PostgreSQL audit schema as versioned migrations, applied at start by every replica. Safe when replicas start
 * at once: one transaction holds `pg_advisory_xact_lock` (released at commit) while it reads `schema_migrations`
 * and applies what is missing, so the second replica waits and then finds nothing to do.
 */
import type { PoolClient } from 'pg';

export const PG_MIGRATIONS: Array<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at bigint NOT NULL,
  finished_at bigint,
  who text NOT NULL,
  action text NOT NULL,
  params json NOT NULL,
  preflight json NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'unknown')),
  pd_answer text,
  error text
);
CREATE INDEX audit_started_at ON audit (started_at);`,
  },
  {
    version: 2,
    // owner_key: the session-level advisory lock the writing replica holds while it lives (./pgStore.ts).
    sql: `
ALTER TABLE audit
  ADD COLUMN cluster text NOT NULL DEFAULT 'default',
  ADD COLUMN target text,
  ADD COLUMN owner_key bigint;
CREATE INDEX audit_running ON audit (owner_key) WHERE outcome = 'running';`,
  },
];

/** Lock key of the migration step (any constant; hashtext keeps it readable). */
const MIGRATION_LOCK = `SELECT pg_advisory_xact_lock(hashtext('tikv-operator-grafana audit migrations'))`;

/** Applies the missing migrations in one transaction; returns the versions it applied. */
export async function migrate(client: PoolClient): Promise<number[]> {
  await client.query('BEGIN');
  try {
    await client.query(MIGRATION_LOCK);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())'
    );
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version)
    );
    const applied: number[] = [];
    for (const m of PG_MIGRATIONS) {
      if (!done.has(m.version)) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
        applied.push(m.version);
      }
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
