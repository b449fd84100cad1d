/**
 * Zod schemas for PD's HTTP API answers (`/pd/api/v1`), with PD's field names (pd-tikv.md §1). Parsing normalizes
 * PD's quirks once, here, so no caller meets them:
 * - protobuf structs (`metapb.Store`, `metapb.Peer`, `pdpb.Member`, …) omit every zero field (`omitempty`): absent
 *   numbers become 0, booleans false, lists [] and strings '' — so `state` 0 (Up) and `node_state` 0 (Preparing)
 *   are present after parsing;
 * - proto enums are integers (`state`, `node_state`, peer `role`);
 * - ByteSize strings (`"1.819TiB"`) become bytes and Go durations (`"174h15m49.8s"`) seconds;
 * - uint64 ids beyond 2^53 (`cluster_id`, `member_id`) must come from `parseJsonBig` and become exact decimal
 *   strings; a JS number that already lost precision is refused rather than passed on silently. A store's
 *   `last_heartbeat` (ns, ~1.7e18) is read as a JS number: within 256 ns, far below any heartbeat interval.
 */
import { z } from 'zod';

import { compiledSchema } from '../http/compiledSchema';
import { BYTE_SIZE, checkedByteSize, GO_DURATION, parseGoDuration, RFC3339 } from './parse';

// ── building blocks ─────────────────────────────────────────────────────────────────────────────────────────────

/** A Go `omitempty` number: absent means 0. */
const num0 = z.number().default(0);
/** A Go `omitempty` bool: absent means false. */
const bool0 = z.boolean().default(false);
/** A Go `omitempty` string: absent means ''. */
const str0 = z.string().default('');
/** A Go slice: absent (`omitempty`) or `null` (nil slice) means []. */
function list<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((v) => v ?? []);
}
const DECIMAL_ID = /^\d+$/;
/** A Go map: absent or `null` (nil map) means {}. Keys are decimal ids (Go writes `map[uint64]…` keys as strings). */
function idMap<T extends z.ZodType>(value: T) {
  return z
    .record(z.string().regex(DECIMAL_ID, 'map key is not a decimal id'), value)
    .nullish()
    .transform((v) => v ?? {});
}

/** Store, region and peer ids: uint64 in PD, small in practice; one beyond 2^53 (rounded, or a string) fails loudly. */
const Id = z.number().int().nonnegative();

/**
 * False (with an issue) for a JS number that is not an integer, or that JSON.parse already rounded: values beyond
 * 2^53 must arrive as the exact strings `parseJsonBig` makes.
 */
function exactInteger(v: bigint | number | string, what: string, ctx: z.RefinementCtx): boolean {
  if (typeof v !== 'number') {
    return true;
  }
  if (!Number.isInteger(v)) {
    ctx.addIssue({ code: 'custom', message: `not an integer: ${v}` });
    return false;
  }
  if (!Number.isSafeInteger(v)) {
    ctx.addIssue({
      code: 'custom',
      message: `${what} beyond 2^53 arrived as a JS number (precision lost); parse with parseJsonBig`,
    });
    return false;
  }
  return true;
}

/** A uint64 that can exceed 2^53 → its exact decimal string. Needs `parseJsonBig` (exact strings) for large values. */
export const Uint64String = z
  .union([z.bigint().nonnegative(), z.number().nonnegative(), z.string().regex(DECIMAL_ID)])
  .transform((v, ctx) => (exactInteger(v, 'uint64', ctx) ? String(v) : z.NEVER));

/** A format check whose message quotes the value (`not a PD byte size (e.g. "1.819TiB"): "300 GB"`). */
function formatted(re: RegExp, what: string) {
  return z.string().regex(re, { error: (iss) => `${what}: ${JSON.stringify(String(iss.input).slice(0, 40))}` });
}
/** go-units ByteSize text (`"1.819TiB"`, `"300GiB"`, `"0B"`); `checkedByteSize` turns it into bytes (~0.05% off). */
const ByteSizeText = formatted(BYTE_SIZE, 'not a PD byte size (e.g. "1.819TiB")');
/** Go `time.Duration.String()` text (`"30m0s"`, `"174h15m49.812345678s"`). */
const GoDurationText = formatted(GO_DURATION, 'not a Go duration (e.g. "30m0s")');
/** Go `time.Time` JSON: RFC3339 with up to 9 fractional digits and the PD host's zone offset; kept as the string. */
const Rfc3339Text = formatted(RFC3339, 'not an RFC3339 time');

