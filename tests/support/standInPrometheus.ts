/**
 * A stand-in Prometheus for the history's query shapes, answering from functions of time — in process (unit tests)
 * or over HTTP (bench (e)). Each invariant's per-instance series is a `Signal`: the value the expression would
 * evaluate to at t (undefined = no sample, NaN = NaN). It enforces Prometheus' limits: 11,000 points per series
 * per range query (HTTP 400, `bad_data`), and `maxSamples` (`--query.max-samples`, default 50,000,000) counted as
 * raw series × evaluation steps, subquery steps included (HTTP 422, "query processing would load too many samples
 * into memory in query execution").
 *
 * Shapes (historySeries.ts, historyData.ts): `count(up{…})` (range, coverage), `max(count_over_time(up{…}[W]))`
 * (instant, sample spacing), `count(instance:…)` (instant, recording rules: none here), `count_over_time((EXPR COND)[S:R])` (range, coarse), EXPR with an optional
 * `instance=~"…"` (range, precise; with ` >= -Inf` NaN is dropped), `count_over_time((EXPR >= -Inf)[D:R])` and `count_over_time((EXPR)[D:R])`
 * (instant counts), `max_over_time(count(RAW)[D:R])` (instant, the series estimate), and the SLO counts
 * (slo/counts.ts) `sum_over_time(((X) * 1048575 + 1)[D:R])` with X = `(EXPR >= -Inf) > bool T` or
 * `max by (instance) (up…) < bool T` (range and instant). A subquery's steps are the multiples of R in [t − D, t], as in
 * Prometheus 2.
 */
import { UpstreamStatusError } from '../../src/shared/errors';
import type { InstantResult, RangeColumnsResult, RangeResult, RangeSeries } from '../../src/subject/prometheus/client';
import { renderSelector, type LabelMatcher } from '../../src/subject/prometheus/selector';
import { parsePromDuration } from '../../src/subject/tikv/promql';
import type { PrometheusHistory } from '../../src/subject/tikv/invariants/historyGrid';

export type Signal = (t: number) => number | undefined;
/** `regions`: PD's cluster-level `pd_regions_status` (region_health), one series under the key `""`. */
export type Kind = 'latency' | 'disk' | 'up' | 'regions';
export type StandInData = Partial<Record<Kind, Record<string, Signal>>>;

/** Raw series per instance behind each expression (TiKV's latency histogram: ~30 buckets). */
export const RAW_SERIES: Record<Kind, number> = { latency: 30, disk: 2, up: 1, regions: 2 };
export const TOO_MANY_SAMPLES = 'query processing would load too many samples into memory in query execution';

export class StandInError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string
  ) {
    super(message);
  }
}

export interface StandInCall {
  type: 'range' | 'instant';
  expr: string;
  start: number;
  end: number;
  step: number;
}

/** slo/counts.ts' encoded count: `sum_over_time(((X > bool T) * 1048575 + 1)[D:R])`. */
const SLO_COUNTS = /^sum_over_time\(\(\((.*) (>|<) bool (\S+)\) \* 1048575 \+ 1\)\[(\w+):(\w+)\]\)$/;

const kindOf = (expr: string): Kind =>
  expr.includes('tikv_storage_engine_async_request_duration_seconds') ||
  expr.includes('instance:tikv_storage_async_write_duration_seconds')
    ? 'latency'
    : expr.includes('tikv_store_size_bytes') || expr.includes('instance:tikv_store_used')
      ? 'disk'
      : // region_health's expression was answered from the \`up\` signals before this kind (a series per store, holding
        // while up): the incremental property test then failed now and then on series region_health never has.
        expr.includes('pd_regions_status')
        ? 'regions'
        : 'up';

function instanceFilter(expr: string): (instance: string) => boolean {
  const m = /instance=~"((?:[^"\\]|\\.)*)"/.exec(expr);
  if (!m) {
    return () => true;
  }
  const re = new RegExp(`^(?:${m[1].replace(/\\\\/g, '\\')})$`);
  return (i) => re.test(i);
}

/** Grid points of a subquery window [t − d, t] at resolution r. */
function* subSteps(t: number, d: number, r: number): Generator<number> {
  for (let x = Math.ceil((t - d) / r) * r; x <= t; x += r) {
    yield x;
  }
}

export class StandInEvaluator {
  readonly calls: StandInCall[] = [];
  constructor(
    private readonly data: StandInData,
    private readonly maxSamples = 50_000_000,
    /** The raw samples' spacing behind the signals. */
    private readonly scrapeMs = 15_000,
    /** Whether the history recording rules are loaded (their series answer from the same signals). */
    private readonly recorded = false
  ) {}

