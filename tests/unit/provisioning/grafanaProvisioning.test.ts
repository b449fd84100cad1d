import { join, relative } from 'node:path';

import {
  APP_PLUGIN_ID,
  DATASOURCE_PLUGIN_ID,
  INVARIANT_SEVERITY,
  INVARIANTS,
  VIOLATION_METRIC,
} from '../../../src/shared/names';
import {
  bindMounts,
  compose,
  composeDataSources,
  dashboards,
  dataSources,
  environmentOf,
  filesUnder,
  grafanaAlertRules,
  PROVISIONING,
  readYaml,
  ROOT,
  sharedDataSources,
  stringsIn,
} from './deployFiles';

const pluginDs = () => dataSources().find((d) => d.type === DATASOURCE_PLUGIN_ID)!;
const prometheusDs = () => dataSources().find((d) => d.type === 'prometheus')!;

describe('provisioning YAML files', () => {
  const files = filesUnder(PROVISIONING, ['.yaml', '.yml']);

  it('finds the data source, app, dashboard provider, alerting and Prometheus files', () => {
    const names = files.map((f) => relative(PROVISIONING, f));
    expect(names).toEqual(
      expect.arrayContaining([
        'datasources/tikv-operator.yaml',
        'plugins/apps.yaml',
        'alerting/tikv-operator-rules.yaml',
        'compose/alerting/notifications.yaml',
        'compose/datasources/prometheus.yaml',
        'prometheus/prometheus.yml',
        'prometheus/tikv-operator.rules.yml',
        'prometheus/tikv-operator.rules.test.yml',
      ])
    );
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))('%s parses as YAML', (_name, file) => {
    expect(() => readYaml(file)).not.toThrow();
  });

  it.each(files.filter((f) => !f.includes('/prometheus/')).map((f) => [relative(ROOT, f), f]))(
    '%s declares apiVersion 1 as Grafana provisioning requires',
    (_name, file) => {
      expect(readYaml<{ apiVersion: unknown }>(file).apiVersion).toBe(1);
    }
  );
});

describe('provisioned data sources', () => {
  it('provision the plugin data source with a fixed uid, pointing at the compose backend service', () => {
    const ds = pluginDs();
    expect(ds).toMatchObject({ type: DATASOURCE_PLUGIN_ID, uid: 'tikv-operator', access: 'proxy' });
    const backend = compose().services.backend;
    const url = new URL(String(ds.jsonData?.backendUrl));
    // The Grafana server reaches the backend by its compose service name and the port the backend listens on.
    expect(url.protocol).toBe('http:');
    expect(url.hostname).toBe('backend');
    expect(url.port).toBe(environmentOf(backend).PORT);
  });

  it('take both tokens from Grafana’s environment, never a literal secret', () => {
    expect(pluginDs().secureJsonData).toEqual({ apiToken: '$API_TOKEN', actionsToken: '$ACTIONS_TOKEN' });
    const grafanaEnv = environmentOf(compose().services.grafana);
    expect(Object.keys(grafanaEnv)).toEqual(expect.arrayContaining(['API_TOKEN', 'ACTIONS_TOKEN']));
  });

  it('provision Prometheus with a fixed uid at the compose Prometheus service', () => {
    const ds = prometheusDs();
    expect(ds.uid).toBe('tikv-prometheus');
    expect(new URL(ds.url!).host).toBe('prometheus:9090');
    expect(compose().services.prometheus).toBeDefined();
  });

  it('are safe to copy into an existing Grafana: no default data source, no name Grafana users already have', () => {
    // A second isDefault makes Grafana reject all data source provisioning; a data source provisioned with the
    // name of an existing one (e.g. "Prometheus") overwrites it.
    for (const ds of sharedDataSources()) {
      expect({ name: ds.name, isDefault: ds.isDefault ?? false }).toEqual({ name: ds.name, isDefault: false });
      expect(ds.name).toMatch(/^TiKV Operator/);
      expect(ds.type).toBe(DATASOURCE_PLUGIN_ID);
    }
  });

  it('keep the compose-only Prometheus next to the compose-only notification policy, with a name of its own', () => {
    expect(composeDataSources().map((d) => [d.type, d.name])).toEqual([
      ['prometheus', 'TiKV Operator Prometheus (compose)'],
    ]);
    expect(composeDataSources().every((d) => !d.isDefault)).toBe(true);
  });

  it('have unique uids and names', () => {
    const all = dataSources();
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    expect(new Set(all.map((d) => d.name)).size).toBe(all.length);
  });
});

