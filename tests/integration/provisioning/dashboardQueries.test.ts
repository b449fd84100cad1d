/**
 * The provisioned dashboards against a real backend, simulator and Prometheus on loopback: every plugin query (panel
 * and annotation targets), interpolated the way the data source does it, runs without error; every Prometheus query
 * runs against the Prometheus scraping the simulator and returns series; and the field names the panels bind to
 * (transformations, overrides) are the ones the backend's frames carry — for a panel reusing another panel's results
 * (`-- Dashboard --`), the frames of that panel's query.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { waitFor } from '../../../src/embedded/prometheus';
import { toWireQuery } from '../../../src/shared/interpolate';
import { DATASOURCE_PLUGIN_ID } from '../../../src/shared/names';
import { type DataFrameJSON, QueryResponse } from '../../../src/shared/schema/frames';
import { SavedQuery } from '../../../src/shared/schema/query';
import { startBackend, type TestBackend } from '../../support/backend';
import {
  allPanels,
  type Dashboard,
  dashboards,
  type Panel,
  pluginQueries,
  replaceStoreVariable,
} from '../../unit/provisioning/deployFiles';

const TOKEN = 'dashboard-test-token';
const ACTIONS_TOKEN = 'dashboard-test-actions-token';
const all = dashboards();
const queries = all.flatMap(({ dashboard }) => pluginQueries(dashboard, DATASOURCE_PLUGIN_ID));

let b: TestBackend;
let dir: string;
let storeIds: number[];
/** The store whose leaders the test drains, so the audit trail has an action on a store. */
let drained: number;

/** What Grafana shows as a field's name, and what `byName` matchers and name filters compare against. */
function displayNames(frames: DataFrameJSON[]): string[] {
  return frames.flatMap((f) =>
    f.schema.fields.map((field) =>
      String((field.config as { displayName?: string } | undefined)?.displayName ?? field.name)
    )
  );
}

/** POST /api/query for one saved dashboard query, interpolated for the given stores. */
async function run(query: Record<string, unknown>, stores: number[]) {
  const wire = toWireQuery(SavedQuery.parse(query), replaceStoreVariable(stores));
  if ('error' in wire) {
    throw new Error(wire.error);
  }
  const to = Date.now();
  const res = await b.request('POST', '/api/query', {
    token: TOKEN,
    body: { from: to - 5 * 60_000, to, intervalMs: 1000, maxDataPoints: 600, queries: [wire.query] },
  });
  return { res, refId: wire.query.refId };
}

