/** `GET /api/health`: 200 whenever the backend runs; each upstream reported on its own. */
import { z } from 'zod';

export const UpstreamHealth = z.object({
  ok: z.boolean(),
  /** The upstream's own version string (PD `/version`, Prometheus `buildinfo`), when reachable. */
  version: z.string().optional(),
  latencyMs: z.number().optional(),
  /** What is wrong, in words (or "ok"). Never contains credentials. */
  message: z.string(),
});
export type UpstreamHealth = z.infer<typeof UpstreamHealth>;

/** The action audit store: `none` when actions are off; not ok = executions are refused (TKO_ERR_AUDIT_UNAVAILABLE). */
export const AuditStoreHealth = UpstreamHealth.omit({ version: true }).extend({
  store: z.enum(['sqlite', 'postgres', 'none']),
});
export type AuditStoreHealth = z.infer<typeof AuditStoreHealth>;

export const HealthReport = z.object({
  status: z.enum(['ok', 'degraded']),
  backend: z.object({ version: z.string(), uptimeSeconds: z.number(), actionsEnabled: z.boolean() }),
  pd: UpstreamHealth,
  prometheus: UpstreamHealth,
  /** Always sent by this backend; optional so a data source can still test an older one. */
  audit: AuditStoreHealth.optional(),
});
export type HealthReport = z.infer<typeof HealthReport>;
