/**
 * `POST /api/query`: Grafana's `/api/ds/query` shape. Each query runs on its own: a failing one answers with its own
 * `error` and `status` while the others succeed. Observations become frames through `observationFrames`;
 * invariants over `[from, to]` are replayed from Prometheus (`invariantHistory`), and when the range reaches now,
 * the live checker's store_down (from PD's heartbeats, fresher than any scrape) is merged in. The request's
 * `cluster` picks the cluster's parts first (clusters.ts): several clusters and none named is a 400, an unknown
 * name a 404, for the whole request.
 */
import type { ServerResponse } from 'node:http';

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

import { describeError, ERROR_CODES, OperatorError, UpstreamError } from '../../shared/errors';
import { CLUSTER_LEVEL_STORE, INVARIANTS, type InvariantName } from '../../shared/names';
import { type DataFrameJSON, QueryResponse, type QueryResult } from '../../shared/schema/frames';
import { type InvariantQuery, QueryRequest } from '../../shared/schema/query';
import { Violation } from '../../shared/schema/violation';
import { observationFrames } from '../../subject/tikv/frames/observations';
import { invariantFrames } from '../../subject/tikv/invariants/frames';
import { historyPlan, invariantHistoryReport } from '../../subject/tikv/invariants/history';
import { resolveRules } from '../../subject/tikv/invariants/rules';
import type { AuditStore } from '../audit/store';
import { auditQueryFrames } from '../audit/query';
import type { ClusterParts, Clusters } from '../clusters';
import type { Exporter } from '../exporter';
import type { Notice } from '../../subject/tikv/frames/build';
import { historyStores, reportNotices } from './historyStores';
import { sloQueryFrames } from './sloQuery';

export interface QueryRouteOptions {
  /** Each cluster's PD, Prometheus (absent: queries that need it say it is not configured), subject, rules, checker. */
  clusters: Clusters;
  exporter: Exporter;
  scrapeIntervalMs: number;
  checkIntervalMs: number;
  clock: () => number;
  /** The action audit log; absent when actions are off (audit queries then say so). */
  audit?: AuditStore;
}

const NEEDS_PROMETHEUS = new Set(['get_store_metrics']);

