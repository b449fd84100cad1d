/**
 * Each action against the simulator's PD over HTTP: the preflight (safe and unsafe), the execution, and the effect
 * PD then shows; PD's own refusals in words.
 */
import { ActionRefusedError, ActionUnsafeError, BadQueryError } from '../../../src/shared/errors';
import { executeAction, explainPdError, preflightAction } from '../../../src/subject/tikv/actions';
import { type Harness, regionWithOutsider, startHarness, until } from './harness';

const ctx = { caller: 'alice' };

async function refusal(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal');
}

const failed = (pf: { checks: Array<{ name: string; ok: boolean }> }) =>
  pf.checks.filter((c) => !c.ok).map((c) => c.name);

describe('transfer_leader', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ stores: 4 });
  });
  afterAll(() => h.close());

  test('to a store holding a voter: safe, executed, and the leader moved', async () => {
    const r = await regionWithOutsider(h.pd, 4);
    const params = { region_id: r.region_id, to_store_id: r.follower };
    const pf = await preflightAction(h.pd, 'transfer_leader', params);
    expect(pf).toMatchObject({ safe: true, current: { leader_store_id: r.leader } });
    expect(pf.summary).toBe(
      `PD would create a transfer-leader operator moving the leader of region ${r.region_id} from store ${r.leader} to store ${r.follower}`
    );
    const result = await executeAction(h.pd, 'transfer_leader', params, ctx);
    expect(result.pdAnswer).toBe('The operator is created.');
    expect(result.effect).toEqual({ leader_store_id: r.follower });
    expect((await h.pd.getRegion(r.region_id)).data.leader.store_id).toBe(r.follower);
  });

  test('to a store without a voter of the region: unsafe, refused, nothing moves', async () => {
    const r = await regionWithOutsider(h.pd, 4);
    const params = { region_id: r.region_id, to_store_id: r.outsider };
    const pf = await preflightAction(h.pd, 'transfer_leader', params);
    expect(pf.safe).toBe(false);
    expect(failed(pf)).toEqual(['target_holds_voter']);
    const err = await refusal(executeAction(h.pd, 'transfer_leader', params, ctx));
    expect(err).toBeInstanceOf(ActionUnsafeError);
    expect((err as ActionUnsafeError).message).toMatch(
      new RegExp(`store ${r.outsider} holds no voter peer of region ${r.region_id}`)
    );
    expect((await h.pd.getRegion(r.region_id)).data.leader.store_id).toBe(r.leader);
  });

  test('to the store that already leads, to a missing region: unsafe, each saying why', async () => {
    const r = await regionWithOutsider(h.pd, 4);
    const same = await preflightAction(h.pd, 'transfer_leader', { region_id: r.region_id, to_store_id: r.leader });
    expect(failed(same)).toEqual(['not_already_leader']);
    const missing = await preflightAction(h.pd, 'transfer_leader', { region_id: 999_999, to_store_id: 1 });
    expect(failed(missing)).toEqual(['region_exists']);
    expect(missing.summary).toMatch(/region 999999 .*does not exist/);
  });

  test('to a Disconnected store: unsafe (the target must be Up)', async () => {
    const r = await regionWithOutsider(h.pd, 4);
    h.sim.stopStore(r.follower, { secondsAgo: 30 });
    try {
      const pf = await preflightAction(h.pd, 'transfer_leader', { region_id: r.region_id, to_store_id: r.follower });
      expect(failed(pf)).toEqual(['target_is_up']);
      expect(pf.checks.find((c) => c.name === 'target_is_up')?.detail).toBe(`store ${r.follower} is Disconnected`);
    } finally {
      h.sim.startStore(r.follower);
    }
  });

  test("PD's own refusal (no voter in the store) comes back in words", async () => {
    const r = await regionWithOutsider(h.pd, 4);
    const err = explainPdError(
      'transfer_leader',
      await refusal(h.pd.createOperator({ name: 'transfer-leader', region_id: r.region_id, to_store_id: r.outsider }))
    );
    expect(err).toBeInstanceOf(ActionRefusedError);
    expect((err as ActionRefusedError).message).toMatch(
      new RegExp(
        `store ${r.outsider} holds no voter peer of the region; PD only transfers a leader to a store that already has a voter`
      )
    );
    expect((err as ActionRefusedError).pdMessage).toBe(`region has no voter in store ${r.outsider}`);
  });
});

