/**
 * Template variables: a variable query lists stores (text = address, value = PD's store_id) or the Prometheus
 * instances of the stores, so dashboards (ours and the stock TiKV ones) can filter per store; or the data source's
 * cluster's PROMETHEUS_SELECTOR, so a dashboard's Prometheus panels show only the chosen cluster.
 */
import {
  CustomVariableSupport,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  FieldType,
  createDataFrame,
} from '@grafana/data';
import { from, map, type Observable } from 'rxjs';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import type { TikvVariableQuery, VariableValues } from './types';

function column(frame: DataFrame, ...names: string[]): unknown[] | undefined {
  for (const name of names) {
    const field = frame.fields.find((f) => f.name === name);
    if (field) {
      return field.values;
    }
  }
  return undefined;
}

/** One `get_stores` frame → a frame with `text` and `value` fields, which Grafana turns into variable options. */
export function storesToOptions(frame: DataFrame, values: VariableValues): DataFrame {
  const ids = column(frame, 'store_id') ?? [];
  const addresses = column(frame, 'address') ?? [];
  // The instance label Prometheus scrapes a store under: the backend's mapping when it sends one, else the
  // status address (TiKV's default `instance`).
  const instances = column(frame, 'instance', 'status_address') ?? [];
  const pairs: Array<[string, string]> =
    values === 'instances'
      ? instances.map((i) => [String(i), String(i)])
      : ids.map((id, i) => [String(addresses[i] ?? id), String(id)]);
  const unique = [...new Map(pairs.filter(([, v]) => v !== '' && v !== 'undefined').map((p) => [p[1], p])).values()];
  return createDataFrame({
    refId: frame.refId,
    fields: [
      { name: 'text', type: FieldType.string, values: unique.map(([t]) => t) },
      { name: 'value', type: FieldType.string, values: unique.map(([, v]) => v) },
    ],
  });
}

export class TikvVariableSupport extends CustomVariableSupport<DataSource, TikvVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<TikvVariableQuery>): Observable<DataQueryResponse> {
    if (request.targets[0]?.values === 'selector') {
      return from(this.selector());
    }
    const values: VariableValues = request.targets[0]?.values === 'instances' ? 'instances' : 'stores';
    return this.datasource
      .query({ ...request, targets: [{ refId: 'variable', kind: 'observation', observation: 'get_stores' }] })
      .pipe(
        map((response) => ({ ...response, data: response.data.map((f: DataFrame) => storesToOptions(f, values)) }))
      );
  }

  /** The cluster's selector as the one option (text = value), from `GET /api/subject` (already `?cluster=`). */
  private async selector(): Promise<DataQueryResponse> {
    const subject = await this.datasource.getSubject();
    const selector = subject.clusters.find((c) => c.name === subject.cluster)?.selector ?? '';
    return {
      data: [
        createDataFrame({
          refId: 'selector',
          fields: [
            { name: 'text', type: FieldType.string, values: [selector] },
            { name: 'value', type: FieldType.string, values: [selector] },
          ],
        }),
      ],
    };
  }
}
