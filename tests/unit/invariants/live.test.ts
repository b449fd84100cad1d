import { LiveChecker, type LiveObservation, type LiveStore } from '../../../src/subject/tikv/invariants/live';
import { DEFAULT_RULES, resolveRules } from '../../../src/subject/tikv/invariants/rules';
import { liveStore } from '../../support/liveStore';

const T0 = Date.UTC(2026, 10, 27, 20, 0, 0);
const S = 1000;
const HOUR = 3_600_000;

const store = (id: number, over: Partial<LiveStore> = {}) => liveStore(id, T0, over);

/** PD's answer at `pdNow` where each store last heartbeated `ageS` seconds before. */
function pd(
  pdNow: number,
  ages: Record<number, number>,
  over: Record<number, Partial<LiveStore>> = {}
): LiveObservation {
  return {
    pdNow,
    stores: Object.entries(ages).map(([id, age]) =>
      store(Number(id), { last_heartbeat_ms: pdNow - age * S, ...over[Number(id)] })
    ),
  };
}

const brief = (vs: ReturnType<LiveChecker['tick']>) => vs.map((v) => `${v.invariant} ${v.store_id}`);

describe('live store_down from PD', () => {
  it('a store is down seconds after its last heartbeat is older than 20 s, by PD clock', () => {
    const c = new LiveChecker();
    expect(c.tick(pd(T0, { 1: 5, 2: 20 }), T0)).toEqual([]);
    const [v] = c.tick(pd(T0 + 10 * S, { 1: 5, 2: 30 }), T0 + 10 * S);
    expect(v).toMatchObject({
      store_id: 2,
      address: 'tikv-2:20160',
      invariant: 'store_down',
      severity: 'critical',
      first_seen: T0 + 10 * S,
      last_seen: T0 + 10 * S,
      active: true,
      value: 30,
      threshold: 20,
    });
    // PD declares Down after max-store-down-time (30 min default): 30 min − 30 s left.
    expect(v.seconds_until_pd_down).toBe(1800 - 30);
  });

  it('reports the time left until PD declares the store Down from max-store-down-time', () => {
    const c = new LiveChecker();
    const obs = { ...pd(T0, { 1: 100 }), maxStoreDownMs: 300 * S };
    expect(c.tick(obs, T0)[0].seconds_until_pd_down).toBe(200);
    const down = pd(T0 + S, { 1: 400 }, { 1: { state_name: 'Down' } });
    expect(c.tick({ ...down, maxStoreDownMs: 300 * S }, T0 + S)[0]).toMatchObject({
      seconds_until_pd_down: 0,
      value: 400,
    });
  });

  it('measures heartbeat age against PD clock when PD is an hour ahead of ours', () => {
    const c = new LiveChecker();
    // PD's clock says 5 s since the heartbeat; our clock is an hour behind PD (the heartbeat looks in our future).
    expect(c.tick(pd(T0 + HOUR, { 1: 5 }), T0)).toEqual([]);
    expect(brief(c.tick(pd(T0 + HOUR + 30 * S, { 1: 35 }), T0 + 30 * S))).toEqual(['store_down 1']);
  });

  it('measures heartbeat age against PD clock when PD is an hour behind ours', () => {
    const c = new LiveChecker();
    // By our clock the heartbeat is an hour old; by PD's it is 5 s old: not down.
    expect(c.tick(pd(T0 - HOUR, { 1: 5 }), T0)).toEqual([]);
    const [v] = c.tick(pd(T0 - HOUR + 25 * S, { 1: 25 }), T0 + 25 * S);
    expect(v).toMatchObject({ store_id: 1, value: 25, first_seen: T0 + 25 * S });
  });

  it('a Tombstone store with an old heartbeat is never down, nor a Removed one', () => {
    const c = new LiveChecker();
    const obs = pd(
      T0,
      { 1: 5, 2: 86_400, 3: 86_400 },
      { 2: { state_name: 'Tombstone', node_state: 3 }, 3: { node_state: 3 } }
    );
    expect(c.tick(obs, T0)).toEqual([]);
  });

  it('an Offline (draining) store that stops heartbeating is down', () => {
    const c = new LiveChecker();
    expect(brief(c.tick(pd(T0, { 1: 60 }, { 1: { state_name: 'Offline', node_state: 2 } }), T0))).toEqual([
      'store_down 1',
    ]);
  });

  it('follows PD when it says Disconnected or Down, even if the heartbeat age looks fresh', () => {
    const c = new LiveChecker();
    const obs = pd(T0, { 1: 3, 2: 3 }, { 1: { state_name: 'Disconnected' }, 2: { state_name: 'Down' } });
    expect(brief(c.tick(obs, T0))).toEqual(['store_down 1', 'store_down 2']);
  });

  it('a store that never heartbeated counts only when PD calls it Down or Disconnected', () => {
    const c = new LiveChecker();
    const obs = pd(
      T0,
      { 1: 0, 2: 0 },
      { 1: { last_heartbeat_ms: undefined }, 2: { last_heartbeat_ms: undefined, state_name: 'Down' } }
    );
    expect(c.tick(obs, T0)).toEqual([expect.objectContaining({ store_id: 2, value: 1800, seconds_until_pd_down: 0 })]);
  });

  it('ignores TiFlash stores unless they are included', () => {
    const obs = pd(T0, { 1: 60 }, { 1: { isTiFlash: true } });
    expect(new LiveChecker().tick(obs, T0)).toEqual([]);
    expect(brief(new LiveChecker({ includeTiFlash: true }).tick(obs, T0))).toEqual(['store_down 1']);
  });

  it('keeps a store down through a PD outage (a gap) and clears it when PD sees a heartbeat again', () => {
    const c = new LiveChecker();
    c.tick(pd(T0, { 1: 60 }), T0);
    const during = c.tick({ pdNow: T0 + 15 * S }, T0 + 15 * S);
    expect(during).toEqual([expect.objectContaining({ store_id: 1, first_seen: T0, last_seen: T0 })]);
    expect(c.tick(pd(T0 + 30 * S, { 1: 2 }), T0 + 30 * S)).toEqual([]);
  });

  it('uses the configured heartbeat timeout', () => {
    const rules = resolveRules(DEFAULT_RULES, { store_down: { heartbeatTimeoutSeconds: 60 } });
    const c = new LiveChecker({ rules });
    expect(c.tick(pd(T0, { 1: 45 }), T0)).toEqual([]);
    expect(c.tick(pd(T0 + 20 * S, { 1: 65 }), T0 + 20 * S)[0]).toMatchObject({ threshold: 60, value: 65 });
  });

  it('stops watching a store that PD turns Tombstone', () => {
    const c = new LiveChecker();
    c.tick(pd(T0, { 1: 60 }), T0);
    expect(c.tick(pd(T0 + S, { 1: 61 }, { 1: { state_name: 'Tombstone', node_state: 3 } }), T0 + S)).toEqual([]);
  });
});

