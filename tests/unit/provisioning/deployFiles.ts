/**
 * Reads the deployment files (provisioning/, docker-compose.yaml) the way their consumers do: YAML through the `yaml`
 * package (Compose's merge keys on), dashboards as JSON, rule files through promtool. Shared by the provisioning tests.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { parse, parseDocument } from 'yaml';

export const ROOT = join(__dirname, '..', '..', '..');
export const PROVISIONING = join(ROOT, 'provisioning');
/** provisioning/prometheus/: the compose Prometheus's config, rule files and their promtool unit tests. */
export const PROMETHEUS_DIR = join(PROVISIONING, 'prometheus');

type Json = Record<string, unknown>;

/** Parses a YAML file; throws an error naming the file and the YAML problem. */
export function readYaml<T = Json>(path: string): T {
  const text = readFileSync(path, 'utf8');
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length > 0) {
    throw new Error(`${relative(ROOT, path)}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  return parse(text, { merge: true }) as T;
}

export function readJson<T = Json>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/**
 * Runs promtool (Debian's `prometheus` package; `npm test` installs it) in provisioning/prometheus/, killed after
 * `timeoutMs`; throws when it cannot run at all.
 */
export function promtool(args: string[], timeoutMs = 30_000): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: PROMETHEUS_DIR, encoding: 'utf8', timeout: timeoutMs });
  if (run.error) {
    throw new Error(`promtool could not run (${run.error.message}); install it: apt-get install prometheus`);
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Every file under `dir` (recursive) whose name ends with one of `exts`, as absolute paths, sorted. */
export function filesUnder(dir: string, exts: string[]): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => exts.some((e) => f.endsWith(e)))
    .map((f) => join(dir, f))
    .sort();
}

/** Every string value inside `value`, with its path (for "no `$` in a provisioned rule" style checks). */
export function stringsIn(value: unknown, path = ''): Array<{ path: string; value: string }> {
  if (typeof value === 'string') {
    return [{ path, value }];
  }
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => stringsIn(v, `${path}[${i}]`));
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => stringsIn(v, path ? `${path}.${k}` : k));
  }
  return [];
}

// ---- Grafana provisioning shapes (only the fields the tests read) ----

export interface ProvisionedDataSource {
  name: string;
  uid: string;
  type: string;
  access?: string;
  orgId?: number;
  url?: string;
  isDefault?: boolean;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

export interface AlertQuery {
  refId: string;
  datasourceUid: string;
  relativeTimeRange?: { from: number; to: number };
  model: Record<string, unknown>;
}

export interface AlertRule {
  uid: string;
  title: string;
  condition: string;
  data: AlertQuery[];
  for: string;
  noDataState: string;
  execErrState: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertRuleFile {
  apiVersion: number;
  groups: Array<{ orgId: number; name: string; folder: string; interval: string; rules: AlertRule[] }>;
}

/** The data sources the compose Grafana gets: the copy-safe files and the compose-only ones. */
export function dataSources(): ProvisionedDataSource[] {
  return [...sharedDataSources(), ...composeDataSources()];
}

/** provisioning/datasources/: the files the quick start tells users to copy into their own Grafana. */
export function sharedDataSources(): ProvisionedDataSource[] {
  return dataSourcesUnder(join(PROVISIONING, 'datasources'));
}

/** provisioning/compose/datasources/: for the compose stack only. */
export function composeDataSources(): ProvisionedDataSource[] {
  return dataSourcesUnder(join(PROVISIONING, 'compose', 'datasources'));
}

function dataSourcesUnder(dir: string): ProvisionedDataSource[] {
  return filesUnder(dir, ['.yaml', '.yml']).flatMap(
    (f) => readYaml<{ datasources: ProvisionedDataSource[] }>(f).datasources
  );
}

export function grafanaAlertRules(): AlertRuleFile {
  return readYaml<AlertRuleFile>(join(PROVISIONING, 'alerting', 'tikv-operator-rules.yaml'));
}

// ---- Dashboards ----

export interface DataSourceRef {
  type?: string;
  uid?: string;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: DataSourceRef;
  targets?: Array<Record<string, unknown> & { refId: string; datasource?: DataSourceRef }>;
  panels?: Panel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  id: number | null;
  panels: Panel[];
  templating: { list: Array<Record<string, unknown> & { name: string; datasource?: DataSourceRef }> };
  annotations: {
    list: Array<
      Record<string, unknown> & {
        name: string;
        enable: boolean;
        datasource?: DataSourceRef;
        target?: Record<string, unknown>;
      }
    >;
  };
}

export const DASHBOARD_DIR = join(PROVISIONING, 'dashboards');

export function dashboards(): Array<{ file: string; dashboard: Dashboard }> {
  return filesUnder(DASHBOARD_DIR, ['.json']).map((file) => ({
    file: relative(ROOT, file),
    dashboard: readJson<Dashboard>(file),
  }));
}

/** Panels, rows' nested panels included. */
export function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export interface PluginQuery {
  where: string;
  query: Record<string, unknown> & { refId: string };
}

/** Every query a dashboard sends to the given data source plugin: panel targets and annotation targets. */
export function pluginQueries(d: Dashboard, pluginType: string): PluginQuery[] {
  const out: PluginQuery[] = [];
  for (const p of allPanels(d)) {
    for (const t of p.targets ?? []) {
      if ((t.datasource ?? p.datasource)?.type === pluginType) {
        out.push({ where: `${d.uid} panel "${p.title}" target ${t.refId}`, query: t });
      }
    }
  }
  for (const a of d.annotations.list) {
    if (a.datasource?.type === pluginType && a.target) {
      out.push({ where: `${d.uid} annotation "${a.name}"`, query: a.target as PluginQuery['query'] });
    }
  }
  return out;
}

/**
 * Grafana's `templateSrv.replace(text, scopedVars, 'csv')` for the dashboards' one variable, `store`: `$store`,
 * `${store}` and `${store:csv}` become the selected store ids joined with commas (All = every id, as Grafana expands
 * an All selection without a custom all value).
 */
export function replaceStoreVariable(selected: number[]): (text: string) => string {
  return (text) => text.replace(/\$\{store(?::csv)?\}|\$store\b|\[\[store\]\]/g, selected.join(','));
}

// ---- docker compose ----

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string } | string;
  command?: string[] | string;
  environment?: Record<string, string> | string[];
  volumes?: Array<string | { type: string; source?: string; target: string }>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] | string };
  ports?: string[];
  /** Compose profiles the service belongs to (absent: always started). */
  profiles?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export const COMPOSE_FILE = join(ROOT, 'docker-compose.yaml');

export function compose(): ComposeFile {
  return readYaml<ComposeFile>(COMPOSE_FILE);
}

/** A service's environment as a map (Compose accepts a map or `KEY=value` strings). */
export function environmentOf(s: ComposeService): Record<string, string> {
  if (!s.environment) {
    return {};
  }
  if (Array.isArray(s.environment)) {
    return Object.fromEntries(
      s.environment.map((e) => {
        const i = e.indexOf('=');
        return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
      })
    );
  }
  return Object.fromEntries(Object.entries(s.environment).map(([k, v]) => [k, String(v)]));
}

/** `--flag=value` from a service's command. */
export function flagOf(s: ComposeService, flag: string): string | undefined {
  const args = Array.isArray(s.command) ? s.command : (s.command ?? '').split(/\s+/);
  const prefix = `--${flag}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/** Bind mounts of a service as `{source (relative to the compose file), target}`; named volumes are left out. */
export function bindMounts(s: ComposeService): Array<{ source: string; target: string }> {
  return (s.volumes ?? []).flatMap((v) => {
    if (typeof v === 'string') {
      const [source, target] = v.split(':');
      return source.startsWith('.') || source.startsWith('/') ? [{ source, target }] : [];
    }
    return v.type === 'bind' && v.source ? [{ source: v.source, target: v.target }] : [];
  });
}
