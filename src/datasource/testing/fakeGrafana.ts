/**
 * Test doubles for Grafana's runtime singletons — the boundary the plugin talks through (grafana-plugin.md §6.1).
 * `fakeBackendSrv` stands where Grafana's data source proxy answers; `fakeTemplateSrv` expands variables the way
 * Grafana does for the formats the plugin uses.
 */
import { type DataSourceInstanceSettings, type PluginMeta, type ScopedVars } from '@grafana/data';
import { type BackendSrv, type BackendSrvRequest, type FetchResponse, type TemplateSrv } from '@grafana/runtime';
import { defer, of, throwError } from 'rxjs';

import { DATASOURCE_PLUGIN_ID } from '../../shared/names';
import type { TikvOptions } from '../types';

export interface FakeAnswer {
  status: number;
  data?: unknown;
  statusText?: string;
}

export const PROXY_URL = '/api/datasources/proxy/uid/tikv';

/** Grafana's proxy path of a backend route: `/api/datasources/proxy/uid/tikv/api/query` → `POST /api/query`. */
export function routeOf(request: BackendSrvRequest): string {
  return `${request.method ?? 'GET'} ${request.url.replace(PROXY_URL, '')}`;
}

export function fakeBackendSrv(answer: (request: BackendSrvRequest) => FakeAnswer) {
  const calls: BackendSrvRequest[] = [];
  const fetch = (request: BackendSrvRequest) =>
    defer(() => {
      calls.push(request);
      const a = answer(request);
      if (a.status === 0 || a.status >= 400) {
        // Grafana's backendSrv rejects with a FetchError: {status, statusText, data, config}.
        return throwError(() => ({ status: a.status, statusText: a.statusText ?? '', data: a.data, config: request }));
      }
      return of({ status: a.status, ok: true, data: a.data, config: request } as FetchResponse);
    });
  return { backendSrv: { fetch } as unknown as BackendSrv, calls };
}

export type FakeVariable = string | string[] | { all: true; values: string[]; allValue?: string };

/** templateSrv.replace for `$x`, `${x}`, `${x:fmt}` and `[[x]]`, with multi-value and All like Grafana's. */
export function fakeTemplateSrv(variables: Record<string, FakeVariable> = {}): TemplateSrv {
  const format = (value: string[], fmt?: string) =>
    fmt === 'csv'
      ? value.join(',')
      : fmt === 'pipe'
        ? value.join('|')
        : value.length > 1
          ? `{${value.join(',')}}`
          : value.join('');
  const replace = (target?: string, scopedVars?: ScopedVars, fmt?: string | Function) =>
    (target ?? '').replace(/\$(\w+)|\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)\]\]/g, (whole, bare, braced, inlineFmt, old) => {
      const name: string = bare ?? braced ?? old;
      const scoped = scopedVars?.[name]?.value;
      const v: FakeVariable | undefined = scoped !== undefined ? (scoped as string | string[]) : variables[name];
      if (v === undefined) {
        return whole;
      }
      const f = inlineFmt ?? (typeof fmt === 'string' ? fmt : undefined);
      if (typeof v === 'object' && !Array.isArray(v)) {
        return v.allValue ?? format(v.values, f);
      }
      return format(Array.isArray(v) ? v : [v], f);
    });
  return {
    replace,
    getVariables: () => [],
    containsTemplate: (t?: string) => Boolean(t && /\$|\[\[/.test(t)),
    updateTimeRange: () => {},
  } as unknown as TemplateSrv;
}

export function instanceSettings(jsonData: TikvOptions = { backendUrl: 'http://backend:8080' }) {
  return {
    id: 1,
    uid: 'tikv',
    name: 'TiKV Operator',
    type: DATASOURCE_PLUGIN_ID,
    access: 'proxy',
    url: PROXY_URL,
    jsonData,
    readOnly: false,
    meta: { id: DATASOURCE_PLUGIN_ID, name: 'TiKV Operator' } as PluginMeta,
  } as unknown as DataSourceInstanceSettings<TikvOptions>;
}

/** A subject description as `GET /api/subject` answers it. */
export const SUBJECT = {
  name: 'tikv',
  observations: [
    { name: 'get_stores', description: 'Stores as PD sees them', params: {} },
    { name: 'get_hot_write_regions', description: 'Top-N hot write regions', params: {} },
    { name: 'get_store_metrics', description: 'Per store metrics from Prometheus', params: {} },
    { name: 'get_cluster_metrics', description: 'Stores by state, region count', params: {} },
    { name: 'get_region_health', description: 'Regions with missing or down peers', params: {} },
  ],
  invariants: [
    {
      name: 'store_down',
      severity: 'critical',
      description: 'No heartbeat',
      threshold: 20,
      thresholdUnit: 's',
      graceSeconds: 0,
    },
    {
      name: 'high_latency',
      severity: 'warning',
      description: 'P99 write latency',
      threshold: 0.1,
      thresholdUnit: 's',
      graceSeconds: 60,
    },
    {
      name: 'low_disk',
      severity: 'warning',
      description: 'Disk used ratio',
      threshold: 0.7,
      thresholdUnit: 'ratio',
      graceSeconds: 0,
    },
    {
      name: 'region_health',
      severity: 'warning',
      description: 'Regions missing a peer or with a down peer; cluster-level',
      threshold: 0,
      thresholdUnit: 'regions',
      graceSeconds: 600,
    },
  ],
  actions: [],
  slos: [
    {
      name: 'disk_usage',
      description: 'Share of minutes with disk used ratio at or below the target, per store',
      target: 0.7,
      unit: 'ratio',
      objective: 0.99,
      window: '30d',
    },
  ],
  clusters: [{ name: 'default', selector: '' }],
  cluster: 'default',
};
