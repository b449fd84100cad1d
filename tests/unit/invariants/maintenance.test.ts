/**
 * Maintenance-aware store_down (DESIGN.md "maintenance"): a store PD is removing, one an evict-leader scheduler
 * covers, or one carrying MAINTENANCE_STORE_LABEL is still reported when it stops heartbeating, with
 * `maintenance: true` and the invariant's own severity; any other store's violation says `maintenance: false`.
 */
import { LiveChecker, type LiveStore } from '../../../src/subject/tikv/invariants/live';
import { liveStore } from '../../support/liveStore';

const T0 = Date.UTC(2026, 11, 6, 3, 0, 0);
const S = 1000;

// Stopped 60 s ago: past the 20 s heartbeat timeout.
const store = (id: number, over: Partial<LiveStore> = {}) =>
  liveStore(id, T0 - 60 * S, { labels: [{ key: 'zone', value: 'z1' }], ...over });

const down = (c: LiveChecker, stores: LiveStore[], evictLeaderStoreIds?: number[]) =>
  c
    .tick({ pdNow: T0, stores, evictLeaderStoreIds }, T0)
    .filter((v) => v.invariant === 'store_down')
    .map((v) => ({ store_id: v.store_id, severity: v.severity, maintenance: v.maintenance }));

describe('store_down in maintenance', () => {
  it('an ordinary stopped store is critical, not in maintenance', () => {
    expect(down(new LiveChecker(), [store(1)])).toEqual([{ store_id: 1, severity: 'critical', maintenance: false }]);
  });

  it('a store PD is removing (Offline, node_state Removing) is reported in maintenance, still critical', () => {
    expect(down(new LiveChecker(), [store(1, { state_name: 'Offline', node_state: 2 }), store(2)])).toEqual([
      { store_id: 1, severity: 'critical', maintenance: true },
      { store_id: 2, severity: 'critical', maintenance: false },
    ]);
    // node_state alone (PD 7's word for it) is enough.
    expect(down(new LiveChecker(), [store(3, { node_state: 2 })])).toEqual([
      { store_id: 3, severity: 'critical', maintenance: true },
    ]);
  });

  it('a store an evict-leader scheduler covers is in maintenance; a failed list keeps the last one', () => {
    const c = new LiveChecker();
    expect(down(c, [store(1), store(2)], [2])).toEqual([
      { store_id: 1, severity: 'critical', maintenance: false },
      { store_id: 2, severity: 'critical', maintenance: true },
    ]);
    // PD failed to list the schedulers this tick (undefined): store 2 stays in maintenance.
    expect(down(c, [store(1), store(2)], undefined).find((v) => v.store_id === 2)?.maintenance).toBe(true);
    // The scheduler was removed: an empty list ends the maintenance.
    expect(down(c, [store(1), store(2)], []).find((v) => v.store_id === 2)?.maintenance).toBe(false);
  });

  it('a store carrying MAINTENANCE_STORE_LABEL is in maintenance; another value of the key is not', () => {
    const c = new LiveChecker({ maintenanceLabel: { key: 'maintenance', value: 'true' } });
    const labelled = (value: string) => [
      { key: 'zone', value: 'z1' },
      { key: 'maintenance', value },
    ];
    expect(down(c, [store(1, { labels: labelled('true') }), store(2, { labels: labelled('false') })])).toEqual([
      { store_id: 1, severity: 'critical', maintenance: true },
      { store_id: 2, severity: 'critical', maintenance: false },
    ]);
    // Without the setting, labels mean nothing.
    expect(down(new LiveChecker(), [store(1, { labels: labelled('true') })])[0].maintenance).toBe(false);
  });
});
