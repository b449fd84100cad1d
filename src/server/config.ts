/**
 * The backend's configuration: environment variables (DESIGN.md "Names" plus the tuning knobs below), optionally
 * layered over a YAML file named by `CONFIG_FILE` whose keys are the same variable names (the environment wins).
 * Every value is validated at start-up; a bad one throws ConfigError naming the variable, and `main.ts` prints it
 * and exits 1.
 *
 *   loadConfig(env = process.env, file?: string): Config
 */
import { readFileSync } from 'node:fs';

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { ConfigError } from '../shared/errors';
import { ENV } from '../shared/names';
import type { InvariantOverrides } from '../shared/schema/query';
import { DEFAULT_CACHE_MAX_BYTES } from '../subject/http/answerCache';
import type { TlsOptions } from '../subject/http/upstream';
import type { PrometheusAuth } from '../subject/prometheus/client';
import { type LabelMatcher, parseSelector } from '../subject/prometheus/selector';
import { INSTANCE_MAPPINGS, type InstanceMapping } from '../subject/tikv/instances';
import { parsePromDuration } from '../subject/tikv/promql';

/** Every variable the backend reads, beyond DESIGN.md's names: TLS, auth, tuning, invariant defaults. */
export const CONFIG_ENV = {
  ...ENV,
  CONFIG_FILE: 'CONFIG_FILE',
  LOG_LEVEL: 'LOG_LEVEL',
  METRICS_TOKEN: 'METRICS_TOKEN',
  PD_CA_FILE: 'PD_CA_FILE',
  PD_CERT_FILE: 'PD_CERT_FILE',
  PD_KEY_FILE: 'PD_KEY_FILE',
  PROMETHEUS_CA_FILE: 'PROMETHEUS_CA_FILE',
  PROMETHEUS_CERT_FILE: 'PROMETHEUS_CERT_FILE',
  PROMETHEUS_KEY_FILE: 'PROMETHEUS_KEY_FILE',
  PROMETHEUS_BEARER_TOKEN: 'PROMETHEUS_BEARER_TOKEN',
  PROMETHEUS_USERNAME: 'PROMETHEUS_USERNAME',
  PROMETHEUS_PASSWORD: 'PROMETHEUS_PASSWORD',
  PROMETHEUS_TIKV_JOB: 'PROMETHEUS_TIKV_JOB',
  PROMETHEUS_PD_JOB: 'PROMETHEUS_PD_JOB',
  UPSTREAM_TIMEOUT_MS: 'UPSTREAM_TIMEOUT_MS',
  HEALTH_TIMEOUT_MS: 'HEALTH_TIMEOUT_MS',
  CACHE_TTL_MS: 'CACHE_TTL_MS',
  CACHE_MAX_BYTES: 'CACHE_MAX_BYTES',
  REQUEST_TIMEOUT_MS: 'REQUEST_TIMEOUT_MS',
  CONNECTION_TIMEOUT_MS: 'CONNECTION_TIMEOUT_MS',
  KEEP_ALIVE_TIMEOUT_MS: 'KEEP_ALIVE_TIMEOUT_MS',
  MAX_CONNECTIONS: 'MAX_CONNECTIONS',
  UPSTREAM_MAX_CONCURRENCY: 'UPSTREAM_MAX_CONCURRENCY',
  UPSTREAM_MAX_BODY_BYTES: 'UPSTREAM_MAX_BODY_BYTES',
  PD_MAX_BODY_BYTES: 'PD_MAX_BODY_BYTES',
  CHECK_INTERVAL: 'CHECK_INTERVAL',
  RATE_WINDOW: 'RATE_WINDOW',
  SCRAPE_INTERVAL: 'SCRAPE_INTERVAL',
  STORE_DOWN_HEARTBEAT_TIMEOUT_SECONDS: 'STORE_DOWN_HEARTBEAT_TIMEOUT_SECONDS',
  HIGH_LATENCY_THRESHOLD_MS: 'HIGH_LATENCY_THRESHOLD_MS',
  HIGH_LATENCY_GRACE_SECONDS: 'HIGH_LATENCY_GRACE_SECONDS',
  LOW_DISK_THRESHOLD_RATIO: 'LOW_DISK_THRESHOLD_RATIO',
  LOW_DISK_GRACE_SECONDS: 'LOW_DISK_GRACE_SECONDS',
  INSTANCE_MAPPING: 'INSTANCE_MAPPING',
  INCLUDE_TIFLASH: 'INCLUDE_TIFLASH',
} as const;
type VarName = keyof typeof CONFIG_ENV;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface PdConfig {
  /** PD members' API base URLs (`http://pd-1:2379/pd/api/v1`); failover goes through them in order. */
  urls: string[];
  tls?: TlsOptions;
}

