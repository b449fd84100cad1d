/** The backend's actions API and audit query as the Actions page meets them, behind Grafana's DataSourceSrv. */
import type { BackendSrvRequest } from '@grafana/runtime';

import { type FakeAnswer, routeOf } from '../datasource/testing/fakeGrafana';
import { installDataSource } from '../datasource/testing/installDataSource';

export interface AuditEntry {
  started_at: number;
  who: string;
  action: string;
  params: string;
  outcome: string;
}

function auditFrame(rows: AuditEntry[]) {
  const names = ['started_at', 'who', 'action', 'params', 'outcome'] as const;
  return {
    schema: {
      name: 'audit',
      fields: names.map((name) => ({ name, type: name === 'started_at' ? 'time' : 'string' })),
    },
    data: { values: names.map((n) => rows.map((r) => r[n])) },
  };
}

/**
 * `actions` answers `POST /api/actions/<action>/<step>` (step: preflight | execute); an executed action that
 * answers 200 is added to the audit trail, which `POST /api/query` returns for the page's audit query.
 */
export function installActions(actions: (step: string, request: BackendSrvRequest) => FakeAnswer) {
  const audit: AuditEntry[] = [];
  const fake = installDataSource((req) => {
    const route = routeOf(req);
    const step = /^POST \/api\/actions\/(\w+)\/(preflight|execute)$/.exec(route);
    if (step) {
      const answer = actions(step[2], req);
      if (step[2] === 'execute' && answer.status === 200) {
        audit.unshift({
          started_at: Date.now(),
          who: 'admin',
          action: step[1],
          params: JSON.stringify(req.data),
          outcome: 'ok',
        });
      }
      return answer;
    }
    if (route === 'POST /api/query') {
      return { status: 200, data: { results: { audit: { frames: [auditFrame(audit)] } } } };
    }
    return { status: 404, data: { message: `no route ${route}` } };
  });
  return { calls: fake.calls, audit };
}
