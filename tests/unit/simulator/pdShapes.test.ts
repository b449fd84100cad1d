/**
 * The simulator's PD answers have the shapes and quirks of PD v8.5 (the fixtures are field-exact PD answers).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { call } from './http';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/pd', `${name}.json`), 'utf8'));
const keys = (o: object) => Object.keys(o).sort();
const BYTE_SIZE = /^\d+(\.\d+)?(B|KiB|MiB|GiB|TiB|PiB|EiB)$/;
const GO_DURATION = /^(\d+h)?(\d+m)?\d+(\.\d+)?s$/;

let sim: Simulator;
beforeAll(async () => {
  sim = await createSimulator({ stores: 3, regions: 1000, seed: 42 });
});
afterAll(async () => {
  await sim.close();
});

describe('PD read API shapes', () => {
  it('lists stores with the fixture keys, state absent for Up, integer node_state and size strings', async () => {
    const r = await call(`${sim.pdUrl}/stores`);
    expect(r.status).toBe(200);
    const body = r.json();
    const f = fixture('stores').stores[0];
    expect(body.count).toBe(3);
    for (const s of body.stores) {
      expect(keys(s)).toEqual(keys(f));
      expect(keys(s.store)).toEqual(keys(f.store));
      expect(keys(s.status)).toEqual(keys(f.status));
      expect(s.store.state).toBeUndefined();
      expect(s.store.node_state).toBe(1);
      expect(s.store.state_name).toBe('Up');
      for (const k of ['capacity', 'available', 'used_size']) {
        expect(s.status[k]).toMatch(BYTE_SIZE);
      }
      expect(s.status.uptime).toMatch(GO_DURATION);
      expect(s.status.last_heartbeat_ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    }
  });

  it('writes last_heartbeat as exact nanosecond digits beyond 2^53, agreeing with last_heartbeat_ts', async () => {
    const r = await call(`${sim.pdUrl}/store/1`);
    const m = /"last_heartbeat": (\d+),/.exec(r.text);
    expect(m).not.toBeNull();
    const ns = BigInt(m![1]);
    expect(ns > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const ts = r.json().status.last_heartbeat_ts as string;
    const frac = (/\.(\d+)Z$/.exec(ts)?.[1] ?? '').padEnd(9, '0');
    expect(ns % BigInt(1_000_000_000)).toBe(BigInt(frac));
    expect(Number(ns / BigInt(1_000_000))).toBe(Date.parse(ts));
  });

  it('answers with a Date header close to now', async () => {
    const r = await call(`${sim.pdUrl}/stores`);
    const date = Date.parse(String(r.headers.date));
    expect(Math.abs(date - Date.now())).toBeLessThan(5_000);
  });

  it('rejects a non-integer state filter with 500 and a Go error string, and hides Tombstone by default', async () => {
    const bad = await call(`${sim.pdUrl}/stores?state=Up`);
    expect(bad.status).toBe(500);
    expect(bad.json()).toBe('strconv.Atoi: parsing "Up": invalid syntax');
    expect((await call(`${sim.pdUrl}/stores?state=2`)).json()).toEqual({ count: 0, stores: [] });
    expect((await call(`${sim.pdUrl}/stores?state=0&state=1`)).json().count).toBe(3);
  });

  it('answers an unknown store with 404 and PD error string', async () => {
    const r = await call(`${sim.pdUrl}/store/9`);
    expect(r.status).toBe(404);
    expect(r.json()).toBe('[PD:core:ErrStoreNotFound]store 9 not found');
  });

  it('filters /stores/check by state name, case-insensitively, and rejects unknown names', async () => {
    expect((await call(`${sim.pdUrl}/stores/check?state=UP`)).json().count).toBe(3);
    expect((await call(`${sim.pdUrl}/stores/check?state=down`)).json()).toEqual({ count: 0, stores: [] });
    expect((await call(`${sim.pdUrl}/stores/check?state=sleeping`)).status).toBe(400);
  });

  it('scans regions page by page with hex keys, like /regions/key with limit', async () => {
    const page = (await call(`${sim.pdUrl}/regions/key?key=&limit=4&format=hex`)).json();
    const f = fixture('regions_key_limit4');
    expect(page.count).toBe(4);
    const regionKeys = keys(f.regions[0]).filter((k) => k !== 'down_peers' && k !== 'pending_peers');
    expect(keys(page.regions[0])).toEqual(regionKeys);
    expect(keys(page.regions[0].peers[0])).toEqual(keys(f.regions[0].peers[0]));
    expect(page.regions[0].start_key).toBe('');
    for (let i = 1; i < 4; i++) {
      expect(page.regions[i].start_key).toBe(page.regions[i - 1].end_key);
      expect(page.regions[i].start_key).toMatch(/^[0-9A-F]+$/);
    }
    const next = (await call(`${sim.pdUrl}/regions/key?key=${page.regions[3].end_key}&limit=2&format=hex`)).json();
    expect(next.regions[0].start_key).toBe(page.regions[3].end_key);
    // Walking every page reaches the end key "" after exactly /regions/count regions.
    let key = '';
    let seen = 0;
    do {
      const p = (await call(`${sim.pdUrl}/regions/key?key=${key}&limit=300&format=hex`)).json();
      seen += p.count;
      key = p.regions[p.regions.length - 1].end_key;
    } while (key !== '');
    expect(seen).toBe((await call(`${sim.pdUrl}/regions/count`)).json().count);
  });

  it('answers counts, stats and one region in PD shapes', async () => {
    const count = (await call(`${sim.pdUrl}/regions/count`)).json();
    expect(count).toEqual({ count: 1000, regions: null });
    const stats = (await call(`${sim.pdUrl}/stats/region`)).json();
    expect(keys(stats)).toEqual(keys(fixture('stats_region')));
    expect(stats.count).toBe(1000);
    const first = (await call(`${sim.pdUrl}/regions/key?key=&limit=1`)).json().regions[0];
    const one = await call(`${sim.pdUrl}/region/id/${first.id}`);
    expect(one.json()).toEqual(first);
    const missing = await call(`${sim.pdUrl}/region/id/5`);
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatch(/region 5 not found/);
  });

  it('lists hot write regions once per peer store, with the fixture keys', async () => {
    const hot = (await call(`${sim.pdUrl}/hotspot/regions/write`)).json();
    const f = fixture('hotspot_regions_write');
    expect(keys(hot)).toEqual(['as_leader', 'as_peer']);
    const entry = hot.as_peer['1'];
    expect(keys(entry)).toEqual(keys(f.as_peer['1']));
    expect(keys(entry.statistics[0])).toEqual(keys(f.as_peer['1'].statistics[0]));
    const region = entry.statistics[0].region_id;
    const holders = Object.values<any>(hot.as_peer).filter((e) =>
      e.statistics.some((s: any) => s.region_id === region)
    );
    expect(holders).toHaveLength(entry.statistics[0].stores.length);
    const leaders = Object.values<any>(hot.as_leader).filter((e) =>
      e.statistics.some((s: any) => s.region_id === region)
    );
    expect(leaders).toHaveLength(1);
    // The skewed load: the hottest region writes far more than the median one.
    const flows = entry.statistics.map((s: any) => s.flow_bytes);
    expect(flows[0]).toBeGreaterThan(2 * flows[Math.floor(flows.length / 2)]);
    const only2 = (await call(`${sim.pdUrl}/hotspot/regions/write?store_id=2`)).json();
    expect(Object.keys(only2.as_peer)).toEqual(['2']);
    const stores = (await call(`${sim.pdUrl}/hotspot/stores`)).json();
    expect(keys(stores)).toEqual(keys(fixture('hotspot_stores')));
  });

  it('answers cluster, members, health, version, status and config in PD shapes with exact big ids', async () => {
    const cluster = await call(`${sim.pdUrl}/cluster`);
    expect(keys(cluster.json())).toEqual(keys(fixture('cluster')));
    expect(cluster.text).toMatch(/"id": \d{19,20},/);
    expect(keys((await call(`${sim.pdUrl}/cluster/status`)).json())).toEqual(keys(fixture('cluster_status')));
    const members = await call(`${sim.pdUrl}/members`);
    expect(keys(members.json())).toEqual(keys(fixture('members')));
    expect(keys(members.json().members[0])).toEqual(keys(fixture('members').members[0]));
    expect(members.text).toMatch(/"member_id": \d{18,20},/);
    expect(members.json().members[0].client_urls).toEqual([sim.url]);
    const health = (await call(`${sim.pdUrl}/health`)).json();
    expect(keys(health[0])).toEqual(keys(fixture('health')[0]));
    expect((await call(`${sim.pdUrl}/version`)).json()).toEqual(fixture('version'));
    expect(keys((await call(`${sim.pdUrl}/status`)).json())).toEqual(keys(fixture('status')));
    expect((await call(`${sim.pdUrl}/ping`)).status).toBe(200);
    const schedule = (await call(`${sim.pdUrl}/config/schedule`)).json();
    expect(keys(schedule)).toEqual(keys(fixture('config_schedule')));
    expect(schedule['max-store-down-time']).toBe('30m0s');
    expect(keys((await call(`${sim.pdUrl}/stores/limit`)).json())).toEqual(['1', '2', '3']);
    expect((await call(`${sim.pdUrl}/schedulers`)).json()).toEqual(fixture('schedulers'));
    const config = (await call(`${sim.pdUrl}/config`)).json();
    expect(config.schedule['leader-schedule-limit']).toBe(4);
    expect(config.replication['max-replicas']).toBe(3);
    expect((await call(`${sim.pdUrl}/config/replicate`)).json()['max-replicas']).toBe(3);
    expect((await call(`${sim.pdUrl}/operators`)).json()).toEqual([]);
  });

  it('answers unknown PD paths with Go net/http 404 text', async () => {
    const r = await call(`${sim.pdUrl}/nothing/here`);
    expect(r.status).toBe(404);
    expect(r.text).toBe('404 page not found\n');
  });
});

describe('determinism', () => {
  it('gives the same cluster for the same seed and a different one for another seed', async () => {
    const again = await createSimulator({ stores: 3, regions: 1000, seed: 42 });
    const other = await createSimulator({ stores: 3, regions: 1000, seed: 43 });
    try {
      const page = async (s: Simulator) => (await call(`${s.pdUrl}/regions/key?key=&limit=50`)).text;
      const hot = async (s: Simulator) =>
        JSON.stringify((await call(`${s.pdUrl}/hotspot/regions/write`)).json().as_leader);
      expect(await page(again)).toBe(await page(sim));
      expect(await page(other)).not.toBe(await page(sim));
      expect(await hot(again)).toBe(await hot(sim));
    } finally {
      await again.close();
      await other.close();
    }
  });
});
