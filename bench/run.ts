/**
 * `npm run bench`: the backend's benchmarks (issue 4 item 8), each against a baseline measured in the same run, all
 * on 127.0.0.1. Prints each scenario's figures, then one table; exits 0 even when a target is missed (the row says
 * MISSED) — the numbers are the point. `npm run bench -- a c` runs only the named scenarios.
 */
import { fleetHistory } from './fleetHistory';
import { historyReplay, largestHistory } from './historyReplay';
import { incrementalRefresh } from './incrementalRefresh';
import { regionMemory } from './regionMemory';
import { rssDrift } from './rssDrift';
import { sharedCalls } from './sharedCalls';
import { sloBudgets } from './sloBudgets';
import { type Result, printTable } from './stats';
import { storesLatency } from './storesLatency';

const SCENARIOS: Record<string, () => Promise<Result[]>> = {
  a: storesLatency,
  b: historyReplay,
  c: sharedCalls,
  d: regionMemory,
  e: fleetHistory,
  f: incrementalRefresh,
  g: largestHistory,
  h: rssDrift,
  // (f) is the incremental refresh of issue 11; the SLO budgets are (i).
  i: sloBudgets,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = wanted.filter((w) => !(w in SCENARIOS));
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(', ')}; choose from ${Object.keys(SCENARIOS).join(', ')}`);
    process.exit(2);
  }
  const started = Date.now();
  const results: Result[] = [];
  for (const [name, run] of Object.entries(SCENARIOS)) {
    if (wanted.length > 0 && !wanted.includes(name)) {
      continue;
    }
    try {
      results.push(...(await run()));
    } catch (err) {
      console.error(`  scenario (${name}) failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      results.push({
        scenario: `(${name})`,
        figure: `failed: ${err instanceof Error ? err.message : String(err)}`,
        target: '-',
        met: false,
      });
    }
  }
  console.log(`\nSummary (${((Date.now() - started) / 1000).toFixed(0)} s, node ${process.version})`);
  printTable(results);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(0);
  }
);
