/**
 * TiKVSubject: the TiKV cluster as a Subject — read-only observations over PD's HTTP API and Prometheus (actions
 * arrive with the actions issue). Each observation validates its parameters with TIKV_CONFIG's schema, so a bad
 * parameter is a BadQueryError naming the field, and an upstream failure keeps the upstream error's path and status.
 */
import type { z } from 'zod';

import { BadQueryError, StoreNotFoundError } from '../../shared/errors';
import { fieldPath } from '../../shared/fieldPath';
import type { ActionName, ObservationName, SloName } from '../../shared/names';
import type { PDClient } from '../pd/client';
import type { StoreInfo } from '../pd/schema';
import { expectedToServe, isTiFlash } from '../pd/storeState';
import type { PrometheusClient } from '../prometheus/client';
import { rangeStep } from '../prometheus/step';
import type { CallContext, Subject } from '../subject';
import { ObservationParams, TIKV_CONFIG } from './config';
import type { InstanceMapping } from './instances';
import { type ClusterMetrics, clusterMetrics } from './observations/clusterMetrics';
import { DEFAULT_FORECAST_WINDOW, forecasts, type ForecastsResult } from './observations/forecasts';
import { type HotWriteRegionRow, hotWriteRegionRows } from './observations/hotWriteRegions';
import { REGION_HEALTH_KINDS, type RegionHealthRow, regionHealthRow } from './observations/regionHealth';
import { type StoreMetricsResult, storeMetrics } from './observations/storeMetrics';
import { type OperatorsResult, readOperators, readSchedulers, type SchedulersResult } from './observations/scheduling';
import { type StoreRow, storeRow } from './observations/stores';
import { type StoreTable, storeTable, tableRows } from './observations/storeTable';
import { DEFAULT_RULES } from './invariants/rules';
import { DEFAULT_RATE_WINDOW, parsePromDuration } from './promql';

export interface TiKVSubjectOptions {
  pd: PDClient;
  prometheus: PrometheusClient;
  /** How a store's `status_address` appears as Prometheus' `instance` (default: the status address itself). */
  instanceMapping?: InstanceMapping;
  /** The rate window of the P99 latency (default 1m; at least four scrape intervals). */
  rateWindow?: string;
  /** Count TiFlash stores as TiKV stores in store metrics and invariants (default false; they are always listed). */
  includeTiFlash?: boolean;
  /** Prometheus' scrape interval (default 15 s): the forecasts' sample spacing. */
  scrapeIntervalMs?: number;
  /** The low_disk threshold (default 0.7): the forecasts' first level. */
  lowDiskRatio?: number;
}

export type ObservationParamsOf<N extends ObservationName> = z.input<(typeof ObservationParams)[N]>;

export interface StoresResult {
  /** The stores, one array per field, sorted by store_id: what the get_stores frame sends. */
  table: StoreTable;
  /** The same stores as rows (made from `table` when first read). */
  readonly stores: StoreRow[];
  /** PD's clock (its Date header) the heartbeat ages are measured against, epoch ms. */
  pd_now: number;
  clock: 'pd' | 'local';
  /** What the rows cannot show: stores PD holds no statistics for (fields named), duplicate store ids. */
  notices: string[];
}

export interface RegionHealthResult {
  kinds: RegionHealthRow[];
}

export interface ObservationResults {
  get_stores: StoresResult;
  get_hot_write_regions: { regions: HotWriteRegionRow[] };
  get_store_metrics: StoreMetricsResult;
  get_cluster_metrics: ClusterMetrics;
  get_region_health: RegionHealthResult;
  get_operators: OperatorsResult;
  get_schedulers: SchedulersResult;
  get_forecasts: ForecastsResult;
}

/** Every state, so Tombstone stores are listed too (PD's `/stores` hides them by default). */
const ALL_STATES = ['Up', 'Offline', 'Tombstone'] as const;

