/** The backend's `POST /api/query` answer → Grafana's DataQueryResponse (frames with refIds, per-query errors). */
import { type DataFrame, type DataQueryError, dataFrameFromJSON, type DataFrameJSON } from '@grafana/data';

import { fieldPath } from '../shared/fieldPath';
import { QueryResponse } from '../shared/schema/frames';

export function toDataResponse(answer: unknown, refIds: string[]): { data: DataFrame[]; errors: DataQueryError[] } {
  const parsed = QueryResponse.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = `the backend's answer does not fit the query response schema (${fieldPath(issue.path)}: ${issue.message})`;
    return { data: [], errors: refIds.map((refId) => ({ refId, message, status: 502 })) };
  }
  const data: DataFrame[] = [];
  const errors: DataQueryError[] = [];
  for (const refId of refIds) {
    const result = parsed.data.results[refId];
    if (!result) {
      errors.push({ refId, message: `the backend returned no result for query ${refId}` });
      continue;
    }
    for (const json of result.frames) {
      // dataFrameFromJSON decodes entities (NaN/Inf) and enums; refId ties each frame to its query row.
      data.push({ ...dataFrameFromJSON(json as DataFrameJSON), refId });
    }
    if (result.error !== undefined) {
      // The TKO_ERR_* code rides in `data.error` (Grafana's "detailed information" slot), for the inspector and tests.
      errors.push({
        refId,
        message: result.error,
        status: result.status,
        ...(result.code ? { data: { message: result.error, error: result.code } } : {}),
      });
    }
  }
  return { data, errors };
}
