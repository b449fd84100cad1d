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
  transitions: Transition[];
  /** The step came at or before the last evaluated time and was ignored. */
  rejected: boolean;
}

export const INITIAL_STATE: EntityState = Object.freeze({ state: 'unknown' });

export function entityKey(invariant: InvariantName, storeId: number | string): string {
  return `${invariant}|${storeId}`;
}

export function step(prev: EntityState, obs: Observation | undefined, ts: number, rule: InvariantRule): StepResult {
  if (prev.evaluatedAt !== undefined && !(ts > prev.evaluatedAt)) {
    return { next: prev, transitions: [], rejected: true };
  }
  if (obs === undefined || Number.isNaN(obs.value)) {
    return { next: { ...prev, evaluatedAt: ts }, transitions: [], rejected: false };
  }
  const transitions: Transition[] = [];
  let next: EntityState;
  if (obs.holds) {
    const onset = prev.state === 'pending' || prev.state === 'firing' ? prev.activeAt! : ts;
    if (onset === ts) {
      transitions.push({ kind: 'pending', at: ts });
    }
    next = { state: 'pending', activeAt: onset, evaluatedAt: ts, lastSeen: ts, value: obs.value };
    if (prev.state === 'firing') {
      // A true sample clears keepFiringSince (alerting.go: "a.KeepFiringSince = time.Time{}").
      next = { ...next, state: 'firing', firedAt: prev.firedAt };
    } else if (ts - onset >= rule.graceMs) {
      next = { ...next, state: 'firing', firedAt: ts };
      transitions.push({ kind: 'fired', at: ts });
    }
  } else if (prev.state === 'pending') {
    next = { state: 'inactive', evaluatedAt: ts };
    transitions.push({ kind: 'dropped', at: ts });
  } else if (prev.state === 'firing') {
    const keepSince = prev.keepFiringSince ?? ts;
    if (rule.keepFiringForMs > 0 && ts - keepSince < rule.keepFiringForMs) {
      next = { ...prev, keepFiringSince: keepSince, evaluatedAt: ts };
    } else {
      next = { state: 'inactive', resolvedAt: ts, evaluatedAt: ts };
      transitions.push({ kind: 'resolved', at: ts });
    }
  } else {
    next = { state: 'inactive', resolvedAt: prev.resolvedAt, evaluatedAt: ts };
  }
  return { next, transitions, rejected: false };
}