/** A range without a step never goes finer than TiUP's 15 s scrape interval. */
const MIN_DEFAULT_STEP_MS = 15_000;

export class TiKVSubject implements Subject<ObservationName, ActionName, SloName> {
  readonly config = TIKV_CONFIG;
  readonly pd: PDClient;
  readonly prometheus: PrometheusClient;
  readonly instanceMapping: InstanceMapping;
  readonly rateWindow: string;
  readonly includeTiFlash: boolean;
  readonly scrapeIntervalMs: number;
  readonly lowDiskRatio: number;

  constructor(opts: TiKVSubjectOptions) {
    this.pd = opts.pd;
    this.prometheus = opts.prometheus;
    this.instanceMapping = opts.instanceMapping ?? 'status_address';
    this.rateWindow = opts.rateWindow ?? DEFAULT_RATE_WINDOW;
    parsePromDuration(this.rateWindow, 'rateWindow');
    this.includeTiFlash = opts.includeTiFlash ?? false;
    this.scrapeIntervalMs = opts.scrapeIntervalMs ?? MIN_DEFAULT_STEP_MS;
    this.lowDiskRatio = opts.lowDiskRatio ?? DEFAULT_RULES.low_disk.threshold;
  }

  observe<N extends ObservationName>(name: N, params: unknown, ctx?: CallContext): Promise<ObservationResults[N]>;
  async observe(name: ObservationName, params: unknown, ctx: CallContext = {}): Promise<unknown> {
    switch (name) {
      case 'get_stores':
        return this.getStores(params as ObservationParamsOf<'get_stores'>, ctx);
      case 'get_hot_write_regions':
        return this.getHotWriteRegions(params as ObservationParamsOf<'get_hot_write_regions'>, ctx);
      case 'get_store_metrics':
        return this.getStoreMetrics(params as ObservationParamsOf<'get_store_metrics'>, ctx);
      case 'get_cluster_metrics':
        return this.getClusterMetrics(params as ObservationParamsOf<'get_cluster_metrics'>, ctx);
      case 'get_region_health':
        return this.getRegionHealth(params as ObservationParamsOf<'get_region_health'>, ctx);
      case 'get_operators':
        return this.getOperators(params as ObservationParamsOf<'get_operators'>, ctx);
      case 'get_schedulers':
        return this.getSchedulers(params as ObservationParamsOf<'get_schedulers'>, ctx);
      case 'get_forecasts':
        return this.getForecasts(params as ObservationParamsOf<'get_forecasts'>, ctx);
      default:
        throw new BadQueryError(`unknown observation ${JSON.stringify(name)}`, 'observation');
    }
  }

  /** PD's stores in every state with heartbeat age (PD's clock) and disk used ratio; TiFlash listed unless excluded. */
  async getStores(params: ObservationParamsOf<'get_stores'> = {}, ctx: CallContext = {}): Promise<StoresResult> {
    const p = validate('get_stores', params);
    // Checked, not normalized: the table reads each store once (observations/storeTable.ts).
    const answer = await this.pd.getStoresChecked({ states: [...ALL_STATES] }, { signal: ctx.signal });
    const selected = selectStores(answer.data.stores ?? [], p.storeIds);
    const table = storeTable(selected, answer.pdNow, { includeTiFlash: p.includeTiFlash !== false });
    // A drain's progress lives on its own PD endpoint; only stores being drained (Removing) are asked, so the cost
    // follows the few stores an operator is removing, not the cluster size. A failed read leaves the cells empty.
    const removing: number[] = [];
    table.node_state.forEach((state, i) => state === 'Removing' && removing.push(i));
    await Promise.all(
      removing.map(async (i) => {
        try {
          const progress = (await this.pd.getStoreProgress(table.store_id[i], { signal: ctx.signal })).data;
          table.drain_progress[i] = progress.progress;
          // PD writes math.MaxFloat64 while the speed is 0: no estimate.
          table.drain_left_seconds[i] =
            Number.isFinite(progress.left_seconds) && progress.left_seconds < 1e15 ? progress.left_seconds : null;
        } catch {
          // the stores table still answers; progress is best-effort
        }
      })
    );
    let rows: StoreRow[] | undefined;
    return {
      table,
      get stores() {
        return (rows ??= tableRows(table));
      },
      pd_now: answer.pdNow,
      clock: answer.clock,
      notices: storeNotices(table),
    };
  }

