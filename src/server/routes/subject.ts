/**
 * `GET /api/subject`: the subject's config for the query editor — observations and actions with their parameters
 * as JSON Schema, invariants with this deployment's thresholds and grace periods, and the SLOs; the clusters served,
 * and the thresholds of `?cluster=` (else the first cluster's).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

import { INVARIANTS, type InvariantName } from '../../shared/names';
import { ClusterName } from '../../shared/schema/query';
import { SubjectDescription } from '../../shared/schema/subject';
import type { Slo, SubjectConfig } from '../../subject/subject';
import type { InvariantRules } from '../../subject/tikv/invariants/rules';
import type { Clusters } from '../clusters';

const INVARIANT_TEXT: Record<InvariantName, { description: string; unit: string }> = {
  store_down: {
    description:
      'No heartbeat from the store for longer than the threshold (PD\'s clock); in the past, Prometheus\' up{job="tikv"} == 0',
    unit: 's',
  },
  high_latency: { description: 'P99 storage write latency above the threshold for the grace period', unit: 's' },
  low_disk: { description: 'Disk used ratio (1 - available / capacity) above the threshold', unit: 'percentunit' },
  region_health: {
    description:
      'Regions missing a peer or with a down peer (PD\'s pd_regions_status) above the threshold for the grace period; cluster-level: store_id 0, address "cluster"',
    unit: 'regions',
  },
};

/** JSON Schema of a parameter schema as the editor sends it (input side: defaults are optional). */
function jsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

export function describeSubject(
  config: SubjectConfig,
  rules: InvariantRules,
  /** The cluster's SLOs (objective/window overrides applied); default: the config's. */
  slos?: Record<string, Slo>
): Omit<SubjectDescription, 'clusters' | 'cluster'> {
  return {
    name: config.name,
    observations: Object.entries(config.observations).map(([name, d]) => ({
      name,
      description: d.description,
      params: jsonSchema(d.params),
    })),
    invariants: INVARIANTS.map((name) => ({
      name,
      severity: rules[name].severity,
      description: INVARIANT_TEXT[name].description,
      threshold: rules[name].threshold,
      thresholdUnit: INVARIANT_TEXT[name].unit,
      graceSeconds: rules[name].graceMs / 1000,
    })),
    actions: Object.entries(config.actions).map(([name, d]) => ({
      name,
      description: d.description,
      params: jsonSchema(d.params),
    })),
    slos: Object.entries(slos ?? config.slos).map(([name, s]) => ({
      name,
      description: s.description,
      target: s.target,
      unit: s.unit,
      objective: s.objective,
      window: s.window,
    })),
  };
}

export const subjectRoutes: FastifyPluginAsyncZod<{ clusters: Clusters }> = async (app, o) => {
  const clusters = o.clusters.list.map((c) => ({ name: c.name, selector: c.config.selectorText }));
  const described = new Map(
    o.clusters.list.map((c) => [
      c.name,
      { ...describeSubject(c.subject.config, c.rules, c.slos), clusters, cluster: c.name },
    ])
  );
  app.get(
    '/subject',
    { schema: { querystring: z.object({ cluster: ClusterName.optional() }), response: { 200: SubjectDescription } } },
    async (req) => {
      const name = req.query.cluster;
      return described.get(name ? o.clusters.pick(name).name : o.clusters.list[0].name)!;
    }
  );
};
