/** A violation of an invariant by one store (DESIGN.md "violation fields"). Times are epoch milliseconds. */
import { z } from 'zod';

import { INVARIANTS, SEVERITIES } from '../names';

export const Violation = z.object({
  store_id: z.number().int(),
  /** The store's address as PD lists it (`host:20160`), or the Prometheus instance when PD no longer knows it. */
  address: z.string(),
  invariant: z.enum(INVARIANTS),
  severity: z.enum(SEVERITIES),
  /** Onset of the condition (not the moment the grace period ran out). */
  first_seen: z.number(),
  /** The last sample at which the condition held. */
  last_seen: z.number(),
  /** Still violating at the end of the evaluated range (live: now). */
  active: z.boolean(),
  /** The observed value at last_seen (seconds of heartbeat age, P99 seconds, used ratio). */
  value: z.number(),
  threshold: z.number(),
  /** Why an inactive violation ended when its condition never cleared: `no_data` = its series stopped reporting. */
  ended_by: z.enum(['no_data']).optional(),
  /** store_down: the store was in maintenance (being removed, leaders evicted, or MAINTENANCE_STORE_LABEL). */
  maintenance: z.boolean().optional(),
  /** The cluster (CLUSTER_NAME) the store belongs to. */
  cluster: z.string().optional(),
});
export type Violation = z.infer<typeof Violation>;
