/**
 * PD's HTTP API (`/pd/api/v1`, pd-tikv.md §1) over the shared undici layer: failover across PD members, timeouts,
 * TLS, `X-Caller-ID` on every request, bigint-safe JSON, and every answer checked by its schema in `./schema`.
 * Each method mirrors one PD handler and keeps PD's names. Reads answer `{data, pdNow, clock, origin}`: `pdNow` is
 * PD's clock (its `Date` header) so heartbeat ages never depend on the backend's clock.
 */
import type { z } from 'zod';

import {
  type BodyLimit,
  BadQueryError,
  ConfigError,
  StoreNotFoundError,
  UpstreamSchemaError,
  UpstreamStatusError,
} from '../../shared/errors';
import { redactUserInfo } from '../../shared/redact';
import type { AnswerCache } from '../http/answerCache';
import { type Answer, type TlsOptions, UpstreamHttp } from '../http/upstream';
import { parseJsonBig } from './parse';
import {
  Cluster,
  ClusterStatus,
  EvictLeaderConfig,
  EXACT_UINT64_ANSWERS,
  Health,
  HotStores,
  Members,
  Operators,
  PdErrorBody,
  PdMessage,
  PdStatus,
  PdVersion,
  RegionInfo,
  RegionsInfo,
  RegionStats,
  ReplicationConfig,
  ScheduleConfig,
  Schedulers,
  STORE_STATE,
  StoreHotPeersInfos,
  StoreInfo,
  StoreProgress,
  normalizeStores,
  StoresChecked,
  StoresInfo,
  StoresLimit,
  type StoreStateWord,
} from './schema';
import { type Operator, OperatorTexts, type PausedScheduler, PausedSchedulers } from './schedulingSchema';

/** PD's API prefix; appended to a member URL that does not already end with it. */
export const PD_API_PREFIX = '/pd/api/v1';
export const DEFAULT_CALLER_ID = 'operator-tikv-app';
/** PD caps `/regions/key` at 10240 regions per call (`limit`). */
export const MAX_SCAN_PAGE = 10240;
const DEFAULT_SCAN_PAGE = 1024;

export interface PDClientOptions {
  /** PD members, e.g. `http://pd-1:2379` (the API prefix is added) or `http://sim:4000/pd/api/v1`. */
  urls: string[];
  timeoutMs?: number;
  tls?: TlsOptions;
  /** Sent as `X-Caller-ID` on every request (PD logs and rate-limits by it). */
  callerId?: string;
  cacheTtlMs?: number;
  /** One cache for several clients (the backend's byte budget, CACHE_MAX_BYTES); replaces cacheTtlMs. */
  cache?: AnswerCache<Answer<unknown>>;
  maxConcurrent?: number;
  maxBodyBytes?: number;
  /** The setting behind `maxBodyBytes`, named when an answer exceeds it. */
  bodyLimit?: BodyLimit;
}

export interface PdAnswer<T> {
  data: T;
  /** Epoch ms: PD's `Date` header (whole seconds), or the local clock when PD sent none. */
  pdNow: number;
  clock: 'pd' | 'local';
  /** The member that answered. */
  origin: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Past the client's cache (actions' preflights: another replica may have just changed PD). */
  fresh?: boolean;
  /** Time for the whole read across PD members, shared between them (UpstreamHttp's `deadlineMs`). */
  deadlineMs?: number;
}

