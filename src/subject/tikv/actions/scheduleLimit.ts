/**
 * set_leader_schedule_limit, set_region_schedule_limit, set_replica_schedule_limit: `POST /config {"<key>": n}`
 * (pd-tikv.md §1.6; numbers as JSON numbers). The three differ only in the key, so one module makes all three.
 * 0 is valid in PD and stops that kind of scheduling: the summary says so.
 */
import { executeAfterPreflight, makePreflight, type Steps } from './run';
import type { ActionModule } from './types';

type LimitAction = 'set_leader_schedule_limit' | 'set_region_schedule_limit' | 'set_replica_schedule_limit';

const KEY = {
  set_leader_schedule_limit: 'leader-schedule-limit',
  set_region_schedule_limit: 'region-schedule-limit',
  set_replica_schedule_limit: 'replica-schedule-limit',
} as const;

const WHAT: Record<LimitAction, string> = {
  set_leader_schedule_limit: 'leader transfers',
  set_region_schedule_limit: 'region (peer move) operators',
  set_replica_schedule_limit: 'replica repair operators',
};

function scheduleLimit<A extends LimitAction>(action: A): ActionModule<A> {
  const key = KEY[action];
  const steps: Steps<A> = {
    async preflight(pd, params) {
      const next = (params as Record<typeof key, number>)[key];
      const cfg = await pd.getScheduleConfig();
      const now = cfg.data[key];
      const change =
        now === next ? `${key} is already ${now}: PD would keep it` : `${key} would change from ${now} to ${next}`;
      const stop = next === 0 ? `; 0 stops PD from scheduling ${WHAT[action]} until it is raised again` : '';
      const checks = [{ name: 'current_value', ok: true, detail: `${key} is ${now} now, ${next} asked` }];
      return makePreflight(action, params, cfg.pdNow, `${change} (concurrent ${WHAT[action]})${stop}`, checks, {
        [key]: now,
      });
    },
    write: (pd, params, callerId) =>
      pd.updateConfig({ [key]: (params as Record<typeof key, number>)[key] }, { callerId }),
    async effect(pd) {
      return { [key]: (await pd.getScheduleConfig()).data[key] };
    },
  };
  return {
    name: action,
    preflight: steps.preflight,
    execute: (pd, params, ctx) => executeAfterPreflight(action, steps, pd, params, ctx),
  };
}

export const setLeaderScheduleLimit = scheduleLimit('set_leader_schedule_limit');
export const setRegionScheduleLimit = scheduleLimit('set_region_schedule_limit');
export const setReplicaScheduleLimit = scheduleLimit('set_replica_schedule_limit');
