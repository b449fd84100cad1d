/**
 * Replay: the engine folded over one entity's samples in time order, yielding its violation intervals.
 *
 *   interface TimedObservation { t: number; obs: Observation | undefined }
 *   replay(samples: Iterable<TimedObservation>, rule, who: {store_id, address}, keep?: {from?, to?}) → Violation[]
 *   class Replayer — the same fold fed one sample at a time (push), closed by finish(keep)
 *
 * A violation is emitted once it has fired: first_seen = activeAt (onset), last_seen = the last sample where the
 * condition held, value = the value there. With `keep.from`, only violations still holding at or after `from` are
 * returned (the range was queried earlier so that a violation already running at `from` keeps its onset). Samples
 * out of order are skipped, as the engine rejects them.
 *
 * Still firing after the last sample: `active` only while the series still reports — with `keep.to`, a sample (any
 * value, NaN included) within Prometheus' 5 min staleness window (`--query.lookback-delta`) of `to`. A series that
 * stopped while firing ends at its last holding sample with `ended_by: "no_data"` (a store removed from scraping
 * must not stay "active" forever). Without `keep.to` a firing entity is simply active.
 */
import type { Violation } from '../../../shared/schema/violation';
import { INITIAL_STATE, step, type EntityState } from './engine';
import type { InvariantRule, Observation } from './rules';

/** Prometheus' default lookback delta: a series without a sample for this long is gone. */
export const STALENESS_MS = 5 * 60_000;

export interface TimedObservation {
  t: number;
  obs: Observation | undefined;
}

export interface StoreIdentity {
  store_id: number;
  address: string;
}

export interface ReplayKeep {
  from?: number;
  to?: number;
  /** Whether the series reports near `to`, when the caller knows better than the samples it pushed. */
  reporting?: boolean;
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

export class Replayer {
  private state: EntityState = INITIAL_STATE;
  private readonly out: Violation[] = [];
  /** Last time a sample (NaN included) was pushed. */
  lastReportedAt: number | undefined;

  constructor(
    private readonly rule: InvariantRule,
    private readonly who: StoreIdentity
  ) {}

  get alertState(): EntityState['state'] {
    return this.state.state;
  }

  push(t: number, obs: Observation | undefined): void {
    const before = this.state;
    const { next, transitions, rejected } = step(this.state, obs, t, this.rule);
    this.state = next;
    if (!rejected && obs !== undefined) {
      this.lastReportedAt = t;
    }
    if (transitions.some((x) => x.kind === 'resolved')) {
      this.out.push({ ...violationOf(before, this.rule, this.who)!, active: false });
    }
  }

  finish(keep: ReplayKeep = {}): Violation[] {
    const out = [...this.out];
    const current = violationOf(this.state, this.rule, this.who);
    if (current) {
      const reporting =
        keep.to === undefined ||
        (keep.reporting ?? (this.lastReportedAt !== undefined && this.lastReportedAt >= keep.to - STALENESS_MS));
      out.push(reporting ? current : { ...current, active: false, ended_by: 'no_data' });
    }
    const from = keep.from;
    return from === undefined ? out : out.filter((v) => v.active || v.last_seen >= from);
  }
}

export function replay(
  samples: Iterable<TimedObservation>,
  rule: InvariantRule,
  who: StoreIdentity,
  keep: ReplayKeep = {}
): Violation[] {
  const r = new Replayer(rule, who);
  for (const { t, obs } of samples) {
    r.push(t, obs);
  }
  return r.finish(keep);
}
