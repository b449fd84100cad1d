/** A simulator and a PDClient against it, plus a poll with a deadline (no fixed sleeps). */
import { createSimulator, type Simulator, type SimulatorOptions } from '../../../src/simulator/server';
import { PDClient } from '../../../src/subject/pd/client';

export { until } from '../../support/until';

export interface Harness {
  sim: Simulator;
  pd: PDClient;
  close(): Promise<void>;
}

export async function startHarness(o: SimulatorOptions): Promise<Harness> {
  const sim = await createSimulator({ regions: 60, seed: 11, ...o });
  const pd = new PDClient({ urls: [sim.pdUrl], timeoutMs: 5000 });
  return {
    sim,
    pd,
    close: async () => {
      await pd.close();
      await sim.close();
    },
  };
}

/** A region id whose peers leave at least one store without a voter, with the leader, a follower and that store. */
export async function regionWithOutsider(pd: PDClient, storeCount: number, skip: number[] = []) {
  for (let id = 1001; id < 1001 + 8 * 60; id += 8) {
    if (skip.includes(id)) {
      continue;
    }
    const r = (await pd.getRegion(id)).data;
    const stores = r.peers.map((p) => p.store_id);
    const outsider = Array.from({ length: storeCount }, (_, i) => i + 1).find((s) => !stores.includes(s));
    const follower = stores.find((s) => s !== r.leader.store_id);
    if (outsider !== undefined && follower !== undefined) {
      return { region_id: id, leader: r.leader.store_id, follower, outsider };
    }
  }
  throw new Error('no region with a store outside its peers');
}

/** A region with its leader store and one follower store. */
export async function regionWithFollower(pd: PDClient, id = 1001) {
  const r = (await pd.getRegion(id)).data;
  const follower = r.peers.map((p) => p.store_id).find((s) => s !== r.leader.store_id);
  if (follower === undefined) {
    throw new Error(`region ${id} has no follower`);
  }
  return { region_id: id, leader: r.leader.store_id, follower };
}
