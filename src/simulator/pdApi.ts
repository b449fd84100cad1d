/**
 * PD's HTTP API (`/pd/api/v1`, PD `server/api/router.go`) over the simulated cluster: the reads the PD client uses
 * and the writes later actions use, with PD's validation, status codes and JSON-string error bodies.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { type Cluster, PdError, type RegionCheck } from './cluster';
import { big, goDuration, parseGoDurationMs, pdJson, rfc3339Nano } from './format';
import {
  PD_GIT_HASH,
  PD_VERSION,
  hotStores,
  hotWriteRegions,
  members,
  regionInfo,
  regionsInfo,
  regionStats,
  storeInfo,
} from './pdJson';
import { type PdFaults } from './pdFaults';
import { registerScheduling } from './schedulingApi';
import { NODE_REMOVING, STATE_OFFLINE, STATE_TOMBSTONE, STATE_UP } from './storeState';

type Query = Record<string, string | string[] | undefined>;

export interface PdApiContext {
  cluster: Cluster;
  faults: PdFaults;
  /** The simulator's origin (member client URLs point here). */
  origin: () => string;
  now: () => number;
}

function send(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=UTF-8')
    .send(`${pdJson(value)}\n`);
}

function all(q: Query, name: string): string[] {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function first(q: Query, name: string): string | undefined {
  return all(q, name)[0];
}

/** Go `strconv.ParseUint(s, 10, 64)` error text, which PD returns as the body. */
function parseId(text: string): number {
  if (!/^\d+$/.test(text)) {
    throw new PdError(400, `strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  return Number(text);
}

function parseBody(req: FastifyRequest): Record<string, unknown> {
  const raw = typeof req.body === 'string' ? req.body : '';
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new PdError(400, raw.trim() === '' ? 'EOF' : 'invalid character in JSON body');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new PdError(400, 'json: cannot unmarshal non-object into Go value of type map[string]interface {}');
  }
  return v as Record<string, unknown>;
}

const STORE_CHECK_STATES = ['up', 'offline', 'tombstone', 'down', 'disconnected'];
const REGION_CHECKS: RegionCheck[] = ['miss-peer', 'extra-peer', 'down-peer', 'pending-peer', 'offline-peer'];
/** `/regions/key` limit: default 16, capped at 10240 (PD `server/api/region.go`). */
const SCAN_DEFAULT_LIMIT = 16;
const SCAN_MAX_LIMIT = 10240;
/** Bound on `/regions/check/*` answers (a real PD lists every match; a 1M-region list would be ~700 MB). */
const CHECK_MAX = 10240;

/** Schedule items: the JSON type PD's struct declares for each (for POST /config type checks). */
type ItemKind = 'number' | 'duration' | 'boolstring' | 'string';

function itemKind(value: unknown): ItemKind {
  if (typeof value === 'number') {
    return 'number';
  }
  if (value === 'true' || value === 'false') {
    return 'boolstring';
  }
  if (typeof value === 'string' && parseGoDurationMs(value) !== undefined && /[a-zµ]$/.test(value)) {
    return 'duration';
  }
  return 'string';
}

export function registerPdApi(app: FastifyInstance, ctx: PdApiContext): void {
  const c = ctx.cluster;
  // PD reads JSON bodies itself; any content type is accepted (pd-ctl sends application/json).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  ctx.faults.install(app);
  app.addHook('onSend', async (_req, reply, payload) => {
    // The Date header carries PD's clock (fault: PD clock ahead/behind).
    reply.header('date', new Date(c.pdNow(ctx.now())).toUTCString());
    return payload;
  });
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof PdError) {
      return send(reply, err.status, err.message);
    }
    return send(reply, 500, String((err as Error).message ?? err));
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('404 page not found\n')
  );

  const storeOr404 = (idText: string) => {
    const id = parseId(idText);
    const st = c.store(id);
    if (!st) {
      throw new PdError(404, `[PD:core:ErrStoreNotFound]store ${id} not found`);
    }
    return st;
  };

  // ---- stores --------------------------------------------------------------------------------------------------
  app.get('/stores', async (req, reply) => {
    const q = req.query as Query;
    const states = all(q, 'state').map((s) => {
      if (!/^[+-]?\d+$/.test(s)) {
        throw new PdError(500, `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
      }
      return Number(s);
    });
    const wanted = states.length > 0 ? states : [STATE_UP, STATE_OFFLINE];
    const now = ctx.now();
    const counts = c.counts(now);
    const stores = c.stores
      .filter((st) => wanted.includes(c.legacyState(st, now)))
      .map((st) => storeInfo(c, st, now, counts));
    return send(reply, 200, { count: stores.length, stores });
  });

  app.get('/stores/check', async (req, reply) => {
    const names = all(req.query as Query, 'state').map((s) => s.toLowerCase());
    for (const n of names) {
      if (!STORE_CHECK_STATES.includes(n)) {
        throw new PdError(400, `unknown StoreState: ${n}`);
      }
    }
    const now = ctx.now();
    const counts = c.counts(now);
    const stores = c.stores
      .filter((st) => names.length === 0 || names.includes(c.stateName(st, now).toLowerCase()))
      .map((st) => storeInfo(c, st, now, counts));
    return send(reply, 200, { count: stores.length, stores });
  });

  app.get<{ Params: { id: string } }>('/store/:id', async (req, reply) => {
    const st = storeOr404(req.params.id);
    const now = ctx.now();
    return send(reply, 200, storeInfo(c, st, now, c.counts(now)));
  });

  app.delete<{ Params: { id: string } }>('/store/:id', async (req, reply) => {
    const st = storeOr404(req.params.id);
    c.removeStore(st, ctx.now(), (req.query as Query).force !== undefined);
    return send(reply, 200, 'The store is set as Offline.');
  });

  app.post<{ Params: { id: string } }>('/store/:id/state', async (req, reply) => {
    const st = storeOr404(req.params.id);
    const state = first(req.query as Query, 'state') ?? '';
    const now = ctx.now();
    if (state.toLowerCase() === 'up') {
      c.cancelRemoval(st, now);
    } else if (state.toLowerCase() === 'offline') {
      c.removeStore(st, now, false);
    } else {
      throw new PdError(400, `invalid state ${state}`);
    }
    return send(reply, 200, "The store's state is updated.");
  });

  // PD server/api/store.go SetStoreLabel: a map of string labels, merged into the store's.
  app.post<{ Params: { id: string } }>('/store/:id/label', async (req, reply) => {
    const st = storeOr404(req.params.id);
    const body = parseBody(req);
    for (const [key, value] of Object.entries(body)) {
      if (typeof value !== 'string') {
        throw new PdError(400, `label ${key}: value must be a string`);
      }
    }
    const { zone, host, ...rest } = body as Record<string, string>;
    st.zone = zone ?? st.zone;
    st.host = host ?? st.host;
    st.labels = { ...st.labels, ...rest };
    return send(reply, 200, "The store's label is updated.");
  });

  app.get('/stores/limit', async (req, reply) => {
    const includeTombstone = first(req.query as Query, 'include_tombstone') === 'true';
    const now = ctx.now();
    const out: Record<string, unknown> = {};
    for (const st of c.stores) {
      if (includeTombstone || c.legacyState(st, now) !== STATE_TOMBSTONE) {
        out[String(st.id)] = { ...st.limit };
      }
    }
    return send(reply, 200, out);
  });

  app.post('/stores/limit', async (req, reply) => {
    const body = parseBody(req);
    const rate = body.rate;
    if (typeof rate !== 'number' || !(rate > 0)) {
      throw new PdError(400, 'invalid rate which should be larger than 0');
    }
    const type = body.type;
    if (type !== undefined && type !== 'add-peer' && type !== 'remove-peer') {
      throw new PdError(400, `unknown type: ${String(type)}`);
    }
    for (const st of c.stores) {
      if (type === undefined || type === 'add-peer') {
        st.limit['add-peer'] = rate;
      }
      if (type === undefined || type === 'remove-peer') {
        st.limit['remove-peer'] = rate;
      }
    }
    return send(reply, 200, 'Set store limit successfully.');
  });

  app.get('/stores/progress', async (req, reply) => {
    const q = req.query as Query;
    const now = ctx.now();
    const idText = first(q, 'id');
    const action = first(q, 'action');
    const counts = c.counts(now);
    const progressOf = (ids: number[]) => {
      const stores = ids.map((id) => c.store(id)!);
      const total = stores.reduce(
        (s, st) => s + counts.regionSize[st.index] / Math.max(1e-9, 1 - c.drainFraction(st, now)),
        0
      );
      const progress = stores.reduce((s, st) => s + c.drainFraction(st, now), 0) / Math.max(1, stores.length);
      const speed = total / (c.drainMs / 1000);
      return { progress, current_speed: speed, left_seconds: Math.max(0, ((1 - progress) * c.drainMs) / 1000) };
    };
    if (idText !== undefined) {
      const st = storeOr404(idText);
      if (c.nodeState(st, now) !== NODE_REMOVING) {
        throw new PdError(404, 'no progress found for the given store ID');
      }
      return send(reply, 200, { action: 'removing', store_id: st.id, ...progressOf([st.id]) });
    }
    if (action !== undefined) {
      const removing = c.stores.filter((st) => c.nodeState(st, now) === NODE_REMOVING).map((st) => st.id);
      if (action !== 'removing' || removing.length === 0) {
        throw new PdError(404, 'no progress found for the action');
      }
      return send(reply, 200, { action, ...progressOf(removing) });
    }
    throw new PdError(400, 'need query parameters');
  });

  // ---- regions -------------------------------------------------------------------------------------------------
  app.get('/regions/count', async (_req, reply) => send(reply, 200, { count: c.regionCount(), regions: null }));

  app.get('/stats/region', async (req, reply) => {
    const q = req.query as Query;
    const start = (first(q, 'start_key') ?? '').toUpperCase();
    const end = (first(q, 'end_key') ?? '').toUpperCase();
    const now = ctx.now();
    if (start === '' && end === '') {
      return send(reply, 200, regionStats(c.counts(now), c));
    }
    const views = c.scan(start, end, Number.MAX_SAFE_INTEGER, now);
    return send(reply, 200, regionStats(c.countsOf(views, now), c));
  });

  app.get<{ Params: { kind: string } }>('/regions/check/:kind', async (req, reply) => {
    const kind = req.params.kind as RegionCheck;
    if (!REGION_CHECKS.includes(kind)) {
      return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('404 page not found\n');
    }
    const limitText = first(req.query as Query, 'limit');
    const limit =
      limitText !== undefined && /^\d+$/.test(limitText) ? Math.min(Number(limitText), CHECK_MAX) : CHECK_MAX;
    return send(reply, 200, regionsInfo(c.checkRegions(kind, limit, ctx.now())));
  });

  app.get<{ Params: { id: string } }>('/region/id/:id', async (req, reply) => {
    const id = parseId(req.params.id);
    const v = c.region(id, ctx.now());
    if (!v) {
      throw new PdError(404, `[PD:region:ErrRegionNotFound]region ${id} not found`);
    }
    return send(reply, 200, regionInfo(v));
  });

  app.get('/regions/key', async (req, reply) => {
    const q = req.query as Query;
    const hex = first(q, 'format') === 'hex';
    const toHex = (text: string) => {
      if (!hex) {
        return Buffer.from(text, 'utf8').toString('hex').toUpperCase();
      }
      if (!/^([0-9a-fA-F]{2})*$/.test(text)) {
        throw new PdError(400, 'encoding/hex: invalid byte');
      }
      return text.toUpperCase();
    };
    const key = toHex(first(q, 'key') ?? '');
    const end = toHex(first(q, 'end_key') ?? '');
    const limitText = first(q, 'limit');
    let limit = SCAN_DEFAULT_LIMIT;
    if (limitText !== undefined) {
      if (!/^-?\d+$/.test(limitText)) {
        throw new PdError(400, `strconv.Atoi: parsing ${JSON.stringify(limitText)}: invalid syntax`);
      }
      const n = Number(limitText);
      limit = n <= 0 ? Number.MAX_SAFE_INTEGER : Math.min(n, SCAN_MAX_LIMIT);
    }
    return send(reply, 200, regionsInfo(c.scan(key, end, limit, ctx.now())));
  });

  // ---- hot spots -----------------------------------------------------------------------------------------------
  app.get('/hotspot/regions/write', async (req, reply) => {
    const ids = all(req.query as Query, 'store_id').map(parseId);
    return send(reply, 200, hotWriteRegions(c, ctx.now(), ids.length > 0 ? new Set(ids) : undefined));
  });
  app.get('/hotspot/stores', async (_req, reply) => send(reply, 200, hotStores(c, ctx.now())));

  // ---- cluster, members, health --------------------------------------------------------------------------------
  app.get('/cluster', async (_req, reply) =>
    send(reply, 200, { id: big(c.clusterId), max_peer_count: c.replication['max-replicas'] })
  );
  app.get('/cluster/status', async (_req, reply) =>
    send(reply, 200, {
      raft_bootstrap_time: rfc3339Nano(BigInt(c.bootstrapMs) * BigInt(1_000_000) + BigInt(318_275)),
      is_initialized: true,
      replication_status: '',
    })
  );
  app.get('/members', async (_req, reply) => {
    const ms = members(c, ctx.origin());
    return send(reply, 200, {
      header: { cluster_id: big(c.clusterId) },
      members: ms,
      leader: ms[0],
      etcd_leader: ms[0],
    });
  });
  app.get('/leader', async (_req, reply) => send(reply, 200, members(c, ctx.origin())[0]));
  app.get('/health', async (_req, reply) =>
    send(
      reply,
      200,
      members(c, ctx.origin()).map((m) => ({
        name: m.name,
        member_id: m.member_id,
        client_urls: m.client_urls,
        health: true,
      }))
    )
  );
  app.get('/ping', async (_req, reply) => reply.code(200).send(''));
  app.get('/version', async (_req, reply) =>
    send(reply, 200, { version: PD_VERSION, build_time: '', hash: '', branch: '' })
  );
  app.get('/status', async (_req, reply) =>
    send(reply, 200, {
      build_ts: '2025-04-22 10:12:03',
      version: PD_VERSION,
      git_hash: PD_GIT_HASH,
      start_timestamp: Math.floor(c.startedAt / 1000),
    })
  );

  // ---- config --------------------------------------------------------------------------------------------------
  const scheduleJson = () => {
    const now = ctx.now();
    const storeLimit: Record<string, unknown> = {};
    for (const st of c.stores) {
      if (c.legacyState(st, now) !== STATE_TOMBSTONE) {
        storeLimit[String(st.id)] = { ...st.limit };
      }
    }
    return { ...c.schedule, 'store-limit': storeLimit };
  };
  app.get('/config/schedule', async (_req, reply) => send(reply, 200, scheduleJson()));
  app.get('/config/replicate', async (_req, reply) => send(reply, 200, c.replication));
  app.get('/config', async (_req, reply) =>
    send(reply, 200, {
      'client-urls': ctx.origin(),
      'peer-urls': 'http://127.0.0.1:2380',
      'advertise-client-urls': ctx.origin(),
      'advertise-peer-urls': 'http://127.0.0.1:2380',
      name: 'pd-1',
      'data-dir': '/tidb-data/pd-2379',
      'force-new-cluster': false,
      'enable-grpc-gateway': true,
      'initial-cluster': 'pd-1=http://127.0.0.1:2380,pd-2=http://127.0.0.1:2381,pd-3=http://127.0.0.1:2382',
      'initial-cluster-state': 'new',
      'initial-cluster-token': 'pd-cluster',
      join: '',
      lease: 5,
      log: {
        level: 'info',
        format: 'text',
        'disable-timestamp': false,
        file: { filename: '/tidb-deploy/pd-2379/log/pd.log' },
      },
      'tso-save-interval': '3s',
      'tso-update-physical-interval': '50ms',
      'enable-local-tso': false,
      metric: { job: 'pd-1', address: '', interval: '15s' },
      schedule: scheduleJson(),
      replication: c.replication,
      'pd-server': c.pdServer,
      'cluster-version': '8.5.1',
      labels: {},
      'quota-backend-bytes': '8GiB',
      'auto-compaction-mode': 'periodic',
      'auto-compaction-retention-v2': '1h',
      TickInterval: '500ms',
      ElectionInterval: '3s',
      PreVote: true,
      'max-request-bytes': 157286400,
      security: {
        'cacert-path': '',
        'cert-path': '',
        'key-path': '',
        'cert-allowed-cn': null,
        'redact-info-log': false,
      },
      'label-property': {},
      WarningMsgs: null,
      DisableStrictReconfigCheck: false,
      HeartbeatStreamBindInterval: '1m0s',
      LeaderPriorityCheckInterval: '1m0s',
      'replication-mode': { 'replication-mode': 'majority' },
    })
  );
  app.post('/config', async (req, reply) => {
    const body = parseBody(req);
    const nextSchedule = { ...c.schedule };
    const nextReplication = { ...c.replication };
    const nextPdServer = { ...c.pdServer };
    for (const [key, value] of Object.entries(body)) {
      const dot = key.indexOf('.');
      const section = dot >= 0 ? key.slice(0, dot) : undefined;
      const item = dot >= 0 ? key.slice(dot + 1) : key;
      // Short keys resolve to the section owning that JSON tag (PD server/api/config.go updateConfig).
      const target =
        section === 'schedule' || (section === undefined && item in nextSchedule && item !== 'store-limit')
          ? nextSchedule
          : section === 'replication' || (section === undefined && item in nextReplication)
            ? nextReplication
            : section === 'pd-server' || (section === undefined && item in nextPdServer)
              ? nextPdServer
              : undefined;
      if (!target || !(item in target) || item === 'store-limit' || item === 'schedulers-v2') {
        throw new PdError(400, `config item ${key} not found`);
      }
      const kind = itemKind(target[item]);
      const goType = { number: 'float64', duration: 'typeutil.Duration', boolstring: 'bool', string: 'string' }[kind];
      const ok =
        kind === 'number'
          ? typeof value === 'number' && Number.isFinite(value)
          : kind === 'duration'
            ? typeof value === 'string' && parseGoDurationMs(value) !== undefined
            : kind === 'boolstring'
              ? value === 'true' || value === 'false'
              : typeof value === 'string';
      if (!ok) {
        throw new PdError(
          400,
          `json: cannot unmarshal ${JSON.stringify(value)} into Go struct field .${item} of type ${goType}`
        );
      }
      if (
        kind === 'number' &&
        Number.isInteger(target[item] as number) &&
        !/ratio|threshold/.test(item) &&
        (value as number) < 0
      ) {
        throw new PdError(
          400,
          `json: cannot unmarshal number ${String(value)} into Go struct field .${item} of type uint64`
        );
      }
      target[item] = kind === 'duration' ? normalizeDuration(value as string) : value;
    }
    // PD ScheduleConfig.Validate.
    const low = Number(nextSchedule['low-space-ratio']);
    const high = Number(nextSchedule['high-space-ratio']);
    if (low < 0 || low > 1) {
      throw new PdError(400, 'low-space-ratio should between 0 and 1');
    }
    if (high < 0 || high > 1) {
      throw new PdError(400, 'high-space-ratio should between 0 and 1');
    }
    if (low <= high) {
      throw new PdError(400, 'low-space-ratio should be larger than high-space-ratio');
    }
    if (!['count', 'size'].includes(String(nextSchedule['leader-schedule-policy']))) {
      throw new PdError(400, `leader-schedule-policy ${String(nextSchedule['leader-schedule-policy'])} is invalid`);
    }
    if (Number(nextSchedule['tolerant-size-ratio']) < 0) {
      throw new PdError(400, 'tolerant-size-ratio should be non-negative');
    }
    if (!(Number(nextReplication['max-replicas']) >= 1)) {
      throw new PdError(400, 'max-replicas should be larger than 0');
    }
    Object.assign(c.schedule, nextSchedule);
    Object.assign(c.replication, nextReplication);
    Object.assign(c.pdServer, nextPdServer);
    return send(reply, 200, 'The config is updated.');
  });

  // ---- operators -----------------------------------------------------------------------------------------------
  registerScheduling(app, {
    book: c.operatorBook,
    pauses: c.pauses,
    schedulers: () => c.schedulers,
    now: ctx.now,
    send,
    parseId,
    parseBody,
  });
  app.post('/operators', async (req, reply) => {
    const body = parseBody(req);
    const name = body.name;
    if (typeof name !== 'string') {
      throw new PdError(400, 'missing operator name');
    }
    const regionId = body.region_id;
    const now = ctx.now();
    if (name === 'transfer-leader') {
      if (typeof regionId !== 'number') {
        throw new PdError(400, 'missing region id');
      }
      if (typeof body.to_store_id !== 'number') {
        throw new PdError(400, 'missing store id to transfer leader to');
      }
      c.transferLeader(regionId, body.to_store_id, now);
    } else if (name === 'split-region') {
      if (typeof regionId !== 'number') {
        throw new PdError(400, 'missing region id');
      }
      if (typeof body.policy !== 'string') {
        throw new PdError(400, 'missing split policy');
      }
      const policy = body.policy.toLowerCase();
      if (!['scan', 'approximate', 'usekey'].includes(policy)) {
        throw new PdError(500, `check split policy ${body.policy}: invalid split policy`);
      }
      const keys = body.keys === undefined ? [] : body.keys;
      if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(k))) {
        throw new PdError(400, 'invalid keys: expected hex strings');
      }
      if (!c.region(regionId, now)) {
        throw new PdError(500, `[PD:region:ErrRegionNotFound]region ${regionId} not found`);
      }
      c.splitRegion(regionId, policy, keys as string[], now);
    } else {
      throw new PdError(400, 'unknown operator');
    }
    return send(reply, 200, 'The operator is created.');
  });

  // ---- schedulers ----------------------------------------------------------------------------------------------
  app.post('/schedulers', async (req, reply) => {
    const body = parseBody(req);
    const name = body.name;
    if (typeof name !== 'string') {
      throw new PdError(400, 'missing scheduler name');
    }
    if (name === 'evict-leader-scheduler') {
      if (typeof body.store_id !== 'number') {
        throw new PdError(400, 'missing store id');
      }
      const st = c.store(body.store_id);
      if (!st) {
        throw new PdError(500, `[PD:core:ErrStoreNotFound]store ${body.store_id} not found`);
      }
      c.addEvictLeader(st, ctx.now());
    } else if (
      [
        'balance-leader-scheduler',
        'balance-region-scheduler',
        'balance-hot-region-scheduler',
        'evict-slow-store-scheduler',
        'shuffle-leader-scheduler',
      ].includes(name)
    ) {
      if (c.schedulers.has(name)) {
        throw new PdError(500, `[PD:scheduler:ErrSchedulerExisted]scheduler existed`);
      }
      c.schedulers.add(name);
    } else {
      throw new PdError(
        500,
        `[PD:scheduler:ErrSchedulerCreateFuncNotRegistered]create func of ${name} is not registered`
      );
    }
    return send(reply, 200, 'The scheduler is created.');
  });
  // PD serves each scheduler's own config; evict-leader's lists the stores it evicts from (whole key range each).
  app.get('/scheduler-config/evict-leader-scheduler/list', async (_req, reply) => {
    if (!c.schedulers.has('evict-leader-scheduler')) {
      throw new PdError(404, '[PD:scheduler:ErrSchedulerNotFound]scheduler not found');
    }
    const ranges = Object.fromEntries([...c.evicting.keys()].map((id) => [String(id), [{ 'start-key': '', 'end-key': '' }]]));
    return send(reply, 200, { 'store-id-ranges': ranges, batch: 3 });
  });
  app.delete<{ Params: { name: string } }>('/schedulers/:name', async (req, reply) => {
    c.removeScheduler(req.params.name);
    return send(reply, 200, 'The scheduler is removed.');
  });
}

/** Go `time.Duration.String()` of a duration PD parsed (`"5s"` stays `"5s"`, `"1h"` becomes `"1h0m0s"`). */
function normalizeDuration(text: string): string {
  const ms = parseGoDurationMs(text) ?? 0;
  return goDuration(BigInt(Math.round(ms * 1e6)));
}
