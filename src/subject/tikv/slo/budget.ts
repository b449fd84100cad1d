/**
 * Error-budget arithmetic of one store's SLO over one window, from counts of evaluated samples (README "SLOs").
 *
 *   budgetOf(o: BudgetInputs): Budget
 *
 * `valid` samples are the scrape-interval evaluations that had data, `bad` those where the SLI was out of target;
 * a gap is neither (it counts towards no side, and lowers `coverage`). Everything is relative to the covered part
 * of the window, so a window half without data is judged on its other half and says so with coverage 0.5:
 *
 *   attainment      = 1 − bad / valid
 *   budget_total_s  = (1 − objective) × valid × step   (the bad time the covered part allows)
 *   budget_spent_s  = bad × step
 *   budget_left     = 1 − spent / total = 1 − (bad / valid) / (1 − objective)   (1 untouched, 0 spent, < 0 overspent)
 *   burn_rate       = (bad_b / valid_b) / (1 − objective) over the burn window (the last hour): 1 spends the budget
 *                     exactly over the window, 14.4 is the fast-burn page line
 *   coverage        = valid / (window / step)
 *
 * No data: attainment, budget_left and burn_rate are null (unknown, not good). An objective of 1 has no budget: with
 * no bad sample budget_left is 1 and burn_rate 0; with any, both are null (infinitely overspent, which a number
 * cannot show) — the answer's notice says so.
 */

export interface BudgetInputs {
  objective: number;
  windowMs: number;
  /** The evaluation step (scrape interval), ms: one sample stands for this much time. */
  stepMs: number;
  valid: number;
  bad: number;
  /** Counts over the burn window (the last hour before the window's end). */
  burnValid: number;
  burnBad: number;
}

export interface Budget {
  attainment: number | null;
  budget_left: number | null;
  burn_rate: number | null;
  budget_total_seconds: number;
  budget_spent_seconds: number;
  coverage: number;
}

export function budgetOf(o: BudgetInputs): Budget {
  const allowed = 1 - o.objective;
  const valid = Math.max(0, o.valid);
  // Prometheus answers counts; a bad count above the valid one cannot happen, but is clamped rather than trusted.
  const bad = Math.min(Math.max(0, o.bad), valid);
  const expected = o.windowMs / o.stepMs;
  const coverage = expected > 0 ? Math.min(1, valid / expected) : 0;
  const stepS = o.stepMs / 1000;
  const base = {
    budget_total_seconds: allowed * valid * stepS,
    budget_spent_seconds: bad * stepS,
    coverage,
  };
  if (valid === 0) {
    return { attainment: null, budget_left: null, burn_rate: null, ...base };
  }
  const ratio = bad / valid;
  return {
    attainment: 1 - ratio,
    budget_left: overBudget(ratio, allowed, 1),
    burn_rate: burnRate(o.burnValid, o.burnBad, allowed),
    ...base,
  };
}

/** `1 − ratio / allowed`, or with no budget (objective 1): `whenClean` without bad samples, else null. */
function overBudget(ratio: number, allowed: number, whenClean: number): number | null {
  if (allowed > 0) {
    return 1 - ratio / allowed;
  }
  return ratio === 0 ? whenClean : null;
}

function burnRate(valid: number, bad: number, allowed: number): number | null {
  if (!(valid > 0)) {
    return null;
  }
  const ratio = Math.min(Math.max(0, bad), valid) / valid;
  if (allowed > 0) {
    return ratio / allowed;
  }
  return ratio === 0 ? 0 : null;
}