export interface WriteOptions {
  /** Overrides the client's `X-Caller-ID` for this call (e.g. the user behind an action). */
  callerId?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** `/stores/check?state=`: PD's `state_name`, lower case (case-insensitive in PD ≥ v7.5). */
export const CHECK_STORE_STATES = ['up', 'offline', 'tombstone', 'down', 'disconnected'] as const;
export type CheckStoreState = (typeof CHECK_STORE_STATES)[number];
/** `/regions/check/<kind>`: the unhealthy-region lists the operator shows. */
export const REGION_CHECKS = ['miss-peer', 'pending-peer', 'down-peer', 'offline-peer', 'extra-peer'] as const;
export type RegionCheck = (typeof REGION_CHECKS)[number];
export const OPERATOR_KINDS = ['admin', 'leader', 'region', 'waiting'] as const;

/** A `POST /operators` body (`name` selects the operator; ids are numbers), pd-tikv.md §1.7. */
export type OperatorBody =
  | { name: 'transfer-leader'; region_id: number; to_store_id: number }
  | { name: 'transfer-region'; region_id: number; to_store_ids: number[]; peer_roles?: string[] }
  | { name: 'transfer-peer'; region_id: number; from_store_id: number; to_store_id: number }
  | { name: 'add-peer' | 'add-learner' | 'remove-peer'; region_id: number; store_id: number }
  | { name: 'merge-region'; source_region_id: number; target_region_id: number }
  | { name: 'split-region'; region_id: number; policy: 'scan' | 'approximate' | 'usekey'; keys?: string[] }
  | { name: 'scatter-region'; region_id: number; group?: string };

/** A `POST /schedulers` body, e.g. `{name: 'evict-leader-scheduler', store_id: 4}`. */
export interface SchedulerBody {
  name: string;
  store_id?: number;
  [arg: string]: unknown;
}

/**
 * PD's error body → its message: a JSON string (`"[PD:core:ErrStoreNotFound]store 9 not found"`) as is, an
 * errcode object `{code, msg, data}` as `code: msg`; anything else → undefined (the raw text is used).
 */
export function pdErrorMessage(bodyText: string): string | undefined {
  let value: unknown;
  try {
    value = parseJsonBig(bodyText);
  } catch {
    return undefined;
  }
  const body = PdErrorBody.safeParse(value);
  if (!body.success) {
    return undefined;
  }
  if (typeof body.data === 'string') {
    return body.data;
  }
  const msg = body.data.msg ?? body.data.message ?? body.data.error;
  if (msg === undefined) {
    return undefined;
  }
  return body.data.code ? `${body.data.code}: ${msg}` : msg;
}

/** Store state words → the integers `/stores?state=` takes; an unknown word is a bad query. */
function storeStates(states: StoreStateWord[] | undefined): number[] | undefined {
  return states?.map((s) => {
    if (!(s in STORE_STATE)) {
      throw new BadQueryError(`unknown store state ${JSON.stringify(s)} (Up, Offline, Tombstone)`, 'states');
    }
    return STORE_STATE[s];
  });
}

/** A member URL → its API base: `http://pd:2379` → `http://pd:2379/pd/api/v1`; one ending in the prefix is kept. */
export function pdApiBase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    // Echo the text without anything that looks like credentials (`//user:pass@`).
    throw new ConfigError('PD_URL', `not a URL: ${JSON.stringify(redactUserInfo(url.slice(0, 80)))}`);
  }
  if (parsed.username || parsed.password) {
    throw new ConfigError('PD_URL', 'credentials in a PD member URL are not supported (PD has no HTTP auth)');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError('PD_URL', `only http and https are supported, got ${parsed.protocol}`);
  }
  if (parsed.search || parsed.hash) {
    throw new ConfigError('PD_URL', 'a PD member URL takes no query string or fragment');
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = path.endsWith(PD_API_PREFIX) ? path : path + PD_API_PREFIX;
  return parsed.toString();
}

const HEADER_VALUE = /^[\x20-\x7e]{1,128}$/;

function checkCallerId(id: string, field: string, asConfig: boolean): string {
  if (!HEADER_VALUE.test(id)) {
    const msg = 'X-Caller-ID must be 1–128 printable ASCII characters';
    throw asConfig ? new ConfigError(field, msg) : new BadQueryError(msg, field);
  }
  return id;
}

function checkId(id: number, field: string): number {
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new BadQueryError(`must be a positive integer, got ${String(id)}`, field);
  }
  return id;
}

