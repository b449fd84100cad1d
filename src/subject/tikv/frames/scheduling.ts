/**
 * get_operators and get_schedulers as Grafana tables (`DataFrameJSON`): one row per operator; for schedulers three
 * frames — schedulers (paused state, evict-leader stores), per-store limits, and the schedule config's items.
 */
import type { DataFrameJSON } from '../../../shared/schema/frames';
import type { OperatorsResult, SchedulersResult } from '../observations/scheduling';
import { col, type FieldType, frame, TABLE } from './build';

interface ColumnOf<T> {
  name: string;
  type: FieldType;
  get: (r: T) => unknown;
  config: Record<string, unknown>;
}

function table<T>(refId: string, name: string, rows: T[], columns: Array<ColumnOf<T>>, custom?: object): DataFrameJSON {
  const meta = custom ? { ...TABLE, custom } : TABLE;
  return frame(
    refId,
    name,
    columns.map(({ name: n, type, get, config }) => col(rows, n, type, get, config)),
    meta
  );
}

const c = <T>(name: string, type: FieldType, get: (r: T) => unknown, config: Record<string, unknown>): ColumnOf<T> => ({
  name,
  type,
  get,
  config,
});

export function operatorFrames(refId: string, r: OperatorsResult): DataFrameJSON[] {
  type Row = OperatorsResult['operators'][number];
  return [
    table<Row>(
      refId,
      'operators',
      r.operators,
      [
        c('region_id', 'number', (o) => o.region_id, { displayName: 'Region' }),
        c('desc', 'string', (o) => o.desc, { displayName: 'Operator' }),
        c('brief', 'string', (o) => o.brief, { displayName: 'What' }),
        c('kind', 'string', (o) => o.kind, { displayName: 'Kind' }),
        c('status', 'string', (o) => o.status, { displayName: 'Status' }),
        c('create_time', 'time', (o) => o.create_time, { displayName: 'Created', unit: 'dateTimeAsIso' }),
        c('start_time', 'time', (o) => o.start_time, { displayName: 'Started', unit: 'dateTimeAsIso' }),
        c('running_seconds', 'number', (o) => o.running_seconds, { displayName: 'Running for', unit: 's' }),
        c('current_step', 'number', (o) => o.current_step, { displayName: 'Current step' }),
        c('step_count', 'number', (o) => o.step_count, { displayName: 'Steps' }),
        c('steps', 'string', (o) => o.steps.join('; '), { displayName: 'Step list' }),
        c('timeout', 'string', (o) => o.timeout, { displayName: 'Timeout' }),
        c('size_mib', 'number', (o) => o.size_mib, { displayName: 'Region size', unit: 'mbytes' }),
      ],
      { pdNow: r.pd_now }
    ),
  ];
}

export function schedulerFrames(refId: string, r: SchedulersResult): DataFrameJSON[] {
  type S = SchedulersResult['schedulers'][number];
  type L = SchedulersResult['store_limits'][number];
  type K = SchedulersResult['schedule_config'][number];
  return [
    table<S>(
      refId,
      'schedulers',
      r.schedulers,
      [
        c('name', 'string', (s) => s.name, { displayName: 'Scheduler' }),
        c('paused', 'boolean', (s) => s.paused, { displayName: 'Paused' }),
        c('paused_at', 'time', (s) => s.paused_at, { displayName: 'Paused at', unit: 'dateTimeAsIso' }),
        c('resume_at', 'time', (s) => s.resume_at, { displayName: 'Resumes at', unit: 'dateTimeAsIso' }),
        c('resume_in_seconds', 'number', (s) => s.resume_in_seconds, { displayName: 'Resumes in', unit: 's' }),
        c('store_ids', 'string', (s) => s.store_ids.join(', '), { displayName: 'Stores' }),
      ],
      { pdNow: r.pd_now, evictLeaderStoreIds: r.evict_leader_store_ids }
    ),
    table<L>(refId, 'store_limits', r.store_limits, [
      c('store_id', 'number', (l) => l.store_id, { displayName: 'Store' }),
      c('add-peer', 'number', (l) => l['add-peer'], { displayName: 'add-peer (per minute)' }),
      c('remove-peer', 'number', (l) => l['remove-peer'], { displayName: 'remove-peer (per minute)' }),
    ]),
    table<K>(refId, 'schedule_config', r.schedule_config, [
      c('key', 'string', (k) => k.key, { displayName: 'Item' }),
      c('value', 'string', (k) => k.value, { displayName: 'Value' }),
    ]),
  ];
}
