/**
 * The simulated TiKV cluster as PD sees it: stores, regions, schedule config, schedulers and faults. Regions are
 * generated on demand from the seed and their index; only regions changed by operators or splits are kept.
 * Everything that depends on time takes `now` (ms, the simulator's real clock) so the state is a function of time.
 */
import { parseGoDurationMs } from './format';
import { LatencyCounters } from './latency';
import { AffinePermutation, hash3, hash32, unit } from './random';
import { OperatorBook, type OpKindName, SchedulerPauses, scheduledOperators } from './scheduling';
import {
  deriveStateName,
  NODE_REMOVED,
  NODE_REMOVING,
  NODE_SERVING,
  STATE_OFFLINE,
  STATE_TOMBSTONE,
  STATE_UP,
  STORE_UNHEALTHY_MS,
  type StateName,
} from './storeState';
import { DEFAULT_MAX_STORE_DOWN_MS } from '../subject/pd/storeState';

/**
 * Store heartbeat interval. TiKV's `pd-store-heartbeat-tick-interval` defaults to 10 s; the simulator uses 2 s so
 * that a short `max-store-down-time` (tests set "5s") does not make running stores look Down between heartbeats.
 */
export const STORE_HEARTBEAT_MS = 2_000;
/** Raft election after a leader's store stops: its regions get a new leader after about this long. */
export const ELECTION_MS = 10_000;
/** TiKV `max-peer-down-duration` (10 min): the leader then reports the peer in `down_peers`. */
export const PEER_DOWN_MS = 600_000;
/** TiKV region heartbeat interval (60 s): `written_bytes` etc. are totals over it. */
export const REGION_HEARTBEAT_S = 60;
export const FIRST_REGION_ID = 1001;
/** Region id, then its peer ids: region i has id FIRST_REGION_ID + 8i, peers id+1…id+7. */
const REGION_ID_STRIDE = 8;
/** Ids of peers added when a store drains (PD allocates fresh ids; any unused range does). */
const MOVED_PEER_ID_BASE = 1e12;
/** Hot write regions: the top ranks of a Zipf-like write load. */
const HOT_REGION_COUNT = 16;
const TOP_FLOW_BYTES = 8 * 1024 * 1024;
const ZIPF_EXPONENT = 1.1;
/** Drain and evict progress move in steps so the per-store counts are recomputed a bounded number of times. */
const PROGRESS_STEPS = 20;

export interface ClusterOptions {
  stores?: number;
  regions?: number;
  seed?: number;
  /** Duration of a store drain (DELETE /store/{id}) until Tombstone. */
  drainMs?: number;
  /** Time evict-leader-scheduler needs to move all leaders off a store. */
  evictMs?: number;
  /** How long an operator stays in PD's running list after it is created (default 1 s). */
  operatorMs?: number;
}

export interface StoreLimit {
  'add-peer': number;
  'remove-peer': number;
}

export interface SimStore {
  id: number;
  index: number;
  address: string;
  statusAddress: string;
  zone: string;
  host: string;
  /** Labels set through PD's `POST /store/{id}/label` (over zone and host). */
  labels?: Record<string, string>;
  /** TiKV process start, Unix seconds. */
  startTimestamp: number;
  heartbeatPhaseMs: number;
  /** Sub-millisecond part of `last_heartbeat`, so the ns value has real digits. */
  heartbeatExtraNs: number;
  capacity: number;
  baseUsedRatio: number;
  writeOps: number;
  baseP99Ms: number;
  /** When the store stopped heartbeating (fault); undefined while it runs. */
  stoppedAt?: number;
  /** P99 write latency override (fault). */
  p99Ms?: number;
  /** Disk fill (fault): used ratio moves from `from` to `to` over `rampMs` from `startAt`. */
  disk?: { from: number; to: number; startAt: number; rampMs: number };
  /** Set while the store is being removed (DELETE /store/{id}), kept once it is Tombstone. */
  removal?: { startedAt: number; from: number };
  /** Share of its regions already moved away (kept when a removal is cancelled). */
  migrated: number;
  limit: StoreLimit;
  write: LatencyCounters;
  snapshot: LatencyCounters;
}

/** A region as stored when an operator or split changed it (store positions are store indexes). */
interface RegionRecord {
  id: number;
  baseIndex: number;
  salt: number;
  startKey: string;
  endKey: string;
  confVer: number;
  version: number;
  stores: number[];
  peerIds: number[];
  /** Store index PD was asked to put the leader on (transfer-leader), else the generated one. */
  leaderStore: number;
  sizeMiB: number;
  keys: number;
  flowBytes: number;
}

export interface PeerView {
  id: number;
  store_id: number;
}

/** A region at a moment: peers after drains, leader after elections and evictions, down peers. */
export interface RegionView {
  id: number;
  startKey: string;
  endKey: string;
  confVer: number;
  version: number;
  peers: PeerView[];
  leader?: PeerView;
  down: Array<{ peer: PeerView; downSeconds: number }>;
  sizeMiB: number;
  keys: number;
  flowBytes: number;
}

/** Per-moment facts about stores that region views depend on. */
interface Topology {
  key: string;
  drain: Float64Array;
  /** Cannot receive moved peers (removing or removed). */
  closed: Uint8Array;
  /** Stopped long enough for its leaders to be re-elected elsewhere. */
  leaderless: Uint8Array;
  evict: Float64Array;
  /** Heartbeat age when past the peer-down threshold, else 0. */
  downAgeMs: Float64Array;
  /** Any of the above set: regions with a peer here need the full view. */
  affected: Uint8Array;
  /** How long the region fault's down peers have been down (setRegionFault), ms. */
  faultDownMs: number;
}

