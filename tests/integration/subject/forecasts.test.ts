/**
 * get_forecasts against a real Prometheus (1 s scrape) scraping the simulator: a simulated disk ramp's 70 % crossing
 * is predicted within 10 % of the true crossing time, a flat disk is "not rising", and PD's Down countdown for a
 * stopped store matches the moment PD (the simulator) marks it Down within one check interval.
 */
import { waitFor } from '../../../src/embedded/prometheus';
import { observationFrames } from '../../../src/subject/tikv/frames/observations';
import { TiKVSubject } from '../../../src/subject/tikv/subject';
import { type LiveStack, startLiveStack } from './liveStack';

/** The live checker's period this test holds the countdown to (tests/support/backend.ts runs it at 1 s). */
const CHECK_INTERVAL_MS = 1000;
const SCRAPE_MS = 1000;
/** Store 1's disk: set to 30 % used, then a linear ramp to 95 % over 240 s (crosses 70 % after ~148 s). */
const RAMP = { from: 0.3, to: 0.95, seconds: 240 };

let stack: LiveStack;
let subject: TiKVSubject;
let rampStart: number;

beforeAll(async () => {
  stack = await startLiveStack({ stores: 3, regions: 100, seed: 3 });
  // The ramp starts before Prometheus' first scrapes, so every sample of the window lies on it.
  stack.sim.fillDisk(1, RAMP.from * 100);
  stack.sim.fillDisk(1, RAMP.to * 100, { rampSeconds: RAMP.seconds });
  rampStart = stack.sim.cluster.store(1)!.disk!.startAt;
  subject = new TiKVSubject({ pd: stack.pd, prometheus: stack.prometheus, scrapeIntervalMs: SCRAPE_MS });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

/** When the ramp crosses `level`, epoch ms. */
const trueCrossing = (level: number) => rampStart + ((level - RAMP.from) / (RAMP.to - RAMP.from)) * RAMP.seconds * 1000;

test("PD's Down countdown for a stopped store lands within one check interval of PD marking it Down", async () => {
  await stack.pd.updateConfig({ 'max-store-down-time': '35s' });
  // 25 s without a heartbeat: Disconnected (PD: 20 s), 10 s before Down.
  stack.sim.stopStore(3, { secondsAgo: 25 });
  try {
    // The countdown is as of PD's answer, which comes first (the Prometheus queries follow it).
    const asked = Date.now();
    const f = await subject.getForecasts({ storeIds: [2, 3] });
    const row = f.rows.find((r) => r.store_id === 3)!;
    expect(row.down_in_seconds).not.toBeNull();
    expect(row.down_in_seconds!).toBeGreaterThan(5);
    expect(row.down_in_seconds!).toBeLessThanOrEqual(11);
    expect(f.rows.find((r) => r.store_id === 2)!.down_in_seconds).toBeNull();
    const predicted = asked + row.down_in_seconds! * 1000;

    const downAt = await waitFor(
      'PD to mark store 3 Down',
      async () => ((await stack.pd.getStore(3)).data.store.state_name === 'Down' ? Date.now() : undefined),
      20_000
    );
    expect(Math.abs(downAt - predicted)).toBeLessThanOrEqual(CHECK_INTERVAL_MS);
    const after = await subject.getForecasts({ storeIds: [3] });
    expect(after.rows[0].down_in_seconds).toBe(0);
  } finally {
    stack.sim.startStore(3);
    await stack.pd.updateConfig({ 'max-store-down-time': '30m' });
  }
}, 40_000);

test('a disk ramp: the 70 % crossing within 10 % of the truth once a minute of samples is in; a flat disk is not rising', async () => {
  // A finite time only once the window holds a minute of samples.
  const early = await subject.getForecasts({ storeIds: [1], window: '2m' });
  if ((Date.now() - rampStart) / 1000 < 55) {
    expect(early.rows[0].times.time_to_70_seconds).toBeNull();
  }
  const frames = await waitFor(
    'a forecast for store 1',
    async () => {
      const f = await observationFrames(
        subject,
        { refId: 'F', kind: 'observation', observation: 'get_forecasts', window: '2m', horizon: '24h' },
        { from: Date.now() - 60_000, to: Date.now(), intervalMs: 1000, maxDataPoints: 100 }
      );
      const values = f[0].data!.values!;
      const i = f[0].schema!.fields.findIndex((x) => x.name === 'time_to_70_seconds');
      return values[i][0] !== null ? f : undefined;
    },
    90_000
  );
  const [frame] = frames;
  const fields = frame.schema!.fields;
  expect(fields.map((x) => x.name)).toEqual([
    'store_id',
    'address',
    'used_ratio',
    'time_to_70_seconds',
    'time_to_80_seconds',
    'time_to_100_seconds',
    'confidence',
    'down_in_seconds',
  ]);
  const unit = (name: string) => fields.find((x) => x.name === name)!.config?.unit;
  expect([unit('used_ratio'), unit('time_to_70_seconds'), unit('confidence'), unit('down_in_seconds')]).toEqual([
    'percentunit',
    's',
    'percentunit',
    's',
  ]);
  const row = Object.fromEntries(fields.map((x, i) => [x.name, frame.data!.values![i] as any[]]));
  const at = (frame.schema!.meta!.custom as { at: number }).at;
  const storeIndex = (row.store_id as number[]).indexOf(1);
  const predicted70 = at + (row.time_to_70_seconds[storeIndex] as number) * 1000;
  const truth70 = trueCrossing(0.7);
  expect(Math.abs(predicted70 - truth70)).toBeLessThanOrEqual(0.1 * (truth70 - at));
  const predicted80 = at + (row.time_to_80_seconds[storeIndex] as number) * 1000;
  expect(Math.abs(predicted80 - trueCrossing(0.8))).toBeLessThanOrEqual(0.1 * (trueCrossing(0.8) - at));
  // The ramp stops at 95 %, but a straight line through it reaches 100 %: a trend, not the ramp's plan.
  expect(row.time_to_100_seconds[storeIndex]).toBeGreaterThan(row.time_to_80_seconds[storeIndex]);
  expect(row.confidence[storeIndex]).toBeGreaterThan(0.3);
  expect(row.down_in_seconds[storeIndex]).toBeNull();

  // With a horizon, the crossings within it are annotation regions from now to the crossing (forecast warnings).
  const warnings = frames.find((f) => f.schema!.name === 'forecast_warnings')!;
  const w = Object.fromEntries(warnings.schema!.fields.map((x, i) => [x.name, warnings.data!.values![i] as any[]]));
  const to70 = (w.title as string[]).findIndex((t) => t.startsWith('Store 1: disk reaches 70 % in'));
  expect(to70).toBeGreaterThanOrEqual(0);
  expect(w.time[to70]).toBe(at);
  expect(Math.abs(w.timeEnd[to70] - truth70)).toBeLessThanOrEqual(0.1 * (truth70 - at));
  expect(w.tags[to70]).toBe('forecast,disk 70 %,store 1');
  // The flat store warns of nothing.
  expect((w.title as string[]).some((t) => t.startsWith('Store 2:'))).toBe(false);

  // The default 6 h window holds the same minute of samples: the same finite time, with low confidence shown.
  const wide = await subject.getForecasts({ storeIds: [1, 2] });
  const one = wide.rows.find((r) => r.store_id === 1)!;
  expect(one.times.time_to_70_seconds).not.toBeNull();
  expect(one.confidence!).toBeGreaterThan(0);
  expect(one.confidence!).toBeLessThan(0.02);
  // Store 2's disk is flat: not rising.
  const flat = wide.rows.find((r) => r.store_id === 2)!;
  expect(flat.used_ratio).not.toBeNull();
  expect(flat.times).toEqual({ time_to_70_seconds: null, time_to_80_seconds: null, time_to_100_seconds: null });
}, 120_000);
