/**
 * The `kind: "audit"` data source query over the audit log, for `POST /api/query`:
 *
 *   auditQueryFrames(audit: AuditLog, q: AuditQueryInput, range: {from, to}): DataFrameJSON[]
 *
 * Rows overlapping [from, to], newest first up to `limit`, optionally only some actions or outcomes; then the
 * table or annotations frame (./frames.ts). The wire schema itself belongs in src/shared/schema/query.ts.
 */
import type { DataFrameJSON } from '../../shared/schema/frames';
import type { AuditLog, AuditOutcome } from './auditLog';
import { type AuditFormat, auditFrames } from './frames';

export interface AuditQueryInput {
  refId: string;
  format?: AuditFormat;
  /** Action names; empty or absent = every action. */
  actions?: string[];
  outcomes?: AuditOutcome[];
  limit?: number;
}

export function auditQueryFrames(
  audit: AuditLog,
  q: AuditQueryInput,
  range: { from: number; to: number }
): DataFrameJSON[] {
  const rows = audit.list({ from: range.from, to: range.to, limit: q.limit, actions: q.actions, outcomes: q.outcomes });
  return auditFrames(rows, q.format ?? 'table', { refId: q.refId, to: range.to });
}