  /** Top-N hot write regions, one row per region, from PD's hotspot API (never a scan of all regions). */
  async getHotWriteRegions(
    params: ObservationParamsOf<'get_hot_write_regions'> = {},
    ctx: CallContext = {}
  ): Promise<{ regions: HotWriteRegionRow[] }> {
    const p = validate('get_hot_write_regions', params);
    const ids = p.storeIds && p.storeIds.length > 0 ? p.storeIds : undefined;
    const answer = await this.pd.getHotWriteRegions(ids, { signal: ctx.signal });
    return { regions: hotWriteRegionRows(answer.data, p.limit) };
  }

  /** Per-store Prometheus metrics, instant (no range) or over `range` at `stepMs`. */
  async getStoreMetrics(
    params: ObservationParamsOf<'get_store_metrics'> = {},
    ctx: CallContext = {}
  ): Promise<StoreMetricsResult> {
    const p = validate('get_store_metrics', params);
    const answer = await this.pd.getStores({ states: [...ALL_STATES] }, { signal: ctx.signal });
    const all = answer.data.stores;
    const { targets, filtered } = this.serving(all, p.storeIds);
    let range: { from: number; to: number; stepMs: number } | undefined;
    if (p.range) {
      range = { ...p.range, stepMs: p.stepMs ?? rangeStep(p.range, MIN_DEFAULT_STEP_MS) };
    }
    return storeMetrics({
      prometheus: this.prometheus,
      allStores: all,
      targets,
      filtered,
      mapping: this.instanceMapping,
      rateWindow: this.rateWindow,
      range,
      signal: ctx.signal,
    });
  }

  /** Stores by state, region count and leader distribution from PD's counting endpoints. */
  async getClusterMetrics(
    params: ObservationParamsOf<'get_cluster_metrics'> = {},
    ctx: CallContext = {}
  ): Promise<ClusterMetrics> {
    validate('get_cluster_metrics', params);
    const o = { signal: ctx.signal };
    const [stores, count] = await Promise.all([
      this.pd.getStores({ states: [...ALL_STATES] }, o),
      this.pd.getRegionCount(o),
    ]);
    const rows = stores.data.stores.map((s) => storeRow(s, stores.pdNow)).sort((a, b) => a.store_id - b.store_id);
    return clusterMetrics(rows, count.data, stores.pdNow);
  }

  /** Counts and ids (up to `limit` per kind) of regions with missing, pending, down, offline and extra peers. */
  async getRegionHealth(
    params: ObservationParamsOf<'get_region_health'> = {},
    ctx: CallContext = {}
  ): Promise<RegionHealthResult> {
    const p = validate('get_region_health', params);
    const answers = await Promise.all(
      REGION_HEALTH_KINDS.map((kind) => this.pd.checkRegions(kind, { signal: ctx.signal }))
    );
    return { kinds: REGION_HEALTH_KINDS.map((kind, i) => regionHealthRow(kind, answers[i].data, p.limit)) };
  }

  /** PD's running operators, one row per region (`GET /operators`, each operator's text parsed). */
  async getOperators(
    params: ObservationParamsOf<'get_operators'> = {},
    ctx: CallContext = {}
  ): Promise<OperatorsResult> {
    const p = validate('get_operators', params);
    return readOperators(this.pd, p.limit, { signal: ctx.signal });
  }