/** Go duration → seconds. */
const GoDuration = GoDurationText.transform(parseGoDuration);

/** PD's `json:",string"` booleans (`"true"`/`"false"`) in config sections → boolean. */
const GoBoolString = z.enum(['true', 'false']).transform((s) => s === 'true');

// ── stores (pkg/response/store.go, metapb.Store) ────────────────────────────────────────────────────────────────

/** metapb.StoreState (legacy): the integer PD writes; absent = 0 = Up. */
export const STORE_STATE = { Up: 0, Offline: 1, Tombstone: 2 } as const;
export type StoreStateWord = keyof typeof STORE_STATE;
/** metapb.NodeState, the store's lifecycle: absent = 0 = Preparing. */
export const NODE_STATE = { Preparing: 0, Serving: 1, Removing: 2, Removed: 3 } as const;
export type NodeStateWord = keyof typeof NODE_STATE;
/** `state_name`: the legacy name, overridden by Disconnected/Down only while `state` is Up (see storeState.ts). */
export const STATE_NAMES = ['Up', 'Disconnected', 'Down', 'Offline', 'Tombstone'] as const;
export type StateName = (typeof STATE_NAMES)[number];

// PD's `/stores` is the largest answer read on every dashboard refresh (1 MB at 1,000 stores). Its schemas are
// pure checks (no per-field default or transform) that `compiledSchema` compiles to ajv, plus one normalization
// step per store: zod with per-field transforms took ~13 ms on it and made most of a get_stores query's garbage;
// this takes ~1 ms (npm run bench, scenario a).

const num = z.number().optional();
const bool = z.boolean().optional();
const text = z.string().optional();

/** The `store` object as PD writes it: metapb.Store (every field omitempty) plus `state_name`. */
const StoreWire = z.object({
  id: Id,
  /** gRPC address `host:20160`. */
  address: z.string(),
  /** Integer enum, absent when 0 (Up). 1 Offline, 2 Tombstone. */
  state: z.literal([0, 1, 2]).optional(),
  /** Absent when none; TiFlash stores carry `engine=tiflash`. */
  labels: z.array(z.object({ key: text, value: text })).nullish(),
  /** TiKV version without a leading `v` (`"8.5.1"`). */
  version: text,
  peer_address: text,
  /** HTTP/metrics address `host:20180`: the Prometheus `instance` under TiUP. */
  status_address: text,
  git_hash: text,
  /** Unix seconds of the TiKV process start. */
  start_timestamp: num,
  deploy_path: text,
  /**
   * Unix nanoseconds (~1.7e18, beyond 2^53), kept as a JS number: within 256 ns of PD's value, which no heartbeat
   * age can tell apart (TiKV heartbeats every 10 s). The exact digits of `parseJsonBig` are taken too. Absent =
   * never heartbeated.
   */
  last_heartbeat: z.union([z.number().nonnegative(), z.string().regex(DECIMAL_ID)]).optional(),
  /** Only present when true. */
  physically_destroyed: bool,
  /** Integer enum, absent when 0 (Preparing). 1 Serving, 2 Removing, 3 Removed. */
  node_state: z.literal([0, 1, 2, 3]).optional(),
  state_name: z.enum(STATE_NAMES),
});

/**
 * `status` as PD writes it: pkg/response/store.go StoreStatus. PD always writes the sizes and counts, except for a
 * store it holds no statistics for yet (after a PD restart, or a store that never heartbeated): then `status` is
 * `{}`, the weights only, or `{"region_count": 1}` (answers of PD v4.0–v8.5). Such a store is kept, its unknown
 * fields undefined and named in `missing` (STATUS_FIELDS), rather than failing the whole answer.
 */
