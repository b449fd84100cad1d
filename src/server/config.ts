/**
 * The backend's configuration: environment variables (DESIGN.md "Names" plus the tuning knobs below), optionally
 * layered over a YAML file named by `CONFIG_FILE` whose keys are the same variable names (the environment wins).
 * Every value is validated at start-up; a bad one throws ConfigError naming the variable, and `main.ts` prints it
 * and exits 1.
 *
 * Clusters (DESIGN.md "several clusters"): the file's `CLUSTERS` is a list of mappings, one per cluster, each with
 * `CLUSTER_NAME` and only per-cluster keys (CLUSTER_KEYS); the top-level keys (file, then environment) are every
 * cluster's defaults. Without `CLUSTERS` the top-level keys are one cluster named `CLUSTER_NAME` (default `default`).
 * An entry's bad value is named with its place: `CLUSTERS[1].PD_URL`.
 *
 *   loadConfig(env = process.env, file?: string): Config
 */
import { readFileSync } from 'node:fs';

import { z } from 'zod';

import { ConfigError } from '../shared/errors';
import { DEFAULT_CLUSTER, ENV, SLOS } from '../shared/names';
import { redactUserInfo } from '../shared/redact';
import type { DeploymentOverrides } from '../shared/schema/query';
import { DEFAULT_CACHE_MAX_BYTES } from '../subject/http/answerCache';
import { DEFAULT_HISTORY_STATES } from '../subject/tikv/invariants/historyState';
import type { TlsOptions } from '../subject/http/upstream';
import type { PrometheusAuth } from '../subject/prometheus/client';
import { type LabelMatcher, parseSelector } from '../subject/prometheus/selector';
import { INSTANCE_MAPPINGS, type InstanceMapping } from '../subject/tikv/instances';
import { parsePromDuration, PromDurationText } from '../subject/tikv/promql';
import type { SloOverrides } from '../subject/tikv/slo/definitions';
import { readConfigFile, type Source as ConfigSource } from './configFile';

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
  HISTORY_STATE_MAX_ENTRIES: 'HISTORY_STATE_MAX_ENTRIES',
  HISTORY_STATE_MAX_BYTES: 'HISTORY_STATE_MAX_BYTES',
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
  REGION_HEALTH_THRESHOLD_REGIONS: 'REGION_HEALTH_THRESHOLD_REGIONS',
  REGION_HEALTH_GRACE_SECONDS: 'REGION_HEALTH_GRACE_SECONDS',
  INSTANCE_MAPPING: 'INSTANCE_MAPPING',
  INCLUDE_TIFLASH: 'INCLUDE_TIFLASH',
  CLUSTER_NAME: 'CLUSTER_NAME',
  CLUSTERS: 'CLUSTERS',
  MAINTENANCE_STORE_LABEL: 'MAINTENANCE_STORE_LABEL',
  // SLO objectives and windows (README "SLOs"): SLO_<NAME>_OBJECTIVE, SLO_<NAME>_WINDOW.
  SLO_WRITE_LATENCY_P99_OBJECTIVE: 'SLO_WRITE_LATENCY_P99_OBJECTIVE',
  SLO_WRITE_LATENCY_P99_WINDOW: 'SLO_WRITE_LATENCY_P99_WINDOW',
  SLO_DISK_USAGE_OBJECTIVE: 'SLO_DISK_USAGE_OBJECTIVE',
  SLO_DISK_USAGE_WINDOW: 'SLO_DISK_USAGE_WINDOW',
  SLO_STORE_AVAILABILITY_OBJECTIVE: 'SLO_STORE_AVAILABILITY_OBJECTIVE',
  SLO_STORE_AVAILABILITY_WINDOW: 'SLO_STORE_AVAILABILITY_WINDOW',
  // The audit store (AUDIT_DB_PATH and AUDIT_DB_URL are in ENV): PostgreSQL credentials and TLS, timeouts.
  AUDIT_DB_PASSWORD_FILE: 'AUDIT_DB_PASSWORD_FILE',
  AUDIT_DB_CA_FILE: 'AUDIT_DB_CA_FILE',
  AUDIT_DB_TIMEOUT_MS: 'AUDIT_DB_TIMEOUT_MS',
  AUDIT_LOCK_WAIT_MS: 'AUDIT_LOCK_WAIT_MS',
  AUDIT_RECOVERY_INTERVAL_MS: 'AUDIT_RECOVERY_INTERVAL_MS',
} as const;
type VarName = keyof typeof CONFIG_ENV;

