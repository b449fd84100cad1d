/**
 * PD write endpoints: validation and refusals as PD answers them, and their visible effects on the cluster.
 */
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { call, pollUntil, sample } from './http';

let sim: Simulator;
let three: Simulator;
beforeAll(async () => {
  sim = await createSimulator({ stores: 5, regions: 500, seed: 3, drainMs: 1500, evictMs: 1000 });
  three = await createSimulator({ stores: 3, regions: 200, seed: 3 });
});
afterAll(async () => {
  await sim.close();
  await three.close();
});

const region = async (id: number) => (await call(`${sim.pdUrl}/region/id/${id}`)).json();
const store = async (id: number) => (await call(`${sim.pdUrl}/store/${id}`)).json();
const firstRegion = async () => (await call(`${sim.pdUrl}/regions/key?key=&limit=1`)).json().regions[0];

describe('POST /operators', () => {
  it('moves a leader to a store holding a voter and refuses a store without one', async () => {
    const r = await firstRegion();
    const holders = r.peers.map((p: any) => p.store_id);
    const target = holders.find((s: number) => s !== r.leader.store_id);
    const outsider = [1, 2, 3, 4, 5].find((s) => !holders.includes(s))!;

    const refused = await call(`${sim.pdUrl}/operators`, 'POST', {
      name: 'transfer-leader',
      region_id: r.id,
      to_store_id: outsider,
    });
    expect(refused.status).toBe(500);
    expect(refused.json()).toBe(`region has no voter in store ${outsider}`);

    const ok = await call(`${sim.pdUrl}/operators`, 'POST', {
      name: 'transfer-leader',
      region_id: r.id,
      to_store_id: target,
    });
    expect(ok.status).toBe(200);
    expect(ok.json()).toBe('The operator is created.');
    expect((await region(r.id)).leader.store_id).toBe(target);
    expect((await call(`${sim.pdUrl}/operators`)).json().length).toBeGreaterThanOrEqual(0);
    expect((await call(`${sim.pdUrl}/operators`, 'POST', { name: 'transfer-leader', to_store_id: 1 })).status).toBe(
      400
    );
  });

  it('splits a region in the middle or at a given key', async () => {
    const before = (await call(`${sim.pdUrl}/regions/count`)).json().count;
    const page = (await call(`${sim.pdUrl}/regions/key?key=&limit=3`)).json().regions;
    const r = page[1];
    const ok = await call(`${sim.pdUrl}/operators`, 'POST', {
      name: 'split-region',
      region_id: r.id,
      policy: 'APPROXIMATE',
    });
    expect(ok.status).toBe(200);
    expect((await call(`${sim.pdUrl}/regions/count`)).json().count).toBe(before + 1);
    const after = (await call(`${sim.pdUrl}/regions/key?key=&limit=4`)).json().regions;
    // TiKV right-derive: the original id keeps the right half, a new region takes the left half.
    expect(after[1].start_key).toBe(r.start_key);
    expect(after[1].id).not.toBe(r.id);
    expect(after[2].id).toBe(r.id);
    expect(after[2].start_key).toBe(after[1].end_key);
    expect(after[2].end_key).toBe(r.end_key);
    expect(after[2].epoch.version).toBe(r.epoch.version + 1);

    const key = `${after[2].start_key}40`;
    const usekey = await call(`${sim.pdUrl}/operators`, 'POST', {
      name: 'split-region',
      region_id: r.id,
      policy: 'usekey',
      keys: [key],
    });
    expect(usekey.status).toBe(200);
    expect((await region(r.id)).start_key).toBe(key);
    expect((await call(`${sim.pdUrl}/regions/count`)).json().count).toBe(before + 2);

    const noPolicy = await call(`${sim.pdUrl}/operators`, 'POST', { name: 'split-region', region_id: r.id });
    expect(noPolicy.status).toBe(400);
  });
});

