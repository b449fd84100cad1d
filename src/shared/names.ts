/**
 * The product's names, in one place (DESIGN.md, "Names"). Code, provisioning and docs use exactly these.
 * This module is imported by the browser bundle too: keep it free of Node APIs.
 */

export const APP_PLUGIN_ID = 'operator-tikv-app';
export const DATASOURCE_PLUGIN_ID = 'operator-tikv-datasource';

/** Read-only observations of the TiKV subject. */
export const OBSERVATIONS = [
  'get_stores',
  'get_hot_write_regions',
  'get_store_metrics',
  'get_cluster_metrics',
  'get_region_health',
  'get_operators',
  'get_schedulers',
  'get_forecasts',
] as const;
export type ObservationName = (typeof OBSERVATIONS)[number];

/** Named invariants: checked per store, except region_health (cluster-level: store_id 0, address `cluster`). */
export const INVARIANTS = ['store_down', 'high_latency', 'low_disk', 'region_health'] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export const SEVERITIES = ['critical', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const INVARIANT_SEVERITY: Record<InvariantName, Severity> = {
  store_down: 'critical',
  high_latency: 'warning',
  low_disk: 'warning',
  region_health: 'warning',
};

/**
 * Who a cluster-level violation (region_health) is about: PD's `pd_regions_status` has no store label, so its rows
 * carry store_id 0 and this address. Stable (a PD leader change does not start a new alert series) and never a
 * `host:port`, so it cannot be mistaken for a store; the exporter's labels stay valid.
 */
/**
 * The cluster's name when one cluster is configured without CLUSTER_NAME, and of audit rows written before
 * multi-cluster support (the column's default in both audit stores' migrations): one name, so those rows stay the
 * single cluster's.
 */
export const DEFAULT_CLUSTER = 'default';

export const CLUSTER_LEVEL_STORE = { store_id: 0, address: 'cluster' } as const;

/** How an invariant query answers: a table of violations, 0/1 series for a state timeline, or annotation regions. */
export const INVARIANT_FORMATS = ['violations', 'timeline', 'annotations'] as const;
export type InvariantFormat = (typeof INVARIANT_FORMATS)[number];

/** PD operator actions (executed through PD's HTTP API, with PD's parameter names). */
export const ACTIONS = [
  'transfer_leader',
  'split_region',
  'set_leader_schedule_limit',
  'set_region_schedule_limit',
  'set_replica_schedule_limit',
  'drain_store',
  'set_low_space_threshold',
  'cancel_operator',
  'pause_scheduler',
  'resume_scheduler',
] as const;
export type ActionName = (typeof ACTIONS)[number];

/** How an audit query answers: a table of executed actions, or annotation regions next to the violations. */
export const AUDIT_FORMATS = ['table', 'annotations'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/**
 * Outcome of an audited action: `running` between the row written before PD is called and the one after;
 * `unknown` when the backend died (or PD's answer was lost) in between — PD may or may not have applied it.
 */
export const AUDIT_OUTCOMES = ['running', 'ok', 'failed', 'unknown'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Query kinds of the data source. */
export const QUERY_KINDS = ['observation', 'invariant', 'audit', 'slo'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

/** Service-level objectives of the subject. */
export const SLOS = ['write_latency_p99', 'disk_usage', 'store_availability'] as const;
export type SloName = (typeof SLOS)[number];

/** How an slo query answers: one row per store and SLO (budget left at `to`), or attainment/budget over time. */
export const SLO_FORMATS = ['budget', 'timeseries'] as const;
export type SloFormat = (typeof SLO_FORMATS)[number];

/** Exporter series (DESIGN.md). Labels: cluster, invariant, store_id, address, severity, maintenance. */
export const VIOLATION_METRIC = 'tikv_operator_invariant_violation';
export const VIOLATION_FIRST_SEEN_METRIC = 'tikv_operator_invariant_violation_first_seen_seconds';
export const VIOLATION_LABELS = ['cluster', 'invariant', 'store_id', 'address', 'severity', 'maintenance'] as const;
/** The watchdog's series: when each cluster's live checker last completed a check with PD answering (Unix s). */
export const CHECK_LAST_SUCCESS_METRIC = 'tikv_operator_check_last_success_timestamp_seconds';

/** Backend environment variables (DESIGN.md). */
export const ENV = {
  PD_URL: 'PD_URL',
  PROMETHEUS_URL: 'PROMETHEUS_URL',
  HOST: 'HOST',
  PORT: 'PORT',
  API_TOKEN: 'API_TOKEN',
  ACTIONS_ENABLED: 'ACTIONS_ENABLED',
  ACTIONS_TOKEN: 'ACTIONS_TOKEN',
  AUDIT_DB_PATH: 'AUDIT_DB_PATH',
  AUDIT_DB_URL: 'AUDIT_DB_URL',
  PROMETHEUS_SELECTOR: 'PROMETHEUS_SELECTOR',
} as const;

/** Data source proxy route paths (plugin.json `routes`, in this order: Grafana matches by prefix, first wins). */
export const ROUTE_ACTIONS = 'api/actions';
export const ROUTE_API = 'api';
