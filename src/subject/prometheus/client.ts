/**
 * PrometheusClient: instant and range queries, label values, series and build info over Prometheus' HTTP API
 * (`/api/v1/*`), on the shared upstream layer (timeouts, size limit, sharing, cache, TLS, error mapping).
 * Every selector it builds carries the deployment's extra matchers (`PROMETHEUS_SELECTOR`, for a Prometheus shared
 * by several clusters) and the configured job name; Prometheus' `warnings` are returned with every answer.
 */
import type { z } from 'zod';

import { BadQueryError, type BodyLimit, ConfigError, UpstreamStatusError } from '../../shared/errors';
import { ENV } from '../../shared/names';
import { redactUserInfo } from '../../shared/redact';
import type { AnswerCache } from '../http/answerCache';
import { type Answer, type TlsOptions, UpstreamHttp } from '../http/upstream';
import {
  BuildInfoAnswer,
  QueryAnswer,
  RangeColumnsAnswer,
  SeriesAnswer,
  StringListAnswer,
  prometheusErrorMessage,
  type envelope,
} from './schema';
import { type LabelMatcher, renderMatcher, renderSelector } from './selector';

export type PrometheusAuth = { bearer: string } | { username: string; password: string };
export type JobKind = 'tikv' | 'pd';

export interface PrometheusClientOptions {
  /** Base URL, e.g. `http://prometheus:9090` or `https://host/prometheus` (the API lives under `/api/v1`). */
  url: string;
  timeoutMs?: number;
  auth?: PrometheusAuth;
  tls?: TlsOptions;
  /** Extra matchers added to every selector (parsed `PROMETHEUS_SELECTOR`). */
  selector?: LabelMatcher[];
  /** Scrape job names (TiUP: `tikv`, `pd`); an empty name means "no job matcher". */
  jobs?: { tikv: string; pd: string };
  cacheTtlMs?: number;
  /** One cache for several clients (the backend's byte budget, CACHE_MAX_BYTES); replaces cacheTtlMs. */
  cache?: AnswerCache<Answer<unknown>>;
  maxConcurrent?: number;
  maxBodyBytes?: number;
  /** The setting behind `maxBodyBytes`, named when an answer exceeds it. */
  bodyLimit?: BodyLimit;
}

export interface Sample {
  labels: Record<string, string>;
  /** Epoch ms. */
  t: number;
  v: number;
}

export interface InstantResult {
  samples: Sample[];
  warnings: string[];
}

export interface RangeSeries {
  labels: Record<string, string>;
  /** `[epoch ms, value]`, in time order. */
  samples: Array<[number, number]>;
}

export interface RangeResult {
  series: RangeSeries[];
  warnings: string[];
}

type MatrixRows<A extends typeof QueryAnswer | typeof RangeColumnsAnswer> = Extract<
  NonNullable<z.output<A>['data']>,
  { resultType: 'matrix' }
>['result'];

/** A range series as two columns: `t` (epoch ms, in time order) and `v`. */
export interface RangeColumns {
  labels: Record<string, string>;
  t: Float64Array;
  v: Float64Array;
}

export interface RangeColumnsResult {
  series: RangeColumns[];
  warnings: string[];
}

/** Prometheus refuses range queries of more than 11,000 points per series (`web/api/v1/api.go`). */
export const MAX_POINTS_PER_SERIES = 11_000;

type Envelope = z.infer<ReturnType<typeof envelope<z.ZodType>>>;

export class PrometheusClient {
  private readonly http: UpstreamHttp;
  private readonly extra: LabelMatcher[];
  private readonly jobs: { tikv: string; pd: string };

