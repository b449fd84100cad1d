import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError } from '../../../src/shared/errors';
import { loadConfig } from '../../../src/server/config';
import { describeSubject } from '../../../src/server/routes/subject';
import { TIKV_CONFIG } from '../../../src/subject/tikv/config';
import { DEFAULT_RULES } from '../../../src/subject/tikv/invariants/rules';
import { resolveSlos } from '../../../src/subject/tikv/slo/definitions';

const dir = mkdtempSync(join(tmpdir(), 'tikv-operator-slo-config-'));

test('defaults: latency and disk 99 % of minutes, availability 99.95 %, all over 30 d', () => {
  const slos = resolveSlos(loadConfig({}).clusters[0].slos);
  expect(Object.entries(slos).map(([n, s]) => [n, s.target, s.objective, s.window])).toEqual([
    ['write_latency_p99', 0.1, 0.99, '30d'],
    ['disk_usage', 0.7, 0.99, '30d'],
    ['store_availability', 1, 0.9995, '30d'],
  ]);
});

test('SLO_<NAME>_OBJECTIVE / _WINDOW override one SLO; a CLUSTERS entry overrides the top level', () => {
  const file = join(dir, 'c.yaml');
  writeFileSync(
    file,
    [
      'SLO_DISK_USAGE_OBJECTIVE: 0.95',
      'CLUSTERS:',
      '  - CLUSTER_NAME: east',
      '    PD_URL: http://pd-east:2379',
      '  - CLUSTER_NAME: west',
      '    PD_URL: http://pd-west:2379',
      '    SLO_DISK_USAGE_OBJECTIVE: 0.9',
      '    SLO_WRITE_LATENCY_P99_WINDOW: 7d',
      '',
    ].join('\n')
  );
  const [east, west] = loadConfig({ SLO_STORE_AVAILABILITY_OBJECTIVE: '1' }, file).clusters.map((c) =>
    resolveSlos(c.slos)
  );
  expect([east.disk_usage.objective, west.disk_usage.objective]).toEqual([0.95, 0.9]);
  expect([east.write_latency_p99.window, west.write_latency_p99.window]).toEqual(['30d', '7d']);
  expect([east.store_availability.objective, west.store_availability.objective]).toEqual([1, 1]);
});

test.each([
  [{ SLO_DISK_USAGE_OBJECTIVE: '99' }, 'SLO_DISK_USAGE_OBJECTIVE', /at most 1/],
  [{ SLO_DISK_USAGE_OBJECTIVE: '0' }, 'SLO_DISK_USAGE_OBJECTIVE', /above 0/],
  [{ SLO_WRITE_LATENCY_P99_OBJECTIVE: 'high' }, 'SLO_WRITE_LATENCY_P99_OBJECTIVE', /number/],
  [{ SLO_STORE_AVAILABILITY_WINDOW: '30 days' }, 'SLO_STORE_AVAILABILITY_WINDOW', /Prometheus duration/],
  [{ SLO_STORE_AVAILABILITY_WINDOW: '5m' }, 'SLO_STORE_AVAILABILITY_WINDOW', /from 1h to 366d/],
])('a bad SLO value stops start-up naming the variable: %j', (env, variable, message) => {
  let err: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).variable).toBe(variable);
  expect((err as Error).message).toMatch(message);
});

test('/api/subject describes each SLO with its objective and window', () => {
  const slos = resolveSlos({ disk_usage: { objective: 0.9 } });
  const d = describeSubject(TIKV_CONFIG, DEFAULT_RULES, slos);
  expect(d.slos.find((s) => s.name === 'disk_usage')).toEqual({
    name: 'disk_usage',
    description: TIKV_CONFIG.slos.disk_usage.description,
    target: 0.7,
    unit: 'ratio',
    objective: 0.9,
    window: '30d',
  });
});
