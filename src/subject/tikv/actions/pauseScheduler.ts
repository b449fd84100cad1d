/**
 * pause_scheduler and resume_scheduler: `POST /schedulers/{name} {"delay": seconds}` (PD server/api/scheduler.go
 * PauseOrResumeScheduler; the controller sets delayUntil = now + delay, and `{"delay": 0}` clears it). Resume is
 * never `DELETE /schedulers/{name}`: that removes the scheduler (and an evict-leader scheduler's store list).
 * PD answers 500 ErrSchedulerNotFound for a name it does not run, and pauses every scheduler for the name `all`:
 * the preflight accepts only a scheduler `GET /schedulers` lists. Pausing balance-leader-scheduler while a store is
 * drained (Removing, or in evict-leader-scheduler's list) is allowed with a warning: the leaders the drain moves
 * are then not spread again, so they pile up on the stores that took them.
 */
import { NODE_STATE } from '../../pd/schema';
import { EVICT_LEADER_SCHEDULER } from '../observations/scheduling';
import { executeAfterPreflight, makePreflight, type Steps } from './run';
import type { ActionModule, ActionPd, Check } from './types';

export const BALANCE_LEADER_SCHEDULER = 'balance-leader-scheduler';

type SchedulerAction = 'pause_scheduler' | 'resume_scheduler';

/** Stores being drained now: node_state Removing (a store drain) or listed by evict-leader-scheduler. */
export async function drainingStores(pd: ActionPd, schedulers: string[]): Promise<{ removing: number[]; evicting: number[] }> {
  const [stores, evicting] = await Promise.all([
    pd.getStores(),
    schedulers.includes(EVICT_LEADER_SCHEDULER) ? pd.getEvictLeaderStores().then((a) => a.data) : Promise.resolve([]),
  ]);
  const removing = stores.data.stores
    .filter((s) => s.store.node_state === NODE_STATE.Removing)
    .map((s) => s.store.id)
    .sort((a, b) => a - b);
  return { removing, evicting };
}

/** The drain warning's check, or undefined when no drain runs. */
export function drainWarning(drains: { removing: number[]; evicting: number[] }): Check | undefined {
  const parts = [
    drains.removing.length > 0 ? `store${drains.removing.length === 1 ? '' : 's'} ${drains.removing.join(', ')} being removed` : '',
    drains.evicting.length > 0
      ? `store${drains.evicting.length === 1 ? '' : 's'} ${drains.evicting.join(', ')} having leaders evicted`
      : '',
  ].filter((p) => p !== '');
  if (parts.length === 0) {
    return undefined;
  }
  return {
    name: 'drain_in_progress',
    ok: true,
    warning: true,
    detail: `a drain is running (${parts.join('; ')}): while ${BALANCE_LEADER_SCHEDULER} is paused, the leaders the drain moves are not spread again and pile up on the stores that took them`,
  };
}

function fmtTime(ms: number | null): string {
  return ms === null ? 'an unknown time' : new Date(ms).toISOString();
}

function schedulerAction<A extends SchedulerAction>(action: A): ActionModule<A> {
  const steps: Steps<A> = {
    async preflight(pd, params) {
      const p = params as { name: string; delay?: number };
      const [names, paused] = await Promise.all([pd.getSchedulers(), pd.getPausedSchedulers()]);
      const exists = names.data.includes(p.name);
      const pause = paused.data.find((s) => s.name === p.name);
      const checks: Check[] = [
        {
          name: 'scheduler_exists',
          ok: exists,
          detail: exists
            ? `PD runs ${p.name}`
            : `PD runs no scheduler named ${p.name} (it runs: ${[...names.data].sort().join(', ') || 'none'})`,
        },
      ];
      let summary: string;
      if (!exists) {
        summary = `${p.name} cannot be ${action === 'pause_scheduler' ? 'paused' : 'resumed'}: PD does not run it`;
      } else if (action === 'pause_scheduler') {
        checks.push({
          name: 'paused_now',
          ok: true,
          detail: pause
            ? `${p.name} is already paused until ${fmtTime(pause.resume_at)}; the new delay replaces it`
            : `${p.name} is not paused`,
        });
        summary = `PD would pause ${p.name} for ${p.delay} s (it resumes on its own after that, or with resume_scheduler)`;
        if (p.name === BALANCE_LEADER_SCHEDULER) {
          const warning = drainWarning(await drainingStores(pd, names.data));
          if (warning) {
            checks.push(warning);
            summary = `Warning: a drain is running. ${summary}`;
          }
        }
      } else {
        checks.push({
          name: 'paused_now',
          ok: true,
          detail: pause
            ? `${p.name} is paused until ${fmtTime(pause.resume_at)}`
            : `${p.name} is not paused: resuming changes nothing`,
        });
        summary = `PD would resume ${p.name} now (delay 0); the scheduler stays, nothing is removed`;
      }
      const current = exists ? { paused: pause !== undefined, resume_at: pause?.resume_at ?? null } : undefined;
      return makePreflight(action, params, names.pdNow, summary, checks, current);
    },
    write: (pd, params, callerId) => {
      const p = params as { name: string; delay?: number };
      return pd.pauseScheduler(p.name, action === 'pause_scheduler' ? (p.delay ?? 0) : 0, { callerId });
    },
    async effect(pd, params) {
      const name = (params as { name: string }).name;
      const pause = (await pd.getPausedSchedulers()).data.find((s) => s.name === name);
      return { paused: pause !== undefined, resume_at: pause?.resume_at ?? null };
    },
  };
  return {
    name: action,
    preflight: steps.preflight,
    execute: (pd, params, ctx) => executeAfterPreflight(action, steps, pd, params, ctx),
  };
}

export const pauseScheduler = schedulerAction('pause_scheduler');
export const resumeScheduler = schedulerAction('resume_scheduler');
