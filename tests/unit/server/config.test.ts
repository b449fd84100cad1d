import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError } from '../../../src/shared/errors';
import { configSecrets, isLoopback, loadConfig, safeUrl } from '../../../src/server/config';
import { addSecrets, redact } from '../../../src/shared/redact';

const dir = mkdtempSync(join(tmpdir(), 'tikv-operator-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('with no variables the backend listens on 127.0.0.1:3100 in embedded mode with the documented defaults', () => {
    const c = loadConfig({});
    expect(c.clusters[0].pd).toBeUndefined();
    expect(c.clusters[0].prometheus).toBeUndefined();
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(3100);
    expect(c.apiToken).toBeUndefined();
    expect(c.metricsToken).toBeUndefined();
    expect(c.rateWindow).toBe('1m');
    expect(c.checkIntervalMs).toBe(15_000);
    expect(c.actions).toEqual({ enabled: false, token: undefined, auditDbPath: './audit.db' });
    expect(c.clusters[0].instanceMapping).toBe('status_address');
    expect(c.clusters[0].includeTiFlash).toBe(false);
    expect(c.clusters[0].selector).toEqual([]);
    expect(c.clusters.map((k) => k.name)).toEqual(['default']);
  });

  test('PD_URL takes comma-separated members and adds PD API prefix to bare origins', () => {
    const c = loadConfig({ PD_URL: 'http://pd-1:2379, https://pd-2:2379/pd/api/v1/ ,', PROMETHEUS_URL: 'http://prom:9090' });
    expect(c.clusters[0].pd?.urls).toEqual(['http://pd-1:2379/pd/api/v1', 'https://pd-2:2379/pd/api/v1']);
    expect(c.clusters[0].prometheus?.url).toBe('http://prom:9090');
    expect(c.clusters[0].prometheus?.jobs).toEqual({ tikv: 'tikv', pd: 'pd' });
  });

  test.each([
    [{ PD_URL: 'pd-1:2379' }, 'PD_URL'],
    [{ PD_URL: 'ftp://pd' }, 'PD_URL'],
    [{ PD_URL: ' , ' }, 'PD_URL'],
    [{ PROMETHEUS_URL: 'not a url' }, 'PROMETHEUS_URL'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: 'abc' }, 'PORT'],
    [{ HOST: 'a b' }, 'HOST'],
    [{ CHECK_INTERVAL: '10' }, 'CHECK_INTERVAL'],
    [{ RATE_WINDOW: '1 minute' }, 'RATE_WINDOW'],
    [{ SCRAPE_INTERVAL: '0s' }, 'SCRAPE_INTERVAL'],
    [{ CACHE_TTL_MS: '-1' }, 'CACHE_TTL_MS'],
    [{ UPSTREAM_TIMEOUT_MS: '0' }, 'UPSTREAM_TIMEOUT_MS'],
    [{ LOW_DISK_THRESHOLD_RATIO: '1.5' }, 'LOW_DISK_THRESHOLD_RATIO'],
    [{ HIGH_LATENCY_THRESHOLD_MS: '-5' }, 'HIGH_LATENCY_THRESHOLD_MS'],
    [{ HIGH_LATENCY_GRACE_SECONDS: 'soon' }, 'HIGH_LATENCY_GRACE_SECONDS'],
    [{ INSTANCE_MAPPING: 'ip' }, 'INSTANCE_MAPPING'],
    [{ INCLUDE_TIFLASH: 'maybe' }, 'INCLUDE_TIFLASH'],
    [{ ACTIONS_ENABLED: 'true' }, 'ACTIONS_TOKEN'],
    [{ API_TOKEN: 'same-token-value', ACTIONS_TOKEN: 'same-token-value' }, 'ACTIONS_TOKEN'],
    [{ API_TOKEN: 'has space' }, 'API_TOKEN'],
    [{ PROMETHEUS_SELECTOR: 'cluster="prod' }, 'PROMETHEUS_SELECTOR'],
    [{ PROMETHEUS_USERNAME: 'grafana' }, 'PROMETHEUS_PASSWORD'],
    [{ PROMETHEUS_BEARER_TOKEN: 'abc', PROMETHEUS_USERNAME: 'u', PROMETHEUS_PASSWORD: 'p' }, 'PROMETHEUS_BEARER_TOKEN'],
    [{ PD_CA_FILE: '/nonexistent/ca.pem', PD_URL: 'https://pd:2379' }, 'PD_CA_FILE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('a bad value stops start-up naming the variable: %j', (env, variable) => {
    const err = configError(() => loadConfig(env));
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
  });

  test('a secret in a bad value never appears in the error, nor URL credentials', () => {
    const token = configError(() => loadConfig({ API_TOKEN: 'secret with space' }));
    expect(token.message).not.toContain('secret');
    const url = configError(() => loadConfig({ PD_URL: 'ftp://admin:hunter2@pd' }));
    expect(url.message).not.toContain('hunter2');
  });

  test('invariant thresholds and grace become deployment overrides in the units of the query model', () => {
    const c = loadConfig({
      STORE_DOWN_HEARTBEAT_TIMEOUT_SECONDS: '3',
      HIGH_LATENCY_THRESHOLD_MS: '250',
      HIGH_LATENCY_GRACE_SECONDS: '0',
      LOW_DISK_THRESHOLD_RATIO: '0.8',
      REGION_HEALTH_THRESHOLD_REGIONS: '5',
      REGION_HEALTH_GRACE_SECONDS: '120',
    });
    expect(c.clusters[0].invariants).toEqual({
      store_down: { heartbeatTimeoutSeconds: 3 },
      high_latency: { thresholdMs: 250, graceSeconds: 0 },
      low_disk: { thresholdRatio: 0.8, graceSeconds: undefined },
      region_health: { thresholdRegions: 5, graceSeconds: 120 },
    });
    expect(() => loadConfig({ REGION_HEALTH_THRESHOLD_REGIONS: '1.5' })).toThrow(/REGION_HEALTH_THRESHOLD_REGIONS/);
    expect(() => loadConfig({ REGION_HEALTH_GRACE_SECONDS: '-1' })).toThrow(/REGION_HEALTH_GRACE_SECONDS/);
  });

  test('PROMETHEUS_SELECTOR, auth, jobs and durations are parsed', () => {
    const c = loadConfig({
      PROMETHEUS_URL: 'https://prom.example:9090',
      PROMETHEUS_SELECTOR: 'cluster="prod",env=~"a|b"',
      PROMETHEUS_USERNAME: 'grafana',
      PROMETHEUS_PASSWORD: 'pw',
      PROMETHEUS_TIKV_JOB: 'tikv-prod',
      CHECK_INTERVAL: '500ms',
      SCRAPE_INTERVAL: '1s',
      RATE_WINDOW: '2m',
      ACTIONS_ENABLED: 'yes',
      ACTIONS_TOKEN: 'actions-token-1',
    });
    expect(c.clusters[0].selector).toEqual([
      { name: 'cluster', op: '=', value: 'prod' },
      { name: 'env', op: '=~', value: 'a|b' },
    ]);
    expect(c.clusters[0].prometheus?.auth).toEqual({ username: 'grafana', password: 'pw' });
    expect(c.clusters[0].prometheus?.jobs).toEqual({ tikv: 'tikv-prod', pd: 'pd' });
    expect([c.checkIntervalMs, c.scrapeIntervalMs, c.rateWindow]).toEqual([500, 1000, '2m']);
    expect(c.actions.enabled).toBe(true);
  });

  test('TLS files are read as PEM text; a certificate needs its key', () => {
    const ca = file('ca.pem', 'CA PEM');
    const cert = file('cert.pem', 'CERT PEM');
    const key = file('key.pem', 'KEY PEM');
    const c = loadConfig({ PD_URL: 'https://pd:2379', PD_CA_FILE: ca, PD_CERT_FILE: cert, PD_KEY_FILE: key });
    expect(c.clusters[0].pd?.tls).toEqual({ ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
    expect(configError(() => loadConfig({ PD_URL: 'https://pd:2379', PD_CERT_FILE: cert })).variable).toBe('PD_KEY_FILE');
  });

  test('a YAML config file supplies values and the environment takes precedence', () => {
    const path = file('config.yaml', 'PD_URL: http://pd-file:2379\nPORT: 4000\nINCLUDE_TIFLASH: true\n');
    const c = loadConfig({ CONFIG_FILE: path, PORT: '5000' });
    expect(c.clusters[0].pd?.urls).toEqual(['http://pd-file:2379/pd/api/v1']);
    expect(c.port).toBe(5000);
    expect(c.clusters[0].includeTiFlash).toBe(true);
  });

  test('a config file that is missing, not a mapping or has an unknown key names the problem', () => {
    expect(configError(() => loadConfig({}, join(dir, 'missing.yaml'))).variable).toBe('CONFIG_FILE');
    expect(configError(() => loadConfig({}, file('list.yaml', '- a\n- b\n'))).variable).toBe('CONFIG_FILE');
    expect(configError(() => loadConfig({}, file('typo.yaml', 'PD_ULR: http://pd:2379\n'))).variable).toBe('PD_ULR');
    expect(configError(() => loadConfig({}, file('nested.yaml', 'PORT:\n  a: 1\n'))).variable).toBe('PORT');
  });
});

