import { CoreApp, dateTime, type DataQueryRequest } from '@grafana/data';
import { setBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { DataSource } from './datasource';
import { fakeBackendSrv, fakeTemplateSrv, instanceSettings, routeOf, SUBJECT } from './testing/fakeGrafana';
import type { TikvVariableQuery } from './types';
import { TikvVariableSupport } from './variables';

const storesFrame = {
  schema: {
    fields: [
      { name: 'store_id', type: 'number' },
      { name: 'address', type: 'string' },
      { name: 'status_address', type: 'string' },
      { name: 'state_name', type: 'string' },
    ],
  },
  data: {
    values: [
      [1, 2, 4],
      ['tikv-1:20160', 'tikv-2:20160', 'tikv-4:20160'],
      ['tikv-1:20180', 'tikv-2:20180', 'tikv-4:20180'],
      ['Up', 'Up', 'Down'],
    ],
  },
};

async function options(values: TikvVariableQuery['values']) {
  const fake = fakeBackendSrv(() => ({ status: 200, data: { results: { variable: { frames: [storesFrame] } } } }));
  setBackendSrv(fake.backendSrv);
  const ds = new DataSource(instanceSettings(), fakeTemplateSrv());
  expect(ds.variables).toBeInstanceOf(TikvVariableSupport);
  const request = {
    requestId: 'V1',
    interval: '1m',
    intervalMs: 60_000,
    range: { from: dateTime(0), to: dateTime(3_600_000), raw: { from: 'now-1h', to: 'now' } },
    scopedVars: {},
    targets: [{ refId: 'A', values }],
    timezone: 'utc',
    app: CoreApp.Dashboard,
    startTime: 0,
  } as DataQueryRequest<TikvVariableQuery>;
  const response = await lastValueFrom((ds.variables as TikvVariableSupport).query(request));
  expect(fake.calls[0].data.queries).toEqual([{ refId: 'variable', kind: 'observation', observation: 'get_stores' }]);
  const frame = response.data[0];
  const column = (name: string) => frame.fields.find((f: { name: string }) => f.name === name).values;
  return column('text').map((text: string, i: number) => ({ text, value: column('value')[i] }));
}

describe('variable queries', () => {
  it('lists stores by address with the store id as value', async () => {
    await expect(options('stores')).resolves.toEqual([
      { text: 'tikv-1:20160', value: '1' },
      { text: 'tikv-2:20160', value: '2' },
      { text: 'tikv-4:20160', value: '4' },
    ]);
  });

  it('lists stores when the variable query names nothing (older saved variables)', async () => {
    await expect(options(undefined)).resolves.toHaveLength(3);
  });

  it('lists the Prometheus instances of the stores', async () => {
    await expect(options('instances')).resolves.toEqual([
      { text: 'tikv-1:20180', value: 'tikv-1:20180' },
      { text: 'tikv-2:20180', value: 'tikv-2:20180' },
      { text: 'tikv-4:20180', value: 'tikv-4:20180' },
    ]);
  });
});

describe('the selector variable', () => {
  it("answers the data source's cluster's PROMETHEUS_SELECTOR, asked with ?cluster=", async () => {
    const fake = fakeBackendSrv(() => ({
      status: 200,
      data: {
        ...SUBJECT,
        clusters: [
          { name: 'east', selector: 'k8s_cluster="east"' },
          { name: 'west', selector: 'k8s_cluster="west"' },
        ],
        cluster: 'west',
      },
    }));
    setBackendSrv(fake.backendSrv);
    const ds = new DataSource(
      instanceSettings({ backendUrl: 'http://backend:8080', cluster: 'west' }),
      fakeTemplateSrv()
    );
    const request = { targets: [{ refId: 'A', values: 'selector' }] } as unknown as DataQueryRequest<TikvVariableQuery>;
    const response = await lastValueFrom((ds.variables as TikvVariableSupport).query(request));
    expect(routeOf(fake.calls[0])).toBe('GET /api/subject?cluster=west');
    const frame = response.data[0];
    expect(frame.fields.map((f: { name: string; values: unknown[] }) => [f.name, f.values])).toEqual([
      ['text', ['k8s_cluster="west"']],
      ['value', ['k8s_cluster="west"']],
    ]);
  });
});
