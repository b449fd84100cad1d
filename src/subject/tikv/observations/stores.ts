/**
 * A store as a row with PD's field names, plus what an operator reads off it: heartbeat age on PD's clock, and the
 * disk used ratio `1 − available/capacity` — PD's own low-space check (`pkg/core/store.go` `IsLowSpace`), not
 * `used_size/capacity`, which under-reports a shared disk. `storeRow` builds one from a normalized store (cluster
 * metrics, forecasts); get_stores builds the same rows as columns in one pass (storeTable.ts, held equal to it).
 */
import { NODE_STATE, type NodeStateWord, type StoreInfo } from '../../pd/schema';
import { heartbeatAgeMs, isTiFlash } from '../../pd/storeState';

/** metapb.NodeState integer → its word. */
export const NODE_STATE_NAME = Object.fromEntries(Object.entries(NODE_STATE).map(([k, v]) => [v, k])) as Record<
  number,
  NodeStateWord
>;

export interface StoreRow {
  store_id: number;
  address: string;
  status_address: string;
  /** PD's `state_name`: Up, Disconnected, Down, Offline or Tombstone. */
  state_name: string;
  node_state: NodeStateWord;
  /** `tiflash` for stores labelled engine=tiflash, else `tikv`. */
  engine: 'tikv' | 'tiflash';
  version: string;
  labels: Record<string, string>;
  /** Last store heartbeat, epoch ms (absent before the first heartbeat). */
  last_heartbeat: number | null;
  /** Seconds since the last heartbeat on PD's clock (the Date header of PD's answer). */
  heartbeat_age_seconds: number | null;
  /** Process start, epoch ms. */
  start_time: number | null;
  uptime_seconds: number;
  /** The sizes and counts are null while PD has no statistics for the store (see `partial`). */
  capacity_bytes: number | null;
  available_bytes: number | null;
  used_bytes: number | null;
  /** 1 − available/capacity; null while capacity is unknown (0 or absent). */
  disk_used_ratio: number | null;
  leader_count: number | null;
  leader_score: number;
  leader_weight: number;
  /** MiB, as PD reports region sizes. */
  leader_size: number;
  region_count: number | null;
  region_score: number;
  region_weight: number;
  region_size: number;
  slow_score: number;
  /**
   * Offline (Removing) stores in get_stores: share of the drain done, 0..1, from PD's `/stores/progress` (asked
   * after the table is built); null otherwise, and always null from `storeRow`.
   */
  drain_progress: number | null;
  /** As `drain_progress`: PD's estimate of the seconds left (null when PD cannot tell: no progress yet). */
  drain_left_seconds: number | null;
  /**
   * The status fields PD left out (`capacity, region_count`): PD holds no statistics for the store yet (a PD
   * restart, or no heartbeat since it joined); null when the status is complete.
   */
  partial: string | null;
}

export function diskUsedRatio(capacity: number | undefined, available: number | undefined): number | null {
  return capacity !== undefined && available !== undefined && capacity > 0 ? 1 - available / capacity : null;
}

// PD writes sizes with 4 significant digits and the uptime with ns: rows keep whole bytes, the ratio to 0.01 % and
// the uptime to the second (whole numbers stringify several times faster than fractions). More digits would be
// noise, and a sixth of a 1,000-store answer (npm run bench, scenario a).
export const roundTo = (v: number, decimals: number) => Math.round(v * 10 ** decimals) / 10 ** decimals;

/** Bytes as whole numbers; null while unknown. */
export const wholeBytes = (v: number | undefined) => (v === undefined ? null : Math.round(v));

/** `{zone: 'z1', host: 'tikv-1'}` from PD's label pairs. */
export function labelRecord(labels: ReadonlyArray<{ key: string; value: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels) {
    out[l.key] = l.value;
  }
  return out;
}

export function storeRow(info: StoreInfo, pdNow: number): StoreRow {
  const { store, status } = info;
  const age = heartbeatAgeMs(store, pdNow);
  const ratio = diskUsedRatio(status.capacity, status.available);
  return {
    store_id: store.id,
    address: store.address,
    status_address: store.status_address,
    state_name: store.state_name,
    node_state: NODE_STATE_NAME[store.node_state],
    drain_progress: null,
    drain_left_seconds: null,
    engine: isTiFlash(store) ? 'tiflash' : 'tikv',
    version: store.version,
    labels: labelRecord(store.labels),
    last_heartbeat: store.last_heartbeat_ms ?? null,
    heartbeat_age_seconds: age === undefined ? null : age / 1000,
    start_time: store.start_ms ?? null,
    uptime_seconds: Math.round(status.uptime),
    capacity_bytes: wholeBytes(status.capacity),
    available_bytes: wholeBytes(status.available),
    used_bytes: wholeBytes(status.used_size),
    disk_used_ratio: ratio === null ? null : roundTo(ratio, 4),
    leader_count: status.leader_count ?? null,
    leader_score: status.leader_score,
    leader_weight: status.leader_weight,
    leader_size: status.leader_size,
    region_count: status.region_count ?? null,
    region_score: status.region_score,
    region_weight: status.region_weight,
    region_size: status.region_size,
    slow_score: status.slow_score,
    partial: status.missing.length > 0 ? status.missing.join(', ') : null,
  };
}
