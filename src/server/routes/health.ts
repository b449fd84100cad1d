/**
 * `GET /api/health`: 200 whenever the backend runs (the data source's "Save & test"), with PD and Prometheus probed
 * concurrently and reported on their own, each within the health timeout: PD by `/version` plus `/ping`,
 * Prometheus by `/api/v1/status/buildinfo`. Every cluster is probed (or only `?cluster=`); with one cluster reported,
 * its PD and Prometheus are also the top-level `pd` and `prometheus`.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

import { AuditUnavailableError, describeError, UpstreamTimeoutError, type Upstream } from '../../shared/errors';
import {
  type AuditStoreHealth,
  type ClusterHealth,
  HealthReport,
  type UpstreamHealth,
} from '../../shared/schema/health';
import { ClusterName } from '../../shared/schema/query';
import type { AuditStore } from '../audit/store';
import type { ClusterParts, Clusters } from '../clusters';
import { deadline } from '../deadline';
import type { Exporter } from '../exporter';

export interface HealthRouteOptions {
  clusters: Clusters;
  exporter: Exporter;
  timeoutMs: number;
  version: string;
  actionsEnabled: boolean;
  /** The action audit store (absent when actions are off). */
  audit?: AuditStore;
  startedAt: number;
}

export const healthRoutes: FastifyPluginAsyncZod<HealthRouteOptions> = async (app, o) => {
  const probe = async (upstream: Upstream, path: string, run: () => Promise<string>): Promise<UpstreamHealth> => {
    const started = performance.now();
    try {
      const version = await deadline(
        run(),
        o.timeoutMs,
        () => new UpstreamTimeoutError({ upstream, path }, o.timeoutMs)
      );
      return { ok: true, version, latencyMs: Math.round(performance.now() - started), message: 'ok' };
    } catch (err) {
      o.exporter.upstreamError(upstream, 'health');
      return { ok: false, latencyMs: Math.round(performance.now() - started), message: describeError(err) };
    }
  };

  const probeCluster = async (c: ClusterParts): Promise<ClusterHealth> => {
    const prometheus = c.prometheus;
    const [pd, prom] = await Promise.all([
      probe('pd', '/version', async () => {
        // Shared between PD members: a black-holed first member leaves time for the next (UpstreamHttp deadlineMs).
        const read = { timeoutMs: o.timeoutMs, deadlineMs: o.timeoutMs };
        const [version] = await Promise.all([c.pd.getVersion(read), c.pd.ping(read)]);
        return version.data.version;
      }),
      prometheus
        ? probe('prometheus', '/api/v1/status/buildinfo', async () => (await prometheus.buildInfo()).version)
        : Promise.resolve({ ok: false, message: 'not configured: set PROMETHEUS_URL' }),
    ]);
    return { name: c.name, status: pd.ok && prom.ok ? 'ok' : 'degraded', pd, prometheus: prom };
  };

  app.get(
    '/health',
    { schema: { querystring: z.object({ cluster: ClusterName.optional() }), response: { 200: HealthReport } } },
    async (req) => {
      const [clusters, audit] = await Promise.all([
        Promise.all(o.clusters.select(req.query.cluster).map(probeCluster)),
        auditHealth(o.audit, o.timeoutMs),
      ]);
      return {
        status: clusters.every((c) => c.status === 'ok') && audit.ok ? ('ok' as const) : ('degraded' as const),
        backend: {
          version: o.version,
          uptimeSeconds: Math.round((Date.now() - o.startedAt) / 1000),
          actionsEnabled: o.actionsEnabled,
        },
        ...(clusters.length === 1 ? { pd: clusters[0].pd, prometheus: clusters[0].prometheus } : {}),
        clusters,
        audit,
      };
    }
  );
};

async function auditHealth(audit: AuditStore | undefined, timeoutMs: number): Promise<AuditStoreHealth> {
  if (!audit) {
    return { ok: true, store: 'none', message: 'actions are disabled: no audit store' };
  }
  try {
    return await deadline(
      audit.health(),
      timeoutMs,
      () => new AuditUnavailableError(`audit store ${audit.where} did not answer within ${timeoutMs} ms`)
    );
  } catch (err) {
    return { ok: false, store: audit.kind, message: describeError(err) };
  }
}
