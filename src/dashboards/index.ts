/**
 * Every shipped dashboard, generated from the typed builders (`npm run dashboards` writes them to
 * provisioning/dashboards/; webpack copies them into the plugin's `dashboards/`, listed in plugin.json `includes`).
 */
// The v1 dashboard model (`dashboard.*`, deprecated by the SDK for v2) is the one file provisioning and plugin
// `includes` import; v2 needs Grafana's v2 dashboard API.
/* eslint-disable @typescript-eslint/no-deprecated */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

import { invariants } from './invariants';
import { type DashboardKey, dashboardFile } from './names';
import { overview } from './overview';
import { store } from './store';

const BUILDERS: Record<DashboardKey, () => dashboard.Dashboard> = { overview, invariants, store };

/**
 * A panel without a data source of its own takes its first target's (Grafana resolves a panel's queries through
 * the panel's data source: the plugin, Prometheus or `-- Dashboard --`).
 */
function withPanelDataSources(d: dashboard.Dashboard): dashboard.Dashboard {
  for (const p of d.panels ?? []) {
    if ('targets' in p && !p.datasource) {
      const first = p.targets?.[0] as { datasource?: dashboard.Panel['datasource'] } | undefined;
      if (first?.datasource) {
        p.datasource = first.datasource;
      }
    }
  }
  // The SDK's default `placement: inControlsMenu` would tuck the violations toggle and the dashboard links away in
  // the controls menu.
  for (const a of d.annotations?.list ?? []) {
    delete a.placement;
  }
  for (const l of d.links ?? []) {
    delete l.placement;
  }
  return d;
}

/** File name → the dashboard JSON text, exactly as committed (2-space indent, trailing newline). */
export function generateDashboards(): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(BUILDERS) as DashboardKey[]).map((key) => [
      dashboardFile(key),
      `${JSON.stringify(withPanelDataSources(BUILDERS[key]()), null, 2)}\n`,
    ])
  );
}