/** A scheduler name goes into the URL path: PD's names are lower-case letters, digits and dashes. */
function checkSchedulerName(name: string): string {
  if (!/^[a-z0-9-]+$/.test(name)) {
    throw new BadQueryError('scheduler names are lower-case letters, digits and dashes', 'name');
  }
  return name;
}

const HEX_KEY = /^(?:[0-9A-Fa-f]{2})*$/;

function checkHexKey(key: string, field: string): string {
  if (!HEX_KEY.test(key)) {
    throw new BadQueryError('must be a hex-encoded key (an even number of hex digits)', field);
  }
  return key.toUpperCase();
}

/** PD answers an unknown store with 404 and `[PD:core:ErrStoreNotFound]…`; Go's own "404 page not found" is a wrong URL. */
function isStoreNotFound(err: unknown): boolean {
  if (!(err instanceof UpstreamStatusError)) {
    return false;
  }
  const msg = err.upstreamMessage ?? '';
  return /ErrStoreNotFound/.test(msg) || (err.status === 404 && !/page not found/i.test(msg));
}

export class PDClient {
  private readonly http: UpstreamHttp;
  /** Set on the view `fresh()` returns: every read goes past the cache and in-flight sharing. */
  private freshReads = false;

  constructor(opts: PDClientOptions) {
    if (opts.urls.length === 0) {
      throw new ConfigError('PD_URL', 'at least one PD member URL is needed');
    }
    const callerId = checkCallerId(opts.callerId ?? DEFAULT_CALLER_ID, 'callerId', true);
    this.http = new UpstreamHttp({
      upstream: 'pd',
      baseUrls: opts.urls.map(pdApiBase),
      timeoutMs: opts.timeoutMs,
      tls: opts.tls,
      headers: { 'X-Caller-ID': callerId },
      cacheTtlMs: opts.cacheTtlMs,
      cache: opts.cache,
      maxConcurrent: opts.maxConcurrent,
      maxBodyBytes: opts.maxBodyBytes,
      bodyLimit: opts.bodyLimit,
      errorMessage: pdErrorMessage,
    });
  }

