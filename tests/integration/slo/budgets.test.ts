/**
 * SLO budgets through the backend's `POST /api/query` over a real Prometheus holding a backfilled 3 h of metrics
 * (15 s step) with scheduled faults, the stores named by the simulator's PD. Each expected budget is computed here
 * from the fault schedule alone (samples in the window, bad samples the fault spans), not from the backend's code.
 *
 * Windows are 2 h (SLO_*_WINDOW), so the history holds a whole window and a fault before it.
 */
import { type HistoryFault, parseFaultSpec } from '../../../src/simulator/history';
import { type BackfilledPrometheus, startBackfilledPrometheus } from '../../support/backfill';
import { startBackend, type TestBackend } from '../../support/backend';

const STEP = 15_000;
const WINDOW = 2 * 3_600_000;
const FAULTS = [
  // Before the window: must not count.
  'disk:1=90@30m+20m',
  // Inside the window, not in the last hour.
  'down:3@1h30m+10m',
  // Inside the last hour (the burn window).
  'latency:1=300@2h20m+8m',
  'disk:2=85@2h30m+4m',
].join(',');
const OBJECTIVE = { write_latency_p99: 0.9, disk_usage: 0.95, store_availability: 0.9 };
const TOKEN = 'slo-budget-test-token';

let backfilled: BackfilledPrometheus;
let backend: TestBackend;

beforeAll(async () => {
  backfilled = await startBackfilledPrometheus({
    hours: 3,
    stores: 3,
    stepMs: STEP,
    seed: 3,
    regions: 100,
    faults: parseFaultSpec(FAULTS),
  });
  backend = await startBackend({
    stores: 3,
    seed: 3,
    regions: 100,
    deps: { checker: false },
    env: {
      API_TOKEN: TOKEN,
      PROMETHEUS_URL: backfilled.prom.url,
      SCRAPE_INTERVAL: '15s',
      SLO_WRITE_LATENCY_P99_OBJECTIVE: String(OBJECTIVE.write_latency_p99),
      SLO_DISK_USAGE_OBJECTIVE: String(OBJECTIVE.disk_usage),
      SLO_STORE_AVAILABILITY_OBJECTIVE: String(OBJECTIVE.store_availability),
      SLO_WRITE_LATENCY_P99_WINDOW: '2h',
      SLO_DISK_USAGE_WINDOW: '2h',
      SLO_STORE_AVAILABILITY_WINDOW: '2h',
    },
  });
}, 120_000);

afterAll(async () => {
  await backend?.close();
  await backfilled?.close();
});

async function slo(query: Record<string, unknown>, range: { from: number; to: number }) {
  const res = await backend.request('POST', '/api/query', {
    token: TOKEN,
    body: { ...range, queries: [{ refId: 'S', kind: 'slo', ...query }] },
  });
  expect(res.status).toBe(200);
  const result = res.json.results.S;
  expect(result.error).toBeUndefined();
  return result.frames as Array<{
    schema: { fields: Array<{ name: string; labels?: Record<string, string> }>; meta?: any };
    data: { values: unknown[][] };
  }>;
}

function rows(frame: { schema: { fields: Array<{ name: string }> }; data: { values: unknown[][] } }) {
  const names = frame.schema.fields.map((f) => f.name);
  return frame.data.values[0].map((_, i) =>
    Object.fromEntries(names.map((n, k) => [n, frame.data.values[k][i]]))
  ) as Array<Record<string, any>>;
}

/** Samples of the 15 s grid in (a, b]. */
const samplesIn = (a: number, b: number) => Math.floor(b / STEP) - Math.floor(a / STEP);
/** Samples a fault spans inside (a, b] (samples at t with from ≤ t < to are faulty). */
const faultSamples = (f: HistoryFault, a: number, b: number) =>
  Math.max(0, samplesIn(Math.max(a, f.fromMs - 1), Math.min(b, f.toMs - 1)));
const fault = (kind: string, store: number) =>
  backfilled.schedule.faults.find((f) => f.kind === kind && f.store_id === store)!;
const left = (bad: number, valid: number, objective: number) => 1 - bad / valid / (1 - objective);

