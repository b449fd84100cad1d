import { BadQueryError, ConfigError, UpstreamSchemaError, UpstreamStatusError } from '../../../src/shared/errors';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { parseSelector } from '../../../src/subject/prometheus/selector';
import { matrix, type PromFakeServer, startPromFakeServer, success, vector } from '../../support/promFakeServer';

let prom: PromFakeServer;
const clients: PrometheusClient[] = [];

function client(opts: Partial<ConstructorParameters<typeof PrometheusClient>[0]> = {}): PrometheusClient {
  const c = new PrometheusClient({ url: prom.url, ...opts });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  prom = await startPromFakeServer();
});
beforeEach(() => {
  prom.setHandler(undefined);
  prom.requests.length = 0;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await prom.close();
});

describe('PrometheusClient queries', () => {
  it('runs an instant query and returns labelled samples in ms, with NaN and ±Inf as numbers', async () => {
    prom.setHandler(() =>
      vector(
        [
          { labels: { instance: 'a:20180' }, value: '0.0125' },
          { labels: { instance: 'b:20180' }, value: 'NaN' },
          { labels: { instance: 'c:20180' }, value: '+Inf' },
          { labels: { instance: 'd:20180' }, value: '-Inf' },
        ],
        1749544200.123
      )
    );
    const r = await client().query('up', 1749544200123);
    expect(prom.requests[0].params.get('query')).toBe('up');
    expect(prom.requests[0].params.get('time')).toBe('1749544200.123');
    expect(r.samples.map((s) => [s.labels.instance, s.t, s.v])).toEqual([
      ['a:20180', 1749544200123, 0.0125],
      ['b:20180', 1749544200123, NaN],
      ['c:20180', 1749544200123, Infinity],
      ['d:20180', 1749544200123, -Infinity],
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('returns a scalar as one sample without labels', async () => {
    prom.setHandler(() => success({ resultType: 'scalar', result: [1749544200, '3'] }));
    expect((await client().query('scalar(up)')).samples).toEqual([{ labels: {}, t: 1749544200000, v: 3 }]);
  });

  it('runs a range query with start, end and step in seconds and returns time-ordered pairs', async () => {
    prom.setHandler(() =>
      matrix([
        {
          labels: { instance: 'a:20180' },
          values: [
            [1000, '1'],
            [1015, '2'],
            [1030, 'NaN'],
          ],
        },
      ])
    );
    const r = await client().queryRange('up', 1_000_000, 1_030_000, 15_000);
    expect([...prom.requests[0].params.entries()]).toEqual([
      ['query', 'up'],
      ['start', '1000'],
      ['end', '1030'],
      ['step', '15'],
    ]);
    expect(r.series).toEqual([
      {
        labels: { instance: 'a:20180' },
        samples: [
          [1_000_000, 1],
          [1_015_000, 2],
          [1_030_000, NaN],
        ],
      },
    ]);
  });

  it('gives the same range answer as columns of doubles, checked the same way', async () => {
    const values: Array<[number, string]> = [
      [1000, '1'],
      [1015, '+Inf'],
      [1030, 'NaN'],
    ];
    prom.setHandler(() =>
      matrix([
        { labels: { instance: 'a:20180' }, values },
        { labels: { instance: 'b:20180' }, values: [] },
      ])
    );
    const r = await client().queryRangeColumns('up', 1_000_000, 1_030_000, 15_000);
    expect(prom.requests[0].params.get('step')).toBe('15');
    expect(r.series.map((x) => [x.labels.instance, [...x.t], [...x.v]])).toEqual([
      ['a:20180', [1_000_000, 1_015_000, 1_030_000], [1, Infinity, NaN]],
      ['b:20180', [], []],
    ]);
    expect(r.series[0].t).toBeInstanceOf(Float64Array);

    prom.setHandler(() => vector([]));
    await expect(client().queryRangeColumns('up', 0, 2000, 1000)).rejects.toThrow(/expected a matrix, got vector/);
    await expect(client().queryRangeColumns('up', 0, 11_000 * 15_000, 15_000)).rejects.toThrow(
      /Prometheus allows 11000/
    );
  });

  it('refuses a range of more than 11,000 points before asking Prometheus', async () => {
    await expect(client().queryRange('up', 0, 11_000 * 15_000, 15_000)).rejects.toThrow(BadQueryError);
    await expect(client().queryRange('up', 0, 11_000 * 15_000, 15_000)).rejects.toThrow(/Prometheus allows 11000/);
    expect(prom.requests).toHaveLength(0);
  });

  it('surfaces Prometheus warnings and infos with the result', async () => {
    prom.setHandler(() => ({
      ...vector([]),
      body: {
        status: 'success',
        data: { resultType: 'vector', result: [] },
        warnings: ['partial response from store-gateway'],
        infos: ['PromQL info: metric might not be a counter'],
      },
    }));
    expect((await client().query('rate(x[1m])')).warnings).toEqual([
      'partial response from store-gateway',
      'info: PromQL info: metric might not be a counter',
    ]);
  });

  it("surfaces Prometheus' own error message, type and the path", async () => {
    prom.setHandler(() => ({
      status: 400,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:5: parse error: unexpected "}"',
      },
    }));
    const err = await client()
      .query('up{}}')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamStatusError);
    expect((err as UpstreamStatusError).status).toBe(400);
    expect((err as Error).message).toBe(
      'Prometheus /api/v1/query: HTTP 400: bad_data: invalid parameter "query": 1:5: parse error: unexpected "}"'
    );
  });

  it('treats a status "error" body with HTTP 200 as an error too', async () => {
    prom.setHandler(() => ({ body: { status: 'error', errorType: 'execution', error: 'query timed out' } }));
    await expect(client().query('up')).rejects.toThrow(
      'Prometheus /api/v1/query: HTTP 200: execution: query timed out'
    );
  });

  it('names the field of a malformed answer', async () => {
    prom.setHandler(() => vector([{ labels: { instance: 'a' }, value: 'twelve' }]));
    const err = await client()
      .query('up')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamSchemaError);
    expect((err as UpstreamSchemaError).field).toBe('data.result[0].value[1]');
    expect((err as Error).message).toContain('not a sample value: "twelve"');
  });

  it.each(['queryRange', 'queryRangeColumns'] as const)(
    '%s names the point of a malformed range answer',
    async (method) => {
      prom.setHandler(() =>
        success({
          resultType: 'matrix',
          result: [
            {
              metric: { instance: 'a' },
              values: [
                [1, '0.1'],
                [2, 'twelve'],
              ],
            },
          ],
        })
      );
      const err = await client()
        [method]('up', 0, 2000, 1000)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamSchemaError);
      expect((err as UpstreamSchemaError).field).toBe('data.result[0].values[1][1]');
      expect((err as Error).message).toContain('not a sample value: "twelve"');
    }
  );

  it('lists label values, series and the build version', async () => {
    prom.setHandler((req) => {
      if (req.path === '/api/v1/label/instance/values') {
        return success(['a:20180', 'b:20180']);
      }
      if (req.path === '/api/v1/series') {
        return success([{ __name__: 'up', instance: 'a:20180', job: 'tikv' }]);
      }
      return undefined;
    });
    const c = client({ selector: parseSelector('cluster="prod"') });
    expect((await c.labelValues('instance', [{ name: 'job', op: '=', value: 'tikv' }])).values).toEqual([
      'a:20180',
      'b:20180',
    ]);
    expect(prom.requests[0].params.getAll('match[]')).toEqual(['{cluster="prod",job="tikv"}']);
    const s = await c.series([{ name: '__name__', op: '=', value: 'up' }], 1_000_000, 2_000_000);
    expect(s.series).toEqual([{ __name__: 'up', instance: 'a:20180', job: 'tikv' }]);
    expect(prom.requests[1].params.get('match[]')).toBe('{cluster="prod",__name__="up"}');
    expect(prom.requests[1].params.get('start')).toBe('1000');
    expect(await c.buildInfo()).toEqual({ version: '2.53.0' });
    await expect(c.labelValues('inst"ance')).rejects.toThrow(/invalid label name/);
  });
});

