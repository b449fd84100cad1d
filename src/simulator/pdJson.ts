/**
 * PD's JSON objects built from the simulated cluster, with PD's field order, omitempty rules and encodings
 * (`pkg/response/store.go`, `pkg/response/region.go`, metapb with omitempty on every field).
 */
import { type Cluster, REGION_HEARTBEAT_S, type RegionView, type SimStore, type StoreCounts } from './cluster';
import { big, bytesSize, goDuration, rfc3339Nano } from './format';
import { hash32 } from './random';

export const TIKV_VERSION = '8.5.1';
export const PD_VERSION = 'v8.5.1';
const TIKV_GIT_HASH = 'a0b2d3c4e5f60718293a4b5c6d7e8f9012345678';
export const PD_GIT_HASH = 'f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e';

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

export function storeInfo(c: Cluster, st: SimStore, now: number, counts: StoreCounts): Record<string, unknown> {
  const state = c.legacyState(st, now);
  const nodeState = c.nodeState(st, now);
  const removed = state === 2;
  const store: Record<string, unknown> = { id: st.id, address: st.address };
  if (state !== 0) {
    store.state = state;
  }
  store.labels = Object.entries({ zone: st.zone, host: st.host, ...st.labels }).map(([key, value]) => ({ key, value }));
  store.version = TIKV_VERSION;
  store.peer_address = st.address;
  store.status_address = st.statusAddress;
  store.git_hash = TIKV_GIT_HASH;
  store.start_timestamp = st.startTimestamp;
  store.deploy_path = '/tidb-deploy/tikv-20160/bin';
  const hbNs = c.lastHeartbeatNs(st, now);
  store.last_heartbeat = big(hbNs);
  if (nodeState !== 0) {
    store.node_state = nodeState;
  }
  store.state_name = c.stateName(st, now);

  const disk = c.disk(st, now);
  const i = st.index;
  const regionCount = removed ? 0 : counts.regionCount[i];
  const leaderCount = removed ? 0 : counts.leaderCount[i];
  const regionSize = removed ? 0 : counts.regionSize[i];
  const startNs = BigInt(st.startTimestamp) * BigInt(1_000_000_000);
  const status: Record<string, unknown> = {
    capacity: bytesSize(disk.capacity),
    available: bytesSize(disk.available),
    used_size: bytesSize(disk.used),
    leader_count: leaderCount,
    leader_weight: 1,
    leader_score: leaderCount,
    leader_size: removed ? 0 : counts.leaderSize[i],
    region_count: regionCount,
    region_weight: 1,
    // Simplified v2 region score: size grows with disk usage (PD's formula also weighs free space).
    region_score: round2(regionSize * (1 + c.usedRatio(st, now) / 10)),
    region_size: regionSize,
    slow_score: 1,
    start_ts: rfc3339Nano(startNs),
    last_heartbeat_ts: rfc3339Nano(hbNs),
    uptime: goDuration(hbNs - startNs),
  };
  return { store, status };
}

function peerJson(p: { id: number; store_id: number }): Record<string, unknown> {
  return { role_name: 'Voter', id: p.id, store_id: p.store_id };
}

export function regionInfo(v: RegionView): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: v.id,
    start_key: v.startKey,
    end_key: v.endKey,
    epoch: { conf_ver: v.confVer, version: v.version },
    peers: v.peers.map(peerJson),
    leader: v.leader ? peerJson(v.leader) : { role_name: '' },
  };
  if (v.down.length > 0) {
    out.down_peers = v.down.map((d) => ({ peer: peerJson(d.peer), down_seconds: d.downSeconds }));
    out.pending_peers = v.down.map((d) => peerJson(d.peer));
  }
  const written = Math.round(v.flowBytes * REGION_HEARTBEAT_S);
  out.cpu_usage = 0;
  out.written_bytes = written;
  out.read_bytes = Math.round(written / 4);
  out.written_keys = Math.round(written / 256);
  out.read_keys = Math.round(written / 1024);
  out.approximate_size = v.sizeMiB;
  out.approximate_keys = v.keys;
  out.approximate_kv_size = Math.floor(v.sizeMiB * 0.92);
  return out;
}

export function regionsInfo(views: RegionView[]): Record<string, unknown> {
  return { count: views.length, regions: views.map(regionInfo) };
}

