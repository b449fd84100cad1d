/**
 * The shipped dashboards' uids and URLs. Kept apart from the builders (which import the foundation SDK, a dev
 * dependency) so the app pages can link to a dashboard without bundling the SDK.
 *
 * One uid per dashboard everywhere: the copy Grafana imports from the app's `includes` and the copy provisioned from
 * `provisioning/dashboards/` are the same file, so links resolve to whichever copy a Grafana has (never both: see the
 * README, "Dashboards").
 */
export const DASHBOARDS = {
  overview: { uid: 'tikv-operator-overview', slug: 'tikv-cluster-overview', title: 'TiKV cluster overview' },
  invariants: { uid: 'tikv-operator-invariants', slug: 'tikv-invariants', title: 'TiKV invariants' },
  store: { uid: 'tikv-operator-store', slug: 'tikv-store', title: 'TiKV store' },
} as const;

export type DashboardKey = keyof typeof DASHBOARDS;

/**
 * The dashboards' `revision`. Grafana re-imports an app's included dashboards when the plugin's version changes, but
 * only those whose `revision` differs from the imported one (pkg/services/plugindashboards DashboardUpdater): bump it
 * with any change to a dashboard, or installed copies keep the old one.
 */
export const DASHBOARD_REVISION = 3;

/** `provisioning/dashboards/<file>` and, in the plugin, `dashboards/<file>`. */
export function dashboardFile(key: DashboardKey): string {
  return `${DASHBOARDS[key].slug}.json`;
}

/**
 * The store dashboard for one store of the cluster behind data source `datasourceUid` (Grafana's `/d/<uid>/<slug>`
 * with `var-` parameters, https://grafana.com/docs/grafana/latest/dashboards/variables/#variable-url-syntax).
 */
export function storeDashboardUrl(storeId: number | string, datasourceUid?: string): string {
  const params = new URLSearchParams({ 'var-store': String(storeId) });
  if (datasourceUid) {
    params.set('var-datasource', datasourceUid);
  }
  const { uid, slug } = DASHBOARDS.store;
  return `/d/${uid}/${slug}?${params.toString()}`;
}
