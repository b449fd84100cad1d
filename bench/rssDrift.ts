/**
 * (h) RSS drift under steady dashboard load (issue 11 item 4, issue 12 item 1): 50 connections send a mix of
 * `get_stores`, a `now-1h → now` invariant `violations` panel and `/api/health` (each connection sending its next
 * request 0.5 s after its last answer) for 60 s against the 1,000-store
 * simulator and a stand-in Prometheus, the backend alone in its own process with its default cache. The range
 * slides with the clock, so every history query is a new cache key: the load that grew the old cache without bound.
 * Baseline: the backend's RSS after a 10 s warm-up of the same load; the figure is the RSS at the end against it.
 * Each is taken with the load paused and the requests in flight answered (then 3 s of quiet, the median of 5
 * samples): what the backend keeps, not what it is working on — on this shared 2-core machine the work in flight
 * swings RSS by ±100 MB. Target: drift ≤ 10 %.
 *
 * The stand-in Prometheus is bench (e)'s (tests/support/standInServer.ts, in this process so its work is not the
 * backend's): it answers the history's query shapes from per-store signals (`instance` = the status address), here
 * healthy stores of which each has a 10-minute P99 latency episode every 3 hours, so the sliding panel always has
 * violations to refine. A run with more than 1 % failed requests does not count: it would not measure this load.
 */
import { Agent, request } from 'undici';

import { StandInEvaluator } from '../tests/support/standInPrometheus';
import { startStandInServer } from '../tests/support/standInServer';
import { type BackendProcess, startBackendProcess } from './backendProcess';
import { episode, HOUR, inEpisode, MIN } from './fleetStory';
import { getJson } from './http';
import { procStatusKb } from './procStatus';
import { startSimulatorProcess } from './simulatorProcess';
import { mb, type Result } from './stats';

const STORES = 1000;
const CONNECTIONS = 50;
const WARMUP_MS = 10_000;
const DURATION_MS = 60_000;
const TARGET_DRIFT = 0.1;
/** More failed requests than this and the run measured another load (cheap errors instead of history work). */
const MAX_ERROR_SHARE = 0.01;
/** Each connection waits this long after an answer before its next request. */
const PACE_MS = 500;

export async function rssDrift(): Promise<Result[]> {
  console.log(
    `\n(h) backend RSS drift: ${DURATION_MS / 1000} s of mixed dashboard load, ${CONNECTIONS} connections, ${STORES} stores`
  );
  const sim = await startSimulatorProcess({ stores: STORES, regions: 10_000 });
  const stores = (await getJson(`${sim.pdUrl}/stores`)) as { stores: Array<{ store: { status_address: string } }> };
  const prom = await startStandInServer(
    new StandInEvaluator(healthySignals(stores.stores.map((s) => s.store.status_address)))
  );
  let backend: BackendProcess | undefined;
  const agent = new Agent({ connections: CONNECTIONS });
  try {
    backend = await startBackendProcess({ PD_URL: sim.pdUrl, PROMETHEUS_URL: prom.url, LOG_LEVEL: 'warn' });
    const { pid, url } = backend;
    const counts = { queries: 0, errors: 0 };
    const errorSamples = new Set<string>();
    const failed = (what: string) => {
      counts.errors++;
      if (errorSamples.size < 3) {
        errorSamples.add(what.slice(0, 300));
      }
    };
    let stop = false;
    let paused = false;
    let inFlight = 0;
    const bodies = [
      () => panel({ refId: 'A', kind: 'observation', observation: 'get_stores' }),
      () => panel({ refId: 'A', kind: 'invariant', format: 'violations' }),
    ];
    const worker = async (i: number) => {
      for (let n = i; !stop; n++) {
        while (paused && !stop) {
          await sleep(100);
        }
        const which = n % 3;
        inFlight++;
        try {
          const res =
            which === 2
              ? await request(`${url}/api/health`, { dispatcher: agent })
              : await request(`${url}/api/query`, {
                  method: 'POST',
                  dispatcher: agent,
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify(bodies[which]()),
                });
          const text = await res.body.text();
          if (res.statusCode !== 200 || text.includes('"error"')) {
            failed(`${res.statusCode} ${/"error":"([^"]*)"/.exec(text)?.[1] ?? text.slice(0, 200)}`);
          }
        } catch (err) {
          failed(String(err));
        }
        inFlight--;
        counts.queries++;
        // A dashboard refreshing, not a flood: on this 2-core machine a flood measures the queue, not the memory.
        await sleep(PACE_MS);
      }
    };
    const workers = Array.from({ length: CONNECTIONS }, (_, i) => worker(i));
    const quietRss = async (): Promise<number> => {
      paused = true;
      while (inFlight > 0) {
        await sleep(100);
      }
      await sleep(3000);
      const rss = await rssMedian(pid);
      paused = false;
      return rss;
    };
    await sleep(WARMUP_MS);
    const before = await quietRss();
    const start = { ...counts };
    const started = Date.now();
    await sleep(DURATION_MS);
    const seconds = (Date.now() - started) / 1000;
    const after = await quietRss();
    // The measured window only: the warm-up's requests neither dilute nor add to its failures.
    const queries = counts.queries - start.queries;
    const errors = counts.errors - start.errors;
    stop = true;
    await Promise.all(workers);
    const drift = (after - before) / before;
    console.log(
      `  RSS ${mb(before)} after warm-up → ${mb(after)} after ${seconds.toFixed(0)} s: drift ${(100 * drift).toFixed(1)} %; ` +
        `${queries} requests measured (${(queries / seconds).toFixed(0)}/s), ${errors} errors`
    );
    for (const e of errorSamples) {
      console.log(`  error: ${e}`);
    }
    return [
      {
        scenario: `(h) RSS drift, ${DURATION_MS / 1000} s mixed load, ${STORES} stores`,
        figure: `${(100 * drift).toFixed(1)} % (${mb(before)} → ${mb(after)}; ${errors} of ${queries} requests failed)`,
        target: `≤ ${(100 * TARGET_DRIFT).toFixed(0)} %, ≤ ${100 * MAX_ERROR_SHARE} % failed`,
        met: drift <= TARGET_DRIFT && errors <= MAX_ERROR_SHARE * queries,
      },
    ];
  } finally {
    await agent.close();
    await backend?.close();
    await prom.close();
    await sim.close();
  }
}

function panel(query: Record<string, unknown>): unknown {
  const to = Date.now();
  return { from: to - 3_600_000, to, intervalMs: 15_000, maxDataPoints: 1000, queries: [query] };
}

/** The median of five RSS samples a second apart (5 s). */
async function rssMedian(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(procStatusKb(pid, 'VmRSS') * 1024);
    await sleep(1000);
  }
  return samples.sort((a, b) => a - b)[2];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `up` 1 and disk 30 % used everywhere; P99 write latency 5 ms, 0.3 s for 10 minutes every 3 hours per store. */
function healthySignals(instances: string[]) {
  const per = (f: (i: number) => (t: number) => number) => Object.fromEntries(instances.map((a, i) => [a, f(i)]));
  return {
    up: per(() => () => 1),
    disk: per(() => () => 0.3),
    latency: per((i) => {
      const e = episode(3 * HOUR, 10 * MIN, i, 104_729);
      return (t) => (inEpisode(e, t) ? 0.3 : 0.005);
    }),
  };
}