/** `/hotspot/regions/write`: `StoreHotPeersInfos` (a region listed once per peer store in as_peer). */
export function hotWriteRegions(
  c: Cluster,
  now: number,
  storeFilter: Set<number> | undefined
): Record<string, unknown> {
  const counts = c.counts(now);
  const pdNow = c.pdNow(now);
  // Write hot-peer stats are updated at the end of each region heartbeat interval.
  const lastUpdate = new Date(Math.floor(pdNow / (REGION_HEARTBEAT_S * 1000)) * REGION_HEARTBEAT_S * 1000)
    .toISOString()
    .replace('.000Z', 'Z');
  const asPeer: Record<string, Record<string, unknown>> = {};
  const asLeader: Record<string, Record<string, unknown>> = {};
  const add = (
    map: Record<string, Record<string, unknown>>,
    st: SimStore,
    storeBytes: number,
    stat: Record<string, unknown>
  ) => {
    const key = String(st.id);
    const entry = (map[key] ??= {
      store_bytes: round2(storeBytes),
      store_keys: round2(storeBytes / 256),
      store_query: round2(storeBytes / 768),
      total_flow_bytes: 0,
      total_flow_keys: 0,
      total_flow_query: 0,
      regions_count: 0,
      statistics: [] as unknown[],
    });
    entry.total_flow_bytes = (entry.total_flow_bytes as number) + (stat.flow_bytes as number);
    entry.total_flow_keys = (entry.total_flow_keys as number) + (stat.flow_keys as number);
    entry.total_flow_query = (entry.total_flow_query as number) + (stat.flow_query as number);
    entry.regions_count = (entry.regions_count as number) + 1;
    (entry.statistics as unknown[]).push(stat);
  };
  for (const v of c.hotRegions(now)) {
    const stores = v.peers.map((p) => p.store_id);
    for (const p of v.peers) {
      const st = c.store(p.store_id);
      // PD drops stores without a heartbeat for 10 min from the hot-peer stats.
      if (!st || c.storeIsUnhealthy(st, now) || (storeFilter && !storeFilter.has(st.id))) {
        continue;
      }
      const isLeader = v.leader?.store_id === p.store_id;
      const flow = round2(v.flowBytes);
      const stat = {
        store_id: st.id,
        stores,
        is_leader: isLeader,
        is_learner: false,
        region_id: v.id,
        hot_degree: 10 + (hash32(c.seed, 60, v.id) % 40),
        flow_bytes: flow,
        flow_keys: round2(v.flowBytes / 256),
        flow_query: round2(v.flowBytes / 768),
        anti_count: 2,
        last_update_time: lastUpdate,
      };
      add(asPeer, st, counts.writeBytesAsPeer[st.index], stat);
      if (isLeader) {
        add(asLeader, st, counts.writeBytesAsLeader[st.index], { ...stat });
      }
    }
  }
  return { as_peer: asPeer, as_leader: asLeader };
}

/** `/hotspot/stores`: per-store rates of the stores PD still has load stats for. */
export function hotStores(c: Cluster, now: number): Record<string, Record<string, number>> {
  const counts = c.counts(now);
  const out: Record<string, Record<string, number>> = {
    'bytes-write-rate': {},
    'bytes-read-rate': {},
    'keys-write-rate': {},
    'keys-read-rate': {},
    'query-write-rate': {},
    'query-read-rate': {},
  };
  for (const st of c.stores) {
    if (c.storeIsUnhealthy(st, now) || c.legacyState(st, now) === 2) {
      continue;
    }
    const w = counts.writeBytesAsPeer[st.index];
    const r = w / 4;
    const id = String(st.id);
    out['bytes-write-rate'][id] = round2(w);
    out['bytes-read-rate'][id] = round2(r);
    out['keys-write-rate'][id] = round2(w / 256);
    out['keys-read-rate'][id] = round2(r / 256);
    out['query-write-rate'][id] = round2(w / 768);
    out['query-read-rate'][id] = round2(r / 768);
  }
  return out;
}

export function regionStats(counts: StoreCounts, c: Cluster): Record<string, unknown> {
  const per = (arr: Float64Array) => {
    const o: Record<string, number> = {};
    c.stores.forEach((st) => {
      if (arr[st.index] > 0) {
        o[String(st.id)] = arr[st.index];
      }
    });
    return o;
  };
  return {
    count: counts.regions,
    empty_count: counts.emptyRegions,
    storage_size: counts.storageSize,
    user_storage_size: Math.floor(counts.storageSize * 0.93),
    storage_keys: counts.storageKeys,
    store_leader_count: per(counts.leaderCount),
    store_peer_count: per(counts.regionCount),
    store_leader_size: per(counts.leaderSize),
    store_leader_keys: per(counts.leaderKeys),
    store_peer_size: per(counts.regionSize),
    store_peer_keys: per(counts.peerKeys),
  };
}

/** PD members: three, the first leading; client URLs point back at the simulator (loopback only). */
export function members(c: Cluster, origin: string): Array<Record<string, unknown>> {
  return [0, 1, 2].map((k) => ({
    name: `pd-${k + 1}`,
    member_id: big((BigInt((hash32(c.seed, 70, k) | 0x40000000) >>> 0) << BigInt(32)) + BigInt(hash32(c.seed, 71, k))),
    peer_urls: [`http://127.0.0.1:${2380 + k}`],
    client_urls: [origin],
    deploy_path: '/tidb-deploy/pd-2379/bin',
    binary_version: PD_VERSION,
    git_hash: PD_GIT_HASH,
  }));
}
