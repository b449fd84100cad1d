/**
 * `npm run simulator -- [--port P] [--stores N] [--regions R] [--seed S] [--host H]` serves a simulated cluster;
 * `npm run simulator -- history --hours H --stores M --step 15s --out FILE [--faults SPEC] [--schedule-out FILE]`
 * writes past metrics as OpenMetrics for `promtool tsdb create-blocks-from openmetrics`.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { parseGoDurationMs } from './format';
import { HistorySpecError, parseFaultSpec, writeHistory } from './history';
import { createSimulator } from './server';

const HELP = `TiKV cluster simulator (PD HTTP API + TiKV/PD metrics + fault injection)

Usage:
  npm run simulator -- [options]            serve a simulated cluster
  npm run simulator -- history [options]    write past metrics as OpenMetrics text

Serve options:
  --port <n>       TCP port on the host (default 0 = any free port; the URL is printed)
  --host <addr>    listen address (default 127.0.0.1)
  --stores <n>     TiKV stores, 1..1000 (default 3)
  --regions <n>    regions, 1..1000000 (default 1000)
  --seed <n>       seed; the same seed gives the same cluster (default 1)
  --drain <dur>    time a removed store needs to become Tombstone (default 10s)

History options:
  --hours <n>      hours of history ending now (required)
  --stores <n>     TiKV stores, 1..1000 (default 3)
  --regions <n>    regions, for region/leader counts (default 1000)
  --step <dur>     sample interval, Go duration (default 15s)
  --seed <n>       seed (default 1)
  --end <ms>       last sample time in Unix ms (default: now, rounded down to the step)
  --out <file>     OpenMetrics output file (required)
  --faults <spec>  scheduled faults: items "<kind>:<store_id>[=<value>]@<offset>+<duration>" separated by ","
                   kinds: down (store stops: up == 0, no TiKV samples), latency (=P99 in ms), disk (=used %)
                   cluster-level, no store: miss-peer=<regions>, down-peer=<regions> (pd_regions_status)
                   offset is from the start of the history; e.g. "down:2@2h+30m,latency:3=250@5h+20m,disk:1=85@10h+2h"
  --schedule-out <file>  also write the schedule (time range, instances, fault intervals) as JSON

  -h, --help       show this help

Fault routes of a running simulator: see src/simulator/README.md.
`;

function int(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (!/^\d+$/.test(value)) {
    throw new HistorySpecError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function durationMs(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  const ms = parseGoDurationMs(value);
  if (ms === undefined || ms <= 0) {
    throw new HistorySpecError(`--${name} must be a duration like 15s or 1m, got ${JSON.stringify(value)}`);
  }
  return ms;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      stores: { type: 'string' },
      regions: { type: 'string' },
      seed: { type: 'string' },
      drain: { type: 'string' },
      hours: { type: 'string' },
      step: { type: 'string' },
      end: { type: 'string' },
      out: { type: 'string' },
      faults: { type: 'string' },
      'schedule-out': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (positionals[0] === 'history') {
    if (values.hours === undefined || !(Number(values.hours) > 0)) {
      throw new HistorySpecError('--hours must be a positive number');
    }
    if (!values.out) {
      throw new HistorySpecError('--out <file> is required');
    }
    const fd = openSync(values.out, 'w');
    try {
      const schedule = writeHistory(
        {
          hours: Number(values.hours),
          stores: int(values.stores, 'stores', 3),
          regions: int(values.regions, 'regions', 1000),
          stepMs: durationMs(values.step, 'step', 15_000),
          seed: int(values.seed, 'seed', 1),
          endMs: values.end === undefined ? undefined : int(values.end, 'end', 0),
          faults: parseFaultSpec(values.faults ?? ''),
        },
        (chunk) => writeSync(fd, chunk)
      );
      if (values['schedule-out']) {
        writeFileSync(values['schedule-out'], `${JSON.stringify(schedule, null, 2)}\n`);
      }
      process.stdout.write(
        `wrote ${values.out}: ${new Date(schedule.startMs).toISOString()} … ${new Date(schedule.endMs).toISOString()}\n`
      );
    } finally {
      closeSync(fd);
    }
    return;
  }
  if (positionals.length > 0) {
    throw new HistorySpecError(`unknown command ${JSON.stringify(positionals[0])} (only "history"; see --help)`);
  }
  const sim = await createSimulator({
    port: int(values.port, 'port', 0),
    host: values.host ?? '127.0.0.1',
    stores: int(values.stores, 'stores', 3),
    regions: int(values.regions, 'regions', 1000),
    seed: int(values.seed, 'seed', 1),
    drainMs: durationMs(values.drain, 'drain', 10_000),
  });
  process.stdout.write(`simulator: PD API ${sim.pdUrl}\nPrometheus http_sd targets: ${sim.url}/sim/targets\n`);
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`simulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