describe('loadConfig: clusters', () => {
  const two = [
    'API_TOKEN: read-token-1',
    'PROMETHEUS_URL: http://prometheus:9090',
    'HIGH_LATENCY_THRESHOLD_MS: 200',
    'CLUSTERS:',
    '  - CLUSTER_NAME: east',
    '    PD_URL: http://pd-east-1:2379,http://pd-east-2:2379',
    `    PROMETHEUS_SELECTOR: 'k8s_cluster="east"'`,
    '  - CLUSTER_NAME: west',
    '    PD_URL: http://pd-west:2379',
    '    PROMETHEUS_URL: http://prometheus-west:9090',
    '    HIGH_LATENCY_THRESHOLD_MS: 50',
    '',
  ].join('\n');

  test('CLUSTERS entries override the top-level defaults, one cluster each, in order', () => {
    const c = loadConfig({}, file('two.yaml', two));
    expect(c.apiToken).toBe('read-token-1');
    expect(c.clusters.map((k) => k.name)).toEqual(['east', 'west']);
    const [east, west] = c.clusters;
    expect(east.pd?.urls).toEqual(['http://pd-east-1:2379/pd/api/v1', 'http://pd-east-2:2379/pd/api/v1']);
    expect(east.prometheus?.url).toBe('http://prometheus:9090');
    expect(east.selector).toEqual([{ name: 'k8s_cluster', op: '=', value: 'east' }]);
    expect(east.selectorText).toBe('k8s_cluster="east"');
    expect(east.invariants.high_latency?.thresholdMs).toBe(200);
    expect(west.pd?.urls).toEqual(['http://pd-west:2379/pd/api/v1']);
    expect(west.prometheus?.url).toBe('http://prometheus-west:9090');
    expect(west.selector).toEqual([]);
    expect(west.invariants.high_latency?.thresholdMs).toBe(50);
  });

  test('without CLUSTERS the top level is one cluster named CLUSTER_NAME', () => {
    const c = loadConfig({ PD_URL: 'http://pd:2379', CLUSTER_NAME: 'prod-eu.1', MAINTENANCE_STORE_LABEL: 'maintenance=true' });
    expect(c.clusters.map((k) => [k.name, k.maintenanceLabel])).toEqual([['prod-eu.1', { key: 'maintenance', value: 'true' }]]);
  });

  test.each([
    ['CLUSTERS:\n  - CLUSTER_NAME: east\n    PD_URL: http://pd-east:2379\n  - CLUSTER_NAME: west\n    PD_URL: pd-west:2379\n', 'CLUSTERS[1].PD_URL'],
    ['CLUSTERS:\n  - CLUSTER_NAME: east\n', 'CLUSTERS[0].PD_URL'],
    ['CLUSTERS:\n  - PD_URL: http://pd:2379\n', 'CLUSTERS[0].CLUSTER_NAME'],
    ['CLUSTERS:\n  - CLUSTER_NAME: -east\n    PD_URL: http://pd:2379\n', 'CLUSTERS[0].CLUSTER_NAME'],
    ['CLUSTERS:\n  - CLUSTER_NAME: a b\n    PD_URL: http://pd:2379\n', 'CLUSTERS[0].CLUSTER_NAME'],
    [`CLUSTERS:\n  - CLUSTER_NAME: ${'x'.repeat(64)}\n    PD_URL: http://pd:2379\n`, 'CLUSTERS[0].CLUSTER_NAME'],
    ['CLUSTERS:\n  - CLUSTER_NAME: east\n    PD_URL: http://a:2379\n  - CLUSTER_NAME: east\n    PD_URL: http://b:2379\n', 'CLUSTERS[1].CLUSTER_NAME'],
    ['CLUSTERS:\n  - CLUSTER_NAME: east\n    PD_URL: http://a:2379\n    PORT: 3200\n', 'CLUSTERS[0].PORT'],
    ['CLUSTERS:\n  - CLUSTER_NAME: east\n    PD_URL: http://a:2379\n    API_TOKEN: abcdef\n', 'CLUSTERS[0].API_TOKEN'],
    ['CLUSTERS:\n  - CLUSTER_NAME: east\n    PD_URL: http://a:2379\n    CHECK_INTERVAL: 5s\n', 'CLUSTERS[0].CHECK_INTERVAL'],
    ['CLUSTERS:\n  - CLUSTER_NAME: east\n    PD_URL: http://a:2379\n    AUDIT_DB_PATH: /tmp/a.db\n', 'CLUSTERS[0].AUDIT_DB_PATH'],
    ['CLUSTERS:\n  - CLUSTER_NAME: east\n    PD_URL: http://a:2379\n    PD_ULR: http://b\n', 'CLUSTERS[0].PD_ULR'],
    ['CLUSTERS:\n  - CLUSTER_NAME: east\n    PD_URL: http://a:2379\n    PROMETHEUS_SELECTOR: \'x="\'\n', 'CLUSTERS[0].PROMETHEUS_SELECTOR'],
    ['CLUSTERS:\n  - CLUSTER_NAME: east\n    PD_URL: http://a:2379\n    MAINTENANCE_STORE_LABEL: maintenance\n', 'CLUSTERS[0].MAINTENANCE_STORE_LABEL'],
    ['CLUSTERS: []\n', 'CLUSTERS'],
    ['CLUSTERS:\n  - east\n', 'CLUSTERS[0]'],
  ])('a bad CLUSTERS entry stops start-up naming its place: %#', (yaml, variable) => {
    const err = configError(() => loadConfig({}, file('bad-clusters.yaml', yaml)));
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
  });

  test('CLUSTERS in the environment is refused: it is a list', () => {
    expect(configError(() => loadConfig({ CLUSTERS: 'east' })).variable).toBe('CLUSTERS');
  });
});

