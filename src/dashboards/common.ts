/**
 * Building blocks shared by the dashboards: the data source and cluster variables, the plugin's query model as a
 * foundation-SDK data query, shared (`-- Dashboard --`) queries, Prometheus queries filtered by the cluster's selector,
 * and the data link to the store dashboard.
 */
// The v1 dashboard model (`dashboard.*`, deprecated by the SDK for v2) is the one file provisioning and plugin
// `includes` import; v2 needs Grafana's v2 dashboard API.
/* eslint-disable @typescript-eslint/no-deprecated */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';

import { DATASOURCE_PLUGIN_ID } from '../shared/names';
import type { SavedQuery } from '../shared/schema/query';
import { DASHBOARD_REVISION, DASHBOARDS } from './names';

/** The data sources the compose stack provisions; only the variables' defaults (Grafana falls back when missing). */
const DEFAULT_PLUGIN_DS = { text: 'TiKV Operator', value: 'tikv-operator' };
const DEFAULT_PROMETHEUS_DS = { text: 'Prometheus', value: 'tikv-prometheus' };

/** Every plugin panel and annotation reads the cluster chosen in the `datasource` variable. */
export const PLUGIN_DS = { type: DATASOURCE_PLUGIN_ID, uid: '${datasource}' };
export const PROMETHEUS_DS = { type: 'prometheus', uid: '${prometheus}' };
/** Grafana's "-- Dashboard --" data source: reuses another panel's results instead of running the query again. */
export const DASHBOARD_DS = { type: 'datasource', uid: '-- Dashboard --' };

/** A saved plugin query (what the query editor stores), as an SDK data query. */
export function pluginQuery(q: SavedQuery & Record<string, unknown>): cog.Builder<cog.Dataquery> {
  return { build: () => ({ ...q, datasource: PLUGIN_DS, _implementsDataqueryVariant() {} }) };
}

/** A panel's query that reuses panel `panelId`'s results (Grafana runs the source panel's query once). */
export function sharedQuery(panelId: number): cog.Builder<cog.Dataquery> {
  return { build: () => ({ refId: 'A', panelId, datasource: DASHBOARD_DS, _implementsDataqueryVariant() {} }) };
}

/**
 * A PromQL range query on the chosen cluster's Prometheus. `matchers` is the selector's place: `${selector:raw}` is
 * the cluster's PROMETHEUS_SELECTOR (empty for a Prometheus of its own), appended after the metric's own matchers
 * (PromQL accepts the trailing comma an empty selector leaves).
 */
export function promQuery(expr: string, legendFormat: string, refId = 'A'): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .refId(refId)
    .datasource(PROMETHEUS_DS)
    .expr(expr)
    .legendFormat(legendFormat)
    .range();
}

/** `{a="b", ${selector:raw}}`: a metric's matchers plus the cluster's selector. */
export function withSelector(matchers: string): string {
  return `{${matchers}, \${selector:raw}}`;
}

export function datasourceVariables(): Array<cog.Builder<dashboard.VariableModel>> {
  return [
    new dashboard.DatasourceVariableBuilder('datasource')
      .label('TiKV cluster')
      .description(
        'The TiKV Operator data source of the cluster to show: one data source per cluster (its Cluster setting)'
      )
      .type(DATASOURCE_PLUGIN_ID)
      .regex('')
      .current({ selected: true, ...DEFAULT_PLUGIN_DS }),
    new dashboard.DatasourceVariableBuilder('prometheus')
      .label('Prometheus')
      .description('The Prometheus of the chosen cluster, for Prometheus panels (filter them with ${selector:raw})')
      .type('prometheus')
      .regex('')
      .current({ selected: true, ...DEFAULT_PROMETHEUS_DS }),
    new dashboard.QueryVariableBuilder('selector')
      .label('Cluster selector')
      .description(
        'The chosen cluster’s PROMETHEUS_SELECTOR (empty when the cluster has its own Prometheus), used raw in PromQL'
      )
      .datasource(PLUGIN_DS)
      // src/datasource/variables.ts answers `values: 'selector'` with the data source's cluster's selector.
      .query({ refId: 'SelectorVariable', values: 'selector' })
      .definition('selector')
      .refresh(dashboard.VariableRefresh.OnDashboardLoad)
      .hide(dashboard.VariableHide.HideVariable),
  ];
}

