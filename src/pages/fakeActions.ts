/** The backend's actions API and audit query as the Actions page meets them, behind Grafana's DataSourceSrv. */
import type { BackendSrvRequest } from '@grafana/runtime';

import { type FakeAnswer, routeOf } from '../datasource/testing/fakeGrafana';
import { installDataSource } from '../datasource/testing/installDataSource';
import type { AuditRow } from '../shared/schema/actions';

export type AuditEntry = AuditRow;

/**
 * `actions` answers `POST /api/actions/<action>/<step>` (step: preflight | execute); an executed action that
 * answers 200 is added to the audit trail, which `GET /api/actions/audit` returns (full rows, as for an Admin).
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
          id: audit.length + 1,
          cluster: 'default',
          target: null,
          started_at: Date.now(),
          finished_at: Date.now(),
          who: 'admin',
          action: step[1],
          params: req.data,
          preflight: null,
          outcome: 'ok',
          pd_answer: null,
          error: null,
        });
      }
      return answer;
    }
    if (route.startsWith('GET /api/actions/audit')) {
      return { status: 200, data: { rows: audit } };
    }
    return { status: 404, data: { message: `no route ${route}` } };
  });
  return { calls: fake.calls, audit };
}