describe('POST /config', () => {
  it('takes short and dotted keys and shows them in config and metrics', async () => {
    const r = await call(`${sim.pdUrl}/config`, 'POST', {
      'leader-schedule-limit': 8,
      'schedule.region-schedule-limit': 1024,
    });
    expect(r.status).toBe(200);
    const schedule = (await call(`${sim.pdUrl}/config/schedule`)).json();
    expect(schedule['leader-schedule-limit']).toBe(8);
    expect(schedule['region-schedule-limit']).toBe(1024);
    const metrics = (await call(`${sim.url}/metrics/pd`)).text;
    expect(sample(metrics, 'pd_config_status', { type: 'leader-schedule-limit' })).toBe(8);
  });

  it('refuses unknown keys, wrong types and a low-space-ratio not above high-space-ratio', async () => {
    const unknown = await call(`${sim.pdUrl}/config`, 'POST', { 'no-such-item': 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toBe('config item no-such-item not found');
    const wrongType = await call(`${sim.pdUrl}/config`, 'POST', { 'leader-schedule-limit': '8' });
    expect(wrongType.status).toBe(400);
    const equal = await call(`${sim.pdUrl}/config`, 'POST', { 'low-space-ratio': 0.7 });
    expect(equal.status).toBe(400);
    expect(equal.json()).toBe('low-space-ratio should be larger than high-space-ratio');
    const badDuration = await call(`${sim.pdUrl}/config`, 'POST', { 'max-store-down-time': 'soon' });
    expect(badDuration.status).toBe(400);
    // A refused update changes nothing, even for its valid items.
    await call(`${sim.pdUrl}/config`, 'POST', { 'leader-schedule-limit': 2, 'low-space-ratio': 0.5 });
    expect((await call(`${sim.pdUrl}/config/schedule`)).json()['leader-schedule-limit']).toBe(8);
    const fine = await call(`${sim.pdUrl}/config`, 'POST', { 'low-space-ratio': 0.85 });
    expect(fine.status).toBe(200);
  });
});

describe('evict-leader-scheduler', () => {
  it('moves leaders off the store over a few seconds and lets them back when removed', async () => {
    expect((await store(1)).status.leader_count).toBeGreaterThan(0);
    const add = await call(`${sim.pdUrl}/schedulers`, 'POST', { name: 'evict-leader-scheduler', store_id: 1 });
    expect(add.status).toBe(200);
    expect((await call(`${sim.pdUrl}/schedulers`)).json()).toContain('evict-leader-scheduler');
    await pollUntil('leaders off store 1', async () => ((await store(1)).status.leader_count === 0 ? true : undefined));
    const removed = await call(`${sim.pdUrl}/schedulers/evict-leader-scheduler-1`, 'DELETE');
    expect(removed.status).toBe(200);
    expect((await call(`${sim.pdUrl}/schedulers`)).json()).not.toContain('evict-leader-scheduler');
    expect((await store(1)).status.leader_count).toBeGreaterThan(0);
    const again = await call(`${sim.pdUrl}/schedulers/evict-leader-scheduler`, 'DELETE');
    expect(again.status).toBe(500);
  });
});

describe('removing a store', () => {
  it('refuses when Up stores would drop below max-replicas, with PD error text', async () => {
    const r = await call(`${three.pdUrl}/store/2`, 'DELETE');
    expect(r.status).toBe(400);
    expect(r.json()).toBe(
      '[PD:core:ErrStoresNotEnough]can not remove store 2 since the number of up stores would be 2 while need 3'
    );
  });

  it('drains a store: Offline with progress, then Tombstone with no regions, hidden from /stores', async () => {
    const del = await call(`${sim.pdUrl}/store/5`, 'DELETE');
    expect(del.status).toBe(200);
    expect(del.json()).toBe('The store is set as Offline.');
    const offline = (await store(5)).store;
    expect(offline.state).toBe(1);
    expect(offline.node_state).toBe(2);
    expect(offline.state_name).toBe('Offline');
    const progress = (await call(`${sim.pdUrl}/stores/progress?id=5`)).json();
    expect(progress.action).toBe('removing');
    expect(progress.store_id).toBe(5);
    await pollUntil('store 5 Tombstone', async () =>
      (await store(5)).store.state_name === 'Tombstone' ? true : undefined
    );
    const tomb = await store(5);
    expect(tomb.store.state).toBe(2);
    expect(tomb.store.node_state).toBe(3);
    expect(tomb.status.region_count).toBe(0);
    expect((await call(`${sim.pdUrl}/stores`)).json().count).toBe(4);
    expect((await call(`${sim.pdUrl}/stores?state=2`)).json().stores[0].store.id).toBe(5);
    const regions = (await call(`${sim.pdUrl}/regions/key?key=&limit=100`)).json().regions;
    expect(regions.every((r: any) => r.peers.every((p: any) => p.store_id !== 5))).toBe(true);
    expect((await call(`${sim.pdUrl}/stores/progress?id=5`)).status).toBe(404);
    expect((await call(`${sim.pdUrl}/store/5`, 'DELETE')).status).toBe(410);
    const targets = (await call(`${sim.url}/sim/targets`)).json();
    expect(targets.some((t: any) => t.labels.__metrics_path__ === '/metrics/tikv/5')).toBe(false);
  });

  it('cancels a removal with POST /store/{id}/state?state=Up', async () => {
    expect((await call(`${sim.pdUrl}/store/4`, 'DELETE')).status).toBe(200);
    expect((await store(4)).store.state_name).toBe('Offline');
    const cancel = await call(`${sim.pdUrl}/store/4/state?state=Up`, 'POST');
    expect(cancel.status).toBe(200);
    expect((await store(4)).store.state_name).toBe('Up');
    expect((await store(4)).store.state).toBeUndefined();
    expect((await call(`${sim.pdUrl}/store/4/state?state=Sleeping`, 'POST')).status).toBe(400);
  });
});

describe('store limits', () => {
  it('sets the limit of every store', async () => {
    const r = await call(`${sim.pdUrl}/stores/limit`, 'POST', { rate: 30, type: 'add-peer' });
    expect(r.status).toBe(200);
    const limits = (await call(`${sim.pdUrl}/stores/limit`)).json();
    expect(limits['1']).toEqual({ 'add-peer': 30, 'remove-peer': 15 });
    expect((await call(`${sim.pdUrl}/stores/limit`, 'POST', { rate: -1 })).status).toBe(400);
  });
});
