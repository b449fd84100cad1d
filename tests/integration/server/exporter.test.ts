/**
 * The exporter over HTTP against the simulator, with Prometheus down (PROMETHEUS_URL at a closed port): store down
 * is judged from PD's heartbeats alone, shows as a violation series after the fault and disappears after recovery.
 */
import { freePort, waitFor } from '../../../src/embedded/prometheus';
import { startBackend, type TestBackend } from '../../support/backend';

const METRICS_TOKEN = 'metrics-token-5f2a9c';
/** Above the simulator's 10 s heartbeat interval, so running stores never look down. */
const TIMEOUT_SECONDS = 12;

let b: TestBackend;

beforeAll(async () => {
  b = await startBackend({
    env: {
      PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}`,
      STORE_DOWN_HEARTBEAT_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
      CHECK_INTERVAL: '300ms',
      UPSTREAM_TIMEOUT_MS: '1000',
      METRICS_TOKEN,
    },
  });
});
afterAll(() => b.close());

const metrics = async () => {
  const res = await b.request('GET', '/metrics', { token: METRICS_TOKEN });
  expect(res.status).toBe(200);
  return res.text;
};
const violationLine = (text: string, storeId: number) =>
  text.split('\n').find((l) => l.startsWith('tikv_operator_invariant_violation{') && l.includes(`store_id="${storeId}"`));

test('a stopped store shows as a store_down violation in the exporter, from PD alone, and is dropped after recovery', async () => {
  expect(violationLine(await metrics(), 2)).toBeUndefined();
  b.sim.stopStore(2, { secondsAgo: 30 });

  const line = await waitFor('store_down of store 2 in /metrics', async () => violationLine(await metrics(), 2), 10_000);
  const address = b.sim.cluster.store(2)!.address;
  expect(line).toBe(
    `tikv_operator_invariant_violation{cluster="default",invariant="store_down",store_id="2",address="${address}",severity="critical",maintenance="false"} 1`
  );
  const text = await metrics();
  const firstSeen = text
    .split('\n')
    .find((l) => l.startsWith('tikv_operator_invariant_violation_first_seen_seconds{') && l.includes('store_id="2"'));
  const onset = Number(firstSeen?.split(' ').pop());
  expect(onset).toBeGreaterThan(Date.now() / 1000 - 60);
  expect(onset).toBeLessThanOrEqual(Date.now() / 1000);
  // The other stores keep heartbeating: no violation for them.
  expect(violationLine(text, 1)).toBeUndefined();
  expect(violationLine(text, 3)).toBeUndefined();

  b.sim.startStore(2);
  await waitFor('store 2 gone from /metrics', async () => (violationLine(await metrics(), 2) === undefined ? true : undefined), 10_000);
});

test('the exporter counts checks and the upstream errors of the Prometheus that is down', async () => {
  const text = await waitFor('a partial check', async () => {
    const t = await metrics();
    return /tikv_operator_check_runs_total\{result="partial"\} [1-9]/.test(t) ? t : undefined;
  });
  expect(text).toMatch(/tikv_operator_upstream_errors_total\{upstream="prometheus",source="checker"\} [1-9]/);
  expect(text).not.toMatch(/tikv_operator_upstream_errors_total\{upstream="pd"/);
  expect(text).toMatch(/tikv_operator_check_duration_seconds_count\{result="partial"\} [1-9]/);
  expect(text).toMatch(/^process_cpu_user_seconds_total /m);
});

test('PD answering garbage is counted as a PD error and the loop keeps checking', async () => {
  const runs = (t: string) =>
    [...t.matchAll(/^tikv_operator_check_runs_total\{result="[a-z]+"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  b.sim.addPdFault({ path: '/stores', kind: 'garbage' });
  try {
    const text = await waitFor('a PD error counted', async () => {
      const t = await metrics();
      return /tikv_operator_upstream_errors_total\{upstream="pd",source="checker"\} [1-9]/.test(t) ? t : undefined;
    });
    const before = runs(text);
    await waitFor('more checks after the PD error', async () => (runs(await metrics()) > before + 1 ? true : undefined));
  } finally {
    b.sim.clearPdFaults();
  }
});

test('with METRICS_TOKEN set, /metrics refuses a scrape without it', async () => {
  expect((await b.request('GET', '/metrics')).status).toBe(401);
  expect((await b.request('GET', '/metrics', { token: 'not-the-token' })).status).toBe(401);
});
