/** UI copy and test ids of the data source's editors, in one place (as github-datasource's selectors.ts). */
import type {
  ActionName,
  AuditFormat,
  AuditOutcome,
  InvariantFormat,
  InvariantName,
  QueryKind,
  SloFormat,
  SloName,
} from '../../shared/names';

export const selectors = {
  queryEditor: {
    kind: {
      label: 'Kind',
      tooltip:
        'An observation reads the cluster (PD, Prometheus); invariant checks report violations; the audit trail lists PD actions run from Grafana; SLO budgets show each store\'s error budget left',
      options: {
        observation: 'Observation',
        invariant: 'Invariant checks',
        audit: 'Audit trail',
        slo: 'SLO budgets',
      } satisfies Record<QueryKind, string>,
      annotationTooltip:
        'Invariant checks draw violations as regions; the audit trail draws the actions run from Grafana; forecast warnings draw, from now, each disk crossing or PD Down countdown within the horizon',
      forecastWarnings: 'Forecast warnings',
    },
    observation: { label: 'Observation', placeholder: 'Choose an observation', id: 'tikv-query-observation' },
    limit: {
      label: 'Limit',
      tooltip: 'Rows to return (hot regions: top N; region health: region ids listed per kind)',
      id: 'tikv-query-limit',
      placeholder: 'default',
    },
    horizon: {
      label: 'Horizon',
      tooltip:
        'Forecast warnings: the crossings and PD Down countdowns within this Prometheus duration from now become annotations (e.g. 24h)',
      id: 'tikv-query-horizon',
      placeholder: '24h',
    },
    window: {
      label: 'Window',
      tooltip: 'Trend window of the disk forecast, a Prometheus duration (e.g. 6h, 30m)',
      id: 'tikv-query-window',
      placeholder: '6h',
    },
    invariants: { label: 'Invariants', placeholder: 'All invariants', id: 'tikv-query-invariants' },
    format: {
      label: 'Format',
      options: {
        violations: 'Violations table',
        timeline: 'State timeline',
        annotations: 'Annotations',
      } satisfies Record<InvariantFormat, string>,
    },
    slo: {
      slos: { label: 'SLOs', placeholder: 'All SLOs', id: 'tikv-query-slos' },
      format: {
        label: 'Format',
        tooltip: 'Budget: one row per store and SLO, the window ending at the range end; time series: over the range',
        options: { budget: 'Budget table', timeseries: 'Time series' } satisfies Record<SloFormat, string>,
      },
      names: {
        write_latency_p99: 'Write latency P99',
        disk_usage: 'Disk usage',
        store_availability: 'Store availability',
      } satisfies Record<SloName, string>,
    },
    audit: {
      format: {
        label: 'Format',
        options: { table: 'Table', annotations: 'Annotations' } satisfies Record<AuditFormat, string>,
      },
      actions: { label: 'Actions', placeholder: 'All actions', id: 'tikv-query-actions' },
      outcomes: { label: 'Outcomes', placeholder: 'All outcomes', id: 'tikv-query-outcomes' },
    },
    overrides: {
      label: 'Thresholds and grace',
      hint: 'Empty fields use the deployment default shown in grey.',
      fields: {
        'high_latency.thresholdMs': { label: 'P99 write latency (ms)', id: 'tikv-override-latency-threshold' },
        'high_latency.graceSeconds': { label: 'Latency grace (s)', id: 'tikv-override-latency-grace' },
        'low_disk.thresholdRatio': { label: 'Disk used ratio (0-1)', id: 'tikv-override-disk-threshold' },
        'low_disk.graceSeconds': { label: 'Disk grace (s)', id: 'tikv-override-disk-grace' },
        'region_health.thresholdRegions': { label: 'Unhealthy regions (count)', id: 'tikv-override-regions-threshold' },
        'region_health.graceSeconds': { label: 'Region health grace (s)', id: 'tikv-override-regions-grace' },
      },
      notANumber: 'must be a number',
    },
    stores: {
      label: 'Stores',
      tooltip: 'Store ids (PD store_id), comma-separated, or a template variable such as $store. Empty: all stores.',
      placeholder: 'all stores, or 1,4, or $store',
      id: 'tikv-query-stores',
    },
    subjectUnavailable: 'Descriptions and defaults are unavailable',
  },
  invariantNames: {
    store_down: 'Store down',
    high_latency: 'High write latency',
    low_disk: 'Low disk space',
    region_health: 'Region health (cluster)',
  } satisfies Record<InvariantName, string>,
  actionNames: {
    transfer_leader: 'Transfer leader',
    split_region: 'Split region',
    set_leader_schedule_limit: 'Set leader-schedule-limit',
    set_region_schedule_limit: 'Set region-schedule-limit',
    set_replica_schedule_limit: 'Set replica-schedule-limit',
    drain_store: 'Drain store',
    set_low_space_threshold: 'Set low-space-ratio',
    cancel_operator: 'Cancel operator',
    pause_scheduler: 'Pause scheduler',
    resume_scheduler: 'Resume scheduler',
  } satisfies Record<ActionName, string>,
  /** The audit log's outcome words (src/shared/auditFrames.ts shows the same). */
  outcomeNames: {
    running: 'running',
    ok: 'done',
    failed: 'failed',
    unknown: 'unknown outcome',
  } satisfies Record<AuditOutcome, string>,
  variableEditor: {
    values: {
      label: 'Values',
      options: {
        stores: 'Stores (address → store id)',
        instances: 'Prometheus instances',
        selector: "The cluster's Prometheus selector",
      },
    },
  },
  configEditor: {
    help:
      "Connects Grafana to the TiKV Operator backend. Grafana's server calls the backend and adds the tokens; " +
      'the browser never sees them.',
    backendUrl: {
      label: 'Backend URL',
      tooltip: 'The backend as the Grafana server reaches it, e.g. http://tikv-operator:8080 (no path)',
      placeholder: 'http://tikv-operator:8080',
      id: 'tikv-config-backend-url',
      invalid: 'Enter an http:// or https:// URL without a path, query or credentials',
    },
    apiToken: {
      label: 'API token',
      tooltip: "The backend's API_TOKEN; sent on every read",
      placeholder: 'API_TOKEN of the backend',
      id: 'tikv-config-api-token',
    },
    actionsToken: {
      label: 'Actions token',
      tooltip:
        "The backend's ACTIONS_TOKEN; sent only for Admins on the actions route. Leave empty to keep actions off.",
      placeholder: 'ACTIONS_TOKEN of the backend (optional)',
      id: 'tikv-config-actions-token',
    },
    cluster: {
      label: 'Cluster',
      tooltip:
        "The backend's cluster this data source reads and acts on (CLUSTER_NAME). Empty: the backend's only cluster. " +
        'One data source per cluster is how dashboards pick one.',
      placeholder: 'the only cluster',
      id: 'tikv-config-cluster',
      listId: 'tikv-config-cluster-list',
      served: 'Clusters on this backend: ',
      unsaved: "Save the data source to list the backend's clusters.",
    },
  },
} as const;
