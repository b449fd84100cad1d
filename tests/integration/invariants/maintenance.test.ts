/**
 * Maintenance-aware store_down against the simulator's PD (5 stores, a drain that takes 10 minutes): a store being
 * drained (PD `DELETE /store`), covered by evict-leader-scheduler, or labelled with MAINTENANCE_STORE_LABEL (PD
 * `POST /store/{id}/label`) that stops is reported with `maintenance: true`
 * (exporter label maintenance="true", severity still critical; the annotation says "(maintenance)"), while an
 * ordinary store that stops is a plain critical violation.
 */
import { waitFor } from '../../../src/embedded/prometheus';
import { PDClient } from '../../../src/subject/pd/client';
import { startBackend, type TestBackend } from '../../support/backend';

let b: TestBackend;
let pd: PDClient;

beforeAll(async () => {
  b = await startBackend({
    stores: 5,
    drainMs: 600_000,
    prometheus: true,
    env: { MAINTENANCE_STORE_LABEL: 'maintenance=true' },
  });
  pd = new PDClient({ urls: [b.sim.pdUrl] });
});
afterAll(async () => {
  await pd?.close();
  await b?.close();
});

const violationLines = async () =>
  (await b.request('GET', '/metrics')).text
    .split('\n')
    .filter((l) => l.startsWith('tikv_operator_invariant_violation{'));

test('a drained, leader-evicted or maintenance-labelled store that stops is a maintenance violation; an ordinary one is critical', async () => {
  const [drained, evicted, labelled, ordinary, healthy] = b.sim.cluster.stores.map((s) => s.id).sort((x, y) => x - y);
  await pd.deleteStore(drained);
  await pd.addScheduler({ name: 'evict-leader-scheduler', store_id: evicted });
  const label = await fetch(`${b.sim.pdUrl}/store/${labelled}/label`, {
    method: 'POST',
    body: JSON.stringify({ maintenance: 'true' }),
  });
  expect(label.status).toBe(200);
  for (const id of [drained, evicted, labelled, ordinary]) {
    b.sim.stopStore(id, { secondsAgo: 60 });
  }

  const lineOf = (lines: string[], id: number) => lines.find((l) => l.includes(`store_id="${id}"`));
  const lines = await waitFor(
    'four store_down series with their maintenance flags',
    async () => {
      const now = await violationLines();
      return [drained, evicted, labelled, ordinary].every((id) => lineOf(now, id)) ? now : undefined;
    },
    15_000
  );
  expect(lineOf(lines, drained)).toMatch(/invariant="store_down".*severity="critical",maintenance="true"\} 1$/);
  expect(lineOf(lines, evicted)).toMatch(/invariant="store_down".*severity="critical",maintenance="true"\} 1$/);
  expect(lineOf(lines, labelled)).toMatch(/invariant="store_down".*severity="critical",maintenance="true"\} 1$/);
  expect(lineOf(lines, ordinary)).toMatch(/invariant="store_down".*severity="critical",maintenance="false"\} 1$/);
  expect(lineOf(lines, healthy)).toBeUndefined();

  // The query's annotations say which outage is planned.
  const now = Date.now();
  const res = await b.request('POST', '/api/query', {
    body: {
      from: now - 60_000,
      to: now,
      queries: [{ refId: 'A', kind: 'invariant', invariants: ['store_down'], format: 'annotations' }],
    },
  });
  expect(res.status).toBe(200);
  const frame = res.json.results.A.frames[0];
  const col = (name: string) =>
    frame.data.values[frame.schema.fields.findIndex((f: { name: string }) => f.name === name)];
  const titles: string[] = col('title');
  expect(titles).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`store ${drained} \\(maintenance\\)$`)),
      expect.stringMatching(new RegExp(`store ${evicted} \\(maintenance\\)$`)),
      expect.stringMatching(new RegExp(`store ${labelled} \\(maintenance\\)$`)),
      expect.stringMatching(new RegExp(`store ${ordinary}$`)),
    ])
  );
  expect(col('tags').find((t: string) => t.includes(`store ${ordinary}`))).not.toContain('maintenance');
}, 60_000);
