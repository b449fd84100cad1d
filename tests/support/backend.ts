/**
 * Starts what an integration test of the backend needs, all on 127.0.0.1: the simulator, optionally a real
 * Prometheus (1 s scrape) scraping the simulator's `/sim/targets` and the backend's `/metrics`, and the backend
 * itself listening on a free port, with everything it logs captured.
 *
 *   const b = await startBackend({ prometheus: true, env: { API_TOKEN: 'token-…' } });
 *   const res = await b.request('POST', '/api/query', { body, token });
 *   await b.close();
 *
 * `env` holds backend variables (as `loadConfig` reads them); PD_URL and PROMETHEUS_URL default to the simulator
 * and the started Prometheus, and can be pointed elsewhere (a garbage server, a closed port).
 */
import { Writable } from 'node:stream';

import type { FastifyInstance } from 'fastify';

import { freePort, prometheusAvailable, startPrometheus, type RunningPrometheus } from '../../src/embedded/prometheus';
import { buildApp, type AppDeps } from '../../src/server/app';
import { type Config, loadConfig } from '../../src/server/config';
import { createSimulator, type Simulator } from '../../src/simulator/server';

export interface TestBackendOptions {
  stores?: number;
  regions?: number;
  seed?: number;
  /** How long a simulated PD operator keeps running (default 1 s). */
  operatorMs?: number;
  /** The simulator's drain time of a removed store (default 10 s). */
  drainMs?: number;
  /** Start a real Prometheus (fails when the binary is missing: the test command installs it). */
  prometheus?: boolean;
  /** Backend variables; defaults: CHECK_INTERVAL=1s, SCRAPE_INTERVAL=1s, CACHE_TTL_MS=0, LOG_LEVEL=info. */
  env?: Record<string, string>;
  /** Extra dependencies for buildApp (clock, checker: false, …). */
  deps?: Omit<AppDeps, 'logStream'>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body (undefined when the body is not JSON). */
  json: any;
}

export interface TestBackend {
  url: string;
  app: FastifyInstance;
  config: Config;
  sim: Simulator;
  prometheus?: RunningPrometheus;
  /** Everything the backend logged so far (pino's JSON lines). */
  logs(): string;
  request(method: string, path: string, o?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  close(): Promise<void>;
}

export async function startBackend(o: TestBackendOptions = {}): Promise<TestBackend> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) {
      await c();
    }
  };
  try {
    const sim = await createSimulator({
      stores: o.stores ?? 3,
      regions: o.regions ?? 200,
      seed: o.seed ?? 1,
      operatorMs: o.operatorMs,
      drainMs: o.drainMs,
    });
    closers.push(() => sim.close());
    const port = await freePort();
    let prometheus: RunningPrometheus | undefined;
    if (o.prometheus) {
      if (!prometheusAvailable()) {
        throw new Error('the prometheus binary is needed for this test (apt-get install prometheus)');
      }
      prometheus = await startPrometheus({
        httpSdUrl: `${sim.url}/sim/targets`,
        staticJobs: [{ job: 'tikv-operator', targets: [`127.0.0.1:${port}`], bearerToken: o.env?.METRICS_TOKEN }],
        interval: '1s',
      });
      closers.push(() => prometheus!.stop());
    }
    const config = loadConfig(
      {
        PD_URL: sim.pdUrl,
        ...(prometheus ? { PROMETHEUS_URL: prometheus.url } : {}),
        CHECK_INTERVAL: '1s',
        SCRAPE_INTERVAL: '1s',
        CACHE_TTL_MS: '0',
        LOG_LEVEL: 'info',
        ...o.env,
      },
      undefined
    );
    let logText = '';
    const logStream = new Writable({
      write(chunk: Buffer, _enc, done) {
        logText += chunk.toString();
        done();
      },
    });
    const app = buildApp(config, { ...o.deps, logStream });
    closers.push(() => app.close());
    await app.listen({ port, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${port}`;
    return {
      url,
      app,
      config,
      sim,
      prometheus,
      logs: () => logText,
      request: async (method, path, r = {}) => {
        const headers: Record<string, string> = { ...r.headers };
        if (r.token !== undefined) {
          headers.authorization = `Bearer ${r.token}`;
        }
        if (r.body !== undefined) {
          headers['content-type'] = 'application/json';
        }
        const res = await fetch(url + path, {
          method,
          headers,
          body: r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
        });
        const text = await res.text();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        return { status: res.status, headers: res.headers, text, json };
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
