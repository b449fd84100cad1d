/**
 * `GET /metrics`: the exporter in Prometheus' text format. Open by default so Prometheus scrapes it without
 * credentials; with METRICS_TOKEN set it needs that bearer token (Prometheus' `authorization` scrape option).
 */
import type { FastifyPluginAsync } from 'fastify';

import { requireBearer } from '../auth';
import type { Exporter } from '../exporter';

export const metricsRoutes: FastifyPluginAsync<{ exporter: Exporter; token?: string }> = async (app, o) => {
  if (o.token) {
    app.addHook('onRequest', requireBearer(o.token, 'METRICS_TOKEN'));
  }
  app.get('/metrics', async (_req, reply) => {
    const text = await o.exporter.registry.metrics();
    return reply.type(o.exporter.registry.contentType).send(text);
  });
};
