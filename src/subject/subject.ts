/**
 * The Subject protocol: a subject has a config (observations, actions, SLOs, each described and with a zod schema
 * for its parameters) and read-only observations. Its actions (writes) are described here but executed only by the
 * audited action route.
 */
import type { z } from 'zod';

export interface Described<P extends z.ZodType = z.ZodType> {
  description: string;
  /** The parameters, validated before the subject sees them. */
  params: P;
}

export interface Slo {
  description: string;
  /** The objective, in `unit` (e.g. 0.1 s, 0.7 ratio, 1 = 100 %). */
  target: number;
  unit: 'seconds' | 'ratio';
  /** The share of the window's evaluated samples that must be good, 0 < objective <= 1 (e.g. 0.99). */
  objective: number;
  /** The rolling window the objective holds over, a Prometheus duration (e.g. `30d`). */
  window: string;
}

export interface SubjectConfig<O extends string = string, A extends string = string, S extends string = string> {
  name: string;
  observations: Record<O, Described>;
  actions: Record<A, Described>;
  slos: Record<S, Slo>;
}

/** Who asks and on what clock; actions record `caller`. */
export interface CallContext {
  /** The Grafana user (from X-Grafana-User), or "unknown user". Sent to PD as X-Caller-ID. */
  caller?: string;
  signal?: AbortSignal;
}

export interface Subject<O extends string = string, A extends string = string, S extends string = string> {
  readonly config: SubjectConfig<O, A, S>;
  /** Runs a read-only observation; `params` must satisfy `config.observations[name].params`. */
  observe(name: O, params: unknown, ctx?: CallContext): Promise<unknown>;
  // No `act`: a write to the cluster runs only through the audited route (src/server/routes/actions.ts, which
  // records it before PD is asked), never through a subject method that could skip the audit log.
}
