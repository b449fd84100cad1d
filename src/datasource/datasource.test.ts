import { CoreApp, type DataQueryRequest, type DataQueryResponse, dateTime, FieldType } from '@grafana/data';
import { setBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { DataSource } from './datasource';
import {
  fakeBackendSrv,
  fakeTemplateSrv,
  type FakeAnswer,
  instanceSettings,
  routeOf,
  SUBJECT,
} from './testing/fakeGrafana';
import type { TikvOptions, TikvQuery } from './types';

const FROM = Date.UTC(2026, 10, 27, 10, 0, 0);
const TO = FROM + 3_600_000;

function request(targets: TikvQuery[], scopedVars = {}): DataQueryRequest<TikvQuery> {
  return {
    requestId: 'Q1',
    interval: '15s',
    intervalMs: 15_000,
    maxDataPoints: 240,
    range: { from: dateTime(FROM), to: dateTime(TO), raw: { from: 'now-1h', to: 'now' } },
    scopedVars,
    targets,
    timezone: 'utc',
    app: CoreApp.Dashboard,
    startTime: FROM,
  };
}

const storesFrame = {
  schema: {
    refId: 'A',
    fields: [
      { name: 'store_id', type: 'number' },
      { name: 'address', type: 'string' },
      { name: 'state_name', type: 'string' },
    ],
  },
  data: {
    values: [
      [1, 4],
      ['tikv-1:20160', 'tikv-4:20160'],
      ['Up', 'Down'],
    ],
  },
};

function setup(answer: (body: any) => FakeAnswer, variables = {}, jsonData?: TikvOptions) {
  const fake = fakeBackendSrv((req) => answer(req.data));
  setBackendSrv(fake.backendSrv);
  const ds = new DataSource(instanceSettings(jsonData), fakeTemplateSrv(variables));
  return { ds, calls: fake.calls };
}

async function run(ds: DataSource, targets: TikvQuery[], scopedVars = {}): Promise<DataQueryResponse> {
  return lastValueFrom(ds.query(request(targets, scopedVars)));
}

describe('panel queries', () => {
  it("sends the data source's cluster (jsonData.cluster) with every query", async () => {
    const { ds, calls } = setup(
      () => ({ status: 200, data: { results: { A: { frames: [storesFrame] } } } }),
      {},
      {
        backendUrl: 'http://backend:8080',
        cluster: 'east',
      }
    );
    await run(ds, [{ refId: 'A', kind: 'observation', observation: 'get_stores' }]);
    expect(calls[0].data).toMatchObject({ cluster: 'east', queries: [{ refId: 'A' }] });
  });

  it('sends the panel time range and queries through the proxy route and shows the frames', async () => {
    const { ds, calls } = setup(() => ({ status: 200, data: { results: { A: { frames: [storesFrame] } } } }));
    const res = await run(ds, [{ refId: 'A', kind: 'observation', observation: 'get_stores' }]);

    expect(routeOf(calls[0])).toBe('POST /api/query');
    expect(calls[0].data).toEqual({
      from: FROM,
      to: TO,
      intervalMs: 15_000,
      maxDataPoints: 240,
      queries: [{ refId: 'A', kind: 'observation', observation: 'get_stores' }],
    });
    expect(res.errors).toEqual([]);
    expect(res.data).toHaveLength(1);
    const frame = res.data[0];
    expect(frame.refId).toBe('A');
    expect(frame.fields.map((f: { name: string }) => f.name)).toEqual(['store_id', 'address', 'state_name']);
    expect(frame.fields[0].type).toBe(FieldType.number);
    expect(frame.fields[2].values).toEqual(['Up', 'Down']);
  });

  it('decodes an enum-encoded column (data.enums) back to its words', async () => {
    const encoded = {
      ...storesFrame,
      data: {
        values: [
          [1, 4, 5],
          ['a:1', 'b:1', 'c:1'],
          [0, 1, 0],
        ],
        enums: [null, null, ['Up', 'Down']],
      },
    };
    const { ds } = setup(() => ({ status: 200, data: { results: { A: { frames: [encoded] } } } }));
    const res = await run(ds, [{ refId: 'A', kind: 'observation', observation: 'get_stores' }]);
    expect(res.errors).toEqual([]);
    expect(res.data[0].fields[2]).toMatchObject({ type: FieldType.string, values: ['Up', 'Down', 'Up'] });
  });

  it('expands a multi-value store variable into store ids', async () => {
    const { ds, calls } = setup(() => ({ status: 200, data: { results: { A: { frames: [] } } } }), {
      store: ['1', '4'],
    });
    await run(ds, [{ refId: 'A', kind: 'invariant', invariants: ['store_down'], stores: '$store' }]);
    expect(calls[0].data.queries).toEqual([
      { refId: 'A', kind: 'invariant', invariants: ['store_down'], format: 'violations', storeIds: [1, 4] },
    ]);
  });

  it('sends no store filter when the variable is set to All', async () => {
    const { ds, calls } = setup(() => ({ status: 200, data: { results: { A: { frames: [] } } } }), {
      store: { all: true, values: ['1', '2', '3'], allValue: '.*' },
    });
    await run(ds, [{ refId: 'A', kind: 'observation', observation: 'get_stores', stores: '${store}' }]);
    expect(calls[0].data.queries).toEqual([{ refId: 'A', kind: 'observation', observation: 'get_stores' }]);
  });

  it('uses the repeat value of a repeated panel (scoped variables)', async () => {
    const { ds, calls } = setup(() => ({ status: 200, data: { results: { A: { frames: [] } } } }), {
      store: ['1', '2'],
    });
    await run(ds, [{ refId: 'A', kind: 'observation', observation: 'get_stores', stores: '$store' }], {
      store: { text: 'tikv-2', value: '2' },
    });
    expect(calls[0].data.queries[0].storeIds).toEqual([2]);
  });

  it('skips hidden and incomplete queries and sends nothing when none is left', async () => {
    const { ds, calls } = setup(() => ({ status: 200, data: { results: { B: { frames: [] } } } }));
    await run(ds, [
      { refId: 'A', kind: 'observation', observation: 'get_stores', hide: true },
      { refId: 'B', kind: 'invariant' },
      { refId: 'C', kind: 'observation' },
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0].data.queries.map((q: { refId: string }) => q.refId)).toEqual(['B']);

    const res = await run(ds, [{ refId: 'A', kind: 'observation', observation: 'get_stores', hide: true }]);
    expect(calls).toHaveLength(1);
    expect(res).toEqual({ data: [], errors: [] });
  });

  it('shows a bad store filter as that query’s error and still runs the others', async () => {
    const { ds, calls } = setup(() => ({ status: 200, data: { results: { B: { frames: [storesFrame] } } } }));
    const res = await run(ds, [
      { refId: 'A', kind: 'observation', observation: 'get_stores', stores: 'tikv-1' },
      { refId: 'B', kind: 'observation', observation: 'get_stores' },
    ]);
    expect(calls[0].data.queries.map((q: { refId: string }) => q.refId)).toEqual(['B']);
    expect(res.errors).toEqual([
      { refId: 'A', message: expect.stringContaining('stores: "tikv-1" is not a store id'), status: 400 },
    ]);
    expect(res.data.map((f) => f.refId)).toEqual(['B']);
  });

  it('shows the backend’s per-query error beside the other query’s frames', async () => {
    const { ds } = setup(() => ({
      status: 200,
      data: {
        results: {
          A: {
            frames: [],
            error: 'Prometheus /api/v1/query_range: HTTP 503',
            status: 502,
            code: 'TKO_ERR_UPSTREAM_STATUS',
          },
          B: { frames: [storesFrame] },
        },
      },
    }));
    const res = await run(ds, [
      { refId: 'A', kind: 'invariant' },
      { refId: 'B', kind: 'observation', observation: 'get_stores' },
    ]);
    const message = 'Prometheus /api/v1/query_range: HTTP 503';
    expect(res.errors).toEqual([
      { refId: 'A', message, status: 502, data: { message, error: 'TKO_ERR_UPSTREAM_STATUS' } },
    ]);
    expect(res.data.map((f) => f.refId)).toEqual(['B']);
  });

  it('says the API token is missing or wrong when Grafana answers 400 for the backend’s 401', async () => {
    const { ds } = setup(() => ({
      status: 400,
      statusText: 'Bad Request',
      data: 'Authentication to data source failed',
    }));
    const res = await run(ds, [{ refId: 'A', kind: 'observation', observation: 'get_stores' }]);
    expect(res.errors).toEqual([{ refId: 'A', message: 'the API token is missing or wrong', status: 401 }]);
  });

  it('also recognises Grafana’s 400 when its body arrives as {message}', async () => {
    const { ds } = setup(() => ({ status: 400, data: { message: 'Authentication to data source failed' } }));
    const res = await run(ds, [{ refId: 'A', kind: 'invariant' }]);
    expect(res.errors?.[0].message).toBe('the API token is missing or wrong');
  });

  it('says the backend is unreachable when Grafana’s proxy answers 502 without a body', async () => {
    const { ds } = setup(() => ({ status: 502, statusText: 'Bad Gateway', data: '' }));
    const res = await run(ds, [
      { refId: 'A', kind: 'invariant' },
      { refId: 'B', kind: 'observation', observation: 'get_stores' },
    ]);
    expect(res.errors?.map((e) => e.refId)).toEqual(['A', 'B']);
    expect(res.errors?.[0].message).toMatch(/^backend unreachable: .*http:\/\/backend:8080/);
  });

  it('shows the backend’s own message for a rejected request', async () => {
    const { ds } = setup(() => ({
      status: 400,
      data: { statusCode: 400, code: 'TKO_ERR_BAD_QUERY', error: 'Bad Request', message: 'queries[0].limit: Too big' },
    }));
    const res = await run(ds, [{ refId: 'A', kind: 'observation', observation: 'get_hot_write_regions', limit: 9 }]);
    expect(res.errors).toEqual([{ refId: 'A', message: 'queries[0].limit: Too big', status: 400 }]);
  });

  it('names the field of an answer that does not fit the response schema', async () => {
    const { ds } = setup(() => ({ status: 200, data: { results: { A: { frames: 'nope' } } } }));
    const res = await run(ds, [{ refId: 'A', kind: 'invariant' }]);
    expect(res.errors?.[0].message).toMatch(/results\.A\.frames/);
  });

  it('reports a query the backend did not answer', async () => {
    const { ds } = setup(() => ({ status: 200, data: { results: {} } }));
    const res = await run(ds, [{ refId: 'A', kind: 'invariant' }]);
    expect(res.errors).toEqual([{ refId: 'A', message: 'the backend returned no result for query A' }]);
  });
});

describe('query helpers', () => {
  it('starts a new query on the stores observation', () => {
    const { ds } = setup(() => ({ status: 200 }));
    expect(ds.getDefaultQuery(CoreApp.Explore)).toEqual({ kind: 'observation', observation: 'get_stores' });
  });

  it('expands variables for Explore and keeps the saved shape', () => {
    const { ds } = setup(() => ({ status: 200 }), { store: ['3', '5'] });
    const [q] = ds.interpolateVariablesInQueries([{ refId: 'A', kind: 'invariant', stores: '$store' }], {});
    expect(q).toEqual({ refId: 'A', kind: 'invariant', stores: '3,5' });
  });

  it('applies template variables to every string field, in dashboards (scoped) and in Explore', async () => {
    let sent: any;
    const { ds } = setup(
      (body) => {
        sent = body;
        return { status: 200, data: { results: {} } };
      },
      { inv: ['high_latency', 'low_disk'], fmt: 'timeline', store: ['1', '4'] }
    );
    const saved: TikvQuery = {
      refId: 'A',
      kind: 'invariant',
      invariants: ['$inv' as 'low_disk'],
      format: '$fmt' as 'timeline',
      stores: '$store',
    };
    expect(ds.applyTemplateVariables(saved, {})).toEqual({
      ...saved,
      invariants: ['high_latency', 'low_disk'],
      format: 'timeline',
      stores: '1,4',
    });
    expect(ds.interpolateVariablesInQueries([saved], {})[0].invariants).toEqual(['high_latency', 'low_disk']);
    // A panel repeated per store: the scoped value wins.
    await run(ds, [saved], { store: { text: '2', value: '2' } });
    expect(sent.queries).toEqual([
      { refId: 'A', kind: 'invariant', invariants: ['high_latency', 'low_disk'], format: 'timeline', storeIds: [2] },
    ]);
    expect(ds.validate({ refId: 'A', kind: 'observation', observation: 'get_forecasts', window: '$win' })).toEqual({
      field: 'window',
      error: 'window: unknown template variable $win',
    });
  });

  it('gives query history a readable line for each kind', () => {
    const { ds } = setup(() => ({ status: 200 }));
    const text = (q: Omit<TikvQuery, 'refId'>) => ds.getQueryDisplayText({ refId: 'A', ...q } as TikvQuery);
    expect(
      text({ kind: 'invariant', invariants: ['high_latency', 'low_disk'], stores: '1,4', format: 'violations' })
    ).toBe('high_latency, low_disk · stores 1, 4 · violations');
    expect(text({ kind: 'invariant' })).toBe('all invariants · all stores · violations');
    expect(
      text({
        kind: 'invariant',
        invariants: ['region_health'],
        format: 'timeline',
        overrides: { region_health: { graceSeconds: 60 } },
      })
    ).toBe('region_health · all stores · timeline · custom thresholds');
    expect(text({ kind: 'observation', observation: 'get_hot_write_regions', stores: '$store', limit: 20 })).toBe(
      'get_hot_write_regions · stores $store · limit 20'
    );
    expect(text({ kind: 'observation', observation: 'get_stores', stores: '3' })).toBe('get_stores · store 3');
    expect(text({ kind: 'audit', actions: ['drain_store'], outcomes: ['failed', 'unknown'] })).toBe(
      'audit · drain_store · failed, unknown · table'
    );
    expect(text({ kind: 'slo', slos: ['write_latency_p99'], stores: '1,4', format: 'timeseries' })).toBe(
      'SLO budgets · write_latency_p99 · stores 1, 4 · timeseries'
    );
    expect(text({ kind: 'slo' })).toBe('SLO budgets · all SLOs · all stores · budget');
  });

  it('validates a query for the editor, with the variables it knows', () => {
    const { ds } = setup(() => ({ status: 200 }), { store: '2' });
    expect(ds.validate({ refId: 'A', kind: 'invariant', stores: '$store' })).toBeUndefined();
    expect(ds.validate({ refId: 'A', kind: 'invariant', stores: '$other' })).toEqual({
      field: 'stores',
      error: 'stores: unknown template variable $other',
    });
  });
});

describe('Save & test', () => {
  const report = (
    pd = { ok: true, version: '8.5.0', latencyMs: 3, message: 'ok' },
    prometheus = { ok: true, version: '3.5.0', latencyMs: 4, message: 'ok' }
  ) => ({
    status: pd.ok && prometheus.ok ? 'ok' : 'degraded',
    backend: { version: '0.1.0', uptimeSeconds: 5, actionsEnabled: false },
    pd,
    prometheus,
    clusters: [{ name: 'default', status: pd.ok && prometheus.ok ? 'ok' : 'degraded', pd, prometheus }],
  });

  function health(
    healthAnswer: FakeAnswer,
    subjectAnswer: FakeAnswer = { status: 200, data: SUBJECT },
    jsonData?: TikvOptions
  ) {
    const fake = fakeBackendSrv((req) => (routeOf(req) === 'GET /api/health' ? healthAnswer : subjectAnswer));
    setBackendSrv(fake.backendSrv);
    return new DataSource(instanceSettings(jsonData), fakeTemplateSrv()).testDatasource();
  }

  it('succeeds when the backend, PD and Prometheus answer', async () => {
    await expect(health({ status: 200, data: report() })).resolves.toEqual({
      status: 'success',
      message: 'Backend 0.1.0 reached; cluster default: PD 8.5.0 and Prometheus 3.5.0 answer. Actions are disabled.',
    });
  });

  it('fails naming the audit store when it is down (actions would be refused)', async () => {
    const data = {
      ...report(),
      status: 'degraded',
      audit: { ok: false, store: 'postgres', message: 'PostgreSQL at db:5432/audit: not connected' },
    };
    await expect(health({ status: 200, data })).resolves.toEqual({
      status: 'error',
      message: 'the action audit store is down, so actions are refused: PostgreSQL at db:5432/audit: not connected',
    });
  });

  describe('with actions enabled on the backend', () => {
    const enabled = { ...report(), backend: { version: '0.1.0', uptimeSeconds: 5, actionsEnabled: true } };
    function withAudit(auditAnswer: FakeAnswer) {
      const fake = fakeBackendSrv((req) => {
        const route = routeOf(req);
        return route === 'GET /api/health'
          ? { status: 200, data: enabled }
          : route.startsWith('GET /api/actions/audit')
            ? auditAnswer
            : { status: 200, data: SUBJECT };
      });
      setBackendSrv(fake.backendSrv);
      return { fake, result: new DataSource(instanceSettings(), fakeTemplateSrv()).testDatasource() };
    }

    it('says so only after the actions token passed the actions route', async () => {
      const { fake, result } = withAudit({ status: 200, data: { rows: [] } });
      await expect(result).resolves.toEqual({
        status: 'success',
        message:
          'Backend 0.1.0 reached; cluster default: PD 8.5.0 and Prometheus 3.5.0 answer. Actions are enabled and the actions token works.',
      });
      expect(fake.calls.map(routeOf)).toContain('GET /api/actions/audit?limit=1');
    });

    it('fails naming the actions token when the backend refuses it (Grafana answers 400 for its 401)', async () => {
      const { result } = withAudit({ status: 400, data: 'Authentication to data source failed' });
      await expect(result).resolves.toEqual({
        status: 'error',
        message: 'actions are enabled on the backend, but the actions token is missing or wrong',
      });
    });
  });

  it('asks for a cluster when the backend serves several and this data source names none', async () => {
    const two = {
      ...report(),
      pd: undefined,
      prometheus: undefined,
      clusters: [report().clusters[0], { ...report().clusters[0], name: 'west' }],
    };
    await expect(health({ status: 200, data: two })).resolves.toEqual({
      status: 'error',
      message:
        'the backend at http://backend:8080 serves several clusters (default, west): set the cluster of this data source',
    });
  });

  it("checks its own cluster's health (?cluster=) when it names one", async () => {
    const seen: string[] = [];
    const fake = fakeBackendSrv((req) => {
      seen.push(String(req.url));
      return routeOf(req).startsWith('GET /api/health')
        ? { status: 200, data: { ...report(), clusters: [{ ...report().clusters[0], name: 'west' }] } }
        : { status: 200, data: SUBJECT };
    });
    setBackendSrv(fake.backendSrv);
    const ds = new DataSource(
      instanceSettings({ backendUrl: 'http://backend:8080', cluster: 'west' }),
      fakeTemplateSrv()
    );
    await expect(ds.testDatasource()).resolves.toMatchObject({
      status: 'success',
      message: expect.stringContaining('cluster west'),
    });
    expect(seen.filter((u) => u.includes('/api/health'))).toEqual([
      expect.stringMatching(/\/api\/health\?cluster=west$/),
    ]);
  });

  it('asks for the backend URL when it is not set', async () => {
    await expect(health({ status: 200, data: report() }, undefined, {})).resolves.toEqual({
      status: 'error',
      message: expect.stringContaining('Set the backend URL'),
    });
  });

  it('says the backend is unreachable', async () => {
    const r = await health({ status: 502, statusText: 'Bad Gateway' });
    expect(r).toEqual({
      status: 'error',
      message: expect.stringMatching(/^backend unreachable: .*the backend at http:\/\/backend:8080/),
    });
  });

  it('says the token is wrong when the health check passes but the subject is refused', async () => {
    const r = await health(
      { status: 200, data: report() },
      { status: 400, data: 'Authentication to data source failed' }
    );
    expect(r).toEqual({ status: 'error', message: 'the API token is missing or wrong' });
  });

  it('says PD is down with its message', async () => {
    const r = await health({
      status: 200,
      data: report({ ok: false, message: 'PD http://pd:2379/pd/api/v1/version: connection refused' } as never),
    });
    expect(r).toEqual({
      status: 'error',
      message: 'PD is down: PD http://pd:2379/pd/api/v1/version: connection refused',
    });
  });

  it('says Prometheus is down', async () => {
    const r = await health({ status: 200, data: report(undefined, { ok: false, message: 'HTTP 503' } as never) });
    expect(r).toEqual({ status: 'error', message: 'Prometheus is down: HTTP 503' });
  });

  it('says when the URL answers but is not this backend', async () => {
    const r = await health({ status: 200, data: '<html>' });
    expect(r).toEqual({ status: 'error', message: expect.stringContaining('not like a TiKV Operator backend') });
  });
});
