import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { z } from 'zod';

import { fieldPath } from '../../../src/shared/fieldPath';
import { parseJsonBig } from '../../../src/subject/pd/parse';
import {
  Members,
  RegionInfo,
  RegionsInfo,
  ReplicationConfig,
  ScheduleConfig,
  StoreInfo,
  StoresInfo,
} from '../../../src/subject/pd/schema';

const GiB = 1024 ** 3;
const fixture = (name: string) =>
  parseJsonBig(readFileSync(path.join(__dirname, '../../fixtures/pd', `${name}.json`), 'utf8'));

/** The first issue of a failed parse as `field: message`. */
function firstIssue(schema: z.ZodType, value: unknown): string {
  const r = schema.safeParse(value);
  if (r.success) {
    throw new Error('expected the parse to fail');
  }
  return `${fieldPath(r.error.issues[0].path)}: ${r.error.issues[0].message}`;
}

describe('PD quirks normalized by the schemas', () => {
  it('fills omitted zero fields of a protobuf store (state Up, node_state Preparing, no labels, no heartbeat)', () => {
    const info = StoreInfo.parse({
      store: { id: 7, address: '10.0.1.30:20160', state_name: 'Up' },
      status: { capacity: '0B', available: '0B', used_size: '0B', leader_count: 0, region_count: 0 },
    });
    expect(info.store).toMatchObject({
      state: 0,
      node_state: 0,
      labels: [],
      version: '',
      status_address: '',
      start_timestamp: 0,
      physically_destroyed: false,
      last_heartbeat: 0,
      last_heartbeat_ms: undefined,
      start_ms: undefined,
    });
    expect(info.status).toMatchObject({
      capacity: 0,
      slow_score: 0,
      is_busy: false,
      uptime: 0,
    });
    expect(info.status.start_ts).toBeUndefined();
  });

  it('keeps integer enums of an Offline and a Tombstone store', () => {
    const offline = StoreInfo.parse({
      store: { id: 4, address: 'a:1', state: 1, node_state: 2, state_name: 'Offline' },
      status: { capacity: '1GiB', available: '1GiB', used_size: '0B', leader_count: 0, region_count: 3 },
    });
    expect([offline.store.state, offline.store.node_state, offline.store.state_name]).toEqual([1, 2, 'Offline']);
    const tombstone = StoreInfo.parse({
      store: { id: 9, address: 'a:1', state: 2, node_state: 3, state_name: 'Tombstone', physically_destroyed: true },
      status: { capacity: '0B', available: '0B', used_size: '0B', leader_count: 0, region_count: 0 },
    });
    expect([tombstone.store.state, tombstone.store.node_state, tombstone.store.physically_destroyed]).toEqual([
      2,
      3,
      true,
    ]);
  });

  it('refuses an unknown state integer or state word, naming the field', () => {
    const status = { capacity: '0B', available: '0B', used_size: '0B', leader_count: 0, region_count: 0 };
    expect(firstIssue(StoreInfo, { store: { id: 1, address: 'a:1', state: 5, state_name: 'Up' }, status })).toMatch(
      /^store\.state: /
    );
    expect(firstIssue(StoreInfo, { store: { id: 1, address: 'a:1', state_name: 'Gone' }, status })).toMatch(
      /^store\.state_name: /
    );
  });

  it('reads a nil list as empty (stores: null, regions: null)', () => {
    expect(StoresInfo.parse({ count: 0, stores: null }).stores).toEqual([]);
    expect(RegionsInfo.parse({ count: 1212, regions: null })).toEqual({ count: 1212, regions: [] });
  });

  it('reads a region without a known leader and a peer without a role', () => {
    const r = RegionInfo.parse({
      id: 3,
      start_key: '',
      end_key: '',
      peers: [{ id: 4, store_id: 1, role_name: 'Voter' }],
      leader: { role_name: '' },
    });
    expect(r.leader).toEqual({ id: 0, store_id: 0, role: 0, role_name: '', is_learner: false, is_witness: false });
    expect(r.peers[0].role).toBe(0);
    expect(r.epoch).toEqual({ conf_ver: 0, version: 0 });
    expect([r.down_peers, r.pending_peers, r.written_bytes, r.approximate_kv_size]).toEqual([[], [], 0, 0]);
  });

  it('refuses a uint64 id that already lost precision in JSON.parse, instead of passing it on', () => {
    const lossy = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/pd/members.json'), 'utf8'));
    expect(firstIssue(Members, lossy)).toMatch(/^header\.cluster_id: .*precision lost/);
  });

  it('refuses a store id beyond 2^53 instead of rounding it', () => {
    const text = readFileSync(path.join(__dirname, '../../fixtures/pd/store_5.json'), 'utf8').replace(
      '"id": 5',
      '"id": 9007199254740993'
    );
    expect(firstIssue(StoreInfo, parseJsonBig(text))).toMatch(/^store\.id: .*number/);
  });

  it('refuses a size string PD never writes, naming the field', () => {
    const value = fixture('stores') as { stores: Array<{ status: Record<string, unknown> }> };
    value.stores[1].status.capacity = '300 GB';
    expect(firstIssue(StoresInfo, value)).toBe(
      'stores[1].status.capacity: not a PD byte size (e.g. "1.819TiB"): "300 GB"'
    );
  });

  it('refuses a duration PD never writes, naming the field', () => {
    const value = fixture('config_schedule') as Record<string, unknown>;
    value['max-store-down-time'] = 1800;
    expect(firstIssue(ScheduleConfig, value)).toMatch(/^max-store-down-time: /);
  });

  it('reads string-typed config booleans and comma-joined label lists', () => {
    const c = ReplicationConfig.parse({
      'max-replicas': 3,
      'location-labels': 'zone,host',
      'strictly-match-label': 'false',
      'enable-placement-rules': 'true',
      'enable-placement-rules-cache': 'false',
      'isolation-level': '',
    });
    expect(c).toMatchObject({
      'max-replicas': 3,
      'location-labels': ['zone', 'host'],
      'enable-placement-rules': true,
      'strictly-match-label': false,
    });
    expect(ReplicationConfig.parse({ 'max-replicas': 3, 'location-labels': '' })['location-labels']).toEqual([]);
  });

  it('reads halt-scheduling as false when omitted and keeps unknown schedule keys', () => {
    const c = ScheduleConfig.parse(fixture('config_schedule'));
    expect(c['halt-scheduling']).toBe(false);
    expect(c['split-merge-interval']).toBe('1h0m0s');
  });

  it('reads store 4 of the fixture: 300 GiB volume, 82 GiB free', () => {
    const { stores } = StoresInfo.parse(fixture('stores'));
    expect(stores[1].status).toMatchObject({ capacity: 300 * GiB, available: 82 * GiB, used_size: 161 * GiB });
  });
});
