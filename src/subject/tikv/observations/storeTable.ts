/**
 * get_stores as a table: one array per field (column-major, as a Grafana frame is), built in one pass over PD's
 * checked `/stores` answer (`pd.getStoresChecked`). Neither a normalized copy of each store nor a row object is
 * made: at 1,000 stores those were 1.5 MB of the query's garbage and ~1 ms of its time (npm run bench, scenario a).
 *
 *   storeTable(stores, pdNow, {includeTiFlash}): StoreTable  — sorted by store_id
 *   tableRows(table): StoreRow[]                              — the same stores as objects, for callers that want them
 *
 * `storeRow` (stores.ts), over the normalized StoreInfo, stays the definition of a row for cluster metrics and
 * forecasts; storeTable.test.ts holds every row of the table equal to it on generated PD answers, omitted fields and
 * partial statuses included.
 */
import { checkedByteSize, parseGoDuration } from '../../pd/parse';
import { heartbeatMs, type Label, labelPairs, missingStatus, type StoreInfoWire, startMs } from '../../pd/schema';
import { heartbeatAgeMs, isTiFlash } from '../../pd/storeState';
import { diskUsedRatio, labelRecord, NODE_STATE_NAME, roundTo, type StoreRow, wholeBytes } from './stores';

/** A StoreRow field per column; `labels` stays PD's pairs (the rows make a record of them, the frame a text). */
export type StoreTable = { length: number; labels: Array<readonly Label[]> } & {
  [K in Exclude<keyof StoreRow, 'labels'>]: Array<StoreRow[K]>;
};

const bytes = (text: string | undefined) => (text === undefined ? undefined : checkedByteSize(text));

export function storeTable(stores: StoreInfoWire[], pdNow: number, o: { includeTiFlash: boolean }): StoreTable {
  const t: StoreTable = {
    length: 0,
    store_id: [],
    address: [],
    status_address: [],
    state_name: [],
    node_state: [],
    engine: [],
    version: [],
    labels: [],
    last_heartbeat: [],
    heartbeat_age_seconds: [],
    start_time: [],
    uptime_seconds: [],
    capacity_bytes: [],
    available_bytes: [],
    used_bytes: [],
    disk_used_ratio: [],
    leader_count: [],
    leader_score: [],
    leader_weight: [],
    leader_size: [],
    region_count: [],
    region_score: [],
    region_weight: [],
    region_size: [],
    slow_score: [],
    drain_progress: [],
    drain_left_seconds: [],
    partial: [],
  };
  for (const { store, status = {} } of [...stores].sort((a, b) => a.store.id - b.store.id)) {
    const labels = labelPairs(store.labels);
    const tiflash = isTiFlash({ labels });
    if (tiflash && !o.includeTiFlash) {
      continue;
    }
    // PD's omitted zero fields, as normalizeStore/normalizeStoreStatus (pd/schema.ts) fill them in.
    const heartbeat = heartbeatMs(store);
    const age = heartbeatAgeMs({ last_heartbeat_ms: heartbeat }, pdNow);
    const capacity = bytes(status.capacity);
    const available = bytes(status.available);
    const ratio = diskUsedRatio(capacity, available);
    const missing = missingStatus(status);
    t.store_id.push(store.id);
    t.address.push(store.address);
    t.status_address.push(store.status_address ?? '');
    t.state_name.push(store.state_name);
    t.node_state.push(NODE_STATE_NAME[store.node_state ?? 0]);
    t.engine.push(tiflash ? 'tiflash' : 'tikv');
    t.version.push(store.version ?? '');
    t.labels.push(labels);
    t.last_heartbeat.push(heartbeat ?? null);
    t.heartbeat_age_seconds.push(age === undefined ? null : age / 1000);
    t.start_time.push(startMs(store) ?? null);
    t.uptime_seconds.push(status.uptime === undefined ? 0 : Math.round(parseGoDuration(status.uptime)));
    t.capacity_bytes.push(wholeBytes(capacity));
    t.available_bytes.push(wholeBytes(available));
    t.used_bytes.push(wholeBytes(bytes(status.used_size)));
    t.disk_used_ratio.push(ratio === null ? null : roundTo(ratio, 4));
    t.leader_count.push(status.leader_count ?? null);
    t.leader_score.push(status.leader_score ?? 0);
    t.leader_weight.push(status.leader_weight ?? 1);
    t.leader_size.push(status.leader_size ?? 0);
    t.region_count.push(status.region_count ?? null);
    t.region_score.push(status.region_score ?? 0);
    t.region_weight.push(status.region_weight ?? 1);
    t.region_size.push(status.region_size ?? 0);
    t.slow_score.push(status.slow_score ?? 0);
    t.drain_progress.push(null);
    t.drain_left_seconds.push(null);
    t.partial.push(missing.length > 0 ? missing.join(', ') : null);
    t.length++;
  }
  return t;
}

export function tableRows(t: StoreTable): StoreRow[] {
  return Array.from({ length: t.length }, (_, i) => ({
    store_id: t.store_id[i],
    address: t.address[i],
    status_address: t.status_address[i],
    state_name: t.state_name[i],
    node_state: t.node_state[i],
    drain_progress: t.drain_progress[i],
    drain_left_seconds: t.drain_left_seconds[i],
    engine: t.engine[i],
    version: t.version[i],
    labels: labelRecord(t.labels[i]),
    last_heartbeat: t.last_heartbeat[i],
    heartbeat_age_seconds: t.heartbeat_age_seconds[i],
    start_time: t.start_time[i],
    uptime_seconds: t.uptime_seconds[i],
    capacity_bytes: t.capacity_bytes[i],
    available_bytes: t.available_bytes[i],
    used_bytes: t.used_bytes[i],
    disk_used_ratio: t.disk_used_ratio[i],
    leader_count: t.leader_count[i],
    leader_score: t.leader_score[i],
    leader_weight: t.leader_weight[i],
    leader_size: t.leader_size[i],
    region_count: t.region_count[i],
    region_score: t.region_score[i],
    region_weight: t.region_weight[i],
    region_size: t.region_size[i],
    slow_score: t.slow_score[i],
    partial: t.partial[i],
  }));
}
