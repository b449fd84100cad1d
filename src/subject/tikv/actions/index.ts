/**
 * The TiKV subject's actions by name (names.ts ACTIONS; parameters in config.ts ActionParams, PD's names).
 * `preflightAction` and `executeAction` take the parameters as received and validate them first: a bad field is a
 * BadQueryError naming it (`region_id`, `keys[0]`).
 */
import type { z } from 'zod';

import { BadQueryError } from '../../../shared/errors';
import { fieldPath } from '../../../shared/fieldPath';
import { ACTIONS, type ActionName } from '../../../shared/names';
import { ActionParams } from '../config';
import { cancelOperator } from './cancelOperator';
import { drainStore } from './drainStore';
import { setLowSpaceThreshold } from './lowSpaceThreshold';
import { pauseScheduler, resumeScheduler } from './pauseScheduler';
import { setLeaderScheduleLimit, setRegionScheduleLimit, setReplicaScheduleLimit } from './scheduleLimit';
import { splitRegion } from './splitRegion';
import { transferLeader } from './transferLeader';
import type { ActionModule, ActionPd, ActionResult, ExecuteContext, ParamsOf, Preflight } from './types';

export { explainPdError, mayHaveApplied } from './pdRefusal';
export { actionTarget } from './target';
export { UNKNOWN_USER, callerHeader } from './run';
export type { ActionModule, ActionPd, ActionResult, Check, ExecuteContext, ParamsOf, Preflight } from './types';

export const ACTION_MODULES: { [A in ActionName]: ActionModule<A> } = {
  transfer_leader: transferLeader,
  split_region: splitRegion,
  set_leader_schedule_limit: setLeaderScheduleLimit,
  set_region_schedule_limit: setRegionScheduleLimit,
  set_replica_schedule_limit: setReplicaScheduleLimit,
  drain_store: drainStore,
  set_low_space_threshold: setLowSpaceThreshold,
  cancel_operator: cancelOperator,
  pause_scheduler: pauseScheduler,
  resume_scheduler: resumeScheduler,
};

export function isActionName(name: string): name is ActionName {
  return (ACTIONS as readonly string[]).includes(name);
}

/** Validates an action's parameters with its zod schema; the error names the field (`region_id`, `keys[0]`). */
export function parseActionParams<A extends ActionName>(action: A, params: unknown): ParamsOf<A> {
  const schema: z.ZodType = ActionParams[action];
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadQueryError(issue.message, fieldPath(issue.path) || '(body)');
  }
  return parsed.data as ParamsOf<A>;
}

/**
 * Dry run of `action`: validates the parameters, reads PD (past the cache: another replica may just have written),
 * answers what would happen and whether it is safe.
 */
export async function preflightAction(pd: ActionPd, action: ActionName, params: unknown): Promise<Preflight> {
  const mod = ACTION_MODULES[action] as ActionModule;
  return mod.preflight(pd.fresh(), parseActionParams(action, params));
}

/** Runs `action`: validates, repeats the preflight on fresh reads (ActionUnsafeError when unsafe), makes the PD write. */
export async function executeAction(
  pd: ActionPd,
  action: ActionName,
  params: unknown,
  ctx: ExecuteContext
): Promise<ActionResult> {
  const mod = ACTION_MODULES[action] as ActionModule;
  return mod.execute(pd.fresh(), parseActionParams(action, params), ctx);
}
