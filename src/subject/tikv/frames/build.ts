/**
 * Building a Grafana data frame (`DataFrameJSON`: a schema of fields, then one array of values per field), one way
 * for every answer of the subject:
 *
 *   frame(refId, name, columns, meta?): DataFrameJSON
 *   col(rows, name, type, get, config?): Column  — a column of one value per row
 *   TABLE                                         — meta for a table panel
 */
import type { DataFrameJSON, FieldSchemaJSON } from '../../../shared/schema/frames';

export type FieldType = NonNullable<FieldSchemaJSON['type']>;

export interface Column {
  name: string;
  type: FieldType;
  values: unknown[];
  config?: Record<string, unknown>;
  labels?: Record<string, string>;
}

export const TABLE = { preferredVisualisationType: 'table' };

export function frame(refId: string, name: string, columns: Column[], meta?: Record<string, unknown>): DataFrameJSON {
  return {
    schema: {
      name,
      refId,
      ...(meta ? { meta } : {}),
      fields: columns.map(({ name: n, type, config, labels }) => ({
        name: n,
        type,
        ...(config ? { config } : {}),
        ...(labels ? { labels } : {}),
      })),
    },
    data: { values: columns.map((c) => c.values) },
  };
}

export const col = <T>(
  rows: T[],
  name: string,
  type: FieldType,
  get: (r: T) => unknown,
  config?: Record<string, unknown>
): Column => ({ name, type, values: rows.map(get), config });
