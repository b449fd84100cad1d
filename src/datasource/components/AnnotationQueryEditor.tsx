import React from 'react';

import { QueryEditor, type Props } from './QueryEditor';

/** Annotation queries are invariant checks in the annotations format: only the invariants and stores are asked. */
export function AnnotationQueryEditor(props: Props) {
  const query = { ...props.query, kind: 'invariant' as const, format: 'annotations' as const };
  return <QueryEditor {...props} query={query} fixedFormat />;
}