/** The keys a `CLUSTERS` entry may set: where the cluster is, how to reach it, and how to judge it. */
export const CLUSTER_KEYS = [
  'CLUSTER_NAME',
  'PD_URL',
  'PD_CA_FILE',
  'PD_CERT_FILE',
  'PD_KEY_FILE',
  'PROMETHEUS_URL',
  'PROMETHEUS_CA_FILE',
  'PROMETHEUS_CERT_FILE',
  'PROMETHEUS_KEY_FILE',
  'PROMETHEUS_BEARER_TOKEN',
  'PROMETHEUS_USERNAME',
  'PROMETHEUS_PASSWORD',
  'PROMETHEUS_SELECTOR',
  'PROMETHEUS_TIKV_JOB',
  'PROMETHEUS_PD_JOB',
  'INSTANCE_MAPPING',
  'INCLUDE_TIFLASH',
  'STORE_DOWN_HEARTBEAT_TIMEOUT_SECONDS',
  'HIGH_LATENCY_THRESHOLD_MS',
  'HIGH_LATENCY_GRACE_SECONDS',
  'LOW_DISK_THRESHOLD_RATIO',
  'LOW_DISK_GRACE_SECONDS',
  'REGION_HEALTH_THRESHOLD_REGIONS',
  'REGION_HEALTH_GRACE_SECONDS',
  'MAINTENANCE_STORE_LABEL',
  'SLO_WRITE_LATENCY_P99_OBJECTIVE',
  'SLO_WRITE_LATENCY_P99_WINDOW',
  'SLO_DISK_USAGE_OBJECTIVE',
  'SLO_DISK_USAGE_WINDOW',
  'SLO_STORE_AVAILABILITY_OBJECTIVE',
  'SLO_STORE_AVAILABILITY_WINDOW',
] as const satisfies readonly VarName[];

/** Cluster names are label values, URL parameters and audit columns. */
export const CLUSTER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

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

/** One cluster's settings (a `CLUSTERS` entry over the top-level defaults). */
export interface ClusterConfig {
  /** CLUSTER_NAME: the `cluster` of the wire, the exporter's label and the audit rows. */
  name: string;
  /** Absent: no PD_URL, so `main.ts` runs the embedded simulator. */
  pd?: PdConfig;
  /** Absent: no PROMETHEUS_URL (embedded mode starts one when the binary exists). */
  prometheus?: PrometheusConfig;
  /** Extra matchers for a Prometheus shared by several clusters (`PROMETHEUS_SELECTOR`). */
  selector: LabelMatcher[];
  /** PROMETHEUS_SELECTOR as written (the dashboards' `${selector:raw}`); '' when unset. */
  selectorText: string;
  /** This cluster's invariant defaults, layered over DEFAULT_RULES (queries may override again). */
  invariants: DeploymentOverrides;
  instanceMapping: InstanceMapping;
  includeTiFlash: boolean;
  /** MAINTENANCE_STORE_LABEL (`key=value`): a store carrying this PD label is in maintenance. */
  maintenanceLabel?: { key: string; value: string };
  /** SLO_<NAME>_OBJECTIVE / SLO_<NAME>_WINDOW, over TIKV_CONFIG's defaults (slo/definitions.ts). */
  slos: SloOverrides;
}

