import { MAX_POINTS_PER_SERIES } from '../../../src/subject/prometheus/client';

import { BadQueryError, ERROR_CODES, UpstreamTooLargeError } from '../../../src/shared/errors';
import {
  invariantHistory,
  invariantHistoryReport,
  historyPlan,
  rateWindowMs,
} from '../../../src/subject/tikv/invariants/history';
import { DEFAULT_RULES, resolveRules } from '../../../src/subject/tikv/invariants/rules';
import { type Signal, StandInPrometheus } from '../../support/standInPrometheus';

const S = 1000;
const MIN = 60_000;
const DAY = 86_400_000;
const FROM = 1_800_000_000_000; // a multiple of 15 s and of 1 min

describe('planning a history', () => {
  it('names what is wrong in its inputs', () => {
    const plan = { rules: DEFAULT_RULES, scrapeIntervalMs: 15 * S };
    expect(() => historyPlan('store_down', { ...plan, range: { from: 2, to: 1 } })).toThrow(BadQueryError);
    expect(() => historyPlan('store_down', { ...plan, range: { from: 1, to: 2 }, scrapeIntervalMs: 0 })).toThrow(
      /scrapeIntervalMs/
    );
  });

  it('raises the rate window to four scrape intervals', () => {
    expect(rateWindowMs('1m', 15 * S)).toBe(MIN);
    expect(rateWindowMs('1m', 30 * S)).toBe(2 * MIN);
    expect(() => rateWindowMs('1 minute', 15 * S)).toThrow(/window/);
  });
});

/** Prometheus in the test process: the history's query shapes answered from functions of time, on the step grid. */
const InProcessPrometheus = StandInPrometheus;

const between =
  (a: number, b: number, inside: number, outside: number): Signal =>
  (t) =>
    t >= a && t < b ? inside : outside;

const known: Record<string, { store_id: number; address: string }> = {
  'tikv-1:20180': { store_id: 1, address: 'tikv-1:20160' },
  'tikv-2:20180': { store_id: 2, address: 'tikv-2:20160' },
  // Tombstone now: PD still lists it when asked for every state.
  'tikv-3:20180': { store_id: 3, address: 'tikv-3:20160' },
};
const resolveInstance = (instance: string) => known[instance];

