/**
 * Checks of the built plugin (dist/) that mirror Grafana's plugin validator (grafana/plugin-validator analyzers
 * metadatavalid, includesnested, logos, readme, templatereadme, jsMap, grafanadependency, unsafesvg, modulejs)
 * where they can run offline; the validator itself downloads a binary and calls grafana.com.
 * `npm test` builds dist/ first; while developing run `npm run build`.
 */
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';

import { APP_PLUGIN_ID, DATASOURCE_PLUGIN_ID, ROUTE_ACTIONS, ROUTE_API } from '../../../src/shared/names';

const ROOT = path.resolve(__dirname, '../../..');
const DIST = path.join(ROOT, 'dist');
// Webpack's context (.config/webpack/webpack.config.ts): source map paths are relative to src/.
const CONTEXT = path.join(ROOT, 'src');
// plugin-validator pkg/analysis/passes/metadatavalid: the plugin id pattern of plugin.schema.json.
const ID_PATTERN = /^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource)$/;

interface Route {
  path: string;
  url: string;
  method?: string;
  reqRole?: string;
  headers?: Array<{ name: string; content: string }>;
}
interface PluginJson {
  type: string;
  id: string;
  name: string;
  info: {
    description: string;
    keywords: string[];
    logos: { small: string; large: string };
    version: string;
    updated: string;
  };
  includes?: Array<{ type: string; name: string; path?: string }>;
  dependencies: { grafanaDependency?: string };
  backend?: boolean;
  executable?: string;
  metrics?: boolean;
  annotations?: boolean;
  alerting?: boolean;
  routes?: Route[];
}

