/**
 * Grafana's runtime services for the harness page, and `window.harness`, which the test drives: load the built
 * data source (or app) module, render its ConfigEditor / QueryEditor in a light or dark theme, run a query through
 * the data source and show the frames as tables of Grafana display values.
 */
import {
  applyFieldOverrides,
  createTheme,
  type DataFrame,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  dateTime,
  formattedValueToString,
  ThemeContext,
  type TimeRange,
} from '@grafana/data';
import { setBackendSrv, setDataSourceSrv, setTemplateSrv } from '@grafana/runtime';
import React, { useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { lastValueFrom, Observable } from 'rxjs';

declare const System: { import(url: string): Promise<Record<string, any>> };

interface HarnessSettings {
  pluginBase: string;
  datasource: { uid: string; name: string; type: string; jsonData: Record<string, unknown>; secureJsonFields: Record<string, boolean> };
  variables: Record<string, string[]>;
}

declare global {
  interface Window {
    harnessSettings: HarnessSettings;
    harness: Record<string, (...args: any[]) => unknown>;
  }
}

class HarnessBackendSrv {
  fetch(options: { url: string; method?: string; data?: unknown; params?: Record<string, unknown>; headers?: Record<string, string> }) {
    return new Observable((subscriber) => {
      const url = new URL(options.url, window.location.origin);
      for (const [k, v] of Object.entries(options.params ?? {})) {
        url.searchParams.append(k, String(v));
      }
      const init: RequestInit = { method: options.method ?? 'GET', headers: { ...options.headers } };
      if (options.data !== undefined) {
        init.body = JSON.stringify(options.data);
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
      fetch(url, init)
        .then(async (res) => {
          const text = await res.text();
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // Grafana's proxy answers some errors as plain text
          }
          const response = { data: body, status: res.status, statusText: res.statusText, ok: res.ok, headers: res.headers, redirected: false, type: res.type, url: res.url, config: options };
          if (!res.ok) {
            // backendSrv rejects with a FetchError: {status, statusText, data, config}
            const data = typeof body === 'string' ? { message: body } : body;
            subscriber.error({ status: res.status, statusText: res.statusText, data, config: options });
            return;
          }
          subscriber.next(response);
          subscriber.complete();
        })
        .catch((err) => subscriber.error({ status: 0, statusText: String(err), data: { message: String(err) }, config: options }));
    });
  }
  async get(url: string, params?: Record<string, unknown>) {
    return (await lastValueFrom(this.fetch({ url, params }) as Observable<{ data: unknown }>)).data;
  }
  async post(url: string, data?: unknown) {
    return (await lastValueFrom(this.fetch({ url, method: 'POST', data }) as Observable<{ data: unknown }>)).data;
  }
  datasourceRequest(options: any) {
    return lastValueFrom(this.fetch(options));
  }
}

/** Replaces `$var`, `${var}` and `${var:csv}`, with multi-value variables joined by commas (Grafana's csv format). */
function templateSrv(variables: Record<string, string[]>) {
  const replace = (text?: string) =>
    (text ?? '').replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (m, a, _fmt, b) => {
      const values = variables[a ?? b];
      return values ? values.join(',') : m;
    });
  return {
    replace,
    getVariables: () => Object.keys(variables).map((name) => ({ name, type: 'custom', current: { value: variables[name] } })),
    containsTemplate: (t?: string) => /\$/.test(t ?? ''),
    updateTimeRange: () => {},
  };
}

let root: Root | undefined;
/** Each render gets a new key: the same host component at the same place would otherwise keep its old state. */
let renders = 0;
let plugin: any;
let instance: any;

function render(node: React.ReactNode, mode: 'light' | 'dark') {
  const theme = createTheme({ colors: { mode } });
  document.body.style.background = theme.colors.background.primary;
  document.body.style.color = theme.colors.text.primary;
  const container = document.getElementById('root')!;
  root ??= createRoot(container);
  renders += 1;
  root.render(
    <ThemeContext.Provider key={renders} value={theme}>
      {node}
    </ThemeContext.Provider>
  );
}

function EditorHost(props: { Editor: React.ComponentType<any>; initial: Record<string, unknown>; kind: 'config' | 'query' }) {
  const [value, setValue] = useState(props.initial);
  const onChange = (v: Record<string, unknown>) => {
    setValue(v);
    (window as any).lastEditorValue = v;
  };
  if (props.kind === 'config') {
    return <props.Editor options={value} onOptionsChange={onChange} />;
  }
  return (
    <props.Editor
      datasource={instance}
      query={value}
      onChange={onChange}
      onRunQuery={() => {
        (window as any).runCount = ((window as any).runCount ?? 0) + 1;
      }}
    />
  );
}

