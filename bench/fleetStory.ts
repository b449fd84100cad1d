/**
 * The fleet the history benchmarks (e), (f) and (i) run against: a 1,000-store simulator in its own process for PD,
 * and a stand-in Prometheus (tests/support/standInServer.ts) whose per-store signals tell the same story, every
 * 15 s: down 20 min every 10 days, P99 write latency 0.3 s for 10 min every 3 days, and one store in 50 at 85 %
 * disk for 6 h in the month, each store at its own phase. The backend's environment points at both, with its cache
 * off and a long upstream timeout (a 30-day answer is slow on a loaded 2-core machine).
 */
import { StandInEvaluator, type Signal } from '../tests/support/standInPrometheus';
import { startStandInServer } from '../tests/support/standInServer';
import { getJson } from './http';
import { startSimulatorProcess } from './simulatorProcess';

export const STORES = 1000;
export const STEP = 15_000;
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export interface Episode {
  period: number;
  duration: number;
  phase: number;
}
export const episode = (period: number, duration: number, i: number, prime: number): Episode => ({
  period,
  duration,
  phase: ((i * prime) % (period / STEP)) * STEP,
});
export const inEpisode = (e: Episode, t: number) => (((t - e.phase) % e.period) + e.period) % e.period < e.duration;

export interface Fleet {
  /** PD's stores, in PD's order (id, status address = Prometheus' instance). */
  stores: Array<{ id: number; status_address: string }>;
  down: Episode[];
  slow: Episode[];
  /** One store in 50 has a full-disk episode. */
  full: Array<Episode | undefined>;
  /** The stand-in Prometheus (its counters: requests, bytes sent, busy time). */
  standIn: Awaited<ReturnType<typeof startStandInServer>>;
  /** The backend's environment: this simulator's PD, the stand-in Prometheus. */
  env: Record<string, string>;
}

/** Starts the simulator and the stand-in; `closers` gets what stops them. */
export async function startFleet(closers: Array<() => Promise<void>>): Promise<Fleet> {
  const sim = await startSimulatorProcess({ stores: STORES, regions: 1000 });
  closers.push(() => sim.close());
  const stores = (
    (await getJson(`${sim.pdUrl}/stores`)) as { stores: Array<{ store: { id: number; status_address: string } }> }
  ).stores.map((s) => s.store);
  const down = stores.map((_, i) => episode(10 * DAY, 20 * MIN, i, 7919));
  const slow = stores.map((_, i) => episode(3 * DAY, 10 * MIN, i, 104_729));
  const full = stores.map((_, i) => (i % 50 === 0 ? episode(30 * DAY, 6 * HOUR, i, 15_485_863) : undefined));
  const signals = (f: (i: number) => Signal) => Object.fromEntries(stores.map((s, i) => [s.status_address, f(i)]));
  const standIn = await startStandInServer(
    new StandInEvaluator({
      up: signals((i) => (t) => (inEpisode(down[i], t) ? 0 : 1)),
      latency: signals((i) => (t) => (inEpisode(slow[i], t) ? 0.3 : 0.02)),
      disk: signals((i) => (t) => {
        const e = full[i];
        return e && inEpisode(e, t) ? 0.85 : 0.5;
      }),
    })
  );
  closers.push(() => standIn.close());
  const env = {
    PD_URL: sim.pdUrl,
    PROMETHEUS_URL: standIn.url,
    SCRAPE_INTERVAL: '15s',
    CACHE_TTL_MS: '0',
    UPSTREAM_TIMEOUT_MS: '300000',
    LOG_LEVEL: 'warn',
  };
  return { stores, down, slow, full, standIn, env };
}
