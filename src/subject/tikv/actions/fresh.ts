/**
 * Actions read PD past the upstream cache: with several backend replicas each has its own short cache, and a
 * preflight (and the `current` values it records in the audit trail) must not show what PD held before another
 * replica's write. `freshReads(pd)` passes `fresh: true` on every read an action makes; writes are unchanged.
 */
import type { ActionPd } from './types';

export function freshReads(pd: ActionPd): ActionPd {
  const f = { fresh: true };
  return {
    getRegion: (id, o) => pd.getRegion(id, { ...o, ...f }),
    getStore: (id, o) => pd.getStore(id, { ...o, ...f }),
    getStores: (filter, o) => pd.getStores(filter, { ...o, ...f }),
    getScheduleConfig: (o) => pd.getScheduleConfig({ ...o, ...f }),
    getReplicationConfig: (o) => pd.getReplicationConfig({ ...o, ...f }),
    getSchedulers: (o) => pd.getSchedulers({ ...o, ...f }),
    getEvictLeaderStores: (o) => pd.getEvictLeaderStores({ ...o, ...f }),
    getOperatorDetails: (o) => pd.getOperatorDetails({ ...o, ...f }),
    getPausedSchedulers: (o) => pd.getPausedSchedulers({ ...o, ...f }),
    createOperator: (...a) => pd.createOperator(...a),
    updateConfig: (...a) => pd.updateConfig(...a),
    addScheduler: (...a) => pd.addScheduler(...a),
    removeScheduler: (...a) => pd.removeScheduler(...a),
    deleteStore: (...a) => pd.deleteStore(...a),
    setStoreState: (...a) => pd.setStoreState(...a),
    cancelOperator: (...a) => pd.cancelOperator(...a),
    pauseScheduler: (...a) => pd.pauseScheduler(...a),
  };
}
