/**
 * The preflight logic of cancel_operator, pause_scheduler and resume_scheduler over given PD answers: which
 * checks fail, when the drain warning appears, and what the summary says. (The same actions run against the
 * simulator through the backend in tests/integration/server/scheduling.test.ts.)
 */
import type { Operator, PausedScheduler } from '../../../src/subject/pd/schedulingSchema';
import { preflightAction, type ActionPd } from '../../../src/subject/tikv/actions';
import { drainWarning } from '../../../src/subject/tikv/actions/pauseScheduler';

const NOW = Date.parse('2026-12-06T03:00:00Z');
const answer = <T>(data: T) => ({ data, pdNow: NOW, clock: 'pd' as const, origin: 'http://pd' });

interface State {
  schedulers?: string[];
  paused?: PausedScheduler[];
  operators?: Operator[];
  removing?: number[];
  evicting?: number[];
}

/** An ActionPd answering from `state`; any other call fails the test. */
function fakePd(state: State): ActionPd {
  const handler: Partial<ActionPd> = {
    getSchedulers: async () => answer(state.schedulers ?? []),
    getPausedSchedulers: async () => answer(state.paused ?? []),
    getOperatorDetails: async () => answer(state.operators ?? []),
    getEvictLeaderStores: async () => answer(state.evicting ?? []),
    getStores: async () =>
      answer({
        count: 4,
        stores: [1, 2, 3, 4].map((id) => ({
          store: { id, node_state: (state.removing ?? []).includes(id) ? 2 : 1 },
        })),
      }) as never,
  };
  const pd = new Proxy(handler, {
    get: (t, k: string) => (t as Record<string, unknown>)[k] ?? (() => Promise.reject(new Error(`unexpected PD call ${k}`))),
  }) as ActionPd;
  // Actions read through `fresh()`: the same fake, as the real client's view shares its connections.
  handler.fresh = () => pd as never;
  return pd;
}

const OP: Operator = {
  region_id: 7,
  desc: 'balance-region',
  brief: 'mv peer: store [1] to [4]',
  kind: ['region'],
  region_version: 3,
  region_conf_ver: 2,
  create_time: NOW - 12_000,
  start_time: NOW - 12_000,
  current_step: 1,
  size_mib: 96,
  steps: ['add learner peer 70 on store 4', 'promote learner peer 70 on store 4 to voter', 'remove peer on store 1'],
  timeout: '1m20s',
  status: 'STARTED',
};

describe('cancel_operator', () => {
  it('is safe only when an operator runs on the region, and says which steps stay done', async () => {
    const pd = fakePd({ operators: [OP] });
    const ok = await preflightAction(pd, 'cancel_operator', { region_id: 7 });
    expect(ok.safe).toBe(true);
    expect(ok.checks[0].detail).toBe(
      'region 7 runs balance-region {mv peer: store [1] to [4]} (kind region, step 1 of 3, started 12 s ago)'
    );
    expect(ok.summary).toMatch(/its 1 finished step stays done, the remaining 2 are not run/);
    const none = await preflightAction(pd, 'cancel_operator', { region_id: 8 });
    expect(none.safe).toBe(false);
    expect(none.checks[0].detail).toMatch(/no operator runs on region 8/);
  });
});

describe('pause_scheduler / resume_scheduler', () => {
  const schedulers = ['balance-leader-scheduler', 'balance-region-scheduler', 'evict-leader-scheduler'];

  it('refuses a scheduler PD does not run, listing the ones it does', async () => {
    const pf = await preflightAction(fakePd({ schedulers }), 'resume_scheduler', { name: 'balance-hot-region-scheduler' });
    expect(pf.safe).toBe(false);
    expect(pf.checks[0].detail).toBe(
      'PD runs no scheduler named balance-hot-region-scheduler (it runs: balance-leader-scheduler, balance-region-scheduler, evict-leader-scheduler)'
    );
  });

  it('warns when balance-leader is paused during a store removal or a leader eviction, and not otherwise', async () => {
    const quiet = await preflightAction(fakePd({ schedulers }), 'pause_scheduler', { name: 'balance-leader-scheduler', delay: 60 });
    expect(quiet.checks.some((c) => c.warning)).toBe(false);

    const draining = await preflightAction(fakePd({ schedulers, removing: [2], evicting: [4] }), 'pause_scheduler', {
      name: 'balance-leader-scheduler',
      delay: 60,
    });
    expect(draining.safe).toBe(true);
    const w = draining.checks.find((c) => c.name === 'drain_in_progress')!;
    expect(w.warning).toBe(true);
    expect(w.detail).toMatch(/store 2 being removed; store 4 having leaders evicted/);

    // Another scheduler paused during a drain: no warning (only balance-leader spreads the moved leaders).
    const other = await preflightAction(fakePd({ schedulers, removing: [2] }), 'pause_scheduler', {
      name: 'balance-region-scheduler',
      delay: 60,
    });
    expect(other.checks.some((c) => c.warning)).toBe(false);
  });

  it('says when a pause replaces one, and that resuming an unpaused scheduler changes nothing', async () => {
    const paused = [{ name: 'balance-region-scheduler', paused_at: NOW - 1000, resume_at: NOW + 59_000 }];
    const again = await preflightAction(fakePd({ schedulers, paused }), 'pause_scheduler', {
      name: 'balance-region-scheduler',
      delay: 600,
    });
    expect(again.checks[1].detail).toMatch(/already paused until 2026-12-06T03:00:59.000Z; the new delay replaces it/);
    expect(again.current).toEqual({ paused: true, resume_at: NOW + 59_000 });
    const resume = await preflightAction(fakePd({ schedulers }), 'resume_scheduler', { name: 'balance-leader-scheduler' });
    expect(resume.safe).toBe(true);
    expect(resume.checks[1].detail).toMatch(/not paused: resuming changes nothing/);
  });

  it('rejects a bad name or delay before reading PD', async () => {
    const pd = fakePd({ schedulers });
    await expect(preflightAction(pd, 'pause_scheduler', { name: 'Balance Leader', delay: 60 })).rejects.toMatchObject({
      field: 'name',
    });
    await expect(preflightAction(pd, 'pause_scheduler', { name: 'balance-leader-scheduler', delay: 1.5 })).rejects.toMatchObject({
      field: 'delay',
    });
  });
});

test('drainWarning is undefined without drains', () => {
  expect(drainWarning({ removing: [], evicting: [] })).toBeUndefined();
});
