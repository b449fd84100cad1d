/**
 * Prometheus answers for the fixture cluster (stores 1, 4, 5 at 10.0.1.21-23:20180): store 5 is down, so it has no
 * series; a stray instance `10.0.9.9:20180` that PD does not know has some.
 */
import { type FakeAnswer, matrix, type RecordedRequest, vector } from '../../support/promFakeServer';

/** Per metric (recognised by its PromQL), the value per instance. */
export const VALUES: Array<{ match: (q: string) => boolean; byInstance: Record<string, number | string> }> = [
  {
    match: (q) => q.startsWith('histogram_quantile'),
    byInstance: { '10.0.1.21:20180': 0.012, '10.0.1.22:20180': 0.25, '10.0.9.9:20180': 'NaN' },
  },
  { match: (q) => q.startsWith('1 - sum'), byInstance: { '10.0.1.21:20180': 0.095, '10.0.1.22:20180': 0.7267 } },
  {
    match: (q) => q.includes('type="capacity"'),
    byInstance: { '10.0.1.21:20180': 2e12, '10.0.1.22:20180': 322122547200 },
  },
  {
    match: (q) => q.includes('type="available"'),
    byInstance: { '10.0.1.21:20180': 1.81e12, '10.0.1.22:20180': 88046829568 },
  },
  { match: (q) => q.includes('type="leader"'), byInstance: { '10.0.1.21:20180': 606, '10.0.1.22:20180': 606 } },
  { match: (q) => q.includes('type="region"'), byInstance: { '10.0.1.21:20180': 1212, '10.0.1.22:20180': 1212 } },
];

/** Honours an `instance=~"…"` filter in the query the way Prometheus would (anchored regex). */
function instanceFilter(q: string): (instance: string) => boolean {
  const m = /instance=~"((?:[^"\\]|\\.)*)"/.exec(q);
  if (!m) {
    return () => true;
  }
  const re = new RegExp(`^(?:${JSON.parse(`"${m[1]}"`)})$`);
  return (i) => re.test(i);
}

export function answerLikePrometheus(req: RecordedRequest): FakeAnswer | undefined {
  const q = req.params.get('query') ?? '';
  const metric = VALUES.find((v) => v.match(q));
  if (!metric) {
    return undefined;
  }
  const keep = instanceFilter(q);
  const rows = Object.entries(metric.byInstance).filter(([instance]) => keep(instance));
  if (req.path === '/api/v1/query_range') {
    const start = Number(req.params.get('start'));
    const end = Number(req.params.get('end'));
    const step = Number(req.params.get('step'));
    const times: number[] = [];
    for (let t = start; t <= end; t += step) {
      times.push(t);
    }
    return matrix(
      rows.map(([instance, v]) => ({
        labels: { instance },
        values: times.map((t): [number, string | number] => [t, v]),
      }))
    );
  }
  return vector(rows.map(([instance, v]) => ({ labels: { instance }, value: v })));
}
