/**
 * Store state constants and PD's `state_name` derivation. The derivation is the PD client's own
 * (`src/subject/pd/storeState.ts`, mirroring PD `pkg/response/store.go`), so the simulator and the client agree.
 */
import { NODE_STATE, STORE_STATE } from '../subject/pd/schema';

export { deriveStateName, STORE_DISCONNECT_MS, STORE_UNHEALTHY_MS } from '../subject/pd/storeState';
export type { StateName } from '../subject/pd/schema';

/** metapb.StoreState: the legacy `state` field. */
export const STATE_UP = STORE_STATE.Up;
export const STATE_OFFLINE = STORE_STATE.Offline;
export const STATE_TOMBSTONE = STORE_STATE.Tombstone;

/** metapb.NodeState: the lifecycle `node_state` field. */
export const NODE_PREPARING = NODE_STATE.Preparing;
export const NODE_SERVING = NODE_STATE.Serving;
export const NODE_REMOVING = NODE_STATE.Removing;
export const NODE_REMOVED = NODE_STATE.Removed;
