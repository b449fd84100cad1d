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

export const HealthReport = z.object({
  status: z.enum(['ok', 'degraded']),
  backend: z.object({ version: z.string(), uptimeSeconds: z.number(), actionsEnabled: z.boolean() }),
  pd: UpstreamHealth,
  prometheus: UpstreamHealth,
});
export type HealthReport = z.infer<typeof HealthReport>;
