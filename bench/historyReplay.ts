/**
 * (b) Invariant history over 6 h × 100 stores, and (g) the largest history that fits this machine, 6 h × 300 stores:
 * `POST /api/query` (kind invariant, every invariant, violations) against a real Prometheus holding a backfilled
 * history, versus the Prometheus work that answer needs: the very requests the backend sends (range and instant
 * queries, recorded by one run through a counting proxy), fetched and parsed directly, at most 4 at a time as the
 * backend sends them (but without waiting for one pass to finish before the next). PD (for store ids) is a
 * simulator with as many stores in its own process; the backend's cache is off.
 */
import { parseFaultSpec } from '../src/simulator/history';
import { startPrometheus } from '../src/embedded/prometheus';
import { startBenchBackend } from './backend';
import { startCountingProxy } from './countingProxy';
import { cachedHistory } from './historyCache';
import { getJson } from './http';
import { startSimulatorProcess } from './simulatorProcess';
import { measurePair, ms, type Result, timing } from './stats';

const STEP_MS = 15_000;
/** A few faults, so the replay finds violations of every invariant. */
const FAULTS = 'down:7@1h+20m, latency:13=250@2h+15m, disk:42=85@3h+1h, down:77@5h+3m';
const TARGET_RATIO = 1.1;
/** The backend's limit of Prometheus requests in flight (history.ts), applied to the baseline too. */
const CONCURRENCY = 4;

export const historyReplay = (): Promise<Result[]> => replayScenario('b', 6, 100, FAULTS);
export const largestHistory = (): Promise<Result[]> =>
  replayScenario('g', 6, 300, `${FAULTS}, latency:250=300@4h+30m, down:299@30m+10m`);

async function replayScenario(letter: string, HOURS: number, STORES: number, faults: string): Promise<Result[]> {
  console.log(`\n(${letter}) invariant history over ${HOURS} h × ${STORES} stores: backend vs the Prometheus queries it needs`);
  const history = await cachedHistory({ hours: HOURS, stores: STORES, stepMs: STEP_MS, seed: 1, faults: parseFaultSpec(faults) });
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
    // Replay states off: the same range is asked again and again, which (f) measures; here every answer is cold.
    const env = {
      PD_URL: sim.pdUrl,
      SCRAPE_INTERVAL: '15s',
      CACHE_TTL_MS: '0',
      UPSTREAM_TIMEOUT_MS: '120000',
      HISTORY_STATE_MAX_ENTRIES: '0',
    };
    const { startMs, endMs } = history.schedule;
    const body = { from: startMs, to: endMs, queries: [{ refId: 'A', kind: 'invariant', invariants: [], format: 'violations' }] };

    // Record the range queries the backend sends.
    const proxy = await startCountingProxy(prom.url);
    closers.push(() => proxy.close());
    const recorder = await startBenchBackend({ ...env, PROMETHEUS_URL: proxy.url });
    closers.push(() => recorder.close());
    const first = await recorder.query(body);
    const urls = proxy.requests.filter((r) => r.url.startsWith('/api/v1/query')).map((r) => r.url);
    const frame = first.results.A.frames[0] as { data: { values: unknown[][] } } | undefined;
    console.log(`  ${urls.length} Prometheus queries per answer; ${frame?.data.values[0]?.length ?? 0} violations found`);
    if (urls.length === 0) {
      throw new Error('the backend sent no query to Prometheus');
    }

    const backend = await startBenchBackend({ ...env, PROMETHEUS_URL: prom.url });
    closers.push(() => backend.close());
    const raw = async () => {
      let next = 0;
      const worker = async () => {
        while (next < urls.length) {
          const u = urls[next++];
          const answer = (await getJson(prom.url + u)) as { status: string };
          if (answer.status !== 'success') {
            throw new Error(`Prometheus answered ${answer.status} to ${u}`);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    };
    // Prometheus computes each answer for seconds here, so a few alternating pairs within a time budget.
    const { baseline: base, subject: back } = await measurePair(raw, () => backend.query(body), {
      warmup: 1,
      iterations: 30,
      minIterations: 3,
      budgetMs: 60_000,
    });
    const ratio = back.medianMs / base.medianMs;
    console.log(`  its queries:       ${timing(base)}`);
    console.log(`  backend:           ${timing(back)}`);
    console.log(`  added ${ms(back.medianMs - base.medianMs)} (median), ratio ${ratio.toFixed(2)}×`);
    return [
      {
        scenario: `(${letter}) invariant history ${HOURS} h × ${STORES} stores`,
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
