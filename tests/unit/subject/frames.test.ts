import { DataFrameJSON } from '../../../src/shared/schema/frames';
import type { ObservationQuery } from '../../../src/shared/schema/query';
import { PDClient } from '../../../src/subject/pd/client';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { rangeStep } from '../../../src/subject/prometheus/step';
import { observationFrames } from '../../../src/subject/tikv/frames/observations';
import { TiKVSubject } from '../../../src/subject/tikv/subject';
import { type PromFakeServer, startPromFakeServer } from '../../support/promFakeServer';
import { type PdServer, startPdServer } from './pdServer';
import { answerLikePrometheus } from './promAnswers';

let pd: PdServer;
let prom: PromFakeServer;
let pdClient: PDClient;
let promClient: PrometheusClient;
let subject: TiKVSubject;

const RANGE = { from: 1_749_543_000_000, to: 1_749_544_200_000, intervalMs: 60_000, maxDataPoints: 1000 };

beforeAll(async () => {
  [pd, prom] = await Promise.all([startPdServer(), startPromFakeServer(answerLikePrometheus)]);
  pdClient = new PDClient({ urls: [pd.url] });
  promClient = new PrometheusClient({ url: prom.url });
  subject = new TiKVSubject({ pd: pdClient, prometheus: promClient });
});
afterAll(async () => {
  await Promise.all([pdClient.close(), promClient.close()]);
  await Promise.all([pd.close(), prom.close()]);
});

async function frames(observation: ObservationQuery['observation'], extra: Partial<ObservationQuery> = {}) {
  const out = await observationFrames(subject, { refId: 'Q', kind: 'observation', observation, ...extra }, RANGE);
  for (const f of out) {
    expect(DataFrameJSON.parse(f)).toEqual(f);
    expect(f.schema.refId).toBe('Q');
    // Column-major: one value array per field, all of one length.
    expect(f.data.values).toHaveLength(f.schema.fields.length);
    expect(new Set(f.data.values.map((v) => v.length)).size).toBeLessThanOrEqual(1);
  }
  return out;
}

/** A field and its values, enum-encoded columns decoded as Grafana's dataFrameFromJSON does. */
const column = (f: DataFrameJSON, name: string) => {
  const i = f.schema.fields.findIndex((x) => x.name === name);
  expect(i).toBeGreaterThanOrEqual(0);
  const words = f.data.enums?.[i];
  return {
    field: f.schema.fields[i],
    values: words ? f.data.values[i].map((k) => words[k as number]) : f.data.values[i],
  };
};

