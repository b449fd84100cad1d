import { budgetOf } from '../../../src/subject/tikv/slo/budget';
import { sloPlan } from '../../../src/subject/tikv/slo/report';

const DAY = 86_400_000;
const base = { objective: 0.99, windowMs: 30 * DAY, stepMs: 15_000, burnValid: 0, burnBad: 0 };
const full = (30 * DAY) / 15_000; // 172,800 samples in 30 d at 15 s

describe('budgetOf', () => {
  test('an untouched window: all good, budget_left 1, burn 0, full coverage', () => {
    const b = budgetOf({ ...base, valid: full, bad: 0, burnValid: 240, burnBad: 0 });
    expect(b).toEqual({
      attainment: 1,
      budget_left: 1,
      burn_rate: 0,
      budget_total_seconds: expect.closeTo(0.01 * 30 * 86_400, 6),
      budget_spent_seconds: 0,
      coverage: 1,
    });
  });

  test('half the budget spent: 0.5 % bad of a 1 % budget; burn from the last hour alone', () => {
    const b = budgetOf({ ...base, valid: full, bad: full * 0.005, burnValid: 240, burnBad: 24 });
    expect(b.attainment).toBeCloseTo(0.995, 12);
    expect(b.budget_left).toBeCloseTo(0.5, 12);
    expect(b.budget_spent_seconds).toBeCloseTo(0.005 * 30 * 86_400, 6);
    // 10 % bad in the last hour against a 1 % allowance: burning 10× too fast.
    expect(b.burn_rate).toBeCloseTo(10, 12);
  });

  test('overspent: budget_left goes negative', () => {
    const b = budgetOf({ ...base, valid: full, bad: full * 0.03 });
    expect(b.budget_left).toBeCloseTo(-2, 12);
  });

  test('no data: unknown (null), never good; coverage 0', () => {
    expect(budgetOf({ ...base, valid: 0, bad: 0 })).toEqual({
      attainment: null,
      budget_left: null,
      burn_rate: null,
      budget_total_seconds: 0,
      budget_spent_seconds: 0,
      coverage: 0,
    });
  });

  test('a partial window is judged on the part with data, and says how much that is', () => {
    // 15 of 30 days with data, 1 % of them bad: the covered half's budget is exactly spent.
    const b = budgetOf({ ...base, valid: full / 2, bad: full / 2 / 100 });
    expect(b.coverage).toBeCloseTo(0.5, 12);
    expect(b.budget_left).toBeCloseTo(0, 12);
    expect(b.budget_total_seconds).toBeCloseTo(0.01 * 15 * 86_400, 6);
    expect(b.budget_spent_seconds).toBeCloseTo(b.budget_total_seconds, 6);
  });

  test('objective 1 (100 %): no budget; clean is 1, any bad sample is infinitely overspent (null)', () => {
    const clean = budgetOf({ ...base, objective: 1, valid: full, bad: 0, burnValid: 240, burnBad: 0 });
    expect([clean.budget_left, clean.burn_rate, clean.budget_total_seconds]).toEqual([1, 0, 0]);
    const one = budgetOf({ ...base, objective: 1, valid: full, bad: 1, burnValid: 240, burnBad: 1 });
    expect([one.budget_left, one.burn_rate]).toEqual([null, null]);
    expect(one.attainment).toBeCloseTo(1 - 1 / full, 12);
    expect(one.budget_spent_seconds).toBe(15);
  });

  test('no data in the burn window: burn_rate unknown while the budget is known', () => {
    const b = budgetOf({ ...base, valid: full / 2, bad: 0, burnValid: 0, burnBad: 0 });
    expect(b.budget_left).toBe(1);
    expect(b.burn_rate).toBeNull();
  });

  test('bad counts above valid ones are clamped, not trusted', () => {
    expect(budgetOf({ ...base, valid: 10, bad: 20 }).attainment).toBe(0);
  });
});

describe('sloPlan', () => {
  test('30 d budget: 720 one-hour buckets ending at `to` (aligned to the scrape interval); burn = the last one', () => {
    const to = 1_700_000_007_000;
    const p = sloPlan({ windowMs: 30 * DAY, from: to - DAY, to, stepMs: 15_000, format: 'budget' });
    expect(p.bucketMs).toBe(3_600_000);
    expect(p.windowBuckets).toBe(720);
    expect(p.burnBuckets).toBe(1);
    expect(p.lastEnd).toBe(Math.floor(to / 15_000) * 15_000);
    expect(p.lastEnd - p.firstEnd).toBe(719 * 3_600_000);
  });

  test('a 2 h window: one-minute buckets, 60 of them make the burn hour', () => {
    const p = sloPlan({ windowMs: 2 * 3_600_000, from: 0, to: 10 * 3_600_000, stepMs: 15_000, format: 'budget' });
    expect([p.bucketMs, p.windowBuckets, p.burnBuckets]).toEqual([60_000, 120, 60]);
  });

  test('timeseries: buckets cover the range plus one window before it, at most 1,500 of them', () => {
    const to = 60 * DAY;
    const p = sloPlan({ windowMs: 30 * DAY, from: to - 30 * DAY, to, stepMs: 15_000, format: 'timeseries' });
    const buckets = (p.lastEnd - p.firstEnd) / p.bucketMs + 1;
    expect(buckets).toBeLessThanOrEqual(1500);
    expect(p.firstEnd + p.firstOutput * p.bucketMs).toBeLessThanOrEqual(to - 30 * DAY + p.bucketMs);
    expect(p.firstEnd + p.firstOutput * p.bucketMs).toBeGreaterThanOrEqual(to - 30 * DAY);
  });
});
