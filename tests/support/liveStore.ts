import type { LiveStore } from '../../src/subject/tikv/invariants/live';

/** An Up TiKV store `id` as PD reports it (`tikv-<id>:20160`), last heartbeating at `lastHeartbeatMs`. */
export function liveStore(id: number, lastHeartbeatMs: number, over: Partial<LiveStore> = {}): LiveStore {
  return {
    store_id: id,
    address: `tikv-${id}:20160`,
    status_address: `tikv-${id}:20180`,
    state_name: 'Up',
    node_state: 1,
    last_heartbeat_ms: lastHeartbeatMs,
    isTiFlash: false,
    ...over,
  };
}
