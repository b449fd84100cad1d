/**
 * The simulator as one HTTP server on loopback: PD's API under `/pd/api/v1`, per-store TiKV metrics at
 * `/metrics/tikv/<store_id>`, PD metrics at `/metrics/pd`, Prometheus HTTP service discovery at `/sim/targets`,
 * and the fault routes under `/sim/` (README.md).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';

import { fieldPath } from '../shared/fieldPath';
import { Cluster, type RegionFault, type SimStore } from './cluster';
import { pdMetrics, tikvMetrics } from './metrics';
import { registerPdApi } from './pdApi';
import { type PdFault, PdFaultSchema, PdFaults, PD_PREFIX } from './pdFaults';

export interface SimulatorOptions {
  stores?: number;
  regions?: number;
  seed?: number;
  host?: string;
  port?: number;
  /** How long a removed store takes to drain to Tombstone (default 10 s). */
  drainMs?: number;
  /** How long evict-leader-scheduler takes to move all leaders off a store (default 3 s). */
  evictMs?: number;
  /** How long an operator stays in PD's running list after it is created (default 1 s). */
  operatorMs?: number;
}

/** One entry of Prometheus' HTTP service discovery answer. */
export interface HttpSdTarget {
  targets: string[];
  labels: Record<string, string>;
}

export interface Simulator {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** `url + '/pd/api/v1'`. */
  pdUrl: string;
  cluster: Cluster;
  close(): Promise<void>;
  /** The store stops heartbeating (optionally as of `secondsAgo`); its scrape target answers 503. */
  stopStore(id: number, o?: { secondsAgo?: number }): void;
  startStore(id: number): void;
  /** Write P99 latency of the store, in ms (`undefined` restores its normal latency). */
  setLatency(id: number, p99Ms: number | undefined): void;
  /** Disk used percentage (1 - available/capacity), reached linearly over `rampSeconds`; `undefined` restores it. */
  fillDisk(id: number, usedPercent: number | undefined, o?: { rampSeconds?: number }): void;
  /** PD's clock minus the real clock, in ms (Date header and heartbeat stamps). */
  setPdClockOffset(ms: number): void;
  /** Regions missing a peer / with a down peer (PD's `/regions/check/*` and `pd_regions_status`); undefined clears. */
  setRegionFault(f: Partial<RegionFault> | undefined): void;
  addPdFault(f: PdFault): PdFault;
  clearPdFaults(): void;
  /** Clears every cluster and PD-HTTP fault. */
  recoverAll(): void;
  targets(): HttpSdTarget[];
}

const StopBody = z
  .object({
    seconds_ago: z
      .number()
      .min(0)
      .max(86_400 * 30)
      .optional(),
  })
  .strict();
const LatencyBody = z.object({ p99_ms: z.number().positive().max(600_000) }).strict();
const DiskBody = z
  .object({ used_percent: z.number().min(0).max(100), ramp_seconds: z.number().min(0).max(86_400).optional() })
  .strict();
const ClockBody = z
  .object({
    offset_ms: z
      .number()
      .int()
      .min(-86_400_000 * 365)
      .max(86_400_000 * 365),
  })
  .strict();

const RegionFaultBody = z
  .object({
    miss_peer: z.number().int().min(0).optional(),
    down_peer: z.number().int().min(0).optional(),
  })
  .strict();

class SimInputError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SimInputError(400, `${what}: ${fieldPath(issue.path) || 'body'}: ${issue.message}`);
  }
  return r.data;
}

