/**
 * The HTTP layer both upstream clients (PD, Prometheus) stand on: undici requests with explicit timeouts, a response
 * size limit, failover across several base URLs (PD members), in-flight sharing of identical GETs
 * (sharedRequests.ts), a short cache bounded by bytes (answerCache.ts), bounded concurrency (undici's per-origin
 * connection limit queues the rest), zod validation (compiled to ajv for the largest answers, compiledSchema.ts),
 * and errors from the catalog that name upstream, path, status and field — never a credential.
 */
import { Agent, type Dispatcher, errors as undiciErrors, request } from 'undici';
import type { z } from 'zod';

import {
  type BodyLimit,
  OperatorError,
  type Upstream,
  UpstreamSchemaError,
  UpstreamStatusError,
  UpstreamTimeoutError,
  UpstreamTooLargeError,
  UpstreamUnreachableError,
} from '../../shared/errors';
import { fieldPath } from '../../shared/fieldPath';

import { AnswerCache, type CacheEntry } from './answerCache';
import { parseChecked } from './compiledSchema';
import { SharedRequests } from './sharedRequests';

export interface TlsOptions {
  /** PEM text of the CA bundle that signed the upstream's certificate. */
  ca?: string;
  /** PEM client certificate and key, for mutual TLS. */
  cert?: string;
  key?: string;
  /** Skip certificate verification (test setups only). */
  insecureSkipVerify?: boolean;
}

export interface UpstreamHttpOptions {
  upstream: Upstream;
  /** One or more base URLs (origin plus optional path prefix, e.g. `http://pd-1:2379/pd/api/v1`). */
  baseUrls: string[];
  timeoutMs?: number;
  tls?: TlsOptions;
  /** Headers sent with every request (e.g. X-Caller-ID, Authorization). Never logged, never put in errors. */
  headers?: Record<string, string>;
  /** Identical GETs answered within this many ms come from memory (0 = no cache, in-flight sharing only). */
  cacheTtlMs?: number;
  /** One cache for several clients (the backend's byte budget, CACHE_MAX_BYTES); replaces cacheTtlMs. */
  cache?: AnswerCache<Answer<unknown>>;
  /** Concurrent connections per upstream origin; further requests wait in undici's queue. */
  maxConcurrent?: number;
  /** Answers larger than this are refused (UpstreamTooLargeError). */
  maxBodyBytes?: number;
  /** The setting behind `maxBodyBytes`, named in the error with what to do. */
  bodyLimit?: BodyLimit;
  /** Extracts the upstream's own error message from an error body (PD's JSON string, Prometheus' `error`). */
  errorMessage?: (bodyText: string) => string | undefined;
  /** Inject a dispatcher (tests); otherwise one undici Agent with the TLS and concurrency options is made. */
  dispatcher?: Dispatcher;
}

export interface Answer<T> {
  data: T;
  /** The upstream's clock: its `Date` header in epoch ms, when it sent one. */
  date?: number;
  /** The origin that answered (useful after failover). */
  origin: string;
  status: number;
  /** Bytes of the body as received (what the cache weighs). */
  bytes?: number;
}

export interface RequestOptions<S extends z.ZodType | undefined> {
  query?: Record<string, string | number | boolean | Array<string | number> | undefined>;
  body?: unknown;
  /** Validates the parsed answer; absent = the parsed JSON as is. */
  schema?: S;
  /** Expect a plain (non-JSON) or empty body, e.g. PD's `/ping`. */
  text?: boolean;
  /** JSON parser for this answer; default JSON.parse (PD's ids beyond 2^53 need one that keeps them exact). */
  parseJson?: (text: string) => unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Per-call timeout override (each member tried gets this much). */
  timeoutMs?: number;
  /** GET past the cache and in-flight sharing (an action's preflight must see what other replicas just wrote). */
  fresh?: boolean;
  /**
   * The whole call's time across members: each try gets an equal share of what is left (and at most `timeoutMs`),
   * so a black-holed first member cannot use it all (health probes).
   */
  deadlineMs?: number;
}

