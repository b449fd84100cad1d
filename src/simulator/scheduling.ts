/**
 * PD's scheduling state in the simulator: running operators (with PD's `Operator.String()` text and `OpObject`
 * form, `pkg/schedule/operator/operator.go`) and scheduler pauses (`POST /schedulers/{name} {"delay": s}`,
 * `pkg/schedule/schedulers/scheduler_controller.go` PauseOrResumeScheduler; `GET /schedulers?status=paused`,
 * `pkg/schedule/handler/handler.go` GetSchedulerByStatus).
 *
 * The simulator applies an operator's effect when it is created (the leader moves at once); the operator then stays
 * in PD's running list for the cluster's `operatorMs`, so it can be listed and cancelled like a real one. Cancelling
 * ends it as PD does (status CANCELED, gone from `/operators`) but does not undo the already applied effect.
 * The HTTP routes are in schedulingApi.ts.
 */
import { type Cluster, PdError } from './cluster';
import { NODE_REMOVING, STATE_UP } from './storeState';

/** PD `OpStatus` (`pkg/schedule/operator/status.go`): the integers of the `?object` form. */
export const OP_STATUS = { CREATED: 0, STARTED: 1, SUCCESS: 2, CANCELED: 3, REPLACED: 4, EXPIRED: 5, TIMEOUT: 6 } as const;
/** PD `OpKind` bits (`kind.go`), in bit order: `OpKind.String()` joins the names in this order. */
const KIND_BITS = [
  'admin',
  'affinity',
  'merge',
  'range',
  'replica',
  'split',
  'hot-region',
  'region',
  'leader',
  'witness-leader',
  'witness',
  'split-scatter',
] as const;
export type OpKindName = (typeof KIND_BITS)[number];

export interface SimOperator {
  regionId: number;
  /** PD's desc, e.g. `admin-transfer-leader`. */
  desc: string;
  /** PD's brief, e.g. `transfer leader: store 1 to 4`. */
  brief: string;
  kinds: OpKindName[];
  /** PD's step texts (`transfer leader from store 1 to store 4`). */
  steps: string[];
  epoch: { version: number; conf_ver: number };
  sizeMiB: number;
  createdAt: number;
  /** Go duration text of the operator's timeout (`10s`). */
  timeout: string;
  status: number;
  endedAt?: number;
}

export function kindBits(kinds: readonly OpKindName[]): number {
  return kinds.reduce((bits, k) => bits | (1 << KIND_BITS.indexOf(k)), 0);
}

/** `OpKind.String()`: the set flags' names in bit order. */
export function kindText(kinds: readonly OpKindName[]): string {
  const bits = kindBits(kinds);
  const names = KIND_BITS.filter((_, i) => bits & (1 << i));
  return names.length === 0 ? 'unknown' : names.join(',');
}

/**
 * Go `time.Time.String()` of a time PD took from `time.Now()` (UTC host): `2026-08-21 07:57:58.4002 +0000 UTC
 * m=+91268.739649520`, fraction without trailing zeros, and the monotonic reading since the process started.
 */
export function goTimeString(ms: number, processStartMs: number): string {
  const iso = new Date(ms).toISOString(); // 2026-08-21T07:57:58.400Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  const mono = ((ms - processStartMs) / 1000).toFixed(9);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC m=+${mono}`;
}

/** PD's zero `time.Time` text (an operator that has not started). */
export const GO_ZERO_TIME = '0001-01-01 00:00:00 +0000 UTC';

/** Running operators (one per region, as in PD's operator controller) and their end records. */
export class OperatorBook {
  private readonly running = new Map<number, SimOperator>();
  /** Ended operators by region, kept like PD's records (10 min) for `GET /operators/{region_id}`. */
  private readonly ended = new Map<number, SimOperator>();

  /** Regions whose scheduler-made operator was cancelled, until when (PD's checkers make a new one later). */
  private readonly suppressed = new Map<number, number>();

  constructor(
    /** How long an operator stays running after it is created. */
    readonly operatorMs: number,
    private readonly processStartMs: number,
    /** Operators PD's schedulers and checkers run right now (drains, evictions), made on each read. */
    private readonly scheduled: (now: number) => SimOperator[] = () => []
  ) {}

  /** Adds an operator; one already running on the region is replaced (PD: REPLACED). */
  add(op: Omit<SimOperator, 'status' | 'timeout'> & { timeout?: string }): SimOperator {
    this.expire(op.createdAt);
    const prev = this.running.get(op.regionId);
    if (prev) {
      this.finish(prev, OP_STATUS.REPLACED, op.createdAt);
    }
    const full: SimOperator = { timeout: '10s', ...op, status: OP_STATUS.STARTED };
    this.running.set(op.regionId, full);
    return full;
  }

