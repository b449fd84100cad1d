/**
 * A real Prometheus with a known past: the simulator's history generator writes N hours of metrics with scheduled
 * faults as OpenMetrics text, `promtool tsdb create-blocks-from openmetrics` turns it into TSDB blocks, and
 * Prometheus is started on that data directory (no scrape jobs, so nothing but the history is in it).
 *
 *   const b = await startBackfilledPrometheus({ hours: 24, stores: 4, stepMs: 15_000, faults: parseFaultSpec('down:2@2h+20m') });
 *   b.schedule.faults   // the fault intervals the data implies
 *   await b.close();
 *
 * `backfill(history, dataDir)` alone writes the blocks (for a Prometheus started elsewhere).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startPrometheus, type RunningPrometheus } from '../../src/embedded/prometheus';
import { type HistoryOptions, type HistorySchedule, writeHistory } from '../../src/simulator/history';

export interface BackfilledPrometheus {
  prom: RunningPrometheus;
  schedule: HistorySchedule;
  /** How long generating the history and building the blocks took, ms. */
  backfillMs: number;
  close(): Promise<void>;
}

/** Writes the history into TSDB blocks under `dataDir` and returns its schedule. */
export async function backfill(
  history: HistoryOptions,
  dataDir: string,
  promtool = 'promtool'
): Promise<HistorySchedule> {
  return backfillWith((write) => writeHistory(history, write), dataDir, promtool);
}

/** Any OpenMetrics text (written through `write`) into TSDB blocks under `dataDir`; returns what `generate` returns. */
export async function backfillWith<T>(
  generate: (write: (chunk: string) => void) => T,
  dataDir: string,
  promtool = 'promtool'
): Promise<T> {
  const work = mkdtempSync(join(tmpdir(), 'tikv-operator-history-'));
  try {
    const file = join(work, 'history.om');
    const fd = openSync(file, 'w');
    let result: T;
    try {
      result = generate((chunk) => {
        writeSync(fd, chunk);
      });
    } finally {
      closeSync(fd);
    }
    await run(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, dataDir]);
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A Prometheus started on blocks backfilled from `generate`'s OpenMetrics text (retention 10 years); `backfillMs` is
 * how long generating the text and building the blocks took.
 */
export async function startPrometheusWith<T>(
  generate: (write: (chunk: string) => void) => T,
  stepMs: number
): Promise<{ prom: RunningPrometheus; result: T; backfillMs: number; close(): Promise<void> }> {
  const work = mkdtempSync(join(tmpdir(), 'tikv-operator-backfill-'));
  const dataDir = join(work, 'data');
  try {
    const started = Date.now();
    const result = await backfillWith(generate, dataDir);
    const backfillMs = Date.now() - started;
    const prom = await startPrometheus({ dataDir, retention: '3650d', interval: `${Math.round(stepMs / 1000)}s` });
    return {
      prom,
      result,
      backfillMs,
      close: async () => {
        await prom.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/** Backfills a fresh data directory with `history` and starts Prometheus on it, keeping everything. */
export async function startBackfilledPrometheus(history: HistoryOptions): Promise<BackfilledPrometheus> {
  const { prom, result, backfillMs, close } = await startPrometheusWith(
    (write) => writeHistory(history, write),
    history.stepMs
  );
  return { prom, schedule: result, backfillMs, close };
}

/** Runs `cmd args` (stdout discarded); rejects with the command's last stderr unless it exits 0. */
export function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} exited with ${code}: ${stderr.trim()}`))
    );
  });
}
