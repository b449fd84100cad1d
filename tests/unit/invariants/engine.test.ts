import { entityKey, INITIAL_STATE, step, type EntityState } from '../../../src/subject/tikv/invariants/engine';
import { replay } from '../../../src/subject/tikv/invariants/replay';
import { DEFAULT_RULES, observe, type InvariantRule } from '../../../src/subject/tikv/invariants/rules';
import { series } from './notation';

const MIN = 60_000;
const rule = (graceMs: number, keepFiringForMs = 0): InvariantRule => ({
  ...DEFAULT_RULES.high_latency,
  threshold: 50,
  graceMs,
  keepFiringForMs,
});
const LETTER = { unknown: '.', inactive: 'i', pending: 'p', firing: 'f' } as const;

/** Runs the engine over a series and answers one letter per step: . unknown, i inactive, p pending, f firing. */
function run(text: string, r: InvariantRule, stepMs = MIN): { states: string; finalState: EntityState } {
  let state = INITIAL_STATE;
  const letters: string[] = [];
  for (const [t, v] of series(text, stepMs)) {
    state = step(state, v === undefined ? undefined : observe(r, v), t, r).next;
    letters.push(LETTER[state.state]);
  }
  return { states: letters.join(' '), finalState: state };
}

const who = { store_id: 4, address: 'tikv-4:20160' };
const intervals = (text: string, r: InvariantRule, stepMs = MIN) =>
  replay(
    series(text, stepMs).map(([t, v]) => ({ t, obs: v === undefined ? undefined : observe(r, v) })),
    r,
    who
  ).map((v) => [v.first_seen, v.last_seen, v.active, v.value]);

