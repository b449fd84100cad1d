/**
 * Observation results as Grafana data frames (`DataFrameJSON`, read by `dataFrameFromJSON`):
 * - get_stores (frames/stores.ts), get_hot_write_regions: one table each, with Grafana units (`bytes`,
 *   `percentunit`, `s`, `binBps`) and time fields for timestamps;
 * - get_store_metrics: one time series per store and metric, labelled `store_id`, `address`, `instance`; unmatched
 *   stores and instances and Prometheus warnings become frame notices (and an unmatched instance keeps its series);
 * - get_cluster_metrics: single-row frames for stat panels (stores by state; counts and leader spread) plus one
 *   frame of leader and region counts per store;
 * - get_region_health: a table of counts per kind with the listed region ids;
 * - get_operators, get_schedulers: tables (frames/scheduling.ts); get_forecasts: a table (frames/forecasts.ts).
 * Every frame carries the query's refId.
 */
import { rangeStep, type StepRange } from '../../prometheus/step';
import type { DataFrameJSON } from '../../../shared/schema/frames';
import type { ObservationQuery } from '../../../shared/schema/query';
import type { ClusterMetrics } from '../observations/clusterMetrics';
import type { StoreMetricName, StoreMetricsResult } from '../observations/storeMetrics';
import type { TiKVSubject } from '../subject';
import { parsePromDuration } from '../promql';
import { col, type Column, frame, type Notice, TABLE } from './build';
import { forecastFrames } from './forecasts';
import { operatorFrames, schedulerFrames } from './scheduling';
import { storesFrame } from './stores';

/** Store metric → Grafana unit and legend words. */
const METRIC_DISPLAY: Record<StoreMetricName, { unit: string; title: string }> = {
  write_p99_seconds: { unit: 's', title: 'P99 write latency' },
  disk_capacity_bytes: { unit: 'bytes', title: 'Disk capacity' },
  disk_available_bytes: { unit: 'bytes', title: 'Disk available' },
  disk_used_ratio: { unit: 'percentunit', title: 'Disk used' },
  leader_count: { unit: 'none', title: 'Leaders' },
  region_count: { unit: 'none', title: 'Regions' },
};

export async function observationFrames(
  subject: TiKVSubject,
  q: ObservationQuery,
  range: StepRange,
  /** Aborts the upstream requests when the client goes away. */
  signal?: AbortSignal
): Promise<DataFrameJSON[]> {
  const ctx = { signal };
  const storeIds = q.storeIds && q.storeIds.length > 0 ? q.storeIds : undefined;
  switch (q.observation) {
    case 'get_stores':
      return [storesFrame(q.refId, await subject.getStores({ storeIds }, ctx))];

    case 'get_hot_write_regions': {
      const { regions } = await subject.getHotWriteRegions({ storeIds, limit: q.limit }, ctx);
      return [
        frame(
          q.refId,
          'hot_write_regions',
          [
            col(regions, 'region_id', 'number', (r) => r.region_id, { displayName: 'Region' }),
            col(regions, 'leader_store_id', 'number', (r) => r.leader_store_id, { displayName: 'Leader store' }),
            col(regions, 'peer_store_ids', 'string', (r) => r.peer_store_ids.join(', '), {
              displayName: 'Peer stores',
            }),
            col(regions, 'flow_bytes', 'number', (r) => r.flow_bytes, { displayName: 'Write bytes', unit: 'binBps' }),
            col(regions, 'flow_keys', 'number', (r) => r.flow_keys, { displayName: 'Write keys', unit: 'ops' }),
            col(regions, 'flow_query', 'number', (r) => r.flow_query, { displayName: 'Write queries', unit: 'reqps' }),
            col(regions, 'hot_degree', 'number', (r) => r.hot_degree, { displayName: 'Hot degree' }),
            col(regions, 'last_update_time', 'time', (r) => r.last_update_time, {
              displayName: 'Updated',
              unit: 'dateTimeAsIso',
            }),
          ],
          TABLE
        ),
      ];
    }

    case 'get_store_metrics': {
      const result = await subject.getStoreMetrics(
        {
          storeIds,
          range: { from: range.from, to: range.to },
          stepMs: rangeStep(range),
        },
        ctx
      );
      return storeMetricFrames(q.refId, result);
    }

    case 'get_cluster_metrics':
      return clusterFrames(q.refId, await subject.getClusterMetrics({}, ctx));

    case 'get_region_health': {
      const { kinds } = await subject.getRegionHealth({ limit: q.limit ?? 100 }, ctx);
      return [
        frame(
          q.refId,
          'region_health',
          [
            col(kinds, 'kind', 'string', (r) => r.kind, { displayName: 'Kind' }),
            col(kinds, 'count', 'number', (r) => r.count, { displayName: 'Regions' }),
            col(kinds, 'region_ids', 'string', (r) => r.region_ids.join(', '), { displayName: 'Region ids' }),
            col(kinds, 'truncated', 'boolean', (r) => r.truncated, { displayName: 'More not listed' }),
          ],
          TABLE
        ),
      ];
    }

    case 'get_operators':
      return operatorFrames(q.refId, await subject.getOperators({ limit: q.limit ?? 1000 }, ctx));

    case 'get_schedulers':
      return schedulerFrames(q.refId, await subject.getSchedulers({}, ctx));

    case 'get_forecasts': {
      // Parsed before the upstream reads: a bad horizon is the query's 400, not a late failure.
      const horizonMs = q.horizon === undefined ? undefined : parsePromDuration(q.horizon, 'horizon');
      return forecastFrames(q.refId, await subject.getForecasts({ storeIds, window: q.window }, ctx), horizonMs);
    }
  }
}