export interface PrometheusConfig {
  url: string;
  auth?: PrometheusAuth;
  tls?: TlsOptions;
  /** Scrape job names of TiKV and PD (TiUP's defaults: tikv, pd). */
  jobs: { tikv: string; pd: string };
}

export interface Config {
  /** Absent: no PD_URL, so `main.ts` runs the embedded simulator. */
  pd?: PdConfig;
  /** Absent: no PROMETHEUS_URL (embedded mode starts one when the binary exists). */
  prometheus?: PrometheusConfig;
  /** Extra matchers for a Prometheus shared by several clusters (`PROMETHEUS_SELECTOR`). */
  selector: LabelMatcher[];
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Bearer token every `/api/*` request must carry; absent = open (loopback only). */
  apiToken?: string;
  /** Bearer token for `/metrics`; absent = open, so Prometheus needs no credentials. */
  metricsToken?: string;
  actions: { enabled: boolean; token?: string; auditDbPath: string };
  upstream: {
    timeoutMs: number;
    cacheTtlMs: number;
    cacheMaxBytes: number;
    maxConcurrent: number;
    /** Prometheus' answers (UPSTREAM_MAX_BODY_BYTES). */
    maxBodyBytes: number;
    /** PD's answers (PD_MAX_BODY_BYTES). */
    pdMaxBodyBytes: number;
  };
  /** Health probes answer within this, whatever the upstreams do. */
  healthTimeoutMs: number;
  /** Limits on clients: slow bodies, idle and stalled sockets, how many connections at once. */
  clients: ClientLimits;
  /** The live checker's tick. */
  checkIntervalMs: number;
  /** PromQL rate window of the P99 latency (`1m`, as TiKV's own alert). */
  rateWindow: string;
  /** Prometheus' scrape interval: the smallest useful step of range queries. */
  scrapeIntervalMs: number;
  /** This deployment's invariant defaults, layered over DEFAULT_RULES (queries may override again). */
  invariants: InvariantOverrides;
  instanceMapping: InstanceMapping;
  includeTiFlash: boolean;
}