describe('invariant engine timelines (load 1m, evaluated from epoch 0)', () => {
  it('a condition becomes a violation once it has held for the grace period, and clears at once', () => {
    expect(run('10 10 90 90 90 10', rule(MIN)).states).toBe('i i p f f i');
  });

  it('with no grace a violation fires in the same evaluation as its onset', () => {
    expect(run('10 90 10', rule(0)).states).toBe('i f i');
    expect(intervals('10 90 10', rule(0))).toEqual([[MIN, MIN, false, 90]]);
  });

  it('fires at exactly the grace period (60 s) and not at 59 s', () => {
    const { states } = run('10 90x60', rule(60_000), 1000);
    const letters = states.split(' ');
    expect(letters[0]).toBe('i');
    expect(letters[1]).toBe('p'); // onset at t = 1 s
    expect(letters[60]).toBe('p'); // held 59 s
    expect(letters[61]).toBe('f'); // held 60 s
  });

  it('a condition that held 59 s and cleared is never a violation', () => {
    expect(intervals('10 90x59 10', rule(60_000), 1000)).toEqual([]);
    expect(intervals('10 90x60 10', rule(60_000), 1000)).toEqual([[1000, 61_000, false, 90]]);
  });

  it('a pending condition that clears is dropped and its next onset starts the grace again', () => {
    expect(run('90 10 90 90 90', rule(2 * MIN)).states).toBe('p i p p f');
    expect(intervals('90 10 90 90 90', rule(2 * MIN))).toEqual([[2 * MIN, 4 * MIN, true, 90]]);
  });

  it('flapping faster than the grace period never fires', () => {
    expect(run('90 10 90 10 90 10 90 10', rule(MIN)).states).toBe('p i p i p i p i');
    expect(intervals('90 10 90 10 90 10 90 10', rule(MIN))).toEqual([]);
  });

  it('keeps first_seen (the onset) while the violation persists, and reports the last holding sample', () => {
    const { finalState } = run('10 90 95 99 97', rule(MIN));
    expect(finalState).toMatchObject({
      state: 'firing',
      activeAt: MIN,
      firedAt: 2 * MIN,
      lastSeen: 4 * MIN,
      value: 97,
    });
    expect(intervals('10 90 95 99 97 10', rule(MIN))).toEqual([[MIN, 4 * MIN, false, 97]]);
  });

  it('a violation that clears and returns is a new one, with a new first_seen', () => {
    expect(run('90 90 10 90 90', rule(MIN)).states).toBe('p f i p f');
    expect(intervals('90 90 10 90 90', rule(MIN))).toEqual([
      [0, MIN, false, 90],
      [3 * MIN, 4 * MIN, true, 90],
    ]);
  });

  it('a gap (missing sample or NaN) neither fires nor clears a violation', () => {
    // Firing, then gaps, then still firing: one violation.
    expect(run('90 90 _ NaN 90', rule(MIN)).states).toBe('p f f f f');
    expect(intervals('90 90 _ NaN 90', rule(MIN))).toEqual([[0, 4 * MIN, true, 90]]);
    // Pending across a gap is not promoted by the gap, only by the next holding sample.
    expect(run('90 _x3 10', rule(MIN)).states).toBe('p p p p i');
    expect(run('90 _x3 90', rule(MIN)).states).toBe('p p p p f');
    // Gaps alone never start anything.
    expect(run('_ NaN _', rule(0)).states).toBe('. . .');
    expect(run('10 NaN 10', rule(0)).states).toBe('i i i');
  });

  it('+Inf is a real value above any threshold', () => {
    expect(run('10 Inf', rule(0)).states).toBe('i f');
  });

  it('rejects a sample at or before the last evaluated time and keeps the state', () => {
    const r = rule(0);
    const first = step(INITIAL_STATE, observe(r, 90), 2 * MIN, r);
    expect(first.next.state).toBe('firing');
    for (const t of [2 * MIN, MIN]) {
      const late = step(first.next, observe(r, 10), t, r);
      expect(late.rejected).toBe(true);
      expect(late.next).toBe(first.next);
      expect(late.transitions).toEqual([]);
    }
    expect(step(first.next, observe(r, 10), 3 * MIN, r)).toMatchObject({
      rejected: false,
      next: { state: 'inactive' },
    });
  });

  it('keep-firing holds a firing violation through a short flap, and a true sample resets it', () => {
    const r = rule(0, 2 * MIN);
    expect(run('90 10 90 10 10 10 10', r).states).toBe('f f f f f i i');
    expect(intervals('90 10 90 10 10 10 10', r)).toEqual([[0, 2 * MIN, false, 90]]);
  });

  it('keep-firing never applies to a pending condition', () => {
    expect(run('90 10 90', rule(5 * MIN, 10 * MIN)).states).toBe('p i p');
  });

  it('reports the transitions of a step', () => {
    const r = rule(0);
    expect(step(INITIAL_STATE, observe(r, 90), 0, r).transitions).toEqual([
      { kind: 'pending', at: 0 },
      { kind: 'fired', at: 0 },
    ]);
  });

  it('makes every state with the same fields, in the same order', () => {
    // One object shape (engine.ts `entity`): replays step millions of samples, and copies of varying shapes were
    // promoted to V8's old generation (bench e).
    const keys = Object.keys(INITIAL_STATE);
    expect(keys).toEqual([
      'state',
      'activeAt',
      'firedAt',
      'resolvedAt',
      'keepFiringSince',
      'evaluatedAt',
      'lastSeen',
      'value',
    ]);
    for (const r of [rule(0), rule(MIN), rule(0, 2 * MIN)]) {
      let s: EntityState = INITIAL_STATE;
      for (const [i, v] of [90, NaN, 90, 10, 10, 90, 90, 10, 10, 10, 10].entries()) {
        s = step(s, observe(r, v), (i + 1) * MIN, r).next;
        expect(Object.keys(s)).toEqual(keys);
      }
      expect(Object.keys(step(s, undefined, 99 * MIN, r).next)).toEqual(keys);
    }
  });

  it('keys entities by invariant and store', () => {
    expect(entityKey('high_latency', 4)).toBe('high_latency|4');
  });
});