/** The store variable: text = address, value = store_id (src/datasource/variables.ts). */
export function storeVariable(multi: boolean): cog.Builder<dashboard.VariableModel> {
  const v = new dashboard.QueryVariableBuilder('store')
    .label('Store')
    .datasource(PLUGIN_DS)
    .query({ refId: 'StoreVariable', values: 'stores' })
    .definition('stores')
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(multi)
    .includeAll(multi);
  return multi ? v.current({ selected: true, text: ['All'], value: ['$__all'] }) : v;
}

/**
 * Grafana's own annotations (alerts, manual ones), the plugin's violations as regions, and forecast warnings (a disk
 * crossing or PD's Down countdown within 24 h, drawn from now to when it is due).
 */
export function annotations(): Array<cog.Builder<dashboard.AnnotationQuery>> {
  return [
    new dashboard.AnnotationQueryBuilder()
      .builtIn(1)
      .name('Annotations & Alerts')
      .datasource({ type: 'grafana', uid: '-- Grafana --' })
      .enable(true)
      .hide(true)
      .iconColor('rgba(0, 211, 255, 1)')
      .type('dashboard'),
    new dashboard.AnnotationQueryBuilder()
      .name('Invariant violations')
      .datasource(PLUGIN_DS)
      .enable(true)
      .hide(false)
      .iconColor('red')
      .target(
        pluginQuery({ refId: 'Anno', kind: 'invariant', invariants: [], format: 'annotations', stores: '$store' })
      ),
    new dashboard.AnnotationQueryBuilder()
      .name('Forecast warnings')
      .datasource(PLUGIN_DS)
      .enable(true)
      .hide(false)
      .iconColor('orange')
      .target(
        pluginQuery({ refId: 'Forecast', kind: 'observation', observation: 'get_forecasts', horizon: '24h', stores: '$store' })
      ),
  ];
}

/** Every TiKV Operator dashboard links to the others, keeping the chosen cluster and time range. */
export function dashboardLinks(): Array<cog.Builder<dashboard.DashboardLink>> {
  return [
    new dashboard.DashboardLinkBuilder('TiKV Operator')
      .type(dashboard.DashboardLinkType.Dashboards)
      .tags(['tikv-operator'])
      .asDropdown(false)
      .includeVars(true)
      .keepTime(true),
  ];
}

/**
 * A dashboard with the shared settings, links, variables (the cluster's data sources and a store variable, several
 * stores at once when `multiStore`) and annotations; the caller adds the panels.
 */
export function base(
  key: keyof typeof DASHBOARDS,
  description: string,
  multiStore: boolean
): dashboard.DashboardBuilder {
  const { uid, title } = DASHBOARDS[key];
  return new dashboard.DashboardBuilder(title)
    .id(null)
    .uid(uid)
    .description(description)
    .tags(['tikv', 'tikv-operator'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .version(1)
    .revision(DASHBOARD_REVISION)
    .links(dashboardLinks())
    .variables([...datasourceVariables(), storeVariable(multiStore)])
    .annotations(annotations());
}

/**
 * Field config that makes a store id a link to the store dashboard for that store, keeping the cluster and the time
 * range (Grafana data link variables: https://grafana.com/docs/grafana/latest/panels-visualizations/configure-data-links/).
 */
export const STORE_LINK_URL =
  `/d/${DASHBOARDS.store.uid}/${DASHBOARDS.store.slug}` +
  '?var-store=${__value.raw}&var-datasource=${datasource}&${__url_time_range}';

export function storeLink(): dashboard.DynamicConfigValue {
  return { id: 'links', value: [{ title: 'Store ${__value.raw} dashboard', url: STORE_LINK_URL }] };
}

export function thresholds(steps: Array<[string, number | null]>): cog.Builder<dashboard.ThresholdsConfig> {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps.map(([color, value]) => ({ color, value })));
}

/** Keeps only the violations still holding now (the violations frame's `active` column). */
export const ACTIVE_ONLY: dashboard.DataTransformerConfig = {
  id: 'filterByValue',
  options: {
    type: 'include',
    match: 'all',
    filters: [{ fieldName: 'active', config: { id: 'equal', options: { value: true } } }],
  },
};

export const SEVERITY_COLOURS: dashboard.DynamicConfigValue[] = [
  { id: 'custom.cellOptions', value: { type: 'color-text' } },
  {
    id: 'mappings',
    value: [
      {
        type: 'value',
        options: { critical: { color: 'red', index: 0 }, warning: { color: 'orange', index: 1 } },
      },
    ],
  },
];
