/**
 * get_operators and get_schedulers: what PD is doing about the cluster right now. Operators come from
 * `GET /operators` (each `Operator.String()` parsed, pd/schedulingSchema.ts); schedulers from `GET /schedulers`
 * and `GET /schedulers?status=paused&timestamp`, with evict-leader-scheduler's store list, the per-store limits
 * (`/stores/limit`) and the schedule config (`/config/schedule`).
 */
import type { PDClient } from '../../pd/client';
import type { ScheduleConfig, StoresLimit } from '../../pd/schema';
import type { Operator } from '../../pd/schedulingSchema';

export interface OperatorRow extends Omit<Operator, 'kind'> {
  kind: string;
  /** Seconds since the operator started, by PD's clock; null when it has not started. */
  running_seconds: number | null;
  step_count: number;
}

export interface OperatorsResult {
  operators: OperatorRow[];
  pd_now: number;
}

export interface SchedulerRow {
  name: string;
  paused: boolean;
  /** Epoch ms, null unless paused. */
  paused_at: number | null;
  resume_at: number | null;
  /** Seconds until PD resumes it on its own, by PD's clock; null unless paused. */
  resume_in_seconds: number | null;
  /** evict-leader-scheduler: the stores whose leaders it evicts; [] for others. */
  store_ids: number[];
}

export interface StoreLimitRow {
  store_id: number;
  'add-peer': number;
  'remove-peer': number;
}

export interface ScheduleConfigRow {
  key: string;
  value: string;
}

export interface SchedulersResult {
  schedulers: SchedulerRow[];
  evict_leader_store_ids: number[];
  store_limits: StoreLimitRow[];
  schedule_config: ScheduleConfigRow[];
  /** The Down threshold (`max-store-down-time`), seconds. */
  max_store_down_seconds: number;
  pd_now: number;
}

export const EVICT_LEADER_SCHEDULER = 'evict-leader-scheduler';

type Read = { signal?: AbortSignal };

export async function readOperators(pd: PDClient, limit: number, o: Read = {}): Promise<OperatorsResult> {
  const a = await pd.getOperatorDetails(o);
  const rows = a.data
    .map((op): OperatorRow => ({
      ...op,
      kind: op.kind.join(','),
      running_seconds: op.start_time === null ? null : Math.max(0, (a.pdNow - op.start_time) / 1000),
      step_count: op.steps.length,
    }))
    .sort((x, y) => x.region_id - y.region_id)
    .slice(0, limit);
  return { operators: rows, pd_now: a.pdNow };
}

export async function readSchedulers(pd: PDClient, o: Read = {}): Promise<SchedulersResult> {
  const [names, paused, limits, config] = await Promise.all([
    pd.getSchedulers(o),
    pd.getPausedSchedulers(o),
    pd.getStoresLimit(o),
    pd.getScheduleConfig(o),
  ]);
  // Only asked when the scheduler runs: PD answers 404 for the config of a scheduler it does not have.
  const evict = names.data.includes(EVICT_LEADER_SCHEDULER) ? (await pd.getEvictLeaderStores(o)).data : [];
  const now = names.pdNow;
  const pausedBy = new Map(paused.data.map((p) => [p.name, p]));
  const schedulers = [...names.data].sort().map((name): SchedulerRow => {
    const p = pausedBy.get(name);
    return {
      name,
      paused: p !== undefined,
      paused_at: p?.paused_at ?? null,
      resume_at: p?.resume_at ?? null,
      resume_in_seconds: p?.resume_at == null ? null : Math.max(0, (p.resume_at - now) / 1000),
      store_ids: name === EVICT_LEADER_SCHEDULER ? evict : [],
    };
  });
  return {
    schedulers,
    evict_leader_store_ids: evict,
    store_limits: storeLimitRows(limits.data),
    schedule_config: scheduleConfigRows(config.data),
    max_store_down_seconds: config.data['max-store-down-time'],
    pd_now: now,
  };
}

function storeLimitRows(limits: StoresLimit): StoreLimitRow[] {
  return Object.entries(limits)
    .map(([id, l]) => ({ store_id: Number(id), 'add-peer': l['add-peer'], 'remove-peer': l['remove-peer'] }))
    .sort((a, b) => a.store_id - b.store_id);
}

/** The schedule config's scalar items as PD names them (lists and maps, e.g. `schedulers-v2`, are left out). */
function scheduleConfigRows(cfg: ScheduleConfig): ScheduleConfigRow[] {
  return (
    Object.entries(cfg)
      .filter(([, v]) => v === null || typeof v !== 'object')
      // `max-store-down-time` was parsed from Go duration text to seconds: shown with its unit.
      .map(([key, v]) => ({ key, value: key === 'max-store-down-time' ? `${String(v)}s` : String(v) }))
      .sort((a, b) => a.key.localeCompare(b.key))
  );
}