describe('observation frames', () => {
  it('shows stores as a table with bytes, percent and seconds units', async () => {
    const [f] = await frames('get_stores');
    expect(f.schema.name).toBe('stores');
    expect(column(f, 'store_id').values).toEqual([1, 4, 5]);
    expect(column(f, 'state_name').values).toEqual(['Up', 'Up', 'Down']);
    // Few distinct words: sent as indexes into data.enums, in order of first appearance.
    expect(f.data.values[f.schema.fields.findIndex((x) => x.name === 'state_name')]).toEqual([0, 0, 1]);
    expect(column(f, 'node_state').values).toEqual(['Serving', 'Serving', 'Serving']);
    expect(column(f, 'engine').values).toEqual(['tikv', 'tikv', 'tikv']);
    expect(column(f, 'capacity_bytes').field.config).toMatchObject({ unit: 'bytes', displayName: 'Capacity' });
    const used = column(f, 'disk_used_ratio');
    expect(used.field.config).toMatchObject({ unit: 'percentunit' });
    expect(used.values[1] as number).toBeCloseTo(0.727, 3);
    const age = column(f, 'heartbeat_age_seconds');
    expect(age.field.config).toMatchObject({ unit: 's' });
    expect(age.values[2] as number).toBeCloseTo(2238.796, 3);
    expect(column(f, 'last_heartbeat').field).toMatchObject({ type: 'time', config: { unit: 'dateTimeAsIso' } });
    expect(column(f, 'labels').values[0]).toBe('zone=z1, host=tikv-1');
  });

  it('shows hot write regions as a table, one row per region', async () => {
    const [f] = await frames('get_hot_write_regions', { limit: 5 });
    expect(column(f, 'region_id').values).toEqual([1009, 1013]);
    expect(column(f, 'leader_store_id').values).toEqual([1, 4]);
    expect(column(f, 'peer_store_ids').values).toEqual(['1, 4, 5', '1, 4, 5']);
    expect(column(f, 'flow_bytes').field.config).toMatchObject({ unit: 'binBps' });
  });

  it('shows store metrics as one labelled series per store and metric, with notices for the unmatched', async () => {
    const out = await frames('get_store_metrics');
    const p99 = out.filter((f) => f.schema.name === 'write_p99_seconds');
    expect(p99.map((f) => f.schema.fields[1].labels)).toEqual([
      { instance: '10.0.1.21:20180', store_id: '1', address: '10.0.1.21:20160' },
      { instance: '10.0.1.22:20180', store_id: '4', address: '10.0.1.22:20160' },
      { instance: '10.0.9.9:20180' },
    ]);
    expect(p99[0].schema.fields[1].config).toEqual({ unit: 's', displayName: 'P99 write latency · store 1' });
    expect(p99[0].schema.fields[0].type).toBe('time');
    // 20 minutes at Grafana's 60 s interval: 21 points; NaN becomes null (JSON has no NaN).
    expect(p99[0].data.values[0]).toHaveLength(21);
    expect(p99[2].data.values[1]).toEqual(new Array(21).fill(null));
    expect(out.find((f) => f.schema.name === 'disk_used_ratio')!.schema.fields[1].config).toMatchObject({
      unit: 'percentunit',
    });
    expect(out.find((f) => f.schema.name === 'disk_capacity_bytes')!.schema.fields[1].config).toMatchObject({
      unit: 'bytes',
    });
    expect(out[0].schema.meta).toEqual({
      notices: [
        {
          severity: 'warning',
          text: 'store 5 (10.0.1.23:20180) has no series in Prometheus under instance "10.0.1.23:20180"',
        },
        { severity: 'warning', text: 'instance "10.0.9.9:20180" has series but matches no store in PD' },
      ],
    });
  });

  it('shows cluster metrics as single-row frames plus per-store series', async () => {
    const out = await frames('get_cluster_metrics');
    expect(out.map((f) => f.schema.name)).toEqual(['stores_by_state', 'cluster', 'leader_count', 'region_count']);
    const byState = out[0];
    expect(byState.schema.fields.map((f) => f.name)).toEqual(['Up', 'Disconnected', 'Down', 'Offline', 'Tombstone']);
    expect(byState.data.values).toEqual([[2], [0], [1], [0], [0]]);
    const cluster = out[1];
    expect(column(cluster, 'region_count').values).toEqual([1212]);
    expect(column(cluster, 'leader_spread').values).toEqual([606]);
    const leaders = out[2];
    expect(leaders.schema.fields.map((f) => f.labels?.store_id ?? f.type)).toEqual(['time', '1', '4', '5']);
    expect(leaders.data.values.slice(1)).toEqual([[606], [606], [0]]);
  });

  it('shows region health as a table of counts per kind with the ids', async () => {
    const [f] = await frames('get_region_health', { limit: 2 });
    expect(column(f, 'kind').values).toEqual(['miss-peer', 'pending-peer', 'down-peer', 'offline-peer', 'extra-peer']);
    expect(column(f, 'count').values).toEqual([0, 4, 4, 0, 0]);
    expect(column(f, 'region_ids').values).toEqual(['', '2, 1001', '2, 1001', '', '']);
    expect(column(f, 'truncated').values).toEqual([false, true, true, false, false]);
  });

  it('picks a step Prometheus accepts for any range', () => {
    expect(rangeStep({ from: 0, to: 3_600_000 })).toBe(12_000);
    expect(rangeStep({ from: 0, to: 3_600_000, intervalMs: 30_000, maxDataPoints: 1000 })).toBe(30_000);
    const year = 365 * 86_400_000;
    expect(year / rangeStep({ from: 0, to: year, intervalMs: 1000, maxDataPoints: 100_000 })).toBeLessThan(11_000);
    expect(rangeStep({ from: 0, to: 0 })).toBe(1000);
    // A direct caller without a step (the subject's default) stays at the 15 s scrape interval or coarser.
    expect(rangeStep({ from: 0, to: 600_000 }, 15_000)).toBe(15_000);
    expect(rangeStep({ from: 0, to: 86_400_000 }, 15_000)).toBe(288_000);
  });
});
