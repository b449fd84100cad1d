/**
 * Timing helpers shared by the scenarios: a bounded measuring loop (warm-up, then iterations until a count or a time
 * budget runs out), percentiles, and the formatting of figures.
 *
 *   measure(fn, {warmup?, iterations?, budgetMs?}): Promise<Timing>
 *   measurePair(baseline, subject, {…}): Promise<{baseline: Timing, subject: Timing}>  — alternating, so drift on a
 *     shared machine hits both sides alike
 */
import { performance } from 'node:perf_hooks';

export interface Timing {
  /** Measured iterations (warm-up excluded). */
  n: number;
  medianMs: number;
  p95Ms: number;
}

export interface MeasureOptions {
  warmup?: number;
  iterations?: number;
  /** Stop early once the measured iterations took this long (at least `minIterations` are always run). */
  budgetMs?: number;
  /** Default 5. */
  minIterations?: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export async function measure(fn: () => Promise<unknown>, o: MeasureOptions = {}): Promise<Timing> {
  const { subject } = await measurePair(undefined, fn, o);
  return subject;
}

/** Runs `baseline` and `subject` alternately (warm-up pairs first), timing each call. */
export async function measurePair(
  baseline: (() => Promise<unknown>) | undefined,
  subject: () => Promise<unknown>,
  o: MeasureOptions = {}
): Promise<{ baseline: Timing; subject: Timing }> {
  for (let i = 0; i < (o.warmup ?? 5); i++) {
    await baseline?.();
    await subject();
  }
  const iterations = o.iterations ?? 40;
  const budgetMs = o.budgetMs ?? 20_000;
  const minIterations = o.minIterations ?? 5;
  const base: number[] = [];
  const subj: number[] = [];
  const timed = async (fn: () => Promise<unknown>, into: number[]) => {
    const t0 = performance.now();
    await fn();
    into.push(performance.now() - t0);
  };
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    // ABBA order: neither side always runs first (after a pause, or after the other side's garbage).
    if (baseline && i % 2 === 0) {
      await timed(baseline, base);
    }
    await timed(subject, subj);
    if (baseline && i % 2 === 1) {
      await timed(baseline, base);
    }
    if (subj.length >= minIterations && performance.now() - started > budgetMs) {
      break;
    }
  }
  return { baseline: summarize(base), subject: summarize(subj) };
}

function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, medianMs: percentile(sorted, 50), p95Ms: percentile(sorted, 95) };
}

export function ms(v: number): string {
  return `${v.toFixed(v < 10 ? 2 : 1)} ms`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function timing(t: Timing): string {
  return `median ${ms(t.medianMs)}, p95 ${ms(t.p95Ms)} (n=${t.n})`;
}

/** One line of the final table: what was measured, the figure, the target and whether it was met. */
export interface Result {
  scenario: string;
  figure: string;
  target: string;
  met: boolean;
}

export function printTable(results: Result[]): void {
  const rows = [['scenario', 'figure', 'target', ''], ...results.map((r) => [r.scenario, r.figure, r.target, r.met ? 'ok' : 'MISSED'])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) {
    console.log(line(r));
  }
}
