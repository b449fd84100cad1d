import type { TikvQuery } from './types';

/**
 * What an annotation query asks, whatever its stored kind: forecast warnings (get_forecasts), the audit trail, or
 * invariant checks (any other stored query).
 */
export function annotationKind(q: Partial<TikvQuery> | undefined): 'observation' | 'audit' | 'invariant' {
  return q?.kind === 'observation' && q.observation === 'get_forecasts'
    ? 'observation'
    : q?.kind === 'audit'
      ? 'audit'
      : 'invariant';
}
