/**
 * Runs a real Prometheus (the Debian `prometheus` binary) on loopback with a temporary data directory: the embedded
 * default of `npm start` and the Prometheus of the integration tests. Scrape targets come from the simulator's
 * `/sim/targets` (HTTP service discovery), so one config follows any cluster size.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { stringify } from 'yaml';

export interface PrometheusOptions {
  /** URL of an HTTP service-discovery endpoint (the simulator's `/sim/targets`). */
  httpSdUrl?: string;
  /**
   * More HTTP service-discovery endpoints, each with labels added to its targets (several simulated clusters in one
   * Prometheus, told apart by a label such as `sim_cluster="east"`).
   */
  httpSd?: Array<{ url: string; labels: Record<string, string> }>;
  /** Extra static scrape jobs, e.g. the backend exporter `{job: 'tikv-operator', targets: ['127.0.0.1:3100']}`. */
  staticJobs?: Array<{ job: string; targets: string[]; metricsPath?: string; bearerToken?: string }>;
  /** Rule files to load (absolute paths). */
  ruleFiles?: string[];
  /** Scrape and rule evaluation interval, e.g. `1s` in tests, `5s` for `npm start`. */
  interval?: string;
  /** Existing TSDB directory (backfilled blocks); otherwise a fresh temporary one. */
  dataDir?: string;
  /** Keep samples this long (backfilled history may be older than the default 15 d). */
  retention?: string;
  binary?: string;
}

export interface RunningPrometheus {
  url: string;
  dataDir: string;
  configPath: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** True when the binary can be run (the test command installs it; `npm start` runs without it). */
export function prometheusAvailable(binary = 'prometheus'): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function prometheusConfig(o: PrometheusOptions): Record<string, unknown> {
  const interval = o.interval ?? '5s';
  const scrapeConfigs: unknown[] = [];
  if (o.httpSdUrl) {
    scrapeConfigs.push({
      // The simulator's targets carry `job`, `instance` (= the store's status_address) and `__metrics_path__`.
      job_name: 'simulator',
      honor_labels: true,
      http_sd_configs: [{ url: o.httpSdUrl, refresh_interval: interval }],
    });
  }
  (o.httpSd ?? []).forEach((sd, i) => {
    scrapeConfigs.push({
      job_name: `simulator-${i + 1}`,
      honor_labels: true,
      http_sd_configs: [{ url: sd.url, refresh_interval: interval }],
      relabel_configs: Object.entries(sd.labels).map(([name, value]) => ({ target_label: name, replacement: value })),
    });
  });
  for (const j of o.staticJobs ?? []) {
    scrapeConfigs.push({
      job_name: j.job,
      metrics_path: j.metricsPath ?? '/metrics',
      static_configs: [{ targets: j.targets }],
      ...(j.bearerToken ? { authorization: { type: 'Bearer', credentials: j.bearerToken } } : {}),
    });
  }
  return {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    rule_files: o.ruleFiles ?? [],
    scrape_configs: scrapeConfigs,
  };
}

/** Starts Prometheus and resolves once `/-/ready` answers (deadline 30 s). */
export async function startPrometheus(o: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const work = mkdtempSync(join(tmpdir(), 'tikv-operator-prom-'));
  const dataDir = o.dataDir ?? join(work, 'data');
  const configPath = join(work, 'prometheus.yml');
  writeFileSync(configPath, stringify(prometheusConfig(o)));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    o.binary ?? 'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${dataDir}`,
      `--storage.tsdb.retention.time=${o.retention ?? '3650d'}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(work, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with code ${child.exitCode}: ${stderr.trim()}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) {
        return { url, dataDir, configPath, process: child, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`prometheus did not become ready within 30 s: ${stderr.trim()}`);
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) {
        return v;
      }
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
