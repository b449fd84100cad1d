/**
 * 1,000 stores × 1,000,000 regions: starts quickly and answers stores, counts, scans and metrics, with memory that
 * does not hold the regions (peak RSS is logged, not asserted).
 */
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { call } from './http';

let sim: Simulator;
let startMs = 0;
beforeAll(async () => {
  const t = Date.now();
  sim = await createSimulator({ stores: 1000, regions: 1_000_000, seed: 11 });
  startMs = Date.now() - t;
});
afterAll(async () => {
  await sim.close();
});

describe('a 1000-store, 1,000,000-region cluster', () => {
  it('answers /stores, /regions/count, a region scan, hot regions and one store metrics', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const stores = (await call(`${sim.pdUrl}/stores`)).json();
    expect(stores.count).toBe(1000);
    expect((await call(`${sim.pdUrl}/regions/count`)).json()).toEqual({ count: 1_000_000, regions: null });
    const last = (
      await call(`${sim.pdUrl}/regions/key?key=7480000000000000FF0000000F423F5F72&limit=10&format=hex`)
    ).json();
    expect(last.count).toBe(1);
    expect(last.regions[0].end_key).toBe('');
    const page = (await call(`${sim.pdUrl}/regions/key?key=&limit=10240`)).json();
    expect(page.count).toBe(10240);
    const hot = (await call(`${sim.pdUrl}/hotspot/regions/write`)).json();
    expect(Object.keys(hot.as_leader).length).toBeGreaterThan(0);
    expect((await call(`${sim.url}/metrics/tikv/1000`)).status).toBe(200);
    expect((await call(`${sim.url}/sim/targets`)).json()).toHaveLength(1001);
    const total = stores.stores.reduce((s: number, x: any) => s + x.status.leader_count, 0);
    expect(total).toBe(1_000_000);
    const heapGrowthMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

    console.log(
      `simulator 1000 stores x 1000000 regions: started in ${startMs} ms; peak RSS of the test process ` +
        `${Math.round(process.resourceUsage().maxRSS / 1024)} MiB; heap growth over the requests ${heapGrowthMiB.toFixed(1)} MiB`
    );
  });
});
