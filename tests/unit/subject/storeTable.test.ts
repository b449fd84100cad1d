/**
 * The get_stores table reads PD's checked `/stores` answer in one pass, filling in PD's omitted fields itself; every
 * row of it must equal `storeRow` over the normalized StoreInfo (the row cluster metrics and forecasts use), on
 * answers PD could write: omitted zero fields, labels without a value, partial statuses, TiFlash stores, an id
 * listed twice, sizes and uptimes in go-units and Go duration text.
 */
import fc from 'fast-check';
import type { z } from 'zod';

import { bytesSize, goDuration } from '../../../src/simulator/format';
import { parseChecked } from '../../../src/subject/http/compiledSchema';
import { StoresChecked, StoresInfo } from '../../../src/subject/pd/schema';
import { storeRow } from '../../../src/subject/tikv/observations/stores';
import { storeTable, tableRows } from '../../../src/subject/tikv/observations/storeTable';

const PD_NOW = 1_765_000_000_000;

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const label = fc.record(
  {
    key: fc.constantFrom('zone', 'host', 'engine', 'disk'),
    value: fc.constantFrom('z1', 'z2', 'tikv-1', 'tiflash', 'tiflash_compute', 'ssd', ''),
  },
  { requiredKeys: [] }
);

const store = fc.record(
  {
    id: fc.integer({ min: 1, max: 40 }),
    address: fc.constantFrom('10.0.1.1:20160', 'tikv-2:20160'),
    state: fc.constantFrom(0, 1, 2),
    labels: fc.oneof(fc.constant(null), fc.array(label, { maxLength: 3 })),
    version: fc.constantFrom('8.5.1', '7.5.0'),
    status_address: fc.constantFrom('10.0.1.1:20180', 'tikv-2:20180'),
    start_timestamp: fc.integer({ min: 1_700_000_000, max: 1_765_000_000 }),
    last_heartbeat: fc.integer({ min: 1_764_990_000, max: 1_765_000_000 }).map((s) => s * 1e9 + 123_456_789),
    node_state: fc.constantFrom(0, 1, 2, 3),
    state_name: fc.constantFrom('Up', 'Disconnected', 'Down', 'Offline', 'Tombstone'),
  },
  { requiredKeys: ['id', 'address', 'state_name'] }
);

const status = fc.record(
  {
    capacity: fc.integer({ min: 0, max: 8 * 1024 ** 4 }).map(bytesSize),
    available: fc.integer({ min: 0, max: 8 * 1024 ** 4 }).map(bytesSize),
    used_size: fc.integer({ min: 0, max: 8 * 1024 ** 4 }).map(bytesSize),
    leader_count: fc.nat(5000),
    leader_weight: fc.constantFrom(0.5, 1, 2),
    leader_score: fc.double({ min: 0, max: 1e6, noNaN: true }),
    leader_size: fc.nat(1e6),
    region_count: fc.nat(50000),
    region_weight: fc.constantFrom(0.5, 1, 2),
    region_score: fc.double({ min: 0, max: 1e6, noNaN: true }),
    region_size: fc.nat(1e6),
    slow_score: fc.integer({ min: 1, max: 100 }),
    uptime: fc.bigInt({ min: BigInt(0), max: BigInt(1e15) }).map(goDuration),
  },
  { requiredKeys: [] }
);

const answer = fc.array(fc.record({ store, status: maybe(status) }, { requiredKeys: ['store'] }), { maxLength: 12 });

/** Through the compiled checks, as the PD client reads it. */
function read<S extends typeof StoresChecked | typeof StoresInfo>(schema: S, stores: unknown[]): z.output<S> {
  const r = parseChecked(schema, JSON.parse(JSON.stringify({ count: stores.length, stores })));
  if (!r.success) {
    throw new Error(`generated answer refused: ${r.error.message}`);
  }
  return r.data as z.output<S>;
}

describe('the get_stores table', () => {
  it('equals storeRow over the normalized stores, row by row, sorted by store_id', () => {
    fc.assert(
      fc.property(answer, fc.boolean(), (stores, includeTiFlash) => {
        const table = storeTable(read(StoresChecked, stores).stores ?? [], PD_NOW, { includeTiFlash });
        const expected = read(StoresInfo, stores)
          .stores.map((s) => storeRow(s, PD_NOW))
          .filter((r) => includeTiFlash || r.engine !== 'tiflash')
          .sort((a, b) => a.store_id - b.store_id);
        expect(table.length).toBe(expected.length);
        expect(tableRows(table)).toEqual(expected);
      }),
      { numRuns: 300 }
    );
  });

  it('keeps a label PD sent without a value as an empty one, without copying complete labels', () => {
    const labels = [{ key: 'zone', value: 'z1' }];
    const t = storeTable(
      [
        { store: { id: 2, address: 'a:1', state_name: 'Up', labels } },
        { store: { id: 1, address: 'b:1', state_name: 'Up', labels: [{ key: 'disk' }] } },
      ],
      PD_NOW,
      { includeTiFlash: true }
    );
    expect(t.store_id).toEqual([1, 2]);
    expect(t.labels[0]).toEqual([{ key: 'disk', value: '' }]);
    expect(t.labels[1]).toBe(labels);
  });
});