describe('config helpers', () => {
  test.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['10.0.0.5', false],
    ['example.com', false],
  ])('isLoopback(%s) = %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });

  test('safeUrl drops user info and query strings', () => {
    expect(safeUrl('https://user:pass@prom:9090/prometheus/?token=x')).toBe('https://prom:9090/prometheus');
  });
});

describe('secrets', () => {
  test('tokens shorter than 16 characters are refused off loopback, naming the variable, and fine on loopback', () => {
    for (const name of ['API_TOKEN', 'ACTIONS_TOKEN', 'METRICS_TOKEN']) {
      const err = configError(() => loadConfig({ HOST: '0.0.0.0', API_TOKEN: 'a'.repeat(24), [name]: 'short-token-15c' }));
      expect(err.variable).toBe(name);
      expect(err.message).toMatch(/is 15 characters; with HOST=0\.0\.0\.0 \(not loopback\) tokens need at least 16/);
      expect(err.message).not.toContain('short-token-15c');
    }
    expect(loadConfig({ HOST: '0.0.0.0', API_TOKEN: 'x'.repeat(16) }).apiToken).toHaveLength(16);
    expect(loadConfig({ HOST: '127.0.0.1', API_TOKEN: 'short' }).apiToken).toBe('short');
  });

  test('every configured secret is redacted by value, Basic auth also in its base64 form', () => {
    const c = loadConfig({
      API_TOKEN: 'api-token-value-1',
      METRICS_TOKEN: 'metrics-token-value-2',
      PROMETHEUS_URL: 'http://prom:9090',
      PROMETHEUS_USERNAME: 'grafana',
      PROMETHEUS_PASSWORD: 'prom-password-3',
    });
    addSecrets(...configSecrets(c));
    const basic = Buffer.from('grafana:prom-password-3').toString('base64');
    const echo = `api-token-value-1 metrics-token-value-2 prom-password-3 Basic ${basic} ${encodeURIComponent('prom-password-3')}`;
    expect(redact(echo)).toBe('[redacted] [redacted] [redacted] Basic [redacted] [redacted]');
    expect(redact('GET /x?api_key=k1&page=2 https://u:p@host/')).toBe('GET /x?api_key=[redacted]&page=2 https://***@host/');
  });
});

