/**
 * Violations as Grafana data frames, one shape per invariant query format:
 *
 *   invariantFrames(violations: Violation[], format: InvariantFormat, o: {refId, from, to, stepMs}): DataFrameJSON[]
 *
 * - `violations`: one table frame with DESIGN.md's violation fields (first_seen/last_seen as time fields).
 * - `timeline`: one 0/1 series per (store, invariant) for the state-timeline panel, labelled store_id, address,
 *   invariant. Points only where the state changes (the panel holds a value until the next point): 1 at
 *   first_seen, 0 one step after last_seen (the next evaluation, where it no longer held), plus the state at
 *   `from` and `to`.
 * - `annotations`: one frame with time, timeEnd (region), title, text, tags. Grafana's standardAnnotationSupport
 *   splits `tags` on "," without trimming, so tags are joined with a bare comma.
 */
import { CLUSTER_LEVEL_STORE, type InvariantFormat, type InvariantName } from '../../../shared/names';
import type { DataFrameJSON } from '../../../shared/schema/frames';
import type { Violation } from '../../../shared/schema/violation';
import { frame } from '../frames/build';

export interface FrameOptions {
  refId: string;
  from: number;
  to: number;
  /** The replay step, ms: one for every invariant, or each invariant's own (history.ts `historyPlan`). */
  stepMs: number | Readonly<Partial<Record<InvariantName, number>>>;
  /**
   * Timeline only: the (store, invariant) pairs that exist now; each gets a series even without a violation, so a
   * healthy store reads "ok" in the state timeline instead of leaving the panel empty.
   */
  entities?: Array<{ store_id: number; address: string; invariant: InvariantName }>;
}

/** Grafana units of each invariant's value and threshold. */
const UNIT: Record<InvariantName, string> = {
  store_down: 's',
  high_latency: 's',
  low_disk: 'percentunit',
  region_health: 'short',
};

/** Value mappings so the state timeline reads "ok" / "violating" instead of 0 / 1. */
const STATE_MAPPINGS = [
  {
    type: 'value',
    options: { '0': { text: 'ok', color: 'green', index: 0 }, '1': { text: 'violating', color: 'red', index: 1 } },
  },
];

const WHAT: Record<InvariantName, string> = {
  store_down: 'store down',
  high_latency: 'P99 write latency',
  low_disk: 'disk used',
  region_health: 'regions missing or with a down peer',
};

export function invariantFrames(violations: Violation[], format: InvariantFormat, o: FrameOptions): DataFrameJSON[] {
  switch (format) {
    case 'violations':
      return [asTable(violationsTable(violations, o))];
    case 'timeline':
      return timeline(violations, o);
    case 'annotations':
      return [asTable(annotations(violations, o))];
  }
}

/** Explore shows the frame as a table (Grafana's `meta.preferredVisualisationType`); timelines keep their graph. */
function asTable(f: DataFrameJSON): DataFrameJSON {
  return { ...f, schema: { ...f.schema, meta: { ...f.schema.meta, preferredVisualisationType: 'table' } } };
}

function violationsTable(vs: Violation[], o: FrameOptions): DataFrameJSON {
  const invariants = new Set(vs.map((v) => v.invariant));
  // A unit only when every row shares it: the column mixes seconds and ratios otherwise.
  const only = invariants.size === 1 ? [...invariants][0] : undefined;
  const unit = only ? { unit: UNIT[only] } : undefined;
  const col = <K extends keyof Violation>(k: K) => vs.map((v) => v[k]);
  return frame(o.refId, 'violations', [
    { name: 'store_id', type: 'number', values: col('store_id') },
    { name: 'address', type: 'string', values: col('address') },
    { name: 'invariant', type: 'string', values: col('invariant') },
    { name: 'severity', type: 'string', values: col('severity') },
    { name: 'first_seen', type: 'time', values: col('first_seen') },
    { name: 'last_seen', type: 'time', values: col('last_seen') },
    { name: 'active', type: 'boolean', values: col('active') },
    { name: 'value', type: 'number', config: unit, values: col('value') },
    { name: 'threshold', type: 'number', config: unit, values: col('threshold') },
    // Why an inactive violation ended without clearing ("no_data": its series stopped); empty otherwise.
    { name: 'ended_by', type: 'string', values: vs.map((v) => v.ended_by ?? null) },
  ]);
}

/** When a violation stops showing: `to` while active, else one step after its last holding sample. */
function endOf(v: Violation, o: FrameOptions): number {
  const step = typeof o.stepMs === 'number' ? o.stepMs : (o.stepMs[v.invariant] ?? 0);
  return v.active ? o.to : Math.min(o.to, v.last_seen + step);
}

