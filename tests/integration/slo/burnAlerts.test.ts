/**
 * The generated fast-burn alert (provisioning/prometheus/tikv-operator-slo.rules.yml) in a real Prometheus: a
 * sustained write-latency fault pages, a short one does not.
 *
 * The faults are sized from the policy (README "Burn-rate alerts"): write_latency_p99 has objective 99 % over 30 d,
 * so the fast-burn line is 14.4 × 1 % = 14.4 % of the last hour (and of the last 5 min), i.e. 8.64 bad minutes.
 * The 1 m rate keeps P99 high ≤ 45 s after a fault ends. Store 1 is slow for the last 15 min (≥ 15/60 = 25 %: pages),
 * store 2 for the last 5 min (≤ 5.75/60 = 9.6 %: no page, though its 5 min window is 100 % bad).
 *
 * History: 3 h of raw metrics backfilled (tests/support/backfill.ts), then the rules' recording rule backfilled
 * from them with `promtool tsdb create-blocks-from rules` (Prometheus only evaluates rules from the moment it
 * starts), then Prometheus restarted on both with the rule file, whose first evaluation decides.
 */
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { stringify } from 'yaml';

import {
  prometheusAvailable,
  type RunningPrometheus,
  startPrometheus,
  waitFor,
} from '../../../src/embedded/prometheus';
import { parseFaultSpec, type HistorySchedule } from '../../../src/simulator/history';
import { SLOS } from '../../../src/shared/names';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { BAD_SERIES, badExpr } from '../../../src/subject/tikv/slo/alertRules';
import { resolveSlos } from '../../../src/subject/tikv/slo/definitions';
import { sloBudgets } from '../../../src/subject/tikv/slo/report';
import { backfill, run } from '../../support/backfill';
import { PROVISIONING } from '../../unit/provisioning/deployFiles';

const RULES = join(PROVISIONING, 'prometheus', 'tikv-operator-slo.rules.yml');
const STEP = 15_000;
const HOURS = 3;
const SUSTAINED_MIN = 15;
const SHORT_MIN = 5;

let work: string;
let prom: RunningPrometheus | undefined;
let schedule: HistorySchedule;

beforeAll(async () => {
  if (!prometheusAvailable()) {
    throw new Error('the prometheus binary is needed for this test (apt-get install prometheus)');
  }
  work = mkdtempSync(join(tmpdir(), 'tikv-operator-burn-'));
  const dataDir = join(work, 'data');
  // The faults run until the history's last sample, which is "now": both are going on when Prometheus evaluates.
  const end = Math.floor(Date.now() / STEP) * STEP;
  const at = (minutes: number) => `${HOURS * 60 - minutes}m+${minutes}m`;
  schedule = await backfill(
    {
      hours: HOURS,
      stores: 3,
      stepMs: STEP,
      seed: 5,
      regions: 50,
      endMs: end,
      faults: parseFaultSpec(`latency:1=300@${at(SUSTAINED_MIN)}, latency:2=300@${at(SHORT_MIN)}`),
    },
    dataDir
  );
  // The recording rule's past, from the raw history (only the bool SLIs: the alerts read nothing else).
  const raw = await startPrometheus({ dataDir, interval: '15s' });
  const recordOnly = join(work, 'record.yml');
  const slos = resolveSlos({});
  writeFileSync(
    recordOnly,
    stringify({
      groups: [
        {
          name: 'slo-bad',
          rules: SLOS.map((n) => ({ record: BAD_SERIES, expr: badExpr(n, slos[n]), labels: { slo: n } })),
        },
      ],
    })
  );
  const blocks = join(work, 'rule-blocks');
  try {
    await run('promtool', [
      'tsdb',
      'create-blocks-from',
      'rules',
      '--quiet',
      `--url=${raw.url}`,
      `--start=${Math.floor(schedule.startMs / 1000)}`,
      `--end=${Math.floor(schedule.endMs / 1000)}`,
      '--eval-interval=15s',
      `--output-dir=${blocks}`,
      recordOnly,
    ]);
  } finally {
    await raw.stop();
  }
  for (const b of readdirSync(blocks)) {
    renameSync(join(blocks, b), join(dataDir, b));
  }
  prom = await startPrometheus({ dataDir, interval: '15s', ruleFiles: [RULES] });
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  if (work) {
    rmSync(work, { recursive: true, force: true });
  }
});

