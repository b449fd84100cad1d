import { DataFrameJSON } from '../../../src/shared/schema/frames';
import type { Violation } from '../../../src/shared/schema/violation';
import { invariantFrames } from '../../../src/subject/tikv/invariants/frames';

const MIN = 60_000;
const opts = { refId: 'A', from: 0, to: 60 * MIN, stepMs: MIN };

function violation(over: Partial<Violation> = {}): Violation {
  return {
    store_id: 4,
    address: 'tikv-4:20160',
    invariant: 'high_latency',
    severity: 'warning',
    first_seen: 10 * MIN,
    last_seen: 20 * MIN,
    active: false,
    value: 0.25,
    threshold: 0.1,
    ...over,
  };
}

/** Field name → values of a frame. */
const columns = (f: DataFrameJSON) => Object.fromEntries(f.schema.fields.map((x, i) => [x.name, f.data.values[i]]));

describe('violations as a table', () => {
  it('has one row per violation with the violation fields, times as time fields', () => {
    const [frame] = invariantFrames(
      [violation(), violation({ store_id: 2, active: true, last_seen: 59 * MIN })],
      'violations',
      opts
    );
    expect(DataFrameJSON.parse(frame)).toEqual(frame);
    expect(frame.schema.refId).toBe('A');
    expect(frame.schema.fields.map((f) => [f.name, f.type])).toEqual([
      ['store_id', 'number'],
      ['address', 'string'],
      ['invariant', 'string'],
      ['severity', 'string'],
      ['first_seen', 'time'],
      ['last_seen', 'time'],
      ['active', 'boolean'],
      ['value', 'number'],
      ['threshold', 'number'],
      ['ended_by', 'string'],
    ]);
    expect(columns(frame)).toMatchObject({ store_id: [4, 2], active: [false, true], last_seen: [20 * MIN, 59 * MIN] });
    expect(columns(frame).ended_by).toEqual([null, null]);
  });

  it('gives value and threshold a unit when every row is the same invariant', () => {
    const unitOf = (vs: Violation[]) =>
      invariantFrames(vs, 'violations', opts)[0].schema.fields.find((f) => f.name === 'value')!.config?.unit;
    expect(unitOf([violation()])).toBe('s');
    expect(unitOf([violation({ invariant: 'low_disk', value: 0.8, threshold: 0.7 })])).toBe('percentunit');
    expect(unitOf([violation(), violation({ invariant: 'low_disk' })])).toBeUndefined();
  });

  it('is an empty table when nothing was violated', () => {
    const [frame] = invariantFrames([], 'violations', opts);
    expect(frame.data.values.every((v) => v.length === 0)).toBe(true);
  });
});

describe('violations as a state timeline', () => {
  it('is one 0/1 series per store and invariant, labelled for the state-timeline panel', () => {
    const frames = invariantFrames(
      [
        violation(),
        violation({ first_seen: 40 * MIN, last_seen: 45 * MIN }),
        violation({ store_id: 2, address: 'tikv-2:20160' }),
      ],
      'timeline',
      opts
    );
    expect(frames.map((f) => f.schema.name)).toEqual(['store 2 high_latency', 'store 4 high_latency']);
    const [, four] = frames;
    const field = four.schema.fields[1];
    expect(field.labels).toEqual({ store_id: '4', address: 'tikv-4:20160', invariant: 'high_latency' });
    expect(field.config?.displayName).toBe('store 4 high_latency');
    // 1 from the onset until the evaluation after the last holding sample.
    expect(columns(four)).toEqual({
      time: [0, 10 * MIN, 21 * MIN, 40 * MIN, 46 * MIN, 60 * MIN],
      violating: [0, 1, 0, 1, 0, 0],
    });
  });

  it('gives every current store and invariant a series, so a healthy store reads ok instead of nothing', () => {
    const frames = invariantFrames([violation()], 'timeline', {
      ...opts,
      entities: [
        { store_id: 4, address: 'tikv-4:20160', invariant: 'high_latency' },
        { store_id: 4, address: 'tikv-4:20160', invariant: 'low_disk' },
        { store_id: 5, address: 'tikv-5:20160', invariant: 'high_latency' },
      ],
    });
    expect(frames.map((f) => f.schema.name)).toEqual([
      'store 4 high_latency',
      'store 4 low_disk',
      'store 5 high_latency',
    ]);
    expect(columns(frames[1])).toEqual({ time: [0, 60 * MIN], violating: [0, 0] });
    expect(columns(frames[0]).violating).toContain(1);
  });

  it("ends a cleared violation one of its own invariant's replay steps after its last sample", () => {
    const [frame] = invariantFrames([violation()], 'timeline', {
      ...opts,
      stepMs: { high_latency: 15_000, low_disk: MIN },
    });
    expect(columns(frame)).toEqual({
      time: [0, 10 * MIN, 20 * MIN + 15_000, 60 * MIN],
      violating: [0, 1, 0, 0],
    });
  });

  it('shows a violation already running at `from` and still active at `to`', () => {
    const [frame] = invariantFrames(
      [violation({ first_seen: -5 * MIN, last_seen: 59 * MIN, active: true })],
      'timeline',
      opts
    );
    expect(columns(frame)).toEqual({ time: [0, 60 * MIN], violating: [1, 1] });
  });
});

