/**
 * How PD names a store's state, as a pure function of the store and a clock (`now` is always an argument). Mirrors
 * tikv/pd `pkg/core/store.go` (`IsServing`, `IsRemoving`, `IsRemoved`, `DownTime`, `IsDisconnected`,
 * `storeDisconnectDuration`, `storeUnhealthyDuration`) and `pkg/response/store.go` (`BuildStoreInfo`, which
 * overrides `state_name` only while the legacy `state` is Up). See pd-tikv.md §1.1.1.
 */
import { NODE_STATE, STORE_STATE, type StateName } from './schema';

/** PD `storeDisconnectDuration`: no store heartbeat for longer → Disconnected (TiKV heartbeats every 10 s). */
export const STORE_DISCONNECT_MS = 20_000;
/** PD `storeUnhealthyDuration`: no heartbeat for longer → counted as unhealthy in `pd_cluster_status`. */
export const STORE_UNHEALTHY_MS = 600_000;
/** PD's default `max-store-down-time` (30m): no heartbeat for longer → Down, and PD replaces the replicas. */
export const DEFAULT_MAX_STORE_DOWN_MS = 30 * 60_000;

const STATE_WORDS = ['Up', 'Offline', 'Tombstone'] as const;

interface Labelled {
  labels: ReadonlyArray<{ key: string; value: string }>;
}
interface NodeStated {
  node_state: number;
}

/**
 * PD `IsTiFlash`: the label `engine=tiflash` (exact match, as `IsStoreContainLabel`); `tiflash_compute` is
 * TiFlash's disaggregated compute node (PD `IsTiFlashRelatedStore`), not a TiKV either.
 */
export function isTiFlash(store: Labelled): boolean {
  return store.labels.some((l) => l.key === 'engine' && (l.value === 'tiflash' || l.value === 'tiflash_compute'));
}

/**
 * Stores PD expects to serve: not Tombstone or Removed; TiFlash only when asked (the TiKV invariants and metrics
 * leave it out by default). One predicate for the live checker, the invariant queries and the store metrics.
 */
export function expectedToServe(
  store: { state_name: string; node_state?: number },
  tiflash: boolean,
  includeTiFlash: boolean
): boolean {
  return store.state_name !== 'Tombstone' && store.node_state !== NODE_STATE.Removed && (includeTiFlash || !tiflash);
}

/** PD `IsServing`: node_state Serving (1). */
export function isServing(store: NodeStated): boolean {
  return store.node_state === NODE_STATE.Serving;
}

/** PD `IsRemoving`: node_state Removing (2) — being drained (`state_name` Offline). */
export function isRemoving(store: NodeStated): boolean {
  return store.node_state === NODE_STATE.Removing;
}

/** PD `IsRemoved`: node_state Removed (3) — Tombstone. */
export function isRemoved(store: NodeStated): boolean {
  return store.node_state === NODE_STATE.Removed;
}

/**
 * PD `BuildStoreInfo`: `state_name` is the legacy state's name; only while `state` is Up it becomes Down when
 * `DownTime > max-store-down-time`, else Disconnected when `DownTime > 20s`. `DownTime = now − last_heartbeat`;
 * a store that never sent a heartbeat has `last_heartbeat` 0 in PD, so its DownTime is huge (Down), as in PD.
 */
export function deriveStateName(
  store: { state: number; node_state?: number; last_heartbeat_ms?: number },
  maxStoreDownMs: number,
  now: number
): StateName {
  const legacy = STATE_WORDS[store.state] ?? 'Up';
  if (store.state !== STORE_STATE.Up) {
    return legacy;
  }
  const downTime = now - (store.last_heartbeat_ms ?? 0);
  if (downTime > maxStoreDownMs) {
    return 'Down';
  }
  if (downTime > STORE_DISCONNECT_MS) {
    return 'Disconnected';
  }
  return 'Up';
}

/**
 * Time since the store's last heartbeat, against PD's clock (`pdNow`: its `Date` header) so a skewed backend clock
 * cannot make a store look down; undefined before the first heartbeat. Never negative: PD's `Date` header has
 * whole seconds, so it can lag a heartbeat that arrived within the same second.
 */
export function heartbeatAgeMs(store: { last_heartbeat_ms?: number }, pdNow: number): number | undefined {
  return store.last_heartbeat_ms === undefined ? undefined : Math.max(0, pdNow - store.last_heartbeat_ms);
}