describe('split_region', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ stores: 3 });
  });
  afterAll(() => h.close());

  test('approximate: safe, executed, and the region now starts at a new key (the left part is a new region)', async () => {
    const before = (await h.pd.getRegion(1009)).data;
    const pf = await preflightAction(h.pd, 'split_region', { region_id: 1009, policy: 'approximate' });
    expect(pf.safe).toBe(true);
    expect(pf.summary).toMatch(/split-region operator splitting region 1009 .* in two at the middle key/);
    const result = await executeAction(h.pd, 'split_region', { region_id: 1009, policy: 'approximate' }, ctx);
    expect(result.pdAnswer).toBe('The operator is created.');
    const after = (await h.pd.getRegion(1009)).data;
    expect(after.start_key > before.start_key).toBe(true);
    expect(after.end_key).toBe(before.end_key);
    expect(after.epoch.version).toBeGreaterThan(before.epoch.version);
    expect(result.effect).toEqual({ start_key: after.start_key, end_key: after.end_key, version: after.epoch.version });
  });

  test('usekey inside the range: split exactly there', async () => {
    const before = (await h.pd.getRegion(1017)).data;
    const key = `${before.start_key}01`;
    const pf = await preflightAction(h.pd, 'split_region', {
      region_id: 1017,
      policy: 'usekey',
      keys: [key.toLowerCase()],
    });
    expect(pf.safe).toBe(true);
    await executeAction(h.pd, 'split_region', { region_id: 1017, policy: 'usekey', keys: [key] }, ctx);
    expect((await h.pd.getRegion(1017)).data.start_key).toBe(key);
  });

  test('usekey outside the range or not whole bytes: unsafe, nothing split', async () => {
    const before = (await h.pd.getRegion(1025)).data;
    const pf = await preflightAction(h.pd, 'split_region', {
      region_id: 1025,
      policy: 'usekey',
      keys: [before.start_key, 'FFFF', 'ABC'],
    });
    expect(failed(pf)).toEqual(['keys_are_whole_bytes', 'keys_inside_region']);
    expect(pf.checks.find((c) => c.name === 'keys_inside_region')?.detail).toMatch(
      /keys not strictly inside region 1025 .*FFFF/
    );
    await expect(
      executeAction(h.pd, 'split_region', { region_id: 1025, policy: 'usekey', keys: ['FFFF'] }, ctx)
    ).rejects.toBeInstanceOf(ActionUnsafeError);
    expect((await h.pd.getRegion(1025)).data.epoch.version).toBe(before.epoch.version);
  });

  test('bad parameters name the field', async () => {
    const e1 = await refusal(preflightAction(h.pd, 'split_region', { region_id: 1025, policy: 'scan', keys: ['AA'] }));
    expect(e1).toBeInstanceOf(BadQueryError);
    expect((e1 as BadQueryError).field).toBe('keys');
    const e2 = await refusal(
      preflightAction(h.pd, 'split_region', { region_id: 1025, policy: 'usekey', keys: ['zz'] })
    );
    expect((e2 as BadQueryError).field).toBe('keys[0]');
    const e3 = await refusal(preflightAction(h.pd, 'split_region', { region_id: -1, policy: 'scan' }));
    expect((e3 as BadQueryError).field).toBe('region_id');
  });
});

