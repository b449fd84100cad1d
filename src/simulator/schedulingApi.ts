/**
 * PD's scheduling routes over the simulator's OperatorBook and SchedulerPauses (scheduling.ts), with PD's answers
 * and errors: `server/api/operator.go` (GetOperators, GetOperatorsByRegion, DeleteOperatorByRegion) and
 * `server/api/scheduler.go` (GetSchedulers with `?status=paused[&timestamp]`, PauseOrResumeScheduler).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { PdError } from './cluster';
import type { OperatorBook, SchedulerPauses } from './scheduling';

/** Go `time.Unix(s, 0)` as JSON on a UTC host: RFC3339 with `Z`. */
function unixJson(s: number): string {
  return new Date(s * 1000).toISOString().replace('.000Z', 'Z');
}

export interface SchedulingContext {
  book: OperatorBook;
  pauses: SchedulerPauses;
  /** Scheduler names PD runs (the cluster's set). */
  schedulers: () => Iterable<string>;
  now: () => number;
  send: (reply: FastifyReply, status: number, value: unknown) => FastifyReply;
  parseId: (text: string) => number;
  parseBody: (req: FastifyRequest) => Record<string, unknown>;
}

/**
 * `GET /operators[?kind][&object]`, `GET|DELETE /operators/{region_id}`, `GET /schedulers[?status=paused][&timestamp]`
 * and `POST /schedulers/{name} {"delay": s}`. Routes are registered on `app` (PD's API prefix already applied).
 */
export function registerScheduling(app: FastifyInstance, s: SchedulingContext): void {
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/operators', async (req, reply) => {
    const q = req.query;
    const kinds = q.kind === undefined ? undefined : Array.isArray(q.kind) ? q.kind : [q.kind];
    let ops = s.book.list(s.now());
    if (kinds) {
      // PD GetOperatorsByKinds: admin, leader, region (and waiting, which the simulator never has).
      const bad = kinds.find((k) => !['admin', 'leader', 'region', 'waiting'].includes(k));
      if (bad !== undefined) {
        throw new PdError(500, `invalid operator kind ${bad}`);
      }
      ops = ops.filter((op) => kinds.some((k) => (op.kinds as string[]).includes(k)));
    }
    const body = 'object' in q ? ops.map((op) => s.book.object(op)) : ops.map((op) => s.book.text(op));
    return s.send(reply, 200, body);
  });
  app.get<{ Params: { id: string } }>('/operators/:id', async (req, reply) => {
    const op = s.book.status(s.parseId(req.params.id), s.now());
    if (!op) {
      throw new PdError(500, '[PD:operator:ErrOperatorNotFound]operator not found');
    }
    const word = ['RUNNING', 'RUNNING', 'SUCCESS', 'CANCEL', 'REPLACE', 'TIMEOUT', 'TIMEOUT'][op.status];
    return s.send(reply, 200, `status: ${word}, operator: ${s.book.text(op)}`);
  });
  app.delete<{ Params: { id: string } }>('/operators/:id', async (req, reply) => {
    s.book.cancel(s.parseId(req.params.id), s.now());
    return s.send(reply, 200, 'The pending operator is canceled.');
  });

  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/schedulers', async (req, reply) => {
    const now = s.now();
    const names = [...s.schedulers()].sort();
    if (req.query.status !== 'paused') {
      // Disabled schedulers are hidden; the simulator has none.
      return s.send(reply, 200, names);
    }
    const paused = names.filter((n) => s.pauses.isPaused(n, now));
    if (!('timestamp' in req.query)) {
      return s.send(reply, 200, paused);
    }
    return s.send(
      reply,
      200,
      paused.map((name) => {
        const p = s.pauses.period(name)!;
        return { name, paused_at: unixJson(p.at), resume_at: unixJson(p.until) };
      })
    );
  });
  app.post<{ Params: { name: string } }>('/schedulers/:name', async (req, reply) => {
    const body = s.parseBody(req);
    // PD decodes the body into map[string]int64.
    for (const [k, v] of Object.entries(body)) {
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        throw new PdError(400, `json: cannot unmarshal ${typeof v} into Go value of type int64 (field ${k})`);
      }
    }
    if (!('delay' in body)) {
      throw new PdError(400, 'missing pause time');
    }
    const name = req.params.name;
    const known = [...s.schedulers()];
    const targets = name === 'all' ? known : known.includes(name) ? [name] : [];
    if (targets.length === 0 && name !== 'all') {
      throw new PdError(500, '[PD:scheduler:ErrSchedulerNotFound]scheduler not found');
    }
    for (const t of targets) {
      s.pauses.set(t, body.delay as number, s.now());
    }
    return s.send(reply, 200, 'Pause or resume the scheduler successfully.');
  });
}