export const queryRoutes: FastifyPluginAsyncZod<QueryRouteOptions> = async (app, o) => {
  const notConfigured = () =>
    new OperatorError(
      ERROR_CODES.UPSTREAM_UNREACHABLE,
      'Prometheus is not configured on this backend (set PROMETHEUS_URL)',
      502
    );

  const invariantQuery = async (
    c: ClusterParts,
    q: InvariantQuery,
    req: QueryRequest,
    signal: AbortSignal
  ): Promise<DataFrameJSON[]> => {
    const prometheus = c.prometheus;
    if (!prometheus) {
      throw notConfigured();
    }
    const rules = resolveRules(c.rules, q.overrides);
    const notices: Notice[] = [];
    const {
      directory,
      entities: current,
      stores,
    } = await historyStores(c, { signal, onPdError: () => o.exporter.upstreamError('pd', 'query') }, notices);
    for (const s of (stores ?? []).filter((x) => x.status.missing.length > 0)) {
      const unjudged =
        s.store.last_heartbeat_ms === undefined ? '; with no heartbeat yet, only PD saying Down counts' : '';
      notices.push({
        severity: 'info',
        text: `store ${s.store.id}: PD has no ${s.status.missing.join(', ')} for it yet; store_down is judged from its state and heartbeat${unjudged}`,
      });
    }
    const invariants = q.invariants.length > 0 ? q.invariants : [...INVARIANTS];
    const plan = {
      rules,
      range: { from: req.from, to: req.to },
      window: c.rateWindow,
      scrapeIntervalMs: o.scrapeIntervalMs,
    };
    const history = await invariantHistoryReport({
      ...plan,
      prometheus,
      resolveInstance: (instance) => directory?.byInstance(instance),
      invariants,
      storeIds: q.storeIds,
      signal,
      // A refreshing panel replays only its new window (historyState.ts); the cluster is part of the state's key.
      state: { store: c.historyStates, key: c.name },
    });
    // Part of the range without data, a widened rate window, Prometheus' own warnings: said, not hidden.
    reportNotices(notices, history);
    let violations = history.violations;
    const wanted = q.storeIds && q.storeIds.length > 0 ? new Set(q.storeIds) : undefined;
    // "Reaches now": within two check intervals, the live checker's view is the freshest there is.
    if (invariants.includes('store_down') && req.to >= o.clock() - 2 * o.checkIntervalMs) {
      const live = c.liveChecker
        .violations()
        .filter((v) => v.invariant === 'store_down' && (!wanted || wanted.has(v.store_id)))
        .map((v) => Violation.parse(v));
      violations = mergeLiveStoreDown(violations, live);
    }
    violations = violations.map((v) => ({ ...v, cluster: c.name }));
    // Each invariant's replay step: a cleared violation ends one step after its last sample, as replayed.
    const stepMs = Object.fromEntries(invariants.map((i) => [i, historyPlan(i, plan).stepMs]));
    // region_health is cluster-level: one entity (CLUSTER_LEVEL_STORE), left out of a per-store query.
    const perStore = invariants.filter((i) => i !== 'region_health');
    const entities: Array<{ store_id: number; address: string; invariant: InvariantName }> = current
      .filter((s) => !wanted || wanted.has(s.store_id))
      .flatMap((s) => perStore.map((invariant) => ({ ...s, invariant })));
    if (invariants.includes('region_health') && !wanted) {
      entities.push({ ...CLUSTER_LEVEL_STORE, invariant: 'region_health' });
    }
    const frames = invariantFrames(violations, q.format, {
      refId: q.refId,
      from: req.from,
      to: req.to,
      stepMs,
      entities,
    });
    if (notices.length > 0 && frames[0]) {
      frames[0] = { ...frames[0], schema: { ...frames[0].schema, meta: { ...frames[0].schema.meta, notices } } };
    }
    return frames;
  };

  const runOne = async (
    c: ClusterParts,
    q: QueryRequest['queries'][number],
    req: QueryRequest,
    signal: AbortSignal
  ): Promise<QueryResult> => {
    try {
      if (q.kind === 'invariant') {
        return { frames: await invariantQuery(c, q, req, signal) };
      }
      if (q.kind === 'slo') {
        const prometheus = c.prometheus;
        if (!prometheus) {
          throw notConfigured();
        }
        const frames = await sloQueryFrames({ ...c, prometheus }, q, req, {
          scrapeIntervalMs: o.scrapeIntervalMs,
          onPdError: () => o.exporter.upstreamError('pd', 'query'),
          signal,
        });
        return { frames };
      }
      if (q.kind === 'audit') {
        if (!o.audit) {
          throw new OperatorError(
            ERROR_CODES.ACTION_DISABLED,
            'the action audit log is not enabled on this backend (start it with ACTIONS_ENABLED=true)',
            400
          );
        }
        return { frames: await auditQueryFrames(o.audit, q, { from: req.from, to: req.to }, c.name) };
      }
      if (!c.prometheus && NEEDS_PROMETHEUS.has(q.observation)) {
        throw notConfigured();
      }
      const range = { from: req.from, to: req.to, intervalMs: req.intervalMs, maxDataPoints: req.maxDataPoints };
      return { frames: await observationFrames(c.subject, q, range, signal) };
    } catch (err) {
      if (signal.aborted) {
        // Cancelled, not failed: no upstream error is counted or logged (nginx's 499 "client closed request").
        return { frames: [], error: 'cancelled: the client closed the connection', status: 499 };
      }
      if (err instanceof UpstreamError) {
        o.exporter.upstreamError(err.upstream, 'query');
      }
      const status = err instanceof OperatorError ? err.statusCode : 500;
      (status >= 500 ? app.log.warn : app.log.info).call(app.log, { refId: q.refId, status }, describeError(err));
      const code = err instanceof OperatorError ? err.code : ERROR_CODES.INTERNAL;
      return { frames: [], error: describeError(err), status, code };
    }
  };

  app.post(
    '/query',
    {
      schema: { body: QueryRequest, response: { 200: QueryResponse } },
      // Plain JSON.stringify: zod-encoding a 1,000-store answer walked every cell (`z.unknown()`) for ~1.2 ms per
      // query (npm run bench, scenario a); the frames are typed here and the data source parses them with
      // QueryResponse on arrival.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (req, reply) => {
      const body = req.body;
      const cluster = o.clusters.pick(body.cluster);
      const signal = clientGone(reply.raw);
      const answers = await Promise.all(body.queries.map((q) => runOne(cluster, q, body, signal)));
      if (signal.aborted) {
        // Nobody is left to read it; the queries stopped early with abort errors.
        app.log.info({ queries: body.queries.length }, 'query cancelled: the client went away');
      }
      return { results: Object.fromEntries(body.queries.map((q, i) => [q.refId, answers[i]])) };
    }
  );
};

/**
 * Aborts when the client goes away before its answer is written (Grafana cancelled the query, a browser tab
 * closed). Not fastify's `request.signal`: it follows the request stream, whose 'close' comes as soon as the body
 * has been read (Node ≥ 16); the response's 'close' before `writableEnded` is the client leaving.
 */
function clientGone(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableEnded) {
      controller.abort();
    }
  });
  return controller.signal;
}

/**
 * The live store_down violations replace the replayed ones still active for the same store (keeping the earlier
 * onset): PD's heartbeats judge "now" better than the last scrapes; resolved past episodes stay as replayed.
 */
export function mergeLiveStoreDown(history: Violation[], live: Violation[]): Violation[] {
  const liveIds = new Set(live.map((v) => v.store_id));
  const replaced = (v: Violation) => v.invariant === 'store_down' && v.active && liveIds.has(v.store_id);
  const out = history.filter((v) => !replaced(v));
  for (const l of live) {
    const past = history.find((v) => replaced(v) && v.store_id === l.store_id);
    out.push({ ...l, first_seen: Math.min(l.first_seen, past?.first_seen ?? l.first_seen), active: true });
  }
  return out;
}
