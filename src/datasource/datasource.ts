/**
 * The TiKV Operator data source: a frontend data source whose every request goes through Grafana's data source
 * proxy route `api` (src/datasource/plugin.json), which injects the API token the browser never sees.
 */
import {
  type CoreApp,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  DataSourceApi,
  type DataSourceInstanceSettings,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { type BackendSrvRequest, getBackendSrv, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { catchError, lastValueFrom, map, type Observable, of } from 'rxjs';
import type { z } from 'zod';

import { ERROR_CODES, OperatorError } from '../shared/errors';
import { fieldPath } from '../shared/fieldPath';
import { applyTemplateVariables, toWireQuery } from '../shared/interpolate';
import type { ActionName } from '../shared/names';
import { HealthReport } from '../shared/schema/health';
import type { QueryRequest, WireQuery } from '../shared/schema/query';
import { SubjectDescription } from '../shared/schema/subject';
import { AuditListAnswer, ExecuteAnswer, PreflightAnswer } from '../shared/schema/actions';
import { annotationSupport } from './annotations';
import { queryDisplayText } from './displayText';
import { actionError, describeFetchError } from './errors';
import { toDataResponse } from './frames';
import { DEFAULT_QUERY, type TikvOptions, type TikvQuery } from './types';
import { TikvVariableSupport } from './variables';

export class DataSource extends DataSourceApi<TikvQuery, TikvOptions> {
  /** `/api/datasources/proxy/uid/<uid>` for `access: proxy` (Grafana frontendsettings.go). */
  readonly url: string;
  readonly backendUrl: string;
  /** `jsonData.cluster`; undefined = the backend's only cluster. */
  readonly cluster?: string;
  private subject?: Promise<SubjectDescription>;

  constructor(
    instanceSettings: DataSourceInstanceSettings<TikvOptions>,
    // Injectable like Grafana's Prometheus data source; Grafana's singleton by default.
    private readonly templateSrv: TemplateSrv = getTemplateSrv()
  ) {
    super(instanceSettings);
    this.url = instanceSettings.url ?? '';
    this.backendUrl = instanceSettings.jsonData?.backendUrl ?? '';
    this.cluster = instanceSettings.jsonData?.cluster?.trim() || undefined;
    this.annotations = annotationSupport();
    this.variables = new TikvVariableSupport(this);
  }

  getDefaultQuery(_app: CoreApp): Partial<TikvQuery> {
    return DEFAULT_QUERY;
  }

  /** Hidden queries and observation queries without an observation are not sent. */
  filterQuery(query: TikvQuery): boolean {
    if (query.hide) {
      return false;
    }
    return (
      query.kind === 'invariant' ||
      query.kind === 'audit' ||
      query.kind === 'slo' ||
      (query.kind === 'observation' && Boolean(query.observation))
    );
  }

  /**
   * Every string field of the query with its template variables expanded (Grafana's `applyTemplateVariables`, as
   * DataSourceWithBackend has it): csv, so a multi-value variable arrives as `1,4` and a list field gets one item
   * per value. query(), validate() and Explore (interpolateVariablesInQueries) all go through it.
   */
  applyTemplateVariables(query: TikvQuery, scopedVars: ScopedVars): TikvQuery {
    return applyTemplateVariables(query, this.replacer(scopedVars));
  }

  /** Grafana's interpolation; csv: a multi-value variable arrives as `1,4`, All as every value or its custom value. */
  private replacer(scopedVars: ScopedVars): (text: string) => string {
    return (text) => this.templateSrv.replace(text, scopedVars, 'csv');
  }

  /** Explore and query copying: the saved query with every variable expanded. */
  interpolateVariablesInQueries(queries: TikvQuery[], scopedVars: ScopedVars): TikvQuery[] {
    return queries.map((q) => this.applyTemplateVariables(q, scopedVars));
  }

  /** Query history and Explore: "high_latency, low_disk · stores 1, 4 · violations". */
  getQueryDisplayText(query: TikvQuery): string {
    return queryDisplayText(query);
  }

  /** The first problem of a saved query, as the editor shows it beside the field (undefined: none). */
  validate(query: TikvQuery): { field: string; error: string } | undefined {
    const result = toWireQuery(query, this.replacer({}));
    return 'error' in result ? result : undefined;
  }

  query(request: DataQueryRequest<TikvQuery>): Observable<DataQueryResponse> {
    const errors: DataQueryError[] = [];
    const queries: WireQuery[] = [];
    for (const target of request.targets) {
      if (!this.filterQuery(target)) {
        continue;
      }
      const result = toWireQuery(target, this.replacer(request.scopedVars));
      if ('error' in result) {
        errors.push({ refId: target.refId, message: result.error, status: 400 });
      } else {
        queries.push(result.query);
      }
    }
    if (queries.length === 0) {
      return of({ data: [], errors });
    }
    const refIds = queries.map((q) => q.refId);
    const body: QueryRequest = {
      ...(this.cluster ? { cluster: this.cluster } : {}),
      from: request.range.from.valueOf(),
      to: request.range.to.valueOf(),
      intervalMs: request.intervalMs > 0 ? request.intervalMs : undefined,
      maxDataPoints: request.maxDataPoints && request.maxDataPoints > 0 ? Math.round(request.maxDataPoints) : undefined,
      queries,
    };
    return this.fetch<unknown>({
      url: `${this.url}/api/query`,
      method: 'POST',
      data: body,
      requestId: request.requestId,
    }).pipe(
      map((response) => {
        const answer = toDataResponse(response.data, refIds);
        return { data: answer.data, errors: [...errors, ...answer.errors] };
      }),
      catchError((err: unknown) => {
        const failure = describeFetchError(err, this.backendUrl || 'the backend');
        return of({ data: [], errors: [...errors, ...refIds.map((refId) => ({ refId, ...failure }))] });
      })
    );
  }

  /** The subject's observations and invariant defaults (`GET /api/subject`), fetched once per data source. */
  getSubject(): Promise<SubjectDescription> {
    if (!this.subject) {
      this.subject = lastValueFrom(
        this.fetch<unknown>({ url: `${this.url}/api/subject${this.clusterParam()}`, method: 'GET' })
      ).then(
        (response) => SubjectDescription.parse(response.data),
        (err: unknown) => {
          throw new Error(describeFetchError(err, this.backendUrl).message);
        }
      );
      // A failure is not cached: the next editor mount asks again.
      this.subject.catch(() => (this.subject = undefined));
    }
    return this.subject;
  }

  /** "Save & test": says which of backend, token, PD and Prometheus is wrong. */
  async testDatasource(): Promise<TestDataSourceResponse> {
    if (!this.backendUrl) {
      return {
        status: 'error',
        message: 'Set the backend URL (the TiKV Operator backend as the Grafana server reaches it).',
      };
    }
    const target = `the backend at ${this.backendUrl}`;
    let health: HealthReport;
    try {
      const response = await lastValueFrom(
        this.fetch<unknown>({ url: `${this.url}/api/health${this.clusterParam()}`, method: 'GET' })
      );
      const parsed = HealthReport.safeParse(response.data);
      if (!parsed.success) {
        return {
          status: 'error',
          message: `${target} answered GET /api/health, but not like a TiKV Operator backend (${fieldPath(parsed.error.issues[0].path)}: ${parsed.error.issues[0].message})`,
        };
      }
      health = parsed.data;
      // /api/health may answer without a token; /api/subject proves the API token works.
      await lastValueFrom(this.fetch<unknown>({ url: `${this.url}/api/subject`, method: 'GET' }));
    } catch (err) {
      return { status: 'error', message: `${describeFetchError(err, target).message}` };
    }
    if (health.clusters.length !== 1) {
      return {
        status: 'error',
        message: `${target} serves several clusters (${health.clusters.map((c) => c.name).join(', ')}): set the cluster of this data source`,
      };
    }
    const cluster = health.clusters[0];
    const problems: string[] = [];
    if (!cluster.pd.ok) {
      problems.push(`PD is down: ${cluster.pd.message}`);
    }
    if (!cluster.prometheus.ok) {
      problems.push(`Prometheus is down: ${cluster.prometheus.message}`);
    }
    if (health.audit && !health.audit.ok) {
      problems.push(`the action audit store is down, so actions are refused: ${health.audit.message}`);
    }
    // With the audit store down the actions route refuses anyway (said above); otherwise check the token.
    if (health.backend.actionsEnabled && health.audit?.ok !== false) {
      // The actions route carries its own token: one read of the audit trail through it proves the token works.
      try {
        await lastValueFrom(this.fetch<unknown>({ url: `${this.url}/api/actions/audit?limit=1`, method: 'GET' }));
      } catch (err) {
        problems.push(`actions are enabled on the backend, but ${actionError(err, 'drain_store', target).message}`);
      }
    }
    if (problems.length > 0) {
      return { status: 'error', message: problems.join('; ') };
    }
    const version = (v?: string) => (v ? ` ${v}` : '');
    return {
      status: 'success',
      message:
        `Backend ${health.backend.version} reached; cluster ${cluster.name}: PD${version(cluster.pd.version)} and ` +
        `Prometheus${version(cluster.prometheus.version)} answer. ` +
        (health.backend.actionsEnabled ? 'Actions are enabled and the actions token works.' : 'Actions are disabled.'),
    };
  }

  /**
   * The dry run of an action (`POST api/actions/<action>/preflight`): what it would do, each check, and whether it is
   * safe. `params` use PD's names (src/subject/tikv/config.ts ActionParams). Rejects with a catalog error in words.
   */
  preflightAction(action: ActionName, params: Record<string, unknown>): Promise<PreflightAnswer> {
    return this.actionRequest(action, `${action}/preflight`, PreflightAnswer, {
      method: 'POST',
      data: this.targeted(params),
    });
  }

  /** Runs an action after the backend repeats its preflight; 409 rejects with ActionUnsafeError and its reasons. */
  executeAction(action: ActionName, params: Record<string, unknown>): Promise<ExecuteAnswer> {
    return this.actionRequest(action, `${action}/execute`, ExecuteAnswer, {
      method: 'POST',
      data: this.targeted(params),
    });
  }

  /**
   * The full audit trail of this data source's cluster over [from, to] (`GET api/actions/audit`): parameters,
   * preflight, PD's answers. Admin-only like the actions (the `kind: "audit"` query gives Viewers a redacted view).
   */
  auditTrail(range: { from: number; to: number }, limit = 1000): Promise<AuditListAnswer> {
    const query = new URLSearchParams({ from: String(range.from), to: String(range.to), limit: String(limit) });
    if (this.cluster) {
      query.set('cluster', this.cluster);
    }
    return this.actionRequest('audit trail', `audit?${query}`, AuditListAnswer, { method: 'GET' });
  }

  /** An action body: the parameters and, when set, this data source's cluster beside them. */
  private targeted(params: Record<string, unknown>): Record<string, unknown> {
    return this.cluster ? { ...params, cluster: this.cluster } : params;
  }

  /** `?cluster=` for the GET routes, when this data source names one. */
  private clusterParam(): string {
    return this.cluster ? `?cluster=${encodeURIComponent(this.cluster)}` : '';
  }

  private async actionRequest<T>(
    action: ActionName | 'audit trail',
    path: string,
    schema: z.ZodType<T>,
    options: Omit<BackendSrvRequest, 'url'>
  ): Promise<T> {
    let data: unknown;
    try {
      // The `api/actions` route (plugin.json) is Admin-only and injects the actions token, never the read token.
      data = (await lastValueFrom(this.fetch<unknown>({ ...options, url: `${this.url}/api/actions/${path}` }))).data;
    } catch (err) {
      throw actionError(err, action, this.backendUrl || 'the backend');
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new OperatorError(
        ERROR_CODES.UPSTREAM_SCHEMA,
        `the backend's answer to ${path} does not fit the actions API (${fieldPath(issue.path)}: ${issue.message})`,
        502
      );
    }
    return parsed.data;
  }

  private fetch<T>(options: BackendSrvRequest) {
    // The panel shows the error itself; Grafana's toast would repeat it.
    return getBackendSrv().fetch<T>({ showErrorAlert: false, ...options });
  }
}
