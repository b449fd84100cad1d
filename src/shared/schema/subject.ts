/** `GET /api/subject`: the subject's config as the query editor needs it (descriptions, defaults). */
import { z } from 'zod';

import { INVARIANTS, SEVERITIES } from '../names';

export const SubjectDescription = z.object({
  name: z.string(),
  observations: z.array(z.object({ name: z.string(), description: z.string(), params: z.unknown() })),
  invariants: z.array(
    z.object({
      name: z.enum(INVARIANTS),
      severity: z.enum(SEVERITIES),
      description: z.string(),
      /** Default threshold and grace of this deployment (after environment overrides). */
      threshold: z.number(),
      thresholdUnit: z.string(),
      graceSeconds: z.number(),
    })
  ),
  actions: z.array(z.object({ name: z.string(), description: z.string(), params: z.unknown() })),
  slos: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      target: z.number(),
      unit: z.string(),
      /** Share of the window that must be good (e.g. 0.99). */
      objective: z.number(),
      /** The rolling window, a Prometheus duration (e.g. `30d`). */
      window: z.string(),
    })
  ),
  /**
   * The clusters this backend serves (CLUSTER_NAME) with their PROMETHEUS_SELECTOR as written ('' when unset): the
   * data source's settings list them, dashboards filter Prometheus panels with the selector.
   */
  clusters: z.array(z.object({ name: z.string(), selector: z.string() })),
  /** The cluster whose thresholds `invariants` shows (`?cluster=`, else the first). */
  cluster: z.string(),
});
export type SubjectDescription = z.infer<typeof SubjectDescription>;