async function framesOf(query: Record<string, unknown>, stores: number[]): Promise<DataFrameJSON[]> {
  const { res, refId } = await run(query, stores);
  expect(res.status).toBe(200);
  const result = QueryResponse.parse(res.json).results[refId];
  expect(result.error).toBeUndefined();
  return result.frames;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tikv-operator-dashboards-'));
  b = await startBackend({
    prometheus: true,
    env: {
      API_TOKEN: TOKEN,
      ACTIONS_ENABLED: 'true',
      ACTIONS_TOKEN,
      AUDIT_DB_PATH: join(dir, 'audit.db'),
      // Minutes of history scraped every second: a 30 d SLO window would be 2.6M one-second SLI steps per series,
      // more than Prometheus answers within the upstream timeout. The SLO panel's query is the same with 1 h.
      SLO_WRITE_LATENCY_P99_WINDOW: '1h',
      SLO_DISK_USAGE_WINDOW: '1h',
      SLO_STORE_AVAILABILITY_WINDOW: '1h',
    },
  });
  const stores = (await (await fetch(`${b.sim.pdUrl}/stores`)).json()) as { stores: Array<{ store: { id: number } }> };
  storeIds = stores.stores.map((s) => s.store.id).sort((x, y) => x - y);
  // Latency needs a rate over two scrapes of every store before the store metrics panels have series.
  await waitFor('store metrics for every store', async () => {
    const frames = await framesOf({ refId: 'A', kind: 'observation', observation: 'get_store_metrics' }, storeIds);
    const latency = displayNames(frames).filter((n) => n.startsWith('P99 write latency'));
    return latency.length >= storeIds.length ? true : undefined;
  });
  // One action on a store, so the store dashboard's audit panel has a row to show.
  drained = storeIds[2];
  const drain = await b.request('POST', '/api/actions/drain_store/execute', {
    token: ACTIONS_TOKEN,
    body: { store_id: drained, mode: 'leaders' },
  });
  expect(drain.status).toBe(200);
  // One violation, so the invariant panels and the annotation regions have rows to show.
  b.sim.stopStore(storeIds[0], { secondsAgo: 60 });
  await waitFor('the store_down violation', async () => {
    const frames = await framesOf({ refId: 'A', kind: 'invariant', format: 'violations' }, storeIds);
    return frames[0]?.data?.values[0]?.length ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await b?.close();
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('every plugin query of the provisioned dashboards, against the backend and simulator', () => {
  it('finds the queries of both dashboards', () => {
    expect(queries.length).toBeGreaterThanOrEqual(10);
  });

  it.each(queries.map((q) => [q.where, q.query]))(
    '%s runs without error, for All stores and for one store',
    async (_w, query) => {
      // All stores include the stopped one, so every panel has something to show.
      expect((await framesOf(query, storeIds)).length).toBeGreaterThan(0);
      // A healthy store alone: no error (an invariant panel may rightly be empty).
      await framesOf(query, [storeIds[1]]);
    }
  );
});

describe('what the dashboards show', () => {
  it('the annotation query returns the store-down violation as a region (time < timeEnd)', async () => {
    const annotation = queries.find((q) => q.where.includes('annotation'))!;
    const [frame] = await framesOf(annotation.query, storeIds);
    const names = frame.schema.fields.map((f) => f.name);
    const column = (n: string) => frame.data!.values[names.indexOf(n)];
    expect(names).toEqual(expect.arrayContaining(['time', 'timeEnd', 'title', 'text', 'tags']));
    expect(column('time').length).toBeGreaterThan(0);
    expect(Number(column('timeEnd')[0])).toBeGreaterThan(Number(column('time')[0]));
    expect(String(column('tags')[0])).toContain('store_down');
  });

  it('the store variable’s query lists store_id and address for every store', async () => {
    const frames = await framesOf({ refId: 'StoreVariable', kind: 'observation', observation: 'get_stores' }, storeIds);
    const names = frames[0].schema.fields.map((f) => f.name);
    const ids = frames[0].data!.values[names.indexOf('store_id')];
    expect(names).toEqual(expect.arrayContaining(['store_id', 'address']));
    expect([...ids].map(Number).sort((x, y) => x - y)).toEqual(storeIds);
  });

  /** Field names a panel binds to: name filters, value filters, `byName` overrides, table sorting. */
  function bindings(p: Panel & Record<string, any>): Array<{ kind: string; pattern: RegExp }> {
    const out: Array<{ kind: string; pattern: RegExp }> = [];
    for (const t of p.transformations ?? []) {
      for (const side of ['include', 'exclude']) {
        if (t.id === 'filterFieldsByName' && t.options[side]?.pattern) {
          out.push({ kind: `filterFieldsByName.${side}`, pattern: new RegExp(t.options[side].pattern) });
        }
      }
      if (t.id === 'filterByValue') {
        for (const f of t.options.filters) {
          out.push({ kind: 'filterByValue', pattern: new RegExp(`^${f.fieldName}$`) });
        }
      }
    }
    for (const o of p.fieldConfig?.overrides ?? []) {
      if (o.matcher.id === 'byName') {
        out.push({ kind: 'override', pattern: new RegExp(`^${o.matcher.options}$`) });
      }
    }
    for (const s of p.options?.sortBy ?? []) {
      out.push({ kind: 'sortBy', pattern: new RegExp(`^${s.displayName}$`) });
    }
    return out;
  }

  /** The plugin queries whose frames a panel shows: its own, or those of the panel it reuses (`-- Dashboard --`). */
  function queriesShownBy(d: Dashboard, p: Panel): Array<Record<string, unknown>> {
    return (p.targets ?? []).flatMap((t) => {
      if ((t.datasource ?? p.datasource)?.uid === '-- Dashboard --') {
        const source = allPanels(d).find((q) => q.id === t.panelId);
        expect({ panel: p.title, reuses: t.panelId, found: source !== undefined }).toEqual({
          panel: p.title,
          reuses: t.panelId,
          found: true,
        });
        return queriesShownBy(d, source!);
      }
      return (t.datasource ?? p.datasource)?.type === DATASOURCE_PLUGIN_ID ? [t] : [];
    });
  }

  const bound = all.flatMap(({ dashboard }) =>
    allPanels(dashboard)
      .filter((p) => bindings(p).length > 0 && p.datasource?.type !== 'prometheus')
      .map((p) => [`${dashboard.uid} panel "${p.title}"`, dashboard, p] as const)
  );

  it('has panels that bind to field names', () => {
    expect(bound.length).toBeGreaterThanOrEqual(5);
  });

  it('reuses other panels’ results through -- Dashboard --', () => {
    expect(bound.filter(([, , p]) => p.datasource?.uid === '-- Dashboard --').length).toBeGreaterThanOrEqual(3);
  });

  it.each(bound)('%s binds only to fields the backend sends', async (_where, dashboard, panel) => {
    const sources = queriesShownBy(dashboard, panel);
    expect(sources.length).toBeGreaterThan(0);
    const names = (await Promise.all(sources.map((t) => framesOf(t, storeIds)))).flat();
    const shown = displayNames(names);
    for (const { kind, pattern } of bindings(panel)) {
      expect({ kind, pattern: String(pattern), matches: shown.some((n) => pattern.test(n)) }).toEqual({
        kind,
        pattern: String(pattern),
        matches: true,
      });
    }
  });
});

describe('the Prometheus panels, against the Prometheus scraping the simulator', () => {
  const promQueries = all.flatMap(({ dashboard }) =>
    allPanels(dashboard).flatMap((p) =>
      (p.targets ?? [])
        .filter((t) => (t.datasource ?? p.datasource)?.type === 'prometheus')
        .map((t) => [`${dashboard.uid} panel "${p.title}"`, String(t.expr)] as const)
    )
  );

  it('finds the balance and region health trends', () => {
    const exprs = promQueries.map(([, e]) => e).join('\n');
    expect(exprs).toContain('pd_scheduler_store_status');
    expect(exprs).toContain('pd_regions_status');
  });

  /** Grafana's interpolation of the variables the PromQL uses: the cluster's selector (raw) and the store. */
  const interpolate = (expr: string, selector: string) =>
    expr.replace(/\$\{selector:raw\}/g, selector).replace(/\$\{store\}|\$store\b/g, String(storeIds[0]));

  async function series(expr: string): Promise<Array<{ metric: Record<string, string> }>> {
    const end = Date.now() / 1000;
    const params = new URLSearchParams({ query: expr, start: String(end - 300), end: String(end), step: '5' });
    const res = await fetch(`${b.prometheus!.url}/api/v1/query_range?${params.toString()}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { result: [] } };
    expect({ expr, status: body.status, error: body.error }).toEqual({ expr, status: 'success', error: undefined });
    return body.data!.result;
  }

  it.each(promQueries)('%s returns series, with the cluster selector empty or set', async (_where, expr) => {
    // Empty: a cluster with a Prometheus of its own; set: a Prometheus shared by several clusters.
    for (const selector of ['', 'job=~".+"']) {
      const result = await waitFor(`series for ${interpolate(expr, selector)}`, async () => {
        const r = await series(interpolate(expr, selector));
        return r.length > 0 ? r : undefined;
      });
      expect(result.length).toBeGreaterThan(0);
    }
    // A selector no series has: the panel is empty, not an error (it filters, it is not ignored).
    expect(await series(interpolate(expr, 'job="no-such-job"'))).toEqual([]);
  });
});

describe('the store dashboard', () => {
  const store = all.find((d) => d.dashboard.uid === 'tikv-operator-store')!.dashboard;
  const panel = (title: string) => allPanels(store).find((p) => p.title === title)! as Panel & Record<string, any>;

  it('shows the drained store’s action in "Actions on this store", and no other store’s', async () => {
    const actions = panel('Actions on this store');
    const [frame] = await framesOf(actions.targets![0], storeIds);
    const targets = frame.data!.values[frame.schema.fields.findIndex((f) => f.name === 'target')].map(String);
    // The panel's filterByValue, interpolated for the store variable the way Grafana does it.
    const filter = actions.transformations.find((t: { id: string }) => t.id === 'filterByValue').options.filters[0];
    const value = (store: number) => String(filter.config.options.value).replace('${store}', String(store));
    expect(filter.fieldName).toBe('target');
    expect(targets.filter((t) => t === value(drained))).toHaveLength(1);
    expect(targets.filter((t) => t === value(storeIds[1]))).toHaveLength(0);
  });

  it('shows only the chosen store’s violations', async () => {
    const [frame] = await framesOf(panel('Violations').targets![0], [storeIds[0]]);
    const ids = frame.data!.values[frame.schema.fields.findIndex((f) => f.name === 'store_id')].map(Number);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids)).toEqual(new Set([storeIds[0]]));
  });
});
