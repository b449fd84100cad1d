/**
 * The query cheat sheet (Grafana's `QueryEditorHelp`, opened from Explore's "?" button): each query kind with what
 * it answers and examples; clicking one puts it in the query row (`onClickExample`).
 */
import React from 'react';
import type { QueryEditorHelpProps } from '@grafana/data';
import { Button, Stack, Text } from '@grafana/ui';

import type { QueryKind } from '../../shared/names';
import { queryDisplayText } from '../displayText';
import type { TikvQuery } from '../types';

type Example = Omit<TikvQuery, 'refId'> & { why: string };

interface KindHelp {
  title: string;
  text: string;
  examples: Example[];
}

/** Every kind of QUERY_KINDS has an entry (the help test checks it). */
export const QUERY_HELP: Partial<Record<QueryKind, KindHelp>> = {
  observation: {
    title: 'Observation',
    text: 'A read-only look at the cluster as PD and Prometheus see it now (or over the time range for metrics). The store filter takes PD store_ids or a variable such as $store.',
    examples: [
      {
        kind: 'observation',
        observation: 'get_stores',
        why: "Every store: state, leaders, regions, scores, capacity (PD's /stores)",
      },
      {
        kind: 'observation',
        observation: 'get_hot_write_regions',
        limit: 20,
        why: 'The 20 hottest regions for writes',
      },
      {
        kind: 'observation',
        observation: 'get_store_metrics',
        stores: '$store',
        why: 'P99 write latency and disk use over time for the picked stores',
      },
      {
        kind: 'observation',
        observation: 'get_region_health',
        why: 'Regions with missing, down, pending, offline or extra peers',
      },
      {
        kind: 'observation',
        observation: 'get_forecasts',
        window: '6h',
        why: 'When each store fills up, from the last 6 h trend',
      },
    ],
  },
  invariant: {
    title: 'Invariant checks',
    text: 'Violations of store_down, high_latency, low_disk (per store) and region_health (cluster-level: store_id 0) over the time range, as a table, a 0/1 state timeline or annotations. Empty list = every invariant.',
    examples: [
      { kind: 'invariant', invariants: [], format: 'violations', why: 'Every violation in the range' },
      {
        kind: 'invariant',
        invariants: ['high_latency', 'low_disk'],
        stores: '1,4',
        format: 'violations',
        why: 'Latency and disk violations of stores 1 and 4',
      },
      { kind: 'invariant', invariants: ['store_down'], format: 'timeline', why: 'Each store up or down over time' },
      {
        kind: 'invariant',
        invariants: ['region_health'],
        format: 'annotations',
        why: 'Under-replicated regions as annotations on a graph',
      },
      {
        kind: 'invariant',
        invariants: ['high_latency'],
        overrides: { high_latency: { thresholdMs: 250, graceSeconds: 120 } },
        why: 'A looser latency threshold than the deployment’s: > 250 ms for 2 min',
      },
    ],
  },
  audit: {
    title: 'Audit trail',
    text: 'The operator actions taken through the plugin (who, what, PD’s answer), as a table or as annotations.',
    examples: [
      { kind: 'audit', format: 'table', why: 'Every action in the range' },
      {
        kind: 'audit',
        actions: ['drain_store'],
        outcomes: ['failed', 'unknown'],
        format: 'table',
        why: 'Drains that failed or whose outcome is unknown',
      },
      { kind: 'audit', format: 'annotations', why: 'Actions as annotations next to the violations they answered' },
    ],
  },
  slo: {
    title: 'SLO budgets',
    text: 'Each store’s error budget per SLO (write latency, disk usage, availability) over the SLO’s own window, counted by Prometheus: the budget left at the end of the range, the burn rate and how much of the window had data; or the same over time.',
    examples: [
      {
        kind: 'slo',
        format: 'budget',
        why: 'Budget left, burn rate and coverage of every SLO, one row per store and SLO',
      },
      {
        kind: 'slo',
        slos: ['write_latency_p99'],
        stores: '$store',
        format: 'timeseries',
        why: 'Write-latency attainment and budget left over the range, for the chosen stores',
      },
    ],
  },
};

export function QueryEditorHelp({ query, onClickExample }: QueryEditorHelpProps<TikvQuery>) {
  return (
    <Stack direction="column" gap={2}>
      {Object.entries(QUERY_HELP).map(([kind, help]) => (
        <section key={kind} aria-label={help!.title}>
          <Text element="h4">{help!.title}</Text>
          <Text color="secondary">{help!.text}</Text>
          <Stack direction="column" gap={0.5}>
            {help!.examples.map(({ why, ...example }) => {
              const text = queryDisplayText({ refId: query.refId, ...example });
              return (
                <Stack key={text} direction="row" gap={1} alignItems="center">
                  <Button
                    size="sm"
                    variant="secondary"
                    aria-label={`Use ${text}`}
                    onClick={() => onClickExample({ refId: query.refId, ...example })}
                  >
                    Use
                  </Button>
                  <code>{text}</code>
                  <Text color="secondary">{why}</Text>
                </Stack>
              );
            })}
          </Stack>
        </section>
      ))}
    </Stack>
  );
}
