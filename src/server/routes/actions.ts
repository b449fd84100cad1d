/**
 * `/api/actions*`: its own context with its own token, a sibling of the reads context, so the read token never
 * opens it (DESIGN.md "Auth": Grafana injects the actions token only on the Admin-only `api/actions` route).
 *
 *   POST /api/actions/:action/preflight   body = the action's parameters (PD's names) → Preflight
 *   POST /api/actions/:action/execute     same body → {action, pdAnswer, preflight, effect, audit_id}
 *   GET  /api/actions/audit?from=&to=&limit=   → {rows: AuditRow[]}
 *
 * Access, in this order: the read token → 403 (says why); no bearer → 401; actions off → 403 ActionDisabledError;
 * any other token than ACTIONS_TOKEN → 403. The caller is `X-Grafana-User` (Grafana sends it only with
 * `send_user_header`), else "unknown user"; PD gets it as X-Caller-ID. An execution first takes the lock on its
 * target (cluster + store/region/config item: 409 TKO_ERR_ACTION_BUSY after AUDIT_LOCK_WAIT_MS), then repeats the
 * preflight; past it, the action is written to the audit store before PD is asked (503 TKO_ERR_AUDIT_UNAVAILABLE,
 * and nothing sent to PD, when that write fails) and again with the outcome (`unknown` when PD did not answer in
 * time or a gateway answered 502/504: it may still apply the write); one refused by the repeated preflight is
 * recorded as failed, with the reasons. `/audit` returns the full rows (parameters, preflight, PD's answers): the
 * read token's `kind: "audit"` query gets a redacted view (src/shared/auditFrames.ts).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';

import {
  ActionBusyError,
  ActionDisabledError,
  ActionRefusedError,
  AuditUnavailableError,
  BadQueryError,
  ERROR_CODES,
  ForbiddenError,
  OperatorError,
  UnauthorizedError,
  describeError,
} from '../../shared/errors';
import { fieldPath } from '../../shared/fieldPath';
import { ACTIONS, type ActionName } from '../../shared/names';
import { ActionTarget } from '../../shared/schema/actions';
import { ClusterName } from '../../shared/schema/query';
import {
  type ActionPd,
  UNKNOWN_USER,
  actionTarget,
  executeAction,
  isActionName,
  mayHaveApplied,
  parseActionParams,
  preflightAction,
} from '../../subject/tikv/actions';
import type { AuditStore, FinishEntry } from '../audit/store';
import { bearerOf, tokenMatcher } from '../auth';
import type { ClusterPicker } from '../clusters';

export interface ActionsRouteOptions {
  enabled: boolean;
  /** ACTIONS_TOKEN. */
  token?: string;
  /** The read token (API_TOKEN), refused here with a 403 that says why. */
  readToken?: string;
  /** Each cluster's PD, for preflights and writes (`Clusters`, or `singleCluster(pd)`). */
  clusters: ClusterPicker;
  /** The audit store (AUDIT_DB_PATH or AUDIT_DB_URL); executions are refused without one. */
  audit?: AuditStore;
}

/** Grafana's login names are short; a longer header is cut so the audit row stays readable. */
const MAX_USER_CHARS = 256;

const AuditListQuery = z
  .object({
    from: z.coerce.number().int().nonnegative().optional(),
    to: z.coerce.number().int().nonnegative().optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
    cluster: ClusterName.optional(),
  })
  .strict();

/** The body's `cluster` taken out: the cluster's parts and the action's own parameters. */
function targetOf(
  clusters: ClusterPicker,
  body: unknown
): { cluster: { name: string; pd: ActionPd }; params: unknown } {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('cluster' in body)) {
    return { cluster: clusters.pick(undefined), params: body };
  }
  const { cluster, ...params } = body as Record<string, unknown>;
  const target = ActionTarget.safeParse({ cluster });
  if (!target.success) {
    throw new BadQueryError(target.error.issues[0].message, 'cluster');
  }
  return { cluster: clusters.pick(target.data.cluster), params };
}

function userOf(req: FastifyRequest): string {
  const h = req.headers['x-grafana-user'];
  const user = (Array.isArray(h) ? h[0] : h)?.trim();
  return user ? user.slice(0, MAX_USER_CHARS) : UNKNOWN_USER;
}

function actionOf(name: string): ActionName {
  if (!isActionName(name)) {
    throw new OperatorError(
      ERROR_CODES.NOT_FOUND,
      `no action named ${JSON.stringify(name.slice(0, 64))}; actions: ${ACTIONS.join(', ')}`,
      404
    );
  }
  return name;
}

function unavailable(what: string): OperatorError {
  return new OperatorError(ERROR_CODES.ACTION_DISABLED, `actions are enabled but this backend has no ${what}`, 503);
}

