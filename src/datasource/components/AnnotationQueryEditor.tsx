import React from 'react';

import { annotationKind } from '../annotationKind';
import { QueryEditor, type Props } from './QueryEditor';

/**
 * Annotation queries: invariant checks (violations as regions) or the audit trail (actions run from Grafana), always
 * in the annotations format, or forecast warnings (get_forecasts with a horizon); a stored query of any other kind
 * (another observation) opens as invariant checks.
 */
export function AnnotationQueryEditor(props: Props) {
  const kind = annotationKind(props.query);
  if (kind === 'observation') {
    const forecasts = { ...props.query, observation: 'get_forecasts' as const, format: undefined };
    return <QueryEditor {...props} query={forecasts} fixedFormat />;
  }
  const query = { ...props.query, kind, format: 'annotations' as const };
  return <QueryEditor {...props} query={query} fixedFormat />;
}