/** A region fault (`POST /sim/regions/fault`): how many regions miss a peer, how many report a down peer. */
export interface RegionFault {
  missPeer: number;
  downPeer: number;
}

export interface StoreCounts {
  regionCount: Float64Array;
  leaderCount: Float64Array;
  regionSize: Float64Array;
  leaderSize: Float64Array;
  peerKeys: Float64Array;
  leaderKeys: Float64Array;
  writeBytesAsPeer: Float64Array;
  writeBytesAsLeader: Float64Array;
  regions: number;
  leaders: number;
  peers: number;
  emptyRegions: number;
  storageSize: number;
  storageKeys: number;
  missPeer: number;
  extraPeer: number;
  downPeer: number;
  pendingPeer: number;
  offlinePeer: number;
}

export type RegionCheck = 'miss-peer' | 'extra-peer' | 'down-peer' | 'pending-peer' | 'offline-peer';

export class PdError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

const KEY_PREFIX = '7480000000000000FF';
// A module-level copy: global lookups are slow inside Jest's vm sandbox and this runs once per region.
const pow = Math.pow;

/** Upper-case hex key of the boundary before base region k (k ≥ 1): fixed length, so string order = key order. */
function boundaryKey(k: number): string {
  return `${KEY_PREFIX}${k.toString(16).toUpperCase().padStart(12, '0')}5F72`;
}

/** A key strictly between two keys (hex; "" end = +inf): the midpoint as big-endian numbers, one byte longer. */
export function middleKey(start: string, end: string): string {
  const len = Math.max(start.length, end.length, 2) + 2;
  const a = BigInt(`0x0${start.padEnd(len, '0')}`);
  const b = end === '' ? BigInt(`0x1${'0'.repeat(len)}`) : BigInt(`0x0${end.padEnd(len, '0')}`);
  const mid = (a + b) / BigInt(2);
  return (
    mid
      .toString(16)
      .toUpperCase()
      .padStart(len, '0')
      .slice(-len)
      .replace(/(00)+$/, '') || '00'
  );
}

export class Cluster {
  readonly seed: number;
  readonly regionsAtStart: number;
  readonly stores: SimStore[];
  readonly drainMs: number;
  readonly evictMs: number;
  readonly clusterId: bigint;
  readonly startedAt: number;
  readonly bootstrapMs: number;
  /** PD's clock minus the simulator's clock (fault: PD clock ahead/behind). */
  pdClockOffsetMs = 0;
  readonly schedule: Record<string, unknown>;
  readonly replication: Record<string, unknown>;
  readonly pdServer: Record<string, unknown>;
  readonly schedulers = new Set<string>([
    'balance-hot-region-scheduler',
    'balance-leader-scheduler',
    'balance-region-scheduler',
    'evict-slow-store-scheduler',
  ]);
  /** evict-leader-scheduler: store id → when eviction started. */
  readonly evicting = new Map<number, number>();
  /** Running operators (scheduling.ts) and scheduler pauses (`POST /schedulers/{name} {"delay": s}`). */
  readonly operatorBook: OperatorBook;
  readonly pauses = new SchedulerPauses();
  private readonly initialPeers: number;
  private readonly overrides = new Map<number, RegionRecord[]>();
  private readonly splitIds = new Map<number, number>();
  private nextId: number;
  private readonly heat: AffinePermutation;
  private readonly storeOffset: number;
  private countsCache?: { key: string; counts: StoreCounts };

