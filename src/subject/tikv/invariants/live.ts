/**
 * Live checking: one engine step per entity per tick (the exporter's and the live view's source).
 *
 *   new LiveChecker({ rules?: InvariantRules, includeTiFlash?: boolean })
 *   checker.tick(obs: LiveObservation, now: number): LiveViolation[]   — the firing violations after this tick
 *   checker.violations(): LiveViolation[]                              — the same, as of the last tick
 *
 * Each invariant is evaluated on its own input: store_down from PD (even when Prometheus is down or has no data),
 * high_latency and low_disk from their Prometheus maps when those exist. An input that is missing this tick (PD
 * failed: `stores` undefined; Prometheus failed: map undefined; a store absent from a map; a NaN) is a gap for
 * the engine: it neither fires nor clears anything.
 *
 * store_down: for stores PD expects to serve (not Tombstone, not Removed, not TiFlash unless included). It holds
 * when PD's state_name is Down, or Disconnected (PD's own 20 s rule, when our timeout is no longer than that), or
 * the last heartbeat is older than the timeout measured against PD's clock (`pdNow`, the Date header of PD's
 * answer), never ours: hosts disagree on time, and PD judges by its own. The value is the heartbeat age in
 * seconds; `seconds_until_pd_down` is the time left until PD itself declares the store Down
 * (max-store-down-time − age, 0 once Down). Engine timestamps (first_seen, last_seen) are our clock (`now`).
 * A store that leaves the set PD expects to serve (or PD's list) has its state dropped: it is not a recovery to
 * report, it is no longer watched.
 *
 * region_health is cluster-level: one entity (store_id 0, address `cluster`, CLUSTER_LEVEL_STORE), fed PD's
 * miss-peer/down-peer region counts (`regionsUnhealthy`, from `pd_regions_status` via Prometheus); never dropped
 * with the stores, and a gap when Prometheus failed or has no PD series.
 *
 * Maintenance (DESIGN.md "maintenance"): a store PD is removing (Offline / node_state Removing), one an evict-leader
 * scheduler covers, or one carrying the `maintenanceLabel` PD store label is still reported when it stops
 * heartbeating, with `maintenance: true` (severity unchanged: the alert rules route on the flag).
 */
import { CLUSTER_LEVEL_STORE, INVARIANTS, type InvariantName } from '../../../shared/names';
import type { Violation } from '../../../shared/schema/violation';
import { NODE_STATE } from '../../pd/schema';
import { DEFAULT_MAX_STORE_DOWN_MS, expectedToServe, STORE_DISCONNECT_MS } from '../../pd/storeState';
import { entityKey, INITIAL_STATE, step, type EntityState } from './engine';
import { violationOf } from './replay';
import { DEFAULT_RULES, observe, type InvariantRules, type Observation } from './rules';

/** The part of a PD store (`/stores` entry) the checker needs; PD's names. */
export interface LiveStore {
  store_id: number;
  address: string;
  status_address?: string;
  /** Up, Disconnected, Down, Offline or Tombstone. */
  state_name: string;
  /** 0 Preparing, 1 Serving, 2 Removing, 3 Removed. */
  node_state: number;
  /** Last heartbeat on PD's clock, ms; undefined before the first heartbeat. */
  last_heartbeat_ms?: number;
  /** PD store labels (`zone`, `host`, …); MAINTENANCE_STORE_LABEL is matched against them. */
  labels?: ReadonlyArray<{ key: string; value: string }>;
  isTiFlash: boolean;
}

export interface LiveObservation {
  /** PD's clock (ms) when it answered: its Date header. */
  pdNow: number;
  /** PD's stores; undefined when PD failed this tick. */
  stores?: LiveStore[];
  /** Stores an evict-leader scheduler covers; undefined when PD failed to list them (the last list is kept). */
  evictLeaderStoreIds?: readonly number[];
  /** PD's max-store-down-time in ms (default 30 min). */
  maxStoreDownMs?: number;
  /** P99 write latency in seconds by store_id; undefined when Prometheus failed. */
  p99Seconds?: ReadonlyMap<number, number>;
  /** Disk used ratio by store_id; undefined when Prometheus failed. */
  diskUsedRatio?: ReadonlyMap<number, number>;
  /** The larger of PD's miss-peer and down-peer region counts; undefined when Prometheus failed or had none. */
  regionsUnhealthy?: number;
}

export interface LiveViolation extends Violation {
  /** store_down only: seconds until PD declares the store Down (0 once it has). */
  seconds_until_pd_down?: number;
}

interface Entity {
  invariant: InvariantName;
  store_id: number;
  state: EntityState;
  secondsUntilPdDown?: number;
}

export class LiveChecker {
  private readonly rules: InvariantRules;
  private readonly includeTiFlash: boolean;
  private readonly entities = new Map<string, Entity>();
  /** Stores PD expected to serve at its last answer (kept while PD fails); undefined until PD first answers. */
  private watched?: Map<number, LiveStore>;
  private last: LiveViolation[] = [];
  private readonly maintenanceLabel?: { key: string; value: string };
  private evicted = new Set<number>();

  constructor(
    opts: { rules?: InvariantRules; includeTiFlash?: boolean; maintenanceLabel?: { key: string; value: string } } = {}
  ) {
    this.rules = opts.rules ?? DEFAULT_RULES;
    this.includeTiFlash = opts.includeTiFlash ?? false;
    this.maintenanceLabel = opts.maintenanceLabel;
  }