export async function createSimulator(o: SimulatorOptions = {}): Promise<Simulator> {
  const now = () => Date.now();
  const cluster = new Cluster(
    { stores: o.stores, regions: o.regions, seed: o.seed, drainMs: o.drainMs, evictMs: o.evictMs, operatorMs: o.operatorMs },
    now()
  );
  const faults = new PdFaults();
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });
  let origin = '';

  const storeOf = (id: number): SimStore => {
    const st = cluster.store(id);
    if (!st) {
      throw new SimInputError(404, `store ${id} not found (stores are 1…${cluster.stores.length})`);
    }
    return st;
  };

  const sim: Simulator = {
    url: '',
    pdUrl: '',
    cluster,
    close: async () => {
      faults.releaseHanging();
      await app.close();
    },
    stopStore: (id, so) => cluster.stopStore(storeOf(id), now(), so?.secondsAgo ?? 0),
    startStore: (id) => cluster.startStore(storeOf(id), now()),
    setLatency: (id, p99Ms) => cluster.setLatency(storeOf(id), now(), p99Ms),
    fillDisk: (id, pct, fo) => cluster.fillDisk(storeOf(id), now(), pct, fo?.rampSeconds ?? 0),
    setPdClockOffset: (ms) => {
      cluster.pdClockOffsetMs = ms;
    },
    setRegionFault: (f) => {
      try {
        cluster.setRegionFault(now(), f);
      } catch (err) {
        throw err instanceof RangeError ? new SimInputError(400, `region fault: ${err.message}`) : err;
      }
    },
    addPdFault: (f) => faults.add(parse(PdFaultSchema, f, 'pd fault')),
    clearPdFaults: () => faults.clear(),
    recoverAll: () => {
      for (const st of cluster.stores) {
        cluster.startStore(st, now());
        cluster.setLatency(st, now(), undefined);
        cluster.fillDisk(st, now(), undefined);
      }
      cluster.pdClockOffsetMs = 0;
      cluster.setRegionFault(now(), undefined);
      faults.clear();
    },
    targets: () => {
      const address = origin.replace(/^http:\/\//, '');
      const t = now();
      const out: HttpSdTarget[] = cluster.stores
        .filter((st) => cluster.legacyState(st, t) !== 2)
        .map((st) => ({
          targets: [address],
          labels: { job: 'tikv', instance: st.statusAddress, __metrics_path__: `/metrics/tikv/${st.id}` },
        }));
      out.push({ targets: [address], labels: { job: 'pd', instance: address, __metrics_path__: '/metrics/pd' } });
      return out;
    },
  };

  await app.register(
    async (pd) => {
      registerPdApi(pd, { cluster, faults, origin: () => origin, now });
    },
    { prefix: PD_PREFIX }
  );

  await app.register(async (s) => {
    s.setErrorHandler((err, _req, reply) => {
      const status = err instanceof SimInputError ? err.status : ((err as { statusCode?: number }).statusCode ?? 500);
      return reply.code(status).send({ error: (err as Error).message });
    });
    const id = (p: unknown) => {
      const text = (p as { id: string }).id;
      if (!/^\d+$/.test(text)) {
        throw new SimInputError(400, `store id must be a positive integer, got ${JSON.stringify(text)}`);
      }
      return Number(text);
    };
    s.get('/metrics/pd', async (_req, reply) =>
      reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(pdMetrics(cluster, now()))
    );
    s.get('/metrics/tikv/:id', async (req, reply) => {
      const st = storeOf(id(req.params));
      if (st.stoppedAt !== undefined) {
        return reply.code(503).send({ error: `store ${st.id} is stopped` });
      }
      return reply
        .header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
        .send(tikvMetrics(cluster, st, now()));
    });
    s.get('/sim/targets', async () => sim.targets());
    s.get('/sim/state', async () => {
      const t = now();
      return {
        seed: cluster.seed,
        regions: cluster.regionCount(),
        pd_clock_offset_ms: cluster.pdClockOffsetMs,
        pd_faults: faults.list(),
        region_fault: { miss_peer: cluster.regionFault().missPeer, down_peer: cluster.regionFault().downPeer },
        stores: cluster.stores.map((st) => ({
          store_id: st.id,
          status_address: st.statusAddress,
          state_name: cluster.stateName(st, t),
          stopped: st.stoppedAt !== undefined,
          p99_ms: cluster.p99Ms(st),
          used_percent: Math.round(cluster.usedRatio(st, t) * 10_000) / 100,
        })),
      };
    });
    s.post('/sim/stores/:id/stop', async (req) => {
      const b = parse(StopBody, req.body, 'stop');
      sim.stopStore(id(req.params), { secondsAgo: b.seconds_ago });
      return { ok: true };
    });
    s.post('/sim/stores/:id/start', async (req) => {
      sim.startStore(id(req.params));
      return { ok: true };
    });
    s.post('/sim/stores/:id/latency', async (req) => {
      sim.setLatency(id(req.params), parse(LatencyBody, req.body, 'latency').p99_ms);
      return { ok: true };
    });
    s.delete('/sim/stores/:id/latency', async (req) => {
      sim.setLatency(id(req.params), undefined);
      return { ok: true };
    });
    s.post('/sim/stores/:id/disk', async (req) => {
      const b = parse(DiskBody, req.body, 'disk');
      sim.fillDisk(id(req.params), b.used_percent, { rampSeconds: b.ramp_seconds });
      return { ok: true };
    });
    s.delete('/sim/stores/:id/disk', async (req) => {
      sim.fillDisk(id(req.params), undefined);
      return { ok: true };
    });
    s.post('/sim/pd-clock', async (req) => {
      sim.setPdClockOffset(parse(ClockBody, req.body, 'pd-clock').offset_ms);
      return { ok: true };
    });
    s.post('/sim/regions/fault', async (req) => {
      const b = parse(RegionFaultBody, req.body, 'region fault');
      sim.setRegionFault({ missPeer: b.miss_peer, downPeer: b.down_peer });
      return { ok: true };
    });
    s.delete('/sim/regions/fault', async () => {
      sim.setRegionFault(undefined);
      return { ok: true };
    });
    s.get('/sim/pd-faults', async () => faults.list());
    s.post('/sim/pd-faults', async (req) => sim.addPdFault(req.body as PdFault));
    s.delete('/sim/pd-faults', async () => {
      sim.clearPdFaults();
      return { ok: true };
    });
    s.post('/sim/recover', async () => {
      sim.recoverAll();
      return { ok: true };
    });
  });

  // Count regions once before serving, so the first /stores of a large cluster answers at once.
  cluster.counts(now());
  const host = o.host ?? '127.0.0.1';
  await app.listen({ host, port: o.port ?? 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  origin = `http://${host}:${port}`;
  sim.url = origin;
  sim.pdUrl = `${origin}${PD_PREFIX}`;
  return sim;
}
