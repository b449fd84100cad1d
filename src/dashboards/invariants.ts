/**
 * "TiKV invariants": active violations, the per-store state timeline and the history. One violations query (panel 4)
 * feeds the three violation panels through the `-- Dashboard --` data source.
 */
// The v1 dashboard model (`dashboard.*`, deprecated by the SDK for v2) is the one file provisioning and plugin
// `includes` import; v2 needs Grafana's v2 dashboard API.
/* eslint-disable @typescript-eslint/no-deprecated */
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';

import { ACTIVE_ONLY, SEVERITY_COLOURS, base, sharedQuery, storeLink, thresholds } from './common';
import { invariantTimelinePanel, newestFirst, violationsTable } from './panels';

const HISTORY = 4;

export function invariants(): dashboard.Dashboard {
  const b = base(
    'invariants',
    'Store down, high P99 write latency and low disk, checked per store with grace periods, live and over any past range.',
    true
  );

  b.withPanel(
    new stat.PanelBuilder()
      .id(1)
      .title('Active violations')
      .description('Violations still holding now.')
      .withTarget(sharedQuery(HISTORY))
      .thresholds(
        thresholds([
          ['green', null],
          ['red', 1],
        ])
      )
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['max']).fields('/^Count$/').values(false))
      .colorMode(common.BigValueColorMode.Background)
      .graphMode(common.BigValueGraphMode.None)
      .textMode(common.BigValueTextMode.Value)
      .withTransformation(ACTIVE_ONLY)
      .withTransformation({
        id: 'reduce',
        options: { reducers: ['count'], mode: 'seriesToRows', includeTimeField: false },
      })
      .height(8)
      .span(6)
  );
  b.withPanel(
    new table.PanelBuilder()
      .id(2)
      .title('Active violations by store')
      .description(
        'Each store and invariant whose condition holds now, with its first sighting (condition onset), value and threshold. A store id opens its dashboard.'
      )
      .withTarget(sharedQuery(HISTORY))
      .noValue('No active violations')
      .overrideByName('store_id', [storeLink()])
      .overrideByName('severity', SEVERITY_COLOURS)
      .showHeader(true)
      .cellHeight(common.TableCellHeight.Sm)
      .sortBy([newestFirst()])
      .withTransformation(ACTIVE_ONLY)
      .height(8)
      .span(18)
  );
  b.withPanel(
    invariantTimelinePanel(
      3,
      'Invariant state per store',
      'One row per store and invariant that violated in the time range: ok or violating (live and past checks agree by construction).'
    )
      .legend(
        new common.VizLegendOptionsBuilder()
          .showLegend(true)
          .displayMode(common.LegendDisplayMode.List)
          .placement(common.LegendPlacement.Bottom)
      )
      .height(10)
      .span(24)
  );
  b.withPanel(
    violationsTable(
      HISTORY,
      'Violation history',
      'Every violation in the time range, newest first: store, invariant, severity, first and last seen, value, threshold. A store id opens its dashboard.',
      true
    )
      .height(10)
      .span(24)
  );
  return b.build();
}