  tick(obs: LiveObservation, now: number): LiveViolation[] {
    if (obs.evictLeaderStoreIds) {
      this.evicted = new Set(obs.evictLeaderStoreIds);
    }
    if (obs.stores) {
      this.watched = new Map(obs.stores.filter((s) => this.expectedToServe(s)).map((s) => [s.store_id, s]));
      for (const [key, e] of this.entities) {
        if (e.invariant !== 'region_health' && !this.watched.has(e.store_id)) {
          this.entities.delete(key);
        }
      }
    }
    const maxDownMs = obs.maxStoreDownMs ?? DEFAULT_MAX_STORE_DOWN_MS;
    for (const id of this.watched?.keys() ?? []) {
      const store = obs.stores ? this.watched!.get(id) : undefined;
      this.advance('store_down', id, store && this.storeDown(store, obs.pdNow, maxDownMs), now);
    }
    for (const [invariant, values] of [
      ['high_latency', obs.p99Seconds],
      ['low_disk', obs.diskUsedRatio],
    ] as const) {
      if (!values) {
        continue;
      }
      const ids = new Set(this.watched ? this.watched.keys() : values.keys());
      for (const e of this.entities.values()) {
        if (e.invariant === invariant) {
          ids.add(e.store_id);
        }
      }
      for (const id of ids) {
        const v = values.get(id);
        this.advance(invariant, id, v === undefined ? undefined : observe(this.rules[invariant], v), now);
      }
    }
    const regions = obs.regionsUnhealthy;
    this.advance(
      'region_health',
      CLUSTER_LEVEL_STORE.store_id,
      regions === undefined ? undefined : observe(this.rules.region_health, regions),
      now
    );
    this.last = this.collect();
    return this.last;
  }

  violations(): LiveViolation[] {
    return this.last;
  }

  /** Whether PD is removing the store, its leaders are evicted, or it carries the maintenance label. */
  private inMaintenance(id: number): boolean {
    const s = this.watched?.get(id);
    if (this.evicted.has(id)) {
      return true;
    }
    if (!s) {
      return false;
    }
    const label = this.maintenanceLabel;
    return (
      s.state_name === 'Offline' ||
      s.node_state === NODE_STATE.Removing ||
      (label !== undefined && (s.labels ?? []).some((l) => l.key === label.key && l.value === label.value))
    );
  }

  private expectedToServe(s: LiveStore): boolean {
    return expectedToServe(s, s.isTiFlash, this.includeTiFlash);
  }

  private storeDown(
    s: LiveStore,
    pdNow: number,
    maxDownMs: number
  ): (Observation & { untilDownMs: number }) | undefined {
    const timeoutMs = this.rules.store_down.threshold * 1000;
    const pdSaysDown = s.state_name === 'Down' || (s.state_name === 'Disconnected' && timeoutMs <= STORE_DISCONNECT_MS);
    if (s.last_heartbeat_ms === undefined) {
      // No heartbeat yet: only PD's word counts; its state implies at least this age.
      if (!pdSaysDown) {
        return undefined;
      }
      const ageMs = s.state_name === 'Down' ? maxDownMs : STORE_DISCONNECT_MS;
      return { value: ageMs / 1000, holds: true, untilDownMs: Math.max(0, maxDownMs - ageMs) };
    }
    // The Date header has 1 s resolution, so a fresh heartbeat can look slightly in PD's future.
    const ageMs = Math.max(0, pdNow - s.last_heartbeat_ms);
    const untilDownMs = s.state_name === 'Down' ? 0 : Math.max(0, maxDownMs - ageMs);
    return { value: ageMs / 1000, holds: pdSaysDown || ageMs > timeoutMs, untilDownMs };
  }

  private advance(
    invariant: InvariantName,
    storeId: number,
    obs: (Observation & { untilDownMs?: number }) | undefined,
    now: number
  ): void {
    const key = entityKey(invariant, storeId);
    const e = this.entities.get(key) ?? { invariant, store_id: storeId, state: INITIAL_STATE };
    const { next, rejected } = step(e.state, obs && { value: obs.value, holds: obs.holds }, now, this.rules[invariant]);
    if (rejected) {
      return;
    }
    e.state = next;
    if (obs?.untilDownMs !== undefined) {
      e.secondsUntilPdDown = obs.untilDownMs / 1000;
    }
    this.entities.set(key, e);
  }

  private collect(): LiveViolation[] {
    const out: LiveViolation[] = [];
    for (const e of this.entities.values()) {
      const who =
        e.invariant === 'region_health'
          ? CLUSTER_LEVEL_STORE
          : { store_id: e.store_id, address: this.watched?.get(e.store_id)?.address ?? '' };
      const v = violationOf(e.state, this.rules[e.invariant], who);
      if (v) {
        out.push(
          e.invariant === 'store_down'
            ? { ...v, seconds_until_pd_down: e.secondsUntilPdDown, maintenance: this.inMaintenance(e.store_id) }
            : v
        );
      }
    }
    const order = (v: Violation) => INVARIANTS.indexOf(v.invariant);
    return out.sort((a, b) => order(a) - order(b) || a.store_id - b.store_id || a.address.localeCompare(b.address));
  }
}
