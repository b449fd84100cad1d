/**
 * The SLO counts against the in-process stand-in Prometheus (tests/support/standInPrometheus.ts), which enforces
 * Prometheus' sample limit: however small the budget, the pieces add up to the same exact counts, and a single step
 * over the limit is a named error.
 */
import { ERROR_CODES, OperatorError } from '../../../src/shared/errors';
import { Limiter } from '../../../src/subject/tikv/invariants/historyLimits';
import { decode, encodedExpr, sloBuckets, sloSeries, sloTotals } from '../../../src/subject/tikv/slo/counts';
import { resolveSlos } from '../../../src/subject/tikv/slo/definitions';
import { budgetSegments, sloPlan } from '../../../src/subject/tikv/slo/report';
import { StandInPrometheus } from '../../support/standInPrometheus';

const R = 15_000;
const HOUR = 3_600_000;
const end = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
const slos = resolveSlos({});
/** Store a is down (up = 0) for the 40 samples of (end − 3 h, end − 2 h 50 m]; b is never; c has no data before end − 1 h. */
const downA = (t: number) => t > end - 3 * HOUR && t <= end - 3 * HOUR + 10 * 60_000;
const data = {
  up: {
    'a:20180': (t: number) => (downA(t) ? 0 : 1),
    'b:20180': () => 1,
    'c:20180': (t: number) => (t > end - HOUR ? 1 : undefined),
  },
};
const plan = sloPlan({ windowMs: 6 * HOUR, from: end - HOUR, to: end, stepMs: R, format: 'budget' });

async function totals(maxSamples: number) {
  const p = new StandInPrometheus(data, maxSamples);
  const s = sloSeries('store_availability', slos.store_availability, { selector: p.selector, window: '1m' });
  const got: Record<string, number[]> = {};
  const r = await sloTotals(
    p,
    s,
    plan,
    budgetSegments(plan),
    { maxSamples, limiter: new Limiter(4) },
    (i, seg, v, b) => {
      got[`${i} ${seg}`] = [v, b];
    }
  );
  return { got, queries: r.queries };
}

test('the encoding: good + 2^20 × bad decodes back', () => {
  expect(decode(1000 + 7 * 2 ** 20)).toEqual({ valid: 1007, bad: 7 });
  expect(decode(0)).toEqual({ valid: 0, bad: 0 });
  expect(encodedExpr({ slo: 'disk_usage', expr: 'X > bool 0.7', rawSelector: '' }, HOUR - 1, R)).toBe(
    'sum_over_time(((X > bool 0.7) * 1048575 + 1)[59m59s999ms:15s])'
  );
});

test('totals are exact per segment (window before the burn hour, the burn hour) whatever the sample budget', async () => {
  const want = {
    'a:20180 0': [5 * 240, 40],
    'a:20180 1': [240, 0],
    'b:20180 0': [5 * 240, 0],
    'b:20180 1': [240, 0],
    'c:20180 1': [240, 0],
  };
  const roomy = await totals(25_000_000);
  expect(roomy.got).toEqual(want);
  // 3 series × 100 steps per query at most: many pieces, some split after a refusal, the same numbers.
  const tight = await totals(2 * 3 * 100);
  expect(tight.got).toEqual(want);
  expect(tight.queries).toBeGreaterThan(roomy.queries * 4);
});

test('buckets: one count per bucket with data, at its index', async () => {
  const p = new StandInPrometheus(data, 25_000_000);
  const s = sloSeries('store_availability', slos.store_availability, { selector: p.selector, window: '1m' });
  const perBucket = new Map<string, number>();
  await sloBuckets(p, s, plan, { maxSamples: 25_000_000, limiter: new Limiter(4) }, (i, k, v, b) => {
    perBucket.set(`${i} ${k}`, b * 1000 + v);
  });
  // One-minute buckets (4 samples each) over 6 h, the first ending at end − 5 h 59 m: a's 40 bad samples are
  // buckets 180…189; c has data in the last 60 buckets only.
  expect(plan.bucketMs).toBe(60_000);
  expect(plan.firstEnd).toBe(end - 359 * 60_000);
  expect(perBucket.get('a:20180 179')).toBe(4);
  expect([180, 189].map((k) => perBucket.get(`a:20180 ${k}`))).toEqual([4004, 4004]);
  expect(perBucket.get('a:20180 190')).toBe(4);
  expect([...perBucket.values()].filter((v) => v > 1000).length).toBe(10);
  expect(perBucket.get('c:20180 0')).toBeUndefined();
  expect([...perBucket.keys()].filter((k) => k.startsWith('c:')).length).toBe(60);
});

test('a single step over the sample limit is a named error', async () => {
  const p = new StandInPrometheus(data, 2);
  const s = sloSeries('store_availability', slos.store_availability, { selector: p.selector, window: '1m' });
  const run = sloTotals(p, s, plan, budgetSegments(plan), { maxSamples: 2, limiter: new Limiter(4) }, () => {});
  await expect(run).rejects.toBeInstanceOf(OperatorError);
  await expect(run).rejects.toMatchObject({ code: ERROR_CODES.UPSTREAM_TOO_LARGE, message: /max-samples/ });
});
