import { readFileSync } from 'node:fs';
import path from 'node:path';

import fc from 'fast-check';

import { parseChecked } from '../../../src/subject/http/compiledSchema';
import { StoreInfo, StoresInfo } from '../../../src/subject/pd/schema';

const fixture = (name: string): any =>
  JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/pd', `${name}.json`), 'utf8'));

const STORE_FIELDS = [
  'id',
  'address',
  'state',
  'labels',
  'version',
  'peer_address',
  'status_address',
  'git_hash',
  'start_timestamp',
  'deploy_path',
  'last_heartbeat',
  'physically_destroyed',
  'node_state',
  'state_name',
  'unknown_field',
];
const STATUS_FIELDS = [
  'capacity',
  'available',
  'used_size',
  'leader_count',
  'leader_weight',
  'leader_score',
  'leader_size',
  'region_count',
  'region_weight',
  'region_score',
  'region_size',
  'learner_count',
  'witness_count',
  'pending_peer_count',
  'slow_score',
  'sending_snap_count',
  'receiving_snap_count',
  'slow_trend',
  'is_busy',
  'start_ts',
  'last_heartbeat_ts',
  'uptime',
  'network_slow_score',
  'pause_leader_transfer_in',
  'pause_leader_transfer_out',
  'unknown_field',
];
/** Values PD could plausibly send in any field, right or wrong for it. */
const VALUE = fc.constantFrom<unknown>(
  undefined,
  null,
  0,
  1,
  3,
  -1,
  2.5,
  1e20,
  9007199254740993,
  '',
  'Up',
  'Down',
  'Gone',
  '300GiB',
  '1.819TiB',
  '300 GB',
  '0B',
  '74h0m8.5s',
  '30m',
  '1800',
  '2025-06-10T08:29:56.812345678Z',
  '2025-06-10 08:29:56',
  '1749541961204518733',
  '12x',
  true,
  false,
  [],
  [{ key: 'zone', value: 'z1' }],
  [{ key: 1 }],
  {},
  { '4': 1.5 },
  { x: 1 },
  { cause_value: 1 }
);

/** The stores fixture with a few fields of a few stores replaced (or removed, for undefined). */
const mutatedStores = fc
  .array(
    fc.record({
      store: fc.nat(),
      part: fc.constantFrom('store', 'status'),
      field: fc.nat(),
      value: VALUE,
    }),
    { maxLength: 3 }
  )
  .map((edits) => {
    const value = fixture('stores');
    for (const e of edits) {
      const info = value.stores[e.store % value.stores.length];
      const fields = e.part === 'store' ? STORE_FIELDS : STATUS_FIELDS;
      const key = fields[e.field % fields.length];
      if (e.value === undefined) {
        delete info[e.part][key];
      } else {
        info[e.part][key] = e.value;
      }
    }
    return value;
  });

describe('compiledSchema: ajv compiled from the zod check, zod for the errors', () => {
  it('gives what zod gives, accepted or refused, for PD answers with any field wrong or missing', () => {
    fc.assert(
      fc.property(mutatedStores, (value) => {
        const ref = StoresInfo.safeParse(JSON.parse(JSON.stringify(value)));
        const fast = parseChecked(StoresInfo, value);
        expect(fast.success).toBe(ref.success);
        if (ref.success) {
          expect(fast.data).toEqual(ref.data);
        } else {
          expect(fast.error!.issues[0]).toEqual(ref.error.issues[0]);
        }
      }),
      { numRuns: 400 }
    );
  });

  it('takes the compiled path for a well-formed answer and asks zod only for a refused one', () => {
    const zod = jest.spyOn(StoresInfo, 'safeParse');
    try {
      expect(parseChecked(StoresInfo, fixture('stores')).success).toBe(true);
      expect(zod).not.toHaveBeenCalled();
      const bad = fixture('stores');
      bad.stores[1].status.capacity = '300 GB';
      const r = parseChecked(StoresInfo, bad);
      expect(zod).toHaveBeenCalledTimes(1);
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]).toMatchObject({
        path: ['stores', 1, 'status', 'capacity'],
        message: 'not a PD byte size (e.g. "1.819TiB"): "300 GB"',
      });
    } finally {
      zod.mockRestore();
    }
  });

  it('drops fields the schema does not know, as zod does', () => {
    const value = fixture('store_5');
    value.store.extra = 'x';
    value.status.extra = 1;
    const r = parseChecked(StoreInfo, value);
    expect(r.success).toBe(true);
    expect(r.data!.store).not.toHaveProperty('extra');
    expect(r.data!.status).not.toHaveProperty('extra');
  });
});