  constructor(o: ClusterOptions = {}, now = Date.now()) {
    const n = o.stores ?? 3;
    const r = o.regions ?? 1000;
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      throw new RangeError(`stores must be an integer from 1 to 1000, got ${n}`);
    }
    if (!Number.isInteger(r) || r < 1 || r > 1_000_000) {
      throw new RangeError(`regions must be an integer from 1 to 1000000, got ${r}`);
    }
    this.seed = (o.seed ?? 1) >>> 0;
    this.regionsAtStart = r;
    this.drainMs = o.drainMs ?? 10_000;
    this.evictMs = o.evictMs ?? 3_000;
    this.operatorBook = new OperatorBook(o.operatorMs ?? 1_000, now, (t) => scheduledOperators(this, t));
    this.startedAt = now;
    this.bootstrapMs = now - 86_400_000 * (30 + (hash32(this.seed, 90) % 100));
    this.clusterId =
      BigInt('7000000000000000000') +
      BigInt(hash32(this.seed, 91) % 2_000_000_000) * BigInt(1000000000) +
      BigInt(hash32(this.seed, 92) % 1e9);
    this.initialPeers = Math.min(3, n);
    this.heat = new AffinePermutation(r, this.seed);
    this.storeOffset = hash32(this.seed, 93) % n;
    this.nextId = FIRST_REGION_ID + r * REGION_ID_STRIDE + REGION_ID_STRIDE;
    this.stores = Array.from({ length: n }, (_, index) => this.makeStore(index, now));
    this.schedule = defaultSchedule();
    this.replication = {
      'max-replicas': 3,
      'location-labels': 'zone,host',
      'strictly-match-label': 'false',
      'enable-placement-rules': 'true',
      'enable-placement-rules-cache': 'false',
      'isolation-level': '',
    };
    this.pdServer = {
      'use-region-storage': 'true',
      'max-gap-reset-ts': '24h0m0s',
      'key-type': 'table',
      'runtime-services': '',
      'metric-storage': '',
      'dashboard-address': 'auto',
      'trace-region-flow': 'true',
      'flow-round-by-digit': 3,
      'min-resolved-ts-persistence-interval': '1s',
      'server-memory-limit': 0,
      'server-memory-limit-gc-trigger': 0.7,
      'enable-gogc-tuner': 'false',
      'gc-tuner-threshold': 0.6,
      'block-safe-point-v1': 'false',
    };
  }

  private makeStore(index: number, now: number): SimStore {
    const s = this.seed;
    const id = index + 1;
    const host = `10.0.${1 + Math.floor(index / 200)}.${21 + (index % 200)}`;
    const baseP99Ms = 2 + (hash32(s, 20, index) % 600) / 100;
    const writeOps = 300 + (hash32(s, 21, index) % 400);
    const startedAt = now - 3_600_000 * (24 + (hash32(s, 22, index) % 200)) - (hash32(s, 23, index) % 60_000);
    return {
      id,
      index,
      address: `${host}:20160`,
      statusAddress: `${host}:20180`,
      zone: `z${(index % 3) + 1}`,
      host: `tikv-${id}`,
      startTimestamp: Math.floor(startedAt / 1000),
      heartbeatPhaseMs: hash32(s, 24, index) % STORE_HEARTBEAT_MS,
      heartbeatExtraNs: hash32(s, 25, index) % 1_000_000,
      capacity: [2_000_000_000_000, 1_000_000_000_000, 322_122_547_200][hash32(s, 26, index) % 3],
      baseUsedRatio: 0.08 + (hash32(s, 27, index) % 2500) / 10_000,
      writeOps,
      baseP99Ms,
      migrated: 0,
      limit: { 'add-peer': 15, 'remove-peer': 15 },
      write: new LatencyCounters(now, writeOps, baseP99Ms / 1000),
      snapshot: new LatencyCounters(now, writeOps * 1.5, (0.5 + (hash32(s, 28, index) % 50) / 100) / 1000),
    };
  }

  // ---- time and store state -------------------------------------------------------------------------------------

  pdNow(now: number): number {
    return now + this.pdClockOffsetMs;
  }

  store(id: number): SimStore | undefined {
    return Number.isInteger(id) && id >= 1 && id <= this.stores.length ? this.stores[id - 1] : undefined;
  }

  /** Last heartbeat PD received, in the simulator's clock (ms). */
  lastHeartbeatMs(st: SimStore, now: number): number {
    const t = st.stoppedAt !== undefined ? Math.min(now, st.stoppedAt) : now;
    return t - ((((t - st.heartbeatPhaseMs) % STORE_HEARTBEAT_MS) + STORE_HEARTBEAT_MS) % STORE_HEARTBEAT_MS);
  }

  /** `last_heartbeat` as PD reports it: Unix ns stamped with PD's clock on receipt. */
  lastHeartbeatNs(st: SimStore, now: number): bigint {
    return BigInt(this.pdNow(this.lastHeartbeatMs(st, now))) * BigInt(1000000) + BigInt(st.heartbeatExtraNs);
  }

  heartbeatAgeMs(st: SimStore, now: number): number {
    return now - this.lastHeartbeatMs(st, now);
  }

  drainFraction(st: SimStore, now: number): number {
    if (!st.removal) {
      return st.migrated;
    }
    return Math.min(1, st.removal.from + (now - st.removal.startedAt) / this.drainMs);
  }

  nodeState(st: SimStore, now: number): number {
    if (!st.removal) {
      return NODE_SERVING;
    }
    return this.drainFraction(st, now) >= 1 ? NODE_REMOVED : NODE_REMOVING;
  }

  legacyState(st: SimStore, now: number): number {
    const ns = this.nodeState(st, now);
    return ns === NODE_REMOVED ? STATE_TOMBSTONE : ns === NODE_REMOVING ? STATE_OFFLINE : STATE_UP;
  }

  /** Parsed once per value: it is asked for every store of every `/stores` answer and scrape. */
  private downTime?: { text: string; ms: number };

  maxStoreDownMs(): number {
    const text = String(this.schedule['max-store-down-time']);
    if (this.downTime?.text !== text) {
      this.downTime = { text, ms: parseGoDurationMs(text) ?? DEFAULT_MAX_STORE_DOWN_MS };
    }
    return this.downTime.ms;
  }

  stateName(st: SimStore, now: number): StateName {
    return deriveStateName(
      {
        state: this.legacyState(st, now),
        node_state: this.nodeState(st, now),
        last_heartbeat_ms: this.lastHeartbeatMs(st, now),
      },
      this.maxStoreDownMs(),
      now
    );
  }

  usedRatio(st: SimStore, now: number): number {
    const d = st.disk;
    if (!d) {
      return st.baseUsedRatio;
    }
    const k = d.rampMs <= 0 ? 1 : Math.min(1, Math.max(0, (now - d.startAt) / d.rampMs));
    return d.from + (d.to - d.from) * k;
  }

  disk(st: SimStore, now: number): { capacity: number; used: number; available: number } {
    const used = Math.round(st.capacity * this.usedRatio(st, now));
    return { capacity: st.capacity, used, available: st.capacity - used };
  }

  p99Ms(st: SimStore): number {
    return st.p99Ms ?? st.baseP99Ms;
  }

  // ---- faults ---------------------------------------------------------------------------------------------------

  stopStore(st: SimStore, now: number, secondsAgo = 0): void {
    if (st.stoppedAt !== undefined) {
      return;
    }
    st.stoppedAt = now - secondsAgo * 1000;
    st.write.change(now, { opsPerSecond: 0 });
    st.snapshot.change(now, { opsPerSecond: 0 });
  }

  startStore(st: SimStore, now: number): void {
    if (st.stoppedAt === undefined) {
      return;
    }
    st.stoppedAt = undefined;
    st.write.change(now, { opsPerSecond: st.writeOps });
    st.snapshot.change(now, { opsPerSecond: st.writeOps * 1.5 });
  }

  setLatency(st: SimStore, now: number, p99Ms: number | undefined): void {
    st.p99Ms = p99Ms;
    st.write.change(now, { p99Seconds: this.p99Ms(st) / 1000 });
  }

  fillDisk(st: SimStore, now: number, usedPercent: number | undefined, rampSeconds = 0): void {
    st.disk =
      usedPercent === undefined
        ? undefined
        : { from: this.usedRatio(st, now), to: usedPercent / 100, startAt: now, rampMs: rampSeconds * 1000 };
  }

  // ---- regions: generation ----------------------------------------------------------------------------------------

  regionCount(): number {
    return this.regionsAtStart + this.splitIds.size;
  }

  private fault: RegionFault & { since: number } = { missPeer: 0, downPeer: 0, since: 0 };

  /**
   * Base regions [0, missPeer) lose a follower (fewer peers than max-replicas: PD's miss-peer) and the next
   * `downPeer` report a follower in `down_peers` (PD's down-peer, also pending as with a stopped store); both PD's
   * `/regions/check/*` and `pd_regions_status` count them, from the same views. `undefined` clears it.
   */
  setRegionFault(now: number, f: Partial<RegionFault> | undefined): void {
    const missPeer = f?.missPeer ?? 0;
    const downPeer = f?.downPeer ?? 0;
    for (const [name, n] of [['miss_peer', missPeer], ['down_peer', downPeer]] as const) {
      if (!Number.isInteger(n) || n < 0) {
        throw new RangeError(`${name} must be a whole number of regions, got ${n}`);
      }
    }
    if (missPeer + downPeer > this.regionsAtStart) {
      throw new RangeError(`miss_peer + down_peer must be at most ${this.regionsAtStart} (the regions at start)`);
    }
    const same = missPeer === this.fault.missPeer && downPeer === this.fault.downPeer;
    this.fault = { missPeer, downPeer, since: same ? this.fault.since : now };
  }

  regionFault(): RegionFault {
    return { missPeer: this.fault.missPeer, downPeer: this.fault.downPeer };
  }

  private faultOf(baseIndex: number): 'miss' | 'down' | undefined {
    if (baseIndex < this.fault.missPeer) {
      return 'miss';
    }
    return baseIndex < this.fault.missPeer + this.fault.downPeer ? 'down' : undefined;
  }

  private flowOfBase(i: number): number {
    return TOP_FLOW_BYTES * pow(this.heat.forward(i) + 1, -ZIPF_EXPONENT);
  }

  private hotThreshold(): number {
    return TOP_FLOW_BYTES * Math.pow(Math.min(this.regionsAtStart, HOT_REGION_COUNT), -ZIPF_EXPONENT) * 0.999;
  }

  private baseRecord(i: number): RegionRecord {
    const s = this.seed;
    const n = this.stores.length;
    const id = FIRST_REGION_ID + i * REGION_ID_STRIDE;
    const stores: number[] = [];
    const peerIds: number[] = [];
    for (let j = 0; j < this.initialPeers; j++) {
      stores.push((i + this.storeOffset + j) % n);
      peerIds.push(id + 1 + j);
    }
    const { sizeMiB, keys } = this.baseSize(i);
    return {
      id,
      baseIndex: i,
      salt: i,
      startKey: i === 0 ? '' : boundaryKey(i),
      endKey: i === this.regionsAtStart - 1 ? '' : boundaryKey(i + 1),
      confVer: 5 + (hash3(s, 5, i) % 3),
      version: 20 + (hash3(s, 6, i) % 60),
      stores,
      peerIds,
      leaderStore: stores[hash3(s, 2, i) % stores.length],
      sizeMiB,
      keys,
      flowBytes: this.flowOfBase(i),
    };
  }

  private baseSize(i: number): { sizeMiB: number; keys: number } {
    const empty = hash3(this.seed, 3, i) % 100 === 0;
    const sizeMiB = empty ? 1 : 1 + (hash3(this.seed, 4, i) % 144);
    return { sizeMiB, keys: empty ? 0 : sizeMiB * (4000 + (hash3(this.seed, 7, i) % 6000)) };
  }

  /** True when base region i (unchanged) has a peer on a store whose faults or drains change region views. */
  private baseTouches(i: number, topo: Topology): boolean {
    if (this.faultOf(i)) {
      return true;
    }
    const n = this.stores.length;
    for (let j = 0; j < this.initialPeers; j++) {
      if (topo.affected[(i + this.storeOffset + j) % n]) {
        return true;
      }
    }
    return false;
  }

  /** Records of base index i in key order (one unless it was split). */
  private recordsOf(i: number): RegionRecord[] {
    return this.overrides.get(i) ?? [this.baseRecord(i)];
  }

  private topology(now: number): Topology {
    const n = this.stores.length;
    const drain = new Float64Array(n);
    const closed = new Uint8Array(n);
    const leaderless = new Uint8Array(n);
    const evict = new Float64Array(n);
    const downAgeMs = new Float64Array(n);
    const affected = new Uint8Array(n);
    const peerDownMs = Math.min(PEER_DOWN_MS, this.maxStoreDownMs());
    const parts: string[] = [
      String(this.replication['max-replicas']),
      String(this.overridesVersion),
      `fault:${this.fault.missPeer}:${this.fault.downPeer}`,
    ];
    for (const st of this.stores) {
      const i = st.index;
      const f = this.drainFraction(st, now);
      drain[i] = f >= 1 ? 1 : Math.floor(f * PROGRESS_STEPS) / PROGRESS_STEPS;
      closed[i] = st.removal ? 1 : 0;
      const age = this.heartbeatAgeMs(st, now);
      leaderless[i] = st.stoppedAt !== undefined && now - st.stoppedAt >= ELECTION_MS ? 1 : 0;
      downAgeMs[i] = st.stoppedAt !== undefined && age > peerDownMs ? age : 0;
      const ev = this.evicting.get(st.id);
      evict[i] =
        ev === undefined
          ? 0
          : Math.max(1 / PROGRESS_STEPS, Math.min(1, Math.floor((this.evictElapsedMs(ev, now) / this.evictMs) * 10) / 10));
      if (drain[i] || closed[i] || leaderless[i] || downAgeMs[i] || evict[i]) {
        affected[i] = 1;
        parts.push(`${i}:${drain[i]}:${closed[i]}:${leaderless[i]}:${downAgeMs[i] > 0 ? 1 : 0}:${evict[i]}`);
      }
    }
    const faultDownMs = Math.max(0, now - this.fault.since);
    return { key: parts.join('|'), drain, closed, leaderless, evict, downAgeMs, affected, faultDownMs };
  }

  private overridesVersion = 0;

  /** The region as PD sees it at this moment. */
  private view(rec: RegionRecord, topo: Topology): RegionView {
    const n = this.stores.length;
    const stores = rec.stores.slice();
    const peerIds = rec.peerIds.slice();
    for (let j = 0; j < stores.length; j++) {
      const s = stores[j];
      if (topo.drain[s] > 0 && unit(this.seed, 101, rec.salt, s) < topo.drain[s]) {
        for (let step = 1; step < n; step++) {
          const c = (s + step) % n;
          if (!topo.closed[c] && !stores.includes(c)) {
            stores[j] = c;
            peerIds[j] = MOVED_PEER_ID_BASE + rec.id * REGION_ID_STRIDE + j;
            break;
          }
        }
      }
    }
    const canLead = (s: number, honourEvict: boolean) =>
      !topo.leaderless[s] &&
      topo.drain[s] < 1 &&
      !(honourEvict && topo.evict[s] > 0 && unit(this.seed, 102, rec.salt) < topo.evict[s]);
    let leaderPos = stores.indexOf(rec.leaderStore);
    for (const honourEvict of [true, false]) {
      if (leaderPos >= 0 && canLead(stores[leaderPos], honourEvict)) {
        break;
      }
      const start = Math.max(0, leaderPos);
      leaderPos = -1;
      for (let k = 0; k < stores.length; k++) {
        const p = (start + k) % stores.length;
        if (canLead(stores[p], honourEvict)) {
          leaderPos = p;
          break;
        }
      }
    }
    let peers = stores.map((s, j) => ({ id: peerIds[j], store_id: s + 1 }));
    const down: RegionView['down'] = [];
    stores.forEach((s, j) => {
      if (topo.downAgeMs[s] > 0) {
        down.push({ peer: peers[j], downSeconds: Math.floor(topo.downAgeMs[s] / 1000) });
      }
    });
    // The region fault acts on the last follower (never the leader).
    const fault = this.faultOf(rec.baseIndex);
    const follower = [...peers.keys()].reverse().find((j) => j !== leaderPos);
    if (fault === 'miss' && follower !== undefined) {
      const gone = peers[follower];
      peers = peers.filter((p) => p !== gone);
      leaderPos = leaderPos > follower ? leaderPos - 1 : leaderPos;
      down.splice(0, down.length, ...down.filter((d) => d.peer !== gone));
    } else if (fault === 'down' && follower !== undefined && !down.some((d) => d.peer === peers[follower])) {
      down.push({ peer: peers[follower], downSeconds: Math.floor(topo.faultDownMs / 1000) });
    }
    return {
      id: rec.id,
      startKey: rec.startKey,
      endKey: rec.endKey,
      confVer: rec.confVer,
      version: rec.version,
      peers,
      leader: leaderPos >= 0 ? peers[leaderPos] : undefined,
      down,
      sizeMiB: rec.sizeMiB,
      keys: rec.keys,
      flowBytes: rec.flowBytes,
    };
  }

  // ---- regions: lookup and scan ---------------------------------------------------------------------------------

  /** Base index whose key range contains `key` (hex, "" = start). */
  private baseIndexOfKey(key: string): number {
    let lo = 0;
    let hi = this.regionsAtStart - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (boundaryKey(mid) <= key) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return key === '' ? 0 : lo;
  }

  private recordById(id: number): RegionRecord | undefined {
    let base = this.splitIds.get(id);
    if (base === undefined) {
      const off = id - FIRST_REGION_ID;
      if (off < 0 || off % REGION_ID_STRIDE !== 0 || off / REGION_ID_STRIDE >= this.regionsAtStart) {
        return undefined;
      }
      base = off / REGION_ID_STRIDE;
    }
    return this.recordsOf(base).find((r) => r.id === id);
  }

  region(id: number, now: number): RegionView | undefined {
    const rec = this.recordById(id);
    return rec ? this.view(rec, this.topology(now)) : undefined;
  }

  /** `/regions/key`: regions from the one containing `key`, up to `endKey` (exclusive, "" = no end), at most `limit`. */
  scan(key: string, endKey: string, limit: number, now: number): RegionView[] {
    const topo = this.topology(now);
    const out: RegionView[] = [];
    for (let b = this.baseIndexOfKey(key); b < this.regionsAtStart && out.length < limit; b++) {
      for (const rec of this.recordsOf(b)) {
        if (rec.endKey !== '' && rec.endKey <= key) {
          continue;
        }
        if (endKey !== '' && rec.startKey >= endKey) {
          return out;
        }
        out.push(this.view(rec, topo));
        if (out.length >= limit) {
          break;
        }
      }
    }
    return out;
  }

  private checkMatches(kind: RegionCheck, v: RegionView, topo: Topology): boolean {
    const maxReplicas = Number(this.replication['max-replicas']);
    switch (kind) {
      case 'miss-peer':
        return v.peers.length < maxReplicas;
      case 'extra-peer':
        return v.peers.length > maxReplicas;
      case 'down-peer':
      case 'pending-peer':
        return v.down.length > 0;
      case 'offline-peer':
        return v.peers.some((p) => topo.closed[p.store_id - 1] === 1);
    }
  }

  /** `/regions/check/{kind}`: matching regions, at most `limit`. */
  checkRegions(kind: RegionCheck, limit: number, now: number): RegionView[] {
    const topo = this.topology(now);
    const out: RegionView[] = [];
    const maxReplicas = Number(this.replication['max-replicas']);
    // An unchanged base region away from affected stores is healthy unless the replica count itself is off.
    const healthyBase =
      (kind === 'miss-peer' && this.initialPeers < maxReplicas) ||
      (kind === 'extra-peer' && this.initialPeers > maxReplicas);
    for (let b = 0; b < this.regionsAtStart && out.length < limit; b++) {
      const list = this.overrides.get(b);
      if (!list && !healthyBase && !this.baseTouches(b, topo)) {
        continue;
      }
      for (const rec of list ?? [this.baseRecord(b)]) {
        const v = this.view(rec, topo);
        if (this.checkMatches(kind, v, topo) && out.length < limit) {
          out.push(v);
        }
      }
    }
    return out;
  }

  /** Per-store and cluster totals, recomputed only when the topology or a region changed. */
  counts(now: number): StoreCounts {
    const topo = this.topology(now);
    if (this.countsCache?.key !== topo.key) {
      this.countsCache = { key: topo.key, counts: this.tallyAll(topo) };
    }
    return this.countsCache.counts;
  }

  /** Totals over some regions (`/stats/region` with a key range). */
  countsOf(views: Iterable<RegionView>, now: number): StoreCounts {
    return this.tally(views, this.topology(now));
  }

  /** Totals over all regions: unchanged base regions away from affected stores are counted without a view. */
  private tallyAll(topo: Topology): StoreCounts {
    const n = this.stores.length;
    const k = this.initialPeers;
    const slow: RegionView[] = [];
    const c = this.tally(slow, topo);
    const maxReplicas = Number(this.replication['max-replicas']);
    const missPerRegion = k < maxReplicas ? 1 : 0;
    const extraPerRegion = k > maxReplicas ? 1 : 0;
    for (let i = 0; i < this.regionsAtStart; i++) {
      const list = this.overrides.get(i);
      if (list || this.baseTouches(i, topo)) {
        for (const rec of list ?? [this.baseRecord(i)]) {
          slow.push(this.view(rec, topo));
        }
        if (slow.length >= 4096) {
          this.tallyInto(c, slow, topo);
          slow.length = 0;
        }
        continue;
      }
      const first = (i + this.storeOffset) % n;
      const { sizeMiB, keys } = this.baseSize(i);
      const flow = this.flowOfBase(i);
      c.regions++;
      c.storageSize += sizeMiB;
      c.storageKeys += keys;
      c.emptyRegions += keys === 0 ? 1 : 0;
      for (let j = 0; j < k; j++) {
        const s = (first + j) % n;
        c.peers++;
        c.regionCount[s]++;
        c.regionSize[s] += sizeMiB;
        c.peerKeys[s] += keys;
        c.writeBytesAsPeer[s] += flow;
      }
      const leader = (first + (hash3(this.seed, 2, i) % k)) % n;
      c.leaders++;
      c.leaderCount[leader]++;
      c.leaderSize[leader] += sizeMiB;
      c.leaderKeys[leader] += keys;
      c.writeBytesAsLeader[leader] += flow;
      c.missPeer += missPerRegion;
      c.extraPeer += extraPerRegion;
    }
    this.tallyInto(c, slow, topo);
    return c;
  }

  private tally(views: Iterable<RegionView>, topo: Topology): StoreCounts {
    const n = this.stores.length;
    const c: StoreCounts = {
      regionCount: new Float64Array(n),
      leaderCount: new Float64Array(n),
      regionSize: new Float64Array(n),
      leaderSize: new Float64Array(n),
      peerKeys: new Float64Array(n),
      leaderKeys: new Float64Array(n),
      writeBytesAsPeer: new Float64Array(n),
      writeBytesAsLeader: new Float64Array(n),
      regions: 0,
      leaders: 0,
      peers: 0,
      emptyRegions: 0,
      storageSize: 0,
      storageKeys: 0,
      missPeer: 0,
      extraPeer: 0,
      downPeer: 0,
      pendingPeer: 0,
      offlinePeer: 0,
    };
    this.tallyInto(c, views, topo);
    return c;
  }

  private tallyInto(c: StoreCounts, views: Iterable<RegionView>, topo: Topology): void {
    const maxReplicas = Number(this.replication['max-replicas']);
    for (const v of views) {
      c.regions++;
      c.storageSize += v.sizeMiB;
      c.storageKeys += v.keys;
      if (v.keys === 0) {
        c.emptyRegions++;
      }
      for (const p of v.peers) {
        const s = p.store_id - 1;
        c.peers++;
        c.regionCount[s]++;
        c.regionSize[s] += v.sizeMiB;
        c.peerKeys[s] += v.keys;
        c.writeBytesAsPeer[s] += v.flowBytes;
      }
      c.offlinePeer += v.peers.some((p) => topo.closed[p.store_id - 1] === 1) ? 1 : 0;
      if (v.leader) {
        const s = v.leader.store_id - 1;
        c.leaders++;
        c.leaderCount[s]++;
        c.leaderSize[s] += v.sizeMiB;
        c.leaderKeys[s] += v.keys;
        c.writeBytesAsLeader[s] += v.flowBytes;
      }
      c.missPeer += v.peers.length < maxReplicas ? 1 : 0;
      c.extraPeer += v.peers.length > maxReplicas ? 1 : 0;
      c.downPeer += v.down.length > 0 ? 1 : 0;
      c.pendingPeer += v.down.length > 0 ? 1 : 0;
    }
  }

  /** Hot write regions: the top of the Zipf load plus changed regions still above the threshold. */
  hotRegions(now: number): RegionView[] {
    const topo = this.topology(now);
    const threshold = this.hotThreshold();
    const out: RegionView[] = [];
    const seen = new Set<number>();
    for (let rank = 0; rank < Math.min(HOT_REGION_COUNT, this.regionsAtStart); rank++) {
      const b = this.heat.inverse(rank);
      seen.add(b);
      for (const rec of this.recordsOf(b)) {
        if (rec.flowBytes >= threshold) {
          out.push(this.view(rec, topo));
        }
      }
    }
    for (const [b, list] of this.overrides) {
      if (!seen.has(b)) {
        for (const rec of list) {
          if (rec.flowBytes >= threshold) {
            out.push(this.view(rec, topo));
          }
        }
      }
    }
    return out.sort((x, y) => y.flowBytes - x.flowBytes);
  }

  // ---- writes ---------------------------------------------------------------------------------------------------

  /** Materializes a region as it is now, so a change keeps its current peers. */
  private materialize(id: number, now: number): RegionRecord {
    const rec = this.recordById(id);
    if (!rec) {
      throw new PdError(404, `[PD:region:ErrRegionNotFound]region ${id} not found`);
    }
    const v = this.view(rec, this.topology(now));
    const copy: RegionRecord = {
      ...rec,
      stores: v.peers.map((p) => p.store_id - 1),
      peerIds: v.peers.map((p) => p.id),
      leaderStore: v.leader ? v.leader.store_id - 1 : rec.leaderStore,
    };
    const list = this.recordsOf(rec.baseIndex).map((r) => (r.id === id ? copy : r));
    this.overrides.set(rec.baseIndex, list);
    this.overridesVersion++;
    return copy;
  }

  transferLeader(regionId: number, toStoreId: number, now: number): void {
    const v = this.region(regionId, now);
    if (!v) {
      throw new PdError(500, `[PD:region:ErrRegionNotFound]region ${regionId} not found`);
    }
    if (!v.peers.some((p) => p.store_id === toStoreId)) {
      throw new PdError(500, `region has no voter in store ${toStoreId}`);
    }
    const rec = this.materialize(regionId, now);
    rec.leaderStore = toStoreId - 1;
    const from = v.leader?.store_id ?? 0;
    // PD handler.go: CreateTransferLeaderOperator("admin-transfer-leader", …, OpAdmin); the builder adds OpLeader.
    this.recordOperator(v, now, {
      desc: 'admin-transfer-leader',
      brief: `transfer leader: store ${from} to ${toStoreId}`,
      kinds: ['admin', 'leader'],
      steps: [`transfer leader from store ${from} to store ${toStoreId}`],
    });
  }

  /** split-region: at the middle (scan/approximate) or at the given keys (usekey). Returns the new region ids. */
  splitRegion(regionId: number, policy: string, keys: string[], now: number): number[] {
    const rec = this.materialize(regionId, now);
    let splitKeys =
      policy === 'usekey'
        ? keys.map((k) => k.toUpperCase()).filter((k) => k > rec.startKey && (rec.endKey === '' || k < rec.endKey))
        : [middleKey(rec.startKey, rec.endKey)];
    splitKeys = [...new Set(splitKeys)].sort();
    const splitOp = {
      desc: 'admin-split-region',
      // PD CreateSplitRegionOperator: the policy is pdpb.CheckPolicy's name; keys as `%v` of the hex strings.
      brief: `split: region ${regionId} use policy ${policy.toUpperCase()}${
        policy === 'usekey' && keys.length > 0 ? ` and keys [${keys.join(' ')}]` : ''
      }`,
      kinds: ['admin', 'split'] as OpKindName[],
      steps: [`split region with policy ${policy.toUpperCase()}`],
    };
    const before = { id: rec.id, version: rec.version, confVer: rec.confVer, sizeMiB: rec.sizeMiB };
    if (splitKeys.length === 0) {
      this.recordOperator(before, now, splitOp);
      return [];
    }
    const bounds = [rec.startKey, ...splitKeys, rec.endKey];
    const parts = splitKeys.length + 1;
    const created: RegionRecord[] = [];
    // TiKV `right-derive-when-split` (default true): the original id keeps the rightmost part.
    for (let k = 0; k < parts; k++) {
      const isLast = k === parts - 1;
      const id = isLast ? rec.id : this.allocRegionId();
      created.push({
        ...rec,
        id,
        salt: isLast ? rec.salt : id,
        startKey: bounds[k],
        endKey: bounds[k + 1],
        version: rec.version + splitKeys.length,
        peerIds: isLast ? rec.peerIds : rec.peerIds.map((_, j) => id + 1 + j),
        sizeMiB: Math.max(1, Math.round(rec.sizeMiB / parts)),
        keys: Math.round(rec.keys / parts),
        flowBytes: rec.flowBytes / parts,
      });
      if (!isLast) {
        this.splitIds.set(id, rec.baseIndex);
      }
    }
    const list = this.recordsOf(rec.baseIndex).flatMap((r) => (r.id === rec.id ? created : [r]));
    this.overrides.set(rec.baseIndex, list);
    this.overridesVersion++;
    this.recordOperator(before, now, splitOp);
    return created.filter((r) => r.id !== rec.id).map((r) => r.id);
  }

  private allocRegionId(): number {
    const id = this.nextId;
    this.nextId += REGION_ID_STRIDE;
    return id;
  }

  private recordOperator(
    region: { id: number; version: number; confVer: number; sizeMiB: number },
    now: number,
    op: { desc: string; brief: string; kinds: OpKindName[]; steps: string[] }
  ): void {
    this.operatorBook.add({
      ...op,
      regionId: region.id,
      epoch: { version: region.version, conf_ver: region.confVer },
      sizeMiB: region.sizeMiB,
      createdAt: now,
    });
  }

  /** DELETE /store/{id}: Offline (Removing), refused when Up stores would drop below max-replicas. */
  removeStore(st: SimStore, now: number, force: boolean): void {
    const ns = this.nodeState(st, now);
    if (ns === NODE_REMOVED) {
      throw new PdError(410, `[PD:core:ErrStoreRemoved]store ${st.id} has been removed`);
    }
    if (ns === NODE_REMOVING) {
      return;
    }
    // PD server/cluster/cluster.go RemoveStore → checkReplicaBeforeOfflineStore: Up = Preparing or Serving.
    const up = this.stores.filter(
      (s) => this.nodeState(s, now) !== NODE_REMOVING && this.nodeState(s, now) !== NODE_REMOVED
    ).length;
    const maxReplicas = Number(this.replication['max-replicas']);
    if (!force && up - 1 < maxReplicas) {
      throw new PdError(
        400,
        `[PD:core:ErrStoresNotEnough]can not remove store ${st.id} since the number of up stores would be ${up - 1} while need ${maxReplicas}`
      );
    }
    st.removal = { startedAt: now, from: st.migrated };
  }

  /** POST /store/{id}/state?state=Up: cancel a removal; moved regions stay moved. */
  cancelRemoval(st: SimStore, now: number): void {
    if (this.nodeState(st, now) === NODE_REMOVED) {
      throw new PdError(500, `[PD:core:ErrStoreRemoved]store ${st.id} has been removed`);
    }
    if (st.removal) {
      st.migrated = Math.floor(this.drainFraction(st, now) * PROGRESS_STEPS) / PROGRESS_STEPS;
      st.removal = undefined;
    }
  }

  /** Time evict-leader-scheduler has worked on a store since `startedAt`: its paused spans do not count. */
  evictElapsedMs(startedAt: number, now: number): number {
    return this.pauses.activeMs('evict-leader-scheduler', startedAt, now);
  }

  addEvictLeader(st: SimStore, now: number): void {
    if (!this.evicting.has(st.id)) {
      this.evicting.set(st.id, now);
    }
    this.schedulers.add('evict-leader-scheduler');
  }

  /** DELETE /schedulers/{name}: `evict-leader-scheduler-4` removes store 4 only; the plain name removes all. */
  removeScheduler(name: string): void {
    const m = /^evict-leader-scheduler-(\d+)$/.exec(name);
    if (m && this.schedulers.has('evict-leader-scheduler') && this.evicting.has(Number(m[1]))) {
      this.evicting.delete(Number(m[1]));
      if (this.evicting.size === 0) {
        this.schedulers.delete('evict-leader-scheduler');
        this.pauses.forget('evict-leader-scheduler');
      }
      return;
    }
    if (!this.schedulers.has(name)) {
      throw new PdError(500, '[PD:scheduler:ErrSchedulerNotFound]scheduler not found');
    }
    this.schedulers.delete(name);
    this.pauses.forget(name);
    if (name === 'evict-leader-scheduler') {
      this.evicting.clear();
    }
  }

  storeIsUnhealthy(st: SimStore, now: number): boolean {
    return this.heartbeatAgeMs(st, now) > STORE_UNHEALTHY_MS;
  }
}

