/**
 * The SLOs of a deployment: TIKV_CONFIG's defaults with the cluster's objective and window overrides
 * (`SLO_<NAME>_OBJECTIVE`, `SLO_<NAME>_WINDOW`, README "SLOs").
 *
 *   resolveSlos(overrides): Record<SloName, Slo>
 */
import { SLOS, type SloName } from '../../../shared/names';
import type { Slo } from '../../subject';
import { TIKV_CONFIG } from '../config';

export interface SloOverride {
  objective?: number;
  window?: string;
}
export type SloOverrides = Partial<Record<SloName, SloOverride>>;

export function resolveSlos(overrides: SloOverrides = {}): Record<SloName, Slo> {
  return Object.fromEntries(
    SLOS.map((name) => {
      const base = TIKV_CONFIG.slos[name];
      const o = overrides[name] ?? {};
      return [name, { ...base, objective: o.objective ?? base.objective, window: o.window ?? base.window }];
    })
  ) as Record<SloName, Slo>;
}