function timeline(vs: Violation[], o: FrameOptions): DataFrameJSON[] {
  const groups = new Map<string, Violation[]>();
  const healthy = new Map<string, { store_id: number; address: string; invariant: InvariantName }>();
  for (const e of o.entities ?? []) {
    healthy.set(`${e.store_id}|${e.address}|${e.invariant}`, e);
  }
  for (const v of vs) {
    healthy.delete(`${v.store_id}|${v.address}|${v.invariant}`);
    const key = `${v.store_id}|${v.address}|${v.invariant}`;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const series = [...groups.values()].map((group) => {
    const { store_id, address, invariant } = group[0];
    const on = (t: number) =>
      group.some((v) => v.first_seen <= t && (t < endOf(v, o) || (v.active && t === o.to))) ? 1 : 0;
    const points = new Map<number, number>([[o.from, on(o.from)]]);
    for (const v of group) {
      for (const t of [v.first_seen, endOf(v, o)]) {
        if (t > o.from && t < o.to) {
          points.set(t, on(t));
        }
      }
    }
    points.set(o.to, on(o.to));
    return timelineFrame(o.refId, store_id, address, invariant, points);
  });
  const ok = [...healthy.values()].map((e) =>
    timelineFrame(
      o.refId,
      e.store_id,
      e.address,
      e.invariant,
      new Map([
        [o.from, 0],
        [o.to, 0],
      ])
    )
  );
  return [...series, ...ok].sort((a, b) =>
    (a.schema.name ?? '').localeCompare(b.schema.name ?? '', 'en', { numeric: true })
  );
}

function timelineFrame(
  refId: string,
  store_id: number,
  address: string,
  invariant: InvariantName,
  points: Map<number, number>
): DataFrameJSON {
  const times = [...points.keys()].sort((a, b) => a - b);
  const name = `${who(store_id, address)} ${invariant}`;
  return frame(refId, name, [
    { name: 'time', type: 'time', values: times },
    {
      name: 'violating',
      type: 'number',
      labels: { store_id: String(store_id), address, invariant },
      config: { displayName: name, min: 0, max: 1, mappings: STATE_MAPPINGS },
      values: times.map((t) => points.get(t)),
    },
  ]);
}

/** `store 4`, or `cluster` for a cluster-level row (region_health: CLUSTER_LEVEL_STORE). */
function who(storeId: number, address: string): string {
  return storeId === CLUSTER_LEVEL_STORE.store_id && address === CLUSTER_LEVEL_STORE.address
    ? 'cluster'
    : `store ${storeId}`;
}

function describe(v: Violation): string {
  const where =
    who(v.store_id, v.address) === 'cluster' ? 'cluster' : `store ${v.store_id}${v.address ? ` (${v.address})` : ''}`;
  const fmt = (x: number) =>
    v.invariant === 'low_disk'
      ? `${(x * 100).toFixed(1)} %`
      : v.invariant === 'region_health'
        ? `${x} regions`
        : `${+x.toFixed(3)} s`;
  const state = v.active
    ? 'still violating'
    : v.ended_by === 'no_data'
      ? 'no data since (the series stopped reporting)'
      : 'cleared';
  if (v.invariant === 'store_down' && v.threshold === 0) {
    return `${where}: down (Prometheus up == 0), ${state}`;
  }
  const measure = v.invariant === 'store_down' ? 'no heartbeat for' : WHAT[v.invariant];
  return `${where}: ${measure} ${fmt(v.value)} > ${fmt(v.threshold)}, ${state}`;
}

function annotations(vs: Violation[], o: FrameOptions): DataFrameJSON {
  const sorted = [...vs].sort((a, b) => a.first_seen - b.first_seen);
  return frame(o.refId, 'annotations', [
    { name: 'time', type: 'time', values: sorted.map((v) => v.first_seen) },
    { name: 'timeEnd', type: 'time', values: sorted.map((v) => (v.active ? o.to : v.last_seen)) },
    {
      name: 'title',
      type: 'string',
      // A store in maintenance (being drained, leaders evicted) went down on purpose: said apart from an outage.
      values: sorted.map(
        (v) => `${WHAT[v.invariant]}: ${who(v.store_id, v.address)}${v.maintenance ? ' (maintenance)' : ''}`
      ),
    },
    { name: 'text', type: 'string', values: sorted.map(describe) },
    {
      name: 'tags',
      type: 'string',
      values: sorted.map((v) =>
        [v.invariant, v.severity, `store ${v.store_id}`, ...(v.maintenance ? ['maintenance'] : [])].join(',')
      ),
    },
  ]);
}
