import { mergeLiveStoreDown } from '../../../src/server/routes/query';
import type { Violation } from '../../../src/shared/schema/violation';

const v = (o: Partial<Violation>): Violation => ({
  store_id: 1,
  address: 'tikv-1:20160',
  invariant: 'store_down',
  severity: 'critical',
  first_seen: 1000,
  last_seen: 2000,
  active: true,
  value: 0,
  threshold: 0,
  ...o,
});

describe('an invariant range that reaches now', () => {
  test("PD's live store_down replaces the replayed active one and keeps the earlier onset", () => {
    const replayed = v({ first_seen: 1000, last_seen: 5000 });
    const live = v({ first_seen: 3000, last_seen: 6000, value: 35, threshold: 20 });
    expect(mergeLiveStoreDown([replayed], [live])).toEqual([{ ...live, first_seen: 1000 }]);
  });

  test('a live store_down without a replayed one is added; past episodes and other invariants stay', () => {
    const past = v({ active: false, first_seen: 100, last_seen: 200 });
    const disk = v({ invariant: 'low_disk', severity: 'warning', store_id: 2, value: 0.8, threshold: 0.7 });
    const live = v({ store_id: 3, first_seen: 4000, value: 25, threshold: 20 });
    expect(mergeLiveStoreDown([past, disk], [live])).toEqual([past, disk, live]);
  });

  test('a replayed active store_down that PD does not confirm stays as replayed', () => {
    const replayed = v({ store_id: 2 });
    expect(mergeLiveStoreDown([replayed], [])).toEqual([replayed]);
  });
});