type Out<S> = S extends z.ZodType ? z.output<S> : unknown;

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BODY = 64 * 1024 * 1024;
const MESSAGE_LIMIT = 300;

/** Statuses after which another member may succeed (PD answers 503 while not ready; a proxy may 502/504). */
const FAILOVER_STATUSES = new Set([502, 503, 504]);

/** Numbers each client's cache keys. */
let clientsMade = 0;

export class UpstreamHttp {
  private readonly opts: UpstreamHttpOptions;
  private readonly dispatcher: Dispatcher;
  private readonly shared = new SharedRequests<CacheEntry<Answer<unknown>>>();
  /**
   * Answers with their checked copies per schema: the callers that share one request or one cached answer get one
   * zod parse between them, not one each (200 panels asking for PD's 1 MB `/stores` would otherwise parse it 200
   * times). Callers must treat the data as read-only.
   */
  private readonly cache: AnswerCache<Answer<unknown>>;
  private readonly keyPrefix: string;
  /** Bumped by `invalidate()`: an answer read before a write is not cached after it. */
  private generation = 0;
  /** Index of the base URL that answered last; failover starts there. */
  private preferred = 0;

  constructor(opts: UpstreamHttpOptions) {
    if (opts.baseUrls.length === 0) {
      throw new Error(`${opts.upstream}: at least one URL is needed`);
    }
    this.opts = opts;
    this.cache = opts.cache ?? new AnswerCache(opts.cacheTtlMs ?? 0);
    // Keys are this client's own: a shared cache never answers one client with another's answer, even one asking the
    // same URL with other credentials (two clusters' tenants on one Mimir, other client certificates).
    this.keyPrefix = `${opts.upstream}#${++clientsMade}|`;
    this.dispatcher =
      opts.dispatcher ??
      new Agent({
        connections: opts.maxConcurrent ?? 16,
        connect: opts.tls
          ? { ca: opts.tls.ca, cert: opts.tls.cert, key: opts.tls.key, rejectUnauthorized: !opts.tls.insecureSkipVerify }
          : undefined,
      });
  }

  get baseUrls(): string[] {
    return this.opts.baseUrls;
  }

  /** GET with sharing of identical in-flight requests and the TTL cache. */
  async get<S extends z.ZodType | undefined = undefined>(path: string, o: RequestOptions<S> = {}): Promise<Answer<Out<S>>> {
    const key = `${this.keyPrefix}${path}?${serializeQuery(o.query)}|${o.text ? 'text' : o.parseJson ? `parser${parserId(o.parseJson)}` : 'json'}`;
    if (o.fresh) {
      // Past the cache and in-flight sharing: an action's preflight must see what another replica just wrote.
      const answer = await this.send('GET', path, { ...o, schema: undefined });
      return this.validate(path, answer, o.schema) as Answer<Out<S>>;
    }
    const hit = this.cache.get(key);
    if (hit) {
      return this.validateShared(path, hit, o.schema) as Answer<Out<S>>;
    }
    const entry = await this.shared.join(
      key,
      (signal) => {
        const generation = this.generation;
        return this.send('GET', path, { ...o, schema: undefined, signal }).then((answer) =>
          generation === this.generation ? this.cache.set(key, answer) : { answer, checked: new Map() }
        );
      },
      o.signal
    );
    return this.validateShared(path, entry, o.schema) as Answer<Out<S>>;
  }

  /** Any method, no sharing or caching (writes). */
  async request<S extends z.ZodType | undefined = undefined>(
    method: Dispatcher.HttpMethod,
    path: string,
    o: RequestOptions<S> = {}
  ): Promise<Answer<Out<S>>> {
    const answer = await this.send(method, path, { ...o, schema: undefined });
    return this.validate(path, answer, o.schema) as Answer<Out<S>>;
  }

  /** Forget cached answers (after a write that changes what reads return). */
  invalidate(): void {
    this.generation++;
    this.cache.clear(this.keyPrefix);
  }

  async close(): Promise<void> {
    if (!this.opts.dispatcher) {
      await this.dispatcher.close();
    }
  }

