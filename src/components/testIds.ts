/** Test ids and UI copy of the app pages (the data source's editors have their own, in datasource/components/selectors.ts). */
export const testIds = {
  cluster: {
    container: 'data-testid tikv-cluster',
    stores: 'data-testid tikv-cluster-stores',
    regionHealth: 'data-testid tikv-cluster-region-health',
    hotRegions: 'data-testid tikv-cluster-hot-regions',
    violations: 'data-testid tikv-cluster-violations',
  },
  invariants: {
    container: 'data-testid tikv-invariants',
    active: 'data-testid tikv-invariants-active',
    history: 'data-testid tikv-invariants-history',
  },
  actions: {
    container: 'data-testid tikv-actions',
    preflight: 'data-testid tikv-actions-preflight',
    outcome: 'data-testid tikv-actions-outcome',
    audit: 'data-testid tikv-actions-audit',
  },
  appConfig: {
    container: 'data-testid tikv-app-config',
  },
};

export const copy = {
  cluster: {
    title: 'Cluster',
    stores: 'Stores',
    regionHealth: 'Region health',
    violations: 'Active violations',
    refresh: 'Refresh',
    history: 'Violation history',
    hotRegions: 'Hot write regions',
    drain: 'Drain…',
    transferLeader: 'Transfer leader…',
  },
  invariants: {
    range: 'Time range',
    active: 'Active violations',
    history: 'Violations in the range',
    ranges: [
      { label: 'Last hour', value: 3_600_000 },
      { label: 'Last 6 hours', value: 6 * 3_600_000 },
      { label: 'Last 24 hours', value: 24 * 3_600_000 },
      { label: 'Last 7 days', value: 7 * 24 * 3_600_000 },
    ],
  },
  actions: {
    action: 'Action',
    check: 'Check',
    confirm: 'Confirm',
    safe: 'Safe to run',
    unsafe: 'Unsafe: Confirm is disabled',
    checks: 'Checks',
    current: 'Now in PD',
    asked: 'Asked',
    pdAnswer: 'PD answered',
    effect: 'PD shows now',
    done: 'Done',
    failed: 'Not done',
    checkFailed: 'Check failed',
    auditId: 'Audit row',
    audit: 'Audit trail (last 7 days)',
    noAudit: 'No actions recorded yet',
    notOurs: 'This data source cannot run actions (it is not a TiKV Operator data source of this version).',
    modes: {
      leaders: 'Leaders only',
      store: 'Whole store',
      undo_leaders: 'Undo leaders',
      undo_store: 'Undo store',
    } as Record<string, string>,
  },
  noRows: 'No rows',
  noViolations: 'No violations',
  dataSource: 'Data source',
};
