/**
 * What an action changes in PD, as one key: two actions with the same target conflict and are serialized (across
 * backend replicas too, by the audit store's per-target lock). A store's drain, a region's leader or split, one
 * PD config item.
 */
import type { ActionName } from '../../../shared/names';
import type { ParamsOf } from './types';

export function actionTarget<A extends ActionName>(action: A, params: ParamsOf<A>): string {
  const p = params as Record<string, unknown>;
  switch (action) {
    case 'transfer_leader':
    case 'split_region':
      return `region ${String(p.region_id)}`;
    case 'drain_store':
      return `store ${String(p.store_id)}`;
    case 'set_leader_schedule_limit':
      return 'config leader-schedule-limit';
    case 'set_region_schedule_limit':
      return 'config region-schedule-limit';
    case 'set_replica_schedule_limit':
      return 'config replica-schedule-limit';
    case 'set_low_space_threshold':
      return 'config low-space-ratio';
    default:
      return `action ${String(action)}`;
  }
}
