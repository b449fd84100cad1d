/**
 * cancel_operator: `DELETE /operators/{region_id}` (PD server/api/operator.go DeleteOperatorByRegion → handler
 * RemoveOperator, reason AdminStop). PD answers 500 ErrOperatorNotFound when no operator runs on the region, so the
 * preflight reads `GET /operators` and refuses then. Steps already done stay done: cancelling stops the rest (a
 * peer already added is not removed again).
 */
import type { Operator } from '../../pd/schedulingSchema';
import { executeAfterPreflight, makePreflight, type Steps } from './run';
import type { ActionModule, Check } from './types';

function describe(op: Operator, pdNow: number): string {
  const started = op.start_time === null ? 'not started' : `started ${Math.round((pdNow - op.start_time) / 1000)} s ago`;
  return `${op.desc} {${op.brief}} (kind ${op.kind.join(',') || 'unknown'}, step ${op.current_step} of ${op.steps.length}, ${started})`;
}

const steps: Steps<'cancel_operator'> = {
  async preflight(pd, params) {
    const { region_id } = params;
    const ops = await pd.getOperatorDetails();
    const op = ops.data.find((o) => o.region_id === region_id);
    const checks: Check[] = [
      {
        name: 'operator_running',
        ok: op !== undefined,
        detail: op
          ? `region ${region_id} runs ${describe(op, ops.pdNow)}`
          : `no operator runs on region ${region_id} (PD would answer ErrOperatorNotFound)`,
      },
    ];
    const summary = op
      ? `PD would cancel ${op.desc} on region ${region_id} (${op.brief}); its ${op.current_step} finished step${
          op.current_step === 1 ? ' stays' : 's stay'
        } done, the remaining ${op.steps.length - op.current_step} are not run`
      : `nothing to cancel: PD runs no operator on region ${region_id}`;
    const current = op
      ? { desc: op.desc, brief: op.brief, kind: op.kind.join(','), status: op.status, current_step: op.current_step, steps: op.steps }
      : undefined;
    return makePreflight('cancel_operator', params, ops.pdNow, summary, checks, current);
  },
  write: (pd, p, callerId) => pd.cancelOperator(p.region_id, { callerId }),
  async effect(pd, p) {
    const ops = await pd.getOperatorDetails();
    return { operator_running: ops.data.some((o) => o.region_id === p.region_id) };
  },
};

export const cancelOperator: ActionModule<'cancel_operator'> = {
  name: 'cancel_operator',
  preflight: steps.preflight,
  execute: (pd, params, ctx) => executeAfterPreflight('cancel_operator', steps, pd, params, ctx),
};
