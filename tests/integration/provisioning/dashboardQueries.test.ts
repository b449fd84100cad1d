/**
 * The provisioned dashboards against a real backend, simulator and Prometheus on loopback: every plugin query (panel
 * and annotation targets), interpolated the way the data source does it, runs without error, and the field names
 * the panels bind to (transformations, overrides) are the ones the backend's frames carry.
 */
import { waitFor } from '../../../src/embedded/prometheus';
import { toWireQuery } from '../../../src/shared/interpolate';
import { DATASOURCE_PLUGIN_ID } from '../../../src/shared/names';
import { type DataFrameJSON, QueryResponse } from '../../../src/shared/schema/frames';
import { SavedQuery } from '../../../src/shared/schema/query';
import { startBackend, type TestBackend } from '../../support/backend';
import {
  allPanels,
  dashboards,
  type Panel,
  pluginQueries,
  replaceStoreVariable,
} from '../../unit/provisioning/deployFiles';

const TOKEN = 'dashboard-test-token';
const all = dashboards();
const queries = all.flatMap(({ dashboard }) => pluginQueries(dashboard, DATASOURCE_PLUGIN_ID));

let b: TestBackend;
let storeIds: number[];

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
  b = await startBackend({ prometheus: true, env: { API_TOKEN: TOKEN } });
  const stores = (await (await fetch(`${b.sim.pdUrl}/stores`)).json()) as { stores: Array<{ store: { id: number } }> };
  storeIds = stores.stores.map((s) => s.store.id).sort((x, y) => x - y);
  // Latency needs a rate over two scrapes of every store before the store metrics panels have series.
  await waitFor('store metrics for every store', async () => {
    const frames = await framesOf({ refId: 'A', kind: 'observation', observation: 'get_store_metrics' }, storeIds);
    const latency = displayNames(frames).filter((n) => n.startsWith('P99 write latency'));
    return latency.length >= storeIds.length ? true : undefined;
  });
  // One violation, so the invariant panels and the annotation regions have rows to show.
  b.sim.stopStore(storeIds[0], { secondsAgo: 60 });
  await waitFor('the store_down violation', async () => {
    const frames = await framesOf({ refId: 'A', kind: 'invariant', format: 'violations' }, storeIds);
    return frames[0]?.data?.values[0]?.length ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await b?.close();
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

  const bound = all.flatMap(({ dashboard }) =>
    allPanels(dashboard)
      .filter((p) => bindings(p).length > 0)
      .map((p) => [`${dashboard.uid} panel "${p.title}"`, p] as const)
  );

  it('has panels that bind to field names', () => {
    expect(bound.length).toBeGreaterThanOrEqual(5);
  });

  it.each(bound)('%s binds only to fields the backend sends', async (_where, panel) => {
    const names = (await Promise.all(panel.targets!.map((t) => framesOf(t, storeIds)))).flat();
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
