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
 * Clients and the subject are built from the config unless injected; whatever the app built it closes on
 * `app.close()`, along with the live checker loop.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';

// Inlined by the server bundle (npm start), read by tsx in tests.
import packageJson from '../../package.json';
import { ERROR_CODES, OperatorError } from '../shared/errors';
import { AnswerCache } from '../subject/http/answerCache';
import type { Answer } from '../subject/http/upstream';
import { PDClient } from '../subject/pd/client';
import { PrometheusClient } from '../subject/prometheus/client';
import { LiveChecker } from '../subject/tikv/invariants/live';
import { rateWindowMs } from '../subject/tikv/invariants/history';
import { DEFAULT_RULES, resolveRules } from '../subject/tikv/invariants/rules';
import { formatPromDuration } from '../subject/tikv/promql';
import { TiKVSubject } from '../subject/tikv/subject';
import { openAuditLog } from './audit/auditLog';
import { requireBearer } from './auth';
import { CheckerLoop } from './checker';
import type { Config } from './config';
import { errorHandler, toErrorBody } from './errorHandler';
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
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
    // Grafana's proxy and Prometheus both send small requests; a large body is a mistake or an attack.
    bodyLimit: 1024 * 1024,
    // Slow bodies, idle keep-alive and stalled sockets would otherwise be held until file descriptors run out.
    requestTimeout: config.clients.requestTimeoutMs,
    connectionTimeout: config.clients.connectionTimeoutMs,
    keepAliveTimeout: config.clients.keepAliveTimeoutMs,
    // Node checks request and header timeouts on this period (default 30 s, longer than a short timeout).
    http: { connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(config.clients.requestTimeoutMs / 4))) },
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
  const owned: Array<{ close(): Promise<void> }> = [];
  const clientOptions = {
    timeoutMs: config.upstream.timeoutMs,
    cacheTtlMs: config.upstream.cacheTtlMs,
    // One byte budget for PD's and Prometheus' answers together.
    cache: new AnswerCache<Answer<unknown>>(config.upstream.cacheTtlMs, config.upstream.cacheMaxBytes),
    maxConcurrent: config.upstream.maxConcurrent,
    maxBodyBytes: config.upstream.maxBodyBytes,
  };
  let pd = deps.pd;
  if (!pd) {
    if (!config.pd) {
      throw new Error('buildApp needs config.pd or deps.pd (main.ts starts the simulator when PD_URL is unset)');
    }
    pd = new PDClient({
      urls: config.pd.urls,
      tls: config.pd.tls,
      ...clientOptions,
      maxBodyBytes: config.upstream.pdMaxBodyBytes,
      bodyLimit: { name: 'PD_MAX_BODY_BYTES', advice: 'raise it if this cluster answers that much (10,000 stores take about 12 MB)' },
    });
    owned.push(pd);
  }
  let prometheus = deps.prometheus;
  if (!prometheus && config.prometheus) {
    prometheus = new PrometheusClient({
      url: config.prometheus.url,
      auth: config.prometheus.auth,
      tls: config.prometheus.tls,
      selector: config.selector,
      jobs: config.prometheus.jobs,
      ...clientOptions,
      bodyLimit: { name: 'UPSTREAM_MAX_BODY_BYTES', advice: 'ask for less (a shorter range, fewer stores) or raise it' },
    });
    owned.push(prometheus);
  }
  // The window every PromQL rate uses, live and past alike: at least four scrape intervals (history.ts rateWindowMs).
  const rateWindow = formatPromDuration(rateWindowMs(config.rateWindow, config.scrapeIntervalMs));
  const subject =
    deps.subject ??
    new TiKVSubject({
      pd,
      // Without Prometheus, the routes refuse the queries that need it before the subject is asked.
      prometheus: prometheus ?? unconfiguredPrometheus(),
      instanceMapping: config.instanceMapping,
      rateWindow,
      includeTiFlash: config.includeTiFlash,
    });
  const rules = resolveRules(DEFAULT_RULES, config.invariants);
  const liveChecker = deps.liveChecker ?? new LiveChecker({ rules, includeTiFlash: config.includeTiFlash });
  const exporter = new Exporter();
  const loop = new CheckerLoop({
    pd,
    prometheus,
    liveChecker,
    exporter,
    intervalMs: config.checkIntervalMs,
    rateWindow,
    instanceMapping: config.instanceMapping,
    log: app.log,
    clock,
  });

  // One writer: the log holds an exclusive lock, so a second backend on the same file stops here, naming AUDIT_DB_PATH.
  const audit = config.actions.enabled ? openAuditLog(config.actions.auditDbPath) : undefined;
  if (audit) {
    // Rows still `running` were cut off by a crash between the two writes: they become visible "unknown" outcomes.
    const recovered = audit.recoverUnknown();
    if (recovered.length > 0) {
      app.log.warn(
        { ids: recovered.map((r) => r.id) },
        `${recovered.length} audited action(s) have an unknown outcome`
      );
    }
  }

  const readsToken = config.apiToken;
  void app.register(
    async (api) => {
      if (readsToken) {
        api.addHook('onRequest', requireBearer(readsToken, 'API_TOKEN'));
      }
      await api.register(queryRoutes, {
        subject,
        pd,
        prometheus,
        liveChecker,
        exporter,
        rules,
        rateWindow,
        scrapeIntervalMs: config.scrapeIntervalMs,
        checkIntervalMs: config.checkIntervalMs,
        instanceMapping: config.instanceMapping,
        clock,
        audit,
        includeTiFlash: config.includeTiFlash,
      });
      await api.register(healthRoutes, {
        pd,
        prometheus,
        exporter,
        timeoutMs: config.healthTimeoutMs,
        version: VERSION,
        actionsEnabled: config.actions.enabled,
        startedAt: Date.now(),
      });
      await api.register(subjectRoutes, { config: subject.config, rules });
    },
    { prefix: '/api' }
  );
  void app.register(actionsRoutes, {
    prefix: '/api/actions',
    enabled: config.actions.enabled,
    token: config.actions.token,
    readToken: readsToken,
    pd,
    audit,
  });
  void app.register(metricsRoutes, { exporter, token: config.metricsToken });

  if (deps.checker !== false) {
    app.addHook('onReady', async () => loop.start());
  }
  app.addHook('onClose', async () => {
    await loop.stop();
    await Promise.all(owned.map((c) => c.close()));
    audit?.close();
  });
  return app;
}

/** A client that is never asked (see above); `.invalid` never resolves (RFC 2606), should one slip through. */
function unconfiguredPrometheus(): PrometheusClient {
  return new PrometheusClient({ url: 'http://prometheus.invalid' });
}

function readVersion(): string {
  return packageJson.version;
}
