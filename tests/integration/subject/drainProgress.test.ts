/** A store being drained shows PD's progress in get_stores (the Cluster page's drain column), others show none. */
import { waitFor } from '../../../src/embedded/prometheus';
import { createSimulator, type Simulator } from '../../../src/simulator/server';
import { PDClient } from '../../../src/subject/pd/client';
import { PrometheusClient } from '../../../src/subject/prometheus/client';
import { TiKVSubject } from '../../../src/subject/tikv/subject';

let sim: Simulator;
let pd: PDClient;
let subject: TiKVSubject;

beforeAll(async () => {
  // Four stores with three replicas: PD lets one be removed.
  sim = await createSimulator({ stores: 4, regions: 400, seed: 3, drainMs: 20_000 });
  pd = new PDClient({ urls: [sim.pdUrl] });
  // get_stores never asks Prometheus; the client points at a closed port to prove it.
  subject = new TiKVSubject({ pd, prometheus: new PrometheusClient({ url: 'http://127.0.0.1:9' }) });
});

afterAll(async () => {
  await pd?.close();
  await sim?.close();
});

test('a draining store reports its progress and time left; serving stores report none', async () => {
  await pd.deleteStore(4);
  const row = await waitFor('store 4 to report drain progress above 0', async () => {
    const { stores } = await subject.getStores();
    const four = stores.find((s) => s.store_id === 4);
    return four && four.drain_progress !== null && four.drain_progress > 0 ? four : undefined;
  });
  expect(row.state_name).toBe('Offline');
  expect(row.drain_progress).toBeLessThanOrEqual(1);
  expect(row.drain_left_seconds).toBeGreaterThanOrEqual(0);
  expect(row.drain_left_seconds).toBeLessThanOrEqual(20);
  const { stores } = await subject.getStores();
  for (const s of stores.filter((x) => x.store_id !== 4)) {
    expect(s.drain_progress).toBeNull();
    expect(s.drain_left_seconds).toBeNull();
  }
});