const StoreStatusWire = z.object({
  /** ByteSize text. `min(fs size, raftstore.capacity)`. */
  capacity: ByteSizeText.optional(),
  /** ByteSize text. `min(capacity − used_size, fs free)`. */
  available: ByteSizeText.optional(),
  /** ByteSize text. TiKV's own data only (kv + raft + snapshots). */
  used_size: ByteSizeText.optional(),
  leader_count: z.number().int().optional(),
  /** Absent = 1. */
  leader_weight: num,
  leader_score: num,
  /** MiB. */
  leader_size: num,
  region_count: z.number().int().optional(),
  /** Absent = 1. */
  region_weight: num,
  region_score: num,
  /** MiB. */
  region_size: num,
  learner_count: num,
  witness_count: num,
  pending_peer_count: num,
  /** omitempty; 1 = healthy, ≥ 80 = PD treats the store as slow. */
  slow_score: num,
  slow_trend: z.object({ cause_value: num, cause_rate: num, result_value: num, result_rate: num }).optional(),
  sending_snap_count: num,
  receiving_snap_count: num,
  is_busy: bool,
  /** RFC3339, absent before the first heartbeat. */
  start_ts: Rfc3339Text.optional(),
  /** RFC3339 with ns and PD's zone, absent before the first heartbeat. */
  last_heartbeat_ts: Rfc3339Text.optional(),
  /** Go duration (`last_heartbeat − start`); absent = 0. */
  uptime: GoDurationText.optional(),
  /** Newer PD (after v8.5): `{storeId: score}`. */
  network_slow_score: z.record(z.string().regex(DECIMAL_ID, 'map key is not a decimal id'), z.number()).nullish(),
  pause_leader_transfer_in: bool,
  pause_leader_transfer_out: bool,
});

/** What PD sends for one store (the simulator writes this shape). A missing `status` reads as `{}`. */
const StoreInfoWire = z.object({ store: StoreWire, status: StoreStatusWire.optional() });

/** The status fields a store with statistics always has; absent ones are listed in `StoreStatus.missing`. */
export const STATUS_FIELDS = ['capacity', 'available', 'used_size', 'leader_count', 'region_count'] as const;
export type StatusField = (typeof STATUS_FIELDS)[number];
const COMPLETE: readonly StatusField[] = Object.freeze([]);

const NS_PER_MS = 1_000_000;
/** One shared, frozen `{}` for the stores without network slow scores (most of them, and all before PD v8.5). */
const NO_SCORES: Readonly<Record<string, number>> = Object.freeze({});

/** A store as PD writes it, checked (`StoresChecked`) but not normalized. */
export type StoreWire = z.input<typeof StoreWire>;
/** A store's status as PD writes it, checked but not normalized (`{}` when PD sent none). */
export type StoreStatusWire = z.input<typeof StoreStatusWire>;
export type StoreInfoWire = z.input<typeof StoreInfoWire>;
export type Label = { key: string; value: string };

const NO_LABELS: readonly Label[] = Object.freeze([]);

/**
 * A store's labels with PD's omitted key or value as '' (protobuf omitempty). The wire array itself when nothing is
 * omitted (every label PD writes has both), so reading it allocates nothing.
 */
export function labelPairs(labels: StoreWire['labels']): readonly Label[] {
  if (!labels) {
    return NO_LABELS;
  }
  for (const l of labels) {
    if (l.key === undefined || l.value === undefined) {
      return labels.map((x) => ({ key: x.key ?? '', value: x.value ?? '' }));
    }
  }
  return labels as Label[];
}

/** `last_heartbeat` (Unix ns) in epoch ms; undefined before the first heartbeat (PD's `last_heartbeat_ts` is this). */
export function heartbeatMs(s: StoreWire): number | undefined {
  const ns = Number(s.last_heartbeat ?? 0);
  return ns > 0 ? Math.floor(ns / NS_PER_MS) : undefined;
}

/** `start_timestamp` (Unix s) in epoch ms; undefined when unknown (PD's `start_ts` is this same time). */
export function startMs(s: StoreWire): number | undefined {
  return s.start_timestamp ? s.start_timestamp * 1000 : undefined;
}

/** The STATUS_FIELDS PD left out of a store's status (empty, and shared, for a store with statistics). */
export function missingStatus(s: StoreStatusWire): readonly StatusField[] {
  let missing = COMPLETE;
  for (const f of STATUS_FIELDS) {
    if (s[f] === undefined) {
      missing = missing === COMPLETE ? [f] : [...missing, f];
    }
  }
  return missing;
}

