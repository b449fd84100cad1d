/**
 * Zod schemas for Prometheus' HTTP API answers (https://prometheus.io/docs/prometheus/latest/querying/api/).
 * Every answer is an envelope `{status, data?, errorType?, error?, warnings?, infos?}`; sample values are strings
 * (Go `strconv.FormatFloat`), including `NaN`, `+Inf` and `-Inf`.
 */
import { z } from 'zod';

/** A sample value string → number (undefined when it is none); Prometheus writes NaN and ±Inf as words. */
function sampleValue(s: string): number | undefined {
  switch (s) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  const v = Number(s);
  return s.trim() === '' || Number.isNaN(v) ? undefined : v;
}

const notASample = (s: string) => `not a sample value: ${JSON.stringify(s.slice(0, 40))}`;

export const SampleValue = z.string().transform((s, ctx) => {
  const v = sampleValue(s);
  if (v === undefined) {
    ctx.addIssue({ code: 'custom', message: notASample(s) });
    return z.NEVER;
  }
  return v;
});

/**
 * A matrix series' `[[<unix seconds>, "<value>"], …]`, checked and converted in one loop (a range answer holds ~10^5
 * points, and a zod node per point made the check cost more than Prometheus' own answer: npm run bench, scenario b),
 * into what `start(n)` makes: each point goes to `put(out, i, ms, value)`. A bad point is still named by its index.
 */
function sampleSeries<T>(start: (n: number) => T, put: (out: T, i: number, ms: number, v: number) => void) {
  return z
    .custom<unknown[]>((v) => Array.isArray(v), 'expected an array of [time, value] pairs')
    .transform((pairs, ctx) => {
      const out = start(pairs.length);
      for (let i = 0; i < pairs.length; i++) {
        const p = pairs[i];
        if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'number' || typeof p[1] !== 'string') {
          ctx.addIssue({ code: 'custom', path: [i], message: 'expected [<unix seconds>, "<value>"]' });
          return z.NEVER;
        }
        const v = sampleValue(p[1]);
        if (v === undefined) {
          ctx.addIssue({ code: 'custom', path: [i, 1], message: notASample(p[1]) });
          return z.NEVER;
        }
        put(out, i, Math.round(p[0] * 1000), v);
      }
      return out;
    });
}

/** Samples as `[ms, value]` pairs. */
export const SampleList = sampleSeries(
  (n) => new Array<[number, number]>(n),
  (out, i, t, v) => {
    out[i] = [t, v];
  }
);

/**
 * Samples as two columns of doubles (`t` in ms, `v`) instead of an array per point: the history's precise pass reads
 * ~10^6 points over 30 days, and the per-point arrays were half of what its answers left for the old generation to
 * collect (npm run bench, scenario e: peak RSS).
 */
export const SampleColumns = sampleSeries(
  (n) => ({ t: new Float64Array(n), v: new Float64Array(n) }),
  (out, i, t, v) => {
    out.t[i] = t;
    out.v[i] = v;
  }
);

/** `[<unix seconds, float>, "<value>"]` → `[ms, value]`. */
export const SamplePair = z
  .tuple([z.number(), SampleValue])
  .transform(([t, v]) => [Math.round(t * 1000), v] as [number, number]);

const Labels = z.record(z.string(), z.string());

export const VectorResult = z.object({
  resultType: z.literal('vector'),
  /** Native-histogram samples carry `histogram` instead of `value`; they are not used here and are dropped. */
  result: z.array(z.object({ metric: Labels, value: SamplePair.optional() })),
});
export const ScalarResult = z.object({ resultType: z.literal('scalar'), result: SamplePair });
export const MatrixResult = z.object({
  resultType: z.literal('matrix'),
  result: z.array(z.object({ metric: Labels, values: SampleList.default([]) })),
});
const MatrixColumnsResult = z.object({
  resultType: z.literal('matrix'),
  result: z.array(
    z.object({
      metric: Labels,
      values: SampleColumns.default(() => ({ t: new Float64Array(0), v: new Float64Array(0) })),
    })
  ),
});
export const StringResult = z.object({ resultType: z.literal('string'), result: z.tuple([z.number(), z.string()]) });

export const QueryData = z.discriminatedUnion('resultType', [VectorResult, ScalarResult, MatrixResult, StringResult]);
export type QueryData = z.infer<typeof QueryData>;

/** The envelope around `data`; `status: "error"` bodies normally come with HTTP 4xx/5xx, but are checked anyway. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({
    status: z.enum(['success', 'error']),
    data: data.optional(),
    errorType: z.string().optional(),
    error: z.string().optional(),
    warnings: z.array(z.string()).optional(),
    /** Prometheus ≥ 2.50: info-level annotations ("metric might not be a counter"). */
    infos: z.array(z.string()).optional(),
  });
}

export const QueryAnswer = envelope(QueryData);
/** A range answer with each series' samples as columns (SampleColumns). */
export const RangeColumnsAnswer = envelope(
  z.discriminatedUnion('resultType', [VectorResult, ScalarResult, MatrixColumnsResult, StringResult])
);
export const StringListAnswer = envelope(z.array(z.string()).nullable());
export const SeriesAnswer = envelope(z.array(Labels).nullable());
export const BuildInfoAnswer = envelope(
  z.object({ version: z.string(), revision: z.string().optional(), branch: z.string().optional() }).loose()
);

/** `{status: "error", errorType, error}` → `errorType: error` (what the client shows as Prometheus' message). */
export function prometheusErrorMessage(bodyText: string): string | undefined {
  try {
    const v = JSON.parse(bodyText) as { errorType?: unknown; error?: unknown };
    if (v && typeof v.error === 'string') {
      return typeof v.errorType === 'string' && v.errorType ? `${v.errorType}: ${v.error}` : v.error;
    }
  } catch {
    // not JSON (a proxy's HTML page): the raw text is the message
  }
  return undefined;
}
