/**
 * Every store id leads to the store dashboard for that store: the store id columns of the dashboards' tables (data
 * links), the Grafana alert rules (dashboard_url, __dashboardUid__ + __panelId__) and the Prometheus alert rules
 * (dashboard_url, promtool checks the rendered value in tikv-operator.rules.test.yml).
 */
import { join } from 'node:path';

import { STORE_LINK_URL } from '../../../src/dashboards/common';
import { DASHBOARDS, storeDashboardUrl } from '../../../src/dashboards/names';
import { allPanels, dashboards, grafanaAlertRules, type Panel, PROVISIONING, readYaml } from './deployFiles';

type AnyPanel = Panel & {
  fieldConfig?: {
    overrides?: Array<{ matcher: { id: string; options: string }; properties: Array<{ id: string; value: any }> }>;
  };
};

const all = dashboards().map((d) => d.dashboard);
const byUid = (uid: string) => all.find((d) => d.uid === uid)!;
const store = byUid(DASHBOARDS.store.uid);

/** The field names a panel links to the store dashboard. */
function linkedFields(p: AnyPanel): string[] {
  return (p.fieldConfig?.overrides ?? [])
    .filter((o) => o.matcher.id === 'byName')
    .filter((o) =>
      o.properties.some(
        (prop) => prop.id === 'links' && prop.value.some((l: { url: string }) => l.url === STORE_LINK_URL)
      )
    )
    .map((o) => o.matcher.options);
}

describe('store ids in the dashboards', () => {
  it.each([
    [DASHBOARDS.overview.uid, 'Stores', 'Store'],
    [DASHBOARDS.overview.uid, 'Hot write regions', 'Leader store'],
    [DASHBOARDS.overview.uid, 'Forecasts', 'Store'],
    [DASHBOARDS.invariants.uid, 'Active violations by store', 'store_id'],
    [DASHBOARDS.invariants.uid, 'Violation history', 'store_id'],
  ])('%s "%s" links its %s column to the store dashboard', (uid, title, field) => {
    const panel = allPanels(byUid(uid)).find((p) => p.title === title) as AnyPanel;
    expect(linkedFields(panel)).toContain(field);
  });

  it('the link, once Grafana fills in the value, the data source and the time range, is the store dashboard URL', () => {
    const url = STORE_LINK_URL.replace('${__value.raw}', '4')
      .replace('${datasource}', 'tikv-operator')
      .replace('&${__url_time_range}', '');
    expect(url).toBe(storeDashboardUrl(4, 'tikv-operator'));
    expect(STORE_LINK_URL).toContain('${__url_time_range}');
  });

  it('the store dashboard has one store variable, fed by the plugin, and the data source variables', () => {
    const names = store.templating.list.map((v) => v.name);
    expect(names).toEqual(['datasource', 'prometheus', 'selector', 'store']);
    expect(store.templating.list.find((v) => v.name === 'store')).toMatchObject({ multi: false, includeAll: false });
  });
});

describe('store ids in the alert rules', () => {
  const storeRules = grafanaAlertRules()
    .groups.flatMap((g) => g.rules)
    .filter((r) => r.labels.store !== undefined);

  it('finds the Grafana rules of store invariants', () => {
    expect(storeRules.length).toBeGreaterThanOrEqual(3);
  });

  it.each(storeRules.map((r) => [r.uid, r]))('%s links the store dashboard for the alert’s store', (_uid, rule) => {
    expect(rule.annotations.dashboard_url).toBe(
      `/d/${DASHBOARDS.store.uid}/${DASHBOARDS.store.slug}?var-store={{ index .Labels "store_id" }}`
    );
    expect(rule.annotations.__dashboardUid__).toBe(DASHBOARDS.store.uid);
    const panel = allPanels(store).find((p) => String(p.id) === rule.annotations.__panelId__);
    expect(panel?.type).toBe('state-timeline');
  });

  const promRules = readYaml<{
    groups: Array<{
      rules: Array<{ alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }>;
    }>;
  }>(join(PROVISIONING, 'prometheus', 'tikv-operator.rules.yml'))
    .groups.flatMap((g) => g.rules)
    .filter((r) => r.labels?.store !== undefined);

  it.each(promRules.map((r) => [r.alert, r]))('Prometheus rule %s links the store dashboard', (_alert, rule) => {
    expect(promRules.length).toBeGreaterThanOrEqual(3);
    expect(rule.annotations?.dashboard_url).toBe(
      `/d/${DASHBOARDS.store.uid}/${DASHBOARDS.store.slug}?var-store={{ $labels.store_id }}`
    );
  });
});