  /** The API base URLs of the configured members. */
  get urls(): string[] {
    return this.http.baseUrls;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  // ── stores ────────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * `GET /stores`, filtered on the legacy state (PD takes integers only). Without `states` PD returns Up and
   * Offline stores (Tombstone hidden); Down/Disconnected stores are Up in this filter.
   */
  async getStores(filter: { states?: StoreStateWord[] } = {}, o: ReadOptions = {}): Promise<PdAnswer<StoresInfo>> {
    // Normalized from the checked answer: readers of one cached answer (the checker, get_stores, the history's
    // store lookup) share one ajv check of the 1 MB body and one normalized copy.
    const a = await this.getStoresChecked(filter, o);
    return { ...a, data: normalizeStores(a.data) };
  }

  /**
   * `getStores` checked but not normalized (pd/schema.ts `StoresChecked`), for a reader that takes each store once
   * (the get_stores table): the same request, cache entry and check as `getStores`.
   */
  async getStoresChecked(
    filter: { states?: StoreStateWord[] } = {},
    o: ReadOptions = {}
  ): Promise<PdAnswer<StoresChecked>> {
    return this.read('/stores', StoresChecked, { state: storeStates(filter.states) }, o);
  }

  /** `GET /stores/check?state=…` (PD ≥ v7.5): filter on the derived `state_name`; no states = every store. */
  async checkStores(states: CheckStoreState[], o: ReadOptions = {}): Promise<PdAnswer<StoresInfo>> {
    for (const s of states) {
      if (!(CHECK_STORE_STATES as readonly string[]).includes(s)) {
        throw new BadQueryError(
          `unknown store state ${JSON.stringify(s)} (${CHECK_STORE_STATES.join(', ')})`,
          'states'
        );
      }
    }
    return this.read('/stores/check', StoresInfo, { state: states }, o);
  }

  /** `GET /store/{id}`; an unknown store raises StoreNotFoundError. */
  async getStore(id: number, o: ReadOptions = {}): Promise<PdAnswer<StoreInfo>> {
    return this.storeCall(id, () => this.read(`/store/${checkId(id, 'store_id')}`, StoreInfo, undefined, o));
  }

  /** `GET /stores/progress?id=N`: drain (removing) or preparing progress of one store. */
  async getStoreProgress(id: number, o: ReadOptions = {}): Promise<PdAnswer<StoreProgress>> {
    return this.read('/stores/progress', StoreProgress, { id: checkId(id, 'store_id') }, o);
  }

  /** `GET /stores/limit`: add-peer/remove-peer rates per store (per minute). */
  async getStoresLimit(o: ReadOptions = {}): Promise<PdAnswer<StoresLimit>> {
    return this.read('/stores/limit', StoresLimit, undefined, o);
  }

  // ── regions and hot spots ─────────────────────────────────────────────────────────────────────────────────────

  /** `GET /hotspot/regions/write[?store_id=…]`: hot write peers per store (as peer and as leader). */
  async getHotWriteRegions(storeIds?: number[], o: ReadOptions = {}): Promise<PdAnswer<StoreHotPeersInfos>> {
    const ids = storeIds?.map((id) => checkId(id, 'store_id'));
    return this.read('/hotspot/regions/write', StoreHotPeersInfos, { store_id: ids }, o);
  }

  /** `GET /hotspot/stores`: per-store read/write rates. */
  async getHotStores(o: ReadOptions = {}): Promise<PdAnswer<z.output<typeof HotStores>>> {
    return this.read('/hotspot/stores', HotStores, undefined, o);
  }

  /** `GET /regions/count`: the number of regions, without listing them. */
  async getRegionCount(o: ReadOptions = {}): Promise<PdAnswer<number>> {
    const a = await this.read('/regions/count', RegionsInfo, undefined, o);
    return { ...a, data: a.data.count };
  }

  /** `GET /stats/region`: aggregate sizes and per-store leader/peer counts over all regions. */
  async getRegionStats(o: ReadOptions = {}): Promise<PdAnswer<RegionStats>> {
    return this.read('/stats/region', RegionStats, undefined, o);
  }

  /** `GET /regions/check/{kind}`: the regions with missing, pending, down, offline or extra peers. */
  async checkRegions(kind: RegionCheck, o: ReadOptions = {}): Promise<PdAnswer<RegionsInfo>> {
    if (!(REGION_CHECKS as readonly string[]).includes(kind)) {
      throw new BadQueryError(`unknown region check ${JSON.stringify(kind)} (${REGION_CHECKS.join(', ')})`, 'kind');
    }
    return this.read(`/regions/check/${kind}`, RegionsInfo, undefined, o);
  }

  /** `GET /region/id/{id}`. */
  async getRegion(id: number, o: ReadOptions = {}): Promise<PdAnswer<RegionInfo>> {
    return this.read(`/region/id/${checkId(id, 'region_id')}`, RegionInfo, undefined, o);
  }

  /**
   * Every region in `[startKey, endKey)` (hex keys, `""` = unbounded), one `/regions/key` page at a time (PD's
   * pagination recipe: the next page starts at the last region's `end_key`; `""` ends the key space). Never reads
   * `/regions`, so memory stays at one page whatever the region count.
   */
  async *scanRegions(
    range: { startKey?: string; endKey?: string; pageSize?: number } = {},
    o: ReadOptions = {}
  ): AsyncGenerator<RegionInfo, void, undefined> {
    const endKey = checkHexKey(range.endKey ?? '', 'endKey');
    const limit = range.pageSize ?? DEFAULT_SCAN_PAGE;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_SCAN_PAGE) {
      throw new BadQueryError(`must be an integer from 1 to ${MAX_SCAN_PAGE}`, 'pageSize');
    }
    let key = checkHexKey(range.startKey ?? '', 'startKey');
    for (;;) {
      // Pages are not cached or shared: a scan walks many distinct pages once.
      const page = await this.http.request('GET', '/regions/key', {
        query: { key, end_key: endKey, limit, format: 'hex' },
        schema: RegionsInfo,
        signal: o.signal,
        timeoutMs: o.timeoutMs,
      });
      const regions = page.data.regions;
      if (regions.length === 0) {
        return;
      }
      const next = regions[regions.length - 1].end_key.toUpperCase();
      // Upper-case hex strings order like the bytes they encode; a page that does not advance would loop forever.
      if (next !== '' && next <= key) {
        throw new UpstreamSchemaError(
          {
            upstream: 'pd',
            path: '/regions/key',
            origin: page.origin,
            status: page.status,
            field: `regions[${regions.length - 1}].end_key`,
          },
          `the scan does not advance past key ${JSON.stringify(key.slice(0, 64))}`
        );
      }
      yield* regions;
      if (next === '' || (endKey !== '' && next >= endKey)) {
        return;
      }
      key = next;
    }
  }

