/**
 * get_stores as a Grafana table, straight from the subject's column-major StoreTable (no pass per column over row
 * objects): units `bytes`, `percentunit`, `s` and `dateTimeAsIso` times; the state, engine and version words in
 * Grafana's enum encoding (build.ts); PD's clock in `meta.custom.pdNow`, and the stores PD holds no statistics for
 * (or lists twice) as warning notices.
 */
import type { DataFrameJSON } from '../../../shared/schema/frames';
import type { Label } from '../../pd/schema';
import type { StoreTable } from '../observations/storeTable';
import type { StoresResult } from '../subject';
import { type Column, type FieldType, frame, TABLE } from './build';

type Field = { name: Exclude<keyof StoreTable, 'length'>; type: FieldType; config: Record<string, unknown> };

const PERCENT = { unit: 'percentunit', min: 0, max: 1 };

/** The columns in order; `enum` marks the few-word ones. */
const STORE_FIELDS: Array<Field & { enum?: boolean }> = [
  { name: 'store_id', type: 'number', config: { displayName: 'Store' } },
  { name: 'address', type: 'string', config: { displayName: 'Address' } },
  { name: 'status_address', type: 'string', config: { displayName: 'Status address' } },
  { name: 'state_name', type: 'string', config: { displayName: 'State' }, enum: true },
  { name: 'node_state', type: 'string', config: { displayName: 'Node state' }, enum: true },
  { name: 'engine', type: 'string', config: { displayName: 'Engine' }, enum: true },
  { name: 'version', type: 'string', config: { displayName: 'Version' }, enum: true },
  { name: 'labels', type: 'string', config: { displayName: 'Labels' } },
  { name: 'last_heartbeat', type: 'time', config: { displayName: 'Last heartbeat', unit: 'dateTimeAsIso' } },
  { name: 'heartbeat_age_seconds', type: 'number', config: { displayName: 'Heartbeat age', unit: 's' } },
  { name: 'capacity_bytes', type: 'number', config: { displayName: 'Capacity', unit: 'bytes' } },
  { name: 'available_bytes', type: 'number', config: { displayName: 'Available', unit: 'bytes' } },
  { name: 'used_bytes', type: 'number', config: { displayName: 'Used (TiKV data)', unit: 'bytes' } },
  { name: 'disk_used_ratio', type: 'number', config: { displayName: 'Disk used', ...PERCENT } },
  { name: 'leader_count', type: 'number', config: { displayName: 'Leaders' } },
  { name: 'leader_score', type: 'number', config: { displayName: 'Leader score' } },
  { name: 'leader_weight', type: 'number', config: { displayName: 'Leader weight' } },
  { name: 'region_count', type: 'number', config: { displayName: 'Regions' } },
  { name: 'region_score', type: 'number', config: { displayName: 'Region score' } },
  { name: 'region_weight', type: 'number', config: { displayName: 'Region weight' } },
  { name: 'slow_score', type: 'number', config: { displayName: 'Slow score' } },
  { name: 'start_time', type: 'time', config: { displayName: 'Started', unit: 'dateTimeAsIso' } },
  { name: 'uptime_seconds', type: 'number', config: { displayName: 'Uptime', unit: 's' } },
  { name: 'drain_progress', type: 'number', config: { displayName: 'Drain progress', ...PERCENT } },
  { name: 'drain_left_seconds', type: 'number', config: { displayName: 'Drain left', unit: 's' } },
  { name: 'partial', type: 'string', config: { displayName: 'Unknown (PD has no statistics)' } },
];

/** `zone=z1, host=tikv-1`. */
function labelText(labels: readonly Label[]): string {
  let text = '';
  for (const l of labels) {
    text += text === '' ? `${l.key}=${l.value}` : `, ${l.key}=${l.value}`;
  }
  return text;
}

export function storesFrame(refId: string, r: Pick<StoresResult, 'table' | 'pd_now' | 'notices'>): DataFrameJSON {
  const t = r.table;
  const columns = STORE_FIELDS.map((f): Column => ({
    ...f,
    values: f.name === 'labels' ? t.labels.map(labelText) : t[f.name],
  }));
  const notices = r.notices.map((text) => ({ severity: 'warning' as const, text }));
  return frame(refId, 'stores', columns, {
    ...TABLE,
    custom: { pdNow: r.pd_now },
    ...(notices.length > 0 ? { notices } : {}),
  });
}
