/**
 * The region fault over /sim/regions/fault: PD's `/regions/check/miss-peer` and `/down-peer` lists and its
 * `pd_regions_status` gauge agree, and recovery clears both.
 */
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { call, sample } from './http';

let sim: Simulator;
beforeAll(async () => {
  sim = await createSimulator({ stores: 4, regions: 2000, seed: 3 });
});
afterAll(async () => {
  await sim.close();
});

async function counts() {
  const metrics = (await call(`${sim.url}/metrics/pd`)).text;
  const check = async (kind: string) => {
    const a = (await call(`${sim.pdUrl}/regions/check/${kind}`)).json();
    return {
      count: a.count as number,
      regions: a.regions as Array<{ id: number; peers: unknown[]; down_peers?: unknown[]; leader?: { id: number } }>,
    };
  };
  return {
    metricMiss: sample(metrics, 'pd_regions_status', { type: 'miss-peer-region-count' }),
    metricDown: sample(metrics, 'pd_regions_status', { type: 'down-peer-region-count' }),
    miss: await check('miss-peer'),
    down: await check('down-peer'),
  };
}

describe('region fault', () => {
  afterEach(async () => {
    await call(`${sim.url}/sim/recover`, 'POST');
  });

  it("makes regions miss a peer or report a down peer, the same in PD's lists and its metric", async () => {
    expect(await counts()).toMatchObject({ metricMiss: 0, metricDown: 0, miss: { count: 0 }, down: { count: 0 } });
    const r = await call(`${sim.url}/sim/regions/fault`, 'POST', { miss_peer: 7, down_peer: 3 });
    expect(r.status).toBe(200);
    const c = await counts();
    expect(c).toMatchObject({ metricMiss: 7, metricDown: 3, miss: { count: 7 }, down: { count: 3 } });
    // A missing peer is a follower: the region keeps its leader with two peers; a down peer is listed in down_peers.
    for (const region of c.miss.regions) {
      expect(region.peers).toHaveLength(2);
      expect(region.leader).toBeDefined();
    }
    for (const region of c.down.regions) {
      expect(region.peers).toHaveLength(3);
      expect(region.down_peers).toHaveLength(1);
    }
    expect(new Set([...c.miss.regions, ...c.down.regions].map((x) => x.id)).size).toBe(10);
    expect((await call(`${sim.url}/sim/state`)).json().region_fault).toEqual({ miss_peer: 7, down_peer: 3 });
  });

  it('clears with DELETE and with /sim/recover', async () => {
    await call(`${sim.url}/sim/regions/fault`, 'POST', { miss_peer: 4 });
    expect((await counts()).metricMiss).toBe(4);
    await call(`${sim.url}/sim/regions/fault`, 'DELETE');
    expect(await counts()).toMatchObject({ metricMiss: 0, miss: { count: 0 } });
    await call(`${sim.url}/sim/regions/fault`, 'POST', { down_peer: 2 });
    await call(`${sim.url}/sim/recover`, 'POST');
    expect(await counts()).toMatchObject({ metricDown: 0, down: { count: 0 } });
  });

  it('names a bad body', async () => {
    const bad = async (body: unknown) => {
      const r = await call(`${sim.url}/sim/regions/fault`, 'POST', body);
      return [r.status, r.json().error];
    };
    expect(await bad({ miss_peer: -1 })).toEqual([400, expect.stringContaining('miss_peer')]);
    expect(await bad({ miss_peer: 1.5 })).toEqual([400, expect.stringContaining('miss_peer')]);
    expect(await bad({ regions: 1 })).toEqual([400, expect.stringContaining('region fault')]);
    expect(await bad({ miss_peer: 1500, down_peer: 1500 })).toEqual([400, expect.stringContaining('at most 2000')]);
  });
});
