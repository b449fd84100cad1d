/** "TiKV cluster overview": the cluster as PD and Prometheus see it, every store linking to its own dashboard. */
// The v1 dashboard model (`dashboard.*`, deprecated by the SDK for v2) is the one file provisioning and plugin
// `includes` import; v2 needs Grafana's v2 dashboard API.
/* eslint-disable @typescript-eslint/no-deprecated */
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';

import { base, pluginQuery, storeLink, thresholds } from './common';
import { balancePanel, diskPanel, latencyPanel, regionHealthTrendPanel, tablePanel } from './panels';

/** PD's store-state words, coloured like PD's dashboard. */
const STATE_COLOURS: dashboard.DynamicConfigValue[] = [
  { id: 'custom.cellOptions', value: { type: 'color-text' } },
  {
    id: 'mappings',
    value: [
      {
        type: 'value',
        options: {
          Up: { color: 'green', index: 0 },
          Disconnected: { color: 'orange', index: 1 },
          Down: { color: 'red', index: 2 },
          Offline: { color: 'purple', index: 3 },
          Tombstone: { color: 'text', index: 4 },
        },
      },
    ],
  },
];

export const DISK_COLOURS: dashboard.DynamicConfigValue[] = [
  { id: 'custom.cellOptions', value: { type: 'color-background' } },
  {
    id: 'thresholds',
    value: {
      mode: 'absolute',
      steps: [
        { color: 'green', value: null },
        { color: 'orange', value: 0.7 },
        { color: 'red', value: 0.8 },
      ],
    },
  },
];

export function overview(): dashboard.Dashboard {
  const b = base('overview', 'The TiKV cluster as PD and Prometheus see it, through the TiKV Operator backend.', true);

  b.withPanel(
    new stat.PanelBuilder()
      .id(1)
      .title('Cluster')
      .description('Stores by state, region count and leader distribution, from PD’s counting endpoints.')
      .withTarget(pluginQuery({ refId: 'A', kind: 'observation', observation: 'get_cluster_metrics' }))
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false))
      .colorMode(common.BigValueColorMode.Value)
      .graphMode(common.BigValueGraphMode.None)
      .textMode(common.BigValueTextMode.ValueAndName)
      .orientation(common.VizOrientation.Auto)
      .withTransformation({ id: 'filterFieldsByName', options: { exclude: { pattern: '.* · store .*' } } })
      .height(4)
      .span(24)
  );
  b.withPanel(
    tablePanel(
      2,
      'Stores',
      'Stores as PD sees them: state, heartbeat age on PD’s clock, disk used ratio, leader and region counts. A store id opens its dashboard.',
      pluginQuery({ refId: 'A', kind: 'observation', observation: 'get_stores', stores: '$store' })
    )
      .overrideByName('Store', [storeLink()])
      .overrideByName('Disk used', DISK_COLOURS)
      .overrideByName('State', STATE_COLOURS)
      .height(8)
      .span(24)
  );
  // Latency and disk come from one get_store_metrics query: panel 4 reuses panel 3's results.
  b.withPanel(
    latencyPanel(
      3,
      'P99 write latency per store',
      'P99 storage write latency (tikv_storage_engine_async_request_duration_seconds, type=write); the high_latency invariant fires above 100 ms held for 60 s.'
    )
      .height(8)
      .span(12)
  );
  b.withPanel(
    diskPanel(
      4,
      3,
      'Disk used per store',
      'Disk used ratio 1 − available/capacity (PD’s own low-space check); the low_disk invariant fires above 0.7 (PD’s high-space-ratio).'
    )
      .height(8)
      .span(12)
  );
  b.withPanel(
    balancePanel(
      10,
      'leader_count|region_count',
      'Leaders and regions per store',
      'Leader and region counts per store over time (pd_scheduler_store_status): a balanced cluster keeps the lines together.'
    )
      .height(8)
      .span(12)
  );
  b.withPanel(
    balancePanel(
      11,
      'leader_score|region_score',
      'Leader and region scores per store',
      'PD’s balance scores per store over time (pd_scheduler_store_status): the balance schedulers move leaders and regions from high to low scores.'
    )
      .height(8)
      .span(12)
  );
  b.withPanel(regionHealthTrendPanel(12).height(8).span(24));
  // One row per store, one column per SLO: the budget left at the range's end over each SLO's own window (30 d by
  // default), whatever the dashboard's range (the `slo` query's budget format, README "SLOs").
  b.withPanel(
    tablePanel(
      13,
      'SLO budget left per store',
      'Share of each SLO’s error budget left over its window (30 days by default): 100 % untouched, 0 spent, negative overspent. Columns: write_latency_p99, disk_usage, store_availability.',
      pluginQuery({ refId: 'A', kind: 'slo', format: 'budget', stores: '$store' })
    )
      .withTransformation({
        id: 'groupingToMatrix',
        options: { rowField: 'store_id', columnField: 'slo', valueField: 'budget_left', emptyValue: 'null' },
      })
      .unit('percentunit')
      .decimals(1)
      .thresholds(
        thresholds([
          ['red', null],
          ['orange', 0],
          ['green', 0.25],
        ])
      )
      .cellOptions({ type: common.TableCellDisplayMode.ColorBackground })
      .height(8)
      .span(24)
  );

  b.withPanel(
    tablePanel(
      5,
      'Region health',
      'Regions with missing, pending, down, offline and extra peers, from PD’s region check API.',
      pluginQuery({ refId: 'A', kind: 'observation', observation: 'get_region_health', limit: 20 })
    )
      .height(8)
      .span(8)
  );
  b.withPanel(
    tablePanel(
      6,
      'Hot write regions',
      'Top hot write regions from PD’s hotspot API, ranked by the leader’s write bytes.',
      pluginQuery({
        refId: 'A',
        kind: 'observation',
        observation: 'get_hot_write_regions',
        stores: '$store',
        limit: 20,
      })
    )
      .overrideByName('Leader store', [storeLink()])
      .height(8)
      .span(16)
  );
  b.withPanel(
    tablePanel(
      7,
      'Forecasts',
      'Per store: time until disk used reaches the low_disk threshold, 80 % and 100 % (linear trend over 6 h, with the fit’s confidence), and for a disconnected store the time before PD marks it Down.',
      pluginQuery({ refId: 'A', kind: 'observation', observation: 'get_forecasts', stores: '$store', window: '6h' })
    )
      .overrideByName('Store', [storeLink()])
      .height(8)
      .span(24)
  );
  b.withPanel(
    tablePanel(
      8,
      'PD operators',
      'Operators PD is running now: region, kind, steps, start time, status.',
      pluginQuery({ refId: 'A', kind: 'observation', observation: 'get_operators', limit: 100 })
    )
      .height(8)
      .span(14)
  );
  b.withPanel(
    tablePanel(
      9,
      'PD schedulers',
      'PD’s schedulers with their paused state and evict-leader stores (the same query also answers store limits and the schedule config as further frames).',
      pluginQuery({ refId: 'A', kind: 'observation', observation: 'get_schedulers' })
    )
      .height(8)
      .span(10)
  );
  return b.build();
}
