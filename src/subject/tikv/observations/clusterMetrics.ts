/**
 * get_cluster_metrics: stores by state, region count and leader distribution. Built from `/stores` (one entry per
 * store, leader/region counts computed by PD) and `/regions/count`, so its cost does not grow with the region count.
 */
import { STATE_NAMES, type StateName } from '../../pd/schema';
import type { StoreRow } from './stores';

export interface LeaderDistribution {
  min: number;
  max: number;
  /** max − min: how unbalanced leaders are across the serving TiKV stores. */
  spread: number;
  min_store_id: number | null;
  max_store_id: number | null;
}

export interface ClusterMetrics {
  /** Every store PD knows, TiFlash included, by `state_name` (all five states always present). */
  stores_by_state: Record<StateName, number>;
  store_count: number;
  tiflash_store_count: number;
  /** Regions in the cluster (`/regions/count`). */
  region_count: number;
  /** Over TiKV stores that are not Tombstone (TiFlash holds no leaders). */
  leaders: LeaderDistribution;
  /** Per-store leader and region counts (the series behind the distribution). */
  per_store: Array<Pick<StoreRow, 'store_id' | 'address' | 'state_name' | 'engine' | 'leader_count' | 'region_count'>>;
  /** PD's clock at the answer, epoch ms. */
  pd_now: number;
}

export function clusterMetrics(rows: StoreRow[], regionCount: number, pdNow: number): ClusterMetrics {
  const byState = Object.fromEntries(STATE_NAMES.map((s) => [s, 0])) as Record<StateName, number>;
  for (const r of rows) {
    if (r.state_name in byState) {
      byState[r.state_name as StateName]++;
    }
  }
  // A store PD has no statistics for (leader_count unknown) is left out of the spread rather than counted as 0.
  const serving = rows.filter(
    (r): r is StoreRow & { leader_count: number } =>
      r.engine === 'tikv' && r.state_name !== 'Tombstone' && r.leader_count !== null
  );
  let min: (typeof serving)[number] | undefined;
  let max: (typeof serving)[number] | undefined;
  for (const r of serving) {
    if (!min || r.leader_count < min.leader_count) {
      min = r;
    }
    if (!max || r.leader_count > max.leader_count) {
      max = r;
    }
  }
  return {
    stores_by_state: byState,
    store_count: rows.length,
    tiflash_store_count: rows.filter((r) => r.engine === 'tiflash').length,
    region_count: regionCount,
    leaders: {
      min: min?.leader_count ?? 0,
      max: max?.leader_count ?? 0,
      spread: (max?.leader_count ?? 0) - (min?.leader_count ?? 0),
      min_store_id: min?.store_id ?? null,
      max_store_id: max?.store_id ?? null,
    },
    per_store: rows
      .filter((r) => r.state_name !== 'Tombstone')
      .map(({ store_id, address, state_name, engine, leader_count, region_count }) => ({
        store_id,
        address,
        state_name,
        engine,
        leader_count,
        region_count,
      })),
    pd_now: pdNow,
  };
}
