/**
 * `npm start`: serves the backend. With no PD_URL it runs the embedded default — the simulator in-process (3 stores)
 * and, when the `prometheus` binary is installed, a Prometheus scraping the simulator and this backend's /metrics —
 * all on loopback. `npm start -- --clusters 2` runs that many simulated clusters (`cluster-1`, `cluster-2`, …) in
 * one backend, scraped by one Prometheus that tells them apart by the label `sim_cluster` (each cluster's
 * PROMETHEUS_SELECTOR). With PD_URL (and PROMETHEUS_URL), or a CONFIG_FILE with CLUSTERS, it serves those clusters.
 * Ctrl-C (SIGINT) or SIGTERM stops everything it started. A bad configuration prints the variable at fault and
 * exits 1.
 */
import { parseArgs } from 'node:util';

import { buildApp } from './app';
import { describeUrl } from './audit/pgConnection';
import { type ClusterConfig, type Config, isLoopback, loadConfig, safeUrl } from './config';
import { ConfigError } from '../shared/errors';
import { INVARIANTS } from '../shared/names';
import { freePort, prometheusAvailable, startPrometheus } from '../embedded/prometheus';
import { formatPromDuration } from '../subject/tikv/promql';
import { createSimulator } from '../simulator/server';

/** Scrape interval of the embedded Prometheus: fresh enough for a demo, light on a laptop. */
const EMBEDDED_SCRAPE_MS = 5000;

type Stop = () => Promise<void>;

/** How many simulated clusters `--clusters N` asks for (1 without it). */
function embeddedClusters(): number {
  let values: { clusters?: string };
  try {
    values = parseArgs({ options: { clusters: { type: 'string' } }, strict: true }).values;
  } catch (err) {
    throw new ConfigError('--clusters', (err as Error).message);
  }
  const n = values.clusters === undefined ? 1 : Number(values.clusters);
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    throw new ConfigError('--clusters', `must be a whole number from 1 to 8 (got ${JSON.stringify(values.clusters)})`);
  }
  return n;
}