export interface Config {
  /** One or more clusters, names unique; `clusters[0]` is the only one without CLUSTERS. */
  clusters: ClusterConfig[];
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Bearer token every `/api/*` request must carry; absent = open (loopback only). */
  apiToken?: string;
  /** Bearer token for `/metrics`; absent = open, so Prometheus needs no credentials. */
  metricsToken?: string;
  actions: { enabled: boolean; token?: string; auditDbPath: string };
  /** The audit store beyond AUDIT_DB_PATH: PostgreSQL (`url` set: it wins over the SQLite path) and timeouts. */
  audit: AuditConfig;
  upstream: {
    timeoutMs: number;
    cacheTtlMs: number;
    cacheMaxBytes: number;
    maxConcurrent: number;
    /** Prometheus' answers (UPSTREAM_MAX_BODY_BYTES). */
    maxBodyBytes: number;
    /** PD's answers (PD_MAX_BODY_BYTES). */
    pdMaxBodyBytes: number;
    /** Invariant history replay states kept for incremental refresh (0 = off), and their byte budget. */
    historyStateMaxEntries: number;
    historyStateMaxBytes: number;
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

export interface AuditConfig {
  /** AUDIT_DB_URL (`postgres://…`); never logged (it may hold a password). */
  url?: string;
  /** Both AUDIT_DB_URL and AUDIT_DB_PATH are set: the URL wins, and start-up says so. */
  pathIgnored: boolean;
  /** AUDIT_DB_PASSWORD_FILE's content (trailing newline removed). */
  password?: string;
  /** AUDIT_DB_CA_FILE: path of the CA bundle that signed PostgreSQL's certificate. */
  caFile?: string;
  /** Bound on every audit statement and connection attempt. */
  timeoutMs: number;
  /** How long an action waits for another one on the same target before a 409 (TKO_ERR_ACTION_BUSY). */
  lockWaitMs: number;
  /** How often a PostgreSQL replica looks for rows left running by a replica that died. */
  recoveryIntervalMs: number;
}

type Source = ConfigSource;
type Val = <T>(name: VarName, schema: z.ZodType<T>, fallback?: T) => T;

/** Typed readers of one source; errors name the variable with `prefix` (`CLUSTERS[1].`). */
function readerOf(src: Source, prefix = '') {
  const get = (name: VarName): string | undefined => {
    const v = src[CONFIG_ENV[name]];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const val: Val = <T>(name: VarName, schema: z.ZodType<T>, fallback?: T): T => {
    const raw = get(name);
    if (raw === undefined) {
      if (fallback === undefined) {
        throw new ConfigError(prefix + CONFIG_ENV[name], 'is required');
      }
      return fallback;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(
        prefix + CONFIG_ENV[name],
        `${parsed.error.issues[0].message} (got ${JSON.stringify(redact(name, raw))})`
      );
    }
    return parsed.data;
  };
  const opt = <T>(name: VarName, schema: z.ZodType<T>): T | undefined =>
    get(name) === undefined ? undefined : val(name, schema);
  return { get, val, opt, prefix };
}
type Reader = ReturnType<typeof readerOf>;

/**
 * Reads the configuration from `env` (default `process.env`) over the YAML file `file` (default `env.CONFIG_FILE`).
 */
export function loadConfig(env: Source = process.env, file: string | undefined = env[CONFIG_ENV.CONFIG_FILE]): Config {
  if (env[CONFIG_ENV.CLUSTERS] !== undefined) {
    throw new ConfigError(
      CONFIG_ENV.CLUSTERS,
      'is a list of mappings: set it in the CONFIG_FILE YAML, not in the environment'
    );
  }
  const fromFile = file
    ? readConfigFile(file, {
        known: new Set<string>(Object.values(CONFIG_ENV)),
        perCluster: new Set<string>(CLUSTER_KEYS),
        clustersKey: CONFIG_ENV.CLUSTERS,
        fileVariable: CONFIG_ENV.CONFIG_FILE,
      })
    : { top: {} };
  const src: Source = { ...fromFile.top, ...definedOnly(env) };
  const { get, val, opt } = readerOf(src);

  const apiToken = opt('API_TOKEN', Token);
  const actionsEnabled = val('ACTIONS_ENABLED', Bool, false);
  const actionsToken = opt('ACTIONS_TOKEN', Token);
  if (actionsEnabled && !actionsToken) {
    throw new ConfigError(CONFIG_ENV.ACTIONS_TOKEN, 'is required when ACTIONS_ENABLED is true');
  }
  if (actionsToken && actionsToken === apiToken) {
    throw new ConfigError(
      CONFIG_ENV.ACTIONS_TOKEN,
      'must differ from API_TOKEN (the read token is refused on /api/actions)'
    );
  }

  // Off loopback our tokens are all that guards the cluster: a short one can be guessed (OWASP: ≥ 128 bits).
  const host = val('HOST', z.string().regex(/^[^\s/]+$/, 'must be a host name or IP address'), '127.0.0.1');
  if (!isLoopback(host)) {
    for (const name of ['API_TOKEN', 'ACTIONS_TOKEN', 'METRICS_TOKEN'] as const) {
      const token = get(name);
      if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
        throw new ConfigError(
          CONFIG_ENV[name],
          `is ${token.length} characters; with HOST=${host} (not loopback) tokens need at least ${MIN_TOKEN_LENGTH} (e.g. openssl rand -hex 24)`
        );
      }
    }
  }

  let clusters: ClusterConfig[];
  if (fromFile.clusters) {
    // Top-level per-cluster keys are every entry's defaults; an entry's own keys win.
    const defaults = Object.fromEntries(CLUSTER_KEYS.filter((k) => k !== 'CLUSTER_NAME').map((k) => [k, src[k]]));
    clusters = fromFile.clusters.map((entry, i) => {
      const r = readerOf({ ...defaults, ...entry }, `${CONFIG_ENV.CLUSTERS}[${i}].`);
      const c = clusterOf(r, r.val('CLUSTER_NAME', ClusterName));
      if (!c.pd) {
        throw new ConfigError(
          `${r.prefix}${CONFIG_ENV.PD_URL}`,
          'is required for every cluster in CLUSTERS (the embedded simulator serves only one)'
        );
      }
      return c;
    });
    const seen = new Set<string>();
    clusters.forEach((c, i) => {
      if (seen.has(c.name)) {
        throw new ConfigError(
          `${CONFIG_ENV.CLUSTERS}[${i}].${CONFIG_ENV.CLUSTER_NAME}`,
          `${JSON.stringify(c.name)} is used by an earlier cluster (names must be unique)`
        );
      }
      seen.add(c.name);
    });
  } else {
    const r = readerOf(src);
    clusters = [clusterOf(r, r.val('CLUSTER_NAME', ClusterName, DEFAULT_CLUSTER))];
  }

  return {
    clusters,
    host,
    port: val(
      'PORT',
      z.coerce
        .number({ error: 'must be a number' })
        .int('must be an integer')
        .min(0, 'must be 0..65535')
        .max(65_535, 'must be 0..65535'),
      3100
    ),
    logLevel: val('LOG_LEVEL', z.enum(LOG_LEVELS), 'info'),
    apiToken,
    metricsToken: opt('METRICS_TOKEN', Token),
    actions: {
      enabled: actionsEnabled,
      token: actionsToken,
      auditDbPath: val('AUDIT_DB_PATH', z.string(), './audit.db'),
    },
    audit: auditConfigOf(val, get('AUDIT_DB_PATH') !== undefined),
    upstream: {
      timeoutMs: val('UPSTREAM_TIMEOUT_MS', PositiveInt, 10_000),
      cacheTtlMs: val(
        'CACHE_TTL_MS',
        z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be 0 or more'),
        1000
      ),
      cacheMaxBytes: val('CACHE_MAX_BYTES', PositiveInt, DEFAULT_CACHE_MAX_BYTES),
      maxConcurrent: val('UPSTREAM_MAX_CONCURRENCY', PositiveInt.max(1024), 16),
      maxBodyBytes: val('UPSTREAM_MAX_BODY_BYTES', PositiveInt, 64 * 1024 * 1024),
      pdMaxBodyBytes: val('PD_MAX_BODY_BYTES', PositiveInt, DEFAULT_PD_MAX_BODY_BYTES),
      historyStateMaxEntries: val(
        'HISTORY_STATE_MAX_ENTRIES',
        z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be 0 or more'),
        DEFAULT_HISTORY_STATES.maxEntries
      ),
      historyStateMaxBytes: val('HISTORY_STATE_MAX_BYTES', PositiveInt, DEFAULT_HISTORY_STATES.maxBytes),
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
    rateWindow: val('RATE_WINDOW', PromDurationText, '1m'),
    scrapeIntervalMs: val('SCRAPE_INTERVAL', Duration, 15_000),
  };
}

/** One cluster's settings from its reader (the top level, or a CLUSTERS entry over the top level). */
function clusterOf(r: Reader, name: string): ClusterConfig {
  const { get, val, opt, prefix } = r;
  const pdUrls = opt('PD_URL', UrlList);
  const promUrl = opt('PROMETHEUS_URL', HttpUrl);
  const bearer = opt('PROMETHEUS_BEARER_TOKEN', Token);
  const username = opt('PROMETHEUS_USERNAME', z.string());
  const password = opt('PROMETHEUS_PASSWORD', z.string());
  if (bearer && username) {
    throw new ConfigError(
      prefix + CONFIG_ENV.PROMETHEUS_BEARER_TOKEN,
      'set either a bearer token or a username/password, not both'
    );
  }
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError(
      prefix + (username === undefined ? CONFIG_ENV.PROMETHEUS_USERNAME : CONFIG_ENV.PROMETHEUS_PASSWORD),
      'basic auth needs both PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD'
    );
  }
  const promAuth: PrometheusAuth | undefined = bearer
    ? { bearer }
    : username !== undefined
      ? { username, password: password! }
      : undefined;

  const selectorText = get('PROMETHEUS_SELECTOR');
  const maintenance = opt('MAINTENANCE_STORE_LABEL', StoreLabel);
  return {
    name,
    pd: pdUrls === undefined ? undefined : { urls: pdUrls, tls: tlsOf(r, 'PD_CA_FILE', 'PD_CERT_FILE', 'PD_KEY_FILE') },
    prometheus:
      promUrl === undefined
        ? undefined
        : {
            url: promUrl,
            auth: promAuth,
            tls: tlsOf(r, 'PROMETHEUS_CA_FILE', 'PROMETHEUS_CERT_FILE', 'PROMETHEUS_KEY_FILE'),
            jobs: { tikv: val('PROMETHEUS_TIKV_JOB', JobName, 'tikv'), pd: val('PROMETHEUS_PD_JOB', JobName, 'pd') },
          },
    selector: selectorText === undefined ? [] : parseSelector(selectorText, prefix + CONFIG_ENV.PROMETHEUS_SELECTOR),
    selectorText: selectorText ?? '',
    invariants: {
      store_down: { heartbeatTimeoutSeconds: opt('STORE_DOWN_HEARTBEAT_TIMEOUT_SECONDS', Positive.max(86_400)) },
      high_latency: {
        thresholdMs: opt('HIGH_LATENCY_THRESHOLD_MS', Positive),
        graceSeconds: opt('HIGH_LATENCY_GRACE_SECONDS', NonNegative.max(86_400)),
      },
      low_disk: {
        thresholdRatio: opt(
          'LOW_DISK_THRESHOLD_RATIO',
          z.coerce.number({ error: 'must be a number' }).gt(0, 'must be above 0').lte(1, 'must be at most 1')
        ),
        graceSeconds: opt('LOW_DISK_GRACE_SECONDS', NonNegative.max(86_400)),
      },
      region_health: {
        thresholdRegions: opt('REGION_HEALTH_THRESHOLD_REGIONS', NonNegative.int('must be a whole number')),
        graceSeconds: opt('REGION_HEALTH_GRACE_SECONDS', NonNegative.max(86_400)),
      },
    },
    instanceMapping: val('INSTANCE_MAPPING', z.enum(INSTANCE_MAPPINGS), 'status_address'),
    includeTiFlash: val('INCLUDE_TIFLASH', Bool, false),
    ...(maintenance ? { maintenanceLabel: maintenance } : {}),
    slos: Object.fromEntries(
      SLOS.map((name) => {
        const upper = name.toUpperCase();
        return [
          name,
          {
            objective: opt(`SLO_${upper}_OBJECTIVE` as VarName, Objective),
            window: opt(`SLO_${upper}_WINDOW` as VarName, SloWindow),
          },
        ];
      })
    ),
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

/** The shortest token accepted when HOST is not loopback. */
export const MIN_TOKEN_LENGTH = 16;
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
  .transform((s) =>
    s
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean)
  )
  .pipe(z.array(HttpUrl).min(1, 'needs at least one URL'))
  .transform((urls) => urls.map(withPdPrefix));
const Token = z.string().regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const PositiveInt = z.coerce
  .number({ error: 'must be a number' })
  .int('must be an integer')
  .positive('must be positive');
const Positive = z.coerce.number({ error: 'must be a number' }).positive('must be positive');
const NonNegative = z.coerce.number({ error: 'must be a number' }).min(0, 'must be 0 or more');
const Bool = z
  .string()
  .toLowerCase()
  .refine((s) => ['true', 'false', '1', '0', 'yes', 'no'].includes(s), { error: 'must be true or false' })
  .transform((s) => ['true', '1', 'yes'].includes(s));
const JobName = z.string().max(200);
const ClusterName = z
  .string()
  .regex(CLUSTER_NAME_PATTERN, 'must be 1-63 letters, digits, `_`, `.` or `-`, starting with a letter or digit');
/** MAINTENANCE_STORE_LABEL: a PD store label as `key=value`. */
const StoreLabel = z
  .string()
  .regex(/^[^=\s]+=[^=\s]*$/, 'must be a PD store label as key=value')
  .transform((s) => {
    const [key, value] = s.split('=');
    return { key, value };
  });

const Duration = PromDurationText.transform((s) => parsePromDuration(s));
/** An SLO objective: the good share, above 0 and at most 1 (1 = no error budget). */
const Objective = z.coerce
  .number({ error: 'must be a number' })
  .gt(0, 'must be above 0 (a share such as 0.99)')
  .lte(1, 'must be at most 1 (a share such as 0.99, not a percentage)');
/** An SLO window: 1 h (the fast burn-rate window) to 366 days. */
const SloWindow = PromDurationText.refine(
  (s) => {
    try {
      return parsePromDuration(s) >= 3_600_000 && parsePromDuration(s) <= 366 * 86_400_000;
    } catch {
      return true; // PromDurationText has said what is wrong
    }
  },
  { error: 'must be from 1h to 366d' }
);

const PgUrl = z.string().refine(
  (s) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  },
  { error: 'must be a postgres:// URL' }
);

function auditConfigOf(
  val: <T>(name: VarName, schema: z.ZodType<T>, fallback?: T) => T,
  pathSet: boolean
): AuditConfig {
  const url = val('AUDIT_DB_URL', PgUrl, '') || undefined;
  const passwordFile = val('AUDIT_DB_PASSWORD_FILE', z.string(), '');
  let password: string | undefined;
  if (passwordFile) {
    try {
      password = readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError(
        CONFIG_ENV.AUDIT_DB_PASSWORD_FILE,
        `cannot read ${passwordFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`
      );
    }
  }
  const caFile = val('AUDIT_DB_CA_FILE', z.string(), '') || undefined;
  if (caFile) {
    try {
      readFileSync(caFile);
    } catch (err) {
      throw new ConfigError(
        CONFIG_ENV.AUDIT_DB_CA_FILE,
        `cannot read ${caFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`
      );
    }
  }
  return {
    url,
    pathIgnored: url !== undefined && pathSet,
    password,
    caFile,
    timeoutMs: val('AUDIT_DB_TIMEOUT_MS', PositiveInt.max(600_000), 5000),
    lockWaitMs: val(
      'AUDIT_LOCK_WAIT_MS',
      z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be 0 or more').max(600_000),
      2000
    ),
    recoveryIntervalMs: val(
      'AUDIT_RECOVERY_INTERVAL_MS',
      PositiveInt.min(100, 'must be at least 100').max(3_600_000),
      10_000
    ),
  };
}

function withPdPrefix(url: string): string {
  const u = new URL(url);
  // `http://pd:2379` is how PD members are usually written (pd-ctl -u); the API lives under /pd/api/v1.
  return u.pathname === '/' || u.pathname === '' ? `${u.origin}/pd/api/v1` : url.replace(/\/+$/, '');
}

function tlsOf({ val, prefix }: Reader, ca: VarName, cert: VarName, key: VarName): TlsOptions | undefined {
  const read = (name: VarName) => {
    const path = val(name, z.string(), '');
    if (!path) {
      return undefined;
    }
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(
        prefix + CONFIG_ENV[name],
        `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`
      );
    }
  };
  const tls = { ca: read(ca), cert: read(cert), key: read(key) };
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new ConfigError(
      prefix + CONFIG_ENV[tls.cert === undefined ? cert : key],
      'client TLS needs both a certificate and a key'
    );
  }
  return tls.ca || tls.cert ? tls : undefined;
}

function definedOnly(env: Source): Source {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

/** Secrets never appear in a config error: only their length; URLs lose their user info. */
function redact(name: VarName, raw: string): string {
  return /TOKEN|PASSWORD/.test(name) ? `<${raw.length} characters>` : redactUserInfo(raw);
}

/**
 * Every secret value of `config`, for `addSecrets` (src/shared/redact.ts): our tokens, each cluster's Prometheus
 * credentials (the password also as the base64 `user:password` of a Basic Authorization header) and client TLS keys.
 */
export function configSecrets(config: Config): string[] {
  const out = [config.apiToken, config.metricsToken, config.actions.token, config.audit.password];
  for (const c of config.clusters) {
    const auth = c.prometheus?.auth;
    out.push(c.pd?.tls?.key, c.prometheus?.tls?.key);
    if (auth && 'bearer' in auth) {
      out.push(auth.bearer);
    } else if (auth) {
      out.push(auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
    }
  }
  return out.filter((v): v is string => v !== undefined && v !== '');
}
