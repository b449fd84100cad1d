/**
 * The backend as a fastify instance, without listen (fastify's Testing guide: `build(opts)` apart from the file
 * that listens). Contexts, as in fastify's Encapsulation doc:
 *
 *   root — error handler, not-found handler, zod validator/serializer, pino with redaction
 *   ├─ /api          reads: API_TOKEN hook (when set) → query, health, subject
 *   ├─ /api/actions  its own hook: refuses the read token, needs ACTIONS_TOKEN and ACTIONS_ENABLED
 *   └─ /metrics      open, or METRICS_TOKEN when set
 *
 *   buildApp(config: Config, deps?: AppDeps): FastifyInstance
 *
 * Each cluster's parts (clients, subject, live checker loop) are built by `buildClusters` (clusters.ts) unless
 * injected (the first cluster's only); whatever the app built it closes on `app.close()`, along with the loops.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';

// Inlined by the server bundle (npm start), read by tsx in tests.
import packageJson from '../../package.json';
import { ERROR_CODES, OperatorError } from '../shared/errors';
import { addSecrets, redact } from '../shared/redact';
import type { PDClient } from '../subject/pd/client';
import type { PrometheusClient } from '../subject/prometheus/client';
import type { LiveChecker } from '../subject/tikv/invariants/live';
import type { TiKVSubject } from '../subject/tikv/subject';
import { openAuditStore } from './audit/store';
import { requireBearer } from './auth';
import { buildClusters } from './clusters';
import { type Config, configSecrets } from './config';
import { errorHandler, toErrorBody } from './errorHandler';
import { RequestLog } from './requestLog';
import { Exporter } from './exporter';
import { actionsRoutes } from './routes/actions';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { queryRoutes } from './routes/query';
import { subjectRoutes } from './routes/subject';

export interface AppDeps {
  pd?: PDClient;
  prometheus?: PrometheusClient;
  subject?: TiKVSubject;
  liveChecker?: LiveChecker;
  /** Epoch ms; the live checker's and the query route's "now". */
  clock?: () => number;
  /** Where pino writes (tests capture it); default stdout. */
  logStream?: DestinationStream;
  /** Run the live checker loop (default true). */
  checker?: boolean;
  /** Pretty-print the logs (pino-pretty), for a terminal; ignored with `logStream`. */
  prettyLogs?: boolean;
}

/** Headers that carry credentials: never logged (pino's redact), whatever the log level. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-ds-authorization"]',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
];

const VERSION = readVersion();

export function buildApp(config: Config, deps: AppDeps = {}): FastifyInstance {
  addSecrets(...configSecrets(config));
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Whatever a line carries (an upstream's echo, a request URL's ?token=), secrets leave it here (redact.ts).
      hooks: { streamWrite: redact },
      // On a terminal, pino-pretty in pino's worker thread; elsewhere JSON lines (for log collectors).
      ...(deps.logStream
        ? { stream: deps.logStream }
        : deps.prettyLogs
          ? {
              transport: {
                target: 'pino-pretty',
                options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
              },
            }
          : {}),
    },
    // Probes and scrapes log at debug (requestLog.ts).
    logController: new RequestLog(),
    // Grafana's proxy and Prometheus both send small requests; a large body is a mistake or an attack.
    bodyLimit: 1024 * 1024,
    frameworkErrors: errorHandler,
    // Slow bodies, idle keep-alive and stalled sockets would otherwise be held until file descriptors run out.
    requestTimeout: config.clients.requestTimeoutMs,
    connectionTimeout: config.clients.connectionTimeoutMs,
    keepAliveTimeout: config.clients.keepAliveTimeoutMs,
    // Node checks request and header timeouts on this period (default 30 s, longer than a short timeout).
    http: {
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(config.clients.requestTimeoutMs / 4))),
    },
  });
  // Headers count against the same budget as the body (Node's own default is 60 s, past a shorter requestTimeout).
  app.server.headersTimeout = Math.min(app.server.headersTimeout, config.clients.requestTimeoutMs);
  app.server.maxConnections = config.clients.maxConnections;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    const err = new OperatorError(ERROR_CODES.NOT_FOUND, `no route ${req.method} ${req.url.split('?')[0]}`, 404);
    void reply.code(404).send(toErrorBody(err));
  });

  const clock = deps.clock ?? Date.now;
  const exporter = new Exporter();
  const clusters = buildClusters(config, {
    exporter,
    log: app.log,
    clock,
    overrides: { pd: deps.pd, prometheus: deps.prometheus, subject: deps.subject, liveChecker: deps.liveChecker },
  });

  // SQLite opens its file here (a second backend on it stops start-up naming AUDIT_DB_PATH); PostgreSQL connects in
  // onReady and, when down, leaves actions refused until it is back (./audit/pgStore.ts).
  const audit = config.actions.enabled ? openAuditStore(config, app.log) : undefined;
  if (audit) {
    app.addHook('onReady', async () => audit.start());
  }

  const readsToken = config.apiToken;
  void app.register(
    async (api) => {
      if (readsToken) {
        api.addHook('onRequest', requireBearer(readsToken, 'API_TOKEN'));
      }
      await api.register(queryRoutes, {
        clusters,
        exporter,
        scrapeIntervalMs: config.scrapeIntervalMs,
        checkIntervalMs: config.checkIntervalMs,
        clock,
        audit,
      });
      await api.register(healthRoutes, {
        clusters,
        exporter,
        timeoutMs: config.healthTimeoutMs,
        version: VERSION,
        actionsEnabled: config.actions.enabled,
        audit,
        startedAt: Date.now(),
      });
      await api.register(subjectRoutes, { clusters });
    },
    { prefix: '/api' }
  );
  void app.register(actionsRoutes, {
    prefix: '/api/actions',
    enabled: config.actions.enabled,
    token: config.actions.token,
    readToken: readsToken,
    clusters,
    audit,
  });
  void app.register(metricsRoutes, { exporter, token: config.metricsToken });

  if (deps.checker !== false) {
    app.addHook('onReady', async () => clusters.start());
  }
  app.addHook('onClose', async () => {
    await clusters.close();
    await audit?.close();
  });
  return app;
}

function readVersion(): string {
  return packageJson.version;
}
