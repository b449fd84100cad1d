/**
 * Saved query → wire query. The saved model may hold template variables in its store filter (`$store`, `1,4`,
 * `${store:csv}`) and in any other string field (`$invariant`, `$window`, …); the wire model holds store ids as
 * numbers. Pure: the caller passes Grafana's `templateSrv.replace` (with the `csv` format, so a multi-value
 * variable arrives as `1,4`).
 *
 *   applyTemplateVariables(saved, replace): saved — every string field interpolated (Grafana's applyTemplateVariables)
 *   toWireQuery(saved, replace): WireQueryResult  — the wire query, or the first problem naming its field
 */
import type { z } from 'zod';

import { fieldPath } from './fieldPath';
import { QUERY_KINDS } from './names';
import { type SavedQuery, WireQuery } from './schema/query';

/** The saved fields this function reads; a SavedQuery or the data source's own query type both fit. */
export type SavedQueryFields = Pick<
  SavedQuery,
  | 'refId'
  | 'kind'
  | 'observation'
  | 'invariants'
  | 'format'
  | 'stores'
  | 'limit'
  | 'overrides'
  | 'actions'
  | 'outcomes'
  | 'slos'
> & { window?: string; horizon?: string };

export type WireQueryResult = { query: WireQuery } | { error: string; field: string };

/**
 * What "every store" looks like after interpolation: an All selection with a custom all value (`.*`, `*`), or
 * Grafana's placeholder when a variable was not expanded (`$__all`), or Grafana's own word.
 */
const ALL_TOKENS = new Set(['all', '$__all', '.*', '*']);
/** Multi-value formats other than csv join with `|` (pipe/regex) or wrap in braces (glob). */
const SEPARATORS = /[\s,|]+/;
/** Grafana's variable syntaxes, whole (`$var`, `${var}`, `${var:format}`, `[[var]]`), so an error names it as written. */
const UNEXPANDED_VARIABLE = /\$\{\w+(?::[\w-]+)?\}|\$\w+|\[\[\w+(?::[\w-]+)?\]\]/;

/** Parses an interpolated store filter: absent ids = every store. */
export function parseStoreFilter(text: string): { storeIds?: number[] } | { error: string } {
  const trimmed = text
    .trim()
    .replace(/^\{(.*)\}$/, '$1')
    .replace(/^\((.*)\)$/, '$1');
  const tokens = trimmed.split(SEPARATORS).filter((t) => t !== '');
  if (tokens.length === 0 || tokens.some((t) => ALL_TOKENS.has(t.toLowerCase()))) {
    return {};
  }
  const ids: number[] = [];
  for (const token of tokens) {
    const variable = UNEXPANDED_VARIABLE.exec(token);
    if (variable) {
      return { error: `unknown template variable ${variable[0]}` };
    }
    if (!/^\d+$/.test(token) || !Number.isSafeInteger(Number(token)) || Number(token) === 0) {
      return { error: `"${token}" is not a store id (a positive integer, as in PD's store_id)` };
    }
    const id = Number(token);
    if (!ids.includes(id)) {
      ids.push(id);
    }
  }
  return { storeIds: ids };
}

/**
 * The editor field a zod path of the wire model came from: list items share their list's field (`actions[0]` is
 * the actions picker), and storeIds is typed by the user as `stores`.
 */
function savedField(path: readonly PropertyKey[]): string {
  const field = fieldPath(path.filter((p) => typeof p !== 'number'));
  return field.startsWith('storeIds') ? 'stores' : field || 'query';
}

function firstIssue(error: z.ZodError): { error: string; field: string } {
  const issue = error.issues[0];
  const field = savedField(issue.path);
  const where = field === 'stores' ? field : fieldPath(issue.path) || field;
  return { error: `${where}: ${issue.message}`, field };
}

/** Keys Grafana owns or that identify the query: never interpolated. */
const NOT_INTERPOLATED = new Set(['refId', 'kind', 'datasource', 'key', 'queryType', 'hide']);

