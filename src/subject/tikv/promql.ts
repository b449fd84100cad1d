/**
 * The PromQL behind the invariants (pd-tikv.md §3.4). Every per-store expression answers one series per
 * `instance`, which `instances.ts` maps back to a store; regionHealthExpr answers one series for the cluster.
 *
 *   p99WriteLatencyExpr(sel, window = '1m'): string  — P99 storage write latency, seconds
 *   diskUsedRatioExpr(sel): string                    — 1 - available / capacity
 *   tikvUpExpr(sel): string                           — Prometheus' scrape liveness of each TiKV
 *   regionHealthExpr(sel): string                     — regions missing a peer or with a down peer (one series)
 *   parsePromDuration(text, field?): number           — a Prometheus duration (`1m`, `30s`, `1h30m`) in ms
 *
 * `sel` is `PrometheusClient['selector']`: it renders a metric with its matchers plus the deployment's selector
 * (`PROMETHEUS_SELECTOR`) and the job matcher, escaping every value.
 */
import { z } from 'zod';

import { BadQueryError } from '../../shared/errors';
import type { LabelMatcher } from '../prometheus/selector';

export type SelectorFn = (metric: string, matchers?: LabelMatcher[], job?: 'tikv' | 'pd') => string;

/** The rate window of the official TiKV alert and dashboards (`[1m]`). */
export const DEFAULT_RATE_WINDOW = '1m';

const UNIT_MS: Record<string, number> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

/** Prometheus `model.ParseDuration`: units in descending order, each at most once, no fractions. */
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** A Prometheus duration in milliseconds; throws BadQueryError naming `field` for anything else (or zero). */
export function parsePromDuration(text: string, field = 'window'): number {
  const m = typeof text === 'string' && text !== '' ? DURATION.exec(text) : null;
  if (!m) {
    throw new BadQueryError(`${JSON.stringify(text)} is not a Prometheus duration (e.g. 1m, 30s, 1h30m)`, field);
  }
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  const ms = units.reduce((sum, u, i) => sum + (m[i + 1] ? Number(m[i + 1]) * UNIT_MS[u] : 0), 0);
  if (ms <= 0) {
    throw new BadQueryError(`${JSON.stringify(text)} must be longer than zero`, field);
  }
  return ms;
}

/** A string parsePromDuration takes, as a zod check (configuration, query parameters). */
export const PromDurationText = z.string().refine(
  (s) => {
    try {
      parsePromDuration(s);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be a Prometheus duration such as 15s, 1m or 1h30m' }
);

/** A duration in ms rendered as Prometheus writes it (`90000` → `1m30s`). */
export function formatPromDuration(ms: number): string {
  let rest = Math.round(ms);
  let out = '';
  for (const u of ['d', 'h', 'm', 's', 'ms']) {
    const n = Math.floor(rest / UNIT_MS[u]);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * UNIT_MS[u];
    }
  }
  return out || '0s';
}

/**
 * P99 write latency per store, as TiKV's alert `TiKV_async_request_write_duration_seconds` and the TiKV-Details
 * "Storage async write duration" panel compute it (raft propose → apply).
 */
export function p99WriteLatencyExpr(sel: SelectorFn, window: string = DEFAULT_RATE_WINDOW): string {
  parsePromDuration(window);
  const buckets = sel(
    'tikv_storage_engine_async_request_duration_seconds_bucket',
    [{ name: 'type', op: '=', value: 'write' }],
    'tikv'
  );
  return `histogram_quantile(0.99, sum by (instance, le) (rate(${buckets}[${window}])))`;
}

/** Disk used ratio per store from TiKV's own byte counts (the numbers TiKV sends PD, without ByteSize rounding). */
export function diskUsedRatioExpr(sel: SelectorFn): string {
  const size = (type: string) => sel('tikv_store_size_bytes', [{ name: 'type', op: '=', value: type }], 'tikv');
  return `1 - sum by (instance) (${size('available')}) / sum by (instance) (${size('capacity')})`;
}

/** Scrape liveness of each TiKV: 0 when the last scrape failed (DESIGN.md's liveness series). */
export function tikvUpExpr(sel: SelectorFn): string {
  return sel('up', [], 'tikv');
}

/** PD's region-checker counts that region_health watches (`pd_regions_status` types are hyphenated, pd-tikv.md §3.2). */
export const REGION_HEALTH_TYPES = ['miss-peer-region-count', 'down-peer-region-count'] as const;

/**
 * The larger of PD's miss-peer and down-peer region counts, one series without labels: "more than N regions lack a
 * replica, or more than N have a down peer". `max` also across PD instances: only the leader runs the region
 * checker (followers reset the gauge when they lose leadership), and a stale follower must not add to it.
 */
export function regionHealthExpr(sel: SelectorFn): string {
  const status = sel('pd_regions_status', [{ name: 'type', op: '=~', value: REGION_HEALTH_TYPES.join('|') }], 'pd');
  return `max(${status})`;
}