export interface ClientLimits {
  /** Time to receive a whole request, headers and body (Node's `requestTimeout`, `headersTimeout`). */
  requestTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed (fastify's `connectionTimeout`). */
  connectionTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (fastify's `keepAliveTimeout`). */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are refused (Node's `server.maxConnections`). */
  maxConnections: number;
}

/**
 * PD's largest answer is `/stores`: 10,000 stores take 7.3 MB as the simulator writes them (767 B a store) and about
 * 12 MB at the 1.2 kB a store of PD's indented answers (tests/fixtures/pd/stores.json); 32 MiB is 2.5× that.
 */
export const DEFAULT_PD_MAX_BODY_BYTES = 32 * 1024 * 1024;

type Source = Partial<Record<string, string | undefined>>;

/**
 * Reads the configuration from `env` (default `process.env`) over the YAML file `file` (default `env.CONFIG_FILE`).
 */
export function loadConfig(env: Source = process.env, file: string | undefined = env[CONFIG_ENV.CONFIG_FILE]): Config {
  const src: Source = { ...(file ? readConfigFile(file) : {}), ...definedOnly(env) };
  const get = (name: VarName): string | undefined => {
    const v = src[CONFIG_ENV[name]];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const val = <T>(name: VarName, schema: z.ZodType<T>, fallback?: T): T => {
    const raw = get(name);
    if (raw === undefined) {
      if (fallback === undefined) {
        throw new ConfigError(CONFIG_ENV[name], 'is required');
      }
      return fallback;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(CONFIG_ENV[name], `${parsed.error.issues[0].message} (got ${JSON.stringify(redact(name, raw))})`);
    }
    return parsed.data;
  };
  const opt = <T>(name: VarName, schema: z.ZodType<T>): T | undefined => (get(name) === undefined ? undefined : val(name, schema));

  const pdUrls = opt('PD_URL', UrlList);
  const promUrl = opt('PROMETHEUS_URL', HttpUrl);
  const apiToken = opt('API_TOKEN', Token);
  const actionsEnabled = val('ACTIONS_ENABLED', Bool, false);
  const actionsToken = opt('ACTIONS_TOKEN', Token);
  if (actionsEnabled && !actionsToken) {
    throw new ConfigError(CONFIG_ENV.ACTIONS_TOKEN, 'is required when ACTIONS_ENABLED is true');
  }
  if (actionsToken && actionsToken === apiToken) {
    throw new ConfigError(CONFIG_ENV.ACTIONS_TOKEN, 'must differ from API_TOKEN (the read token is refused on /api/actions)');
  }

  const bearer = opt('PROMETHEUS_BEARER_TOKEN', Token);
  const username = opt('PROMETHEUS_USERNAME', z.string());
  const password = opt('PROMETHEUS_PASSWORD', z.string());
  if (bearer && username) {
    throw new ConfigError(CONFIG_ENV.PROMETHEUS_BEARER_TOKEN, 'set either a bearer token or a username/password, not both');
  }
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError(
      username === undefined ? CONFIG_ENV.PROMETHEUS_USERNAME : CONFIG_ENV.PROMETHEUS_PASSWORD,
      'basic auth needs both PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD'
    );
  }
  const promAuth: PrometheusAuth | undefined = bearer
    ? { bearer }
    : username !== undefined
      ? { username, password: password! }
      : undefined;

  const selectorText = get('PROMETHEUS_SELECTOR');
  const overrides: InvariantOverrides = {
    store_down: { heartbeatTimeoutSeconds: opt('STORE_DOWN_HEARTBEAT_TIMEOUT_SECONDS', Positive.max(86_400)) },
    high_latency: {
      thresholdMs: opt('HIGH_LATENCY_THRESHOLD_MS', Positive),
      graceSeconds: opt('HIGH_LATENCY_GRACE_SECONDS', NonNegative.max(86_400)),
    },
    low_disk: {
      thresholdRatio: opt('LOW_DISK_THRESHOLD_RATIO', z.coerce.number({ error: 'must be a number' }).gt(0, 'must be above 0').lte(1, 'must be at most 1')),
      graceSeconds: opt('LOW_DISK_GRACE_SECONDS', NonNegative.max(86_400)),
    },
  };

  return {
    pd: pdUrls === undefined ? undefined : { urls: pdUrls, tls: tlsOf(val, 'PD_CA_FILE', 'PD_CERT_FILE', 'PD_KEY_FILE') },
    prometheus: promUrl === undefined ? undefined : {
      url: promUrl,
      auth: promAuth,
      tls: tlsOf(val, 'PROMETHEUS_CA_FILE', 'PROMETHEUS_CERT_FILE', 'PROMETHEUS_KEY_FILE'),
      jobs: { tikv: val('PROMETHEUS_TIKV_JOB', JobName, 'tikv'), pd: val('PROMETHEUS_PD_JOB', JobName, 'pd') },
    },
    selector: selectorText === undefined ? [] : parseSelector(selectorText, CONFIG_ENV.PROMETHEUS_SELECTOR),
    host: val('HOST', z.string().regex(/^[^\s/]+$/, 'must be a host name or IP address'), '127.0.0.1'),
    port: val('PORT', z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be 0..65535').max(65_535, 'must be 0..65535'), 3100),
    logLevel: val('LOG_LEVEL', z.enum(LOG_LEVELS), 'info'),
    apiToken,
    metricsToken: opt('METRICS_TOKEN', Token),
    actions: { enabled: actionsEnabled, token: actionsToken, auditDbPath: val('AUDIT_DB_PATH', z.string(), './audit.db') },
    upstream: {
      timeoutMs: val('UPSTREAM_TIMEOUT_MS', PositiveInt, 10_000),
      cacheTtlMs: val('CACHE_TTL_MS', z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be 0 or more'), 1000),
      cacheMaxBytes: val('CACHE_MAX_BYTES', PositiveInt, DEFAULT_CACHE_MAX_BYTES),
      maxConcurrent: val('UPSTREAM_MAX_CONCURRENCY', PositiveInt.max(1024), 16),
      maxBodyBytes: val('UPSTREAM_MAX_BODY_BYTES', PositiveInt, 64 * 1024 * 1024),
      pdMaxBodyBytes: val('PD_MAX_BODY_BYTES', PositiveInt, DEFAULT_PD_MAX_BODY_BYTES),
    },
    healthTimeoutMs: val('HEALTH_TIMEOUT_MS', PositiveInt, 3000),
    clients: {
      // Grafana's proxy sends a query of a few kB at once: 30 s is slow-client territory, not a slow network.
      requestTimeoutMs: val('REQUEST_TIMEOUT_MS', PositiveInt, 30_000),
      // Above the longest query (a 30-day history), so only a stalled socket reaches it.
      connectionTimeoutMs: val('CONNECTION_TIMEOUT_MS', PositiveInt, 300_000),
      // Longer than Grafana's data proxy keeps an idle connection (`[dataproxy] idle_conn_timeout_seconds`, 90):
      // the client closes first, so it never reuses a connection the backend is closing.
      keepAliveTimeoutMs: val('KEEP_ALIVE_TIMEOUT_MS', PositiveInt, 95_000),
      maxConnections: val('MAX_CONNECTIONS', PositiveInt, 1024),
    },
    checkIntervalMs: val('CHECK_INTERVAL', Duration, 15_000),
    rateWindow: val('RATE_WINDOW', DurationText, '1m'),
    scrapeIntervalMs: val('SCRAPE_INTERVAL', Duration, 15_000),
    invariants: overrides,
    instanceMapping: val('INSTANCE_MAPPING', z.enum(INSTANCE_MAPPINGS), 'status_address'),
    includeTiFlash: val('INCLUDE_TIFLASH', Bool, false),
  };
}

/** Whether HOST is a loopback address (where running without a token is allowed). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** A URL fit for a log line or an answer: user info, query string and fragment removed. */
export function safeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(invalid URL)';
  }
}

const HttpUrl = z.string().refine(
  (s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  },
  { error: 'must be an http(s) URL' }
);
/** PD_URL: comma-separated members; a bare origin gets PD's API prefix. */
const UrlList = z
  .string()
  .transform((s) => s.split(',').map((u) => u.trim()).filter(Boolean))
  .pipe(z.array(HttpUrl).min(1, 'needs at least one URL'))
  .transform((urls) => urls.map(withPdPrefix));
const Token = z.string().regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const PositiveInt = z.coerce.number({ error: 'must be a number' }).int('must be an integer').positive('must be positive');
const Positive = z.coerce.number({ error: 'must be a number' }).positive('must be positive');
const NonNegative = z.coerce.number({ error: 'must be a number' }).min(0, 'must be 0 or more');
const Bool = z
  .string()
  .toLowerCase()
  .refine((s) => ['true', 'false', '1', '0', 'yes', 'no'].includes(s), { error: 'must be true or false' })
  .transform((s) => ['true', '1', 'yes'].includes(s));
const JobName = z.string().max(200);
const DurationText = z.string().refine(
  (s) => {
    try {
      parsePromDuration(s);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be a Prometheus duration such as 15s, 1m or 1h30m' }
);
const Duration = DurationText.transform((s) => parsePromDuration(s));

function withPdPrefix(url: string): string {
  const u = new URL(url);
  // `http://pd:2379` is how PD members are usually written (pd-ctl -u); the API lives under /pd/api/v1.
  return u.pathname === '/' || u.pathname === '' ? `${u.origin}/pd/api/v1` : url.replace(/\/+$/, '');
}

function tlsOf(
  val: <T>(name: VarName, schema: z.ZodType<T>, fallback?: T) => T,
  ca: VarName,
  cert: VarName,
  key: VarName
): TlsOptions | undefined {
  const read = (name: VarName) => {
    const path = val(name, z.string(), '');
    if (!path) {
      return undefined;
    }
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(CONFIG_ENV[name], `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  const tls = { ca: read(ca), cert: read(cert), key: read(key) };
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new ConfigError(CONFIG_ENV[tls.cert === undefined ? cert : key], 'client TLS needs both a certificate and a key');
  }
  return tls.ca || tls.cert ? tls : undefined;
}

function readConfigFile(path: string): Source {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(CONFIG_ENV.CONFIG_FILE, `cannot read ${path}: ${why}`);
  }
  if (doc === null || doc === undefined) {
    return {};
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(CONFIG_ENV.CONFIG_FILE, `${path} must be a mapping of variable names to values`);
  }
  const known = new Set<string>(Object.values(CONFIG_ENV));
  const out: Source = {};
  for (const [k, v] of Object.entries(doc)) {
    if (!known.has(k)) {
      throw new ConfigError(k, `unknown setting in ${path}`);
    }
    if (v !== null && typeof v === 'object') {
      throw new ConfigError(k, `must be a string, number or boolean in ${path}`);
    }
    out[k] = v === null ? undefined : String(v);
  }
  return out;
}

function definedOnly(env: Source): Source {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

/** Secrets never appear in a config error: only their length; URLs lose their user info. */
function redact(name: VarName, raw: string): string {
  return /TOKEN|PASSWORD/.test(name) ? `<${raw.length} characters>` : raw.replace(/\/\/[^@/]*@/g, '//***@');
}
