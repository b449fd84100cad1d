/**
 * The provisioned Prometheus rule file in a real Prometheus (1 s scrape and evaluation) scraping the simulator and
 * the backend's exporter on loopback: a fault injected in the simulator shows as a firing alert in
 * `ALERTS{alertstate="firing"}`, labelled with its store, and the alert resolves after recovery.
 */
import { Writable } from 'node:stream';

import type { FastifyInstance } from 'fastify';

import { type RunningPrometheus, waitFor } from '../../../src/embedded/prometheus';
import { buildApp } from '../../../src/server/app';
import { loadConfig } from '../../../src/server/config';
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { RULES, startRulesPrometheus } from '../../support/rulesPrometheus';

let sim: Simulator;
let prometheus: RunningPrometheus;
let app: FastifyInstance;
let logs = '';
let storeIds: number[];

interface AlertSample {
  metric: Record<string, string>;
}

/** `ALERTS{alertstate="firing"}` as "alertname store severity" strings, sorted. */
async function firing(): Promise<string[]> {
  const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('ALERTS{alertstate="firing"}')}`);
  const body = (await res.json()) as { status: string; data: { result: AlertSample[] } };
  if (body.status !== 'success') {
    throw new Error(`Prometheus answered ${JSON.stringify(body)}`);
  }
  // region_health is cluster-level: its alert has no store label.
  return body.data.result
    .map(({ metric: m }) => `${m.alertname} store=${m.store ?? '-'} severity=${m.severity}`)
    .sort();
}

beforeAll(async () => {
  sim = await createSimulator({ stores: 3, regions: 200, seed: 7 });
  const started = await startRulesPrometheus({ httpSdUrl: `${sim.url}/sim/targets` });
  prometheus = started.prometheus;
  const port = started.backendPort;
  const config = loadConfig(
    {
      PD_URL: sim.pdUrl,
      PROMETHEUS_URL: prometheus.url,
      API_TOKEN: 'alert-rules-test-token',
      CHECK_INTERVAL: '1s',
      SCRAPE_INTERVAL: '1s',
      CACHE_TTL_MS: '0',
      // A short rate window, and no latency grace, so the latency alert also fires and clears within seconds.
      RATE_WINDOW: '5s',
      HIGH_LATENCY_GRACE_SECONDS: '0',
      REGION_HEALTH_GRACE_SECONDS: '0',
      LOG_LEVEL: 'warn',
    },
    undefined
  );
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs = (logs + chunk.toString()).slice(-4000);
      done();
    },
  });
  app = buildApp(config, { logStream });
  await app.listen({ port, host: '127.0.0.1' });
  storeIds = sim.cluster.stores.map((s) => s.id).sort((a, b) => a - b);
});

afterAll(async () => {
  await app?.close();
  await prometheus?.stop();
  await sim?.close();
});

describe('the provisioned Prometheus alert rules, live', () => {
  it('load into Prometheus as four invariant rules and three watchdog rules', async () => {
    const res = await fetch(`${prometheus.url}/api/v1/rules?type=alert`);
    const body = (await res.json()) as { data: { groups: Array<{ file: string; rules: Array<{ name: string }> }> } };
    expect(body.data.groups.map((g) => g.file)).toEqual([RULES, RULES]);
    expect(body.data.groups[0].rules.map((r) => r.name).sort()).toEqual([
      'TiKVOperatorHighLatency',
      'TiKVOperatorLowDisk',
      'TiKVOperatorRegionHealth',
      'TiKVOperatorStoreDown',
    ]);
    expect(body.data.groups[1].rules.map((r) => r.name).sort()).toEqual([
      'TiKVOperatorBackendDown',
      'TiKVOperatorCheckerStale',
      'TiKVOperatorPDUnreachable',
    ]);
  });

  it('fire nothing while the cluster is healthy', async () => {
    // Wait until the exporter has been scraped, so "nothing firing" is about a real evaluation.
    await waitFor('the backend exporter to be scraped', async () => {
      const res = await fetch(
        `${prometheus.url}/api/v1/query?query=${encodeURIComponent('up{job="tikv-operator"} == 1')}`
      );
      const body = (await res.json()) as { data: { result: unknown[] } };
      return body.data.result.length === 1 ? true : undefined;
    });
    expect(await firing()).toEqual([]);
  });

  it('fire one alert per fault, labelled with its store and severity, and resolve after recovery', async () => {
    const [down, full, slow] = storeIds;
    sim.stopStore(down, { secondsAgo: 60 });
    sim.fillDisk(full, 90);
    sim.setLatency(slow, 500);
    sim.setRegionFault({ missPeer: 3 });
    const expected = [
      `TiKVOperatorHighLatency store=${slow} severity=warning`,
      `TiKVOperatorLowDisk store=${full} severity=warning`,
      'TiKVOperatorRegionHealth store=- severity=warning',
      `TiKVOperatorStoreDown store=${down} severity=critical`,
    ].sort();
    await waitFor(
      `firing alerts ${expected.join(', ')}`,
      async () => {
        const now = await firing();
        return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
      },
      45_000
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nbackend log tail: ${logs}`);
    });

    sim.recoverAll();
    await waitFor('every alert to resolve', async () => ((await firing()).length === 0 ? true : undefined), 45_000);
  }, 120_000);
});
