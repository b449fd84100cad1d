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
  private out: Violation[] = [];
  /** Last time a sample (NaN included) was pushed. */
  lastReportedAt: number | undefined;

  constructor(
    private readonly rule: InvariantRule,
    private who: StoreIdentity
  ) {}

  /** The store behind the series as PD knows it now (a kept replayer may predate PD's answer). */
  identify(who: StoreIdentity): void {
    if (who.store_id !== this.who.store_id || who.address !== this.who.address) {
      this.who = who;
      this.out = this.out.map((v) => ({ ...v, store_id: who.store_id, address: who.address }));
    }
  }

  get alertState(): EntityState['state'] {
    return this.state.state;
  }

  /** Nothing to keep: not pending or firing and no violation emitted. */
  get idle(): boolean {
    return this.state.state !== 'pending' && this.state.state !== 'firing' && this.out.length === 0;
  }

  /** Rough bytes this replayer holds (history state budget). */
  get weight(): number {
    return 200 + 250 * this.out.length;
  }

  /** An independent copy (a kept history state is never advanced in place: a failed request leaves it whole). */
  clone(): Replayer {
    const c = new Replayer(this.rule, this.who);
    c.state = this.state;
    c.out = [...this.out];
    c.lastReportedAt = this.lastReportedAt;
    return c;
  }

  /**
   * The onset this replayer's current episode would have, started afresh at `start` (historyState.ts): the
   * episode running at `start` — still open, or closed with last_seen ≥ `start` — if any.
   */
  episodeAt(start: number): { lastSeen: number } | undefined {
    const s = this.state;
    if ((s.state === 'pending' || s.state === 'firing') && s.activeAt! < start && s.lastSeen! >= start) {
      return { lastSeen: s.lastSeen! };
    }
    const closed = this.out.find((v) => v.first_seen < start && v.last_seen >= start);
    return closed && { lastSeen: closed.last_seen };
  }

  /**
   * Turns this replayer into the one a replay started at `start` would be (the same samples from `start` on): an
   * episode running at `start` begins at `t0`, the first real sample at or after `start` (it holds, as the episode
   * went on), and fires only if its last holding sample is at least grace after t0; violations that ended before
   * `start` are dropped. Only valid without keep_firing_for (the caller replays afresh then).
   */
  rebase(start: number, t0: number | undefined): void {
    const grace = this.rule.graceMs;
    this.out = this.out.flatMap((v) => {
      if (v.last_seen < start) {
        return [];
      }
      if (v.first_seen >= start) {
        return [v];
      }
      return t0 !== undefined && v.last_seen - t0 >= grace ? [{ ...v, first_seen: t0 }] : [];
    });
    const s = this.state;
    if ((s.state === 'pending' || s.state === 'firing') && s.activeAt! < start) {
      if (s.lastSeen! >= start && t0 !== undefined) {
        const fired = s.lastSeen! - t0 >= grace;
        this.state = {
          ...s,
          state: fired ? 'firing' : 'pending',
          activeAt: t0,
          firedAt: fired ? t0 + grace : undefined,
        };
      } else {
        // Only gaps since `start`: a replay started there has seen no real sample yet.
        this.state = { state: 'unknown', evaluatedAt: s.evaluatedAt };
      }
    }
    if (this.lastReportedAt !== undefined && this.lastReportedAt < start) {
      this.lastReportedAt = undefined;
    }
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
