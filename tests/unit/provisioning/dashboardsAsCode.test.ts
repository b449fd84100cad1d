/**
 * The dashboards are generated (src/dashboards/, `npm run dashboards`): the committed JSON is exactly the generated
 * output, the plugin ships every one of them, they pick their data sources through variables only, and no dashboard
 * runs the same query twice (a panel showing another panel's query reuses it through `-- Dashboard --`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { DASHBOARDS, dashboardFile, storeDashboardUrl } from '../../../src/dashboards/names';
import { DATASOURCE_PLUGIN_ID } from '../../../src/shared/names';
import { allPanels, DASHBOARD_DIR, dashboards, filesUnder, ROOT, stringsIn } from './deployFiles';

const all = dashboards();
let generated: Record<string, string>;

beforeAll(() => {
  // The real `npm run dashboards` command, printing instead of writing.
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  generated = JSON.parse(
    execFileSync(tsx, [join(ROOT, 'scripts', 'dashboards.ts'), '--print'], { cwd: ROOT, encoding: 'utf8' })
  ) as Record<string, string>;
}, 60_000);

describe('dashboards as code', () => {
  it('commits exactly the generated dashboards (run `npm run dashboards` after changing src/dashboards/)', () => {
    const committed = filesUnder(DASHBOARD_DIR, ['.json']).map((f) => basename(f));
    expect(committed.sort()).toEqual(Object.keys(generated).sort());
    for (const [file, text] of Object.entries(generated)) {
      // toEqual on the text names the first differing line in the failure message.
      expect({ file, text: readFileSync(join(DASHBOARD_DIR, file), 'utf8') }).toEqual({ file, text });
    }
  });

  it('lists every dashboard in the app’s includes, at the path webpack copies it to', () => {
    const plugin = JSON.parse(readFileSync(join(ROOT, 'src', 'plugin.json'), 'utf8')) as {
      includes: Array<{ type: string; name: string; path?: string }>;
    };
    const included = plugin.includes.filter((i) => i.type === 'dashboard');
    expect(included.map((i) => i.path).sort()).toEqual(
      Object.values(DASHBOARDS)
        .map((d) => `dashboards/${d.slug}.json`)
        .sort()
    );
    for (const i of included) {
      const { dashboard } = all.find((d) => `dashboards/${basename(d.file)}` === i.path)!;
      expect(i.name).toBe(dashboard.title);
    }
    // webpack.config.ts copies provisioning/dashboards/*.json (relative to src/, webpack's context) to dist/dashboards/.
    const webpack = readFileSync(join(ROOT, 'webpack.config.ts'), 'utf8');
    expect(webpack).toContain("{ from: '../provisioning/dashboards/*.json', to: 'dashboards/[name][ext]' }");
  });

  it.each(all.map((d) => [d.dashboard.title, d.dashboard]))(
    '%s has no __inputs and no fixed data source uid, and a revision so Grafana imports it',
    (_title, dashboard) => {
      expect(dashboard).not.toHaveProperty('__inputs');
      expect((dashboard as unknown as { revision?: number }).revision).toBeGreaterThanOrEqual(1);
      const uids = stringsIn(dashboard.panels)
        .concat(stringsIn(dashboard.annotations))
        .concat(stringsIn(dashboard.templating.list.map((v) => v.datasource ?? {})))
        .filter((s) => s.path.endsWith('datasource.uid') || s.path.endsWith('].uid'));
      expect(uids.length).toBeGreaterThan(0);
      for (const { path, value } of uids) {
        expect({ path, value }).toEqual({
          path,
          value: expect.stringMatching(/^(\$\{(datasource|prometheus)\}|-- Grafana --|-- Dashboard --)$/),
        });
      }
    }
  );

  it.each(all.map((d) => [d.dashboard.title, d.dashboard]))('%s runs no query twice', (_title, dashboard) => {
    const seen = new Map<string, string>();
    for (const p of allPanels(dashboard)) {
      for (const t of p.targets ?? []) {
        const ds = t.datasource ?? p.datasource;
        if (ds?.uid === '-- Dashboard --') {
          continue;
        }
        const { refId: _refId, ...query } = t;
        const key = JSON.stringify({ ...query, datasource: ds });
        expect({ query: key, alsoIn: seen.get(key) }).toEqual({ query: key, alsoIn: undefined });
        seen.set(key, p.title);
      }
    }
    expect(seen.size).toBeGreaterThan(0);
  });

  it.each(all.map((d) => [d.dashboard.title, d.dashboard]))(
    '%s: every -- Dashboard -- query reuses a panel of the same dashboard that runs its own query',
    (_title, dashboard) => {
      const byId = new Map(allPanels(dashboard).map((p) => [p.id, p]));
      const shared = allPanels(dashboard).filter((p) => p.datasource?.uid === '-- Dashboard --');
      for (const p of shared) {
        const [t] = p.targets as unknown as Array<{ panelId: number; datasource: { type: string; uid: string } }>;
        expect(t.datasource).toEqual({ type: 'datasource', uid: '-- Dashboard --' });
        const source = byId.get(t.panelId);
        expect({ panel: p.title, source: source?.datasource?.type }).toEqual({
          panel: p.title,
          source: DATASOURCE_PLUGIN_ID,
        });
      }
    }
  );

  it('shares the queries the hand-written dashboards ran several times', () => {
    const sharedIn = (key: keyof typeof DASHBOARDS) =>
      allPanels(all.find((d) => d.dashboard.uid === DASHBOARDS[key].uid)!.dashboard)
        .filter((p) => p.datasource?.uid === '-- Dashboard --')
        .map((p) => p.title);
    expect(sharedIn('invariants')).toEqual(['Active violations', 'Active violations by store']);
    expect(sharedIn('overview')).toEqual(['Disk used per store']);
    expect(sharedIn('store')).toEqual(['Disk used']);
  });

  it('names the files after the dashboards’ slugs, and links to the store dashboard by its uid', () => {
    for (const key of Object.keys(DASHBOARDS) as Array<keyof typeof DASHBOARDS>) {
      const d = all.find((x) => basename(x.file) === dashboardFile(key))!.dashboard;
      expect({ uid: d.uid, title: d.title }).toEqual({ uid: DASHBOARDS[key].uid, title: DASHBOARDS[key].title });
    }
    expect(storeDashboardUrl(4, 'tikv-operator')).toBe(
      '/d/tikv-operator-store/tikv-store?var-store=4&var-datasource=tikv-operator'
    );
  });
});
