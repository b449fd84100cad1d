/**
 * A backfilled Prometheus history kept between runs: the simulator's history generator and
 * `promtool tsdb create-blocks-from openmetrics` (tests/support/backfill.ts) write it once into
 * `node_modules/.cache/tikv-operator-bench/<key>/`, the key hashing every parameter and the generator's source; later
 * runs start Prometheus on the same blocks. `schedule.json` is written last, so a run interrupted while backfilling is redone.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { type HistoryOptions, type HistorySchedule } from '../src/simulator/history';
import { backfill } from '../tests/support/backfill';

export const CACHE_ROOT = join(__dirname, '..', 'node_modules', '.cache', 'tikv-operator-bench');
const SIMULATOR_DIR = join(__dirname, '..', 'src', 'simulator');
const GENERATOR_SOURCES = ['history.ts', 'cluster.ts', 'latency.ts'];

export interface CachedHistory {
  dataDir: string;
  schedule: HistorySchedule;
  /** ms spent backfilling in this run (0 when the cache was used). */
  backfillMs: number;
}

/** `history` without `endMs`: the first run fixes the end (its "now") and records it in the schedule. */
export async function cachedHistory(history: Omit<HistoryOptions, 'endMs'>): Promise<CachedHistory> {
  // The generator's source is part of the key: a change to what it writes invalidates the cached blocks.
  const hash = createHash('sha256').update(JSON.stringify(history));
  for (const file of GENERATOR_SOURCES) {
    hash.update(readFileSync(join(SIMULATOR_DIR, file)));
  }
  const key = hash.digest('hex').slice(0, 12);
  const dir = join(CACHE_ROOT, `history-${history.hours}h-${history.stores}stores-${key}`);
  const dataDir = join(dir, 'data');
  const schedulePath = join(dir, 'schedule.json');
  if (existsSync(schedulePath)) {
    return { dataDir, schedule: JSON.parse(readFileSync(schedulePath, 'utf8')) as HistorySchedule, backfillMs: 0 };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const endMs = Math.floor(Date.now() / history.stepMs) * history.stepMs;
  const schedule = await backfill({ ...history, endMs }, dataDir);
  writeFileSync(schedulePath, JSON.stringify(schedule));
  return { dataDir, schedule, backfillMs: Date.now() - started };
}
