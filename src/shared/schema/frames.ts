/**
 * The answer of `POST /api/query`: Grafana's `/api/ds/query` shape, so the data source maps each frame with
 * `dataFrameFromJSON` from @grafana/data. Values are column-major (one array per field).
 */
import { z } from 'zod';

export const FIELD_TYPES = ['time', 'number', 'string', 'boolean', 'other'] as const;

export const FieldSchemaJSON = z.object({
  name: z.string(),
  type: z.enum(FIELD_TYPES).optional(),
  /** Grafana FieldConfig: unit (`bytes`, `percentunit`, `s`, `ms`, `dateTimeAsIso`), displayName, decimals, … */
  config: z.record(z.string(), z.unknown()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});
export type FieldSchemaJSON = z.infer<typeof FieldSchemaJSON>;

export const DataFrameJSON = z.object({
  schema: z.object({
    name: z.string().optional(),
    refId: z.string().optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
    fields: z.array(FieldSchemaJSON),
  }),
  data: z.object({
    values: z.array(z.array(z.unknown())),
    /**
     * Per field, the words of an enum-encoded string column (its values are indexes into them), else null; Grafana's
     * `dataFrameFromJSON` decodes them.
     */
    enums: z.array(z.array(z.string()).nullable()).optional(),
  }),
});
export type DataFrameJSON = z.infer<typeof DataFrameJSON>;

export const QueryResult = z.object({
  frames: z.array(DataFrameJSON),
  /** This query's own failure, naming the upstream, path and status (others in the batch still answer). */
  error: z.string().optional(),
  /** An HTTP-like status for the error (400 bad query, 502 upstream answered badly, 504 upstream timed out). */
  status: z.number().int().optional(),
  /** The error's `TKO_ERR_*` code (src/shared/errors.ts), as in the error body of a failed request. */
  code: z.string().optional(),
});
export type QueryResult = z.infer<typeof QueryResult>;

export const QueryResponse = z.object({ results: z.record(z.string(), QueryResult) });
export type QueryResponse = z.infer<typeof QueryResponse>;

/** The error body every backend route answers with (fastify's shape plus our code). */
export const ErrorBody = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  error: z.string(),
  message: z.string(),
  /** TKO_ERR_ACTION_UNSAFE: each preflight reason on its own (the message joins them). */
  reasons: z.array(z.string()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
