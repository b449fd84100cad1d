/**
 * Burn-rate rules of the SLOs (README "Burn-rate alerts"), generated so they follow the SLO definitions:
 *
 *   burnPolicies(window): BurnPolicy[]     — the Google SRE workbook's multi-window, multi-burn-rate policy for a window
 *   prometheusSloRules(slos, o): string    — provisioning/prometheus/tikv-operator-slo.rules.yml
 *   grafanaSloRules(slos, o): string       — provisioning/alerting/tikv-operator-slo-rules.yaml
 *
 * One recording rule per SLO judges every evaluation: `tikv_operator:slo_bad:bool{slo}` is 1 when the store is out
 * of target, 0 when in, absent without data (the backend's SLI, counts.ts, with `sum without (type)` so `cluster`,
 * `job` and `instance` stay). The error ratio over a window is its `avg_over_time`; an alert fires when both the long
 * and the short window of a pair burn faster than `factor × (1 − objective)`. The alerts read the bool series
 * directly, so `promtool tsdb create-blocks-from rules` can backfill all they need; no ratio is recorded (a 3 d
 * `avg_over_time` per store every evaluation is ~52M samples at 1,000 stores, over Prometheus' 50M limit).
 *
 * Factors: the workbook's 2 % of a 30 d budget in 1 h (14.4×), 5 % in 6 h (6×), 10 % in 3 d (1×), recomputed for
 * other windows (share × window / long window), the long window at most the SLO window.
 */
import { stringify } from 'yaml';

import { SLOS, type SloName } from '../../../shared/names';
import type { Slo } from '../../subject';
import { formatPromDuration, parsePromDuration } from '../promql';

export const BAD_SERIES = 'tikv_operator:slo_bad:bool';

export interface BurnPolicy {
  alert: string;
  /** Page (critical) or ticket (warning). */
  severity: 'critical' | 'warning';
  long: string;
  short: string;
  /** Share of the whole budget the long window spends at the line. */
  share: number;
  factor: number;
}

const POLICY = [
  { alert: 'TiKVOperatorSLOFastBurn', severity: 'critical', long: '1h', short: '5m', share: 0.02 },
  { alert: 'TiKVOperatorSLOSlowBurn', severity: 'critical', long: '6h', short: '30m', share: 0.05 },
  { alert: 'TiKVOperatorSLOBudgetBurn', severity: 'warning', long: '3d', short: '6h', share: 0.1 },
] as const;

/** A number PromQL and YAML read back exactly, without float noise (14.4 × 0.01 = 0.14400000000000002). */
const tidy = (n: number) => Number(n.toPrecision(10));

export function burnPolicies(window: string): BurnPolicy[] {
  const w = parsePromDuration(window);
  return POLICY.map((p) => {
    const long = Math.min(parsePromDuration(p.long), w);
    const short = Math.min(parsePromDuration(p.short), Math.max(60_000, Math.floor(long / 12)));
    return {
      ...p,
      long: formatPromDuration(long),
      short: formatPromDuration(short),
      factor: tidy((p.share * w) / long),
    };
  });
}

export interface RuleOptions {
  /** The TiKV scrape job (PROMETHEUS_TIKV_JOB, default tikv): `up` of other jobs is not a store. */
  tikvJob?: string;
}

/**
 * The rate window the recorded latency SLI is computed over (TiKV's own 1m). Fixed, so the backend knows what the
 * recorded series means: it reads it only when its RATE_WINDOW is this one too (report.ts).
 */
export const RECORDED_RATE_WINDOW = '1m';

/** The bool SLI per store, as recorded (labels other than `type`/`le` kept). */
export function badExpr(name: SloName, slo: Slo, o: RuleOptions = {}): string {
  const job = o.tikvJob ?? 'tikv';
  switch (name) {
    case 'write_latency_p99':
      return (
        `(histogram_quantile(0.99, sum without (type) (rate(tikv_storage_engine_async_request_duration_seconds_bucket{type="write"}[${RECORDED_RATE_WINDOW}]))) ` +
        `>= -Inf) > bool ${slo.target}`
      );
    case 'disk_usage':
      return (
        '(1 - sum without (type) (tikv_store_size_bytes{type="available"}) / sum without (type) (tikv_store_size_bytes{type="capacity"}) ' +
        `>= -Inf) > bool ${slo.target}`
      );
    case 'store_availability':
      return `up{job="${job}"} < bool ${slo.target}`;
  }
}

/** `avg_over_time(bad[long]) > t and avg_over_time(bad[short]) > t`: the long window's error ratio, while both burn. */
export function burnExpr(name: SloName, slo: Slo, p: BurnPolicy): string {
  const threshold = tidy(p.factor * (1 - slo.objective));
  const ratio = (w: string) => `avg_over_time(${BAD_SERIES}{slo="${name}"}[${w}])`;
  return `${ratio(p.long)} > ${threshold} and ${ratio(p.short)} > ${threshold}`;
}