  private series(expr: string): Array<[string, Signal]> {
    const keep = instanceFilter(expr);
    return Object.entries(this.data[kindOf(expr)] ?? {}).filter(([i]) => keep(i));
  }

  private charge(expr: string, steps: number): void {
    const perInstance = expr.includes('instance:') ? 1 : RAW_SERIES[kindOf(expr)];
    const cost = this.series(expr).length * perInstance * steps;
    if (cost > this.maxSamples) {
      throw new StandInError(422, 'execution', TOO_MANY_SAMPLES);
    }
  }

  range(expr: string, start: number, end: number, step: number): RangeSeries[] {
    this.calls.push({ type: 'range', expr, start, end, step });
    if ((end - start) / step + 1 > 11_000) {
      throw new StandInError(
        400,
        'bad_data',
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)'
      );
    }
    const countUp = /^count\((up\{.*\})\)$/.exec(expr);
    if (countUp) {
      this.charge(countUp[1], (end - start) / step + 1);
      const samples: Array<[number, number]> = [];
      for (let t = start; t <= end; t += step) {
        const n = this.series(countUp[1]).filter(([, f]) => f(t) !== undefined).length;
        if (n > 0) {
          samples.push([t, n]);
        }
      }
      return samples.length ? [{ labels: {}, samples }] : [];
    }
    const slo = SLO_COUNTS.exec(expr);
    if (slo) {
      return this.sloCounts(slo, start, end, step);
    }
    const coarse = /^count_over_time\(\((.*) (>|==) (\S+)\)\[(\w+):(\w+)\]\)$/.exec(expr);
    if (coarse) {
      const [, inner, op, th, sText, rText] = coarse;
      const [S, R, threshold] = [parsePromDuration(sText), parsePromDuration(rText), Number(th)];
      this.charge(inner, (end - start + S) / R + 1);
      const holds = (v: number) => (op === '>' ? v > threshold : v === threshold);
      // Holding inner steps as a prefix sum, so each outer window is one subtraction.
      const first = Math.ceil((start - S) / R) * R;
      const n = Math.floor((end - first) / R) + 1;
      const prefix = new Uint32Array(n + 1);
      return this.series(inner).flatMap(([instance, f]) => {
        for (let k = 0; k < n; k++) {
          const v = f(first + k * R);
          prefix[k + 1] = prefix[k] + (v !== undefined && holds(v) ? 1 : 0);
        }
        const samples: Array<[number, number]> = [];
        for (let t = start; t <= end; t += step) {
          const lo = Math.ceil((t - S - first) / R); // first inner step in [t − S, t]
          const hi = Math.floor((t - first) / R);
          const count = prefix[hi + 1] - prefix[Math.max(0, lo)];
          if (count > 0) {
            samples.push([t, count]);
          }
        }
        return samples.length ? [{ labels: { instance }, samples }] : [];
      });
    }
    // `EXPR >= -Inf` keeps every real value and drops NaN (the incremental refresh's onset query).
    const realOnly = expr.endsWith(' >= -Inf');
    this.charge(expr, (end - start) / step + 1);
    return this.series(expr).flatMap(([instance, f]) => {
      const samples: Array<[number, number]> = [];
      for (let t = start; t <= end; t += step) {
        const v = f(t);
        if (v !== undefined && !(realOnly && Number.isNaN(v))) {
          samples.push([t, v]);
        }
      }
      return samples.length ? [{ labels: { instance }, samples }] : [];
    });
  }

  /** Per outer step, good + 2^20 × bad inner samples, as prefix sums. */
  private sloCounts(m: RegExpExecArray, start: number, end: number, step: number): RangeSeries[] {
    const [, inner, op, th, dText, rText] = m;
    const [D, R, threshold] = [parsePromDuration(dText), parsePromDuration(rText), Number(th)];
    this.charge(inner, (end - start + D) / R + 1);
    const first = Math.ceil((start - D) / R) * R;
    const n = Math.floor((end - first) / R) + 1;
    const valid = new Uint32Array(n + 1);
    const bad = new Uint32Array(n + 1);
    return this.series(inner).flatMap(([instance, f]) => {
      for (let k = 0; k < n; k++) {
        const v = f(first + k * R);
        const real = v !== undefined && !Number.isNaN(v);
        valid[k + 1] = valid[k] + (real ? 1 : 0);
        bad[k + 1] = bad[k] + (real && (op === '>' ? v > threshold : v < threshold) ? 1 : 0);
      }
      const samples: Array<[number, number]> = [];
      for (let t = start; t <= end; t += step) {
        const lo = Math.max(0, Math.ceil((t - D - first) / R));
        const hi = Math.floor((t - first) / R);
        const count = valid[hi + 1] - valid[lo];
        if (count > 0) {
          const b = bad[hi + 1] - bad[lo];
          samples.push([t, count - b + b * 2 ** 20]);
        }
      }
      return samples.length ? [{ labels: { instance }, samples }] : [];
    });
  }

  instant(expr: string, t: number): Array<{ labels: Record<string, string>; v: number }> {
    this.calls.push({ type: 'instant', expr, start: t, end: t, step: 0 });
    const estimate = /^max_over_time\(count\((.*)\)\[\w+:\w+\]\)$/.exec(expr);
    if (estimate) {
      const perInstance = estimate[1].includes('instance:') ? 1 : RAW_SERIES[kindOf(estimate[1])];
      const n = Object.keys(this.data[kindOf(estimate[1])] ?? {}).length * perInstance;
      return n > 0 ? [{ labels: {}, v: n }] : [];
    }
    const perHour = /^max\(count_over_time\((up\{.*\})\[(\w+)\]\)\)$/.exec(expr);
    if (perHour) {
      const span = parsePromDuration(perHour[2]);
      // One raw sample per scrape interval while a series reports.
      const counts = this.series(perHour[1]).map(([, f]) => {
        let n = 0;
        for (let x = Math.ceil((t - span) / this.scrapeMs) * this.scrapeMs; x <= t; x += this.scrapeMs) {
          n += f(x) !== undefined ? 1 : 0;
        }
        return n;
      });
      return counts.length ? [{ labels: {}, v: Math.max(...counts) }] : [];
    }
    const slo = SLO_COUNTS.exec(expr);
    if (slo) {
      return this.sloCounts(slo, t, t, 1).map((x) => ({ labels: x.labels, v: x.samples[0][1] }));
    }
    if (/^count\(tikv_operator:slo_bad:bool/.test(expr)) {
      return []; // the SLO recording rules are not loaded here
    }
    if (/^count\(instance:/.test(expr)) {
      return this.recorded ? [{ labels: {}, v: 1 }] : [];
    }
    const count = /^count_over_time\(\((.*?)( >= -Inf)?\)\[(\w+):(\w+)\]\)$/.exec(expr);
    if (!count) {
      throw new StandInError(400, 'bad_data', `the stand-in does not answer ${expr}`);
    }
    const [, inner, realOnly, dText, rText] = count;
    const [D, R] = [parsePromDuration(dText), parsePromDuration(rText)];
    this.charge(inner, D / R + 1);
    return this.series(inner).flatMap(([instance, f]) => {
      let n = 0;
      for (const x of subSteps(t, D, R)) {
        const v = f(x);
        n += v !== undefined && !(realOnly && Number.isNaN(v)) ? 1 : 0;
      }
      return n > 0 ? [{ labels: { instance }, v: n }] : [];
    });
  }
}

/** A range answer's samples as columns, as PrometheusClient.queryRangeColumns gives them. */
export function columnsOf(r: RangeResult): RangeColumnsResult {
  return {
    series: r.series.map((x) => ({
      labels: x.labels,
      t: Float64Array.from(x.samples, ([t]) => t),
      v: Float64Array.from(x.samples, ([, v]) => v),
    })),
    warnings: r.warnings,
  };
}

/** The evaluator as a PrometheusHistory, in process: Prometheus' errors become UpstreamStatusErrors. */
export class StandInPrometheus extends StandInEvaluator implements PrometheusHistory {
  selector = (metric: string, matchers: LabelMatcher[] = [], job: 'tikv' | 'pd' = 'tikv') =>
    renderSelector(metric, [
      { name: 'cluster', op: '=', value: 'prod' },
      ...matchers,
      { name: 'job', op: '=', value: job },
    ]);

  private wrap<T>(path: string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof StandInError) {
        throw new UpstreamStatusError({
          upstream: 'prometheus',
          path,
          status: err.status,
          upstreamMessage: `${err.errorType}: ${err.message}`,
        });
      }
      throw err;
    }
  }

  async queryRange(
    expr: string,
    start: number,
    end: number,
    step: number,
    _signal?: AbortSignal
  ): Promise<RangeResult> {
    return { series: this.wrap('/api/v1/query_range', () => this.range(expr, start, end, step)), warnings: [] };
  }

  /** Through `queryRange`, so a test that overrides it sees these calls too. */
  async queryRangeColumns(
    expr: string,
    start: number,
    end: number,
    step: number,
    signal?: AbortSignal
  ): Promise<RangeColumnsResult> {
    return columnsOf(await this.queryRange(expr, start, end, step, signal));
  }

  async query(expr: string, t?: number): Promise<InstantResult> {
    const rows = this.wrap('/api/v1/query', () => this.instant(expr, t ?? Date.now()));
    return { samples: rows.map((r) => ({ labels: r.labels, t: t ?? 0, v: r.v })), warnings: [] };
  }
}