describe('PrometheusClient selectors and auth', () => {
  it('adds PROMETHEUS_SELECTOR and the configured job to every selector, escaping store filter values', async () => {
    const c = client({
      selector: parseSelector('cluster="prod",env=~"a|b"'),
      jobs: { tikv: 'tikv-prod', pd: 'pd-prod' },
    });
    expect(c.selector('up', [], 'tikv')).toBe('up{cluster="prod",env=~"a|b",job="tikv-prod"}');
    expect(c.selector('pd_cluster_status', [{ name: 'type', op: '=', value: 'region_count' }], 'pd')).toBe(
      'pd_cluster_status{cluster="prod",env=~"a|b",job="pd-prod",type="region_count"}'
    );
    const injected = c.selector('up', [{ name: 'instance', op: '=~', value: '.*"} or vector(1) #' }], 'tikv');
    expect(injected).toBe('up{cluster="prod",env=~"a|b",job="tikv-prod",instance=~".*\\"} or vector(1) #"}');
    await c.query(injected);
    expect(prom.requests[0].params.get('query')).toBe(injected);
    // An empty job name means the deployment's targets carry no job matcher.
    expect(client({ jobs: { tikv: '', pd: 'pd' } }).selector('up', [], 'tikv')).toBe('up{}');
  });

  it('sends a bearer token', async () => {
    await client({ auth: { bearer: 's3cret-token' } }).buildInfo();
    expect(prom.requests[0].headers.authorization).toBe('Bearer s3cret-token');
  });

  it('sends basic auth, also when the credentials are in the URL, and never puts them in an error', async () => {
    await client({ auth: { username: 'grafana', password: 'p@ss' } }).buildInfo();
    expect(prom.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('grafana:p@ss').toString('base64')}`);
    prom.setHandler(() => ({ status: 503, body: 'Service Unavailable' }));
    const withUrlCreds = client({ url: prom.url.replace('//', '//admin:hunter2@') });
    const err = await withUrlCreds.buildInfo().catch((e: unknown) => e);
    expect(prom.requests[1].headers.authorization).toBe(`Basic ${Buffer.from('admin:hunter2').toString('base64')}`);
    expect(err).toBeInstanceOf(UpstreamStatusError);
    expect(
      JSON.stringify({ message: (err as Error).message, origin: (err as UpstreamStatusError).origin })
    ).not.toMatch(/hunter2|admin/);
  });

  it('keeps a path prefix of the base URL (Prometheus behind a reverse proxy)', async () => {
    prom.setHandler((req) =>
      req.path === '/prom/api/v1/status/buildinfo' ? success({ version: '3.1.0' }) : undefined
    );
    expect(await client({ url: `${prom.url}/prom/` }).buildInfo()).toEqual({ version: '3.1.0' });
  });

  it('rejects a URL it cannot use, naming PROMETHEUS_URL', () => {
    expect(() => new PrometheusClient({ url: 'ftp://prom:9090' })).toThrow(ConfigError);
    expect(() => new PrometheusClient({ url: 'not a url' })).toThrow(/PROMETHEUS_URL: not a URL/);
  });
});
