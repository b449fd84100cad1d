/**
 * (e) Fleet history: invariant `violations` over 24 h, 7 d and 30 d of 1,000 stores, every invariant in one query,
 * against a stand-in Prometheus (tests/support/standInServer.ts) that answers the backend's query shapes from
 * per-store functions of time, with answers of real size per point (Prometheus' JSON, `[seconds, "value"]`) and
 * Prometheus' limits enforced (11,000 points per series, 50,000,000 samples per query, counting raw series ×
 * evaluation steps, subquery steps included). PD is a 1,000-store simulator in its own process, the backend runs in
 * its own process (backendProcess.ts) with its cache off.
 *
 * The fleet's story, per store i (every 15 s): down 20 min every 10 days, P99 write latency 0.3 s for 10 min every
 * 3 days, and one store in 50 at 85 % disk for 6 h in the month, each at its own phase. Printed per range: time,
 * bytes read from the upstream, peak RSS of the backend (VmHWM, reset before each range), the violations found
 * against the schedule's count, and the bytes the raw series would be (every store, every invariant, one point per
 * scrape interval). Set BENCH_E_TABLE=1 to also print issue 11's table (1 h … 30 d × each invariant alone). Each
 * measured query runs in a fresh backend process after a 1 h warm-up query.
 */
import { writeFileSync } from 'node:fs';

import { postQuery } from './backend';
import { startBackendProcess } from './backendProcess';
import { DAY, type Episode, MIN, STEP, STORES, startFleet } from './fleetStory';
import { procStatusKb } from './procStatus';
import { mb, type Result } from './stats';

const RANGES: Array<[string, number]> = [
  ['24 h', DAY],
  ['7 d', 7 * DAY],
  ['30 d', 30 * DAY],
];
const TARGET_MB = 256;
/** `[1796521725,"0.0213"],`: one point of a raw series in Prometheus' JSON. */
const BYTES_PER_POINT = 21;

/** Episodes of `e` that are violations in [from, to]: a holding sample at or after `from`, fired by `to`. */
function episodesIn(e: Episode, from: number, to: number, graceMs = 0): number {
  let n = 0;
  for (let a = Math.floor((from - e.phase) / e.period) * e.period + e.phase; a <= to; a += e.period) {
    n += a + e.duration - STEP >= from && a + graceMs <= to ? 1 : 0;
  }
  return n;
}

export async function fleetHistory(): Promise<Result[]> {
  console.log(`\n(e) fleet history, ${STORES} stores × 24 h / 7 d / 30 d, every invariant, stand-in Prometheus`);
  const closers: Array<() => Promise<void>> = [];
  try {
    const { stores, down, slow, full, standIn, env } = await startFleet(closers);
    // A fresh backend per range, so each peak is that range's own (RSS a process once reached is rarely returned).
    let backend = await startBackendProcess(env);
    closers.push(() => backend.close());
    const fresh = async () => {
      await backend.close();
      backend = await startBackendProcess(env);
      await ask(end - 3_600_000, all); // warm-up: connections, JIT
    };
    const end = Math.floor(Date.now() / STEP) * STEP;
    const ask = async (from: number, invariants: string[]) => {
      standIn.reset();
      writeFileSync(`/proc/${backend.pid}/clear_refs`, '5');
      const started = Date.now();
      const answer = await postQuery(backend.url, {
        from,
        to: end,
        queries: [{ refId: 'A', kind: 'invariant', invariants, format: 'violations' }],
      });
      const frame = answer.results.A.frames[0] as { data: { values: unknown[][] } };
      return {
        ms: Date.now() - started,
        bytes: standIn.bytesSent,
        requests: standIn.requests,
        peak: procStatusKb(backend.pid, 'VmHWM') * 1024,
        rows: frame.data.values[0].length,
      };
    };
    const expected = (from: number, invariants: string[]) =>
      stores.reduce(
        (n, _, i) =>
          n +
          (invariants.includes('store_down') ? episodesIn(down[i], from, end) : 0) +
          (invariants.includes('high_latency') ? episodesIn(slow[i], from, end, MIN) : 0) +
          (invariants.includes('low_disk') && full[i] ? episodesIn(full[i]!, from, end) : 0),
        0
      );
    const all = ['store_down', 'high_latency', 'low_disk'];
    const results: Result[] = [];
    for (const [label, span] of RANGES) {
      await fresh();
      const r = await ask(end - span, all);
      const raw = STORES * 3 * (span / STEP + 1) * BYTES_PER_POINT;
      const want = expected(end - span, all);
      console.log(
        `  ${label}: ${(r.ms / 1000).toFixed(1)} s, ${r.requests} upstream requests, ${mb(r.bytes)} read ` +
          `(raw series ${mb(raw)}, ${((r.bytes / raw) * 100).toFixed(2)} %), peak RSS ${mb(r.peak)}, ` +
          `${r.rows} violations (schedule: ${want})`
      );
      results.push({
        scenario: `(e) fleet history ${label} × ${STORES} stores`,
        figure: `${(r.ms / 1000).toFixed(1)} s, ${mb(r.bytes)} read (raw ${mb(raw)}), peak ${mb(r.peak)}, ${r.rows}/${want} violations`,
        target: `answers, < ${TARGET_MB} MB, < raw`,
        met: r.rows === want && r.peak < TARGET_MB * 1024 * 1024 && r.bytes < raw,
      });
    }
    if (process.env.BENCH_E_TABLE === '1') {
      console.log('  issue 11 table (each invariant alone):');
      for (const [label, span] of [['1 h', 3_600_000] as [string, number], ...RANGES]) {
        const cells = [];
        for (const invariant of all) {
          await fresh();
          const r = await ask(end - span, [invariant]);
          const want = expected(end - span, [invariant]);
          cells.push(`${invariant} ${(r.ms / 1000).toFixed(1)} s ${r.rows}/${want} ${mb(r.peak)}`);
        }
        console.log(`  | ${label} | ${cells.join(' | ')} |`);
      }
    }
    return results;
  } finally {
    for (const c of closers.reverse()) {
      await c().catch((err: unknown) => console.error(`  while stopping: ${String(err)}`));
    }
  }
}
