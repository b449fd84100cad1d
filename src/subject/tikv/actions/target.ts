/**
 * What an action changes in PD, as one key: two actions with the same target conflict and are serialized (across
 * backend replicas too, by the audit store's per-target lock). A store's drain; a region's leader, split or the
 * operator those create (cancel_operator); one PD config item; one scheduler (its pause and its resume). Exhaustive:
 * a new action must say what it changes.
 */
import type { ActionName } from '../../../shared/names';
import type { ParamsOf } from './types';

export function actionTarget<A extends ActionName>(action: A, params: ParamsOf<A>): string {
  const p = params as Record<string, unknown>;
  const name: ActionName = action;
  switch (name) {
    case 'transfer_leader':
    case 'split_region':
    case 'cancel_operator':
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
    case 'pause_scheduler':
    case 'resume_scheduler':
      return `scheduler ${String(p.name)}`;
    default: {
      const unknown: never = name;
      throw new Error(`no lock target for action ${String(unknown)}`);
    }
  }
}
