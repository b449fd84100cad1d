/**
 * Panel builders more than one dashboard uses: PD's balance and region-health trends, the store metrics panels
 * (P99 write latency, disk used), the invariant state timeline and the violations table.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

import type * as cog from '@grafana/grafana-foundation-sdk/cog';

import {
  PROMETHEUS_DS,
  SEVERITY_COLOURS,
  pluginQuery,
  promQuery,
  sharedQuery,
  storeLink,
  thresholds,
  withSelector,
} from './common';

/** A table of one query with a header and compact rows: every table panel of these dashboards starts so. */
export function tablePanel(
  id: number,
  title: string,
  description: string,
  target: cog.Builder<cog.Dataquery>
): table.PanelBuilder {
  return new table.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .withTarget(target)
    .showHeader(true)
    .cellHeight(common.TableCellHeight.Sm);
}

export function legendTable(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .displayMode(common.LegendDisplayMode.Table)
    .placement(common.LegendPlacement.Right)
    .showLegend(true)
    .calcs(['max', 'lastNotNull']);
}

export function tooltipAll(): common.VizTooltipOptionsBuilder {
  return new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending);
}

export function dashed(): common.GraphThresholdsStyleConfigBuilder {
  return new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed);
}

/** One field family of get_store_metrics (`<title> · store <id>` display names) and the time column. */
export function onlyFields(titlePrefix: string): dashboard.DataTransformerConfig {
  return { id: 'filterFieldsByName', options: { include: { pattern: `^(time|${titlePrefix} · .*)$` } } };
}

export function newestFirst(): common.TableSortByFieldStateBuilder {
  return new common.TableSortByFieldStateBuilder().displayName('first_seen').desc(true);
}

/** Leader/region counts and scores per store from PD's metrics (PD "Statistics - balance"). */
export function balancePanel(id: number, types: string, title: string, description: string, storeMatcher = '') {
  const matchers = `type=~"${types}"${storeMatcher}`;
  return new timeseries.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .datasource(PROMETHEUS_DS)
    .withTarget(
      promQuery(
        `max by (store, address, type) (pd_scheduler_store_status${withSelector(matchers)})`,
        '{{type}} · store {{store}}'
      )
    )
    .legend(legendTable())
    .tooltip(tooltipAll());
}

/** PD's region health counts over time (PD › Cluster › Region health); one PD leader exports them. */
export const REGION_HEALTH_TYPES =
  'miss-peer-region-count|down-peer-region-count|pending-peer-region-count|offline-peer-region-count|extra-peer-region-count';

export function regionHealthTrendPanel(id: number) {
  return new timeseries.PanelBuilder()
    .id(id)
    .title('Region health over time')
    .description(
      'Regions with missing, down, pending, offline and extra peers (pd_regions_status, exported by the PD leader; max over PD instances).'
    )
    .datasource(PROMETHEUS_DS)
    .withTarget(
      promQuery(`max by (type) (pd_regions_status${withSelector(`type=~"${REGION_HEALTH_TYPES}"`)})`, '{{type}}')
    )
    .min(0)
    .legend(legendTable())
    .tooltip(tooltipAll());
}

/** P99 write latency per store from a get_store_metrics query, with the high_latency threshold (100 ms). */
export function latencyPanel(id: number, title: string, description: string) {
  return new timeseries.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .withTarget(pluginQuery({ refId: 'A', kind: 'observation', observation: 'get_store_metrics', stores: '$store' }))
    .unit('s')
    .thresholdsStyle(dashed())
    .thresholds(
      thresholds([
        ['green', null],
        ['red', 0.1],
      ])
    )
    .legend(legendTable())
    .tooltip(tooltipAll())
    .withTransformation(onlyFields('P99 write latency'));
}

/** Disk used ratio per store from the get_store_metrics results of panel `source`, with the low_disk line (0.7). */
export function diskPanel(id: number, source: number, title: string, description: string) {
  return new timeseries.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .withTarget(sharedQuery(source))
    .unit('percentunit')
    .min(0)
    .max(1)
    .thresholdsStyle(dashed())
    .thresholds(
      thresholds([
        ['green', null],
        ['red', 0.7],
      ])
    )
    .legend(legendTable())
    .tooltip(tooltipAll())
    .withTransformation(onlyFields('Disk used'));
}

/** The invariants' ok/violating state per store over the time range (the `timeline` format). */
export function invariantTimelinePanel(id: number, title: string, description: string) {
  return new statetimeline.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .withTarget(pluginQuery({ refId: 'A', kind: 'invariant', invariants: [], format: 'timeline', stores: '$store' }))
    .noValue('No violations in this time range')
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .alignValue(common.TimelineValueAlignment.Left)
    .rowHeight(0.8);
}

/** The violations in the time range, newest first; `storeLinks` makes store ids open the store dashboard. */
export function violationsTable(id: number, title: string, description: string, storeLinks: boolean) {
  const b = new table.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .withTarget(pluginQuery({ refId: 'A', kind: 'invariant', invariants: [], format: 'violations', stores: '$store' }))
    .noValue('No violations in this time range');
  if (storeLinks) {
    b.overrideByName('store_id', [storeLink()]);
  }
  return b
    .overrideByName('severity', SEVERITY_COLOURS)
    .showHeader(true)
    .cellHeight(common.TableCellHeight.Sm)
    .sortBy([newestFirst()]);
}
