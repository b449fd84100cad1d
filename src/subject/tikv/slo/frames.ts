/**
 * SLO answers as Grafana data frames:
 *
 *   budgetFrame(rows, o): DataFrameJSON       — `budget`: one table row per store and SLO (DESIGN.md's columns)
 *   timeseriesFrames(series, o): DataFrameJSON[] — `timeseries`: per store and SLO a frame of time, attainment and
 *                                                  budget_left, labelled store_id, address, slo
 */
import type { DataFrameJSON } from '../../../shared/schema/frames';
import { type Column, frame, type Notice } from '../frames/build';
import type { BudgetRow, SloSeriesOut } from './report';

function sloFrame(refId: string, name: string, columns: Column[], notices: Notice[]): DataFrameJSON {
  return frame(refId, name, columns, notices.length > 0 ? { notices } : undefined);
}

const PERCENT = { unit: 'percentunit', decimals: 3 };

export function budgetFrame(
  rows: BudgetRow[],
  o: { refId: string; cluster: string; notices: Notice[] }
): DataFrameJSON {
  const col = <K extends keyof BudgetRow>(k: K) => rows.map((r) => r[k]);
  return sloFrame(
    o.refId,
    'slo_budget',
    [
      { name: 'store_id', type: 'number', values: col('store_id') },
      { name: 'address', type: 'string', values: col('address') },
      { name: 'slo', type: 'string', values: col('slo') },
      { name: 'objective', type: 'number', config: PERCENT, values: col('objective') },
      { name: 'window', type: 'string', values: col('window') },
      { name: 'attainment', type: 'number', config: PERCENT, values: col('attainment') },
      { name: 'budget_left', type: 'number', config: { unit: 'percentunit', decimals: 1 }, values: col('budget_left') },
      { name: 'burn_rate', type: 'number', config: { decimals: 2 }, values: col('burn_rate') },
      { name: 'budget_total_seconds', type: 'number', config: { unit: 's' }, values: col('budget_total_seconds') },
      { name: 'budget_spent_seconds', type: 'number', config: { unit: 's' }, values: col('budget_spent_seconds') },
      { name: 'coverage', type: 'number', config: { unit: 'percentunit', decimals: 1 }, values: col('coverage') },
      { name: 'cluster', type: 'string', values: rows.map(() => o.cluster) },
    ],
    o.notices
  );
}

export function timeseriesFrames(
  series: SloSeriesOut[],
  o: { refId: string; cluster: string; notices: Notice[] }
): DataFrameJSON[] {
  const frames = series.map((s, i) => {
    const labels = { store_id: String(s.store_id), address: s.address, slo: s.slo, cluster: o.cluster };
    return sloFrame(
      o.refId,
      `${s.slo} ${s.store_id}`,
      [
        { name: 'time', type: 'time', values: s.times },
        { name: 'attainment', type: 'number', config: PERCENT, labels, values: s.attainment },
        { name: 'budget_left', type: 'number', config: { unit: 'percentunit' }, labels, values: s.budget_left },
      ],
      i === 0 ? o.notices : []
    );
  });
  // No store at all: one empty frame still carries the notices (and tells Grafana the query answered).
  return frames.length > 0
    ? frames
    : [sloFrame(o.refId, 'slo', [{ name: 'time', type: 'time', values: [] }], o.notices)];
}
