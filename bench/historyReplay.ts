/**
 * (b) Invariant history over 6 h × 100 stores: `POST /api/query` (kind invariant, every invariant, violations)
 * against a real Prometheus holding a backfilled history, versus the raw Prometheus range queries that answer needs,
 * fetched and parsed directly. The raw queries are the very ones the backend sends: one run through a counting proxy
 * records them. PD (for store ids) is a 100-store simulator in its own process; the backend's cache is off.
 */
import { parseFaultSpec } from '../src/simulator/history';
import { startPrometheus } from '../src/embedded/prometheus';
import { startBenchBackend } from './backend';
import { startCountingProxy } from './countingProxy';
import { cachedHistory } from './historyCache';
import { getJson } from './http';
import { startSimulatorProcess } from './simulatorProcess';
import { measurePair, ms, type Result, timing } from './stats';

const HOURS = 6;
const STORES = 100;
const STEP_MS = 15_000;
/** A few faults, so the replay finds violations of every invariant. */
const FAULTS = 'down:7@1h+20m, latency:13=250@2h+15m, disk:42=85@3h+1h, down:77@5h+3m';
const TARGET_RATIO = 1.1;

export async function historyReplay(): Promise<Result[]> {
  console.log(`\n(b) invariant history over ${HOURS} h × ${STORES} stores: backend vs the raw Prometheus range queries`);
  const history = await cachedHistory({ hours: HOURS, stores: STORES, stepMs: STEP_MS, seed: 1, faults: parseFaultSpec(FAULTS) });
  console.log(
    history.backfillMs > 0
      ? `  backfilled in ${(history.backfillMs / 1000).toFixed(1)} s (cached for later runs)`
      : `  history from the cache (${history.dataDir})`
  );
  const closers: Array<() => Promise<void>> = [];
  try {
    const prom = await startPrometheus({ dataDir: history.dataDir, retention: '3650d', interval: '15s' });
    closers.push(() => prom.stop());
    const sim = await startSimulatorProcess({ stores: STORES, regions: 1000 });
    closers.push(() => sim.close());
    // Prometheus needs seconds for the latency quantile over 6 h of 2,100 bucket series: a longer upstream timeout.
    const env = { PD_URL: sim.pdUrl, SCRAPE_INTERVAL: '15s', CACHE_TTL_MS: '0', UPSTREAM_TIMEOUT_MS: '120000' };
    const { startMs, endMs } = history.schedule;
    const body = { from: startMs, to: endMs, queries: [{ refId: 'A', kind: 'invariant', invariants: [], format: 'violations' }] };

    // Record the range queries the backend sends.
    const proxy = await startCountingProxy(prom.url);
    closers.push(() => proxy.close());
    const recorder = await startBenchBackend({ ...env, PROMETHEUS_URL: proxy.url });
    closers.push(() => recorder.close());
    const first = await recorder.query(body);
    const urls = proxy.requests.filter((r) => r.url.startsWith('/api/v1/query_range')).map((r) => r.url);
    const frame = first.results.A.frames[0] as { data: { values: unknown[][] } } | undefined;
    console.log(`  ${urls.length} range queries per answer; ${frame?.data.values[0]?.length ?? 0} violations found`);
    if (urls.length === 0) {
      throw new Error('the backend sent no range query to Prometheus');
    }

    const backend = await startBenchBackend({ ...env, PROMETHEUS_URL: prom.url });
    closers.push(() => backend.close());
    const raw = async () => {
      await Promise.all(
        urls.map(async (u) => {
          const answer = (await getJson(prom.url + u)) as { status: string };
          if (answer.status !== 'success') {
            throw new Error(`Prometheus answered ${answer.status} to ${u}`);
          }
        })
      );
    };
    // Prometheus computes each answer for seconds here, so a few alternating pairs within a time budget.
    const { baseline: base, subject: back } = await measurePair(raw, () => backend.query(body), {
      warmup: 1,
      iterations: 30,
      minIterations: 3,
      budgetMs: 60_000,
    });
    const ratio = back.medianMs / base.medianMs;
    console.log(`  raw range queries: ${timing(base)}`);
    console.log(`  backend:           ${timing(back)}`);
    console.log(`  added ${ms(back.medianMs - base.medianMs)} (median), ratio ${ratio.toFixed(2)}×`);
    return [
      {
        scenario: `(b) invariant history ${HOURS} h × ${STORES} stores`,
        figure: `${ratio.toFixed(2)}× (${ms(back.medianMs)} vs ${ms(base.medianMs)})`,
        target: `≤ ${TARGET_RATIO.toFixed(2)}×`,
        met: ratio <= TARGET_RATIO,
      },
    ];
  } finally {
    for (const c of closers.reverse()) {
      await c().catch((err: unknown) => console.error(`  while stopping: ${String(err)}`));
    }
  }
}
