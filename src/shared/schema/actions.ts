/**
 * The answers of `/api/actions` (src/server/routes/actions.ts) and the audit trail rows (src/server/audit/), one
 * schema each, read by the backend and by the browser (which parses them, so a wrong backend is named, not drawn).
 */
import { z } from 'zod';

import { ACTIONS, AUDIT_OUTCOMES } from '../names';
import { ClusterName } from './query';

/**
 * The cluster an action request targets: `"cluster"` beside the action's parameters in the body (the backend takes
 * it out before the parameters are checked); absent = the backend's only cluster.
 */
export const ActionTarget = z.object({ cluster: ClusterName.optional() });

/** One preflight check, in words with the values read from PD. */
export const PreflightCheck = z.object({
  /** Short, stable name (`region_exists`, `target_is_up`, …). */
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  /** A passed check that still deserves attention (e.g. pausing balance-leader during a drain); never blocks. */
  warning: z.boolean().optional(),
});
export type PreflightCheck = z.infer<typeof PreflightCheck>;

/** A dry run over live PD state: what would happen and whether it is safe (PD has no dry-run API of its own). */
export const PreflightAnswer = z.object({
  action: z.enum(ACTIONS),
  params: z.record(z.string(), z.unknown()),
  /** Every check passed: execute would make the PD call. */
  safe: z.boolean(),
  summary: z.string(),
  checks: z.array(PreflightCheck),
  /** The values the action changes, as PD has them now (the current limit next to the new one). */
  current: z.record(z.string(), z.unknown()).optional(),
  /** Epoch ms of the reads (PD's clock when it sent one). */
  at: z.number(),
});
export type PreflightAnswer = z.infer<typeof PreflightAnswer>;

export const ExecuteAnswer = z.object({
  action: z.enum(ACTIONS),
  /** PD's own answer, e.g. "The operator is created.". */
  pdAnswer: z.string(),
  preflight: PreflightAnswer,
  /** What PD shows right after the write. */
  effect: z.record(z.string(), z.unknown()),
  audit_id: z.number().int(),
});
export type ExecuteAnswer = z.infer<typeof ExecuteAnswer>;

/** One audit row (times in epoch ms). */
export const AuditRow = z.object({
  id: z.number().int(),
  /** The cluster the action ran on (`default` until a backend serves several). */
  cluster: z.string(),
  /** What the action changed (`store 4`, `region 1001`, `config leader-schedule-limit`); null on rows from before. */
  target: z.string().nullable(),
  started_at: z.number().int(),
  /** Null while running and for an unknown outcome. */
  finished_at: z.number().int().nullable(),
  /** The Grafana user (X-Grafana-User) or "unknown user". */
  who: z.string(),
  action: z.string(),
  params: z.unknown(),
  /** The preflight the execution was confirmed with. */
  preflight: z.unknown(),
  outcome: z.enum(AUDIT_OUTCOMES),
  /** PD's answer, when it answered. */
  pd_answer: z.string().nullable(),
  error: z.string().nullable(),
});
export type AuditRow = z.infer<typeof AuditRow>;

/** `GET /api/actions/audit`: the full rows, newest first. */
export const AuditListAnswer = z.object({ rows: z.array(AuditRow) });
export type AuditListAnswer = z.infer<typeof AuditListAnswer>;