/** PD's store with omitted zero fields filled in (`state` 0 = Up, `node_state` 0 = Preparing, …). */
function normalizeStore(s: StoreWire) {
  const heartbeatNs = Number(s.last_heartbeat ?? 0);
  return {
    id: s.id,
    address: s.address,
    state: s.state ?? 0,
    labels: labelPairs(s.labels),
    version: s.version ?? '',
    peer_address: s.peer_address ?? '',
    status_address: s.status_address ?? '',
    git_hash: s.git_hash ?? '',
    start_timestamp: s.start_timestamp ?? 0,
    deploy_path: s.deploy_path ?? '',
    /** Unix ns; 0 before the first heartbeat. */
    last_heartbeat: heartbeatNs,
    physically_destroyed: s.physically_destroyed ?? false,
    node_state: s.node_state ?? 0,
    state_name: s.state_name,
    /** `last_heartbeat` in epoch ms (PD's `last_heartbeat_ts` is this same time); undefined before the first one. */
    last_heartbeat_ms: heartbeatMs(s),
    /** `start_timestamp` in epoch ms (PD's `start_ts` is this same time); undefined when unknown. */
    start_ms: startMs(s),
  };
}
export type Store = ReturnType<typeof normalizeStore>;

/** PD's store status with sizes in bytes and the uptime in seconds (its times in ms are on the store). */
function normalizeStoreStatus(s: StoreStatusWire) {
  return {
    /** Undefined while PD has no statistics for the store (listed in `missing`), like the other STATUS_FIELDS. */
    capacity: s.capacity === undefined ? undefined : checkedByteSize(s.capacity),
    available: s.available === undefined ? undefined : checkedByteSize(s.available),
    used_size: s.used_size === undefined ? undefined : checkedByteSize(s.used_size),
    leader_count: s.leader_count,
    leader_weight: s.leader_weight ?? 1,
    leader_score: s.leader_score ?? 0,
    leader_size: s.leader_size ?? 0,
    region_count: s.region_count,
    region_weight: s.region_weight ?? 1,
    region_score: s.region_score ?? 0,
    region_size: s.region_size ?? 0,
    learner_count: s.learner_count ?? 0,
    witness_count: s.witness_count ?? 0,
    pending_peer_count: s.pending_peer_count ?? 0,
    slow_score: s.slow_score ?? 0,
    slow_trend: s.slow_trend && {
      cause_value: s.slow_trend.cause_value ?? 0,
      cause_rate: s.slow_trend.cause_rate ?? 0,
      result_value: s.slow_trend.result_value ?? 0,
      result_rate: s.slow_trend.result_rate ?? 0,
    },
    sending_snap_count: s.sending_snap_count ?? 0,
    receiving_snap_count: s.receiving_snap_count ?? 0,
    is_busy: s.is_busy ?? false,
    start_ts: s.start_ts,
    last_heartbeat_ts: s.last_heartbeat_ts,
    /** Seconds. */
    uptime: s.uptime === undefined ? 0 : parseGoDuration(s.uptime),
    network_slow_score: s.network_slow_score ?? NO_SCORES,
    pause_leader_transfer_in: s.pause_leader_transfer_in ?? false,
    pause_leader_transfer_out: s.pause_leader_transfer_out ?? false,
    /** STATUS_FIELDS PD left out of this store's status (empty for a store with statistics). */
    missing: missingStatus(s),
  };
}
export type StoreStatus = ReturnType<typeof normalizeStoreStatus>;

function normalizeStoreInfo(s: StoreInfoWire) {
  return { store: normalizeStore(s.store), status: normalizeStoreStatus(s.status ?? {}) };
}

/** `/store/{id}`: one store, normalized. */
export const StoreInfo = compiledSchema(StoreInfoWire, normalizeStoreInfo);
export type StoreInfo = z.output<typeof StoreInfo>;

/**
 * `/stores`, `/stores/check`: `count` is the length of the (filtered) list; `stores` is null when empty but always
 * written (no omitempty), so an answer without it is not PD's.
 */
const StoresInfoWire = z.object({ count: z.number().int(), stores: z.array(StoreInfoWire).nullable() });
export const StoresInfo = compiledSchema(StoresInfoWire, (v) => ({
  count: v.count,
  stores: (v.stores ?? []).map(normalizeStoreInfo),
}));
export type StoresInfo = z.output<typeof StoresInfo>;

