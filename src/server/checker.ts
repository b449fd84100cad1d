/**
 * The live checker loop behind the exporter: every check interval it reads PD's stores (on PD's clock) and,
 * independently, Prometheus' P99 write latency and disk used ratio, feeds one LiveChecker tick and rewrites the
 * violation gauges. Each input fails on its own: with Prometheus down or empty, store down is still judged from PD;
 * with PD down, the last known stores still map Prometheus' instances. Errors are counted per upstream and logged;
 * the loop never stops on them. Ticks never overlap (the next one is scheduled when the previous ends).
 * One loop per cluster (clusters.ts): its violations carry the cluster's name, and each tick tells the exporter
 * whether PD and Prometheus answered and, when PD did, that the check succeeded (the watchdog's input). PD's
 * evict-leader scheduler list is read too: a store it covers is in maintenance. region_health (cluster-level) is
 * judged from PD's `pd_regions_status` as Prometheus has it.
 */
import type { FastifyBaseLogger } from 'fastify';

import { describeError, UpstreamError } from '../shared/errors';
import type { PDClient } from '../subject/pd/client';
import type { StoreInfo } from '../subject/pd/schema';
import { isTiFlash } from '../subject/pd/storeState';
import type { PrometheusClient } from '../subject/prometheus/client';
import { InstanceDirectory, type InstanceMapping } from '../subject/tikv/instances';
import type { LiveChecker, LiveStore } from '../subject/tikv/invariants/live';
import { diskUsedRatioExpr, p99WriteLatencyExpr, regionHealthExpr } from '../subject/tikv/promql';
import type { Exporter } from './exporter';

export interface CheckerLoopOptions {
  /** CLUSTER_NAME: the exporter's `cluster` label and the violations' `cluster`. */
  cluster: string;
  pd: PDClient;
  /** Absent: latency and disk are not checked (no Prometheus configured). */
  prometheus?: PrometheusClient;
  liveChecker: LiveChecker;
  exporter: Exporter;
  intervalMs: number;
  rateWindow: string;
  instanceMapping: InstanceMapping;
  log: FastifyBaseLogger;
  clock?: () => number;
}

export class CheckerLoop {
  private readonly o: CheckerLoopOptions;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  /** The last stores PD answered with: Prometheus' instances are mapped through them when PD fails a tick. */
  private lastStores?: StoreInfo[];
  /** The ids of the stores last reported as partial (`1,4`), so the warning is logged once per change. */
  private partialKey = '';

  constructor(o: CheckerLoopOptions) {
    this.o = o;
  }

