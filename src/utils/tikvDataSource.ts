/**
 * The app pages query through the data source (no second API client): find an instance of our data source
 * type with Grafana's DataSourceSrv and run queries on its query path.
 */
import { useEffect, useState } from 'react';
import {
  CoreApp,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  dateTime,
} from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { from, lastValueFrom } from 'rxjs';

import type { TikvQuery } from '../datasource/types';
import { DATASOURCE_PLUGIN_ID } from '../shared/names';

export interface TimeWindow {
  from: number;
  to: number;
}

export interface QueryResult {
  loading: boolean;
  frames: DataFrame[];
  errors: DataQueryError[];
}

export function tikvDataSources(): DataSourceInstanceSettings[] {
  return getDataSourceSrv().getList({ type: DATASOURCE_PLUGIN_ID });
}

/** The picked instance (by uid), else the default one if it is ours, else the first. */
export function useTikvDataSource(uid?: string): { ds?: DataSourceApi<TikvQuery>; error?: string } {
  const list = tikvDataSources();
  const chosen = list.find((s) => s.uid === uid) ?? list.find((s) => s.isDefault) ?? list[0];
  const [loaded, setLoaded] = useState<{ uid: string; ds?: DataSourceApi<TikvQuery>; error?: string }>();
  const chosenUid = chosen?.uid;
  const chosenName = chosen?.name;
  useEffect(() => {
    if (!chosenUid) {
      return;
    }
    let live = true;
    getDataSourceSrv()
      .get(chosenUid)
      .then(
        (ds) => live && setLoaded({ uid: chosenUid, ds: ds as unknown as DataSourceApi<TikvQuery> }),
        (err: Error) =>
          live && setLoaded({ uid: chosenUid, error: `Data source ${chosenName} failed to load: ${err.message}` })
      );
    return () => {
      live = false;
    };
  }, [chosenUid, chosenName]);
  if (!chosen) {
    return {
      error: `No data source of type ${DATASOURCE_PLUGIN_ID} exists yet: add one under Connections → Data sources.`,
    };
  }
  return loaded?.uid === chosen.uid ? loaded : {};
}

export function buildRequest(targets: TikvQuery[], window: TimeWindow, requestId: string): DataQueryRequest<TikvQuery> {
  const intervalMs = Math.max(1000, Math.round((window.to - window.from) / 1000));
  return {
    requestId,
    interval: `${Math.round(intervalMs / 1000)}s`,
    intervalMs,
    maxDataPoints: 1000,
    range: {
      from: dateTime(window.from),
      to: dateTime(window.to),
      raw: { from: dateTime(window.from), to: dateTime(window.to) },
    },
    scopedVars: {},
    targets,
    timezone: 'browser',
    app: CoreApp.Unknown,
    startTime: Date.now(),
  };
}

/** Runs the queries whenever `key` changes (the caller's refresh counter and inputs); keeps the last answer meanwhile. */
export function useQueries(
  ds: DataSourceApi<TikvQuery> | undefined,
  targets: TikvQuery[],
  window: () => TimeWindow,
  key: string
): QueryResult {
  const [answer, setAnswer] = useState<{ key: string; frames: DataFrame[]; errors: DataQueryError[] }>();
  useEffect(() => {
    if (!ds) {
      return;
    }
    let live = true;
    // query() may return a Promise or an Observable; the pages only need the final answer.
    lastValueFrom(from(ds.query(buildRequest(targets, window(), `tikv-app-${key}`)))).then(
      (res) => live && setAnswer({ key, frames: res.data, errors: res.errors ?? [] }),
      (err: Error) => live && setAnswer({ key, frames: [], errors: [{ message: err.message }] })
    );
    return () => {
      live = false;
    };
    // targets and window are derived from key by the caller.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ds, key]);
  return { loading: answer?.key !== key, frames: answer?.frames ?? [], errors: answer?.errors ?? [] };
}
