/** Small frame operations for the app pages (frames come from the data source, fields named as the backend names them). */
import { type DataFrame, type Field, FieldType } from '@grafana/data';

export function fieldValues(frame: DataFrame | undefined, name: string): unknown[] | undefined {
  return frame?.fields.find((f) => f.name === name)?.values;
}

/** The rows of a frame for which `keep(row)` holds. */
export function filterRows(frame: DataFrame, keep: (row: number) => boolean): DataFrame {
  const rows = Array.from({ length: frame.length }, (_, i) => i).filter(keep);
  return {
    ...frame,
    length: rows.length,
    fields: frame.fields.map((f: Field) => ({ ...f, values: rows.map((i) => f.values[i]) })),
  };
}

/** Counts active violations per store_id (violation fields: DESIGN.md "violation fields"). */
export function activeViolationsByStore(violations: DataFrame[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const frame of violations) {
    const ids = fieldValues(frame, 'store_id') ?? [];
    const active = fieldValues(frame, 'active') ?? [];
    ids.forEach((id, i) => {
      if (active[i] === true) {
        counts.set(Number(id), (counts.get(Number(id)) ?? 0) + 1);
      }
    });
  }
  return counts;
}

/** The stores frame with one more column: the number of active violations of each store. */
export function withViolationCounts(stores: DataFrame, counts: Map<number, number>): DataFrame {
  const ids = fieldValues(stores, 'store_id') ?? [];
  return {
    ...stores,
    fields: [
      ...stores.fields,
      {
        name: 'active violations',
        type: FieldType.number,
        config: {},
        values: ids.map((id) => counts.get(Number(id)) ?? 0),
      },
    ],
  };
}
