/**
 * Audit rows as Grafana data frames: the backend's `kind: "audit"` query (redacted) and the Admin-only Actions page
 * (full rows read through the actions route). Imported by the browser bundle too: no Node APIs.
 *
 *   auditFrames(rows: AuditRow[], format: 'table' | 'annotations', o: {refId, to}): DataFrameJSON[]
 *
 * - `table`: one row per action with started_at/finished_at (time fields), who, action, params (JSON), outcome,
 *   summary (the preflight's words), pd_answer, error.
 * - view `redacted` (the read token's `kind: "audit"` query, every Viewer): who, action, target, outcome and times
 *   only — no parameters, preflight, PD answers or errors (those may name keys, addresses, PD internals); the full
 *   rows need the actions token (`GET /api/actions/audit`).
 * - `annotations`: fields time, timeEnd, title, text, tags, as the invariant annotations (invariants/frames.ts), so
 *   actions appear next to the violations they answered. A running action's region reaches `to`; an unknown
 *   outcome is a point at its start, tagged `unknown outcome`. Tags are joined with a bare comma (Grafana's
 *   standardAnnotationSupport splits on "," without trimming), so commas inside a tag become spaces.
 */
import type { AuditFormat, AuditOutcome } from './names';
import type { AuditRow } from './schema/actions';
import type { DataFrameJSON, FieldSchemaJSON } from './schema/frames';

export { AUDIT_FORMATS, type AuditFormat } from './names';

export interface AuditFrameOptions {
  refId: string;
  /** End of the query range (epoch ms): where a still-running action's region ends. */
  to: number;
  /** `full` (default) or `redacted` (see the header). */
  view?: 'full' | 'redacted';
}

const OUTCOME_WORDS: Record<AuditOutcome, string> = {
  running: 'running',
  ok: 'done',
  failed: 'failed',
  unknown: 'unknown outcome',
};

/** Value mappings so the table's outcome column reads in colour. */
const OUTCOME_MAPPINGS = [
  {
    type: 'value',
    options: {
      ok: { text: 'done', color: 'green', index: 0 },
      failed: { text: 'failed', color: 'red', index: 1 },
      unknown: { text: 'unknown outcome', color: 'orange', index: 2 },
      running: { text: 'running', color: 'blue', index: 3 },
    },
  },
];

function frame(refId: string, name: string, fields: Array<FieldSchemaJSON & { values: unknown[] }>): DataFrameJSON {
  return {
    schema: { name, refId, fields: fields.map(({ values: _values, ...f }) => f) },
    data: { values: fields.map((f) => f.values) },
  };
}

function summaryOf(preflight: unknown): string {
  const s = (preflight as { summary?: unknown } | null)?.summary;
  return typeof s === 'string' ? s : '';
}

function paramsText(params: unknown): string {
  return params && typeof params === 'object'
    ? Object.entries(params)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`)
        .join(' ')
    : '';
}

function tag(s: string): string {
  return s.replace(/,/g, ' ').trim();
}

export function auditFrames(rows: AuditRow[], format: AuditFormat, o: AuditFrameOptions): DataFrameJSON[] {
  return [asTable(format === 'table' ? table(rows, o) : annotations(rows, o))];
}

/** Explore shows the frame as a table (Grafana's `meta.preferredVisualisationType`), not a graph of its numbers. */
function asTable(f: DataFrameJSON): DataFrameJSON {
  return { ...f, schema: { ...f.schema, meta: { ...f.schema.meta, preferredVisualisationType: 'table' } } };
}

function table(rows: AuditRow[], o: AuditFrameOptions): DataFrameJSON {
  if (o.view === 'redacted') {
    return frame(o.refId, 'audit', [
      { name: 'started_at', type: 'time', values: rows.map((r) => r.started_at) },
      { name: 'finished_at', type: 'time', values: rows.map((r) => r.finished_at) },
      { name: 'who', type: 'string', values: rows.map((r) => r.who) },
      { name: 'action', type: 'string', values: rows.map((r) => r.action) },
      { name: 'target', type: 'string', values: rows.map((r) => r.target ?? '') },
      { name: 'outcome', type: 'string', config: { mappings: OUTCOME_MAPPINGS }, values: rows.map((r) => r.outcome) },
    ]);
  }
  return frame(o.refId, 'audit', [
    { name: 'started_at', type: 'time', values: rows.map((r) => r.started_at) },
    { name: 'finished_at', type: 'time', values: rows.map((r) => r.finished_at) },
    { name: 'who', type: 'string', values: rows.map((r) => r.who) },
    { name: 'action', type: 'string', values: rows.map((r) => r.action) },
    { name: 'params', type: 'string', values: rows.map((r) => JSON.stringify(r.params)) },
    { name: 'outcome', type: 'string', config: { mappings: OUTCOME_MAPPINGS }, values: rows.map((r) => r.outcome) },
    { name: 'summary', type: 'string', values: rows.map((r) => summaryOf(r.preflight)) },
    { name: 'pd_answer', type: 'string', values: rows.map((r) => r.pd_answer) },
    { name: 'error', type: 'string', values: rows.map((r) => r.error) },
  ]);
}

function annotations(rows: AuditRow[], o: AuditFrameOptions): DataFrameJSON {
  const sorted = [...rows].sort((a, b) => a.started_at - b.started_at || a.id - b.id);
  const end = (r: AuditRow) => r.finished_at ?? (r.outcome === 'running' ? Math.max(o.to, r.started_at) : r.started_at);
  const redactedText = (r: AuditRow) =>
    [`${r.who} ran ${r.action}${r.target ? ` on ${r.target}` : ''}`, r.outcome === 'unknown' ? 'Unknown outcome' : '']
      .filter((s) => s !== '')
      .join('\n');
  const fullText = (r: AuditRow) =>
    [
      `${r.who} ran ${r.action} ${paramsText(r.params)}`.trim(),
      summaryOf(r.preflight),
      r.pd_answer ? `PD: ${r.pd_answer}` : '',
      r.error ? `${r.outcome === 'unknown' ? 'Unknown outcome' : 'Error'}: ${r.error}` : '',
    ]
      .filter((s) => s !== '')
      .join('\n');
  return frame(o.refId, 'annotations', [
    { name: 'time', type: 'time', values: sorted.map((r) => r.started_at) },
    { name: 'timeEnd', type: 'time', values: sorted.map(end) },
    {
      name: 'title',
      type: 'string',
      values: sorted.map((r) => `${r.action} by ${r.who}: ${OUTCOME_WORDS[r.outcome]}`),
    },
    { name: 'text', type: 'string', values: sorted.map(o.view === 'redacted' ? redactedText : fullText) },
    {
      name: 'tags',
      type: 'string',
      values: sorted.map((r) => ['action', r.action, OUTCOME_WORDS[r.outcome], tag(r.who)].filter(Boolean).join(',')),
    },
  ]);
}
