/**
 * A live stack for the subject and invariant integration tests, all on 127.0.0.1: the simulator, a real Prometheus
 * (1 s scrape) and the TiKVSubject over both. Prometheus discovers its targets through a small service-discovery
 * proxy in front of the simulator's `/sim/targets`, so a test can hide a store from Prometheus (a store with no
 * metrics) or add a target whose `instance` no store has (an unmatched instance).
 *
 *   const stack = await startLiveStack({ stores: 4, hide: [4], extraInstances: ['10.9.9.9:20180'] });
 *   await stack.close();
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  prometheusAvailable,
  startPrometheus,
  waitFor,
  type RunningPrometheus,
} from '../../../src/embedded/prometheus';
import { PDClient } from '../../../src/subject/pd/client';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { TiKVSubject } from '../../../src/subject/tikv/subject';
import {
  createSimulator,
  type HttpSdTarget,
  type Simulator,
  type SimulatorOptions,
} from '../../../src/simulator/server';

export interface LiveStackOptions extends Omit<SimulatorOptions, 'host' | 'port'> {
  /** Store ids whose scrape target Prometheus never learns about. */
  hide?: number[];
  /** Extra TiKV targets (serving store 1's metrics) under `instance` values no store has. */
  extraInstances?: string[];
  /** The subject's rate window (default 4s: four 1 s scrapes). */
  rateWindow?: string;
  /** PD client timeout (default 2 s, so a hanging PD fails fast). */
  pdTimeoutMs?: number;
}

export interface LiveStack {
  sim: Simulator;
  prom: RunningPrometheus;
  pd: PDClient;
  prometheus: PrometheusClient;
  subject: TiKVSubject;
  /** Waits until Prometheus has scraped every TiKV target at least `scrapes` times (up == 1). */
  waitForScrapes(instances: string[], scrapes?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startLiveStack(o: LiveStackOptions = {}): Promise<LiveStack> {
  if (!prometheusAvailable()) {
    throw new Error('the prometheus binary is needed for this test (the test command installs the Debian package)');
  }
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of closers.reverse()) {
      await c();
    }
  };
  try {
    const sim = await createSimulator({ stores: 3, regions: 200, seed: 7, ...o });
    closers.push(() => sim.close());
    const sd = await startSdProxy(sim, o.hide ?? [], o.extraInstances ?? []);
    closers.push(() => new Promise((resolve) => sd.close(resolve)));
    const sdUrl = `http://127.0.0.1:${(sd.address() as AddressInfo).port}/targets`;
    const prom = await startPrometheus({ httpSdUrl: sdUrl, interval: '1s' });
    closers.push(() => prom.stop());
    const pd = new PDClient({ urls: [sim.url], timeoutMs: o.pdTimeoutMs ?? 2000, cacheTtlMs: 0 });
    closers.push(() => pd.close());
    const prometheus = new PrometheusClient({ url: prom.url, timeoutMs: 5000, cacheTtlMs: 0 });
    closers.push(() => prometheus.close());
    const subject = new TiKVSubject({ pd, prometheus, rateWindow: o.rateWindow ?? '4s' });
    const waitForScrapes = async (instances: string[], scrapes = 1) => {
      await waitFor(
        `${scrapes} scrape(s) of ${instances.join(', ')}`,
        async () => {
          const r = await prometheus.query(
            `count_over_time(${prometheus.selector('up', [], 'tikv')}[1m]) >= ${scrapes}`
          );
          const seen = new Set(r.samples.map((s) => s.labels.instance));
          return instances.every((i) => seen.has(i)) ? true : undefined;
        },
        30_000
      );
    };
    return { sim, prom, pd, prometheus, subject, waitForScrapes, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Serves the simulator's targets minus the hidden stores, plus the extra instances (HTTP service discovery). */
async function startSdProxy(sim: Simulator, hide: number[], extraInstances: string[]): Promise<Server> {
  const hidden = new Set(hide.map((id) => `/metrics/tikv/${id}`));
  const server = createServer((_req, res) => {
    const targets: HttpSdTarget[] = sim.targets().filter((t) => !hidden.has(t.labels.__metrics_path__ ?? ''));
    const simAddress = sim.url.replace(/^http:\/\//, '');
    for (const instance of extraInstances) {
      targets.push({ targets: [simAddress], labels: { job: 'tikv', instance, __metrics_path__: '/metrics/tikv/1' } });
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(targets));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
