/**
 * get_hot_write_regions: PD's `/hotspot/regions/write` lists a hot region once per peer store (`as_peer`) and once
 * more under its leader's store (`as_leader`). This folds those entries into one row per region, ranked by the
 * leader's write flow (bytes/s). With a store filter PD answers only for those stores, so a region whose leader is
 * elsewhere has no leader entry: it is ranked by its highest peer flow and its leader store is unknown (null).
 */
import type { HotPeerStat, StoreHotPeersInfos } from '../../pd/schema';

export interface HotWriteRegionRow {
  region_id: number;
  /** Store of the leader peer, null when PD's answer (filtered by store) holds no leader entry. */
  leader_store_id: number | null;
  /** Every store holding a peer of the region. */
  peer_store_ids: number[];
  /** Write flow per second of the leader (or the hottest peer listed): bytes, keys, queries. */
  flow_bytes: number;
  flow_keys: number;
  flow_query: number;
  /** How many consecutive reports the region has been hot (PD `HotDegree`). */
  hot_degree: number;
  /** Epoch ms of the statistic (end of the region heartbeat interval for writes). */
  last_update_time: number | null;
}

export function hotWriteRegionRows(infos: StoreHotPeersInfos, limit: number): HotWriteRegionRow[] {
  const byRegion = new Map<number, { leader?: HotPeerStat; best: HotPeerStat; stores: Set<number> }>();
  const add = (stat: HotPeerStat) => {
    const entry = byRegion.get(stat.region_id);
    const isLeader = stat.is_leader && !stat.is_learner;
    if (!entry) {
      byRegion.set(stat.region_id, {
        leader: isLeader ? stat : undefined,
        best: stat,
        stores: new Set([...(stat.stores ?? []), stat.store_id]),
      });
      return;
    }
    if (isLeader) {
      entry.leader = stat;
    }
    if (stat.flow_bytes > entry.best.flow_bytes) {
      entry.best = stat;
    }
    for (const s of [...(stat.stores ?? []), stat.store_id]) {
      entry.stores.add(s);
    }
  };
  for (const group of [infos.as_leader, infos.as_peer]) {
    for (const peers of Object.values(group ?? {})) {
      for (const stat of peers.statistics ?? []) {
        add(stat);
      }
    }
  }
  const rows = [...byRegion.entries()].map(([region_id, e]): HotWriteRegionRow => {
    const s = e.leader ?? e.best;
    const updated = s.last_update_time ? Date.parse(s.last_update_time) : NaN;
    return {
      region_id,
      leader_store_id: e.leader ? e.leader.store_id : null,
      peer_store_ids: [...e.stores].sort((a, b) => a - b),
      flow_bytes: s.flow_bytes,
      flow_keys: s.flow_keys,
      flow_query: s.flow_query,
      hot_degree: s.hot_degree,
      last_update_time: Number.isNaN(updated) ? null : updated,
    };
  });
  rows.sort((a, b) => b.flow_bytes - a.flow_bytes || a.region_id - b.region_id);
  return rows.slice(0, limit);
}