test('budget: one row per store and SLO, as the fault schedule implies', async () => {
  const end = backfilled.schedule.endMs;
  const [frame] = await slo({}, { from: end - 3_600_000, to: end });
  const byKey = new Map(rows(frame).map((r) => [`${r.store_id} ${r.slo}`, r]));
  expect([...byKey.keys()].sort()).toEqual(
    [1, 2, 3].flatMap((id) => ['disk_usage', 'store_availability', 'write_latency_p99'].map((s) => `${id} ${s}`)).sort()
  );
  const start = end - WINDOW;
  const all = samplesIn(start, end); // 480
  const lastHour = samplesIn(end - 3_600_000, end); // 240

  // Disk, store 2: 4 min over 70 % inside the last hour.
  const disk2 = faultSamples(fault('disk', 2), start, end);
  expect(disk2).toBe(16);
  const d2 = byKey.get('2 disk_usage')!;
  expect(d2.objective).toBe(0.95);
  expect(d2.attainment).toBeCloseTo(1 - disk2 / all, 9);
  expect(d2.budget_left).toBeCloseTo(left(disk2, all, 0.95), 9);
  expect(d2.burn_rate).toBeCloseTo(disk2 / lastHour / 0.05, 9);
  expect(d2.budget_spent_seconds).toBe(disk2 * 15);
  expect(d2.budget_total_seconds).toBeCloseTo(0.05 * all * 15, 6);
  expect(d2.coverage).toBeCloseTo(1, 9);

  // Disk, store 1: its fault ended before the window began.
  expect(byKey.get('1 disk_usage')).toMatchObject({ budget_left: 1, attainment: 1, burn_rate: 0 });

  // Availability, store 3: `up` was 0 for 10 min, an hour before the end (no burn now).
  const down3 = faultSamples(fault('down', 3), start, end);
  expect(down3).toBe(40);
  const a3 = byKey.get('3 store_availability')!;
  expect(a3.budget_left).toBeCloseTo(left(down3, all, 0.9), 9);
  expect(a3.burn_rate).toBe(0);

  // Disk, store 3 while down: no size series. Prometheus' 5 min lookback bridges the first 5 min; the rest is a gap
  // that counts as neither good nor bad — coverage drops, the budget does not.
  const d3 = byKey.get('3 disk_usage')!;
  const gap = down3 - (5 * 60_000) / STEP;
  expect(d3.budget_left).toBe(1);
  expect(d3.coverage * all).toBeGreaterThanOrEqual(all - gap - 1);
  expect(d3.coverage * all).toBeLessThanOrEqual(all - gap + 1);

  // Latency, store 1: P99 over 100 ms for the fault's 32 samples, plus the ≤ 3 samples its 1 m rate lingers.
  const lat1 = faultSamples(fault('latency', 1), start, end);
  expect(lat1).toBe(32);
  const l1 = byKey.get('1 write_latency_p99')!;
  const spent = l1.budget_spent_seconds / 15;
  expect(spent).toBeGreaterThanOrEqual(lat1);
  expect(spent).toBeLessThanOrEqual(lat1 + 3);
  expect(l1.budget_left).toBeCloseTo(left(spent, all, 0.9), 9);

  // The untouched: latency of stores 2 and 3, availability of 1 and 2.
  for (const key of ['2 write_latency_p99', '1 store_availability', '2 store_availability']) {
    expect([key, byKey.get(key)!.budget_left]).toEqual([key, 1]);
  }
});

test('storeIds and slos narrow the rows', async () => {
  const end = backfilled.schedule.endMs;
  const [frame] = await slo({ slos: ['disk_usage'], storeIds: [2] }, { from: end - 60_000, to: end });
  expect(rows(frame).map((r) => [r.store_id, r.slo])).toEqual([[2, 'disk_usage']]);
});

test('timeseries: budget left of the window ending at each point; a fault leaves the window 2 h after it', async () => {
  const end = backfilled.schedule.endMs;
  const frames = await slo(
    { slos: ['disk_usage'], format: 'timeseries', storeIds: [1] },
    { from: end - 3_600_000, to: end }
  );
  expect(frames).toHaveLength(1);
  const [time, , budget] = frames[0].data.values as [number[], unknown, number[]];
  expect(frames[0].schema.fields[2].labels).toMatchObject({ store_id: '1', slo: 'disk_usage' });
  // At end − 1 h the window (end − 3 h, end − 1 h] holds store 1's 20 min disk fault; at the end it does not.
  const first = time[0];
  expect(first).toBeGreaterThanOrEqual(end - 3_600_000);
  const f = fault('disk', 1);
  const all = samplesIn(first - WINDOW, first);
  const bad = faultSamples(f, first - WINDOW, first);
  expect(bad).toBe(80);
  // The history starts 3 h before the end: the window at `first` may reach before the first sample.
  expect(budget[0]).toBeLessThan(0);
  expect(budget[0]).toBeGreaterThanOrEqual(left(bad, all - 4, 0.95) - 1e-9);
  expect(budget[0]).toBeLessThanOrEqual(left(bad, all, 0.95) + 1e-9);
  expect(budget[budget.length - 1]).toBe(1);
  expect(time[time.length - 1]).toBe(end);
});

test('a bad slo query is a 400 naming the field; without Prometheus the query says it is not configured', async () => {
  const end = backfilled.schedule.endMs;
  const bad = await backend.request('POST', '/api/query', {
    token: TOKEN,
    body: { from: end - 60_000, to: end, queries: [{ refId: 'S', kind: 'slo', slos: ['uptime'] }] },
  });
  expect(bad.status).toBe(400);
  expect(bad.json.code).toBe('TKO_ERR_BAD_QUERY');
  expect(bad.json.message).toMatch(/slos/);
  const format = await backend.request('POST', '/api/query', {
    token: TOKEN,
    body: { from: end - 60_000, to: end, queries: [{ refId: 'S', kind: 'slo', format: 'timeline' }] },
  });
  expect(format.status).toBe(400);
  expect(format.json.message).toMatch(/format/);

  const noProm = await startBackend({ stores: 1, deps: { checker: false }, env: { API_TOKEN: TOKEN } });
  try {
    const res = await noProm.request('POST', '/api/query', {
      token: TOKEN,
      body: { from: end - 60_000, to: end, queries: [{ refId: 'S', kind: 'slo' }] },
    });
    expect(res.status).toBe(200);
    expect(res.json.results.S).toMatchObject({ status: 502, error: expect.stringMatching(/PROMETHEUS_URL/) });
  } finally {
    await noProm.close();
  }
});
