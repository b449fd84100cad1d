/**
 * Live invariants against the simulator and a real Prometheus (1 s scrape, 4 s rate window): a LiveChecker ticked
 * from PD's stores (on PD's clock) and the subject's store metrics fires and clears each invariant on time — store
 * down with a 12 s heartbeat timeout, high latency with a grace shortened to 5 s, low disk at once — and the same
 * range replayed afterwards from Prometheus (invariantHistory) agrees with what the live checker saw.
 */
import { waitFor } from '../../../src/embedded/prometheus';
import { STORE_HEARTBEAT_MS } from '../../../src/simulator/cluster';
import { liveStore } from '../../../src/server/checker';
import {
  LiveChecker,
  type LiveObservation,
  type LiveViolation,
} from '../../../src/subject/tikv/invariants/live';
import { invariantHistory } from '../../../src/subject/tikv/invariants/history';
import { DEFAULT_RULES, resolveRules } from '../../../src/subject/tikv/invariants/rules';
import { InstanceDirectory } from '../../../src/subject/tikv/instances';
import type { StoreMetricName, StoreMetricsResult } from '../../../src/subject/tikv/observations/storeMetrics';
import type { InvariantName } from '../../../src/shared/names';
import { type LiveStack, startLiveStack } from '../subject/liveStack';

/** Above the simulator's heartbeat interval (plus the Date header's second), so running stores never look down. */
const HEARTBEAT_TIMEOUT_S = STORE_HEARTBEAT_MS / 1000 + 2;
const LATENCY_GRACE_S = 5;
const RULES = resolveRules(DEFAULT_RULES, {
  store_down: { heartbeatTimeoutSeconds: HEARTBEAT_TIMEOUT_S },
  high_latency: { graceSeconds: LATENCY_GRACE_S },
});

let stack: LiveStack;

beforeAll(async () => {
  stack = await startLiveStack({ stores: 3, regions: 200, seed: 21, rateWindow: '4s' });
  await stack.waitForScrapes(
    stack.sim.cluster.stores.map((s) => s.statusAddress),
    5
  );
});

afterAll(async () => {
  await stack?.close();
});

afterEach(() => {
  stack.sim.recoverAll();
});

function byStore(r: StoreMetricsResult | undefined, metric: StoreMetricName): Map<number, number> | undefined {
  if (!r) {
    return undefined;
  }
  const out = new Map<number, number>();
  for (const s of r.series) {
    const last = s.samples.at(-1);
    if (s.metric === metric && s.store_id !== null && last) {
      out.set(s.store_id, last[1]);
    }
  }
  return out;
}

/** One observation as a live loop reads it; a failing upstream is a missing input (a gap), never a throw. */
async function observe(): Promise<LiveObservation> {
  const [stores, schedule, metrics] = await Promise.all([
    stack.pd.getStores({ states: ['Up', 'Offline', 'Tombstone'] }).catch(() => undefined),
    stack.pd.getScheduleConfig().catch(() => undefined),
    stack.subject.getStoreMetrics().catch(() => undefined),
  ]);
  const maxDown = schedule?.data['max-store-down-time'];
  return {
    pdNow: stores?.pdNow ?? Date.now(),
    stores: stores?.data.stores.map(liveStore),
    maxStoreDownMs: typeof maxDown === 'number' ? maxDown * 1000 : undefined,
    p99Seconds: byStore(metrics, 'write_p99_seconds'),
    diskUsedRatio: byStore(metrics, 'disk_used_ratio'),
  };
}

interface Tick {
  at: number;
  violations: LiveViolation[];
}

/** Ticks the checker (every ~200 ms) until `done` holds for a tick's violations; returns that tick. */
async function tickUntil(
  checker: LiveChecker,
  what: string,
  done: (vs: LiveViolation[]) => boolean,
  timeoutMs: number,
  log: Tick[] = []
) {
  return waitFor(
    what,
    async () => {
      const obs = await observe();
      const at = Date.now();
      const violations = checker.tick(obs, at);
      log.push({ at, violations });
      return done(violations) ? { at, violations } : undefined;
    },
    timeoutMs
  );
}

/** Live and past agree within the rate window plus one step (1 s scrape, 4 s window). */
const PAST_TOLERANCE_MS = 4000 + 1000;

