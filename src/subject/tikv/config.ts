/**
 * TIKV_CONFIG: the TiKV subject's observations, actions and SLOs, with PD's parameter names
 * (`region_id`, `to_store_id`, `store_id`; PD `server/api/operator.go`, `scheduler.go`, `config.go`).
 */
import { z } from 'zod';

import type { ActionName, ObservationName, SloName } from '../../shared/names';
import { StoreIds } from '../../shared/schema/query';
import type { SubjectConfig } from '../subject';
import { PromDurationText } from './promql';

const Id = z.number().int().positive();

/** A time range in epoch ms; absent = now (instant). */
export const TimeRange = z.object({ from: z.number().int(), to: z.number().int() }).refine((r) => r.from <= r.to, {
  error: '`from` must not be after `to`',
});

export const ObservationParams = {
  get_stores: z.object({ storeIds: StoreIds.optional(), includeTiFlash: z.boolean().optional() }).strict(),
  get_hot_write_regions: z
    .object({ storeIds: StoreIds.optional(), limit: z.number().int().min(1).max(1000).default(20) })
    .strict(),
  get_store_metrics: z
    .object({
      storeIds: StoreIds.optional(),
      range: TimeRange.optional(),
      /** Step for a range, in ms (default: range / 300, at least the scrape interval). */
      stepMs: z.number().int().positive().optional(),
    })
    .strict(),
  get_cluster_metrics: z.object({}).strict(),
  get_region_health: z.object({ limit: z.number().int().min(0).max(10_000).default(100) }).strict(),
  get_operators: z.object({ limit: z.number().int().min(1).max(10_000).default(1000) }).strict(),
  get_schedulers: z.object({}).strict(),
  get_forecasts: z
    .object({
      storeIds: StoreIds.optional(),
      /** Trend window, a Prometheus duration (default 6h); checked before PD and Prometheus are asked. */
      window: PromDurationText.optional(),
    })
    .strict(),
} satisfies Record<ObservationName, z.ZodType>;

/** PD's split policies (`POST /operators` split-region; case-insensitive in PD, lower-case here). */
export const SPLIT_POLICIES = ['scan', 'approximate', 'usekey'] as const;
/** Drain modes: leaders only (evict-leader-scheduler) or the whole store (store delete → Offline → Tombstone). */
export const DRAIN_MODES = ['leaders', 'store', 'undo_leaders', 'undo_store'] as const;

const Limit = z.number().int().min(0).max(1_000_000);
/** PD scheduler names: `balance-leader-scheduler`, `evict-leader-scheduler`, … (the name PD's URL path takes). */
const SchedulerName = z
  .string()
  .regex(/^[a-z0-9-]{1,128}$/, 'scheduler names are lower-case letters, digits and dashes');
/** A pause is bounded (30 days): an operator who wants a scheduler gone removes it with pd-ctl instead. */
export const MAX_PAUSE_SECONDS = 30 * 86_400;

export const ActionParams = {
  transfer_leader: z.object({ region_id: Id, to_store_id: Id }).strict(),
  split_region: z
    .object({
      region_id: Id,
      policy: z.enum(SPLIT_POLICIES),
      /** Hex-encoded split keys, only with policy `usekey`. */
      keys: z
        .array(z.string().regex(/^[0-9A-Fa-f]+$/, 'keys must be hex'))
        .min(1)
        .max(100)
        .optional(),
    })
    .strict()
    .refine((p) => (p.policy === 'usekey') === (p.keys !== undefined), {
      error: 'keys are required with policy usekey and only then',
      path: ['keys'],
    }),
  set_leader_schedule_limit: z.object({ 'leader-schedule-limit': Limit }).strict(),
  set_region_schedule_limit: z.object({ 'region-schedule-limit': Limit }).strict(),
  set_replica_schedule_limit: z.object({ 'replica-schedule-limit': Limit }).strict(),
  drain_store: z.object({ store_id: Id, mode: z.enum(DRAIN_MODES) }).strict(),
  set_low_space_threshold: z.object({ 'low-space-ratio': z.number().gt(0).lte(1) }).strict(),
  cancel_operator: z.object({ region_id: Id }).strict(),
  pause_scheduler: z
    .object({
      name: SchedulerName,
      /** Seconds; PD resumes the scheduler on its own after this. */
      delay: z.number().int().min(1).max(MAX_PAUSE_SECONDS),
    })
    .strict(),
  resume_scheduler: z.object({ name: SchedulerName }).strict(),
} satisfies Record<ActionName, z.ZodType>;