async function main(): Promise<void> {
  let config: Config;
  let simulated: number;
  try {
    config = loadConfig(process.env);
    simulated = embeddedClusters();
    if (simulated > 1 && config.clusters.some((c) => c.pd)) {
      throw new ConfigError('--clusters', 'starts simulated clusters: leave PD_URL and CLUSTERS unset');
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  if (!config.apiToken) {
    if (!isLoopback(config.host)) {
      console.error(
        `configuration error: HOST: refusing to listen on ${config.host} without API_TOKEN (anyone could read the cluster); set API_TOKEN or use HOST=127.0.0.1`
      );
      process.exit(1);
    }
    console.warn('warning: API_TOKEN is not set; the API is open to anyone on this machine (loopback only)');
  }
  if (!config.metricsToken && !isLoopback(config.host)) {
    // Open on purpose (README "Secrets"): it shows what PD's and TiKV's own /metrics show. Said, not refused.
    console.warn(`note: /metrics is open on ${config.host} (store ids, addresses, violations); set METRICS_TOKEN to require a token`);
  }

  const stops: Stop[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) {
      process.exit(code);
    }
    stopping = true;
    for (const stop of stops.reverse()) {
      await stop().catch((err) => console.error(`while stopping: ${String(err)}`));
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    // The port must be known before an embedded Prometheus is told where /metrics is.
    const port = config.port === 0 ? await freePort() : config.port;
    const embedded = !config.clusters[0].pd;
    if (embedded) {
      const base = config.clusters[0];
      const many = simulated > 1;
      const sims = [];
      for (let i = 1; i <= simulated; i++) {
        const sim = await createSimulator({ stores: 3, seed: i });
        stops.push(() => sim.close());
        sims.push(sim);
      }
      // Several simulated clusters share one Prometheus: each one's targets get `sim_cluster`, its selector.
      const names = sims.map((_, i) => (many ? `cluster-${i + 1}` : base.name));
      let clusters: ClusterConfig[] = sims.map((sim, i) => ({
        ...base,
        name: names[i],
        pd: { urls: [sim.pdUrl] },
        ...(many ? { selector: [{ name: 'sim_cluster', op: '=' as const, value: names[i] }], selectorText: `sim_cluster="${names[i]}"` } : {}),
      }));
      sims.forEach((sim, i) => console.log(`embedded simulator${many ? ` ${names[i]}` : ''}: PD API at ${sim.pdUrl}`));
      if (!base.prometheus && prometheusAvailable()) {
        const prom = await startPrometheus({
          ...(many
            ? { httpSd: sims.map((sim, i) => ({ url: `${sim.url}/sim/targets`, labels: { sim_cluster: names[i] } })) }
            : { httpSdUrl: `${sims[0].url}/sim/targets` }),
          staticJobs: [{ job: 'tikv-operator', targets: [`${loopbackHost(config.host)}:${port}`], bearerToken: config.metricsToken }],
          interval: formatPromDuration(EMBEDDED_SCRAPE_MS),
        });
        stops.push(() => prom.stop());
        clusters = clusters.map((c) => ({ ...c, prometheus: { url: prom.url, jobs: { tikv: 'tikv', pd: 'pd' } } }));
        config = { ...config, scrapeIntervalMs: EMBEDDED_SCRAPE_MS };
        console.log(`embedded Prometheus: ${prom.url}`);
      } else if (!base.prometheus) {
        console.warn('warning: no `prometheus` binary found; metrics and invariant history are unavailable (install prometheus or set PROMETHEUS_URL)');
      }
      config = { ...config, clusters };
    }

    // Readable lines on a terminal, JSON lines when piped (a log collector, a container runtime).
    const app = buildApp(config, { prettyLogs: process.stdout.isTTY === true });
    stops.push(() => app.close());
    await app.listen({ port, host: config.host });
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    // Written with console.log, not the logger: scripts and the acceptance checks read these lines on stdout
    // whatever LOG_LEVEL says.
    console.log(`\nTiKV operator backend: ${url}`);
    for (const c of config.clusters) {
      console.log(`  cluster ${c.name}${c.selectorText ? ` (${c.selectorText})` : ''}`);
      console.log(`    PD: ${c.pd!.urls.map(safeUrl).join(', ')}`);
      console.log(`    Prometheus: ${c.prometheus ? safeUrl(c.prometheus.url) : 'not configured'}`);
    }
    console.log(`  Audit trail: ${auditLine(config)}`);
    console.log(`\n${exampleCurl(url, Boolean(config.apiToken), config.clusters.length > 1 ? config.clusters[0].name : undefined)}\n`);
  } catch (err) {
    console.error(`start-up failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1);
  }
}

/** Where actions are recorded; never the URL's credentials. */
function auditLine(config: Config): string {
  if (!config.actions.enabled) {
    return 'none (actions are disabled)';
  }
  if (config.audit.url) {
    const ignored = config.audit.pathIgnored ? ' (AUDIT_DB_URL is set: AUDIT_DB_PATH is ignored)' : '';
    return `PostgreSQL at ${describeUrl(config.audit.url)}${ignored}`;
  }
  return `SQLite file ${config.actions.auditDbPath}`;
}

/**
 * A first query to paste into a shell (bash or zsh): the last hour's invariant violations, every invariant, in
 * Grafana's /api/ds/query shape. Times are epoch ms, computed by the shell when pasted, so the example never goes
 * stale.
 */
function exampleCurl(url: string, withToken: boolean, cluster: string | undefined): string {
  const auth = withToken ? ` -H "Authorization: Bearer $API_TOKEN"` : '';
  // With several clusters a request names one (DESIGN.md "cluster on the wire").
  const named = cluster === undefined ? '' : `"cluster": ${JSON.stringify(cluster)}, `;
  const queries = JSON.stringify([{ refId: 'A', kind: 'invariant', invariants: [...INVARIANTS], format: 'violations' }]);
  return [
    'Try it: the invariant violations of the last hour (epoch ms; the answer is Grafana data frames)',
    '  NOW=$(date +%s000)',
    `  curl -s -X POST ${url}/api/query -H 'content-type: application/json'${auth} \\`,
    `    -d '{${named}"from": '$((NOW - 3600000))', "to": '$NOW', "queries": ${queries}}'`,
  ].join('\n');
}

/** Where Prometheus reaches this backend: its own address, or loopback when listening on every interface. */
function loopbackHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') {
    return '127.0.0.1';
  }
  return host.includes(':') ? `[${host}]` : host;
}

void main();