export function storeMetricFrames(refId: string, result: StoreMetricsResult): DataFrameJSON[] {
  const notices: Notice[] = [
    ...result.unmatched_stores.map((s): Notice => ({
      severity: 'warning',
      text: `store ${s.store_id} (${s.status_address || s.address}) has no series in Prometheus under instance "${s.expected_instance}"`,
    })),
    ...result.unmatched_instances.map((i): Notice => ({
      severity: 'warning',
      text: `instance "${i}" has series but matches no store in PD`,
    })),
    ...result.warnings.map((w): Notice => ({ severity: 'warning', text: `Prometheus: ${w}` })),
  ];
  const frames = result.series.map((s) => {
    const { unit, title } = METRIC_DISPLAY[s.metric];
    const who = s.store_id === null ? `instance ${s.instance}` : `store ${s.store_id}`;
    const labels: Record<string, string> = { instance: s.instance };
    if (s.store_id !== null) {
      labels.store_id = String(s.store_id);
      labels.address = s.address ?? '';
    }
    return frame(refId, s.metric, [
      { name: 'time', type: 'time', values: s.samples.map(([t]) => t) },
      {
        name: s.metric,
        type: 'number',
        values: s.samples.map(([, v]) => (Number.isFinite(v) ? v : null)),
        config: { unit, displayName: `${title} · ${who}` },
        labels,
      },
    ]);
  });
  if (notices.length > 0) {
    if (frames.length === 0) {
      frames.push(frame(refId, 'store_metrics', [{ name: 'time', type: 'time', values: [] }]));
    }
    frames[0].schema.meta = { ...frames[0].schema.meta, notices };
  }
  return frames;
}

export function clusterFrames(refId: string, m: ClusterMetrics): DataFrameJSON[] {
  const one = (name: string, type: Column['type'], value: unknown, config: Record<string, unknown>): Column => ({
    name,
    type,
    values: [value],
    config,
  });
  const perStore = (metric: 'leader_count' | 'region_count', title: string): DataFrameJSON =>
    frame(refId, metric, [
      { name: 'time', type: 'time', values: [m.pd_now] },
      ...m.per_store.map((s): Column => ({
        name: metric,
        type: 'number',
        values: [s[metric]],
        labels: { store_id: String(s.store_id), address: s.address },
        config: { displayName: `${title} · store ${s.store_id}` },
      })),
    ]);
  return [
    frame(
      refId,
      'stores_by_state',
      Object.entries(m.stores_by_state).map(([state, n]) => one(state, 'number', n, { displayName: state }))
    ),
    frame(refId, 'cluster', [
      one('store_count', 'number', m.store_count, { displayName: 'Stores' }),
      one('tiflash_store_count', 'number', m.tiflash_store_count, { displayName: 'TiFlash stores' }),
      one('region_count', 'number', m.region_count, { displayName: 'Regions' }),
      one('leader_min', 'number', m.leaders.min, { displayName: 'Fewest leaders on a store' }),
      one('leader_max', 'number', m.leaders.max, { displayName: 'Most leaders on a store' }),
      one('leader_spread', 'number', m.leaders.spread, { displayName: 'Leader spread (max − min)' }),
    ]),
    perStore('leader_count', 'Leaders'),
    perStore('region_count', 'Regions'),
  ];
}
