/**
 * The query model, shared by the query editor, the data source and the backend.
 *
 * Two layers, as in Grafana's Prometheus data source: the *saved* model is what a dashboard stores (it may hold
 * template variables such as `$store`); the *wire* model is what `POST /api/query` accepts after interpolation
 * (numbers only). `interpolate.ts` turns one into the other.
 */
import { z } from 'zod';

import {
  ACTIONS,
  AUDIT_FORMATS,
  AUDIT_OUTCOMES,
  INVARIANT_FORMATS,
  INVARIANTS,
  OBSERVATIONS,
  QUERY_KINDS,
  SLO_FORMATS,
  SLOS,
} from '../names';

/** Store ids to restrict a query to; absent or empty = every store. */
export const StoreIds = z.array(z.number().int().positive()).max(1000);

/**
 * Per-query overrides of an invariant's threshold and grace period; absent = the deployment's defaults. store_down
 * has none: its history is Prometheus' `up == 0` (no heartbeat age to compare with a timeout) and its live state is
 * the one checker's, whose heartbeat timeout is the deployment's (STORE_DOWN_HEARTBEAT_TIMEOUT_SECONDS) — a
 * per-query timeout could change neither, so the wire refuses it (400 naming `store_down`) rather than ignore it.
 */
export const InvariantOverrides = z
  .object({
    high_latency: z
      .object({
        /** P99 write latency threshold in milliseconds (default 100). */
        thresholdMs: z.number().positive().optional(),
        /** How long the condition must hold before it is a violation, in seconds (default 60). */
        graceSeconds: z.number().min(0).max(86_400).optional(),
      })
      .strict()
      .optional(),
    low_disk: z
      .object({
        /** Disk used ratio threshold, 0 < r <= 1 (default 0.7, PD's high-space-ratio). */
        thresholdRatio: z.number().gt(0).lte(1).optional(),
        /** Grace in seconds (default 0: immediate). */
        graceSeconds: z.number().min(0).max(86_400).optional(),
      })
      .strict()
      .optional(),
    region_health: z
      .object({
        /** Regions missing a peer (or with a down peer) tolerated, a count (default 0: any region). */
        thresholdRegions: z.number().int().min(0).optional(),
        /** Grace in seconds (default 600). */
        graceSeconds: z.number().min(0).max(86_400).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type InvariantOverrides = z.infer<typeof InvariantOverrides>;

/** The deployment's overrides (from the environment): the per-query ones plus store_down's heartbeat timeout. */
export interface DeploymentOverrides extends InvariantOverrides {
  store_down?: {
    /** Heartbeat age that counts as down, in seconds (default 20, PD's storeDisconnectDuration). */
    heartbeatTimeoutSeconds?: number;
  };
}

const RefId = z.string().min(1).max(64);

export const ObservationQuery = z
  .object({
    refId: RefId,
    kind: z.literal('observation'),
    observation: z.enum(OBSERVATIONS),
    storeIds: StoreIds.optional(),
    /** Row limit (hot regions: top-N, default 20; region health: ids listed per kind, default 100). */
    limit: z.number().int().min(1).max(10_000).optional(),
    /** get_forecasts: the trend window, a Prometheus duration (default 6h). */
    window: z.string().min(1).max(32).optional(),
    /**
     * get_forecasts: also answer a `forecast_warnings` frame (annotations) for every crossing or PD Down countdown
     * that falls within this Prometheus duration from now (e.g. 24h).
     */
    horizon: z.string().min(1).max(32).optional(),
  })
  .strict();
export type ObservationQuery = z.infer<typeof ObservationQuery>;

export const InvariantQuery = z
  .object({
    refId: RefId,
    kind: z.literal('invariant'),
    /** Invariants to check; empty = all. */
    invariants: z.array(z.enum(INVARIANTS)).default([]),
    format: z.enum(INVARIANT_FORMATS).default('violations'),
    storeIds: StoreIds.optional(),
    overrides: InvariantOverrides.optional(),
  })
  .strict();
export type InvariantQuery = z.infer<typeof InvariantQuery>;

/** The action audit trail, as a table or as annotations next to the violations the actions answered. */
export const AuditQuery = z
  .object({
    refId: RefId,
    kind: z.literal('audit'),
    format: z.enum(AUDIT_FORMATS).default('table'),
    /** Only these actions; empty = all. */
    actions: z.array(z.enum(ACTIONS)).default([]),
    /** Only these outcomes; empty = all. */
    outcomes: z.array(z.enum(AUDIT_OUTCOMES)).default([]),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuery>;

/** Error budgets of the SLOs per store, from Prometheus (README "SLOs"). */
export const SloQuery = z
  .object({
    refId: RefId,
    kind: z.literal('slo'),
    /** SLOs to answer; empty = all. */
    slos: z.array(z.enum(SLOS)).default([]),
    format: z.enum(SLO_FORMATS).default('budget'),
    storeIds: StoreIds.optional(),
  })
  .strict();
export type SloQuery = z.infer<typeof SloQuery>;

/** The wire query: what the backend accepts after template interpolation. */
export const WireQuery = z.discriminatedUnion('kind', [ObservationQuery, InvariantQuery, AuditQuery, SloQuery]);
export type WireQuery = z.infer<typeof WireQuery>;
export type WireQueryInput = z.input<typeof WireQuery>;

/**
 * Prometheus' longest duration (Go's time.Duration, int64 ns: ~292 years) in ms: a longer range or step is refused
 * by Prometheus ("overflows int64"), so the range and the interval are bounded by it here and get a 400.
 */
export const MAX_RANGE_MS = 9_223_372_036_854;
/** The last time a JS Date holds (year 275760): times in frames and logs must be dates. */
const MAX_TIME_MS = 8_640_000_000_000_000;
/** A cluster's name (CLUSTER_NAME); absent = the backend's only cluster. */
export const ClusterName = z.string().min(1).max(63);

/** `POST /api/query` body; times are epoch milliseconds, like Grafana's `/api/ds/query`. */
export const QueryRequest = z
  .object({
    /** The cluster every query of the request reads; absent = the only one (400 when the backend has several). */
    cluster: ClusterName.optional(),
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative().max(MAX_TIME_MS),
    intervalMs: z.number().positive().max(MAX_RANGE_MS).optional(),
    maxDataPoints: z.number().int().positive().max(100_000).optional(),
    queries: z.array(WireQuery).min(1).max(100),
  })
  .strict()
  .refine((r) => r.from <= r.to, { error: '`from` must not be after `to`', path: ['from'] })
  .refine((r) => r.to - r.from <= MAX_RANGE_MS, {
    error: `the range must be at most ${MAX_RANGE_MS} ms (~292 years, Prometheus' longest duration)`,
    path: ['to'],
  })
  .refine((r) => new Set(r.queries.map((q) => q.refId)).size === r.queries.length, {
    error: 'refIds must be unique within a request',
    path: ['queries'],
  });
export type QueryRequest = z.infer<typeof QueryRequest>;

/**
 * The saved model (what a dashboard panel, annotation or Explore stores). Unknown keys that Grafana adds
 * (`datasource`, `key`, `queryType`, …) are kept.
 */
export const SavedQuery = z
  .object({
    refId: z.string(),
    hide: z.boolean().optional(),
    kind: z.enum(QUERY_KINDS),
    observation: z.enum(OBSERVATIONS).optional(),
    invariants: z.array(z.enum(INVARIANTS)).optional(),
    /** Invariant queries: violations | timeline | annotations; audit queries: table | annotations; slo: budget | timeseries. */
    format: z.union([z.enum(INVARIANT_FORMATS), z.enum(AUDIT_FORMATS), z.enum(SLO_FORMATS)]).optional(),
    /** SLO queries: only these SLOs (empty = all). */
    slos: z.array(z.enum(SLOS)).optional(),
    /** Audit queries: only these actions / outcomes. */
    actions: z.array(z.enum(ACTIONS)).optional(),
    outcomes: z.array(z.enum(AUDIT_OUTCOMES)).optional(),
    /** Store filter: comma-separated store ids and/or template variables, e.g. `$store` or `1,4`. Empty = all. */
    stores: z.string().optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
    /** get_forecasts: trend window (`6h`; template variables allowed). */
    window: z.string().optional(),
    /** get_forecasts: warn (annotations) about crossings within this duration (`24h`). */
    horizon: z.string().optional(),
    overrides: InvariantOverrides.optional(),
  })
  .loose()
  .superRefine((q, ctx) => {
    if (q.kind === 'observation' && !q.observation) {
      ctx.addIssue({ code: 'custom', path: ['observation'], message: 'pick an observation' });
    }
    const formats: readonly string[] =
      q.kind === 'audit' ? AUDIT_FORMATS : q.kind === 'slo' ? SLO_FORMATS : INVARIANT_FORMATS;
    if (q.format !== undefined && q.kind !== 'observation' && !formats.includes(q.format)) {
      ctx.addIssue({ code: 'custom', path: ['format'], message: `format must be one of ${formats.join(', ')}` });
    }
  });
export type SavedQuery = z.infer<typeof SavedQuery>;
