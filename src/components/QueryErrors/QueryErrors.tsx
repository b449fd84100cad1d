import React from 'react';
import type { DataQueryError } from '@grafana/data';
import { Alert } from '@grafana/ui';

interface Props {
  errors: DataQueryError[];
  /** What each query is, for the alert title. */
  titles: Record<string, string>;
}

/** One alert per failed query, with the data source's message (which names the upstream, path or field). */
export function QueryErrors({ errors, titles }: Props) {
  return (
    <>
      {errors.map((e, i) => (
        <Alert key={`${e.refId}-${i}`} severity="error" title={(e.refId && titles[e.refId]) || 'Query failed'}>
          {e.message}
        </Alert>
      ))}
    </>
  );
}
