import { BadQueryError } from '../../../src/shared/errors';
import { renderSelector, type LabelMatcher } from '../../../src/subject/prometheus/selector';
import { DEFAULT_RULES, resolveRules } from '../../../src/subject/tikv/invariants/rules';
import {
  diskUsedRatioExpr,
  formatPromDuration,
  p99WriteLatencyExpr,
  parsePromDuration,
  tikvUpExpr,
} from '../../../src/subject/tikv/promql';

const sel = (metric: string, matchers: LabelMatcher[] = [], job: 'tikv' | 'pd' = 'tikv') =>
  renderSelector(metric, [{ name: 'env', op: '=~', value: 'a|b' }, ...matchers, { name: 'job', op: '=', value: job }]);

describe('the invariant PromQL', () => {
  it('computes P99 write latency per instance as TiKV dashboards do, with the deployment selector', () => {
    expect(p99WriteLatencyExpr(sel, '2m')).toBe(
      'histogram_quantile(0.99, sum by (instance, le) (rate(tikv_storage_engine_async_request_duration_seconds_bucket{env=~"a|b",type="write",job="tikv"}[2m])))'
    );
    expect(p99WriteLatencyExpr(sel)).toContain('[1m]');
  });

  it('computes the disk used ratio per instance from TiKV byte counts', () => {
    expect(diskUsedRatioExpr(sel)).toBe(
      '1 - sum by (instance) (tikv_store_size_bytes{env=~"a|b",type="available",job="tikv"}) / sum by (instance) (tikv_store_size_bytes{env=~"a|b",type="capacity",job="tikv"})'
    );
  });

  it('reads liveness from up of the tikv job', () => {
    expect(tikvUpExpr(sel)).toBe('up{env=~"a|b",job="tikv"}');
  });

  it('refuses a rate window that is not a Prometheus duration, naming the field', () => {
    for (const bad of ['1 m', '1.5m', '', '0s', 'm', '1m1h', '5)) or vector(1']) {
      expect(() => p99WriteLatencyExpr(sel, bad)).toThrow(BadQueryError);
    }
    expect(() => parsePromDuration('soon')).toThrow(/window/);
  });

  it('reads and writes Prometheus durations', () => {
    expect(parsePromDuration('1h30m')).toBe(5_400_000);
    expect(parsePromDuration('30s')).toBe(30_000);
    expect(parsePromDuration('1d')).toBe(86_400_000);
    expect(parsePromDuration('250ms')).toBe(250);
    expect(formatPromDuration(90_000)).toBe('1m30s');
    expect(formatPromDuration(60_000)).toBe('1m');
  });
});

describe('invariant rules', () => {
  it('defaults to store down after 20 s, P99 write over 100 ms for 60 s, disk over 70 % at once', () => {
    expect(DEFAULT_RULES.store_down).toMatchObject({ severity: 'critical', threshold: 20, graceMs: 0 });
    expect(DEFAULT_RULES.high_latency).toMatchObject({ severity: 'warning', threshold: 0.1, graceMs: 60_000 });
    expect(DEFAULT_RULES.low_disk).toMatchObject({ severity: 'warning', threshold: 0.7, graceMs: 0 });
  });

  it('layers deployment and query overrides in their units', () => {
    const deployment = resolveRules(DEFAULT_RULES, { high_latency: { thresholdMs: 200 } });
    const query = resolveRules(deployment, {
      high_latency: { graceSeconds: 30 },
      low_disk: { thresholdRatio: 0.8, graceSeconds: 120 },
      store_down: { heartbeatTimeoutSeconds: 45 },
    });
    expect(query.high_latency).toMatchObject({ threshold: 0.2, graceMs: 30_000 });
    expect(query.low_disk).toMatchObject({ threshold: 0.8, graceMs: 120_000 });
    expect(query.store_down).toMatchObject({ threshold: 45, graceMs: 0 });
    expect(DEFAULT_RULES.high_latency.threshold).toBe(0.1);
    expect(resolveRules(DEFAULT_RULES)).toBe(DEFAULT_RULES);
  });
});
