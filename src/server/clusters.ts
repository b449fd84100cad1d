/**
 * Every cluster's parts, built in one place (DESIGN.md "several clusters"): per cluster a PDClient, a
 * PrometheusClient (when configured), the TiKVSubject, its invariant rules, a LiveChecker and the CheckerLoop that
 * feeds the shared exporter under the cluster's label. Routes look a cluster up first (`clusters.pick(name)`):
 * absent with one cluster is that one, absent with several is a 400 listing the names, an unknown name a 404.
 *
 *   const clusters = buildClusters(config, { exporter, log, clock });
 *   const parts = clusters.pick(body.cluster);
 */
import type { FastifyBaseLogger } from 'fastify';

import { BadQueryError, ERROR_CODES, OperatorError } from '../shared/errors';
import { AnswerCache } from '../subject/http/answerCache';
import type { Answer } from '../subject/http/upstream';
import { PDClient } from '../subject/pd/client';
import { PrometheusClient } from '../subject/prometheus/client';
import { rateWindowMs } from '../subject/tikv/invariants/history';
import { LiveChecker } from '../subject/tikv/invariants/live';
import { DEFAULT_RULES, type InvariantRules, resolveRules } from '../subject/tikv/invariants/rules';
import { formatPromDuration } from '../subject/tikv/promql';
import type { ActionPd } from '../subject/tikv/actions';
import { resolveSlos } from '../subject/tikv/slo/definitions';
import { TiKVSubject } from '../subject/tikv/subject';
import { DEFAULT_CLUSTER, type SloName } from '../shared/names';
import type { Slo } from '../subject/subject';
import { DEFAULT_HISTORY_STATES, HistoryStates } from '../subject/tikv/invariants/historyState';
import { CheckerLoop } from './checker';
import type { ClusterConfig, Config } from './config';
import type { Exporter } from './exporter';

export interface ClusterParts {
  name: string;
  config: ClusterConfig;
  pd: PDClient;
  /** Absent: no PROMETHEUS_URL for this cluster. */
  prometheus?: PrometheusClient;
  subject: TiKVSubject;
  /** This cluster's rules (defaults with its overrides). */
  rules: InvariantRules;
  /** The PromQL rate window, live and past alike. */
  rateWindow: string;
  /** This cluster's SLOs (defaults with its objective/window overrides). */
  slos: Record<SloName, Slo>;
  liveChecker: LiveChecker;
  loop: CheckerLoop;
  /** Replay states kept for incremental history refresh (shared by every cluster, keyed by its name). */
  historyStates: HistoryStates;
}

/** Injected parts of the first (only) cluster, for tests that bring their own clients. */
export interface ClusterOverrides {
  pd?: PDClient;
  prometheus?: PrometheusClient;
  subject?: TiKVSubject;
  liveChecker?: LiveChecker;
}

export class ClusterNotFoundError extends OperatorError {
  constructor(name: string, names: string[]) {
    super(
      ERROR_CODES.CLUSTER_NOT_FOUND,
      `no cluster named ${JSON.stringify(name.slice(0, 64))} on this backend; clusters: ${names.join(', ')}`,
      404
    );
  }
}

/** What the actions routes need of the clusters: a name's PD (the same 400/404 as `Clusters.pick`). */
export interface ClusterPicker {
  pick(name: string | undefined): { name: string; pd: ActionPd };
}

/** One cluster of only a PD (tests of the actions routes). */
export function singleCluster(pd: ActionPd, name = DEFAULT_CLUSTER): ClusterPicker {
  return {
    pick: (asked) => {
      if (asked !== undefined && asked !== '' && asked !== name) {
        throw new ClusterNotFoundError(asked, [name]);
      }
      return { name, pd };
    },
  };
}

export class Clusters implements ClusterPicker {
  readonly list: readonly ClusterParts[];
  private readonly byName: Map<string, ClusterParts>;
  /** Clients this set built, closed with it. */
  private readonly owned: Array<{ close(): Promise<void> }>;

  constructor(list: ClusterParts[], owned: Array<{ close(): Promise<void> }>) {
    this.list = list;
    this.byName = new Map(list.map((c) => [c.name, c]));
    this.owned = owned;
  }

  names(): string[] {
    return this.list.map((c) => c.name);
  }

  /** The cluster a request names (`cluster` in a body, `?cluster=`). */
  pick(name: string | undefined): ClusterParts {
    if (name === undefined || name === '') {
      if (this.list.length === 1) {
        return this.list[0];
      }
      throw new BadQueryError(
        `this backend serves several clusters; name one of: ${this.names().join(', ')}`,
        'cluster'
      );
    }
    const parts = this.byName.get(name);
    if (!parts) {
      throw new ClusterNotFoundError(name, this.names());
    }
    return parts;
  }

