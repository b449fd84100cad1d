/**
 * get_forecasts as a Grafana table: one row per store with the used ratio (`percentunit`), one `s` column per
 * level (`time_to_70_seconds`, …, named after the configured low_disk threshold), the fit's confidence
 * (`percentunit`) and PD's Down countdown (`s`). Empty cells are nulls: not rising, no fit, or not disconnected.
 */
import type { DataFrameJSON } from '../../../shared/schema/frames';
import type { ForecastsResult } from '../observations/forecasts';

export function forecastFrames(refId: string, r: ForecastsResult): DataFrameJSON[] {
  const rows = r.rows;
  const fields = [
    { name: 'store_id', type: 'number' as const, config: { displayName: 'Store' }, values: rows.map((x) => x.store_id) },
    { name: 'address', type: 'string' as const, config: { displayName: 'Address' }, values: rows.map((x) => x.address) },
    {
      name: 'used_ratio',
      type: 'number' as const,
      config: { displayName: 'Disk used', unit: 'percentunit', min: 0, max: 1 },
      values: rows.map((x) => x.used_ratio),
    },
    ...r.columns.map((c, i) => ({
      name: c,
      type: 'number' as const,
      config: { displayName: `Time to ${Number((r.levels[i] * 100).toFixed(1))} %`, unit: 's', noValue: 'not rising' },
      values: rows.map((x) => x.times[c]),
    })),
    {
      name: 'confidence',
      type: 'number' as const,
      config: { displayName: 'Fit confidence', unit: 'percentunit', min: 0, max: 1 },
      values: rows.map((x) => x.confidence),
    },
    {
      name: 'down_in_seconds',
      type: 'number' as const,
      config: { displayName: 'PD marks Down in', unit: 's' },
      values: rows.map((x) => x.down_in_seconds),
    },
  ];
  const notices = r.warnings.map((w) => ({ severity: 'warning' as const, text: `Prometheus: ${w}` }));
  return [
    {
      schema: {
        name: 'forecasts',
        refId,
        meta: {
          preferredVisualisationType: 'table',
          custom: { window: r.window, levels: r.levels, at: r.at, pdNow: r.pd_now },
          ...(notices.length > 0 ? { notices } : {}),
        },
        fields: fields.map(({ name, type, config }) => ({ name, type, config })),
      },
      data: { values: fields.map((f) => f.values) },
    },
  ];
}
