/**
 * Building a Grafana data frame (`DataFrameJSON`: a schema of fields, then one array of values per field), one way
 * for every answer of the subject:
 *
 *   frame(refId, name, columns, meta?): DataFrameJSON
 *   col(rows, name, type, get, config?): Column      — a column of one value per row
 *   TABLE                                            — meta for a table panel
 *
 * A string column of few distinct words (a store's state, engine, version) is sent in the enum encoding Grafana's
 * `dataFrameFromJSON` decodes: indexes into `data.enums` (`["Up","Up","Down"]` → `[0,0,1]` with `["Up","Down"]`).
 * It takes 20 KB (a ninth) off a 1,000-store get_stores answer, and every byte is stringified, written and parsed
 * again in the browser (npm run bench, scenario a).
 */
import type { DataFrameJSON, FieldSchemaJSON } from '../../../shared/schema/frames';

export type FieldType = NonNullable<FieldSchemaJSON['type']>;

export interface Column {
  name: string;
  type: FieldType;
  values: unknown[];
  config?: Record<string, unknown>;
  labels?: Record<string, string>;
  /** A string column of few distinct words: sent as enum indexes (only when every value is a string). */
  enum?: boolean;
}

export const TABLE = { preferredVisualisationType: 'table' };

/** A frame notice (`meta.notices`), shown by Grafana above the panel. */
export interface Notice {
  severity: 'info' | 'warning' | 'error';
  text: string;
}

export function frame(refId: string, name: string, columns: Column[], meta?: Record<string, unknown>): DataFrameJSON {
  const values = columns.map((c) => c.values);
  let enums: Array<string[] | null> | undefined;
  columns.forEach((c, i) => {
    const encoded = c.enum ? enumEncoded(c.values) : undefined;
    if (encoded) {
      (enums ??= columns.map(() => null))[i] = encoded.words;
      values[i] = encoded.indexes;
    }
  });
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
    data: enums ? { values, enums } : { values },
  };
}

/** Strings → indexes into their distinct words (in order of first appearance); undefined if any value is not a string. */
function enumEncoded(values: unknown[]): { words: string[]; indexes: number[] } | undefined {
  const index = new Map<string, number>();
  const indexes = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'string') {
      return undefined;
    }
    let k = index.get(v);
    if (k === undefined) {
      k = index.size;
      index.set(v, k);
    }
    indexes[i] = k;
  }
  return { words: [...index.keys()], indexes };
}

export const col = <T>(
  rows: T[],
  name: string,
  type: FieldType,
  get: (r: T) => unknown,
  config?: Record<string, unknown>
): Column => ({ name, type, values: rows.map(get), config });