describe('invariant history over Prometheus range data', () => {
  const range = { from: FROM, to: FROM + 30 * MIN };

  it('keeps the onset of a latency violation already running at `from`', async () => {
    const prometheus = new InProcessPrometheus({
      latency: { 'tikv-1:20180': between(FROM - 90 * S, FROM + 5 * MIN, 0.25, 0.01), 'tikv-2:20180': () => 0.02 },
    });
    const vs = await invariantHistory({
      prometheus,
      rules: DEFAULT_RULES,
      range,
      scrapeIntervalMs: 15 * S,
      resolveInstance,
      invariants: ['high_latency'],
    });
    expect(vs).toEqual([
      {
        store_id: 1,
        address: 'tikv-1:20160',
        invariant: 'high_latency',
        severity: 'warning',
        first_seen: FROM - 90 * S,
        last_seen: FROM + 5 * MIN - 15 * S,
        active: false,
        value: 0.25,
        threshold: 0.1,
      },
    ]);
    const latency =
      'histogram_quantile(0.99, sum by (instance, le) (rate(tikv_storage_engine_async_request_duration_seconds_bucket{cluster="prod",type="write",job="tikv"}[1m])))';
    // The coarse pass asks where P99 > 0.1 held, at every 15 s inside 1 min windows, from `from − grace − window`.
    expect(prometheus.calls).toContainEqual({
      type: 'range',
      expr: `count_over_time((${latency} > 0.1)[1m:15s])`,
      start: FROM - 2 * MIN,
      end: FROM + 30 * MIN,
      step: MIN,
    });
    // The precise pass reads only the store that violated, around its windows, at the scrape interval.
    const precise = prometheus.calls.filter((c) => c.type === 'range' && c.expr.startsWith('histogram_quantile'));
    expect(precise).toHaveLength(1);
    expect(precise[0].step).toBe(15 * S);
    expect(precise[0].expr).toBe(latency.replace('type="write",', 'type="write",instance=~"tikv-1:20180",'));
    expect(precise[0].end - precise[0].start).toBeLessThan(15 * MIN);
  });

  it('reports store_down in the past from up == 0, including Tombstone stores and instances PD no longer knows', async () => {
    const prometheus = new InProcessPrometheus({
      up: {
        'tikv-1:20180': () => 1,
        'tikv-3:20180': between(FROM + MIN, FROM + 2 * MIN, 0, 1),
        'tikv-9:20180': (t) => (t < FROM + 10 * MIN ? 0 : undefined),
      },
    });
    const vs = await invariantHistory({
      prometheus,
      rules: DEFAULT_RULES,
      range,
      scrapeIntervalMs: 15 * S,
      resolveInstance,
      invariants: ['store_down'],
    });
    expect(vs).toEqual([
      // Gone from Prometheus after its last up == 0, more than 5 min before `to`: ended for lack of data.
      expect.objectContaining({
        store_id: 0,
        address: 'tikv-9:20180',
        first_seen: FROM,
        last_seen: FROM + 10 * MIN - 15 * S,
        active: false,
        ended_by: 'no_data',
      }),
      expect.objectContaining({
        store_id: 3,
        address: 'tikv-3:20160',
        invariant: 'store_down',
        severity: 'critical',
        first_seen: FROM + MIN,
        last_seen: FROM + 2 * MIN - 15 * S,
        active: false,
        value: 0,
        threshold: 0,
      }),
    ]);
    expect(prometheus.calls.map((c) => c.expr)).toContain(
      'count_over_time((up{cluster="prod",job="tikv"} == 0)[1m:15s])'
    );
  });

  it('drops violations that ended before `from` and filters by store', async () => {
    const prometheus = new InProcessPrometheus({
      disk: {
        'tikv-1:20180': between(FROM - 30 * S, FROM - 15 * S, 0.9, 0.5),
        'tikv-2:20180': between(FROM + 5 * MIN, FROM + 6 * MIN, 0.8, 0.5),
        'tikv-9:20180': () => 0.95,
      },
    });
    const base = { prometheus, rules: DEFAULT_RULES, range, scrapeIntervalMs: 15 * S, resolveInstance };
    const all = await invariantHistory({ ...base, invariants: ['low_disk'] });
    expect(all.map((v) => [v.store_id, v.first_seen, v.active])).toEqual([
      [0, FROM, true],
      [2, FROM + 5 * MIN, false],
    ]);
    const only2 = await invariantHistory({ ...base, invariants: ['low_disk'], storeIds: [2] });
    expect(only2.map((v) => v.store_id)).toEqual([2]);
  });

  it('applies per-query thresholds and grace', async () => {
    const prometheus = new InProcessPrometheus({
      latency: { 'tikv-1:20180': between(FROM + MIN, FROM + 2 * MIN, 0.06, 0.01) },
    });
    const rules = resolveRules(DEFAULT_RULES, { high_latency: { thresholdMs: 50, graceSeconds: 30 } });
    const vs = await invariantHistory({
      prometheus,
      rules,
      range,
      scrapeIntervalMs: 5 * S,
      resolveInstance,
      invariants: ['high_latency'],
    });
    expect(vs).toEqual([expect.objectContaining({ first_seen: FROM + MIN, threshold: 0.05, value: 0.06 })]);
    // Replayed at the scrape interval, whatever the grace.
    expect(prometheus.calls.filter((c) => c.type === 'range').at(-1)!.step).toBe(5 * S);
  });

  it('joins one violation across coarse chunks and across 11,000-point pieces of the precise pass', async () => {
    const to = FROM + 3 * DAY;
    const onset = FROM + 10 * 3_600_000;
    const end = FROM + 60 * 3_600_000; // 50 h: more than 11,000 points at 15 s
    const prometheus = new InProcessPrometheus({
      latency: { 'tikv-2:20180': between(onset, end, 0.5, 0.01), 'tikv-1:20180': () => 0.01 },
    });
    const vs = await invariantHistory({
      prometheus,
      rules: DEFAULT_RULES,
      range: { from: FROM, to },
      scrapeIntervalMs: 15 * S,
      resolveInstance,
      invariants: ['high_latency'],
      maxSamples: 200_000, // a few hours of inner steps per coarse chunk
    });
    expect(vs).toEqual([
      expect.objectContaining({ store_id: 2, first_seen: onset, last_seen: end - 15 * S, active: false }),
    ]);
    const coarse = prometheus.calls.filter((c) => c.type === 'range' && c.expr.startsWith('count_over_time'));
    expect(coarse.length).toBeGreaterThan(10);
    coarse.slice(1).forEach((c, i) => expect(c.start).toBe(coarse[i].end + c.step));
    const precise = prometheus.calls.filter((c) => c.type === 'range' && c.step === 15 * S);
    expect(precise.length).toBeGreaterThanOrEqual(2);
    precise.slice(1).forEach((c, i) => expect(c.start).toBe(precise[i].end + 15 * S));
    precise.forEach((c) => expect((c.end - c.start) / c.step + 1).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES));
  });

  it('finds a 20-minute outage and a grace + two scrape intervals condition over 30 days', async () => {
    const to = FROM + 30 * DAY;
    const outage = FROM + 17 * DAY + 7 * MIN;
    const spike = FROM + 23 * DAY + 3 * MIN;
    const healthy: Record<string, Signal> = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`tikv-${i + 10}:20180`, () => 1])
    );
    const prometheus = new InProcessPrometheus({
      up: { ...healthy, 'tikv-1:20180': between(outage, outage + 20 * MIN, 0, 1) },
      latency: { 'tikv-2:20180': between(spike, spike + MIN + 30 * S, 0.3, 0.01) },
    });
    const vs = await invariantHistory({
      prometheus,
      rules: DEFAULT_RULES,
      range: { from: FROM, to },
      scrapeIntervalMs: 15 * S,
      resolveInstance,
      invariants: ['store_down', 'high_latency'],
    });
    expect(vs).toEqual([
      expect.objectContaining({
        invariant: 'store_down',
        store_id: 1,
        first_seen: outage,
        last_seen: outage + 20 * MIN - 15 * S,
      }),
      expect.objectContaining({
        invariant: 'high_latency',
        store_id: 2,
        first_seen: spike,
        last_seen: spike + MIN + 15 * S,
      }),
    ]);
  });

  it("splits a coarse chunk Prometheus refuses for its sample limit, and names the limit when a step can't fit", async () => {
    const data = { disk: { 'tikv-1:20180': between(FROM + 5 * MIN, FROM + 6 * MIN, 0.8, 0.5) } };
    const base = {
      rules: DEFAULT_RULES,
      range,
      scrapeIntervalMs: 15 * S,
      resolveInstance,
      invariants: ['low_disk' as const],
    };
    // The backend's estimate allows more than this Prometheus does: its first answer is a refusal.
    const strict = new StandInPrometheus(data, 200);
    const vs = await invariantHistory({ ...base, prometheus: strict, maxSamples: 25_000_000 });
    expect(vs).toEqual([expect.objectContaining({ store_id: 1, first_seen: FROM + 5 * MIN })]);
    expect(strict.calls.filter((c) => c.expr.startsWith('count_over_time')).length).toBeGreaterThan(2);
    // Refused precise pieces are split down to one instance at one step (2 disk series): 10 samples still answer.
    const small = new StandInPrometheus(data, 10);
    expect(await invariantHistory({ ...base, prometheus: small })).toEqual(vs);
    const tiny = new StandInPrometheus(data, 1);
    await expect(invariantHistory({ ...base, prometheus: tiny })).rejects.toMatchObject({
      code: ERROR_CODES.UPSTREAM_TOO_LARGE,
      message: expect.stringMatching(/--query\.max-samples.*storeIds/),
    });
  });

  it('reads the recording rules when Prometheus has them, with the same answer', async () => {
    const data = {
      latency: { 'tikv-1:20180': between(FROM + MIN, FROM + 5 * MIN, 0.3, 0.01) },
      disk: { 'tikv-2:20180': between(FROM + 2 * MIN, FROM + 3 * MIN, 0.9, 0.5) },
    };
    const base = { rules: DEFAULT_RULES, range, scrapeIntervalMs: 15 * S, resolveInstance };
    const raw = new StandInPrometheus(data);
    const withRules = new StandInPrometheus(data, undefined, undefined, true);
    const [a, b] = await Promise.all([
      invariantHistoryReport({ ...base, prometheus: raw }),
      invariantHistoryReport({ ...base, prometheus: withRules }),
    ]);
    expect(b.violations).toEqual(a.violations);
    expect(a.violations).toHaveLength(2);
    expect(a.recorded).toEqual([]);
    expect(b.recorded).toEqual(['high_latency', 'low_disk']);
    expect(withRules.calls.map((c) => c.expr)).toContain(
      'count_over_time((max by (instance) (instance:tikv_storage_async_write_duration_seconds:p99_rate1m{cluster="prod",job="tikv"}) > 0.1)[1m:15s])'
    );
    expect(withRules.calls.some((c) => c.expr.includes('tikv_store_size_bytes'))).toBe(false);
    // A deployment can turn them off.
    const off = await invariantHistoryReport({ ...base, prometheus: withRules, recordingRules: false });
    expect(off.recorded).toEqual([]);
  });

  it('says how much of the range had data, and widens the rate window over sparse samples', async () => {
    const sparse = new StandInPrometheus(
      { up: { 'tikv-1:20180': (t) => (t >= FROM + 15 * MIN ? 1 : undefined) } },
      undefined,
      60_000
    );
    const r = await invariantHistoryReport({
      prometheus: sparse,
      rules: DEFAULT_RULES,
      range,
      scrapeIntervalMs: 15 * S,
      resolveInstance,
    });
    expect(r.notices).toEqual([
      expect.stringMatching(/^Prometheus has TiKV data for 50\.\d % of this range .*retention/),
      expect.stringMatching(/one sample every 1m .* computed over 4m instead of 1m/),
    ]);
    expect(sparse.calls.some((c) => c.expr.includes('[4m]'))).toBe(true);
  });

  it("passes the request's abort signal to every Prometheus call", async () => {
    const signals: Array<AbortSignal | undefined> = [];
    class Recording extends StandInPrometheus {
      override queryRange(expr: string, a: number, b: number, step: number, signal?: AbortSignal) {
        signals.push(signal);
        return super.queryRange(expr, a, b, step);
      }
      override query(expr: string, t?: number, signal?: AbortSignal) {
        signals.push(signal);
        return super.query(expr, t);
      }
    }
    const prometheus = new Recording({
      up: { 'tikv-1:20180': (t) => (t < FROM + 10 * MIN ? 0 : undefined) },
      disk: { 'tikv-2:20180': between(FROM + 5 * MIN, FROM + 6 * MIN, 0.8, 0.5) },
    });
    const controller = new AbortController();
    const vs = await invariantHistory({
      prometheus,
      rules: DEFAULT_RULES,
      range,
      scrapeIntervalMs: 15 * S,
      resolveInstance,
      signal: controller.signal,
    });
    expect(vs).toHaveLength(2);
    // Coverage, estimates, coarse and precise passes and the counts after a stopped series: all of them.
    expect(signals.length).toBeGreaterThan(8);
    expect(signals.every((x) => x === controller.signal)).toBe(true);
  });

  it('names the answer size limit instead of a bare byte count', async () => {
    const prometheus = new StandInPrometheus({ up: { 'tikv-1:20180': () => 0 } });
    prometheus.queryRange = async () => {
      throw new UpstreamTooLargeError({ upstream: 'prometheus', path: '/api/v1/query_range' }, 67_108_864);
    };
    await expect(
      invariantHistory({ prometheus, rules: DEFAULT_RULES, range, scrapeIntervalMs: 15 * S, resolveInstance })
    ).rejects.toMatchObject({
      code: ERROR_CODES.UPSTREAM_TOO_LARGE,
      message: expect.stringMatching(/UPSTREAM_MAX_BODY_BYTES, 67108864 bytes.*storeIds/),
    });
  });

  it('checks every invariant when none is named', async () => {
    const prometheus = new InProcessPrometheus({});
    await invariantHistory({
      prometheus,
      rules: DEFAULT_RULES,
      range,
      scrapeIntervalMs: 15 * S,
      resolveInstance,
      invariants: [],
    });
    const coarse = prometheus.calls.filter((c) => c.expr.startsWith('count_over_time'));
    expect(coarse.map((c) => c.expr.slice(17, 36)).sort()).toEqual([
      '1 - sum by (instanc',
      'histogram_quantile(',
      'max(pd_regions_stat',
      'up{cluster="prod",j',
    ]);
  });
});