/** The same range evaluated afterwards from Prometheus (invariantHistory), once the violation there has ended. */
async function pastViolation(invariant: InvariantName, storeId: number, from: number) {
  const stores = await stack.pd.getStores({ states: ['Up', 'Offline', 'Tombstone'] });
  const directory = new InstanceDirectory(stores.data.stores, 'status_address');
  return waitFor(
    `the past ${invariant} of store ${storeId} to have ended in Prometheus`,
    async () => {
      const past = await invariantHistory({
        prometheus: stack.prometheus,
        rules: RULES,
        range: { from, to: Date.now() },
        window: '4s',
        scrapeIntervalMs: 1000,
        resolveInstance: (instance) => directory.byInstance(instance),
        invariants: [invariant],
      });
      return past.length === 1 && !past[0].active ? past : undefined;
    },
    10_000
  ).then(([v]) => {
    expect(v).toMatchObject({ store_id: storeId, address: stack.sim.cluster.store(storeId)!.address });
    return v;
  });
}

const find = (vs: LiveViolation[], invariant: InvariantName, storeId: number) =>
  vs.find((v) => v.invariant === invariant && v.store_id === storeId);

it("fires store down for a stopped store once its heartbeat is older than the timeout on PD's clock, and clears on restart; the past reads it from up == 0", async () => {
  // PD's clock an hour behind ours: only ages measured on PD's own clock are right.
  stack.sim.setPdClockOffset(-3_600_000);
  const checker = new LiveChecker({ rules: RULES });
  const quiet: Tick[] = [];
  await tickUntil(checker, 'three quiet ticks', () => quiet.length >= 3, 10_000, quiet);
  expect(quiet.flatMap((t) => t.violations)).toEqual([]);

  const st = stack.sim.cluster.store(2)!;
  const stoppedAt = Date.now();
  stack.sim.stopStore(2);
  const lastHeartbeat = stack.sim.cluster.lastHeartbeatMs(st, Date.now());
  const log: Tick[] = [];
  const fired = await tickUntil(checker, 'store 2 down', (vs) => find(vs, 'store_down', 2) !== undefined, 20_000, log);

  // PD's Date header has whole seconds: it can read up to 1 s behind, so the age crosses the timeout up to 1 s late.
  expect(fired.at).toBeGreaterThan(lastHeartbeat + HEARTBEAT_TIMEOUT_S * 1000);
  expect(fired.at).toBeLessThan(lastHeartbeat + HEARTBEAT_TIMEOUT_S * 1000 + 1000 + 1500);
  const v = find(fired.violations, 'store_down', 2)!;
  expect(v).toMatchObject({ severity: 'critical', active: true, threshold: HEARTBEAT_TIMEOUT_S, address: st.address });
  expect(v.first_seen).toBe(fired.at);
  expect(v.value).toBeGreaterThan(HEARTBEAT_TIMEOUT_S);
  expect(v.value).toBeLessThan(HEARTBEAT_TIMEOUT_S + 3);
  // PD itself declares it Down after max-store-down-time (30 min by default).
  expect(v.seconds_until_pd_down).toBeCloseTo(1800 - v.value, -1);
  expect(fired.violations.filter((x) => x.invariant === 'store_down')).toHaveLength(1);

  // PD answering garbage is a gap: the violation neither clears nor moves.
  stack.sim.addPdFault({ path: '/stores', kind: 'garbage' });
  const during: Tick[] = [];
  await tickUntil(checker, 'two ticks without PD', () => during.length >= 2, 10_000, during);
  for (const t of during) {
    expect(find(t.violations, 'store_down', 2)).toMatchObject({ first_seen: v.first_seen, active: true });
  }
  stack.sim.clearPdFaults();

  stack.sim.startStore(2);
  const restarted = Date.now();
  const cleared = await tickUntil(checker, 'store 2 up again', (vs) => find(vs, 'store_down', 2) === undefined, 5000);
  expect(cleared.at - restarted).toBeLessThan(2000);

  // In the past, store down comes from the scrape liveness: up == 0 from the stop to the restart.
  const past = await pastViolation('store_down', 2, stoppedAt - 10_000);
  expect(past).toMatchObject({ value: 0, threshold: 0 });
  expect(Math.abs(past.first_seen - stoppedAt)).toBeLessThanOrEqual(2000);
  expect(Math.abs(past.last_seen - restarted)).toBeLessThanOrEqual(2000);
});