  /** The operators still running at `now`, ordered by region id. */
  list(now: number): SimOperator[] {
    this.expire(now);
    const byRegion = new Map<number, SimOperator>();
    for (const op of this.scheduled(now)) {
      if ((this.suppressed.get(op.regionId) ?? 0) <= now) {
        byRegion.set(op.regionId, op);
      }
    }
    // An admin operator replaces a scheduler's on the same region (PD: one operator per region).
    for (const op of this.running.values()) {
      byRegion.set(op.regionId, op);
    }
    return [...byRegion.values()].sort((a, b) => a.regionId - b.regionId);
  }

  get(regionId: number, now: number): SimOperator | undefined {
    return this.list(now).find((op) => op.regionId === regionId);
  }

  /** `DELETE /operators/{region_id}`: PD `RemoveOperator` → ErrOperatorNotFound when none runs. */
  cancel(regionId: number, now: number): void {
    const op = this.get(regionId, now);
    if (!op) {
      throw new PdError(500, '[PD:operator:ErrOperatorNotFound]operator not found');
    }
    if (!this.running.has(regionId)) {
      // A scheduler's operator: gone now; the scheduler makes a new one for the region a little later.
      this.suppressed.set(regionId, now + SCHEDULED_RETRY_MS);
    }
    this.finish(op, OP_STATUS.CANCELED, now);
  }

  /** `GET /operators/{region_id}`: the running one, else the last ended one (PD keeps records 10 min). */
  status(regionId: number, now: number): SimOperator | undefined {
    return this.get(regionId, now) ?? this.ended.get(regionId);
  }

  /** PD `Operator.String()`. */
  text(op: SimOperator): string {
    const steps = op.steps.map((s, i) => `${i}:{${s}}`).join(', ');
    const done = op.status === OP_STATUS.SUCCESS;
    const created = goTimeString(op.createdAt, this.processStartMs);
    return (
      `${op.desc} {${op.brief}} (kind:${kindText(op.kinds)}, region:${op.regionId}(${op.epoch.version}, ${op.epoch.conf_ver}), ` +
      `createAt:${created}, startAt:${created}, currentStep:${done ? op.steps.length : 0}, size:${op.sizeMiB}, ` +
      `steps:[${steps}], timeout:[${op.timeout}])${done ? ' finished' : ''}`
    );
  }

  /** PD `OpObject` (`GET /operators?object`). */
  object(op: SimOperator): Record<string, unknown> {
    return {
      desc: op.desc,
      brief: op.brief,
      region_id: op.regionId,
      region_epoch: op.epoch,
      kind: kindBits(op.kinds),
      timeout: op.timeout,
      status: op.status,
    };
  }

  private expire(now: number): void {
    for (const op of this.running.values()) {
      if (now - op.createdAt >= this.operatorMs) {
        this.finish(op, OP_STATUS.SUCCESS, op.createdAt + this.operatorMs);
      }
    }
    for (const [id, op] of this.ended) {
      if (now - (op.endedAt ?? now) > 600_000) {
        this.ended.delete(id);
      }
    }
  }

  private finish(op: SimOperator, status: number, at: number): void {
    op.status = status;
    op.endedAt = at;
    this.running.delete(op.regionId);
    this.ended.set(op.regionId, op);
  }
}

/** How long a cancelled scheduler operator's region stays without one. */
const SCHEDULED_RETRY_MS = 10_000;
/** Operators listed per draining or evicting store (PD runs a few at a time, bounded by its store limits). */
const SCHEDULED_PER_STORE = 4;
/** Regions looked at to find them (the first ones in key order). */
const SCHEDULED_SCAN = 512;

/**
 * The operators PD's schedulers and checkers would be running for the simulator's drains: evict-leader-scheduler's
 * leader transfers (`pkg/schedule/schedulers/evict_leader.go`, kind leader) while an eviction is in progress, and the
 * rule checker's `replace-rule-offline-peer` moves (kind replica,region: add learner, promote, remove) while a
 * store is Removing — on regions that still have the leader or a peer there.
 */