/**
 * `/stores` checked but not normalized: the wire objects as PD wrote them. For the one reader that needs every
 * store once, in one pass (the get_stores table, observations/storeTable.ts): a normalized copy is 1 KB per store,
 * most of a 1,000-store query's garbage (npm run bench, scenario a). Its readers use the helpers above.
 */
export const StoresChecked = compiledSchema(StoresInfoWire, (v) => v);
export type StoresChecked = z.output<typeof StoresChecked>;

/** The normalized stores of each checked answer, so readers of one cached answer share one copy and one check. */
const normalizedStores = new WeakMap<StoresChecked, StoresInfo>();

/** `StoresInfo` of a `StoresChecked` answer (the same value `StoresInfo` parses to), made once per answer. */
export function normalizeStores(checked: StoresChecked): StoresInfo {
  let out = normalizedStores.get(checked);
  if (!out) {
    out = { count: checked.count, stores: (checked.stores ?? []).map(normalizeStoreInfo) };
    normalizedStores.set(checked, out);
  }
  return out;
}

/** `/stores/limit`: `{"<storeId>": {"add-peer": 15, "remove-peer": 15}}` (per minute). */
export const StoresLimit = idMap(z.object({ 'add-peer': num0, 'remove-peer': num0 }));
export type StoresLimit = z.infer<typeof StoresLimit>;

/** `/stores/progress?id=N`: draining (removing) or preparing progress. */
export const StoreProgress = z.object({
  action: z.string(),
  store_id: num0,
  /** 0..1. */
  progress: z.number(),
  /** MiB/s. */
  current_speed: z.number(),
  /** PD writes math.MaxFloat64 when the speed is 0. */
  left_seconds: z.number(),
});
export type StoreProgress = z.infer<typeof StoreProgress>;

// ── regions (pkg/response/region.go) ────────────────────────────────────────────────────────────────────────────

export const PEER_ROLE_NAMES = ['Voter', 'Learner', 'IncomingVoter', 'DemotingVoter'] as const;

/** metapb.Peer + `role_name`. `role` is an integer enum absent for Voter (0). */
export const MetaPeer = z.object({
  id: num0,
  store_id: num0,
  /** 0 Voter (absent), 1 Learner, 2 IncomingVoter, 3 DemotingVoter. */
  role: num0,
  /** `""` in `leader` when PD knows no leader. */
  role_name: z.union([z.enum(PEER_ROLE_NAMES), z.literal('')]).default(''),
  is_learner: bool0,
  is_witness: bool0,
});
export type MetaPeer = z.infer<typeof MetaPeer>;

export const RegionInfo = z.object({
  id: Id,
  /** Upper-case hex of the raw key; `""` = unbounded. */
  start_key: z.string(),
  end_key: z.string(),
  /** Each counter omitempty. */
  epoch: z.object({ conf_ver: num0, version: num0 }).default({ conf_ver: 0, version: 0 }),
  peers: list(MetaPeer),
  /** Always present in PD's answer; `{"role_name": ""}` (id 0) when the region has no known leader. */
  leader: MetaPeer.default({ id: 0, store_id: 0, role: 0, role_name: '', is_learner: false, is_witness: false }),
  down_peers: list(z.object({ peer: MetaPeer, down_seconds: num0 })),
  pending_peers: list(MetaPeer),
  cpu_usage: num0,
  /** Totals over the last region heartbeat interval (TiKV default 60 s), not rates. */
  written_bytes: num0,
  read_bytes: num0,
  written_keys: num0,
  read_keys: num0,
  /** MiB. */
  approximate_size: num0,
  approximate_keys: num0,
  /** MiB (PD ≥ v8). */
  approximate_kv_size: num0,
});
export type RegionInfo = z.infer<typeof RegionInfo>;
export type RegionInfoWire = z.input<typeof RegionInfo>;

/** `/regions/key`, `/regions/check/*`, `/regions/count`: `count` is the page length; `regions` null in /count. */
export const RegionsInfo = z.object({ count: z.number().int(), regions: list(RegionInfo) });
export type RegionsInfo = z.infer<typeof RegionsInfo>;

