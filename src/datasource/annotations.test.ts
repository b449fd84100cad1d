import { CoreApp, dateTime, type AnnotationQuery } from '@grafana/data';
import { setBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { DataSource } from './datasource';
import { fakeBackendSrv, fakeTemplateSrv, instanceSettings } from './testing/fakeGrafana';
import type { TikvQuery } from './types';

const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);

/** Two violations as the backend answers an annotations-format invariant query. */
const annotationsFrame = {
  schema: {
    refId: 'Anno',
    fields: [
      { name: 'time', type: 'time' },
      { name: 'timeEnd', type: 'time' },
      { name: 'title', type: 'string' },
      { name: 'text', type: 'string' },
      { name: 'tags', type: 'other' },
    ],
  },
  data: {
    values: [
      [T0, T0 + 60_000],
      [T0 + 120_000, T0 + 60_000],
      ['store_down on store 4', 'low_disk on store 1'],
      ['no heartbeat for 45 s', 'used 0.81 > 0.7'],
      [['store_down', 'critical', 'store:4'], 'low_disk,warning,store:1'],
    ],
  },
};

function setup() {
  const fake = fakeBackendSrv(() => ({ status: 200, data: { results: { Anno: { frames: [annotationsFrame] } } } }));
  setBackendSrv(fake.backendSrv);
  return { ds: new DataSource(instanceSettings(), fakeTemplateSrv({ store: ['4'] })), calls: fake.calls };
}

describe('annotation queries', () => {
  it('turns a stored annotation into an invariant query in the annotations format', () => {
    const { ds } = setup();
    const anno = {
      name: 'Violations',
      enable: true,
      iconColor: 'red',
      target: {
        refId: 'A',
        kind: 'observation',
        observation: 'get_stores',
        invariants: ['store_down'],
        stores: '$store',
      },
    } as AnnotationQuery<TikvQuery>;
    expect(ds.annotations!.prepareQuery!(anno)).toEqual({
      refId: 'A',
      kind: 'invariant',
      format: 'annotations',
      observation: 'get_stores',
      invariants: ['store_down'],
      stores: '$store',
    });
  });

  it('keeps an audit annotation an audit query, in the annotations format', () => {
    const { ds } = setup();
    const anno = {
      name: 'Actions',
      enable: true,
      iconColor: 'blue',
      target: { refId: 'B', kind: 'audit', actions: ['drain_store'], format: 'table' },
    } as AnnotationQuery<TikvQuery>;
    expect(ds.annotations!.prepareQuery!(anno)).toEqual({
      refId: 'B',
      kind: 'audit',
      format: 'annotations',
      invariants: [],
      actions: ['drain_store'],
    });
  });

  it('keeps a forecast annotation a get_forecasts query, 24 h ahead unless it says otherwise', () => {
    const { ds } = setup();
    const anno = (target: Partial<TikvQuery>) =>
      ds.annotations!.prepareQuery!({
        name: 'F',
        enable: true,
        iconColor: 'orange',
        target,
      } as AnnotationQuery<TikvQuery>);
    expect(anno({ refId: 'F', kind: 'observation', observation: 'get_forecasts', stores: '$store' })).toEqual({
      refId: 'F',
      kind: 'observation',
      observation: 'get_forecasts',
      horizon: '24h',
      stores: '$store',
    });
    expect(anno({ refId: 'F', kind: 'observation', observation: 'get_forecasts', horizon: '6h' })).toMatchObject({
      horizon: '6h',
    });
  });

  it('checks every invariant for a new annotation without a target', () => {
    const { ds } = setup();
    const q = ds.annotations!.prepareQuery!({
      name: 'New',
      enable: true,
      iconColor: 'red',
    } as AnnotationQuery<TikvQuery>);
    expect(q).toEqual({ refId: 'Anno', kind: 'invariant', invariants: [], format: 'annotations' });
    expect(ds.annotations!.getDefaultQuery!()).toEqual({ kind: 'invariant', invariants: [], format: 'annotations' });
  });

  it('shows violations as regions tagged with invariant, severity and store', async () => {
    const { ds, calls } = setup();
    const anno = {
      name: 'V',
      enable: true,
      iconColor: 'red',
      target: { refId: 'Anno', kind: 'invariant', stores: '$store' },
    };
    const query = ds.annotations!.prepareQuery!(anno as AnnotationQuery<TikvQuery>)!;
    const response = await lastValueFrom(
      ds.query({
        requestId: 'AQ1',
        interval: '1m',
        intervalMs: 60_000,
        range: { from: dateTime(T0), to: dateTime(T0 + 3_600_000), raw: { from: 'now-1h', to: 'now' } },
        scopedVars: {},
        targets: [query],
        timezone: 'utc',
        app: CoreApp.Dashboard,
        startTime: T0,
      })
    );
    expect(calls[0].data.queries).toEqual([
      { refId: 'Anno', kind: 'invariant', invariants: [], format: 'annotations', storeIds: [4] },
    ]);

    const events = await lastValueFrom(
      ds.annotations!.processEvents!(anno as AnnotationQuery<TikvQuery>, response.data)
    );
    expect(events).toEqual([
      {
        time: T0,
        timeEnd: T0 + 120_000,
        isRegion: true,
        title: 'store_down on store 4',
        text: 'no heartbeat for 45 s',
        tags: ['store_down', 'critical', 'store:4'],
      },
      {
        time: T0 + 60_000,
        timeEnd: T0 + 60_000,
        isRegion: false,
        title: 'low_disk on store 1',
        text: 'used 0.81 > 0.7',
        tags: ['low_disk', 'warning', 'store:1'],
      },
    ]);
  });
});