function distFiles(): string[] {
  return (fs.readdirSync(DIST, { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/'));
}

function readJson<T>(rel: string): T {
  return JSON.parse(fs.readFileSync(path.join(DIST, rel), 'utf8')) as T;
}

const builtAgainst = (): string =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@grafana/data/package.json'), 'utf8')).version;

beforeAll(() => {
  if (!fs.existsSync(path.join(DIST, 'plugin.json'))) {
    throw new Error('dist/plugin.json is missing: run `npm run build` first (npm test does)');
  }
});

describe('built plugin metadata', () => {
  const pluginJsons = () => distFiles().filter((f) => f.endsWith('plugin.json'));

  it('holds the app at the root and the data source nested under datasource/', () => {
    expect(pluginJsons().sort()).toEqual(['datasource/plugin.json', 'plugin.json']);
    expect(readJson<PluginJson>('plugin.json')).toMatchObject({ type: 'app', id: APP_PLUGIN_ID });
    expect(readJson<PluginJson>('datasource/plugin.json')).toMatchObject({
      type: 'datasource',
      id: DATASOURCE_PLUGIN_ID,
    });
  });

  it.each(['plugin.json', 'datasource/plugin.json'])(
    '%s has a valid id, real name, description and keywords',
    (rel) => {
      const p = readJson<PluginJson>(rel);
      expect(p.id).toMatch(ID_PATTERN);
      expect(p.id.endsWith(`-${p.type}`)).toBe(true);
      expect(p.name).toBe('TiKV Operator');
      expect(p.info.description.length).toBeGreaterThan(20);
      expect(p.info.keywords).toContain('tikv');
      // create-plugin's webpack replaces these placeholders.
      expect(p.info.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(p.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  );

  it.each(['plugin.json', 'datasource/plugin.json'])(
    '%s names a Grafana version range that includes the one built against',
    (rel) => {
      const range = readJson<PluginJson>(rel).dependencies.grafanaDependency;
      expect(range).toBeDefined();
      expect(semver.validRange(range!)).not.toBeNull();
      const version = builtAgainst();
      expect(semver.satisfies(version, range!)).toBe(true);
      // Honest: does not claim Grafana versions older than the minor release of the packages built against.
      expect(semver.gte(semver.minVersion(range!)!, `${semver.major(version)}.${semver.minor(version)}.0`)).toBe(true);
    }
  );

  it.each(['plugin.json', 'datasource/plugin.json'])('%s declares no executable without a backend', (rel) => {
    const p = readJson<PluginJson>(rel);
    if (p.executable !== undefined) {
      expect(p.backend).toBe(true);
    }
    expect(p.backend ?? false).toBe(false);
  });

  it('declares every nested plugin in the app includes with its path and type (includesnested)', () => {
    const app = readJson<PluginJson>('plugin.json');
    for (const nested of pluginJsons().filter((f) => f !== 'plugin.json')) {
      const include = app.includes?.find((i) => i.path === nested);
      expect(include).toBeDefined();
      expect(include!.type).toBe(readJson<PluginJson>(nested).type);
    }
  });

  it('lists every generated dashboard in its includes and ships it byte for byte (webpack copies provisioning/dashboards/)', () => {
    const dashboards = readJson<PluginJson>('plugin.json').includes?.filter((i) => i.type === 'dashboard') ?? [];
    const generated = fs.readdirSync(path.join(ROOT, 'provisioning', 'dashboards')).filter((f) => f.endsWith('.json'));
    expect(dashboards.map((i) => i.path).sort()).toEqual(generated.map((f) => `dashboards/${f}`).sort());
    for (const file of generated) {
      expect(fs.readFileSync(path.join(DIST, 'dashboards', file), 'utf8')).toBe(
        fs.readFileSync(path.join(ROOT, 'provisioning', 'dashboards', file), 'utf8')
      );
    }
  });

  it('has the app pages Cluster, Invariants, Actions (Admin only) and Configuration', () => {
    const pages = readJson<PluginJson>('plugin.json').includes?.filter((i) => i.type === 'page');
    expect(pages?.map((i) => i.name)).toEqual(['Cluster', 'Invariants', 'Actions', 'Configuration']);
    expect(pages?.find((i) => i.name === 'Actions')).toMatchObject({ role: 'Admin' });
  });
});

describe('data source plugin.json', () => {
  const ds = () => readJson<PluginJson>('datasource/plugin.json');

  it('is a frontend data source for metrics and annotations, not for alerting', () => {
    expect(ds()).toMatchObject({ metrics: true, annotations: true, backend: false, alerting: false });
  });

  it('routes actions first (Admin, actions token) and then the API (Viewer, API token)', () => {
    // Grafana matches route paths by string prefix, first match wins (pkg/api/pluginproxy/ds_proxy.go).
    expect(ds().routes).toEqual([
      {
        path: ROUTE_ACTIONS,
        url: '{{ .JsonData.backendUrl }}/api/actions',
        method: '*',
        reqRole: 'Admin',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.actionsToken }}' }],
      },
      {
        path: ROUTE_API,
        url: '{{ .JsonData.backendUrl }}/api',
        method: '*',
        reqRole: 'Viewer',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
      },
    ]);
  });

  it('takes every secret from secureJsonData templates, never a literal', () => {
    for (const route of ds().routes ?? []) {
      for (const header of route.headers ?? []) {
        expect(header.content).toMatch(/^Bearer \{\{ \.SecureJsonData\.\w+ \}\}$/);
      }
      expect(route.url).toMatch(/^\{\{ \.JsonData\.backendUrl \}\}\//);
    }
  });
});

describe('built files', () => {
  it.each(['plugin.json', 'datasource/plugin.json'])(
    'has the logos of %s, as SVG without scripts (logos, unsafesvg)',
    (rel) => {
      const { logos } = readJson<PluginJson>(rel).info;
      for (const logo of [logos.small, logos.large]) {
        const file = path.join(DIST, path.dirname(rel), logo);
        expect(fs.existsSync(file)).toBe(true);
        const svg = fs.readFileSync(file, 'utf8');
        expect(svg).toMatch(/^<svg[\s>]/);
        expect(svg).not.toMatch(/<script|\son\w+=|javascript:/i);
      }
    }
  );

  it('has a README that is not the create-plugin template (readme, templatereadme)', () => {
    const readme = fs.readFileSync(path.join(DIST, 'README.md'), 'utf8');
    expect(readme).toMatch(/^# TiKV Operator/);
    expect(readme).not.toMatch(
      /This README file is going to be the one displayed|Uncomment and replace the content here/
    );
  });

  it('has source maps whose sources stay inside the repository (jsMap)', () => {
    const maps = distFiles().filter((f) => f.endsWith('.js.map'));
    expect(maps).toEqual(expect.arrayContaining(['module.js.map', 'datasource/module.js.map']));
    for (const map of maps) {
      const { sources } = readJson<{ sources: string[] }>(map);
      for (const source of sources) {
        expect(source).not.toMatch(/^(\/|file:|[A-Za-z]:[\\/])/);
        const rel = source.replace(/^webpack:\/\/[^/]*\//, '');
        if (/^(external |webpack\/)/.test(rel)) {
          continue; // webpack's own runtime and AMD externals, not files
        }
        const resolved = path.resolve(CONTEXT, rel);
        expect({ map, source, inside: resolved.startsWith(ROOT + path.sep) }).toEqual({ map, source, inside: true });
      }
    }
  });

  it.each(['module.js', 'datasource/module.js'])(
    '%s is an AMD module with React and @grafana as externals (modulejs)',
    (rel) => {
      const js = fs.readFileSync(path.join(DIST, rel), 'utf8');
      const define = /^define\((\[[^\]]*\])/m.exec(js);
      expect(define).not.toBeNull();
      const deps = JSON.parse(define![1]) as string[];
      expect(deps).toEqual(expect.arrayContaining(['react', '@grafana/data', '@grafana/runtime', '@grafana/ui']));
      // React's own internals would mean a second React copy inside the plugin.
      expect(js).not.toMatch(/__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED|__CLIENT_INTERNALS_DO_NOT_USE/);
    }
  );
});
