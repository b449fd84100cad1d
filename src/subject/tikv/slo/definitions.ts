/**
 * The SLOs of a deployment: TIKV_CONFIG's defaults with the cluster's objective and window overrides
 * (`SLO_<NAME>_OBJECTIVE`, `SLO_<NAME>_WINDOW`, README "SLOs").
 *
 *   resolveSlos(overrides): Record<SloName, Slo>
 *   SLO_ENV[name]: { objective, window } — the variable names of one SLO
 */
import { SLOS, type SloName } from '../../../shared/names';
import type { Slo } from '../../subject';
import { TIKV_CONFIG } from '../config';

export interface SloOverride {
  objective?: number;
  window?: string;
}
export type SloOverrides = Partial<Record<SloName, SloOverride>>;

/** `write_latency_p99` → `SLO_WRITE_LATENCY_P99_OBJECTIVE` / `SLO_WRITE_LATENCY_P99_WINDOW`. */
export const SLO_ENV = Object.fromEntries(
  SLOS.map((name) => [
    name,
    { objective: `SLO_${name.toUpperCase()}_OBJECTIVE`, window: `SLO_${name.toUpperCase()}_WINDOW` },
  ])
) as Record<SloName, { objective: string; window: string }>;

export function resolveSlos(overrides: SloOverrides = {}): Record<SloName, Slo> {
  return Object.fromEntries(
    SLOS.map((name) => {
      const base = TIKV_CONFIG.slos[name];
      const o = overrides[name] ?? {};
      return [name, { ...base, objective: o.objective ?? base.objective, window: o.window ?? base.window }];
    })
  ) as Record<SloName, Slo>;
}
