import { ACTIONS } from '../../../src/shared/names';
import { actionTarget } from '../../../src/subject/tikv/actions';

describe('actionTarget: what an action changes, the key conflicting actions are serialized on', () => {
  it('gives a region operator and its cancel one key, and a scheduler its pause and resume', () => {
    expect(actionTarget('cancel_operator', { region_id: 7 })).toBe('region 7');
    expect(actionTarget('transfer_leader', { region_id: 7, to_store_id: 2 })).toBe('region 7');
    expect(actionTarget('cancel_operator', { region_id: 8 })).not.toBe(
      actionTarget('cancel_operator', { region_id: 7 })
    );
    const pause = actionTarget('pause_scheduler', { name: 'balance-leader-scheduler', delay: 60 });
    expect(pause).toBe('scheduler balance-leader-scheduler');
    expect(actionTarget('resume_scheduler', { name: 'balance-leader-scheduler' })).toBe(pause);
    expect(actionTarget('resume_scheduler', { name: 'balance-region-scheduler' })).not.toBe(pause);
  });

  it('names the object every action changes, with its id or name', () => {
    const targets = ACTIONS.map((action) => actionTarget(action, { region_id: 41, store_id: 42, name: 'x' } as never));
    for (const target of targets) {
      expect(target).toMatch(/^(region 41|store 42|scheduler x|config [a-z-]+)$/);
    }
    // The three schedule limits and the low-space ratio are different PD settings: none waits for another.
    const configs = targets.filter((t) => t.startsWith('config '));
    expect(new Set(configs).size).toBe(configs.length);
  });
});