  // ── cluster and members ───────────────────────────────────────────────────────────────────────────────────────

  /** `GET /cluster`: cluster id (exact decimal string) and max_peer_count. */
  async getCluster(o: ReadOptions = {}): Promise<PdAnswer<Cluster>> {
    return this.read('/cluster', Cluster, undefined, o);
  }

  /** `GET /cluster/status`. */
  async getClusterStatus(o: ReadOptions = {}): Promise<PdAnswer<ClusterStatus>> {
    return this.read('/cluster/status', ClusterStatus, undefined, o);
  }

  /** `GET /health`: one entry per PD member (PD answers 503 while not ready). */
  async getHealth(o: ReadOptions = {}): Promise<PdAnswer<z.output<typeof Health>>> {
    return this.read('/health', Health, undefined, o);
  }

  /** `GET /members`: members, leader, etcd leader. */
  async getMembers(o: ReadOptions = {}): Promise<PdAnswer<Members>> {
    return this.read('/members', Members, undefined, o);
  }

  /** `GET /ping`: PD answers 200 with an empty body; measures the round trip (never cached). */
  async ping(o: ReadOptions = {}): Promise<PdAnswer<{ latencyMs: number }>> {
    const started = performance.now();
    const a = await this.http.request('GET', '/ping', {
      text: true,
      signal: o.signal,
      timeoutMs: o.timeoutMs,
      deadlineMs: o.deadlineMs,
    });
    return this.answer({ ...a, data: { latencyMs: performance.now() - started } });
  }

  /** `GET /version`: `{version: "v8.5.1"}`. */
  async getVersion(o: ReadOptions = {}): Promise<PdAnswer<PdVersion>> {
    return this.read('/version', PdVersion, undefined, o);
  }

  /** `GET /status`: build time, version, git hash, start time. */
  async getStatus(o: ReadOptions = {}): Promise<PdAnswer<PdStatus>> {
    return this.read('/status', PdStatus, undefined, o);
  }

  // ── configuration and scheduling ──────────────────────────────────────────────────────────────────────────────

  /** `GET /config/schedule` (`max-store-down-time` in seconds). */
  async getScheduleConfig(o: ReadOptions = {}): Promise<PdAnswer<ScheduleConfig>> {
    return this.read('/config/schedule', ScheduleConfig, undefined, o);
  }

  /** `GET /config/replicate` (`max-replicas`, `location-labels` as a list). */
  async getReplicationConfig(o: ReadOptions = {}): Promise<PdAnswer<ReplicationConfig>> {
    return this.read('/config/replicate', ReplicationConfig, undefined, o);
  }