  start(): void {
    if (!this.stopped) {
      return;
    }
    this.o.exporter.watch(this.o.cluster, this.o.intervalMs, (this.o.clock ?? Date.now)());
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops ticking; a tick in progress finishes (its upstream reads are bounded by their timeouts). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One check, as the loop runs it (tests and the first tick call it directly). */
  async runOnce(): Promise<void> {
    const clock = this.o.clock ?? Date.now;
    const started = performance.now();
    let partial = false;
    const failed = (upstream: 'pd' | 'prometheus', what: string) => (err: unknown) => {
      partial = true;
      this.o.exporter.upstreamError(err instanceof UpstreamError ? err.upstream : upstream, 'checker');
      this.o.log.warn({ upstream, what }, `live check: ${describeError(err)}`);
      return undefined;
    };

    const pd = this.o.pd;
    const storesP = pd.getStores().catch(failed('pd', 'stores'));
    // max-store-down-time tells how long until PD itself declares a store Down; PD's default applies without it.
    const scheduleP = pd.getScheduleConfig().catch(failed('pd', 'schedule config'));
    const evictedP = pd
      .getEvictLeaderStores()
      .then((a) => a.data)
      .catch(failed('pd', 'evict-leader stores'));
    const prom = this.o.prometheus;
    const p99P = prom
      ?.query(p99WriteLatencyExpr(prom.selector, this.o.rateWindow))
      .catch(failed('prometheus', 'P99 write latency'));
    const diskP = prom?.query(diskUsedRatioExpr(prom.selector)).catch(failed('prometheus', 'disk used ratio'));
    // region_health reads PD's region-checker counts as Prometheus scraped them (`pd_regions_status`), not PD's
    // `/regions/check/*` lists: those list every matching region (hundreds of MB with one store down in a 1M-region
    // cluster) while the gauge is one number, and the history replays the very same series, so live and past agree.
    const regionsP = prom?.query(regionHealthExpr(prom.selector)).catch(failed('prometheus', 'region health'));

    const [stores, schedule, evicted, p99, disk, regions] = await Promise.all([
      storesP,
      scheduleP,
      evictedP,
      p99P,
      diskP,
      regionsP,
    ]);
    if (stores) {
      this.lastStores = stores.data.stores;
      this.notePartial(stores.data.stores);
    }
    const directory = this.lastStores && new InstanceDirectory(this.lastStores, this.o.instanceMapping);
    const byStore = (samples: Array<{ labels: Record<string, string>; v: number }> | undefined) => {
      if (!samples || !directory) {
        return undefined;
      }
      const out = new Map<number, number>();
      for (const s of samples) {
        const store = directory.byInstance(s.labels.instance ?? '');
        if (store) {
          out.set(store.store_id, s.v);
        }
      }
      return out;
    };
    const maxDownSeconds = schedule?.data['max-store-down-time'];
    const violations = this.o.liveChecker.tick(
      {
        pdNow: stores?.pdNow ?? clock(),
        stores: stores?.data.stores.map(liveStore),
        evictLeaderStoreIds: evicted,
        maxStoreDownMs: typeof maxDownSeconds === 'number' && maxDownSeconds > 0 ? maxDownSeconds * 1000 : undefined,
        p99Seconds: byStore(p99?.samples),
        diskUsedRatio: byStore(disk?.samples),
        regionsUnhealthy: regions?.samples[0]?.v,
      },
      clock()
    );
    this.o.exporter.setViolations(
      this.o.cluster,
      violations.map((v) => ({ ...v, cluster: this.o.cluster }))
    );
    this.o.exporter.checkDone((performance.now() - started) / 1000, partial);
    this.o.exporter.checkReached(
      this.o.cluster,
      {
        pd: stores !== undefined,
        prometheus: prom ? p99 !== undefined && disk !== undefined && regions !== undefined : undefined,
      },
      clock()
    );
  }

  /**
   * Stores PD holds no statistics for still get store_down judged (from their state and heartbeat); one that never
   * heartbeated and that PD calls Up cannot be judged at all and is skipped. Said once per change, not every tick.
   */
  private notePartial(stores: StoreInfo[]): void {
    const partial = stores.filter((s) => s.status.missing.length > 0);
    const key = partial.map((s) => s.store.id).join(',');
    if (key === this.partialKey) {
      return;
    }
    this.partialKey = key;
    if (partial.length > 0) {
      this.o.log.warn(
        { store_ids: partial.map((s) => s.store.id) },
        `live check: PD has no statistics for ${partial.map((s) => `store ${s.store.id} (no ${s.status.missing.join(', ')})`).join('; ')}; ` +
          'store_down is judged from their state and last heartbeat, and skipped for a store that never heartbeated'
      );
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err) => this.o.log.error({ err }, `live check failed: ${describeError(err)}`))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) {
            this.schedule(this.o.intervalMs);
          }
        });
    }, delayMs);
    // The loop alone must not keep the process alive (Ctrl-C, test teardown).
    this.timer.unref();
  }
}

/** A PD store as the live checker reads it (state, lifecycle, heartbeat on PD's clock, engine). */
export function liveStore(s: StoreInfo): LiveStore {
  return {
    store_id: s.store.id,
    address: s.store.address,
    status_address: s.store.status_address,
    state_name: s.store.state_name,
    node_state: s.store.node_state,
    last_heartbeat_ms: s.store.last_heartbeat_ms,
    labels: s.store.labels,
    isTiFlash: isTiFlash(s.store),
  };
}