export const TIKV_CONFIG: SubjectConfig<ObservationName, ActionName, SloName> = {
  name: 'tikv',
  observations: {
    get_stores: {
      description:
        'Stores as PD sees them: state, heartbeat age, capacity/available/used, disk used ratio, leader and region counts and scores, labels, engine',
      params: ObservationParams.get_stores,
    },
    get_hot_write_regions: {
      description:
        "Top-N hot write regions from PD's hotspot API, one row per region, ranked by the leader's write bytes",
      params: ObservationParams.get_hot_write_regions,
    },
    get_store_metrics: {
      description:
        'Per store: P99 write latency, disk capacity/available/used ratio, leader and region counts, from Prometheus',
      params: ObservationParams.get_store_metrics,
    },
    get_cluster_metrics: {
      description: "Stores by state, region count and leader distribution, from PD's counting endpoints",
      params: ObservationParams.get_cluster_metrics,
    },
    get_region_health: {
      description: 'Regions with missing, pending, down, offline and extra peers (counts and ids), from PD',
      params: ObservationParams.get_region_health,
    },
    get_operators: {
      description: "PD's running operators: region, kind, desc/brief, steps, create/start time, status",
      params: ObservationParams.get_operators,
    },
    get_schedulers: {
      description:
        "PD's schedulers with their paused state, evict-leader stores, per-store limits and the schedule config",
      params: ObservationParams.get_schedulers,
    },
    get_forecasts: {
      description:
        'Per store: time until disk used reaches the low_disk threshold, 80 % and 100 % (linear trend), and for a disconnected store the time until PD marks it Down',
      params: ObservationParams.get_forecasts,
    },
  },
  actions: {
    transfer_leader: {
      description: "Move a region's leader to a store that holds a voter peer of it (PD transfer-leader operator)",
      params: ActionParams.transfer_leader,
    },
    split_region: {
      description: 'Split a region (PD split-region operator; policy scan, approximate or usekey)',
      params: ActionParams.split_region,
    },
    set_leader_schedule_limit: {
      description: 'Set leader-schedule-limit: concurrent leader transfers PD schedules',
      params: ActionParams.set_leader_schedule_limit,
    },
    set_region_schedule_limit: {
      description: 'Set region-schedule-limit: concurrent region (peer move) operators',
      params: ActionParams.set_region_schedule_limit,
    },
    set_replica_schedule_limit: {
      description: 'Set replica-schedule-limit: concurrent replica repair operators',
      params: ActionParams.set_replica_schedule_limit,
    },
    drain_store: {
      description:
        'Drain a store: its leaders (evict-leader-scheduler) or the whole store (store delete, Offline then Tombstone), or undo either',
      params: ActionParams.drain_store,
    },
    set_low_space_threshold: {
      description:
        'Set low-space-ratio: above this used ratio PD stops moving data onto a store (must exceed high-space-ratio)',
      params: ActionParams.set_low_space_threshold,
    },
    cancel_operator: {
      description: 'Cancel the operator PD runs on a region (DELETE /operators/{region_id}); finished steps stay done',
      params: ActionParams.cancel_operator,
    },
    pause_scheduler: {
      description:
        'Pause a PD scheduler for `delay` seconds (POST /schedulers/{name} {"delay": s}); PD resumes it after',
      params: ActionParams.pause_scheduler,
    },
    resume_scheduler: {
      description:
        'Resume a paused PD scheduler (POST /schedulers/{name} {"delay": 0}); the scheduler is never removed',
      params: ActionParams.resume_scheduler,
    },
  },
  slos: {
    // Objectives and windows are the defaults; SLO_<NAME>_OBJECTIVE / SLO_<NAME>_WINDOW override them per cluster.
    // Latency is 99 % of minutes, not 99.9 %: README "SLOs" shows why (one bad minute would page).
    write_latency_p99: {
      description: 'Share of minutes with P99 storage write latency at or below the target, per store',
      target: 0.1,
      unit: 'seconds',
      objective: 0.99,
      window: '30d',
    },
    disk_usage: {
      description: 'Share of minutes with disk used ratio (1 - available/capacity) at or below the target, per store',
      target: 0.7,
      unit: 'ratio',
      objective: 0.99,
      window: '30d',
    },
    store_availability: {
      description:
        'Share of minutes a store is up (Prometheus\' scrape `up{job="tikv"}` = 1; PD\'s heartbeat has no history)',
      target: 1,
      unit: 'ratio',
      objective: 0.9995,
      window: '30d',
    },
  },
};
