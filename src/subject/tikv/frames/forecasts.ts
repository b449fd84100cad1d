/**
 * get_forecasts as a Grafana table: one row per store with the used ratio (`percentunit`), one `s` column per
 * level (`time_to_70_seconds`, …, named after the configured low_disk threshold), the fit's confidence
 * (`percentunit`) and PD's Down countdown (`s`). Empty cells are nulls: not rising, no fit, or not disconnected.
 * With a horizon (the query's `horizon`), a second frame `forecast_warnings` holds the crossings within it as
 * annotation regions (forecastWarnings).
 */
import type { DataFrameJSON } from '../../../shared/schema/frames';
import type { ForecastsResult } from '../observations/forecasts';
import { col, frame, TABLE } from './build';

export function forecastFrames(refId: string, r: ForecastsResult, horizonMs?: number): DataFrameJSON[] {
  const rows = r.rows;
  const fields = [
    {
      name: 'store_id',
      type: 'number' as const,
      config: { displayName: 'Store' },
      values: rows.map((x) => x.store_id),
    },
    {
      name: 'address',
      type: 'string' as const,
      config: { displayName: 'Address' },
      values: rows.map((x) => x.address),
    },
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
    frame(refId, 'forecasts', fields, {
      ...TABLE,
      custom: { window: r.window, levels: r.levels, at: r.at, pdNow: r.pd_now },
      ...(notices.length > 0 ? { notices } : {}),
    }),
    ...(horizonMs === undefined ? [] : [forecastWarnings(refId, r, horizonMs)]),
  ];
}

/**
 * The forecasts that fall within `horizonMs` of now as annotation regions (fields time, timeEnd, title, text, tags,
 * like the invariants' annotations): from now to the predicted crossing of each disk level, and to the moment PD
 * will mark a disconnected store Down. A store already Down (countdown 0) is store_down's business, not a forecast.
 */
export function forecastWarnings(refId: string, r: ForecastsResult, horizonMs: number): DataFrameJSON {
  const now = r.at ?? r.pd_now;
  const rows: Array<{ time: number; timeEnd: number; title: string; text: string; tags: string }> = [];
  const within = (s: number | null): s is number => s !== null && s > 0 && s * 1000 <= horizonMs;
  for (const x of r.rows) {
    r.columns.forEach((c, i) => {
      const s = x.times[c];
      if (within(s)) {
        const pct = Number((r.levels[i] * 100).toFixed(1));
        const confidence =
          x.confidence === null ? 'no fit confidence' : `fit confidence ${Math.round(x.confidence * 100)} %`;
        rows.push({
          time: now,
          timeEnd: now + Math.round(s * 1000),
          title: `Store ${x.store_id}: disk reaches ${pct} % in ${duration(s)}`,
          text: `${x.address}: disk used ${x.used_ratio === null ? 'unknown' : `${Math.round(x.used_ratio * 100)} %`} now, linear trend over ${r.window}, ${confidence}`,
          tags: `forecast,disk ${pct} %,store ${x.store_id}`,
        });
      }
    });
    if (within(x.down_in_seconds)) {
      rows.push({
        time: now,
        timeEnd: now + Math.round(x.down_in_seconds * 1000),
        title: `Store ${x.store_id}: PD marks it Down in ${duration(x.down_in_seconds)}`,
        text: `${x.address} is disconnected; at max-store-down-time PD declares it Down and starts moving its replicas`,
        tags: `forecast,store_down,store ${x.store_id}`,
      });
    }
  }
  const names = ['time', 'timeEnd', 'title', 'text', 'tags'] as const;
  const columns = names.map((name) =>
    col(rows, name, name === 'time' || name === 'timeEnd' ? 'time' : 'string', (row) => row[name])
  );
  return frame(refId, 'forecast_warnings', columns, { custom: { horizonMs } });
}

/** `13h 5m`, `42m`, `30s`: the time left, to the minute past an hour. */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) {
    return `${s}s`;
  }
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : `${m}m`;
}