describe('live latency and disk from Prometheus', () => {
  const latency = (m: Record<number, number>) => new Map(Object.entries(m).map(([k, v]) => [Number(k), v]));

  it('two stores violate independently, each with its own first_seen', () => {
    const c = new LiveChecker();
    const fresh = (t: number) => pd(t, { 1: 1, 2: 1, 3: 1 });
    const tick = (i: number, p99: Record<number, number>) =>
      c.tick({ ...fresh(T0 + i * 15 * S), p99Seconds: latency(p99) }, T0 + i * 15 * S);
    tick(0, { 1: 0.2, 2: 0.01, 3: 0.01 });
    tick(1, { 1: 0.2, 2: 0.3, 3: 0.01 });
    tick(2, { 1: 0.2, 2: 0.3, 3: 0.01 });
    tick(3, { 1: 0.2, 2: 0.3, 3: 0.01 });
    expect(brief(tick(4, { 1: 0.2, 2: 0.3, 3: 0.01 }))).toEqual(['high_latency 1']); // store 1 held 60 s, store 2 45 s
    const both = tick(5, { 1: 0.01, 2: 0.3, 3: 0.01 });
    expect(both).toEqual([
      expect.objectContaining({
        invariant: 'high_latency',
        store_id: 2,
        first_seen: T0 + 15 * S,
        value: 0.3,
        threshold: 0.1,
      }),
    ]);
  });

  it('evaluates store_down from PD while Prometheus is down, and latency only when its samples exist', () => {
    const c = new LiveChecker({ rules: resolveRules(DEFAULT_RULES, { high_latency: { graceSeconds: 0 } }) });
    c.tick({ ...pd(T0, { 1: 1, 2: 1 }), p99Seconds: latency({ 1: 0.5 }) }, T0);
    const v = c.tick(pd(T0 + 15 * S, { 1: 1, 2: 40 }), T0 + 15 * S);
    expect(brief(v)).toEqual(['store_down 2', 'high_latency 1']);
    expect(v.find((x) => x.invariant === 'high_latency')).toMatchObject({ last_seen: T0, first_seen: T0 });
  });

  it('checks disk usage immediately above 70 %', () => {
    const c = new LiveChecker();
    const v = c.tick({ ...pd(T0, { 1: 1, 2: 1 }), diskUsedRatio: latency({ 1: 0.69, 2: 0.71 }) }, T0);
    expect(v).toEqual([
      expect.objectContaining({ invariant: 'low_disk', store_id: 2, severity: 'warning', value: 0.71, threshold: 0.7 }),
    ]);
  });

  it('ignores a repeated tick time instead of moving backwards', () => {
    const c = new LiveChecker();
    const first = c.tick(pd(T0, { 1: 60 }), T0);
    expect(c.tick(pd(T0, { 1: 1 }), T0)).toEqual(first);
  });
});