/** `/stats/region`: sizes in MiB; per-store maps keyed by store id. */
export const RegionStats = z.object({
  count: z.number().int(),
  empty_count: num0,
  storage_size: num0,
  user_storage_size: num0,
  storage_keys: num0,
  store_leader_count: idMap(z.number()),
  store_peer_count: idMap(z.number()),
  store_leader_size: idMap(z.number()),
  store_leader_keys: idMap(z.number()),
  store_peer_size: idMap(z.number()),
  store_peer_keys: idMap(z.number()),
});
export type RegionStats = z.infer<typeof RegionStats>;

// ── hot spots (pkg/statistics/store_hot_peers_infos.go, hot_regions_stat.go) ─────────────────────────────────────

/** HotPeerStatShow: one hot peer; a region appears once per peer store. Flows are per second. */
export const HotPeerStat = z.object({
  store_id: Id,
  /** All stores holding a peer of the region (newer PD). */
  stores: list(Id),
  is_leader: bool0,
  is_learner: bool0,
  region_id: Id,
  hot_degree: num0,
  flow_bytes: num0,
  flow_keys: num0,
  flow_query: num0,
  anti_count: num0,
  /** RFC3339. */
  last_update_time: z.string().optional(),
});
export type HotPeerStat = z.infer<typeof HotPeerStat>;

export const HotPeersStat = z.object({
  /** Whole-store rates, per second. */
  store_bytes: num0,
  store_keys: num0,
  store_query: num0,
  /** Sums over the hot peers, per second. */
  total_flow_bytes: num0,
  total_flow_keys: num0,
  total_flow_query: num0,
  regions_count: num0,
  statistics: list(HotPeerStat),
});
export type HotPeersStat = z.infer<typeof HotPeersStat>;

/** `/hotspot/regions/write|read`: maps keyed by store id; stores silent for > 10 min are dropped by PD. */
export const StoreHotPeersInfos = z.object({ as_peer: idMap(HotPeersStat), as_leader: idMap(HotPeersStat) });
export type StoreHotPeersInfos = z.infer<typeof StoreHotPeersInfos>;

/** `/hotspot/stores`: per-store rates per second, each map omitempty. */
export const HotStores = z.object({
  'bytes-write-rate': idMap(z.number()),
  'bytes-read-rate': idMap(z.number()),
  'keys-write-rate': idMap(z.number()),
  'keys-read-rate': idMap(z.number()),
  'query-write-rate': idMap(z.number()),
  'query-read-rate': idMap(z.number()),
});
export type HotStores = z.infer<typeof HotStores>;

// ── configuration (pkg/schedule/config/config.go) ───────────────────────────────────────────────────────────────

/** `/config/schedule`: the keys the operator uses are typed; the rest pass through as PD wrote them. */
export const ScheduleConfig = z
  .object({
    /** Go duration string (`"30m0s"`) → seconds: the Down threshold. */
    'max-store-down-time': GoDuration,
    'leader-schedule-limit': z.number(),
    'region-schedule-limit': z.number(),
    'replica-schedule-limit': z.number(),
    'merge-schedule-limit': num0,
    'hot-region-schedule-limit': num0,
    'max-snapshot-count': num0,
    'max-pending-peer-count': num0,
    /** Store is low-space when its used ratio exceeds this (default 0.8). */
    'low-space-ratio': z.number(),
    /** Default 0.7; must stay < low-space-ratio. */
    'high-space-ratio': z.number(),
    'leader-schedule-policy': str0,
    'store-limit-version': str0,
    'store-limit': idMap(z.object({ 'add-peer': num0, 'remove-peer': num0 })),
    /** `json:",string,omitempty"`: `"true"` or absent. */
    'halt-scheduling': GoBoolString.default(false),
  })
  .loose();
export type ScheduleConfig = z.infer<typeof ScheduleConfig>;

/** `/config/replicate`. */
export const ReplicationConfig = z
  .object({
    'max-replicas': z.number().int(),
    /** typeutil.StringSlice: one comma-joined string (`"zone,host"`) → list. */
    'location-labels': z
      .string()
      .default('')
      .transform((s) => (s === '' ? [] : s.split(','))),
    /** Booleans written as strings (`json:",string"`). */
    'strictly-match-label': GoBoolString.default(false),
    'enable-placement-rules': GoBoolString.default(false),
    'enable-placement-rules-cache': GoBoolString.default(false),
    'isolation-level': str0,
  })
  .loose();