/** Each frame as a plain table of display values (units applied by Grafana's display processors). */
function FrameTable({ frame, mode }: { frame: DataFrame; mode: 'light' | 'dark' }) {
  const [processed] = applyFieldOverrides({
    data: [frame],
    fieldConfig: { defaults: {}, overrides: [] },
    replaceVariables: (v: string) => v,
    theme: createTheme({ colors: { mode } }),
    timeZone: 'utc',
  });
  const rows = Array.from({ length: processed.length }, (_, i) => i);
  return (
    <table style={{ borderCollapse: 'collapse', margin: '8px 0' }}>
      <thead>
        <tr>
          {processed.fields.map((f) => (
            <th key={f.name} style={{ textAlign: 'left', padding: '2px 8px' }}>
              {f.config.displayName ?? f.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((i) => (
          <tr key={i}>
            {processed.fields.map((f) => {
              const text = f.display ? formattedValueToString(f.display(f.values[i])) : String(f.values[i]);
              return (
                <td key={f.name} style={{ padding: '2px 8px' }}>
                  {text}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FramesView(props: { frames: DataFrame[]; errors: string[]; mode: 'light' | 'dark' }) {
  return (
    <div>
      {props.errors.map((e) => (
        <div key={e} role="alert">
          {e}
        </div>
      ))}
      {props.frames.map((frame, i) => (
        <section key={i} aria-label={frame.name ?? `frame ${i}`}>
          <h3>{frame.name ?? frame.refId}</h3>
          <FrameTable frame={frame} mode={props.mode} />
        </section>
      ))}
    </div>
  );
}

export function startHarness() {
  const settings = window.harnessSettings;
  setBackendSrv(new HarnessBackendSrv() as any);
  setTemplateSrv(templateSrv(settings.variables) as any);
  const instanceSettings = {
    ...settings.datasource,
    id: 1,
    url: `/api/datasources/proxy/uid/${settings.datasource.uid}`,
    access: 'proxy',
    meta: { id: settings.datasource.type, info: { logos: {} } },
    readOnly: false,
  } as unknown as DataSourceInstanceSettings;
  setDataSourceSrv({
    get: async () => instance,
    getInstanceSettings: () => instanceSettings,
    getList: () => [instanceSettings],
    reload: async () => {},
    registerRuntimeDataSource: () => {},
  } as any);

  window.harness = {
    async loadDatasource() {
      const mod = await System.import(`${settings.pluginBase}/datasource/module.js`);
      plugin = mod.plugin;
      instance = new plugin.DataSourceClass(instanceSettings);
      return Object.keys(plugin.components ?? {});
    },
    async renderConfigEditor(mode: 'light' | 'dark') {
      const options = { ...instanceSettings, jsonData: settings.datasource.jsonData, secureJsonFields: settings.datasource.secureJsonFields };
      render(<EditorHost kind="config" Editor={plugin.components.ConfigEditor} initial={options} />, mode);
    },
    async renderQueryEditor(mode: 'light' | 'dark', query: Record<string, unknown>) {
      render(<EditorHost kind="query" Editor={plugin.components.QueryEditor} initial={query} />, mode);
    },
    async runQuery(mode: 'light' | 'dark', targets: Array<Record<string, unknown>>, rangeMs?: { from: number; to: number }) {
      const to = rangeMs?.to ?? Date.now();
      const from = rangeMs?.from ?? to - 3600_000;
      const range: TimeRange = { from: dateTime(from), to: dateTime(to), raw: { from: dateTime(from), to: dateTime(to) } };
      const req = { targets, range, scopedVars: {}, interval: '15s', intervalMs: 15_000, maxDataPoints: 500, requestId: 'harness', timezone: 'utc', app: 'dashboard', startTime: Date.now() };
      const res = (await lastValueFrom(instance.query(req) as Observable<DataQueryResponse>)) as DataQueryResponse;
      const errors = (res.errors ?? (res.error ? [res.error] : [])).map((e) => `${e.refId ?? ''}: ${e.message}`);
      render(<FramesView frames={res.data as DataFrame[]} errors={errors} mode={mode} />, mode);
      return { frames: res.data.length, errors };
    },
    async testDatasource() {
      return instance.testDatasource();
    },
    /**
     * Loads the app's AMD module (and the data source's, which the app pages query through DataSourceSrv) and
     * renders its root page at `path` (e.g. `/a/<app id>/actions?action=…`) with the props Grafana passes app roots.
     */
    async renderAppPage(mode: 'light' | 'dark', path: string) {
      if (!instance) {
        await window.harness.loadDatasource();
      }
      const mod = await System.import(`${settings.pluginBase}/module.js`);
      const app = mod.plugin;
      const Root = app.root as React.ComponentType<Record<string, unknown>>;
      // The app is served at public/plugins/<app id>/, as Grafana serves it.
      const appId = settings.pluginBase.split('/').pop()!;
      const basename = `/a/${appId}`;
      const url = new URL(path, window.location.origin);
      const props = {
        meta: { id: appId, jsonData: {}, enabled: true },
        basename,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        onNavChanged: () => {},
      };
      render(
        <MemoryRouter initialEntries={[path]}>
          <Routes>
            <Route path={`${basename}/*`} element={<Root {...props} />} />
          </Routes>
        </MemoryRouter>,
        mode
      );
      return { root: typeof Root === 'function' };
    },
  };
  (window as any).harnessReady = true;
}
