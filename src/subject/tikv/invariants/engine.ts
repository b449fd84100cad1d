/**
 * The invariant engine: one state machine per (invariant, store), advanced by a pure step — Prometheus'
 * `AlertingRule.Eval` (rules/alerting.go) for one alert:
 *
 *   step(prev: EntityState, obs: Observation | undefined, ts: number, rule: InvariantRule) → StepResult
 *   entityKey(invariant, storeId): string   — `<invariant>|<store_id>`
 *   INITIAL_STATE: EntityState              — `unknown`, never evaluated
 *
 * States `unknown < inactive < pending < firing`, kept as timestamps (activeAt, firedAt, resolvedAt,
 * keepFiringSince). A holding sample makes an inactive entity pending with `activeAt = ts` (the condition's onset,
 * reported as first_seen); pending turns firing when `ts - activeAt >= graceMs` (with grace 0 in the same step);
 * a pending entity whose condition clears is dropped; a firing one resolves (after keep-firing, if set), and a
 * later onset is a new violation with a new activeAt.
 *
 * Missing samples (no observation, or a NaN value such as histogram_quantile over no traffic): the step changes
 * nothing but the evaluation time. A gap never fires, promotes, clears or resolves by itself; after the gap the
 * next real sample is judged against the kept activeAt, so a condition seen on both sides of a gap counts as
 * having held throughout (Prometheus' rule would instead resolve on an absent series — we do not, because a
 * failed scrape is not evidence of recovery). ±Inf are real values (above any threshold, resp. below).
 *
 * A sample at or before the last evaluated time is rejected (`rejected: true`, state unchanged): replay and live
 * ticks must move forward.
 */
import type { InvariantName } from '../../../shared/names';
import type { InvariantRule, Observation } from './rules';

export type AlertState = 'unknown' | 'inactive' | 'pending' | 'firing';

export interface EntityState {
  readonly state: AlertState;
  /** Onset of the current pending/firing episode. */
  readonly activeAt?: number;
  readonly firedAt?: number;
  readonly resolvedAt?: number;
  /** When a firing entity's condition first cleared while keep-firing holds it. */
  readonly keepFiringSince?: number;
  /** Last step time (with or without a sample); later steps must be after it. */
  readonly evaluatedAt?: number;
  /** Last sample time at which the condition held in the current episode, and its value. */
  readonly lastSeen?: number;
  readonly value?: number;
}

export type TransitionKind = 'pending' | 'fired' | 'dropped' | 'resolved';

export interface Transition {
  kind: TransitionKind;
  at: number;
}

export interface StepResult {
  next: EntityState;
  transitions: readonly Transition[];
  /** The step came at or before the last evaluated time and was ignored. */
  rejected: boolean;
}

/**
 * A state with every field present (absent ones undefined). Every state the engine makes has this one object shape:
 * a history replay steps millions of samples, and copies of varying shapes (`{...prev, …}`) made V8 promote a
 * share of these short-lived objects to the old generation (npm run bench, scenario e: peak RSS).
 */
function entity(
  state: AlertState,
  activeAt: number | undefined,
  firedAt: number | undefined,
  resolvedAt: number | undefined,
  keepFiringSince: number | undefined,
  evaluatedAt: number | undefined,
  lastSeen: number | undefined,
  value: number | undefined
): EntityState {
  return { state, activeAt, firedAt, resolvedAt, keepFiringSince, evaluatedAt, lastSeen, value };
}

export const INITIAL_STATE: EntityState = Object.freeze(
  entity('unknown', undefined, undefined, undefined, undefined, undefined, undefined, undefined)
);

const NO_TRANSITIONS: readonly Transition[] = Object.freeze([]);

export function entityKey(invariant: InvariantName, storeId: number | string): string {
  return `${invariant}|${storeId}`;
}

export function step(prev: EntityState, obs: Observation | undefined, ts: number, rule: InvariantRule): StepResult {
  if (prev.evaluatedAt !== undefined && !(ts > prev.evaluatedAt)) {
    return { next: prev, transitions: NO_TRANSITIONS, rejected: true };
  }
  const p = prev;
  if (obs === undefined || Number.isNaN(obs.value)) {
    const next = entity(p.state, p.activeAt, p.firedAt, p.resolvedAt, p.keepFiringSince, ts, p.lastSeen, p.value);
    return { next, transitions: NO_TRANSITIONS, rejected: false };
  }
  if (obs.holds) {
    const episode = p.state === 'pending' || p.state === 'firing';
    const onset = episode ? p.activeAt! : ts;
    if (p.state === 'firing') {
      // A true sample clears keepFiringSince (alerting.go: "a.KeepFiringSince = time.Time{}").
      const next = entity('firing', onset, p.firedAt, undefined, undefined, ts, ts, obs.value);
      return { next, transitions: NO_TRANSITIONS, rejected: false };
    }
    const transitions: Transition[] = onset === ts ? [{ kind: 'pending', at: ts }] : [];
    if (ts - onset >= rule.graceMs) {
      transitions.push({ kind: 'fired', at: ts });
      return {
        next: entity('firing', onset, ts, undefined, undefined, ts, ts, obs.value),
        transitions,
        rejected: false,
      };
    }
    return {
      next: entity('pending', onset, undefined, undefined, undefined, ts, ts, obs.value),
      transitions,
      rejected: false,
    };
  }
  if (p.state === 'pending') {
    const next = entity('inactive', undefined, undefined, undefined, undefined, ts, undefined, undefined);
    return { next, transitions: [{ kind: 'dropped', at: ts }], rejected: false };
  }
  if (p.state === 'firing') {
    const keepSince = p.keepFiringSince ?? ts;
    if (rule.keepFiringForMs > 0 && ts - keepSince < rule.keepFiringForMs) {
      const next = entity('firing', p.activeAt, p.firedAt, p.resolvedAt, keepSince, ts, p.lastSeen, p.value);
      return { next, transitions: NO_TRANSITIONS, rejected: false };
    }
    const next = entity('inactive', undefined, undefined, ts, undefined, ts, undefined, undefined);
    return { next, transitions: [{ kind: 'resolved', at: ts }], rejected: false };
  }
  const next = entity('inactive', undefined, undefined, p.resolvedAt, undefined, ts, undefined, undefined);
  return { next, transitions: NO_TRANSITIONS, rejected: false };
}