describe('schedule limits and low-space-ratio', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ stores: 3 });
  });
  afterAll(() => h.close());

  test('each limit: the current value next to the new one, then the config changed', async () => {
    const cases = [
      ['set_leader_schedule_limit', 'leader-schedule-limit', 8],
      ['set_region_schedule_limit', 'region-schedule-limit', 1024],
      ['set_replica_schedule_limit', 'replica-schedule-limit', 32],
    ] as const;
    for (const [action, key, value] of cases) {
      const now = (await h.pd.getScheduleConfig()).data[key];
      const pf = await preflightAction(h.pd, action, { [key]: value });
      expect(pf).toMatchObject({ safe: true, current: { [key]: now } });
      expect(pf.summary).toContain(`${key} would change from ${now} to ${value}`);
      const result = await executeAction(h.pd, action, { [key]: value }, ctx);
      expect(result).toMatchObject({ pdAnswer: 'The config is updated.', effect: { [key]: value } });
      expect((await h.pd.getScheduleConfig()).data[key]).toBe(value);
    }
  });

  test('a limit of 0 says it stops that scheduling; a negative one names the field', async () => {
    const pf = await preflightAction(h.pd, 'set_leader_schedule_limit', { 'leader-schedule-limit': 0 });
    expect(pf.summary).toMatch(/0 stops PD from scheduling leader transfers/);
    const err = await refusal(preflightAction(h.pd, 'set_leader_schedule_limit', { 'leader-schedule-limit': -1 }));
    expect((err as BadQueryError).field).toBe('leader-schedule-limit');
  });

  test('low-space-ratio equal to high-space-ratio: unsafe, refused, config unchanged', async () => {
    const pf = await preflightAction(h.pd, 'set_low_space_threshold', { 'low-space-ratio': 0.7 });
    expect(pf).toMatchObject({ safe: false, current: { 'low-space-ratio': 0.8, 'high-space-ratio': 0.7 } });
    expect(failed(pf)).toEqual(['above_high_space_ratio']);
    await expect(executeAction(h.pd, 'set_low_space_threshold', { 'low-space-ratio': 0.7 }, ctx)).rejects.toThrow(
      /not above high-space-ratio 0.7; PD requires high-space-ratio < low-space-ratio/
    );
    expect((await h.pd.getScheduleConfig()).data['low-space-ratio']).toBe(0.8);
  });

  test('low-space-ratio above high-space-ratio: safe and set', async () => {
    const pf = await preflightAction(h.pd, 'set_low_space_threshold', { 'low-space-ratio': 0.85 });
    expect(pf.safe).toBe(true);
    expect(pf.summary).toMatch(/from 0.8 to 0.85/);
    const result = await executeAction(h.pd, 'set_low_space_threshold', { 'low-space-ratio': 0.85 }, ctx);
    expect(result.effect).toEqual({ 'low-space-ratio': 0.85 });
    expect((await h.pd.getScheduleConfig()).data['low-space-ratio']).toBe(0.85);
  });

  test("PD's config validation comes back in words; a ratio above 1 names the field", async () => {
    const err = explainPdError('set_low_space_threshold', await refusal(h.pd.updateConfig({ 'low-space-ratio': 0.7 })));
    expect(err).toBeInstanceOf(ActionRefusedError);
    expect((err as Error).message).toMatch(/low-space-ratio must be strictly greater than high-space-ratio/);
    const bad = await refusal(preflightAction(h.pd, 'set_low_space_threshold', { 'low-space-ratio': 1.5 }));
    expect((bad as BadQueryError).field).toBe('low-space-ratio');
  });
});

