/**
 * The shape every action shares: read → checks → preflight; execute = the same preflight, a refusal when it is
 * unsafe, then the single PD write and a read-back of its effect.
 */
import { ActionUnsafeError, UpstreamSchemaError, UpstreamStatusError } from '../../../shared/errors';
import type { ActionName } from '../../../shared/names';
import type { RegionInfo } from '../../pd/schema';
import { explainPdError } from './pdRefusal';
import type { ActionPd, ActionResult, Check, ExecuteContext, ParamsOf, Preflight } from './types';

export const UNKNOWN_USER = 'unknown user';

export function makePreflight<A extends ActionName>(
  action: A,
  params: ParamsOf<A>,
  at: number,
  summary: string,
  checks: Check[],
  current?: Record<string, unknown>
): Preflight<A> {
  return { action, params, safe: checks.every((c) => c.ok), summary, checks, current, at };
}

/**
 * X-Caller-ID is a header: PD logs it as is. A Grafana login may hold any Unicode, so it is reduced to printable
 * ASCII (others become `?`) and 128 characters; the audit log keeps the user's name unchanged.
 */
export function callerHeader(caller: string): string {
  const ascii = caller
    .replace(/[^\x20-\x7e]/g, '?')
    .trim()
    .slice(0, 128);
  return ascii === '' ? UNKNOWN_USER : ascii;
}

export interface Steps<A extends ActionName> {
  preflight: (pd: ActionPd, params: ParamsOf<A>) => Promise<Preflight<A>>;
  write: (pd: ActionPd, params: ParamsOf<A>, callerId: string) => Promise<string>;
  /** Reads back what changed; a failed read does not undo a successful write, it is reported in the effect. */
  effect: (pd: ActionPd, params: ParamsOf<A>) => Promise<Record<string, unknown>>;
}

export async function executeAfterPreflight<A extends ActionName>(
  action: A,
  steps: Steps<A>,
  pd: ActionPd,
  params: ParamsOf<A>,
  ctx: ExecuteContext
): Promise<ActionResult<A>> {
  const preflight = await steps.preflight(pd, params);
  if (!preflight.safe) {
    await ctx.onUnsafe?.(preflight);
    throw new ActionUnsafeError(
      action,
      preflight.checks.filter((c) => !c.ok).map((c) => c.detail)
    );
  }
  await ctx.beforeWrite?.(preflight);
  let pdAnswer: string;
  try {
    pdAnswer = await steps.write(pd, params, callerHeader(ctx.caller));
  } catch (err) {
    throw explainPdError(action, err);
  }
  let effect: Record<string, unknown>;
  try {
    effect = await steps.effect(pd, params);
  } catch (err) {
    effect = { readBackFailed: (err as Error).message };
  }
  return { action, pdAnswer, preflight, effect };
}

/**
 * `GET /region/id/{id}` for a region that does not exist: PD answers `null` (older versions), an empty region
 * (`id` 0), or 404 `ErrRegionNotFound`; all of them mean "no such region".
 */
export async function findRegion(pd: ActionPd, id: number): Promise<{ region?: RegionInfo; at: number }> {
  try {
    const a = await pd.getRegion(id);
    return { region: a.data.id === id ? a.data : undefined, at: a.pdNow };
  } catch (err) {
    const notFound =
      (err instanceof UpstreamStatusError &&
        (err.status === 404 || /ErrRegionNotFound/.test(err.upstreamMessage ?? ''))) ||
      (err instanceof UpstreamSchemaError && err.field === '(root)' && /null/.test(err.message));
    if (notFound) {
      return { region: undefined, at: Date.now() };
    }
    throw err;
  }
}
