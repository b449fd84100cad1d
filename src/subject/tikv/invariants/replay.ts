/**
 * Replay: the engine folded over one entity's samples in time order, yielding its violation intervals.
 *
 *   interface TimedObservation { t: number; obs: Observation | undefined }
 *   replay(samples: Iterable<TimedObservation>, rule, who: {store_id, address}, keep?: {from?}) → Violation[]
 *
 * A violation is emitted once it has fired: first_seen = activeAt (onset), last_seen = the last sample where the
 * condition held, value = the value there; `active` = still firing after the last sample. With `keep.from`, only
 * violations still holding at or after `from` are returned (the range was queried earlier so that a violation
 * already running at `from` keeps its onset). Samples out of order are skipped, as the engine rejects them.
 */
import type { Violation } from '../../../shared/schema/violation';
import { INITIAL_STATE, step, type EntityState } from './engine';
import type { InvariantRule, Observation } from './rules';

export interface TimedObservation {
  t: number;
  obs: Observation | undefined;
}

export interface StoreIdentity {
  store_id: number;
  address: string;
}

/** The violation an entity in `state` stands for (pending or not firing → undefined). */
export function violationOf(state: EntityState, rule: InvariantRule, who: StoreIdentity): Violation | undefined {
  if (state.state !== 'firing') {
    return undefined;
  }
  return {
    store_id: who.store_id,
    address: who.address,
    invariant: rule.invariant,
    severity: rule.severity,
    first_seen: state.activeAt!,
    last_seen: state.lastSeen!,
    active: true,
    value: state.value!,
    threshold: rule.threshold,
  };
}

export function replay(
  samples: Iterable<TimedObservation>,
  rule: InvariantRule,
  who: StoreIdentity,
  keep: { from?: number } = {}
): Violation[] {
  const out: Violation[] = [];
  let state = INITIAL_STATE;
  for (const { t, obs } of samples) {
    const before = state;
    const { next, transitions } = step(state, obs, t, rule);
    state = next;
    if (transitions.some((x) => x.kind === 'resolved')) {
      out.push({ ...violationOf(before, rule, who)!, active: false });
    }
  }
  const current = violationOf(state, rule, who);
  if (current) {
    out.push(current);
  }
  const from = keep.from;
  return from === undefined ? out : out.filter((v) => v.active || v.last_seen >= from);
}