  /** `?cluster=` on a GET that also answers for every cluster: the named one, or all of them. */
  select(name: string | undefined): readonly ClusterParts[] {
    return name === undefined || name === '' ? this.list : [this.pick(name)];
  }

  start(): void {
    this.list.forEach((c) => c.loop.start());
  }

  async close(): Promise<void> {
    await Promise.all(this.list.map((c) => c.loop.stop()));
    await Promise.all(this.owned.map((c) => c.close()));
  }
}

export function buildClusters(
  config: Config,
  o: { exporter: Exporter; log: FastifyBaseLogger; clock: () => number; overrides?: ClusterOverrides }
): Clusters {
  const owned: Array<{ close(): Promise<void> }> = [];
  const clientOptions = {
    timeoutMs: config.upstream.timeoutMs,
    // One byte budget for every cluster's PD and Prometheus answers together.
    cache: new AnswerCache<Answer<unknown>>(config.upstream.cacheTtlMs, config.upstream.cacheMaxBytes),
    maxConcurrent: config.upstream.maxConcurrent,
    maxBodyBytes: config.upstream.maxBodyBytes,
  };
  const historyStates = new HistoryStates({
    maxEntries: config.upstream.historyStateMaxEntries,
    maxBytes: config.upstream.historyStateMaxBytes,
    ttlMs: DEFAULT_HISTORY_STATES.ttlMs,
  });
  // The window every PromQL rate uses, live and past alike: at least four scrape intervals (history.ts rateWindowMs).
  const rateWindow = formatPromDuration(rateWindowMs(config.rateWindow, config.scrapeIntervalMs));
  const list = config.clusters.map((c, i): ClusterParts => {
    const inject = i === 0 ? (o.overrides ?? {}) : {};
    let pd = inject.pd;
    if (!pd) {
      if (!c.pd) {
        throw new Error(`cluster ${c.name} needs PD_URL (main.ts starts the simulator when PD_URL is unset)`);
      }
      pd = new PDClient({
        urls: c.pd.urls,
        tls: c.pd.tls,
        ...clientOptions,
        maxBodyBytes: config.upstream.pdMaxBodyBytes,
        bodyLimit: {
          name: 'PD_MAX_BODY_BYTES',
          advice: 'raise it if this cluster answers that much (10,000 stores take about 12 MB)',
        },
      });
      owned.push(pd);
    }
    let prometheus = inject.prometheus;
    if (!prometheus && c.prometheus) {
      prometheus = new PrometheusClient({
        url: c.prometheus.url,
        auth: c.prometheus.auth,
        tls: c.prometheus.tls,
        selector: c.selector,
        jobs: c.prometheus.jobs,
        ...clientOptions,
        bodyLimit: {
          name: 'UPSTREAM_MAX_BODY_BYTES',
          advice: 'ask for less (a shorter range, fewer stores) or raise it',
        },
      });
      owned.push(prometheus);
    }
    const rules = resolveRules(DEFAULT_RULES, c.invariants);
    const subject =
      inject.subject ??
      new TiKVSubject({
        pd,
        // Without Prometheus, the routes refuse the queries that need it before the subject is asked.
        prometheus: prometheus ?? unconfiguredPrometheus(),
        instanceMapping: c.instanceMapping,
        rateWindow,
        includeTiFlash: c.includeTiFlash,
        scrapeIntervalMs: config.scrapeIntervalMs,
        lowDiskRatio: rules.low_disk.threshold,
      });
    const liveChecker =
      inject.liveChecker ??
      new LiveChecker({ rules, includeTiFlash: c.includeTiFlash, maintenanceLabel: c.maintenanceLabel });
    const loop = new CheckerLoop({
      cluster: c.name,
      pd,
      prometheus,
      liveChecker,
      exporter: o.exporter,
      intervalMs: config.checkIntervalMs,
      rateWindow,
      instanceMapping: c.instanceMapping,
      log: o.log.child({ cluster: c.name }),
      clock: o.clock,
    });
    const slos = resolveSlos(c.slos);
    return {
      name: c.name,
      config: c,
      pd,
      prometheus,
      subject,
      rules,
      rateWindow,
      slos,
      liveChecker,
      loop,
      historyStates,
    };
  });
  return new Clusters(list, owned);
}

/** A client that is never asked (see above); `.invalid` never resolves (RFC 2606), should one slip through. */
function unconfiguredPrometheus(): PrometheusClient {
  return new PrometheusClient({ url: 'http://prometheus.invalid' });
}
