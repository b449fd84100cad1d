/** Test set-up for the app pages: Grafana's backendSrv answered by `answer`, and the data source registered. */
import type { DataSourceApi } from '@grafana/data';
import { type BackendSrvRequest, type DataSourceSrv, setBackendSrv, setDataSourceSrv } from '@grafana/runtime';

import { DataSource } from '../datasource';
import { fakeBackendSrv, type FakeAnswer, fakeTemplateSrv, instanceSettings } from './fakeGrafana';

export function installDataSource(answer: (request: BackendSrvRequest) => FakeAnswer) {
  const fake = fakeBackendSrv(answer);
  setBackendSrv(fake.backendSrv);
  const settings = instanceSettings();
  const ds = new DataSource(settings, fakeTemplateSrv());
  setDataSourceSrv({
    getList: () => [settings],
    get: async () => ds as unknown as DataSourceApi,
    getInstanceSettings: () => settings,
    reload: () => {},
    registerRuntimeDataSource: () => {},
  } as DataSourceSrv);
  return fake;
}
