/**
 * One readable line per query, for Explore's query history and rich history (`getQueryDisplayText`):
 *
 *   invariant    "high_latency, low_disk · stores 1, 4 · violations"   ("all invariants · all stores · …")
 *   observation  "get_hot_write_regions · stores $store · limit 20"
 *   audit        "audit · drain_store · failed, unknown · table"
 *   other kinds  "<kind> · <its text and list fields>"  (a kind added later still reads)
 *
 * The saved query is shown as written (variables unexpanded): history replays it with the variables of the moment.
 */
import type { TikvQuery } from './types';

const SEP = ' · ';

/** `1,4` → `stores 1, 4`; empty → `all stores`. */
function storesText(stores: string | undefined): string {
  const ids = (stores ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return ids.length === 0
    ? 'all stores'
    : `${ids.length === 1 && /^\d+$/.test(ids[0]) ? 'store' : 'stores'} ${ids.join(', ')}`;
}

function list(items: readonly string[] | undefined, all: string): string {
  return items && items.length > 0 ? items.join(', ') : all;
}

/** Keys Grafana adds or that every kind has: not part of the line. */
const GRAFANA_KEYS = new Set(['refId', 'kind', 'datasource', 'key', 'queryType', 'hide']);

export function queryDisplayText(q: TikvQuery): string {
  switch (q.kind) {
    case 'invariant':
      return [
        list(q.invariants, 'all invariants'),
        storesText(q.stores),
        q.format ?? 'violations',
        ...(q.overrides && Object.keys(q.overrides).length > 0 ? ['custom thresholds'] : []),
      ].join(SEP);
    case 'observation':
      return [
        q.observation ?? 'no observation',
        storesText(q.stores),
        ...(q.limit !== undefined ? [`limit ${q.limit}`] : []),
        ...(q.window ? [`window ${q.window}`] : []),
      ].join(SEP);
    case 'audit':
      return [
        'audit',
        list(q.actions, 'all actions'),
        list(q.outcomes, 'all outcomes'),
        q.format ?? 'table',
        ...(q.limit !== undefined ? [`limit ${q.limit}`] : []),
      ].join(SEP);
    case 'slo':
      return ['SLO budgets', list(q.slos, 'all SLOs'), storesText(q.stores), q.format ?? 'budget'].join(SEP);
    default: {
      // A kind this file does not know yet: its kind, then its text and list fields in saved order.
      const fields = Object.entries(q as unknown as Record<string, unknown>)
        .filter(([k]) => !GRAFANA_KEYS.has(k))
        .map(([k, v]) =>
          typeof v === 'string' || typeof v === 'number'
            ? k === 'stores'
              ? storesText(String(v))
              : String(v)
            : Array.isArray(v) && v.length > 0
              ? v.join(', ')
              : ''
        )
        .filter((s) => s !== '');
      return [String((q as { kind?: unknown }).kind ?? 'query'), ...fields].join(SEP);
    }
  }
}