  /** `GET /operators[?kind=…]`: running operators, one `Operator.String()` each. */
  async getOperators(
    filter: { kind?: (typeof OPERATOR_KINDS)[number] } = {},
    o: ReadOptions = {}
  ): Promise<PdAnswer<string[]>> {
    if (filter.kind !== undefined && !OPERATOR_KINDS.includes(filter.kind)) {
      throw new BadQueryError(
        `unknown operator kind ${JSON.stringify(filter.kind)} (${OPERATOR_KINDS.join(', ')})`,
        'kind'
      );
    }
    return this.read('/operators', Operators, { kind: filter.kind }, o);
  }

  /** `GET /schedulers`: scheduler names. */
  async getSchedulers(o: ReadOptions = {}): Promise<PdAnswer<string[]>> {
    return this.read('/schedulers', Schedulers, undefined, o);
  }

  /**
   * `GET /scheduler-config/evict-leader-scheduler/list`: the ids of the stores whose leaders are evicted. PD answers
   * 404 when no evict-leader scheduler runs (its config goes with it, also between a `GET /schedulers` and this
   * read): no store is evicted, for every caller.
   */
  async getEvictLeaderStores(o: ReadOptions = {}): Promise<PdAnswer<number[]>> {
    try {
      const a = await this.read('/scheduler-config/evict-leader-scheduler/list', EvictLeaderConfig, undefined, o);
      return {
        ...a,
        data: Object.keys(a.data['store-id-ranges'])
          .map(Number)
          .sort((x, y) => x - y),
      };
    } catch (err) {
      if (err instanceof UpstreamStatusError && err.status === 404) {
        // PD answers 404 once the last evicted store is gone: no store is evicted (on the local clock, as no Date).
        return this.answer<number[]>({ data: [], origin: err.origin ?? '', status: 404 });
      }
      throw err;
    }
  }

  /** `GET /operators`, each `Operator.String()` parsed (region, kind, steps, times, status; schedulingSchema.ts). */
  async getOperatorDetails(o: ReadOptions = {}): Promise<PdAnswer<Operator[]>> {
    return this.read('/operators', OperatorTexts, undefined, o);
  }

  /** `GET /schedulers?status=paused&timestamp`: the paused schedulers with when they resume. */
  async getPausedSchedulers(o: ReadOptions = {}): Promise<PdAnswer<PausedScheduler[]>> {
    return this.read('/schedulers', PausedSchedulers, { status: 'paused', timestamp: '' }, o);
  }

  // ── writes (never retried on another member once one answered) ───────────────────────────────────────────────

  /** `POST /operators` → `"The operator is created."`. */
  async createOperator(body: OperatorBody, o: WriteOptions = {}): Promise<string> {
    return this.write('POST', '/operators', { body }, o);
  }

