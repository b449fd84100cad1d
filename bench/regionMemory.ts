/**
 * (d) Peak memory of the backend answering `get_cluster_metrics` and `get_hot_write_regions` at 10k and at 1M
 * regions. The backend runs alone in a child process (bench/backendChild.ts), as `npm start` and the
 * Dockerfile run it, and the simulator in another, so the figure is the backend's own peak RSS (VmHWM in
 * /proc/<pid>/status; the child's `resourceUsage().maxRSS` as a cross-check). Baseline: the same process once
 * start-up has settled; the peak during the queries alone is measured from a VmHWM reset through clear_refs. Work per
 * query must not grow with the region count (DESIGN.md "Scale"), so that peak should stay flat from 10k to 1M.
 */
import { writeFileSync } from 'node:fs';

import { observationBody, postQuery } from './backend';
import { type BackendProcess, startBackendProcess } from './backendProcess';
import { procStatusKb } from './procStatus';
import { startSimulatorProcess } from './simulatorProcess';
import { mb, measure, type Result, timing } from './stats';

const REGION_COUNTS = [10_000, 1_000_000];
const STORES = 30;
const TARGET_MB = 150;
/** "Flat": the 1M-region peak within this factor of the 10k-region peak. */
const FLAT_RATIO = 1.1;
const ROUNDS = 30;
const BURST = 20;

interface Peak {
  regions: number;
  /** VmHWM once start-up and the first upstream calls have settled, before the measured queries. */
  startPeakBytes: number;
  /** RSS at that point: the baseline the queries add to. */
  settledBytes: number;
  /** VmHWM over the measured queries alone (reset through /proc/<pid>/clear_refs before them). */
  queryPeakBytes: number;
  /** The process' lifetime peak: the larger of the two. */
  peakBytes: number;
}

export async function regionMemory(): Promise<Result[]> {
  console.log(`\n(d) backend peak RSS for get_cluster_metrics + get_hot_write_regions, ${STORES} stores`);
  const peaks: Peak[] = [];
  for (const regions of REGION_COUNTS) {
    peaks.push(await measureAt(regions));
  }
  const [small, large] = peaks;
  const ratio = large.queryPeakBytes / small.queryPeakBytes;
  console.log(`  peak during queries, 1M regions / 10k regions: ${ratio.toFixed(2)}×`);
  return [
    ...peaks.map((p) => ({
      scenario: `(d) peak RSS, ${p.regions.toLocaleString('en')} regions`,
      figure: `${mb(p.peakBytes)} (queries ${mb(p.queryPeakBytes)}; start-up ${mb(p.startPeakBytes)}; settled ${mb(p.settledBytes)})`,
      target: `< ${TARGET_MB} MB`,
      met: p.peakBytes < TARGET_MB * 1024 * 1024,
    })),
    {
      scenario: '(d) peak RSS during queries, 1M vs 10k',
      figure: `${ratio.toFixed(2)}×`,
      target: `flat (≤ ${FLAT_RATIO.toFixed(2)}×)`,
      met: ratio <= FLAT_RATIO,
    },
  ];
}

async function measureAt(regions: number): Promise<Peak> {
  const started = Date.now();
  const sim = await startSimulatorProcess({ stores: STORES, regions });
  let backend: BackendProcess | undefined;
  const label = `${regions.toLocaleString('en')} regions`;
  try {
    console.log(`  ${label}: simulator ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    backend = await startBackendProcess({ PD_URL: sim.pdUrl, LOG_LEVEL: 'info' });
    const { pid, url } = backend;
    const bodies = ['get_cluster_metrics', 'get_hot_write_regions'].map((o) => [o, observationBody(o)] as const);
    for (const [, body] of bodies) {
      await postQuery(url, body);
    }
    // The first upstream calls compile undici's llhttp WebAssembly in the background (a transient of tens of MB):
    // wait until the peak stops moving, then measure the queries from a reset peak.
    await settle(pid);
    const startPeakBytes = procStatusKb(pid, 'VmHWM', { required: true }) * 1024;
    const settledBytes = procStatusKb(pid, 'VmRSS', { required: true }) * 1024;
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    for (const [observation, body] of bodies) {
      const t = await measure(() => postQuery(url, body), { warmup: 3, iterations: ROUNDS, budgetMs: 20_000 });
      // Concurrent bursts too: the peak of many panels at once.
      for (let i = 0; i < 3; i++) {
        await Promise.all(Array.from({ length: BURST }, () => postQuery(url, body)));
      }
      console.log(`  ${label}: ${observation} ${timing(t)}, then ${3 * BURST} in bursts of ${BURST}`);
    }
    const queryPeakBytes = procStatusKb(pid, 'VmHWM', { required: true }) * 1024;
    const usage = await backend.usage();
    const peakBytes = Math.max(startPeakBytes, queryPeakBytes);
    console.log(
      `  ${label}: peak RSS ${mb(peakBytes)}; during queries ${mb(queryPeakBytes)} (child's getrusage: ${mb(usage.maxRssKb * 1024)}); ` +
        `start-up peak ${mb(startPeakBytes)}, settled RSS before queries ${mb(settledBytes)}`
    );
    return { regions, startPeakBytes, settledBytes, queryPeakBytes, peakBytes };
  } finally {
    await backend?.close();
    await sim.close();
  }
}

/** Polls VmHWM until it has not moved for 1 s (at most 15 s). */
async function settle(pid: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last = procStatusKb(pid, 'VmHWM', { required: true });
  let stableSince = Date.now();
  while (Date.now() < deadline && Date.now() - stableSince < 1000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = procStatusKb(pid, 'VmHWM', { required: true });
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    }
  }
}
