/**
 * Issue 11 item 5 through the query route: a `now-24h → now` invariant panel refreshed every 30 s resumes the
 * backend's kept replay state (fewer Prometheus requests) and answers exactly what a backend without states
 * answers. Prometheus is the stand-in over HTTP (tests/support/standInServer.ts), PD the simulator.
 */
import { StandInEvaluator } from '../../support/standInPrometheus';
import { type StandInServer, startStandInServer } from '../../support/standInServer';
import { startBackend, type TestBackend } from '../../support/backend';

const DAY = 86_400_000;
const STEP = 15_000;
let standIn: StandInServer;
let evaluator: StandInEvaluator;
let warm: TestBackend;
let cold: TestBackend;

beforeAll(async () => {
  const end = Math.floor(Date.now() / STEP) * STEP;
  evaluator = new StandInEvaluator({
    // The simulator's stores scrape as 127.0.0.1:<port>; unknown instances show as store 0, which is enough here.
    up: {
      'tikv-1:20180': (t) => (t > end - 3 * 3_600_000 && t < end - 3_600_000 ? 0 : 1),
      'tikv-2:20180': (t) => (t > end - 30 * DAY ? 0 : 1), // down all along: its onset moves with `from`
    },
    disk: { 'tikv-3:20180': (t) => (t > end - 5 * 60_000 ? 0.9 : 0.5) },
  });
  standIn = await startStandInServer(evaluator);
  const env = { PROMETHEUS_URL: standIn.url, SCRAPE_INTERVAL: '15s', CACHE_TTL_MS: '0', CHECK_INTERVAL: '1h' };
  warm = await startBackend({ env });
  cold = await startBackend({ env: { ...env, HISTORY_STATE_MAX_ENTRIES: '0' } });
});

afterAll(async () => {
  await warm?.close();
  await cold?.close();
  await standIn?.close();
});

test('a refreshing 24 h panel resumes its replay state and answers as a cold replay', async () => {
  const end = Math.floor(Date.now() / STEP) * STEP;
  const ask = async (b: TestBackend, to: number) => {
    const before = evaluator.calls.length;
    const r = await b.request('POST', '/api/query', {
      body: {
        from: to - DAY,
        to,
        queries: [{ refId: 'A', kind: 'invariant', invariants: ['store_down', 'low_disk'], format: 'violations' }],
      },
    });
    expect(r.status).toBe(200);
    expect(r.json.results.A.error).toBeUndefined();
    // The earliest time the coarse pass (which scans for violations) asked about.
    const coarse = evaluator.calls.slice(before).filter((c) => c.expr.startsWith('count_over_time(('));
    return { frames: r.json.results.A.frames, scannedFrom: Math.min(...coarse.map((c) => c.start)) };
  };
  const first = await ask(warm, end);
  for (let k = 1; k <= 3; k++) {
    const to = end + k * 30_000;
    const refreshed = await ask(warm, to);
    const replayed = await ask(cold, to);
    expect(refreshed.frames).toEqual(replayed.frames);
    // The refresh scans only the new window and the 10 min overlap; a cold replay scans the whole day.
    expect(refreshed.scannedFrom).toBeGreaterThan(to - 15 * 60_000);
    expect(replayed.scannedFrom).toBeLessThan(to - DAY + 5 * 60_000);
  }
  expect(first.frames[0].data.values[0]).toHaveLength(3);
});
