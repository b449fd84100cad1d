/**
 * Prometheus text exposition (format 0.0.4) of the simulated cluster: one target per TiKV store (its own metrics
 * path, `instance` = the store's status_address via service discovery) and one PD target (job `pd`). Metric names
 * and labels are TiKV's and PD's (reference pd-tikv.md §3).
 */
import type { Cluster, SimStore } from './cluster';
import { LATENCY_BUCKETS } from './latency';
import {
  NODE_PREPARING,
  NODE_REMOVED,
  NODE_REMOVING,
  NODE_SERVING,
  STORE_DISCONNECT_MS,
  STORE_UNHEALTHY_MS,
} from './storeState';

/** Prometheus label value escaping (backslash, double quote, newline). */
function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Go `strconv.FormatFloat(v, 'g', -1, 64)`-compatible enough for Prometheus' parser. */
function num(v: number): string {
  if (Number.isNaN(v)) {
    return 'NaN';
  }
  if (!Number.isFinite(v)) {
    return v > 0 ? '+Inf' : '-Inf';
  }
  return String(v);
}

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, l: Record<string, string>, v: number): this {
    this.lines.push(`${name}${labels(l)} ${num(v)}`);
    return this;
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** Metrics of one TiKV store, as its status port serves them. */
export function tikvMetrics(c: Cluster, st: SimStore, now: number): string {
  const e = new Exposition();
  const name = 'tikv_storage_engine_async_request_duration_seconds';
  e.family(name, 'histogram', 'Bucketed histogram of processing successful asynchronous requests.');
  for (const [type, counters] of [
    ['snapshot', st.snapshot],
    ['write', st.write],
  ] as const) {
    const h = counters.at(now);
    LATENCY_BUCKETS.forEach((le, k) => e.sample(`${name}_bucket`, { type, le: String(le) }, h.buckets[k]));
    e.sample(`${name}_bucket`, { type, le: '+Inf' }, h.count);
    e.sample(`${name}_sum`, { type }, h.sum);
    e.sample(`${name}_count`, { type }, h.count);
  }
  const disk = c.disk(st, now);
  e.family('tikv_store_size_bytes', 'gauge', 'Size of storage.');
  e.sample('tikv_store_size_bytes', { type: 'available' }, disk.available);
  e.sample('tikv_store_size_bytes', { type: 'capacity' }, disk.capacity);
  e.sample('tikv_store_size_bytes', { type: 'used' }, disk.used);
  const counts = c.counts(now);
  e.family('tikv_raftstore_region_count', 'gauge', 'Number of regions collected in region_collection_worker.');
  e.sample('tikv_raftstore_region_count', { type: 'leader' }, counts.leaderCount[st.index]);
  e.sample('tikv_raftstore_region_count', { type: 'region' }, counts.regionCount[st.index]);
  e.family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.');
  e.sample('process_start_time_seconds', {}, st.startTimestamp);
  return e.text();
}

/** Metrics of the PD leader (job `pd`). */
export function pdMetrics(c: Cluster, now: number): string {
  const e = new Exposition();
  const counts = c.counts(now);
  const maxDown = c.maxStoreDownMs();
  const lowSpaceRatio = Number(c.schedule['low-space-ratio']);
  const status: Record<string, number> = {
    store_up_count: 0,
    store_disconnected_count: 0,
    store_slow_count: 0,
    store_down_count: 0,
    store_unhealth_count: 0,
    store_offline_count: 0,
    store_tombstone_count: 0,
    store_low_space_count: 0,
    store_preparing_count: 0,
    store_serving_count: 0,
    store_removing_count: 0,
    store_removed_count: 0,
    region_count: counts.peers,
    leader_count: counts.leaders,
    witness_count: 0,
    learner_count: 0,
    storage_size: 0,
    storage_capacity: 0,
  };
  const live = c.stores.filter((st) => c.nodeState(st, now) !== NODE_REMOVED);
  for (const st of c.stores) {
    const ns = c.nodeState(st, now);
    status.store_preparing_count += ns === NODE_PREPARING ? 1 : 0;
    status.store_serving_count += ns === NODE_SERVING ? 1 : 0;
    status.store_removing_count += ns === NODE_REMOVING ? 1 : 0;
    status.store_removed_count += ns === NODE_REMOVED ? 1 : 0;
    if (ns === NODE_REMOVED) {
      status.store_tombstone_count++;
      continue;
    }
    if (ns === NODE_REMOVING) {
      status.store_offline_count++;
    }
    const disk = c.disk(st, now);
    status.storage_size += disk.used;
    status.storage_capacity += disk.capacity;
    const age = c.heartbeatAgeMs(st, now);
    let down = false;
    if (ns !== NODE_REMOVING) {
      // PD statistics/store_collection.go: exclusive buckets in this order.
      if (age >= maxDown) {
        status.store_down_count++;
        down = true;
      } else if (age > STORE_UNHEALTHY_MS) {
        status.store_unhealth_count++;
      } else if (age > STORE_DISCONNECT_MS) {
        status.store_disconnected_count++;
      } else {
        status.store_up_count++;
      }
    }
    // Low space: available below (1 - low-space-ratio) of capacity; ignored in a tiny cluster with > 8 GiB free.
    const tiny = counts.regions < 100 && disk.available > 8 * 1024 ** 3;
    if (!down && !tiny && disk.capacity > 0 && disk.available / disk.capacity < 1 - lowSpaceRatio) {
      status.store_low_space_count++;
    }
  }
  e.family('pd_cluster_status', 'gauge', 'Status of the cluster.');
  for (const [type, v] of Object.entries(status)) {
    e.sample('pd_cluster_status', { type }, v);
  }

  e.family('pd_scheduler_store_status', 'gauge', 'Store status for schedule');
  for (const st of live) {
    const disk = c.disk(st, now);
    const i = st.index;
    const l = (type: string) => ({ address: st.address, store: String(st.id), type });
    const regionSize = counts.regionSize[i];
    const values: Record<string, number> = {
      store_capacity: disk.capacity,
      store_available: disk.available,
      store_used: disk.used,
      region_count: counts.regionCount[i],
      leader_count: counts.leaderCount[i],
      region_size: regionSize,
      leader_size: counts.leaderSize[i],
      region_score: Math.round(regionSize * (1 + c.usedRatio(st, now) / 10) * 100) / 100,
      leader_score: counts.leaderCount[i],
      store_write_rate_bytes: counts.writeBytesAsPeer[i],
      store_write_rate_keys: counts.writeBytesAsPeer[i] / 256,
      store_read_rate_bytes: counts.writeBytesAsPeer[i] / 4,
      store_read_rate_keys: counts.writeBytesAsPeer[i] / 1024,
    };
    for (const [type, v] of Object.entries(values)) {
      e.sample('pd_scheduler_store_status', l(type), v);
    }
  }

  e.family('pd_regions_status', 'gauge', 'Status of the regions.');
  const regions: Record<string, number> = {
    'miss-peer-region-count': counts.missPeer,
    'extra-peer-region-count': counts.extraPeer,
    'down-peer-region-count': counts.downPeer,
    'pending-peer-region-count': counts.pendingPeer,
    'offline-peer-region-count': counts.offlinePeer,
    'learner-peer-region-count': 0,
    'empty-region-count': counts.emptyRegions,
    'oversized-region-count': 0,
    'undersized-region-count': 0,
    'witness-leader-region-count': 0,
  };
  for (const [type, v] of Object.entries(regions)) {
    e.sample('pd_regions_status', { type }, v);
  }

  e.family('pd_hotspot_status', 'gauge', 'Status of the hotspot.');
  const hot = c.hotRegions(now);
  for (const st of live) {
    let asLeader = 0;
    let asPeer = 0;
    for (const v of hot) {
      asPeer += v.peers.some((p) => p.store_id === st.id) ? 1 : 0;
      asLeader += v.leader?.store_id === st.id ? 1 : 0;
    }
    const l = (type: string) => ({ address: st.address, store: String(st.id), type });
    e.sample('pd_hotspot_status', l('total_written_bytes_as_leader'), counts.writeBytesAsLeader[st.index]);
    e.sample('pd_hotspot_status', l('total_written_bytes_as_peer'), counts.writeBytesAsPeer[st.index]);
    e.sample('pd_hotspot_status', l('hot_write_region_as_leader'), asLeader);
    e.sample('pd_hotspot_status', l('hot_write_region_as_peer'), asPeer);
  }

  e.family('pd_config_status', 'gauge', 'Status of the scheduling configurations.');
  const cfg: Record<string, number> = {
    'leader-schedule-limit': Number(c.schedule['leader-schedule-limit']),
    'region-schedule-limit': Number(c.schedule['region-schedule-limit']),
    'replica-schedule-limit': Number(c.schedule['replica-schedule-limit']),
    'merge-schedule-limit': Number(c.schedule['merge-schedule-limit']),
    'hot-region-schedule-limit': Number(c.schedule['hot-region-schedule-limit']),
    'max-snapshot-count': Number(c.schedule['max-snapshot-count']),
    'max-pending-peer-count': Number(c.schedule['max-pending-peer-count']),
    'max-replicas': Number(c.replication['max-replicas']),
    'low-space-ratio': lowSpaceRatio,
    'high-space-ratio': Number(c.schedule['high-space-ratio']),
    'max-store-down-time': maxDown / 1000,
  };
  for (const [type, v] of Object.entries(cfg)) {
    e.sample('pd_config_status', { type }, v);
  }
  e.family('etcd_server_is_leader', 'gauge', 'Whether or not this member is a leader. 1 if is, 0 otherwise.');
  e.sample('etcd_server_is_leader', {}, 1);
  e.family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.');
  e.sample('process_start_time_seconds', {}, Math.floor(c.startedAt / 1000));
  return e.text();
}
