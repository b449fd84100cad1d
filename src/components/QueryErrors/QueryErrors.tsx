import React from 'react';
import type { DataQueryError } from '@grafana/data';
import { Alert, LoadingPlaceholder } from '@grafana/ui';

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

interface StatusProps extends Props {
  /** Why there is no data source to ask (none configured, lookup failed). */
  sourceError?: string;
  /** First load in flight: nothing to show yet. */
  loading: boolean;
}

/** What a page shows above its tables: the data source problem, the first load, then each failed query. */
export function QueryStatus({ sourceError, loading, errors, titles }: StatusProps) {
  return (
    <>
      {sourceError && <Alert severity="warning" title={sourceError} />}
      {loading && <LoadingPlaceholder text="Loading…" />}
      <QueryErrors errors={errors} titles={titles} />
    </>
  );
}