it('fires high latency only after the (shortened) 5 s grace, with the onset as first_seen, and clears when latency recovers; the past agrees', async () => {
  const checker = new LiveChecker({ rules: RULES });
  await tickUntil(checker, 'a quiet tick', (vs) => vs.length === 0, 5000);

  const spikeAt = Date.now();
  stack.sim.setLatency(1, 300);
  const log: Tick[] = [];
  const fired = await tickUntil(
    checker,
    'high latency on store 1',
    (vs) => find(vs, 'high_latency', 1) !== undefined,
    20_000,
    log
  );
  const v = find(fired.violations, 'high_latency', 1)!;
  expect(v).toMatchObject({ severity: 'warning', threshold: 0.1, active: true });
  // Onset: after the spike, once a scrape of it is in the rate window.
  expect(v.first_seen).toBeGreaterThanOrEqual(spikeAt);
  expect(v.first_seen - spikeAt).toBeLessThan(4000);
  // Not before the grace ran out, and at the first tick after it.
  expect(fired.at - v.first_seen).toBeGreaterThanOrEqual(LATENCY_GRACE_S * 1000);
  const lastQuiet = log.at(-2)!;
  expect(lastQuiet.at - v.first_seen).toBeLessThan(LATENCY_GRACE_S * 1000);
  expect(v.value).toBeGreaterThan(0.1);
  expect(v.value).toBeLessThanOrEqual(0.3 * 1.05);

  stack.sim.setLatency(1, undefined);
  const recovered = Date.now();
  const tail: Tick[] = [];
  const cleared = await tickUntil(
    checker,
    'latency of store 1 back to normal',
    (vs) => find(vs, 'high_latency', 1) === undefined,
    15_000,
    tail
  );
  // The 4 s rate window still holds the spike for up to 4 s, plus a scrape.
  expect(cleared.at - recovered).toBeLessThan(8000);
  const liveLastSeen = find(tail.at(-2)?.violations ?? fired.violations, 'high_latency', 1)!.last_seen;

  // The past, replayed from Prometheus with the same rules, finds the same violation.
  const past = await pastViolation('high_latency', 1, spikeAt - 10_000);
  expect(Math.abs(past.first_seen - v.first_seen)).toBeLessThanOrEqual(PAST_TOLERANCE_MS);
  expect(Math.abs(past.last_seen - liveLastSeen)).toBeLessThanOrEqual(PAST_TOLERANCE_MS);
});

it('fires low disk at once (no grace) and clears when space is freed; the past agrees', async () => {
  const checker = new LiveChecker({ rules: RULES });
  await tickUntil(checker, 'a quiet tick', (vs) => vs.length === 0, 5000);

  const filledAt = Date.now();
  stack.sim.fillDisk(3, 85);
  const fired = await tickUntil(checker, 'low disk on store 3', (vs) => find(vs, 'low_disk', 3) !== undefined, 10_000);
  // One scrape (1 s) and one tick.
  expect(fired.at - filledAt).toBeLessThan(3500);
  const v = find(fired.violations, 'low_disk', 3)!;
  expect(v).toMatchObject({
    severity: 'warning',
    threshold: 0.7,
    active: true,
    first_seen: fired.at,
    last_seen: fired.at,
  });
  expect(v.value).toBeCloseTo(0.85, 6);
  expect(fired.violations.filter((x) => x.invariant !== 'low_disk')).toEqual([]);

  stack.sim.fillDisk(3, undefined);
  const freedAt = Date.now();
  const cleared = await tickUntil(
    checker,
    'disk of store 3 back to normal',
    (vs) => find(vs, 'low_disk', 3) === undefined,
    10_000
  );
  expect(cleared.at - freedAt).toBeLessThan(3500);

  const past = await pastViolation('low_disk', 3, filledAt - 10_000);
  expect(past.value).toBeCloseTo(0.85, 6);
  expect(Math.abs(past.first_seen - v.first_seen)).toBeLessThanOrEqual(2000);
  expect(Math.abs(past.last_seen - freedAt)).toBeLessThanOrEqual(2000);
});