export function scheduledOperators(c: Cluster, now: number): SimOperator[] {
  // A paused evict-leader-scheduler makes no new operators, and its eviction waits (Cluster.evictElapsedMs).
  const evicting = c.pauses.isPaused('evict-leader-scheduler', now)
    ? []
    : [...c.evicting].filter(([, t]) => c.evictElapsedMs(t, now) < c.evictMs);
  const removing = c.stores.filter((st) => c.nodeState(st, now) === NODE_REMOVING && st.removal);
  if (evicting.length === 0 && removing.length === 0) {
    return [];
  }
  const up = c.stores
    .filter((st) => st.stoppedAt === undefined && c.legacyState(st, now) === STATE_UP && c.nodeState(st, now) !== NODE_REMOVING)
    .map((st) => st.id);
  const regions = c.scan('', '', SCHEDULED_SCAN, now);
  const out: SimOperator[] = [];
  const taken = new Set<number>();
  const base = (r: (typeof regions)[number]) => ({
    regionId: r.id,
    epoch: { version: r.version, conf_ver: r.confVer },
    sizeMiB: r.sizeMiB,
    timeout: '10s',
    status: OP_STATUS.STARTED,
  });
  for (const [storeId, startedAt] of evicting) {
    let n = 0;
    for (const r of regions) {
      if (n >= SCHEDULED_PER_STORE || taken.has(r.id) || r.leader?.store_id !== storeId) {
        continue;
      }
      const targets = r.peers.map((p) => p.store_id).filter((id) => id !== storeId && up.includes(id));
      if (targets.length === 0) {
        continue;
      }
      taken.add(r.id);
      n++;
      out.push({
        ...base(r),
        desc: 'evict-leader-scheduler',
        brief: `evict leader: from store ${storeId} to one in [${targets.join(' ')}], or to ${targets[0]} (for compatibility)`,
        kinds: ['leader'],
        steps: [`transfer leader from store ${storeId} to store ${targets[0]}`],
        createdAt: startedAt,
      });
    }
  }
  for (const st of removing) {
    let n = 0;
    for (const r of regions) {
      if (n >= SCHEDULED_PER_STORE || taken.has(r.id) || !r.peers.some((p) => p.store_id === st.id)) {
        continue;
      }
      const target = up.find((id) => !r.peers.some((p) => p.store_id === id));
      if (target === undefined) {
        continue;
      }
      taken.add(r.id);
      n++;
      // PD allocates the new peer's id; any id the simulator never uses for regions does.
      const peerId = r.id * 10 + target;
      out.push({
        ...base(r),
        desc: 'replace-rule-offline-peer',
        brief: `mv peer: store [${st.id}] to [${target}]`,
        kinds: ['replica', 'region'],
        steps: [
          `add learner peer ${peerId} on store ${target}`,
          `promote learner peer ${peerId} on store ${target} to voter`,
          `remove peer on store ${st.id}`,
        ],
        timeout: '6m0s',
        createdAt: st.removal!.startedAt,
      });
    }
  }
  return out;
}

/** Paused schedulers: name → Unix seconds paused at and until (PD `SetDelay(delayAt, delayUntil)`). */
export class SchedulerPauses {
  private readonly delays = new Map<string, { at: number; until: number }>();
  /** Every pause's span in ms (cut short by a resume), for the effects: a paused evict-leader stops evicting. */
  private readonly spans = new Map<string, Array<{ from: number; to: number }>>();

  /** PD PauseOrResumeScheduler: t > 0 pauses for t seconds from now, t ≤ 0 resumes. */
  set(name: string, delaySeconds: number, nowMs: number): void {
    const spans = this.spans.get(name) ?? [];
    const last = spans.at(-1);
    if (last && last.to > nowMs) {
      last.to = nowMs;
    }
    if (delaySeconds > 0) {
      const at = Math.floor(nowMs / 1000);
      this.delays.set(name, { at, until: at + delaySeconds });
      spans.push({ from: nowMs, to: (at + delaySeconds) * 1000 });
    } else {
      this.delays.delete(name);
    }
    this.spans.set(name, spans);
  }

  /** PD `IsSchedulerPaused`: paused while now < delayUntil. */
  isPaused(name: string, nowMs: number): boolean {
    const d = this.delays.get(name);
    return d !== undefined && Math.floor(nowMs / 1000) < d.until;
  }

  period(name: string): { at: number; until: number } | undefined {
    return this.delays.get(name);
  }

  /** Milliseconds of [from, to] during which the scheduler was not paused. */
  activeMs(name: string, from: number, to: number): number {
    let paused = 0;
    for (const s of this.spans.get(name) ?? []) {
      paused += Math.max(0, Math.min(to, s.to) - Math.max(from, s.from));
    }
    return Math.max(0, to - from - paused);
  }

  forget(name: string): void {
    this.delays.delete(name);
    this.spans.delete(name);
  }
}
