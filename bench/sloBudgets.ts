/**
 * (i) SLO budgets: the `slo` query (budget format, every SLO) over 30 d windows of 1,000 stores, and the timeseries
 * format of one SLO over 7 d, against bench (e)'s stand-in Prometheus and fleet story (down 20 min every 10 days,
 * P99 0.3 s for 10 min every 3 days, one store in 50 at 85 % disk for 6 h in the month). Printed: time, upstream
 * requests and bytes, peak RSS of the backend, and whether every row's spent budget equals the schedule's bad
 * samples (the stand-in's signals are exact functions of time, so the counts must match to the sample).
 */
import { writeFileSync } from 'node:fs';

import { postQuery } from './backend';
import { startBackendProcess } from './backendProcess';
import { DAY, type Episode, HOUR, inEpisode, STEP, STORES, startFleet } from './fleetStory';
import { procStatusKb } from './procStatus';
import { mb, type Result } from './stats';

const TARGET_MB = 256;

/** Samples of the 15 s grid in (a, b] inside the episode. */
function badSamples(e: Episode | undefined, a: number, b: number): number {
  let n = 0;
  for (let t = (Math.floor(a / STEP) + 1) * STEP; e && t <= b; t += STEP) {
    n += inEpisode(e, t) ? 1 : 0;
  }
  return n;
}

export async function sloBudgets(): Promise<Result[]> {
  console.log(`\n(i) SLO budgets, ${STORES} stores × 30 d windows, stand-in Prometheus`);
  const closers: Array<() => Promise<void>> = [];
  try {
    const { stores: pdStores, down, slow, full, standIn, env } = await startFleet(closers);
    const backend = await startBackendProcess(env);
    closers.push(() => backend.close());
    // `to` on the hour: the 1 h buckets then end where the schedule's window does.
    const end = Math.floor(Date.now() / HOUR) * HOUR;
    const ask = async (query: Record<string, unknown>, from: number) => {
      standIn.reset();
      writeFileSync(`/proc/${backend.pid}/clear_refs`, '5');
      const started = Date.now();
      // A connection of its own (`reset`): two long queries back to back on one keep-alive connection were cut
      // ("other side closed") once the connection had lived about a minute.
      const answer = await postQuery(
        backend.url,
        { from, to: end, queries: [{ refId: 'A', kind: 'slo', ...query }] },
        { reset: true }
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}; backend stderr: ${backend.stderr()}`);
      });
      const frames = answer.results.A.frames as Array<{
        schema: { fields: Array<{ name: string }> };
        data: { values: unknown[][] };
      }>;
      return {
        ms: Date.now() - started,
        bytes: standIn.bytesSent,
        requests: standIn.requests,
        peak: procStatusKb(backend.pid, 'VmHWM') * 1024,
        frames,
      };
    };
    await ask({ slos: ['store_availability'] }, end - HOUR); // warm-up
    const results: Result[] = [];

    const r = await ask({}, end - DAY);
    const [frame] = r.frames;
    const col = (name: string) => frame.data.values[frame.schema.fields.findIndex((f) => f.name === name)];
    const [ids, slos, spent] = [
      col('store_id') as number[],
      col('slo') as string[],
      col('budget_spent_seconds') as number[],
    ];
    const byId = new Map(pdStores.map((s, i) => [s.id, i]));
    const episodes: Record<string, Array<Episode | undefined>> = {
      store_availability: down,
      write_latency_p99: slow,
      disk_usage: full,
    };
    let exact = 0;
    ids.forEach((id, k) => {
      const i = byId.get(id)!;
      exact += spent[k] / 15 === badSamples(episodes[slos[k]][i], end - 30 * DAY, end) ? 1 : 0;
    });
    console.log(
      `  budget, 3 SLOs × 30 d: ${(r.ms / 1000).toFixed(1)} s, ${r.requests} upstream requests, ${mb(r.bytes)} read, ` +
        `peak RSS ${mb(r.peak)}, ${ids.length} rows, ${exact} match the schedule to the sample`
    );
    results.push({
      scenario: `(i) SLO budget 30 d × ${STORES} stores × 3 SLOs`,
      figure: `${(r.ms / 1000).toFixed(1)} s, ${mb(r.bytes)} read, peak ${mb(r.peak)}, ${exact}/${ids.length} exact`,
      target: `exact, < ${TARGET_MB} MB`,
      met: exact === STORES * 3 && ids.length === STORES * 3 && r.peak < TARGET_MB * 1024 * 1024,
    });

    const ts = await ask({ slos: ['write_latency_p99'], format: 'timeseries' }, end - 7 * DAY);
    const points = ts.frames.reduce((n, f) => n + f.data.values[0].length, 0);
    console.log(
      `  timeseries, write_latency_p99 over 7 d (30 d windows): ${(ts.ms / 1000).toFixed(1)} s, ${ts.requests} upstream ` +
        `requests, ${mb(ts.bytes)} read, peak RSS ${mb(ts.peak)}, ${ts.frames.length} series, ${points} points`
    );
    results.push({
      scenario: `(i) SLO timeseries 7 d × ${STORES} stores`,
      figure: `${(ts.ms / 1000).toFixed(1)} s, ${mb(ts.bytes)} read, peak ${mb(ts.peak)}, ${ts.frames.length} series`,
      target: `answers, < ${TARGET_MB} MB`,
      met: ts.frames.length === STORES && ts.peak < TARGET_MB * 1024 * 1024,
    });
    return results;
  } finally {
    for (const c of closers.reverse()) {
      await c().catch((err: unknown) => console.error(`  while stopping: ${String(err)}`));
    }
  }
}