  constructor(opts: PrometheusClientOptions) {
    const { url, auth } = splitCredentials(opts.url, opts.auth);
    const headers: Record<string, string> = {};
    if (auth && 'bearer' in auth) {
      headers.authorization = `Bearer ${auth.bearer}`;
    } else if (auth) {
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    // Rendering each extra matcher once up front turns a bad one into an error at construction, not per query.
    (opts.selector ?? []).forEach(renderMatcher);
    this.extra = opts.selector ?? [];
    this.jobs = opts.jobs ?? { tikv: 'tikv', pd: 'pd' };
    this.http = new UpstreamHttp({
      upstream: 'prometheus',
      baseUrls: [url],
      timeoutMs: opts.timeoutMs,
      tls: opts.tls,
      headers,
      cacheTtlMs: opts.cacheTtlMs,
      cache: opts.cache,
      maxConcurrent: opts.maxConcurrent,
      maxBodyBytes: opts.maxBodyBytes,
      bodyLimit: opts.bodyLimit,
      errorMessage: prometheusErrorMessage,
    });
  }

  /** The configured job name for a kind of target (what `up{job=…}` uses). */
  jobName(job: JobKind): string {
    return this.jobs[job];
  }

  /**
   * A series selector for `metric` with the given matchers, the deployment's extra matchers and, when `job` is
   * given, the job matcher. Values are escaped: nothing passed here can change the query's structure.
   */
  selector = (metric: string, matchers: LabelMatcher[] = [], job?: JobKind): string => {
    const jobMatcher: LabelMatcher[] = job && this.jobs[job] ? [{ name: 'job', op: '=', value: this.jobs[job] }] : [];
    return renderSelector(metric, [...this.extra, ...jobMatcher, ...matchers]);
  };

  /** Instant query at `timeMs` (default: Prometheus' now). Scalars come back as one sample without labels. */
  async query(expr: string, timeMs?: number, signal?: AbortSignal): Promise<InstantResult> {
    const path = '/api/v1/query';
    const query = { query: expr, time: timeMs === undefined ? undefined : timeMs / 1000 };
    const env = await this.get(path, QueryAnswer, query, signal);
    const data = env.data;
    const samples: Sample[] = [];
    switch (data?.resultType) {
      case 'vector':
        for (const r of data.result) {
          if (r.value) {
            samples.push({ labels: r.metric, t: r.value[0], v: r.value[1] });
          }
        }
        break;
      case 'scalar':
        samples.push({ labels: {}, t: data.result[0], v: data.result[1] });
        break;
      case 'matrix':
        for (const r of data.result) {
          for (const [t, v] of r.values) {
            samples.push({ labels: r.metric, t, v });
          }
        }
        break;
      case 'string':
      case undefined:
        break;
    }
    return { samples, warnings: warningsOf(env) };
  }

  /** Range query over `[startMs, endMs]` every `stepMs`; refuses more than 11,000 points per series up front. */
  async queryRange(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal
  ): Promise<RangeResult> {
    const { result, warnings } = await this.range(QueryAnswer, expr, startMs, endMs, stepMs, signal);
    return {
      series: (result as MatrixRows<typeof QueryAnswer>).map((r) => ({ labels: r.metric, samples: r.values })),
      warnings,
    };
  }

  /** `queryRange` with each series' samples as columns of doubles (long histories: no array per point). */
  async queryRangeColumns(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal
  ): Promise<RangeColumnsResult> {
    const { result, warnings } = await this.range(RangeColumnsAnswer, expr, startMs, endMs, stepMs, signal);
    const rows = result as MatrixRows<typeof RangeColumnsAnswer>;
    return { series: rows.map((r) => ({ labels: r.metric, t: r.values.t, v: r.values.v })), warnings };
  }

  /** The checks and the request both range queries share; the rows are those of `schema`'s matrix. */
  private async range(
    schema: typeof QueryAnswer | typeof RangeColumnsAnswer,
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal
  ): Promise<{ result: unknown[]; warnings: string[] }> {
    if (!(stepMs > 0)) {
      throw new BadQueryError('step must be positive', 'step');
    }
    if (endMs < startMs) {
      throw new BadQueryError('end must not be before start', 'range');
    }
    const points = Math.floor((endMs - startMs) / stepMs) + 1;
    if (points > MAX_POINTS_PER_SERIES) {
      throw new BadQueryError(
        `${points} points per series at a step of ${stepMs} ms; Prometheus allows ${MAX_POINTS_PER_SERIES} (use a larger step or a shorter range)`,
        'step'
      );
    }
    const path = '/api/v1/query_range';
    const env: z.output<typeof QueryAnswer> | z.output<typeof RangeColumnsAnswer> = await this.get(
      path,
      schema,
      { query: expr, start: startMs / 1000, end: endMs / 1000, step: stepMs / 1000 },
      signal
    );
    const data = env.data;
    if (data && data.resultType !== 'matrix') {
      throw new UpstreamStatusError({
        upstream: 'prometheus',
        path,
        status: 200,
        upstreamMessage: `expected a matrix, got ${data.resultType}`,
      });
    }
    return { result: data?.result ?? [], warnings: warningsOf(env) };
  }

  /** Values of a label, restricted by matchers (the extra selector always applies). */
  async labelValues(
    label: string,
    matchers: LabelMatcher[] = [],
    signal?: AbortSignal
  ): Promise<{ values: string[]; warnings: string[] }> {
    // The label name goes into the URL path: validate it with the same grammar as in selectors.
    renderMatcher({ name: label, op: '=', value: '' });
    const match =
      this.extra.length + matchers.length > 0
        ? `{${[...this.extra, ...matchers].map(renderMatcher).join(',')}}`
        : undefined;
    const env = await this.get(`/api/v1/label/${label}/values`, StringListAnswer, { 'match[]': match }, signal);
    return { values: env.data ?? [], warnings: warningsOf(env) };
  }

  /** Series (label sets) matching the matchers plus the extra selector, optionally within a time range. */
  async series(
    matchers: LabelMatcher[],
    startMs?: number,
    endMs?: number,
    signal?: AbortSignal
  ): Promise<{ series: Array<Record<string, string>>; warnings: string[] }> {
    const all = [...this.extra, ...matchers];
    if (all.length === 0) {
      throw new BadQueryError('at least one matcher is needed to list series', 'matchers');
    }
    const query = {
      'match[]': `{${all.map(renderMatcher).join(',')}}`,
      start: startMs === undefined ? undefined : startMs / 1000,
      end: endMs === undefined ? undefined : endMs / 1000,
    };
    const env = await this.get('/api/v1/series', SeriesAnswer, query, signal);
    return { series: env.data ?? [], warnings: warningsOf(env) };
  }

  /** `/api/v1/status/buildinfo` (the health check's version and reachability probe). */
  async buildInfo(signal?: AbortSignal): Promise<{ version: string }> {
    const env = await this.get('/api/v1/status/buildinfo', BuildInfoAnswer, undefined, signal);
    return { version: env.data?.version ?? 'unknown' };
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private async get<S extends z.ZodType>(
    path: string,
    schema: S,
    query: Record<string, string | number | undefined> | undefined,
    signal?: AbortSignal
  ): Promise<z.output<S>> {
    const answer = await this.http.get(path, { schema, query, signal });
    const env = answer.data as Envelope;
    if (env.status === 'error') {
      const message = env.errorType ? `${env.errorType}: ${env.error ?? ''}` : env.error;
      throw new UpstreamStatusError({
        upstream: 'prometheus',
        path,
        origin: answer.origin,
        status: answer.status,
        upstreamMessage: message,
      });
    }
    return answer.data as z.output<S>;
  }
}

function warningsOf(env: Envelope): string[] {
  return [...(env.warnings ?? []), ...(env.infos ?? []).map((i) => `info: ${i}`)];
}

/** Credentials in the URL (`https://user:pass@host`) become basic auth, so they never appear in an error's origin. */
function splitCredentials(raw: string, auth: PrometheusAuth | undefined): { url: string; auth?: PrometheusAuth } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(ENV.PROMETHEUS_URL, `not a URL: ${JSON.stringify(redactUserInfo(raw))}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ConfigError(ENV.PROMETHEUS_URL, `only http and https are supported, not ${u.protocol}`);
  }
  let out = auth;
  if (u.username && !auth) {
    out = { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  }
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/+$/, ''), auth: out };
}