async function instant(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${prom!.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as {
    status: string;
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  if (body.status !== 'success') {
    throw new Error(`Prometheus answered ${JSON.stringify(body)}`);
  }
  return body.data.result;
}

test('a 15-minute latency fault fires the fast-burn page; a 5-minute one does not', async () => {
  const instance = (id: number) => schedule.stores.find((s) => s.store_id === id)!.instance;
  const firing = await waitFor(
    'the fast-burn alert',
    async () => {
      const r = await instant('ALERTS{alertname="TiKVOperatorSLOFastBurn", alertstate="firing"}');
      return r.length > 0 ? r : undefined;
    },
    60_000
  );
  expect(firing.map((a) => [a.metric.instance, a.metric.slo, a.metric.severity])).toEqual([
    [instance(1), 'write_latency_p99', 'critical'],
  ]);
  // Independently of the alert: the hour's error ratio of each store, against the 14.4 % line.
  const ratio = new Map(
    (await instant(`avg_over_time(${BAD_SERIES}{slo="write_latency_p99"}[1h])`)).map((s) => [
      s.metric.instance,
      Number(s.value[1]),
    ])
  );
  expect(ratio.get(instance(1))).toBeGreaterThan(SUSTAINED_MIN / 61);
  expect(ratio.get(instance(1))).toBeGreaterThan(0.144);
  expect(ratio.get(instance(2))).toBeGreaterThanOrEqual((SHORT_MIN - 1) / 61);
  expect(ratio.get(instance(2))).toBeLessThan(0.144);
  expect(ratio.get(instance(3))).toBe(0);
  // The short fault's 5 min window alone would page: the hour is what keeps it quiet.
  const short = new Map(
    (await instant(`avg_over_time(${BAD_SERIES}{slo="write_latency_p99"}[5m])`)).map((s) => [
      s.metric.instance,
      Number(s.value[1]),
    ])
  );
  expect(short.get(instance(2))).toBeGreaterThan(0.144);
});

test('budgets read from the recording rule equal those from the raw series, within one evaluation per row', async () => {
  const prometheus = new PrometheusClient({ url: prom!.url, cacheTtlMs: 0 });
  try {
    const options = {
      prometheus,
      slos: resolveSlos({
        write_latency_p99: { window: '2h' },
        disk_usage: { window: '2h' },
        store_availability: { window: '2h' },
      }),
      range: { from: schedule.endMs - 3_600_000, to: schedule.endMs },
      scrapeIntervalMs: STEP,
      rateWindow: '1m',
      resolveInstance: (instance: string) => {
        const s = schedule.stores.find((x) => x.instance === instance);
        return s && { store_id: s.store_id, address: s.address };
      },
    };
    const recorded = await sloBudgets(options);
    const raw = await sloBudgets({ ...options, recordingRules: false });
    expect(recorded.recorded).toEqual(['write_latency_p99', 'disk_usage', 'store_availability']);
    expect(raw.recorded).toEqual([]);
    const key = (r: { store_id: number; slo: string }) => `${r.store_id} ${r.slo}`;
    expect(recorded.rows.map(key)).toEqual(raw.rows.map(key));
    // The recorded 0/1 is evaluated on the rule's own schedule, the raw one on the query's grid: within a sample.
    const diff = recorded.rows.map((r, i) => [
      key(r),
      Math.abs(r.budget_spent_seconds - raw.rows[i].budget_spent_seconds),
    ]);
    expect(diff.filter(([, d]) => (d as number) > STEP / 1000)).toEqual([]);
    recorded.rows.forEach((r, i) => expect(r.coverage).toBeCloseTo(raw.rows[i].coverage, 2));
    // Store 1's sustained fault spent its budget in both.
    expect(recorded.rows.find((r) => key(r) === '1 write_latency_p99')!.budget_spent_seconds).toBeGreaterThanOrEqual(
      SUSTAINED_MIN * 60
    );
  } finally {
    await prometheus.close();
  }
});
