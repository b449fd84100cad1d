/**
 * "TiKV store": one store of the chosen cluster — what is wrong with it and since when, what PD and the operator did.
 * Opened from every store id (stores table, violation rows, hot regions, forecasts, alerts, the app's Cluster page)
 * with `?var-store=<id>&var-datasource=<uid>`.
 */
// The v1 dashboard model (`dashboard.*`, deprecated by the SDK for v2) is the one file provisioning and plugin
// `includes` import; v2 needs Grafana's v2 dashboard API.
/* eslint-disable @typescript-eslint/no-deprecated */
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';

import { base, pluginQuery } from './common';
import {
  balancePanel,
  diskPanel,
  invariantTimelinePanel,
  latencyPanel,
  regionHealthTrendPanel,
  tablePanel,
  violationsTable,
} from './panels';

const STORE_METRICS = 4;
/** PD labels its store metrics `store="<id>"` (pd_scheduler_store_status: address, store, type). */
const THIS_STORE = ', store="${store}"';

export function store(): dashboard.Dashboard {
  const b = base(
    'store',
    'One TiKV store: its state and heartbeat, balance, latency, disk, hot regions, violations, forecast and the actions taken on it.',
    false
  );

  b.withPanel(
    new stat.PanelBuilder()
      .id(1)
      .title('Store')
      .description('The store as PD sees it now: state, heartbeat age on PD’s clock, leaders, regions and disk used.')
      .withTarget(pluginQuery({ refId: 'A', kind: 'observation', observation: 'get_stores', stores: '$store' }))
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('/.*/').values(false))
      .colorMode(common.BigValueColorMode.Value)
      .graphMode(common.BigValueGraphMode.None)
      .textMode(common.BigValueTextMode.ValueAndName)
      .withTransformation({
        id: 'filterFieldsByName',
        options: { include: { pattern: '^(Address|State|Heartbeat age|Leaders|Regions|Disk used)$' } },
      })
      .height(4)
      .span(24)
  );
  b.withPanel(
    invariantTimelinePanel(
      2,
      'Store state over time',
      'This store’s invariants over the time range: ok or violating (store_down is PD’s heartbeat timeout, live; Prometheus’ up == 0 in the past).'
    )
      .height(6)
      .span(24)
  );
  // Counts and scores apart: a region score is in MiB-like units, far above the counts.
  b.withPanel(
    balancePanel(
      3,
      'leader_count|region_count',
      'Leaders and regions',
      'This store’s leader and region counts over time (pd_scheduler_store_status).',
      THIS_STORE
    )
      .height(8)
      .span(12)
  );
  b.withPanel(
    balancePanel(
      11,
      'leader_score|region_score',
      'Leader and region scores',
      'PD’s balance scores of this store over time (pd_scheduler_store_status): the balance schedulers move leaders and regions towards lower scores.',
      THIS_STORE
    )
      .height(8)
      .span(12)
  );
  // Latency and disk come from one get_store_metrics query: panel 5 reuses panel 4's results.
  b.withPanel(
    latencyPanel(
      STORE_METRICS,
      'P99 write latency',
      'P99 storage write latency; the high_latency invariant fires above 100 ms held for 60 s.'
    )
      .height(8)
      .span(12)
  );
  b.withPanel(
    diskPanel(
      5,
      STORE_METRICS,
      'Disk used',
      'Disk used ratio 1 − available/capacity, with the low_disk line at 70 % (PD’s high-space-ratio).'
    )
      .height(8)
      .span(12)
  );
  b.withPanel(
    regionHealthTrendPanel(6)
      .description(
        'Region health of the cluster this store belongs to: PD counts miss/down/pending/offline/extra-peer regions per cluster (pd_regions_status has no store label); a down store shows here as down and miss peers.'
      )
      .height(8)
      .span(12)
  );
  b.withPanel(
    tablePanel(
      7,
      'Hot write regions led by this store',
      'Top hot write regions from PD’s hotspot API whose leader is on this store.',
      pluginQuery({
        refId: 'A',
        kind: 'observation',
        observation: 'get_hot_write_regions',
        stores: '$store',
        limit: 20,
      })
    )
      .height(8)
      .span(12)
  );
  b.withPanel(
    violationsTable(
      8,
      'Violations',
      'This store’s violations in the time range, newest first (also shown as annotations).',
      false
    )
      .height(8)
      .span(24)
  );
  b.withPanel(
    tablePanel(
      9,
      'Forecast',
      'Time until disk used reaches the low_disk threshold, 80 % and 100 % (linear trend over 6 h), and for a disconnected store the time before PD marks it Down.',
      pluginQuery({ refId: 'A', kind: 'observation', observation: 'get_forecasts', stores: '$store', window: '6h' })
    )
      .height(5)
      .span(24)
  );
  b.withPanel(
    tablePanel(
      10,
      'Actions on this store',
      'The audit trail’s actions whose target is this store (drain_store and its undo modes), newest first: who, outcome, start and end.',
      pluginQuery({ refId: 'A', kind: 'audit', format: 'table', actions: [], outcomes: [], limit: 1000 })
    )
      .noValue('No action on this store')
      .withTransformation({
        id: 'filterByValue',
        options: {
          type: 'include',
          match: 'all',
          // The audit frame's `target` is "store <id>" for a store's actions (src/subject/tikv/actions/target.ts).
          filters: [{ fieldName: 'target', config: { id: 'equal', options: { value: 'store ${store}' } } }],
        },
      })
      .sortBy([new common.TableSortByFieldStateBuilder().displayName('started_at').desc(true)])
      .height(8)
      .span(24)
  );
  return b.build();
}