export type ReplicationConfig = z.infer<typeof ReplicationConfig>;

// ── cluster, members, health, version ───────────────────────────────────────────────────────────────────────────

/** `/cluster`: metapb.Cluster. */
export const Cluster = z.object({ id: Uint64String, max_peer_count: num0 });
export type Cluster = z.infer<typeof Cluster>;

/** `/cluster/status`. */
export const ClusterStatus = z.object({
  /** RFC3339; omitted before bootstrap. */
  raft_bootstrap_time: Rfc3339Text.optional(),
  is_initialized: bool0,
  /** Proto text of the replication mode; `""` in the default majority mode. */
  replication_status: str0,
});
export type ClusterStatus = z.infer<typeof ClusterStatus>;

/** pdpb.Member (every field omitempty); `member_id` is a uint64 beyond 2^53 → exact decimal string. */
export const Member = z.object({
  name: str0,
  member_id: Uint64String,
  peer_urls: list(z.string()),
  client_urls: list(z.string()),
  leader_priority: num0,
  deploy_path: str0,
  /** With a leading `v` (`"v8.5.1"`), unlike TiKV's store version. */
  binary_version: str0,
  git_hash: str0,
  dc_location: str0,
});
export type Member = z.infer<typeof Member>;

/** `/members`: `leader` is absent while the cluster has none. */
export const Members = z.object({
  header: z.object({ cluster_id: Uint64String }),
  members: list(Member),
  leader: Member.optional(),
  etcd_leader: Member.optional(),
});
export type Members = z.infer<typeof Members>;

/** `/health`: one entry per member. */
export const HealthMember = z.object({
  name: z.string(),
  member_id: Uint64String,
  client_urls: list(z.string()),
  health: z.boolean(),
});
export type HealthMember = z.infer<typeof HealthMember>;
export const Health = z.array(HealthMember);

/**
 * The answers that carry uint64 values beyond 2^53 (cluster and member ids): the PD client reads these with
 * `parseJsonBig`, every other answer with plain JSON.parse (a beyond-2^53 id there fails the `Id` check loudly).
 */
export const EXACT_UINT64_ANSWERS: ReadonlySet<z.ZodType> = new Set<z.ZodType>([Cluster, Member, Members, Health]);

/** `/version`: only `version` is filled (`"v8.5.1"`). */
export const PdVersion = z.object({ version: z.string(), build_time: str0, hash: str0, branch: str0 });
export type PdVersion = z.infer<typeof PdVersion>;

/** `/status`. */
export const PdStatus = z.object({
  /** `"2025-04-22 10:12:03"` (not RFC3339). */
  build_ts: str0,
  version: z.string(),
  git_hash: str0,
  /** Unix seconds of the PD process start. */
  start_timestamp: num0,
});
export type PdStatus = z.infer<typeof PdStatus>;

// ── scheduling ─────────────────────────────────────────────────────────────────────────────────────────────────

/** `/operators` (default form): one `Operator.String()` per running operator; null when none. */
export const Operators = list(z.string());
/** `/schedulers`: scheduler names (`evict-leader-scheduler`, …); null when none. */
export const Schedulers = list(z.string());

/** `/scheduler-config/evict-leader-scheduler/list`: the stores whose leaders are evicted (with key ranges, base64). */
export const EvictLeaderConfig = z
  .object({
    'store-id-ranges': idMap(z.array(z.object({ 'start-key': str0, 'end-key': str0 }))),
    batch: num0,
  })
  .loose();
export type EvictLeaderConfig = z.infer<typeof EvictLeaderConfig>;

/** What PD's action endpoints answer: a JSON string (`"The operator is created."`). */
export const PdMessage = z.string();

// ── errors ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** PD's error body: a JSON string (`"[PD:core:ErrStoreNotFound]store 9 not found"`) or an errcode object. */
export const PdErrorBody = z.union([
  z.string(),
  z
    .object({
      code: z.string().optional(),
      msg: z.string().optional(),
      message: z.string().optional(),
      error: z.string().optional(),
    })
    .loose(),
]);