describe('drain_store', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ stores: 4, evictMs: 300, drainMs: 600_000 });
  });
  afterAll(() => h.close());

  test('leaders: the evict-leader scheduler appears and the leaders leave; undo removes it', async () => {
    const pf = await preflightAction(h.pd, 'drain_store', { store_id: 2, mode: 'leaders' });
    expect(pf).toMatchObject({ safe: true, current: { evict_leader_scheduler: false } });
    const result = await executeAction(h.pd, 'drain_store', { store_id: 2, mode: 'leaders' }, ctx);
    expect(result.effect).toMatchObject({ evict_leader_scheduler: true });
    expect((await h.pd.getSchedulers()).data).toContain('evict-leader-scheduler');
    await until('leaders of store 2 to leave', async () =>
      (await h.pd.getStore(2)).data.status.leader_count === 0 ? true : undefined
    );

    // The scheduler runs, but for store 2 only: undoing store 3 is refused before PD is asked.
    const other = await preflightAction(h.pd, 'drain_store', { store_id: 3, mode: 'undo_leaders' });
    expect(failed(other)).toEqual(['store_in_evict_list']);
    expect(other.checks.find((c) => c.name === 'store_in_evict_list')?.detail).toBe(
      'store 3 is not in the evict-leader-scheduler list (it evicts from store 2): there is nothing to undo for it'
    );
    await expect(executeAction(h.pd, 'drain_store', { store_id: 3, mode: 'undo_leaders' }, ctx)).rejects.toThrow(
      /store 3 is not in the evict-leader-scheduler list/
    );
    expect((await h.pd.getEvictLeaderStores()).data).toEqual([2]);

    const pfUndo = await preflightAction(h.pd, 'drain_store', { store_id: 2, mode: 'undo_leaders' });
    expect(pfUndo).toMatchObject({ safe: true, current: { evict_leader_scheduler: true, evict_leader_stores: [2] } });
    const undo = await executeAction(h.pd, 'drain_store', { store_id: 2, mode: 'undo_leaders' }, ctx);
    expect(undo.effect).toMatchObject({ evict_leader_scheduler: false });
    expect((await h.pd.getSchedulers()).data).not.toContain('evict-leader-scheduler');
    const again = await preflightAction(h.pd, 'drain_store', { store_id: 2, mode: 'undo_leaders' });
    expect(failed(again)).toEqual(['evict_leader_running']);
  });

  test('undo_leaders when the scheduler goes between two reads: refused by the preflight, not an error', async () => {
    await executeAction(h.pd, 'drain_store', { store_id: 1, mode: 'leaders' }, ctx);
    // Someone else removes the scheduler right after /schedulers said it runs: its config is then a 404.
    const racing = Object.create(h.pd, {
      getEvictLeaderStores: {
        value: async () => {
          await h.pd.removeScheduler('evict-leader-scheduler', { callerId: 'bob' });
          return h.pd.getEvictLeaderStores();
        },
      },
    });
    const pf = await preflightAction(racing, 'drain_store', { store_id: 1, mode: 'undo_leaders' });
    expect(failed(pf)).toEqual(['store_in_evict_list']);
    expect(pf.current).toMatchObject({ evict_leader_scheduler: true, evict_leader_stores: [] });
  });

  test('store: Offline after execute, back to Up after undo_store', async () => {
    const pf = await preflightAction(h.pd, 'drain_store', { store_id: 3, mode: 'store' });
    expect(pf).toMatchObject({ safe: true, current: { up_stores_after: 3, 'max-replicas': 3 } });
    const result = await executeAction(h.pd, 'drain_store', { store_id: 3, mode: 'store' }, ctx);
    expect(result.pdAnswer).toBe('The store is set as Offline.');
    expect(result.effect).toMatchObject({ state_name: 'Offline' });
    expect((await h.pd.getStore(3)).data.store.state_name).toBe('Offline');

    // A second store now would leave 2 Up stores for 3 replicas.
    const second = await preflightAction(h.pd, 'drain_store', { store_id: 1, mode: 'store' });
    expect(failed(second)).toEqual(['replicas_stay_complete']);
    expect(second.checks.find((c) => c.name === 'replicas_stay_complete')?.detail).toMatch(
      /the number of Up stores would drop below max-replicas 3 \(2 would remain\): regions would be under-replicated/
    );

    const undo = await executeAction(h.pd, 'drain_store', { store_id: 3, mode: 'undo_store' }, ctx);
    expect(undo.effect).toMatchObject({ state_name: 'Up' });
    expect((await h.pd.getStore(3)).data.store.state_name).toBe('Up');
    const nothing = await preflightAction(h.pd, 'drain_store', { store_id: 3, mode: 'undo_store' });
    expect(nothing.checks.find((c) => c.name === 'store_is_offline')?.detail).toBe(
      'store 3 is Up, not being drained: there is nothing to undo'
    );
  });

  test('store with another store Disconnected: unsafe, though PD itself would still accept', async () => {
    h.sim.stopStore(4, { secondsAgo: 30 });
    try {
      const pf = await preflightAction(h.pd, 'drain_store', { store_id: 1, mode: 'store' });
      expect(failed(pf)).toEqual(['replicas_stay_complete']);
    } finally {
      h.sim.startStore(4);
    }
  });

  test('an unknown store: unsafe, saying so', async () => {
    const pf = await preflightAction(h.pd, 'drain_store', { store_id: 99, mode: 'leaders' });
    expect(pf.checks).toEqual([{ name: 'store_exists', ok: false, detail: 'store 99 not found in PD' }]);
  });
});

describe('drain_store on 3 stores with 3 replicas', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ stores: 3 });
  });
  afterAll(() => h.close());

  test("the preflight explains PD's refusal, and PD's own refusal reads the same", async () => {
    const pf = await preflightAction(h.pd, 'drain_store', { store_id: 1, mode: 'store' });
    expect(pf.safe).toBe(false);
    await expect(executeAction(h.pd, 'drain_store', { store_id: 1, mode: 'store' }, ctx)).rejects.toThrow(
      /the number of Up stores would drop below max-replicas 3 \(2 would remain\)/
    );
    expect((await h.pd.getStore(1)).data.store.state_name).toBe('Up');

    const err = explainPdError('drain_store', await refusal(h.pd.deleteStore(1)));
    expect(err).toBeInstanceOf(ActionRefusedError);
    expect((err as Error).message).toMatch(
      /removing store 1 would leave 2 Up stores: the number of Up stores would drop below max-replicas 3, so regions would be under-replicated/
    );
    expect((err as ActionRefusedError).pdMessage).toMatch(/^\[PD:core:ErrStoresNotEnough\]/);
  });
});