const WHAT: Record<SloName, string> = {
  write_latency_p99: 'P99 write latency over the target',
  disk_usage: 'disk used ratio over the target',
  store_availability: 'TiKV not scraped: up = 0',
};

function describe(name: SloName, slo: Slo, p: BurnPolicy, instance: string, cluster: string) {
  const threshold = tidy(p.factor * (1 - slo.objective));
  const pct = (x: number) => `${tidy(x * 100)} %`;
  return {
    summary: `TiKV ${instance}${cluster} burns its ${name} error budget at over ${p.factor}× the sustainable rate (${p.long} and ${p.short} windows)`,
    description:
      `More than ${pct(threshold)} of the last ${p.long} and of the last ${p.short} was bad (${WHAT[name]}) ` +
      `(objective ${pct(slo.objective)} over ${slo.window}: at this rate ${pct(p.share)} of the whole budget goes in ${p.long}).`,
  };
}

const HEADER = (what: string) =>
  [
    `# GENERATED by \`npm run slo-rules\` from the SLO definitions (src/subject/tikv/slo/alertRules.ts): do not edit.`,
    `# ${what}`,
    '# Objectives and windows are the defaults; set SLO_<NAME>_OBJECTIVE / SLO_<NAME>_WINDOW (README "SLOs") and rerun',
    '# the script to match another deployment.',
  ].join('\n');

export function prometheusSloRules(slos: Record<SloName, Slo>, o: RuleOptions = {}): string {
  const record = SLOS.map((name) => ({
    record: BAD_SERIES,
    expr: badExpr(name, slos[name], o),
    labels: { slo: name },
  }));
  const alerts = SLOS.flatMap((name) =>
    burnPolicies(slos[name].window).map((p) => ({
      alert: p.alert,
      expr: burnExpr(name, slos[name], p),
      for: '0s',
      labels: { severity: p.severity, slo: name, long_window: p.long, short_window: p.short },
      annotations: describe(
        name,
        slos[name],
        p,
        '{{ $labels.instance }}',
        '{{ with $labels.cluster }} of cluster {{ . }}{{ end }}'
      ),
    }))
  );
  const body = stringify(
    {
      groups: [
        { name: 'tikv-operator-slo', rules: record },
        { name: 'tikv-operator-slo-burn', rules: alerts },
      ],
    },
    { lineWidth: 0 }
  );
  return (
    `${HEADER('Recording rules (per store: bad samples, error ratios per window) and multi-window burn-rate alerts.')}\n` +
    '# `for: 0s`: the short window already says the burn is still going on (Google SRE workbook, ch. 5).\n' +
    body
  );
}

export function grafanaSloRules(slos: Record<SloName, Slo>, o: { datasourceUid?: string } = {}): string {
  const rules = SLOS.flatMap((name) =>
    burnPolicies(slos[name].window).map((p) => ({
      uid: `tikv-slo-${name.replace(/_/g, '-')}-${p.alert === 'TiKVOperatorSLOFastBurn' ? 'fast' : p.alert === 'TiKVOperatorSLOSlowBurn' ? 'slow' : 'ticket'}`,
      title: `TiKV SLO ${name}: ${p.factor}× burn (${p.long}/${p.short})`,
      condition: 'C',
      data: [
        {
          refId: 'A',
          relativeTimeRange: { from: 600, to: 0 },
          datasourceUid: o.datasourceUid ?? 'tikv-prometheus',
          model: { refId: 'A', expr: burnExpr(name, slos[name], p), instant: true, range: false },
        },
        {
          refId: 'C',
          datasourceUid: '__expr__',
          model: {
            refId: 'C',
            type: 'threshold',
            expression: 'A',
            // A series exists only while both windows burn; its value is the long window's error ratio, above a
            // threshold >= 0, so > 0.
            conditions: [{ evaluator: { type: 'gt', params: [0] } }],
          },
        },
      ],
      for: '0s',
      noDataState: 'OK',
      execErrState: 'Error',
      isPaused: false,
      labels: { severity: p.severity, slo: name },
      annotations: describe(
        name,
        slos[name],
        p,
        '{{ index .Labels "instance" }}',
        '{{ with index .Labels "cluster" }} of cluster {{ . }}{{ end }}'
      ),
    }))
  );
  const body = stringify(
    { apiVersion: 1, groups: [{ orgId: 1, name: 'tikv-operator-slo-burn', folder: 'TiKV', interval: '1m', rules }] },
    { lineWidth: 0 }
  );
  return (
    `${HEADER("Grafana-managed burn-rate alerts, the same as tikv-operator-slo.rules.yml's.")}\n` +
    '# They read the recording rule tikv_operator:slo_bad:bool, so the Prometheus behind tikv-prometheus must load\n' +
    '# provisioning/prometheus/tikv-operator-slo.rules.yml (the compose stack does). No `$` here: Grafana would expand it.\n' +
    body
  );
}