describe('redact', () => {
  test("keeps PD's region keys in a URL (a bare `key` is no credential)", () => {
    const regions = '/pd/api/v1/regions/key?key=7480000000000000ff&limit=4';
    expect(redact(regions)).toBe(regions);
    expect(redact('/x?X-Amz-Signature=abc&access_key=def')).toBe('/x?X-Amz-Signature=[redacted]&access_key=[redacted]');
  });
});

describe('limits for memory and connections', () => {
  test('CACHE_MAX_BYTES defaults to 16 MiB and must be a positive integer', () => {
    expect(loadConfig({}).upstream.cacheMaxBytes).toBe(16 * 1024 * 1024);
    expect(loadConfig({ CACHE_MAX_BYTES: '1048576' }).upstream.cacheMaxBytes).toBe(1_048_576);
    for (const bad of ['0', '-1', '1.5', 'lots']) {
      expect(configError(() => loadConfig({ CACHE_MAX_BYTES: bad })).variable).toBe('CACHE_MAX_BYTES');
    }
  });
});

describe('client limits', () => {
  test('defaults: 30 s per request, 5 min silent socket, 95 s keep-alive (above Grafana’s 90 s), 1,024 connections', () => {
    expect(loadConfig({}).clients).toEqual({
      requestTimeoutMs: 30_000,
      connectionTimeoutMs: 300_000,
      keepAliveTimeoutMs: 95_000,
      maxConnections: 1024,
    });
  });

  test.each(['REQUEST_TIMEOUT_MS', 'CONNECTION_TIMEOUT_MS', 'KEEP_ALIVE_TIMEOUT_MS', 'MAX_CONNECTIONS'])('%s must be a positive integer', (name) => {
    for (const bad of ['0', '-5', 'x']) {
      expect(configError(() => loadConfig({ [name]: bad })).variable).toBe(name);
    }
  });
});

describe('answer size limits', () => {
  test('PD has its own limit (32 MiB), apart from UPSTREAM_MAX_BODY_BYTES (Prometheus, 64 MiB)', () => {
    const c = loadConfig({});
    expect(c.upstream.pdMaxBodyBytes).toBe(32 * 1024 * 1024);
    expect(c.upstream.maxBodyBytes).toBe(64 * 1024 * 1024);
    expect(loadConfig({ PD_MAX_BODY_BYTES: '1000' }).upstream).toMatchObject({ pdMaxBodyBytes: 1000, maxBodyBytes: 64 * 1024 * 1024 });
    expect(configError(() => loadConfig({ PD_MAX_BODY_BYTES: '0' })).variable).toBe('PD_MAX_BODY_BYTES');
  });
});