describe('provisioned app and dashboard provider', () => {
  it('enable the app plugin', () => {
    const apps = readYaml<{ apps: Array<{ type: string; disabled: boolean; org_id: number }> }>(
      join(PROVISIONING, 'plugins', 'apps.yaml')
    ).apps;
    expect(apps).toEqual([expect.objectContaining({ type: APP_PLUGIN_ID, disabled: false, org_id: 1 })]);
  });

  it('bring the dashboards through the app’s includes, not a file provider whose uids would collide', () => {
    // Grafana imports an enabled app's included dashboards (pkg/services/plugindashboards DashboardUpdater, with
    // Overwrite); a file-provisioned dashboard with the same uid cannot be overwritten, so there is one copy only.
    expect(filesUnder(join(PROVISIONING, 'dashboards'), ['.yaml', '.yml'])).toEqual([]);
    for (const service of ['grafana', 'grafana-replicas']) {
      const mounts = bindMounts(compose().services[service]).map((m) => m.source);
      expect({ service, dashboards: mounts.filter((m) => m.includes('provisioning/dashboards')) }).toEqual({
        service,
        dashboards: [],
      });
    }
  });

  it('reference only provisioned data sources, with the matching type, from every dashboard', () => {
    const byUid = new Map(dataSources().map((d) => [d.uid, d.type]));
    for (const { file, dashboard } of dashboards()) {
      // `${datasource}` and `${prometheus}` are data source variables: their default is a provisioned data source.
      const variables = new Map(
        dashboard.templating.list
          .filter((v) => v.type === 'datasource')
          .map((v) => [`\${${v.name}}`, String((v as { current?: { value?: unknown } }).current?.value)])
      );
      const resolve = (uid: string) => variables.get(uid) ?? uid;
      const refs = stringsIn(dashboard)
        .filter((s) => s.path.endsWith('datasource.uid'))
        .map((s) => ({ path: s.path, uid: resolve(s.value) }));
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) {
        if (ref.uid === '-- Grafana --' || ref.uid === '-- Dashboard --') {
          continue; // Grafana's built-in annotations; a panel reusing another panel's query
        }
        expect({ file, path: ref.path, type: byUid.get(ref.uid) }).toEqual({
          file,
          path: ref.path,
          type: expect.any(String),
        });
      }
      const typed = stringsIn(dashboard).filter(
        (s) => s.path.endsWith('datasource.type') && !['grafana', 'datasource'].includes(s.value)
      );
      for (const t of typed) {
        const uidPath = t.path.replace(/type$/, 'uid');
        const uid = stringsIn(dashboard).find((s) => s.path === uidPath)?.value;
        expect({ file, path: t.path, type: byUid.get(resolve(uid ?? '')) }).toEqual({
          file,
          path: t.path,
          type: t.value,
        });
      }
    }
  });
});