describe('violations as annotations', () => {
  it('is one region per violation with tags Grafana splits on commas', () => {
    const [frame] = invariantFrames(
      [
        violation(),
        violation({
          invariant: 'store_down',
          severity: 'critical',
          store_id: 1,
          address: 'tikv-1:20160',
          first_seen: 5 * MIN,
          active: true,
          value: 42,
          threshold: 20,
        }),
      ],
      'annotations',
      opts
    );
    expect(DataFrameJSON.parse(frame)).toEqual(frame);
    const c = columns(frame);
    expect(c.time).toEqual([5 * MIN, 10 * MIN]);
    expect(c.timeEnd).toEqual([60 * MIN, 20 * MIN]);
    expect(c.title).toEqual(['store down: store 1', 'P99 write latency: store 4']);
    expect((c.tags as string[]).map((t) => t.split(','))).toEqual([
      ['store_down', 'critical', 'store 1'],
      ['high_latency', 'warning', 'store 4'],
    ]);
    expect(c.text).toEqual([
      'store 1 (tikv-1:20160): no heartbeat for 42 s > 20 s, still violating',
      'store 4 (tikv-4:20160): P99 write latency 0.25 s > 0.1 s, cleared',
    ]);
  });

  it('describes a past store_down from Prometheus liveness and disk usage in percent', () => {
    const [frame] = invariantFrames(
      [
        violation({ invariant: 'store_down', severity: 'critical', value: 0, threshold: 0 }),
        violation({ invariant: 'low_disk', first_seen: 30 * MIN, value: 0.8123, threshold: 0.7 }),
        violation({ invariant: 'low_disk', first_seen: 40 * MIN, value: 0.9, threshold: 0.7, ended_by: 'no_data' }),
      ],
      'annotations',
      opts
    );
    expect(columns(frame).text).toEqual([
      'store 4 (tikv-4:20160): down (Prometheus up == 0), cleared',
      'store 4 (tikv-4:20160): disk used 81.2 % > 70.0 %, cleared',
      'store 4 (tikv-4:20160): disk used 90.0 % > 70.0 %, no data since (the series stopped reporting)',
    ]);
  });
});

describe('Explore and cluster-level rows', () => {
  it('asks Explore for a table for violations and annotations; timelines keep their graph', () => {
    for (const format of ['violations', 'annotations'] as const) {
      const [frame] = invariantFrames([violation()], format, opts);
      expect(frame.schema.meta).toEqual({ preferredVisualisationType: 'table' });
    }
    for (const frame of invariantFrames([violation()], 'timeline', opts)) {
      expect(frame.schema.meta?.preferredVisualisationType).toBeUndefined();
    }
  });

  it('names region_health rows "cluster" (store_id 0, address cluster) in timelines and annotations', () => {
    const v = violation({
      store_id: 0,
      address: 'cluster',
      invariant: 'region_health',
      value: 12,
      threshold: 0,
    });
    const timeline = invariantFrames([v], 'timeline', {
      ...opts,
      entities: [{ store_id: 0, address: 'cluster', invariant: 'region_health' }],
    });
    expect(timeline.map((f) => f.schema.name)).toEqual(['cluster region_health']);
    expect(timeline[0].schema.fields[1].labels).toEqual({
      store_id: '0',
      address: 'cluster',
      invariant: 'region_health',
    });
    const c = columns(invariantFrames([v], 'annotations', opts)[0]);
    expect(c.title).toEqual(['regions missing or with a down peer: cluster']);
    expect(c.text).toEqual(['cluster: regions missing or with a down peer 12 regions > 0 regions, cleared']);
  });
});
