/**
 * The watchdog rules of the provisioned Prometheus rule file in a real Prometheus (1 s scrape and evaluation):
 * when PD stops answering the live checker, TiKVOperatorCheckerStale fires for that cluster within 3 check
 * intervals and resolves when PD answers again; when the backend dies, TiKVOperatorBackendDown fires (after its
 * 30 s `for`) although no invariant alert can, and resolves once the backend is back on its port.
 */
import type { FastifyInstance } from 'fastify';

import { type RunningPrometheus, waitFor } from '../../../src/embedded/prometheus';
import { buildApp } from '../../../src/server/app';
import { loadConfig } from '../../../src/server/config';
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { logTail, startRulesPrometheus } from '../../support/rulesPrometheus';

let sim: Simulator;
let prometheus: RunningPrometheus;
let app: FastifyInstance | undefined;
let port: number;
const log = logTail();

async function startApp(): Promise<void> {
  const config = loadConfig(
    {
      PD_URL: sim.pdUrl,
      PROMETHEUS_URL: prometheus.url,
      CLUSTER_NAME: 'east',
      CHECK_INTERVAL: '1s',
      SCRAPE_INTERVAL: '1s',
      CACHE_TTL_MS: '0',
      UPSTREAM_TIMEOUT_MS: '500',
      LOG_LEVEL: 'error',
    },
    undefined
  );
  app = buildApp(config, { logStream: log.stream });
  await app.listen({ port, host: '127.0.0.1' });
}

/** Firing watchdog alerts as "alertname cluster" strings, sorted. */
async function watchdogFiring(): Promise<string[]> {
  const q = 'ALERTS{alertstate="firing",alertname=~"TiKVOperator(BackendDown|CheckerStale|PDUnreachable)"}';
  const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { data: { result: Array<{ metric: Record<string, string> }> } };
  return body.data.result.map(({ metric: m }) => `${m.alertname} ${m.cluster ?? '-'} ${m.severity}`).sort();
}

const until = (what: string, expected: string[], timeoutMs: number) =>
  waitFor(
    what,
    async () => {
      const now = await watchdogFiring();
      return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
    },
    timeoutMs
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nbackend log tail: ${log.text()}`);
  });

beforeAll(async () => {
  sim = await createSimulator({ stores: 3, regions: 100, seed: 11 });
  const started = await startRulesPrometheus({ httpSdUrl: `${sim.url}/sim/targets` });
  prometheus = started.prometheus;
  port = started.backendPort;
  await startApp();
  await waitFor('the backend exporter to be scraped', async () => {
    const q = encodeURIComponent('tikv_operator_check_last_success_timestamp_seconds{cluster="east"}');
    const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=${q}`)).json()) as {
      data: { result: unknown[] };
    };
    return body.data.result.length === 1 ? true : undefined;
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await prometheus?.stop();
  await sim?.close();
});

test('nothing fires while the backend and its checker are well', async () => {
  // A few evaluations after the first scrape.
  await new Promise((r) => setTimeout(r, 3000));
  expect(await watchdogFiring()).toEqual([]);
});

test('PD failing the checker fires CheckerStale for the cluster within 3 check intervals, and it resolves', async () => {
  sim.addPdFault({ path: '/stores', kind: 'error' });
  try {
    await until('CheckerStale for east', ['TiKVOperatorCheckerStale east critical'], 20_000);
  } finally {
    sim.clearPdFaults();
  }
  await until('CheckerStale to resolve', [], 20_000);
}, 60_000);

test('a dead backend fires BackendDown (no invariant alert can), and a restarted one resolves it', async () => {
  await app!.close();
  app = undefined;
  await until('BackendDown', ['TiKVOperatorBackendDown - critical'], 60_000);
  await startApp();
  await until('BackendDown to resolve', [], 30_000);
}, 120_000);