/**
 * The saved query with template variables expanded in every string field, as Grafana's `applyTemplateVariables`
 * does for backend data sources: lists (invariants, actions, outcomes, …) item by item, a multi-value variable
 * becoming several items; any other string (stores, observation, format, window, a future kind's fields) as text,
 * `stores` keeping `1,4` for parseStoreFilter. Objects (overrides) hold numbers only and are kept as they are.
 */
export function applyTemplateVariables<Q extends object>(saved: Q, replace: (text: string) => string): Q {
  const out: Record<string, unknown> = { ...(saved as Record<string, unknown>) };
  for (const [key, value] of Object.entries(saved)) {
    if (NOT_INTERPOLATED.has(key)) {
      continue;
    }
    if (typeof value === 'string') {
      out[key] = replace(value);
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      out[key] = value.flatMap((v: string) =>
        replace(v)
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      );
    }
  }
  return out as Q;
}

/** The first string of a saved list or text field still holding a variable after interpolation. */
function unexpanded(saved: Record<string, unknown>): { error: string; field: string } | undefined {
  for (const [field, value] of Object.entries(saved)) {
    if (NOT_INTERPOLATED.has(field) || field === 'stores') {
      continue;
    }
    for (const text of Array.isArray(value) ? value : [value]) {
      const variable = typeof text === 'string' ? UNEXPANDED_VARIABLE.exec(text) : null;
      if (variable) {
        return { error: `${field}: unknown template variable ${variable[0]}`, field };
      }
    }
  }
  return undefined;
}

export function toWireQuery(query: SavedQueryFields, replace: (text: string) => string): WireQueryResult {
  if (!QUERY_KINDS.includes(query.kind)) {
    return { error: 'kind: pick Observation, Invariant checks, Audit trail or SLO budgets', field: 'kind' };
  }
  // Every field interpolated once; below, `saved` holds no variable Grafana knows.
  const saved = applyTemplateVariables(query, replace);
  const unknown = unexpanded(saved as Record<string, unknown>);
  if (unknown) {
    return unknown;
  }
  if (saved.kind === 'audit') {
    // The audit trail is per action, not per store: a store filter left from another kind is not sent.
    return parseWire({
      refId: saved.refId,
      kind: saved.kind,
      format: saved.format ?? 'table',
      actions: saved.actions ?? [],
      outcomes: saved.outcomes ?? [],
      limit: saved.limit,
    });
  }
  if (saved.kind === 'observation' && !saved.observation) {
    return { error: 'observation: pick an observation', field: 'observation' };
  }
  let storeIds: number[] | undefined;
  if (saved.stores !== undefined && saved.stores.trim() !== '') {
    const parsed = parseStoreFilter(saved.stores);
    if ('error' in parsed) {
      return { error: `stores: ${parsed.error}`, field: 'stores' };
    }
    storeIds = parsed.storeIds;
  }
  if (saved.kind === 'slo') {
    return parseWire({
      refId: saved.refId,
      kind: saved.kind,
      slos: saved.slos ?? [],
      format: saved.format ?? 'budget',
      storeIds,
    });
  }
  const candidate =
    saved.kind === 'invariant'
      ? {
          refId: saved.refId,
          kind: saved.kind,
          invariants: saved.invariants ?? [],
          format: saved.format ?? 'violations',
          storeIds,
          overrides: saved.overrides,
        }
      : {
          refId: saved.refId,
          kind: saved.kind,
          observation: saved.observation,
          storeIds,
          limit: saved.limit,
          window: saved.window === undefined || saved.window.trim() === '' ? undefined : saved.window.trim(),
          horizon: saved.horizon === undefined || saved.horizon.trim() === '' ? undefined : saved.horizon.trim(),
        };
  return parseWire(candidate);
}

function parseWire(candidate: Record<string, unknown>): WireQueryResult {
  // Absent optional fields must not reach the strict wire schema as explicit `undefined` keys in JSON.
  const defined = Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined));
  const parsed = WireQuery.safeParse(defined);
  return parsed.success ? { query: parsed.data } : firstIssue(parsed.error);
}
