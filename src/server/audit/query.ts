/**
 * The `kind: "audit"` data source query over the audit log, for `POST /api/query`:
 *
 *   auditQueryFrames(audit, q: AuditQueryInput, range: {from, to}, cluster?): Promise<DataFrameJSON[]>
 *
 * Rows overlapping [from, to], newest first up to `limit`, optionally only some actions or outcomes; then the
 * table or annotations frame (./frames.ts). The wire schema itself belongs in src/shared/schema/query.ts.
 *
 * This query is served to the read token (every Grafana Viewer): it answers the redacted view — who ran which
 * action on which target, when, with what outcome — without parameters, preflight, PD's answers or errors. The full
 * rows need the actions token (`GET /api/actions/audit`, Admin-only in Grafana).
 */
import type { DataFrameJSON } from '../../shared/schema/frames';
import type { AuditOutcome } from './auditLog';
import { type AuditFormat, auditFrames } from '../../shared/auditFrames';
import type { AuditStore } from './store';

export interface AuditQueryInput {
  refId: string;
  format?: AuditFormat;
  /** Action names; empty or absent = every action. */
  actions?: string[];
  outcomes?: AuditOutcome[];
  limit?: number;
}

export async function auditQueryFrames(
  audit: Pick<AuditStore, 'list'>,
  q: AuditQueryInput,
  range: { from: number; to: number },
  /** The cluster the request reads (one data source per cluster): only its rows. */
  cluster?: string
): Promise<DataFrameJSON[]> {
  const rows = await audit.list({
    clusters: cluster === undefined ? undefined : [cluster],
    from: range.from,
    to: range.to,
    limit: q.limit,
    actions: q.actions,
    outcomes: q.outcomes,
  });
  return auditFrames(rows, q.format ?? 'table', { refId: q.refId, to: range.to, view: 'redacted' });
}