  private validateShared(path: string, entry: CacheEntry<Answer<unknown>>, schema: z.ZodType | undefined): Answer<unknown> {
    if (!schema) {
      return entry.answer;
    }
    let answer = entry.checked.get(schema);
    if (!answer) {
      answer = this.validate(path, entry.answer, schema);
      entry.checked.set(schema, answer);
    }
    return answer;
  }

  private validate(path: string, answer: Answer<unknown>, schema: z.ZodType | undefined): Answer<unknown> {
    if (!schema) {
      return answer;
    }
    const parsed = parseChecked(schema, answer.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UpstreamSchemaError(
        { upstream: this.opts.upstream, path, origin: answer.origin, status: answer.status, field: fieldPath(issue.path) || '(root)' },
        issue.message
      );
    }
    return { ...answer, data: parsed.data };
  }

  private async send(method: Dispatcher.HttpMethod, path: string, o: RequestOptions<undefined>): Promise<Answer<unknown>> {
    const n = this.opts.baseUrls.length;
    // The order is fixed when the call starts: another call moving `preferred` meanwhile must not send this one
    // back to the member it just gave up on.
    const first = this.preferred;
    const started = performance.now();
    let lastError: unknown;
    for (let i = 0; i < n; i++) {
      const index = (first + i) % n;
      let tryOptions = o;
      if (o.deadlineMs !== undefined) {
        const left = o.deadlineMs - (performance.now() - started);
        if (left <= 0 && lastError !== undefined) {
          break;
        }
        const share = Math.max(1, Math.ceil(left / (n - i)));
        tryOptions = { ...o, timeoutMs: Math.min(o.timeoutMs ?? this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, share) };
      }
      try {
        const answer = await this.sendTo(this.opts.baseUrls[index], method, path, tryOptions);
        this.preferred = index;
        return answer;
      } catch (err) {
        lastError = err;
        // Writes go to another member only when this one never got them (no connection); once a member answered
        // (any status) or the connection broke mid-request, the write may have been applied.
        const retriable =
          method === 'GET'
            ? err instanceof UpstreamUnreachableError ||
              err instanceof UpstreamTimeoutError ||
              (err instanceof UpstreamStatusError && err.status !== undefined && FAILOVER_STATUSES.has(err.status))
            : err instanceof UpstreamUnreachableError && neverSent(err);
        if (!retriable || o.signal?.aborted) {
          throw err;
        }
      }
    }
    throw lastError;
  }

  private async sendTo(
    base: string,
    method: Dispatcher.HttpMethod,
    path: string,
    o: RequestOptions<undefined>
  ): Promise<Answer<unknown>> {
    const url = new URL(base.replace(/\/+$/, '') + path);
    appendQuery(url, o.query);
    const origin = url.origin;
    const details = { upstream: this.opts.upstream, path, origin };
    const timeoutMs = o.timeoutMs ?? this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // A timer cleared when the answer is read, not AbortSignal.timeout: that one's timer keeps the request and its
    // answer reachable for the whole timeout, which made each 1 MB PD answer outlive young-generation GC.
    const headers: Record<string, string> = { accept: 'application/json', ...this.opts.headers, ...o.headers };
    let body: string | undefined;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    // One controller aborted by the timer or by the caller's signal, not AbortSignal.any: the signal that one makes is
    // held through WeakRefs, which young-generation GC treats as strong, so every request and its answer reached the
    // old generation (npm run bench, scenario e: peak RSS).
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    const outer = o.signal;
    const onOuterAbort = () => abort.abort(outer?.reason);
    if (outer?.aborted) {
      onOuterAbort();
    } else {
      outer?.addEventListener('abort', onOuterAbort, { once: true });
    }
    const signal = abort.signal;

    let res: Dispatcher.ResponseData;
    let text: string;
    let bytes: number;
    try {
      res = await request(url, { method, headers, body, signal, dispatcher: this.dispatcher });
      const limit = this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
      const status = res.statusCode;
      ({ text, bytes } = await readLimited(res.body, limit, () => new UpstreamTooLargeError({ ...details, status }, limit, this.opts.bodyLimit)));
    } catch (err) {
      throw this.mapTransportError(err, details, timedOut, timeoutMs);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }

    const dateHeader = res.headers.date;
    const date = typeof dateHeader === 'string' ? Date.parse(dateHeader) : NaN;
    const base_ = { date: Number.isNaN(date) ? undefined : date, origin, status: res.statusCode, bytes };

    if (res.statusCode >= 400) {
      const upstreamMessage = truncate((this.opts.errorMessage ?? defaultErrorMessage)(text) ?? text.trim());
      throw new UpstreamStatusError({ ...details, status: res.statusCode, upstreamMessage: upstreamMessage || undefined });
    }
    if (o.text) {
      return { ...base_, data: text };
    }
    try {
      return { ...base_, data: (o.parseJson ?? JSON.parse)(text) };
    } catch (err) {
      const problem = text.length === 0 ? 'empty body where JSON was expected' : `body is not valid JSON (${(err as Error).message})`;
      throw new UpstreamSchemaError({ ...details, status: res.statusCode }, problem, { cause: err });
    }
  }

