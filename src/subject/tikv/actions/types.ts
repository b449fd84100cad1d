/**
 * What every action module exports: `preflight` (a dry run over live PD state: what would happen, and whether it is
 * safe) and `execute` (repeats the preflight, refuses with ActionUnsafeError when unsafe, then makes the one PD
 * write). PD has no dry-run API (pd-ctl has none either), so the preflight reads the state PD itself checks.
 */
import type { z } from 'zod';

import type { ActionName } from '../../../shared/names';
import type { PDClient } from '../../pd/client';
import type { ActionParams } from '../config';

/** The PD reads and writes actions use (a PDClient; narrowed so tests and callers see what is touched). */
export type ActionPd = Pick<
  PDClient,
  | 'getRegion'
  | 'getStore'
  | 'getStores'
  | 'getScheduleConfig'
  | 'getReplicationConfig'
  | 'getSchedulers'
  | 'getEvictLeaderStores'
  | 'createOperator'
  | 'updateConfig'
  | 'addScheduler'
  | 'removeScheduler'
  | 'deleteStore'
  | 'setStoreState'
  | 'getOperatorDetails'
  | 'cancelOperator'
  | 'getPausedSchedulers'
  | 'pauseScheduler'
  | 'fresh'
>;

export type ParamsOf<A extends ActionName> = z.output<(typeof ActionParams)[A]>;

export interface Check {
  /** Short, stable name (`region_exists`, `target_is_up`, …). */
  name: string;
  ok: boolean;
  /** In words, with the values read from PD. */
  detail: string;
  /** A passed check that still deserves attention (shown as a warning; it does not block). */
  warning?: boolean;
}

export interface Preflight<A extends ActionName = ActionName> {
  action: A;
  params: ParamsOf<A>;
  /** Every check passed: execute would make the PD call. */
  safe: boolean;
  /** What would happen, in words. */
  summary: string;
  checks: Check[];
  /** The values the action changes, as PD has them now (e.g. the current limit next to the new one). */
  current?: Record<string, unknown>;
  /** Epoch ms (PD's clock when it sent one) of the reads. */
  at: number;
}

export interface ExecuteContext {
  /** The Grafana user, recorded and sent to PD as X-Caller-ID. */
  caller: string;
  /**
   * Called once the repeated preflight passed, right before the PD write (the audit log's `begin`); awaited, and
   * when it throws the write is not made.
   */
  beforeWrite?: (preflight: Preflight) => void | Promise<void>;
  /** Called when the repeated preflight found the action unsafe, before ActionUnsafeError is thrown. */
  onUnsafe?: (preflight: Preflight) => void | Promise<void>;
}

export interface ActionResult<A extends ActionName = ActionName> {
  action: A;
  /** PD's answer, e.g. "The operator is created.". */
  pdAnswer: string;
  /** The preflight the write was made after. */
  preflight: Preflight<A>;
  /** What PD shows right after the write (operators run asynchronously in PD: a leader may move a moment later). */
  effect: Record<string, unknown>;
}

export interface ActionModule<A extends ActionName = ActionName> {
  name: A;
  preflight(pd: ActionPd, params: ParamsOf<A>): Promise<Preflight<A>>;
  execute(pd: ActionPd, params: ParamsOf<A>, ctx: ExecuteContext): Promise<ActionResult<A>>;
}
