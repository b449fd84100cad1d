import { CLUSTER_LEVEL_STORE } from '../../../src/shared/names';
import { InvariantOverrides } from '../../../src/shared/schema/query';
import { historySeries } from '../../../src/subject/tikv/invariants/historySeries';
import { LiveChecker, type LiveObservation } from '../../../src/subject/tikv/invariants/live';
import { replay } from '../../../src/subject/tikv/invariants/replay';
import { DEFAULT_RULES, resolveRules } from '../../../src/subject/tikv/invariants/rules';
import { regionHealthExpr } from '../../../src/subject/tikv/promql';
import { PrometheusClient } from '../../../src/subject/prometheus/client';

const T0 = Date.UTC(2026, 11, 6, 4, 0, 0);
const S = 1000;
const MIN = 60_000;

function obs(regions: number | undefined, storeIds: number[] = [1, 2, 3]): LiveObservation {
  return {
    pdNow: T0,
    stores: storeIds.map((id) => ({
      store_id: id,
      address: `tikv-${id}:20160`,
      state_name: 'Up',
      node_state: 1,
      last_heartbeat_ms: T0,
      isTiFlash: false,
    })),
    regionsUnhealthy: regions,
  };
}

describe('region_health rule', () => {
  it('defaults to any region (> 0) held for 10 min, a warning', () => {
    expect(DEFAULT_RULES.region_health).toMatchObject({ threshold: 0, graceMs: 10 * MIN, severity: 'warning' });
  });

  it('takes a threshold in regions and a grace in seconds from the deployment and the query', () => {
    const deployment = resolveRules(DEFAULT_RULES, { region_health: { thresholdRegions: 5 } });
    const query = resolveRules(deployment, { region_health: { graceSeconds: 30 } });
    expect(query.region_health).toMatchObject({ threshold: 5, graceMs: 30 * S });
    expect(query.low_disk).toEqual(DEFAULT_RULES.low_disk);
  });

  it('refuses a fractional or negative region count in a query', () => {
    expect(InvariantOverrides.safeParse({ region_health: { thresholdRegions: 1.5 } }).success).toBe(false);
    expect(InvariantOverrides.safeParse({ region_health: { thresholdRegions: -1 } }).success).toBe(false);
    expect(InvariantOverrides.safeParse({ region_health: { thresholdRegions: 3, graceSeconds: 60 } }).success).toBe(
      true
    );
  });
});

describe('region_health in the live checker', () => {
  it('fires after the grace as one cluster-level row (store_id 0, address "cluster") and clears', () => {
    const c = new LiveChecker({ rules: resolveRules(DEFAULT_RULES, { region_health: { graceSeconds: 60 } }) });
    expect(c.tick(obs(0), T0)).toEqual([]);
    expect(c.tick(obs(12), T0 + 10 * S)).toEqual([]);
    expect(c.tick(obs(12), T0 + 40 * S)).toEqual([]);
    const [v] = c.tick(obs(9), T0 + 70 * S);
    expect(v).toMatchObject({
      ...CLUSTER_LEVEL_STORE,
      invariant: 'region_health',
      severity: 'warning',
      first_seen: T0 + 10 * S,
      last_seen: T0 + 70 * S,
      value: 9,
      threshold: 0,
      active: true,
    });
    expect(c.tick(obs(0), T0 + 80 * S)).toEqual([]);
  });

  it('treats a missing count (Prometheus failed, no PD series) as a gap, and survives PD losing every store', () => {
    const c = new LiveChecker({ rules: resolveRules(DEFAULT_RULES, { region_health: { graceSeconds: 0 } }) });
    expect(c.tick(obs(3), T0)).toHaveLength(1);
    // A gap neither clears nor fires anything.
    expect(c.tick(obs(undefined), T0 + 10 * S).map((v) => v.invariant)).toEqual(['region_health']);
    // Stores leaving PD's list drop their entities, not the cluster's.
    expect(c.tick(obs(4, []), T0 + 20 * S)).toMatchObject([{ invariant: 'region_health', value: 4 }]);
  });

  it('is listed after the per-store invariants', () => {
    const c = new LiveChecker({ rules: resolveRules(DEFAULT_RULES, { region_health: { graceSeconds: 0 } }) });
    const o = { ...obs(1), diskUsedRatio: new Map([[2, 0.9]]) };
    expect(c.tick(o, T0).map((v) => `${v.invariant} ${v.store_id}`)).toEqual(['low_disk 2', 'region_health 0']);
  });

  it('is replayed by the same engine as the live checker', () => {
    const rule = resolveRules(DEFAULT_RULES, { region_health: { graceSeconds: 60 } }).region_health;
    const samples = [0, 2, 2, 2, 2, 2, 0, 0].map((v, i) => ({ t: T0 + i * 15 * S, obs: { value: v, holds: v > 0 } }));
    expect(replay(samples, rule, CLUSTER_LEVEL_STORE)).toEqual([
      expect.objectContaining({ first_seen: T0 + 15 * S, last_seen: T0 + 75 * S, active: false, store_id: 0 }),
    ]);
  });
});

describe('region_health PromQL', () => {
  const prom = new PrometheusClient({ url: 'http://127.0.0.1:1', jobs: { tikv: 'tikv', pd: 'pd-job' } });

  it("reads PD's hyphenated miss-peer and down-peer counts from the PD job, one series", () => {
    expect(regionHealthExpr(prom.selector)).toBe(
      'max(pd_regions_status{job="pd-job",type=~"miss-peer-region-count|down-peer-region-count"})'
    );
  });

  it('ignores instance restrictions in the history (the series has no instance)', () => {
    const s = historySeries('region_health', { selector: prom.selector, rules: DEFAULT_RULES, window: '1m' });
    expect(s.expr(['10.0.0.1:20180'])).toBe(s.expr());
    expect(s.condition).toBe('> 0');
    expect(s.toObservation(1)).toEqual({ value: 1, holds: true });
  });
});
