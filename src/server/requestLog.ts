/**
 * fastify's per-request log lines, with probes and scrapes (`/api/health`: Grafana's "Save & test", container
 * health checks, load balancers; `/metrics`: Prometheus every scrape interval) at debug instead of info: on a
 * terminal they were one line every few seconds, drowning what matters. Their errors still log as errors.
 */
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

const PROBE_PATHS = new Set(['/api/health', '/metrics']);

export function isProbe(url: string): boolean {
  const q = url.indexOf('?');
  return PROBE_PATHS.has(q < 0 ? url : url.slice(0, q));
}

export class RequestLog extends LogController {
  incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (isProbe(request.url)) {
      request.log.debug({ req: request }, 'incoming request');
      return;
    }
    super.incomingRequest(request, reply, metadata);
  }

  requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>
  ): void {
    if (!error && isProbe(request.url)) {
      reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
      return;
    }
    super.requestCompleted(error, request, reply, metadata);
  }
}