  /** Schedulers with their paused state, evict-leader stores, store limits and the schedule config. */
  async getSchedulers(
    params: ObservationParamsOf<'get_schedulers'> = {},
    ctx: CallContext = {}
  ): Promise<SchedulersResult> {
    validate('get_schedulers', params);
    return readSchedulers(this.pd, { signal: ctx.signal });
  }

  /** Per store: time to the disk levels (linear trend over `window`) and the countdown to PD's Down. */
  async getForecasts(
    params: ObservationParamsOf<'get_forecasts'> = {},
    ctx: CallContext = {}
  ): Promise<ForecastsResult> {
    const p = validate('get_forecasts', params);
    const o = { signal: ctx.signal };
    const [answer, schedule] = await Promise.all([
      this.pd.getStores({ states: [...ALL_STATES] }, o),
      this.pd.getScheduleConfig(o),
    ]);
    const all = answer.data.stores;
    const { targets, filtered } = this.serving(all, p.storeIds);
    return forecasts({
      prometheus: this.prometheus,
      allStores: all,
      targets: targets.map((s) => storeRow(s, answer.pdNow)).sort((a, b) => a.store_id - b.store_id),
      filtered,
      mapping: this.instanceMapping,
      window: p.window ?? DEFAULT_FORECAST_WINDOW,
      scrapeIntervalMs: this.scrapeIntervalMs,
      lowDiskRatio: this.lowDiskRatio,
      maxStoreDownSeconds: schedule.data['max-store-down-time'],
      pdNow: answer.pdNow,
      clock: answer.clock,
      signal: ctx.signal,
    });
  }

  /** The stores a per-store observation answers for: the named ones, or every store expected to serve. */
  private serving(all: StoreInfo[], storeIds: number[] | undefined): { targets: StoreInfo[]; filtered: boolean } {
    const filtered = storeIds !== undefined && storeIds.length > 0;
    const targets = filtered
      ? selectStores(all, storeIds)
      : all.filter((s) => expectedToServe(s.store, isTiFlash(s.store), this.includeTiFlash));
    return { targets, filtered };
  }
}

function validate<N extends ObservationName>(name: N, params: unknown): z.output<(typeof ObservationParams)[N]> {
  const parsed = ObservationParams[name].safeParse(params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadQueryError(issue.message, fieldPath(issue.path) || '(root)');
  }
  return parsed.data as z.output<(typeof ObservationParams)[N]>;
}

/**
 * A store with a partial status (PD restarted, or the store never heartbeated) is shown with its unknown fields
 * empty and named here; an id PD lists twice (PD keeps stores in a map, so only a broken proxy or PD bug does) is
 * shown twice and named too, rather than one row silently hiding the other.
 */
function storeNotices(t: StoreTable): string[] {
  const notices: string[] = [];
  const seen = new Set<number>();
  const duplicates = new Set<number>();
  for (let i = 0; i < t.length; i++) {
    const id = t.store_id[i];
    if (seen.has(id)) {
      duplicates.add(id);
    }
    seen.add(id);
    if (t.partial[i]) {
      notices.push(
        `store ${id} (${t.address[i]}): PD has no ${t.partial[i]} for it yet (PD restarted, or no heartbeat since it joined); shown empty`
      );
    }
  }
  for (const id of duplicates) {
    notices.push(`store ${id} is listed more than once by PD; every entry is shown`);
  }
  return notices;
}

/** The stores with the given ids (all when none given); an id PD does not know is a StoreNotFoundError. */
function selectStores<S extends { store: { id: number } }>(stores: S[], ids: number[] | undefined): S[] {
  if (!ids || ids.length === 0) {
    return stores;
  }
  const byId = new Map(stores.map((s) => [s.store.id, s]));
  return [...new Set(ids)].map((id) => {
    const s = byId.get(id);
    if (!s) {
      throw new StoreNotFoundError(id);
    }
    return s;
  });
}
