import React from 'react';

import { QueryEditor, type Props } from './QueryEditor';

/**
 * Annotation queries: invariant checks (violations as regions) or the audit trail (actions run from Grafana), always
 * in the annotations format; a stored query of another kind opens as invariant checks.
 */
export function AnnotationQueryEditor(props: Props) {
  const kind = props.query.kind === 'audit' ? ('audit' as const) : ('invariant' as const);
  const query = { ...props.query, kind, format: 'annotations' as const };
  return <QueryEditor {...props} query={query} fixedFormat />;
}