  private mapTransportError(
    err: unknown,
    details: { upstream: Upstream; path: string; origin: string },
    timedOut: boolean,
    timeoutMs: number
  ): Error {
    if (err instanceof OperatorError) {
      return err;
    }
    if (timedOut || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
      return new UpstreamTimeoutError(details, timeoutMs, { cause: err });
    }
    if ((err as Error)?.name === 'AbortError') {
      return err as Error;
    }
    const code = (err as { code?: string })?.code;
    const reason = code ?? (err as Error)?.message ?? 'connection failed';
    return new UpstreamUnreachableError(details, reason, { cause: err });
  }
}

/** Connection-phase failures: the request never reached the member (also what an action's audit calls "not sent"). */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export function neverSent(err: UpstreamUnreachableError): boolean {
  const cause = err.cause as { code?: string; errors?: Array<{ code?: string }> } | undefined;
  // Node's happy-eyeballs connect reports an AggregateError whose members carry the codes.
  const codes = [cause?.code, ...(cause?.errors ?? []).map((e) => e.code)];
  return codes.some((c) => c !== undefined && NOT_SENT_CODES.has(c));
}

/**
 * The body as text, refused past `limit` bytes (the stream is destroyed at once). Reads with 'data' events, as
 * undici's own `body.text()` does: an async iterator costs a promise per chunk (~0.7 ms on PD's 1 MB `/stores`).
 */
function readLimited(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  tooLarge: () => Error
): Promise<{ text: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        body.destroy();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    body.once('end', () => resolve({ text: Buffer.concat(chunks, size).toString('utf8'), bytes: size }));
    body.once('error', reject);
  });
}

/** A number per JSON parser, so answers read with different parsers are never shared (a function's name is no id). */
const parserIds = new WeakMap<(text: string) => unknown, number>();
let parsersSeen = 0;
function parserId(parse: (text: string) => unknown): number {
  let id = parserIds.get(parse);
  if (id === undefined) {
    id = ++parsersSeen;
    parserIds.set(parse, id);
  }
  return id;
}

function appendQuery(url: URL, query: RequestOptions<undefined>['query']): void {
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) {
      continue;
    }
    for (const item of Array.isArray(v) ? v : [v]) {
      url.searchParams.append(k, String(item));
    }
  }
}

function serializeQuery(query: RequestOptions<undefined>['query']): string {
  const url = new URL('http://x');
  appendQuery(url, query);
  return url.searchParams.toString();
}

function defaultErrorMessage(text: string): string | undefined {
  try {
    const v = JSON.parse(text);
    if (typeof v === 'string') {
      return v;
    }
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of ['error', 'message', 'msg']) {
        if (typeof o[k] === 'string') {
          return o[k] as string;
        }
      }
    }
  } catch {
    // not JSON: the raw text is the message
  }
  return undefined;
}

function truncate(s: string): string {
  return s.length > MESSAGE_LIMIT ? `${s.slice(0, MESSAGE_LIMIT)}…` : s;
}

