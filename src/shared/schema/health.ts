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

/** One cluster's upstreams. */
export const ClusterHealth = z.object({
  name: z.string(),
  status: z.enum(['ok', 'degraded']),
  pd: UpstreamHealth,
  prometheus: UpstreamHealth,
});
export type ClusterHealth = z.infer<typeof ClusterHealth>;

export const HealthReport = z.object({
  /** `degraded` when any reported cluster's PD or Prometheus (or the audit store) is down. */
  status: z.enum(['ok', 'degraded']),
  backend: z.object({ version: z.string(), uptimeSeconds: z.number(), actionsEnabled: z.boolean() }),
  /** The only cluster's (or the `?cluster=` one's) PD and Prometheus; absent when several clusters are reported. */
  pd: UpstreamHealth.optional(),
  prometheus: UpstreamHealth.optional(),
  /** Every reported cluster (all, or the `?cluster=` one). */
  clusters: z.array(ClusterHealth),
  /** The backend's one audit store (shared by its clusters). Always sent by this backend; optional so a data source
   * can still test an older one. */
  audit: AuditStoreHealth.optional(),
});
export type HealthReport = z.infer<typeof HealthReport>;