export const actionsRoutes: FastifyPluginAsync<ActionsRouteOptions> = async (app, o) => {
  const isReadToken = o.readToken ? tokenMatcher(o.readToken) : () => false;
  const isActionsToken = o.token ? tokenMatcher(o.token) : () => false;
  app.addHook('onRequest', async (req) => {
    const presented = bearerOf(req);
    if (isReadToken(presented)) {
      throw new ForbiddenError(
        'the read token (API_TOKEN) is refused on /api/actions: actions need the actions token (ACTIONS_TOKEN), which Grafana sends only on its Admin-only route'
      );
    }
    if (presented === undefined) {
      throw new UnauthorizedError('missing bearer token (ACTIONS_TOKEN)');
    }
    if (!o.enabled) {
      throw new ActionDisabledError();
    }
    if (!isActionsToken(presented)) {
      throw new ForbiddenError('wrong bearer token for /api/actions (ACTIONS_TOKEN)');
    }
  });

  app.post<{ Params: { action: string } }>('/:action/preflight', async (req) => {
    const action = actionOf(req.params.action);
    const { cluster, params } = targetOf(o.clusters, req.body);
    return preflightAction(cluster.pd, action, params);
  });

  app.post<{ Params: { action: string } }>('/:action/execute', async (req) => {
    const action = actionOf(req.params.action);
    const { cluster, params } = targetOf(o.clusters, req.body);
    const { audit } = o;
    if (!audit) {
      throw unavailable('audit store (AUDIT_DB_PATH or AUDIT_DB_URL)');
    }
    const who = userOf(req);
    const target = actionTarget(action, parseActionParams(action, params));
    // Conflicting actions (same cluster and target) run one at a time, across replicas too; the preflight runs under
    // the lock, so it sees what the previous one did.
    const notSent = (err: unknown) =>
      err instanceof ActionBusyError
        ? err
        : new AuditUnavailableError(
            `${action} was not sent to PD: the audit store could not record it (${describeError(err)})`,
            {
              cause: err,
            }
          );
    const release = await audit.lockTarget(cluster.name, target, action).catch((err: unknown) => {
      throw notSent(err);
    });
    let id: number | undefined;
    const begin = async (preflight: { params: unknown }) => {
      try {
        id = await audit.begin({ who, action, params: preflight.params, preflight, cluster: cluster.name, target });
      } catch (err) {
        throw notSent(err);
      }
    };
    try {
      const result = await executeAction(cluster.pd, action, params, {
        caller: who,
        beforeWrite: begin,
        onUnsafe: async (preflight) => {
          // The refusal is what the user needs to see; a trail that cannot record it is logged.
          await begin(preflight).catch((err: unknown) =>
            req.log.error({ err }, 'audit log: could not record a refused action')
          );
        },
      });
      await finishQuietly(req, audit, id!, { outcome: 'ok', pdAnswer: result.pdAnswer });
      return { ...result, audit_id: id };
    } catch (err) {
      if (id !== undefined) {
        await finishQuietly(req, audit, id, {
          outcome: mayHaveApplied(err) ? 'unknown' : 'failed',
          pdAnswer: err instanceof ActionRefusedError ? err.pdMessage : undefined,
          error: describeError(err),
        });
      }
      throw err;
    } finally {
      await release();
    }
  });

  app.get('/audit', async (req) => {
    if (!o.audit) {
      throw unavailable('audit log (AUDIT_DB_PATH)');
    }
    const q = AuditListQuery.safeParse(req.query);
    if (!q.success) {
      const issue = q.error.issues[0];
      throw new BadQueryError(issue.message, fieldPath(issue.path) || '(query)');
    }
    // An unknown `?cluster=` is a 404; absent lists every cluster's rows.
    const { cluster, ...list } = q.data;
    const filter = cluster === undefined ? list : { ...list, clusters: [o.clusters.pick(cluster).name] };
    return { rows: await o.audit.list(filter) };
  });

  // Unknown paths still pass the hook above (a root not-found handler would skip it) and answer 404.
  const notFound = async () => {
    throw new OperatorError(
      ERROR_CODES.NOT_FOUND,
      `no such path; use POST /api/actions/<action>/preflight or /execute (actions: ${ACTIONS.join(', ')})`,
      404
    );
  };
  app.all('/', notFound);
  app.all('/*', notFound);
};

/**
 * After PD answered, a failing second write must not turn PD's answer into an error: the row stays `running`,
 * becomes `unknown` at the next start (SQLite) or when another replica finds this one gone (PostgreSQL), and the
 * failure is logged.
 */
async function finishQuietly(req: FastifyRequest, audit: AuditStore, id: number, entry: FinishEntry): Promise<void> {
  try {
    await audit.finish(id, entry);
  } catch (err) {
    req.log.error({ err, auditId: id }, 'audit log: could not record the outcome of an action');
  }
}
