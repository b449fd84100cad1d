import { join } from 'node:path';

import { INVARIANT_SEVERITY, INVARIANTS, VIOLATION_METRIC } from '../../../src/shared/names';
import { RECORDED } from '../../../src/subject/tikv/invariants/historySeries';
import { compose, environmentOf, flagOf, PROMETHEUS_DIR, promtool, readYaml, stringsIn } from './deployFiles';

const DIR = PROMETHEUS_DIR;
const CONFIG = join(DIR, 'prometheus.yml');
const RULES = join(DIR, 'tikv-operator.rules.yml');
const RULE_TESTS = join(DIR, 'tikv-operator.rules.test.yml');

interface ScrapeConfig {
  job_name: string;
  honor_labels?: boolean;
  metrics_path?: string;
  static_configs: Array<{ targets: string[] }>;
}
interface PromConfig {
  global: { scrape_interval: string; evaluation_interval: string };
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}
interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const config = readYaml<PromConfig>(CONFIG);
const targetsOf = (job: string) =>
  config.scrape_configs.find((c) => c.job_name === job)?.static_configs.flatMap((s) => s.targets);
const rules = readYaml<{ groups: Array<{ rules: AlertingRule[] }> }>(RULES).groups.flatMap((g) => g.rules);

describe('provisioning/prometheus/prometheus.yml', () => {
  it('passes promtool check config (rule files resolved relative to it)', () => {
    const { status, output } = promtool(['check', 'config', 'prometheus.yml']);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('scrapes every TiKV at its advertised status address (job tikv), as TiUP does', () => {
    const services = compose().services;
    const statusAddrs = Object.values(services)
      .map((s) => flagOf(s, 'advertise-status-addr'))
      .filter((a): a is string => a !== undefined);
    expect(statusAddrs).toHaveLength(3);
    expect(new Set(targetsOf('tikv'))).toEqual(new Set(statusAddrs));
    expect(statusAddrs.every((a) => a.endsWith(':20180'))).toBe(true);
  });

  it('scrapes PD at its advertised client URL (job pd)', () => {
    const pdUrl = flagOf(compose().services.pd, 'advertise-client-urls');
    expect(targetsOf('pd')).toEqual([new URL(pdUrl!).host]);
  });

  it('scrapes the backend exporter where the backend listens', () => {
    const backendPort = environmentOf(compose().services.backend).PORT;
    expect(targetsOf('tikv-operator')).toEqual([`backend:${backendPort}`]);
  });

  it('uses relative rule paths and holds no credentials', () => {
    expect(config.rule_files.every((f) => !f.startsWith('/'))).toBe(true);
    const secrets = stringsIn(config).filter((s) => /password|credentials|bearer_token|authorization/i.test(s.path));
    expect(secrets).toEqual([]);
  });
});

describe('provisioning/prometheus/tikv-operator.rules.yml', () => {
  it('passes promtool check rules', () => {
    const { status, output } = promtool(['check', 'rules', 'tikv-operator.rules.yml']);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 7 rules found') });
  });

  it.each(INVARIANTS.map((i) => [i]))(
    '%s: one alert on the exporter series merged across replicas (cluster kept), firing at once, with severity and store',
    (invariant) => {
      const matching = rules.filter((r) => r.expr.includes(`invariant="${invariant}"`));
      expect(matching).toHaveLength(1);
      const [rule] = matching;
      expect(rule.expr.replace(/\s+/g, ' ')).toBe(
        `max without (instance) (${VIOLATION_METRIC}{invariant="${invariant}"}) > 0`
      );
      expect(rule.for ?? '0s').toBe('0s');
      // store_down in maintenance routes to info (the promtool tests below evaluate the template).
      const severity =
        invariant === 'store_down'
          ? '{{ if eq $labels.maintenance "true" }}info{{ else }}critical{{ end }}'
          : INVARIANT_SEVERITY[invariant];
      expect(rule.annotations.summary).toContain('{{ $labels.cluster }}');
      if (invariant === 'region_health') {
        // Cluster-level (store_id="0", address="cluster"): no store label, a description of what to check.
        expect(rule.labels).toEqual({ severity });
        expect(rule.annotations.description).toContain('pd_regions_status');
        return;
      }
      expect(rule.labels).toEqual({ severity, store: '{{ $labels.store_id }}' });
      expect(rule.annotations.summary).toContain('{{ $labels.store_id }}');
      expect(rule.annotations.summary).toContain(invariant);
    }
  );

  it('watch the backend itself: not scraped, checker stale, PD unreachable', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['TiKVOperatorBackendDown', 'TiKVOperatorCheckerStale', 'TiKVOperatorPDUnreachable'])
    );
  });

  it('passes its promtool unit tests: each alert fires at the first violating evaluation and resolves when the series goes', () => {
    const { status, output } = promtool(['test', 'rules', 'tikv-operator.rules.test.yml']);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    // The unit tests cover every alert of the rule file.
    const tested = new Set(
      readYaml<{ tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }> }>(RULE_TESTS)
        .tests.flatMap((t) => t.alert_rule_test)
        .filter((t) => t.exp_alerts.length > 0)
        .map((t) => t.alertname)
    );
    expect(tested).toEqual(new Set(rules.map((r) => r.alert)));
  });
});

describe('provisioning/prometheus/tikv-operator-history.rules.yml', () => {
  it('passes promtool check rules and its unit tests (the recorded series equal the raw expressions)', () => {
    expect(promtool(['check', 'rules', 'tikv-operator-history.rules.yml'])).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS: 2 rules found'),
    });
    const { status, output } = promtool(['test', 'rules', 'tikv-operator-history.rules.test.yml']);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('records the series the backend looks for, and prometheus.yml loads it', () => {
    const recorded = readYaml<{ groups: Array<{ rules: Array<{ record: string }> }> }>(
      join(DIR, 'tikv-operator-history.rules.yml')
    ).groups.flatMap((g) => g.rules.map((r) => r.record));
    expect(new Set(recorded)).toEqual(new Set(Object.values(RECORDED)));
    expect(config.rule_files).toContain('tikv-operator-history.rules.yml');
  });
});