describe('Grafana alert rules on violations', () => {
  const file = grafanaAlertRules();
  const rules = file.groups[0].rules;
  const ruleFor = (invariant: string) =>
    rules.find((r) => String(r.data[0].model.expr).includes(`invariant="${invariant}"`));

  it('have one rule per invariant in one group, and a watchdog group; uids unique', () => {
    expect(file.groups.map((g) => g.name)).toEqual(['tikv-operator-invariants', 'tikv-operator-watchdog']);
    expect(rules).toHaveLength(INVARIANTS.length);
    const all = file.groups.flatMap((g) => g.rules);
    expect(new Set(all.map((r) => r.uid)).size).toBe(all.length);
    for (const invariant of INVARIANTS) {
      expect(ruleFor(invariant)).toBeDefined();
    }
  });

  it('use an evaluation interval Grafana accepts (a multiple of its 10 s minimum)', () => {
    const seconds = Number(/^(\d+)s$/.exec(file.groups[0].interval)?.[1]);
    expect(seconds % 10).toBe(0);
  });

  it.each(INVARIANTS.map((i) => [i]))(
    '%s: queries the exporter series on the provisioned Prometheus, merged across backend replicas',
    (invariant) => {
      const rule = ruleFor(invariant)!;
      const [query, threshold] = rule.data;
      expect(query.datasourceUid).toBe(prometheusDs().uid);
      expect(String(query.model.expr).replace(/\s+/g, ' ')).toBe(
        `max without (instance) (${VIOLATION_METRIC}{invariant="${invariant}"})`
      );
      expect(query.model).toMatchObject({ refId: query.refId, instant: true });
      // The condition is a server-side expression: the series is above 0 (one series per active violation).
      expect(threshold).toMatchObject({
        datasourceUid: '__expr__',
        model: { type: 'threshold', expression: query.refId, conditions: [{ evaluator: { type: 'gt', params: [0] } }] },
      });
      expect(rule.condition).toBe(threshold.refId);
    }
  );

  it.each(INVARIANTS.map((i) => [i]))(
    '%s: fires at once (for 0s: the backend already applied the grace), with severity, store and a summary',
    (invariant) => {
      const rule = ruleFor(invariant)!;
      expect(rule.for).toBe('0s');
      expect(rule.noDataState).toBe('OK');
      expect(rule.labels.severity).toBe(
        invariant === 'store_down'
          ? '{{ if eq (index .Labels "maintenance") "true" }}info{{ else }}critical{{ end }}'
          : INVARIANT_SEVERITY[invariant]
      );
      expect(rule.annotations.summary).toMatch(/\{\{.*"cluster".*\}\}/);
      expect(rule.annotations.summary).toContain(invariant);
      if (invariant === 'region_health') {
        // Cluster-level (store_id 0): no store label, a description naming PD's counts and the threshold.
        expect(rule.labels.store).toBeUndefined();
        expect(rule.annotations.description).toMatch(/pd_regions_status.*threshold/);
        return;
      }
      expect(rule.labels.store).toMatch(/\{\{.*store_id.*\}\}/);
      expect(rule.annotations.summary).toMatch(/\{\{.*store_id.*\}\}/);
      // Like the Prometheus rules: a sentence on what the violation means.
      expect(rule.annotations.description).toMatch(/\{\{.*store_id.*\}\}.*threshold|timeout/);
    }
  );

  it('watch the backend: not scraped (no data alerts), checker stale, PD unreachable for 2 minutes', () => {
    const watchdog = file.groups[1];
    expect(watchdog.rules.map((r) => [r.uid, r.noDataState, r.for])).toEqual([
      ['tikv-operator-backend-down', 'Alerting', '30s'],
      ['tikv-operator-checker-stale', 'OK', '0s'],
      ['tikv-operator-pd-unreachable', 'OK', '2m'],
    ]);
    expect(watchdog.interval).toBe(file.groups[0].interval);
    for (const r of watchdog.rules) {
      expect(r.data[0].datasourceUid).toBe(prometheusDs().uid);
    }
  });

  it('contain no `$`, which Grafana would expand from its environment when it reads the file', () => {
    expect(stringsIn(file).filter((s) => s.value.includes('$'))).toEqual([]);
  });
});

describe('compose-only contact point and notification policy', () => {
  const notifications = readYaml<{
    contactPoints: Array<{ name: string; receivers: Array<{ uid: string; type: string; settings: { url: string } }> }>;
    policies: Array<{ receiver: string; routes?: Array<{ receiver: string }> }>;
  }>(join(PROVISIONING, 'compose', 'alerting', 'notifications.yaml'));

  it('route every policy to a provisioned contact point', () => {
    const names = new Set(notifications.contactPoints.map((c) => c.name));
    const receivers = notifications.policies.flatMap((p) => [p.receiver, ...(p.routes ?? []).map((r) => r.receiver)]);
    expect(receivers.length).toBeGreaterThan(0);
    for (const r of receivers) {
      expect(names.has(r)).toBe(true);
    }
  });

  it('take the webhook URL from the environment compose sets', () => {
    expect(notifications.contactPoints[0].receivers[0].settings.url).toBe('$ALERT_WEBHOOK_URL');
    expect(environmentOf(compose().services.grafana).ALERT_WEBHOOK_URL).toBeTruthy();
  });

  it('sit outside provisioning/alerting, so copying that folder never replaces a policy tree', () => {
    expect(filesUnder(join(PROVISIONING, 'alerting'), ['.yaml', '.yml']).map((f) => relative(PROVISIONING, f))).toEqual(
      ['alerting/tikv-operator-rules.yaml', 'alerting/tikv-operator-slo-rules.yaml']
    );
  });
});
