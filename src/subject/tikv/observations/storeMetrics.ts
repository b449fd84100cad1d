/**
 * get_store_metrics: per store, from Prometheus — P99 write latency and disk used ratio with the same PromQL the
 * invariants use (`promql.ts`), disk capacity/available bytes and leader/region counts as the official TiKV
 * dashboards compute them (pd-tikv.md §3.4) — instant or over a range. Series are joined to stores through the
 * `instance` label (`instances.ts`); a series whose instance maps to no store, and a store without any series, are
 * reported rather than dropped.
 */
import type { PrometheusClient } from '../../prometheus/client';
import { InstanceDirectory, type InstanceMapping, scopedSelector, type StoreAddressing } from '../instances';
import { diskUsedRatioExpr, p99WriteLatencyExpr, type SelectorFn } from '../promql';

export const STORE_METRICS = [
  'write_p99_seconds',
  'disk_capacity_bytes',
  'disk_available_bytes',
  'disk_used_ratio',
  'leader_count',
  'region_count',
] as const;
export type StoreMetricName = (typeof STORE_METRICS)[number];

export interface StoreMetricSeries {
  metric: StoreMetricName;
  /** null when the series' instance maps to no store PD knows (reported, not dropped). */
  store_id: number | null;
  address: string | null;
  instance: string;
  /** `[epoch ms, value]` in time order; one pair for an instant query. */
  samples: Array<[number, number]>;
}

export interface UnmatchedStore {
  store_id: number;
  address: string;
  status_address: string;
  /** The instance value (or key, for host/pod mappings) the store was looked for under. */
  expected_instance: string;
}

export interface StoreMetricsResult {
  mode: 'instant' | 'range';
  series: StoreMetricSeries[];
  /** Stores asked for (or every serving TiKV store) without a single series. */
  unmatched_stores: UnmatchedStore[];
  /** Instances with series but no store in PD under the mapping. */
  unmatched_instances: string[];
  warnings: string[];
}

export interface StoreMetricsRequest {
  prometheus: PrometheusClient;
  /** Every store PD knows (Tombstone included, so their past series still join). */
  allStores: StoreAddressing[];
  /** The stores the answer is about. */
  targets: StoreAddressing[];
  /** True when the caller filtered by store: the queries then select only those instances. */
  filtered: boolean;
  mapping: InstanceMapping;
  rateWindow: string;
  /** Absent = instant query at Prometheus' now. */
  range?: { from: number; to: number; stepMs: number };
  signal?: AbortSignal;
}

export function storeMetricExprs(sel: SelectorFn, rateWindow: string): Record<StoreMetricName, string> {
  const sumByInstance = (metric: string, type: string) =>
    `sum by (instance) (${sel(metric, [{ name: 'type', op: '=', value: type }], 'tikv')})`;
  return {
    write_p99_seconds: p99WriteLatencyExpr(sel, rateWindow),
    disk_capacity_bytes: sumByInstance('tikv_store_size_bytes', 'capacity'),
    disk_available_bytes: sumByInstance('tikv_store_size_bytes', 'available'),
    disk_used_ratio: diskUsedRatioExpr(sel),
    leader_count: sumByInstance('tikv_raftstore_region_count', 'leader'),
    region_count: sumByInstance('tikv_raftstore_region_count', 'region'),
  };
}

export async function storeMetrics(req: StoreMetricsRequest): Promise<StoreMetricsResult> {
  const { prometheus, mapping, range, signal } = req;
  const directory = new InstanceDirectory(req.allStores, mapping);
  const exprs = storeMetricExprs(
    scopedSelector(prometheus, req.filtered ? req.targets : undefined, mapping),
    req.rateWindow
  );

  const answers = await Promise.all(
    STORE_METRICS.map(async (metric) => {
      if (range) {
        const r = await prometheus.queryRange(exprs[metric], range.from, range.to, range.stepMs, signal);
        return { metric, warnings: r.warnings, series: r.series };
      }
      const r = await prometheus.query(exprs[metric], undefined, signal);
      return {
        metric,
        warnings: r.warnings,
        series: r.samples.map((s) => ({ labels: s.labels, samples: [[s.t, s.v]] as Array<[number, number]> })),
      };
    })
  );

  const series: StoreMetricSeries[] = [];
  const seenStores = new Set<number>();
  const unmatchedInstances = new Set<string>();
  const warnings = new Set<string>();
  for (const a of answers) {
    a.warnings.forEach((w) => warnings.add(w));
    for (const s of a.series) {
      const instance = s.labels.instance ?? '';
      const store = directory.byInstance(instance);
      if (store) {
        seenStores.add(store.store_id);
      } else {
        unmatchedInstances.add(instance);
      }
      series.push({
        metric: a.metric,
        store_id: store?.store_id ?? null,
        address: store?.address ?? null,
        instance,
        samples: s.samples,
      });
    }
  }
  series.sort(
    (a, b) =>
      STORE_METRICS.indexOf(a.metric) - STORE_METRICS.indexOf(b.metric) ||
      (a.store_id ?? Infinity) - (b.store_id ?? Infinity) ||
      a.instance.localeCompare(b.instance)
  );
  for (const key of directory.ambiguous) {
    warnings.add(
      `several stores map to instance ${JSON.stringify(key)} under the "${mapping}" mapping; their series are not joined`
    );
  }
  return {
    mode: range ? 'range' : 'instant',
    series,
    unmatched_stores: req.targets
      .filter((t) => !seenStores.has(t.store.id))
      .map((t) => ({
        store_id: t.store.id,
        address: t.store.address,
        status_address: t.store.status_address ?? '',
        expected_instance: directory.keyOf(t.store.id) ?? '',
      })),
    unmatched_instances: [...unmatchedInstances].sort(),
    warnings: [...warnings],
  };
}
