/**
 * The Actions page's audit table: the full rows (parameters, preflight summary, PD's answer, error) read through the
 * Admin-only actions route (`GET api/actions/audit`), where the `kind: "audit"` query would give the redacted view
 * every Viewer gets. Re-read whenever `key` changes (after Confirm, on Refresh).
 */
import { useEffect, useState } from 'react';
import { type DataFrame, type DataFrameJSON, type DataQueryError, dataFrameFromJSON } from '@grafana/data';

import { auditFrames } from '../../shared/auditFrames';
import type { DataSource } from '../../datasource/datasource';

export type AuditTrailApi = Pick<DataSource, 'auditTrail'>;

export interface AuditTrail {
  frame?: DataFrame;
  errors: DataQueryError[];
}

export function useAuditTrail(api: AuditTrailApi | undefined, windowMs: number, key: string): AuditTrail {
  const [answer, setAnswer] = useState<AuditTrail>();
  useEffect(() => {
    if (!api) {
      return;
    }
    let live = true;
    const to = Date.now();
    api.auditTrail({ from: to - windowMs, to }).then(
      ({ rows }) => {
        const [json] = auditFrames(rows, 'table', { refId: 'audit', to, view: 'full' });
        live && setAnswer({ frame: dataFrameFromJSON(json as DataFrameJSON), errors: [] });
      },
      (err: Error) => live && setAnswer({ errors: [{ refId: 'audit', message: err.message }] })
    );
    return () => {
      live = false;
    };
    // windowMs is a constant of the page; key carries every reason to re-read.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);
  return { frame: answer?.frame, errors: answer?.errors ?? [] };
}
