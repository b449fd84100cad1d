import { toWireQuery } from '../../../src/shared/interpolate';
import { DATASOURCE_PLUGIN_ID, OBSERVATIONS } from '../../../src/shared/names';
import { SavedQuery } from '../../../src/shared/schema/query';
import { allPanels, dashboards, dataSources, type Panel, pluginQueries, replaceStoreVariable } from './deployFiles';

const all = dashboards();
const byTitle = (title: string) => all.find((d) => d.dashboard.title === title)?.dashboard;
const queries = all.flatMap(({ dashboard }) => pluginQueries(dashboard, DATASOURCE_PLUGIN_ID));

describe('provisioned dashboards', () => {
  it('include "TiKV cluster overview" and "TiKV invariants", with unique uids and no fixed ids', () => {
    expect(byTitle('TiKV cluster overview')).toBeDefined();
    expect(byTitle('TiKV invariants')).toBeDefined();
    expect(new Set(all.map((d) => d.dashboard.uid)).size).toBe(all.length);
    for (const { dashboard } of all) {
      expect(dashboard.id).toBeNull();
      expect(new Set(allPanels(dashboard).map((p) => p.id)).size).toBe(allPanels(dashboard).length);
    }
  });

  it.each(all.filter((d) => d.dashboard.title !== 'TiKV store').map((d) => [d.dashboard.title, d.dashboard]))(
    '%s has a store variable from the plugin’s variable query, multi-value with All',
    (_title, dashboard) => {
      const store = dashboard.templating.list.find((v) => v.name === 'store');
      expect(store).toMatchObject({
        type: 'query',
        datasource: { type: DATASOURCE_PLUGIN_ID, uid: '${datasource}' },
        // src/datasource/variables.ts: `values: 'stores'` lists text = address, value = store_id.
        query: { values: 'stores' },
        multi: true,
        includeAll: true,
      });
    }
  );

  it.each(all.map((d) => [d.dashboard.title, d.dashboard]))(
    '%s picks the cluster by data source variables, and has the chosen cluster’s Prometheus selector',
    (_title, dashboard) => {
      const variable = (name: string) => dashboard.templating.list.find((v) => v.name === name);
      const provisioned = (type: string) => dataSources().find((d) => d.type === type)!.uid;
      expect(variable('datasource')).toMatchObject({
        type: 'datasource',
        query: DATASOURCE_PLUGIN_ID,
        current: { value: provisioned(DATASOURCE_PLUGIN_ID) },
      });
      expect(variable('prometheus')).toMatchObject({
        type: 'datasource',
        query: 'prometheus',
        current: { value: provisioned('prometheus') },
      });
      // src/datasource/variables.ts: `values: 'selector'` answers the data source's cluster's PROMETHEUS_SELECTOR.
      expect(variable('selector')).toMatchObject({
        type: 'query',
        datasource: { type: DATASOURCE_PLUGIN_ID, uid: '${datasource}' },
        query: { values: 'selector' },
      });
      // No panel or annotation is tied to one data source's uid.
      expect(JSON.stringify(dashboard)).not.toContain(`"uid":"${provisioned(DATASOURCE_PLUGIN_ID)}"`);
    }
  );

  it.each(all.map((d) => [d.dashboard.title, d.dashboard]))(
    '%s shows violations as regions through the plugin’s annotation query, enabled',
    (_title, dashboard) => {
      const annotation = dashboard.annotations.list.find((a) => a.datasource?.type === DATASOURCE_PLUGIN_ID);
      expect(annotation).toMatchObject({ enable: true, target: { kind: 'invariant', format: 'annotations' } });
    }
  );

  it('overview covers every observation; invariants shows active violations, a state timeline and history', () => {
    const kinds = (title: string) => pluginQueries(byTitle(title)!, DATASOURCE_PLUGIN_ID).map((q) => q.query);
    const observations = kinds('TiKV cluster overview').filter((q) => q.kind === 'observation');
    expect(new Set(observations.map((q) => q.observation))).toEqual(new Set(OBSERVATIONS));
    const inv = byTitle('TiKV invariants')!;
    // A panel reusing another panel's results (`-- Dashboard --`, target.panelId) shows that panel's query.
    const queriesOf = (p: Panel): Array<Record<string, unknown>> =>
      (p.targets ?? []).flatMap((t) =>
        t.panelId === undefined ? [t] : queriesOf(allPanels(inv).find((q) => q.id === t.panelId)!)
      );
    const panelFor = (format: string) =>
      allPanels(inv).filter((p) => queriesOf(p).some((t) => t.kind === 'invariant' && t.format === format));
    expect(panelFor('timeline').map((p) => p.type)).toEqual(['state-timeline']);
    expect(panelFor('violations').map((p) => p.title)).toEqual(
      expect.arrayContaining(['Active violations by store', 'Violation history'])
    );
  });

  it('filter every store-scoped panel by the store variable', () => {
    const scoped = queries.filter(
      (q) =>
        q.query.kind === 'invariant' ||
        ['get_stores', 'get_store_metrics', 'get_hot_write_regions'].includes(String(q.query.observation))
    );
    expect(scoped.length).toBeGreaterThan(0);
    for (const q of scoped) {
      expect({ where: q.where, stores: q.query.stores }).toEqual({ where: q.where, stores: '$store' });
    }
  });
});

describe('every plugin query in the dashboards', () => {
  it('is found (panel targets and annotation targets)', () => {
    expect(queries.length).toBeGreaterThanOrEqual(10);
    expect(queries.some((q) => q.where.includes('annotation'))).toBe(true);
  });

  it.each(queries.map((q) => [q.where, q.query]))('%s validates against the saved query model', (_where, query) => {
    const parsed = SavedQuery.safeParse(query);
    expect(parsed.success ? 'valid' : parsed.error.issues).toBe('valid');
  });

  it.each(queries.map((q) => [q.where, q.query]))(
    '%s interpolates into a wire query for All stores and for one store',
    (_where, query) => {
      const saved = SavedQuery.parse(query);
      for (const selected of [[1, 4, 5], [4]]) {
        const wire = toWireQuery(saved, replaceStoreVariable(selected));
        expect('query' in wire ? 'ok' : wire).toBe('ok');
        if ('query' in wire && saved.stores && wire.query.kind !== 'audit') {
          expect(wire.query.storeIds).toEqual(selected);
        }
      }
    }
  );
});
