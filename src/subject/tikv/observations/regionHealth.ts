/**
 * get_region_health: regions with missing, pending, down, offline and extra peers, from PD's
 * `/regions/check/<kind>` lists (the same checks PD's `pd_regions_status` metric counts).
 */
import { REGION_CHECKS, type RegionCheck } from '../../pd/client';
import type { RegionsInfo } from '../../pd/schema';

/** PD's check names, in the order they are shown. */
export const REGION_HEALTH_KINDS = REGION_CHECKS;
export type RegionHealthKind = RegionCheck;

export interface RegionHealthRow {
  kind: RegionHealthKind;
  count: number;
  /** Region ids in ascending order, at most `limit` of them. */
  region_ids: number[];
  /** True when `count` exceeds the ids listed. */
  truncated: boolean;
}

export function regionHealthRow(kind: RegionHealthKind, info: RegionsInfo, limit: number): RegionHealthRow {
  const ids = (info.regions ?? []).map((r) => r.id).sort((a, b) => a - b);
  const count = Math.max(ids.length, info.count ?? 0);
  const listed = ids.slice(0, limit);
  return { kind, count, region_ids: listed, truncated: count > listed.length };
}
