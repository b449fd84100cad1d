/** Test ids and UI copy of the app pages (the data source's editors have their own, in datasource/components/selectors.ts). */
export const testIds = {
  cluster: {
    container: 'data-testid tikv-cluster',
    stores: 'data-testid tikv-cluster-stores',
    regionHealth: 'data-testid tikv-cluster-region-health',
    violations: 'data-testid tikv-cluster-violations',
  },
  invariants: {
    container: 'data-testid tikv-invariants',
    active: 'data-testid tikv-invariants-active',
    history: 'data-testid tikv-invariants-history',
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
  noRows: 'No rows',
  noViolations: 'No violations',
  dataSource: 'Data source',
};