/** PD v8.5 `/config/schedule` defaults (fixture config_schedule.json), minus `store-limit` which is per store. */
function defaultSchedule(): Record<string, unknown> {
  return {
    'max-snapshot-count': 64,
    'max-pending-peer-count': 64,
    'max-merge-region-size': 54,
    'max-merge-region-keys': 540000,
    'split-merge-interval': '1h0m0s',
    'switch-witness-interval': '1h0m0s',
    'enable-one-way-merge': 'false',
    'enable-cross-table-merge': 'true',
    'patrol-region-interval': '10ms',
    'max-store-down-time': '30m0s',
    'max-store-preparing-time': '48h0m0s',
    'leader-schedule-limit': 4,
    'leader-schedule-policy': 'count',
    'region-schedule-limit': 2048,
    'witness-schedule-limit': 4,
    'replica-schedule-limit': 64,
    'merge-schedule-limit': 8,
    'hot-region-schedule-limit': 4,
    'hot-region-cache-hits-threshold': 3,
    'store-limit': {},
    'tolerant-size-ratio': 0,
    'low-space-ratio': 0.8,
    'high-space-ratio': 0.7,
    'region-score-formula-version': 'v2',
    'scheduler-max-waiting-operator': 5,
    'enable-remove-down-replica': 'true',
    'enable-replace-offline-replica': 'true',
    'enable-make-up-replica': 'true',
    'enable-remove-extra-replica': 'true',
    'enable-location-replacement': 'true',
    'enable-debug-metrics': 'false',
    'enable-joint-consensus': 'true',
    'enable-tikv-split-region': 'true',
    'enable-heartbeat-breakdown-metrics': 'true',
    'enable-heartbeat-concurrent-runner': 'true',
    'schedulers-v2': ['balance-region', 'balance-leader', 'hot-region', 'evict-slow-store'].map((type) => ({
      type,
      args: null,
      disable: false,
      'args-payload': '',
    })),
    'hot-regions-write-interval': '10m0s',
    'hot-regions-reserved-days': 7,
    'max-movable-hot-peer-size': 512,
    'enable-diagnostic': 'true',
    'enable-witness': 'false',
    'slow-store-evicting-affected-store-ratio-threshold': 0.3,
    'store-limit-version': 'v1',
    'patrol-region-worker-count': 1,
  };
}
