/**
 * The SLO burn-rate rules: the committed files are exactly what `npm run slo-rules` generates from the default SLO
 * definitions, Prometheus loads them, promtool accepts them and passes their unit tests (one per window pair), the
 * Grafana-managed copy matches, and the compose Prometheus keeps more than the longest SLO window.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { SLOS } from '../../../src/shared/names';
import { burnPolicies, grafanaSloRules, prometheusSloRules } from '../../../src/subject/tikv/slo/alertRules';
import { resolveSlos } from '../../../src/subject/tikv/slo/definitions';
import { parsePromDuration } from '../../../src/subject/tikv/promql';
import { compose, flagOf, PROMETHEUS_DIR, PROVISIONING, promtool, readYaml, stringsIn } from './deployFiles';

const DIR = PROMETHEUS_DIR;
const PROM_RULES = join(DIR, 'tikv-operator-slo.rules.yml');
const GRAFANA_RULES = join(PROVISIONING, 'alerting', 'tikv-operator-slo-rules.yaml');
const defaults = resolveSlos({});

test('the committed rule files are the generated ones (run `npm run slo-rules` after changing an SLO)', () => {
  expect(readFileSync(PROM_RULES, 'utf8')).toBe(prometheusSloRules(defaults));
  expect(readFileSync(GRAFANA_RULES, 'utf8')).toBe(grafanaSloRules(defaults));
});

test('the workbook policy for 30 d: 14.4× over 1h/5m and 6× over 6h/30m page, 1× over 3d/6h is a ticket', () => {
  expect(burnPolicies('30d').map((p) => [p.alert, p.severity, p.long, p.short, p.factor])).toEqual([
    ['TiKVOperatorSLOFastBurn', 'critical', '1h', '5m', 14.4],
    ['TiKVOperatorSLOSlowBurn', 'critical', '6h', '30m', 6],
    ['TiKVOperatorSLOBudgetBurn', 'warning', '3d', '6h', 1],
  ]);
  // A shorter SLO window keeps the budget shares (2 %, 5 %, 10 %) and never looks past the window.
  const week = burnPolicies('7d');
  expect(week.map((p) => p.factor)).toEqual([3.36, 1.4, 0.2333333333]);
  const day = burnPolicies('1d');
  expect(day.map((p) => [p.long, p.short])).toEqual([
    ['1h', '5m'],
    ['6h', '30m'],
    ['1d', '2h'],
  ]);
  expect(day[2].factor).toBeCloseTo(0.1, 9);
});

test('Prometheus loads the file; promtool checks it and passes its unit tests for each window pair', () => {
  const config = readYaml<{ rule_files: string[] }>(join(DIR, 'prometheus.yml'));
  expect(config.rule_files).toContain('tikv-operator-slo.rules.yml');
  expect(promtool(['check', 'rules', 'tikv-operator-slo.rules.yml'], 120_000)).toMatchObject({ status: 0 });
  const tests = promtool(['test', 'rules', 'tikv-operator-slo.rules.test.yml'], 120_000);
  expect(tests).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  const names = readYaml<{ tests: Array<{ name: string }> }>(join(DIR, 'tikv-operator-slo.rules.test.yml')).tests.map(
    (t) => t.name
  );
  for (const pair of ['1h/5m', '6h/30m', '3d/6h']) {
    expect(names.some((n) => n.includes(pair))).toBe(true);
  }
}, 120_000);

test('every SLO has its three alerts, each with a summary and a description, in both files', () => {
  const prom = readYaml<{
    groups: Array<{
      rules: Array<{ alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }>;
    }>;
  }>(PROM_RULES);
  const alerts = prom.groups.flatMap((g) => g.rules).filter((r) => r.alert);
  expect(alerts).toHaveLength(SLOS.length * 3);
  const grafana = readYaml<{
    groups: Array<{
      rules: Array<{ uid: string; annotations: Record<string, string>; data: Array<{ model: { expr?: string } }> }>;
    }>;
  }>(GRAFANA_RULES);
  const gRules = grafana.groups.flatMap((g) => g.rules);
  expect(gRules.map((r) => r.data[0].model.expr)).toEqual(alerts.map((a) => (a as unknown as { expr: string }).expr));
  expect(new Set(gRules.map((r) => r.uid)).size).toBe(gRules.length);
  for (const r of [...alerts, ...gRules]) {
    expect(r.annotations?.summary).toMatch(/instance/);
    expect(r.annotations?.description).toMatch(/objective/);
  }
  expect(stringsIn(grafana).filter((s) => s.value.includes('$'))).toEqual([]);
});

test('the compose Prometheus keeps more than the longest SLO window', () => {
  const retention = flagOf(compose().services.prometheus, 'storage.tsdb.retention.time');
  expect(retention).toBeDefined();
  const longest = Math.max(...SLOS.map((n) => parsePromDuration(defaults[n].window)));
  expect(parsePromDuration(retention!)).toBeGreaterThan(longest);
});
