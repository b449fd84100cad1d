/**
 * The app pages' chosen data source (one per cluster) lives in the URL as `?ds=<uid>`, so a link or a reload opens
 * the same cluster. Other parameters (an action's prefill) are kept.
 */
import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

export const DS_PARAM = 'ds';

export function useDataSourceParam(): [string | undefined, (uid: string) => void] {
  const [search, setSearch] = useSearchParams();
  const uid = search.get(DS_PARAM) || undefined;
  const setUid = useCallback(
    (next: string) =>
      setSearch(
        (prev) => {
          const params = new URLSearchParams(prev);
          params.set(DS_PARAM, next);
          return params;
        },
        { replace: true }
      ),
    [setSearch]
  );
  return [uid, setUid];
}

/** `path` with `?ds=<uid>` (or `&ds=`) when a data source is chosen. */
export function withDataSource(path: string, uid: string | undefined): string {
  if (!uid) {
    return path;
  }
  return `${path}${path.includes('?') ? '&' : '?'}${DS_PARAM}=${encodeURIComponent(uid)}`;
}
