/**
 * (f) Incremental refresh: a `now-24h → now` invariant `violations` panel (every invariant) over 1,000 stores,
 * refreshed every 30 s, against the stand-in Prometheus of (e) with the same fleet story. "Every 30 s" is a `to`
 * that moves 30 s per refresh (the stand-in answers from functions of time, so no one waits). Backend A keeps its
 * replay states (the default); backend B has them off (HISTORY_STATE_MAX_ENTRIES=0) and answers the same ranges
 * cold. Printed: the upstream's time (the stand-in's time spent answering) and bytes per refresh against per cold
 * answer, medians; and whether A's answers equal B's. Both backends run in their own process, cache off.
 */
import { postQuery } from './backend';
import { startBackendProcess } from './backendProcess';
import { DAY, STEP, STORES, startFleet } from './fleetStory';
import { mb, type Result } from './stats';

const REFRESHES = 10;
const COLD = 3;
const TARGET = 0.2;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function incrementalRefresh(): Promise<Result[]> {
  console.log(`\n(f) incremental refresh, 24 h panel × ${STORES} stores refreshed every 30 s, stand-in Prometheus`);
  const closers: Array<() => Promise<void>> = [];
  try {
    const fleet = await startFleet(closers);
    const standIn = fleet.standIn;
    // The live checker's own Prometheus reads would be counted as the panel's.
    const env = { ...fleet.env, CHECK_INTERVAL: '1h' };
    const warm = await startBackendProcess(env);
    closers.push(() => warm.close());
    const cold = await startBackendProcess({ ...env, HISTORY_STATE_MAX_ENTRIES: '0' });
    closers.push(() => cold.close());
    const end = Math.floor(Date.now() / STEP) * STEP;
    const ask = async (url: string, to: number) => {
      standIn.reset();
      const started = Date.now();
      const answer = await postQuery(url, {
        from: to - DAY,
        to,
        queries: [
          {
            refId: 'A',
            kind: 'invariant',
            invariants: ['store_down', 'high_latency', 'low_disk'],
            format: 'violations',
          },
        ],
      });
      return {
        ms: Date.now() - started,
        busyMs: standIn.busyMs,
        bytes: standIn.bytesSent,
        requests: standIn.requests,
        frame: JSON.stringify(answer.results.A.frames),
      };
    };
    // Warm-up of both processes (connections, JIT) on another range, then the panel's first (cold) answer.
    await ask(warm.url, end - DAY);
    await ask(cold.url, end - DAY);
    const first = await ask(warm.url, end);
    const refreshes = [];
    for (let k = 1; k <= REFRESHES; k++) {
      refreshes.push(await ask(warm.url, end + k * 30_000));
    }
    const colds = [];
    let same = true;
    for (let k = REFRESHES - COLD + 1; k <= REFRESHES; k++) {
      const c = await ask(cold.url, end + k * 30_000);
      same &&= c.frame === refreshes[k - 1].frame;
      colds.push(c);
    }
    const r = {
      busy: median(refreshes.map((x) => x.busyMs)),
      bytes: median(refreshes.map((x) => x.bytes)),
      ms: median(refreshes.map((x) => x.ms)),
      requests: median(refreshes.map((x) => x.requests)),
    };
    const c = {
      busy: median(colds.map((x) => x.busyMs)),
      bytes: median(colds.map((x) => x.bytes)),
      ms: median(colds.map((x) => x.ms)),
      requests: median(colds.map((x) => x.requests)),
    };
    const timeRatio = r.busy / c.busy;
    const bytesRatio = r.bytes / c.bytes;
    console.log(
      `  first answer: ${(first.ms / 1000).toFixed(1)} s, upstream ${(first.busyMs / 1000).toFixed(1)} s, ${mb(first.bytes)}, ${first.requests} requests`
    );
    console.log(
      `  refresh (median of ${REFRESHES}): ${r.ms} ms, upstream ${r.busy.toFixed(0)} ms, ${kb(r.bytes)}, ${r.requests} requests`
    );
    console.log(
      `  cold (median of ${COLD}, same ranges): ${c.ms} ms, upstream ${c.busy.toFixed(0)} ms, ${kb(c.bytes)}, ${c.requests} requests`
    );
    console.log(
      `  refresh/cold: upstream time ${timeRatio.toFixed(3)}×, bytes ${bytesRatio.toFixed(3)}×, answers ${same ? 'identical' : 'DIFFER'}`
    );
    return [
      {
        scenario: `(f) incremental refresh, 24 h × ${STORES} stores every 30 s`,
        figure: `refresh/cold upstream time ${timeRatio.toFixed(3)}×, bytes ${bytesRatio.toFixed(3)}×${same ? '' : ', answers DIFFER'}`,
        target: `≤ ${TARGET}× both, same answer`,
        met: timeRatio <= TARGET && bytesRatio <= TARGET && same,
      },
    ];
  } finally {
    for (const c of closers.reverse()) {
      await c().catch((err: unknown) => console.error(`  while stopping: ${String(err)}`));
    }
  }
}