  /** `POST /config {key: value}`: numbers as numbers, durations and booleans as strings (PD's types). */
  async updateConfig(items: Record<string, number | string>, o: WriteOptions = {}): Promise<string> {
    for (const [k, v] of Object.entries(items)) {
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) {
        throw new BadQueryError('config values are finite numbers or strings', k);
      }
    }
    return this.write('POST', '/config', { body: items }, o);
  }

  /** `POST /schedulers`, e.g. `{name: 'evict-leader-scheduler', store_id: 4}`. */
  async addScheduler(body: SchedulerBody, o: WriteOptions = {}): Promise<string> {
    return this.write('POST', '/schedulers', { body }, o);
  }

  /** `DELETE /schedulers/{name}` (`evict-leader-scheduler-4` removes store 4 from that scheduler only). */
  async removeScheduler(name: string, o: WriteOptions = {}): Promise<string> {
    return this.write('DELETE', `/schedulers/${checkSchedulerName(name)}`, {}, o);
  }

  /** `DELETE /operators/{region_id}` → `"The pending operator is canceled."` (500 ErrOperatorNotFound when none). */
  async cancelOperator(regionId: number, o: WriteOptions = {}): Promise<string> {
    return this.write('DELETE', `/operators/${checkId(regionId, 'region_id')}`, {}, o);
  }

  /**
   * `POST /schedulers/{name} {"delay": seconds}`: pause for `delay` seconds; 0 resumes (PD PauseOrResumeScheduler).
   * Never `DELETE /schedulers/{name}`, which removes the scheduler.
   */
  async pauseScheduler(name: string, delaySeconds: number, o: WriteOptions = {}): Promise<string> {
    if (!Number.isSafeInteger(delaySeconds) || delaySeconds < 0) {
      throw new BadQueryError('delay is a whole number of seconds, 0 or more', 'delay');
    }
    return this.write('POST', `/schedulers/${checkSchedulerName(name)}`, { body: { delay: delaySeconds } }, o);
  }

  /** `DELETE /store/{id}`: drain the store (Up → Offline); `force` = physically destroyed, cannot be undone. */
  async deleteStore(id: number, o: WriteOptions & { force?: boolean } = {}): Promise<string> {
    const path = `/store/${checkId(id, 'store_id')}`;
    return this.storeCall(id, () => this.write('DELETE', path, { query: { force: o.force ? 'true' : undefined } }, o));
  }

  /** `POST /store/{id}/state?state=Up|Offline`: `Up` cancels a drain. */
  async setStoreState(id: number, state: 'Up' | 'Offline', o: WriteOptions = {}): Promise<string> {
    if (state !== 'Up' && state !== 'Offline') {
      throw new BadQueryError('must be Up or Offline', 'state');
    }
    const path = `/store/${checkId(id, 'store_id')}/state`;
    return this.storeCall(id, () => this.write('POST', path, { query: { state } }, o));
  }

  /**
   * This client with every read past the cache and in-flight sharing, on the same connections; writes unchanged.
   * An action's preflight (and the `current` values it records in the audit trail) must see what another backend
   * replica just wrote, which its own short cache would hide.
   */
  fresh(): PDClient {
    const view = Object.create(this) as PDClient;
    view.freshReads = true;
    return view;
  }

  // ── plumbing ──────────────────────────────────────────────────────────────────────────────────────────────────

  private async read<S extends z.ZodType>(
    path: string,
    schema: S,
    query: Record<string, string | number | Array<string | number> | undefined> | undefined,
    o: ReadOptions
  ): Promise<PdAnswer<z.output<S>>> {
    // Exact parsing costs a pass over the text (2 ms and 1 MB of garbage on a 1,000-store `/stores`): only the
    // answers with ids beyond 2^53 pay it.
    const parseJson = EXACT_UINT64_ANSWERS.has(schema) ? parseJsonBig : undefined;
    const a = await this.http.get(path, {
      query,
      schema,
      parseJson,
      signal: o.signal,
      timeoutMs: o.timeoutMs,
      deadlineMs: o.deadlineMs,
      fresh: o.fresh ?? this.freshReads,
    });
    return this.answer(a as Answer<z.output<S>>);
  }

  private async write(
    method: 'POST' | 'DELETE',
    path: string,
    req: { query?: Record<string, string | undefined>; body?: unknown },
    o: WriteOptions
  ): Promise<string> {
    const headers =
      o.callerId === undefined ? undefined : { 'X-Caller-ID': checkCallerId(o.callerId, 'callerId', false) };
    try {
      const a = await this.http.request(method, path, {
        ...req,
        schema: PdMessage,
        headers,
        signal: o.signal,
        timeoutMs: o.timeoutMs,
      });
      return a.data;
    } finally {
      // Even a failed write may have changed PD's state; cached reads must not hide it.
      this.http.invalidate();
    }
  }

  private async storeCall<T>(id: number, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw isStoreNotFound(err) ? new StoreNotFoundError(id) : err;
    }
  }

  private answer<T>(a: Answer<T>): PdAnswer<T> {
    return a.date === undefined
      ? { data: a.data, pdNow: Date.now(), clock: 'local', origin: a.origin }
      : { data: a.data, pdNow: a.date, clock: 'pd', origin: a.origin };
  }
}
