/**
 * `GET /api/health`: 200 whenever the backend runs (the data source's "Save & test"), with PD and Prometheus probed
 * concurrently and reported on their own, each within the health timeout: PD by `/version` plus `/ping`,
 * Prometheus by `/api/v1/status/buildinfo`.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

import { describeError, UpstreamTimeoutError, type Upstream } from '../../shared/errors';
import { HealthReport, type UpstreamHealth } from '../../shared/schema/health';
import type { PDClient } from '../../subject/pd/client';
import type { PrometheusClient } from '../../subject/prometheus/client';
import { deadline } from '../deadline';
import type { Exporter } from '../exporter';

export interface HealthRouteOptions {
  pd: PDClient;
  prometheus?: PrometheusClient;
  exporter: Exporter;
  timeoutMs: number;
  version: string;
  actionsEnabled: boolean;
  startedAt: number;
}

export const healthRoutes: FastifyPluginAsyncZod<HealthRouteOptions> = async (app, o) => {
  const probe = async (upstream: Upstream, path: string, run: () => Promise<string>): Promise<UpstreamHealth> => {
    const started = performance.now();
    try {
      const version = await deadline(run(), o.timeoutMs, () => new UpstreamTimeoutError({ upstream, path }, o.timeoutMs));
      return { ok: true, version, latencyMs: Math.round(performance.now() - started), message: 'ok' };
    } catch (err) {
      o.exporter.upstreamError(upstream, 'health');
      return { ok: false, latencyMs: Math.round(performance.now() - started), message: describeError(err) };
    }
  };

  app.get('/health', { schema: { response: { 200: HealthReport } } }, async () => {
    const prometheus = o.prometheus;
    const [pd, prom] = await Promise.all([
      probe('pd', '/version', async () => {
        // Shared between PD members: a black-holed first member leaves time for the next (UpstreamHttp deadlineMs).
        const read = { timeoutMs: o.timeoutMs, deadlineMs: o.timeoutMs };
        const [version] = await Promise.all([o.pd.getVersion(read), o.pd.ping(read)]);
        return version.data.version;
      }),
      prometheus
        ? probe('prometheus', '/api/v1/status/buildinfo', async () => (await prometheus.buildInfo()).version)
        : Promise.resolve({ ok: false, message: 'not configured: set PROMETHEUS_URL' }),
    ]);
    return {
      status: pd.ok && prom.ok ? ('ok' as const) : ('degraded' as const),
      backend: {
        version: o.version,
        uptimeSeconds: Math.round((Date.now() - o.startedAt) / 1000),
        actionsEnabled: o.actionsEnabled,
      },
      pd,
      prometheus: prom,
    };
  });
};
